#include "core/backend/cpu_backend.h"

#include "kernels/cpu/attention.h"
#include "kernels/cpu/dropout.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/half_precision.h"
#include "kernels/cpu/layernorm.h"
#include "kernels/cpu/loss.h"
#include "kernels/cpu/optimizer.h"
#include "kernels/cpu/reduction.h"

namespace tern {

namespace {

class CpuBackend final : public Backend {
 public:
  void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
            const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
            std::int64_t ldc) const override {
    kernels::cpu::gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  void gemm_half(HalfFormat format, Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n,
                 std::int64_t k, float alpha, const std::uint16_t* a, std::int64_t lda, const std::uint16_t* b,
                 std::int64_t ldb, float beta, float* c, std::int64_t ldc) const override {
    kernels::cpu::gemm_half(format, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  void to_half(HalfFormat format, const float* x, std::uint16_t* bits, std::int64_t count) const override {
    kernels::cpu::to_half(format, x, bits, count);
  }
  void bias_activation_forward(Activation kind, float* y, const float* bias, std::int64_t rows,
                               std::int64_t cols) const override {
    kernels::cpu::bias_activation_forward(kind, y, bias, rows, cols);
  }
  void activation_forward(Activation kind, const float* x, float* y, std::int64_t count) const override {
    kernels::cpu::activation_forward(kind, x, y, count);
  }
  void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                           std::int64_t count) const override {
    kernels::cpu::activation_backward(kind, x, y, dy, dx, count);
  }
  void accumulate_column_sums(const float* x, float* sums, std::int64_t rows, std::int64_t cols) const override {
    kernels::cpu::accumulate_column_sums(x, sums, rows, cols);
  }
  void softmax_cross_entropy(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                             float grad_scale, float* row_loss, float* dlogits) const override {
    kernels::cpu::softmax_cross_entropy(logits, labels, rows, classes, grad_scale, row_loss, dlogits);
  }
  void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows, float grad_scale,
                                        float* row_loss, float* dlogits) const override {
    kernels::cpu::binary_cross_entropy_with_logits(logits, labels, rows, grad_scale, row_loss, dlogits);
  }
  void squared_error(const float* predictions, const float* targets, std::int64_t rows, float grad_scale,
                     float* row_loss, float* dpredictions) const override {
    kernels::cpu::squared_error(predictions, targets, rows, grad_scale, row_loss, dpredictions);
  }
  void row_max(const float* logits, std::int64_t rows, std::int64_t classes, float* row_max) const override {
    kernels::cpu::row_max(logits, rows, classes, row_max);
  }
  void softmax_partial_sums(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                            std::int64_t first_class, const float* row_max, float* sum_exp,
                            float* target_logit) const override {
    kernels::cpu::softmax_partial_sums(logits, labels, rows, classes, first_class, row_max, sum_exp, target_logit);
  }
  void softmax_cross_entropy_shard_gradient(const float* logits, const float* labels, std::int64_t rows,
                                            std::int64_t classes, std::int64_t first_class, const float* row_max,
                                            const float* sum_exp, float grad_scale, float* dlogits) const override {
    kernels::cpu::softmax_cross_entropy_shard_gradient(logits, labels, rows, classes, first_class, row_max, sum_exp,
                                                       grad_scale, dlogits);
  }
  void layernorm_forward(const float* x, const float* gamma, const float* beta, std::int64_t rows,
                         std::int64_t features, float epsilon, float* y, float* mean, float* rstd) const override {
    kernels::cpu::layernorm_forward(x, gamma, beta, rows, features, epsilon, y, mean, rstd);
  }
  void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                          std::int64_t rows, std::int64_t features, float* dx, float* dgamma,
                          float* dbeta) const override {
    kernels::cpu::layernorm_backward(dy, x, gamma, mean, rstd, rows, features, dx, dgamma, dbeta);
  }
  void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t first_id,
                         std::int64_t table_rows, std::int64_t vocab, std::int64_t features, float* y) const override {
    kernels::cpu::embedding_forward(ids, table, rows, first_id, table_rows, vocab, features, y);
  }
  void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t first_id,
                          std::int64_t table_rows, std::int64_t features, float* dtable) const override {
    kernels::cpu::embedding_backward(ids, dy, rows, first_id, table_rows, features, dtable);
  }
  void causal_softmax_forward(const float* scores, std::int64_t rows, std::int64_t columns,
                              float* probabilities) const override {
    kernels::cpu::causal_softmax_forward(scores, rows, columns, probabilities);
  }
  void causal_softmax_backward(const float* probabilities, const float* dprobabilities, std::int64_t rows,
                               std::int64_t columns, float* dscores) const override {
    kernels::cpu::causal_softmax_backward(probabilities, dprobabilities, rows, columns, dscores);
  }
  void dropout_forward(const float* x, float* y, float* mask, std::int64_t count, float p, std::uint64_t seed,
                       std::uint64_t stream, std::uint64_t first_index) const override {
    kernels::cpu::dropout_forward(x, y, mask, count, p, seed, stream, first_index);
  }
  void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count) const override {
    kernels::cpu::dropout_backward(dy, mask, dx, count);
  }
  void optimizer_update_many(const kernels::OptimizerStepConfig& config, const kernels::OptimizerTensor* tensors,
                             int tensor_count) const override {
    kernels::cpu::optimizer_update_many(config, tensors, tensor_count);
  }
  double sum_of_squares_many(const float* const* arrays, const std::int64_t* counts, int array_count) const override {
    return kernels::cpu::sum_of_squares_many(arrays, counts, array_count);
  }
  void accumulate(float* y, const float* x, std::int64_t count) const override {
    kernels::cpu::accumulate(y, x, count);
  }
  void scale(float* y, float factor, std::int64_t count) const override { kernels::cpu::scale(y, factor, count); }
};

}  // namespace

const Backend& cpu_backend() {
  static const CpuBackend backend;
  return backend;
}

}  // namespace tern
