#include "core/backend/cuda_backend.h"

#include <memory>
#include <mutex>
#include <vector>

#include "kernels/cpu/embedding.h"
#include "kernels/cuda/attention.h"
#include "kernels/cuda/device_memory.h"
#include "kernels/cuda/dropout.h"
#include "kernels/cuda/elementwise.h"
#include "kernels/cuda/embedding.h"
#include "kernels/cuda/gemm.h"
#include "kernels/cuda/half_precision.h"
#include "kernels/cuda/layernorm.h"
#include "kernels/cuda/loss.h"
#include "kernels/cuda/optimizer.h"
#include "kernels/cuda/reduction.h"

namespace tern {

namespace {

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device) : device_(device), stream_(kernels::cuda::compute_stream(device)) {}

  void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
            const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
            std::int64_t ldc) const override {
    kernels::cuda::set_current_device(device_);  // cuBLAS handles are per current device
    kernels::cuda::gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, stream_);
  }
  void gemm_half(HalfFormat format, Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n,
                 std::int64_t k, float alpha, const std::uint16_t* a, std::int64_t lda, const std::uint16_t* b,
                 std::int64_t ldb, float beta, float* c, std::int64_t ldc) const override {
    kernels::cuda::set_current_device(device_);
    kernels::cuda::gemm_half(format, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, stream_);
  }
  void to_half(HalfFormat format, const float* x, std::uint16_t* bits, std::int64_t count) const override {
    kernels::cuda::to_half(format, x, bits, count, stream_);
  }
  void bias_activation_forward(Activation kind, float* y, const float* bias, std::int64_t rows,
                               std::int64_t cols) const override {
    kernels::cuda::bias_activation_forward(kind, y, bias, rows, cols, stream_);
  }
  void activation_forward(Activation kind, const float* x, float* y, std::int64_t count) const override {
    kernels::cuda::activation_forward(kind, x, y, count, stream_);
  }
  void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                           std::int64_t count) const override {
    kernels::cuda::activation_backward(kind, x, y, dy, dx, count, stream_);
  }
  void accumulate_column_sums(const float* x, float* sums, std::int64_t rows, std::int64_t cols) const override {
    kernels::cuda::accumulate_column_sums(x, sums, rows, cols, stream_);
  }
  void softmax_cross_entropy(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                             float grad_scale, float* row_loss, float* dlogits) const override {
    kernels::cuda::softmax_cross_entropy(logits, labels, rows, classes, grad_scale, row_loss, dlogits, stream_);
  }
  void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows, float grad_scale,
                                        float* row_loss, float* dlogits) const override {
    kernels::cuda::binary_cross_entropy_with_logits(logits, labels, rows, grad_scale, row_loss, dlogits, stream_);
  }
  void squared_error(const float* predictions, const float* targets, std::int64_t rows, float grad_scale,
                     float* row_loss, float* dpredictions) const override {
    kernels::cuda::squared_error(predictions, targets, rows, grad_scale, row_loss, dpredictions, stream_);
  }
  void row_max(const float* logits, std::int64_t rows, std::int64_t classes, float* row_max) const override {
    kernels::cuda::row_max(logits, rows, classes, row_max, stream_);
  }
  void softmax_partial_sums(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                            std::int64_t first_class, const float* row_max, float* sum_exp,
                            float* target_logit) const override {
    kernels::cuda::softmax_partial_sums(logits, labels, rows, classes, first_class, row_max, sum_exp, target_logit,
                                        stream_);
  }
  void softmax_cross_entropy_shard_gradient(const float* logits, const float* labels, std::int64_t rows,
                                            std::int64_t classes, std::int64_t first_class, const float* row_max,
                                            const float* sum_exp, float grad_scale, float* dlogits) const override {
    kernels::cuda::softmax_cross_entropy_shard_gradient(logits, labels, rows, classes, first_class, row_max, sum_exp,
                                                        grad_scale, dlogits, stream_);
  }
  void layernorm_forward(const float* x, const float* gamma, const float* beta, std::int64_t rows,
                         std::int64_t features, float epsilon, float* y, float* mean, float* rstd) const override {
    kernels::cuda::layernorm_forward(x, gamma, beta, rows, features, epsilon, y, mean, rstd, stream_);
  }
  void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                          std::int64_t rows, std::int64_t features, float* dx, float* dgamma,
                          float* dbeta) const override {
    kernels::cuda::layernorm_backward(dy, x, gamma, mean, rstd, rows, features, dx, dgamma, dbeta, stream_);
  }
  // The kernel flags an id outside the vocabulary on the device; the flag is read back at once
  // (one wait), and on a flag the CPU check on the ids names the id and its row.
  void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t first_id,
                         std::int64_t table_rows, std::int64_t vocab, std::int64_t features, float* y) const override {
    auto* flag = static_cast<int*>(kernels::cuda::allocate(device_, sizeof(int), stream_));
    const std::unique_ptr<int, Release> owner(flag, Release{stream_});
    kernels::cuda::set_zero(flag, sizeof(int), stream_);
    kernels::cuda::embedding_forward(ids, table, rows, first_id, table_rows, vocab, features, y, flag, stream_);
    int flagged = 0;
    kernels::cuda::copy(&flagged, flag, sizeof flagged, stream_);
    kernels::cuda::synchronize(stream_);
    if (flagged != 0) {
      std::vector<std::int32_t> host_ids(static_cast<std::size_t>(rows));
      kernels::cuda::copy(host_ids.data(), ids, host_ids.size() * sizeof(std::int32_t), stream_);
      kernels::cuda::synchronize(stream_);
      kernels::cpu::check_embedding_ids(host_ids.data(), rows, vocab);
    }
  }
  void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t first_id,
                          std::int64_t table_rows, std::int64_t features, float* dtable) const override {
    kernels::cuda::embedding_backward(ids, dy, rows, first_id, table_rows, features, dtable, stream_);
  }
  void causal_softmax_forward(const float* scores, std::int64_t rows, std::int64_t columns,
                              float* probabilities) const override {
    kernels::cuda::causal_softmax_forward(scores, rows, columns, probabilities, stream_);
  }
  void causal_softmax_backward(const float* probabilities, const float* dprobabilities, std::int64_t rows,
                               std::int64_t columns, float* dscores) const override {
    kernels::cuda::causal_softmax_backward(probabilities, dprobabilities, rows, columns, dscores, stream_);
  }
  void dropout_forward(const float* x, float* y, float* mask, std::int64_t count, float p, std::uint64_t seed,
                       std::uint64_t stream, std::uint64_t first_index) const override {
    kernels::cuda::dropout_forward(x, y, mask, count, p, seed, stream, first_index, stream_);
  }
  void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count) const override {
    kernels::cuda::dropout_backward(dy, mask, dx, count, stream_);
  }
  void optimizer_update_many(const kernels::OptimizerStepConfig& config, const kernels::OptimizerTensor* tensors,
                             int tensor_count) const override {
    kernels::cuda::optimizer_update_many(config, tensors, tensor_count, stream_);
  }
  // The host needs the value: the sum lands in a device double, which is copied back after the
  // stream has finished everything queued before it.
  double sum_of_squares_many(const float* const* arrays, const std::int64_t* counts, int array_count) const override {
    auto* sum = static_cast<double*>(kernels::cuda::allocate(device_, sizeof(double), stream_));
    const std::unique_ptr<double, Release> owner(sum, Release{stream_});
    kernels::cuda::sum_of_squares_many(arrays, counts, array_count, sum, stream_);
    double result = 0.0;
    kernels::cuda::copy(&result, sum, sizeof result, stream_);
    kernels::cuda::synchronize(stream_);
    return result;
  }
  void accumulate(float* y, const float* x, std::int64_t count) const override {
    kernels::cuda::accumulate(y, x, count, stream_);
  }
  void scale(float* y, float factor, std::int64_t count) const override {
    kernels::cuda::scale(y, factor, count, stream_);
  }

 private:
  struct Release {
    cudaStream_t stream;
    void operator()(void* memory) const { kernels::cuda::release(memory, stream); }
  };
  int device_;
  cudaStream_t stream_;
};

}  // namespace

const Backend& cuda_backend(int device) {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<CudaBackend>> backends;
  const std::lock_guard lock(mutex);
  const auto index = static_cast<std::size_t>(device);
  if (backends.size() <= index) backends.resize(index + 1);
  if (!backends[index]) backends[index] = std::make_unique<CudaBackend>(device);
  return *backends[index];
}

}  // namespace tern
