// Backend: the arithmetic of layers, optimizers and gradient clipping behind one interface,
// with the CPU (kernels/cpu) and CUDA (kernels/cuda) implementations side by side, as Horovod
// puts its MPI and NCCL operations behind one. A layer asks for the backend of its tensors'
// device and hands it pointers into their memory (Tensor::device_data); it never names a
// device itself. The CUDA backend queues everything on the device's compute stream, so work
// runs in the order it was asked for; only results the host must read (a sum of squares)
// wait for it.
#pragma once

#include <cstdint>

#include "core/tensor/device.h"
#include "kernels/common/activation_math.h"
#include "kernels/common/half_precision.h"
#include "kernels/common/optimizer_math.h"
#include "kernels/common/transpose.h"

namespace tern {

using kernels::Activation;
using kernels::HalfFormat;
using kernels::Transpose;

class Backend {
 public:
  virtual ~Backend() = default;

  // C = α op(A) op(B) + β C, row-major; op(A) is m×k, op(B) k×n, C m×n.
  virtual void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
                    float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
                    float* c, std::int64_t ldc) const = 0;
  // The same with A and B in a 16-bit format (raw bits), accumulated in f32 (mixed precision).
  virtual void gemm_half(HalfFormat format, Transpose transpose_a, Transpose transpose_b, std::int64_t m,
                         std::int64_t n, std::int64_t k, float alpha, const std::uint16_t* a, std::int64_t lda,
                         const std::uint16_t* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc) const = 0;
  // bits[i] = x[i] rounded to the 16-bit format (to nearest, ties to even).
  virtual void to_half(HalfFormat format, const float* x, std::uint16_t* bits, std::int64_t count) const = 0;
  // y[r, c] = f(y[r, c] + bias[c]) for a rows × cols matrix.
  virtual void bias_activation_forward(Activation kind, float* y, const float* bias, std::int64_t rows,
                                       std::int64_t cols) const = 0;
  // y = f(x);  dx = f'(x) · dy
  virtual void activation_forward(Activation kind, const float* x, float* y, std::int64_t count) const = 0;
  virtual void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                                   std::int64_t count) const = 0;
  // sums[c] += Σ_r x[r, c]
  virtual void accumulate_column_sums(const float* x, float* sums, std::int64_t rows, std::int64_t cols) const = 0;
  // Losses: the per-row loss and the gradient of grad_scale · Σ_rows loss (kernels/cpu/loss.h).
  virtual void softmax_cross_entropy(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                                     float grad_scale, float* row_loss, float* dlogits) const = 0;
  virtual void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows,
                                                float grad_scale, float* row_loss, float* dlogits) const = 0;
  virtual void squared_error(const float* predictions, const float* targets, std::int64_t rows, float grad_scale,
                             float* row_loss, float* dpredictions) const = 0;
  // Vocabulary-parallel softmax cross-entropy (Megatron-LM; kernels/cpu/loss.h): this
  // tensor-parallel rank holds the logits columns [first_class, first_class + classes) of every
  // row; the caller allreduces row_max (max) and sum_exp, target_logit (sum) over the
  // tensor-parallel group between the passes, so the full logits are never gathered. With the
  // global row_max and sum_exp the row loss is log(sum_exp) + row_max - target_logit.
  // row_max[r] = max_c logits[r, c]
  virtual void row_max(const float* logits, std::int64_t rows, std::int64_t classes, float* row_max) const = 0;
  // sum_exp[r] = Σ_c exp(logits[r, c] - row_max[r]);  target_logit[r] = logits[r, labels[r] - first_class] when the
  // label falls in this shard's columns, else 0. Labels are class indices stored as floats.
  virtual void softmax_partial_sums(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                                    std::int64_t first_class, const float* row_max, float* sum_exp,
                                    float* target_logit) const = 0;
  // dlogits[r, c] = grad_scale · (exp(logits[r, c] - row_max[r]) / sum_exp[r] - [c + first_class == labels[r]])
  virtual void softmax_cross_entropy_shard_gradient(const float* logits, const float* labels, std::int64_t rows,
                                                    std::int64_t classes, std::int64_t first_class,
                                                    const float* row_max, const float* sum_exp, float grad_scale,
                                                    float* dlogits) const = 0;
  // Layer normalisation of rows (kernels/cpu/layernorm.h): the forward saves mean and rstd per
  // row; the backward overwrites dx and accumulates dγ, dβ.
  virtual void layernorm_forward(const float* x, const float* gamma, const float* beta, std::int64_t rows,
                                 std::int64_t features, float epsilon, float* y, float* mean, float* rstd) const = 0;
  virtual void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean,
                                  const float* rstd, std::int64_t rows, std::int64_t features, float* dx,
                                  float* dgamma, float* dbeta) const = 0;
  // The table holds rows [first_id, first_id + table_rows) of a vocabulary of `vocab` ids (all of
  // it: first_id = 0, table_rows = vocab; a shard: vocabulary-parallel, kernels/cpu/embedding.h).
  // y[r, :] = table[ids[r] - first_id, :] when first_id ≤ ids[r] < first_id + table_rows, else 0
  // (another tensor-parallel rank holds that row); dtable[ids[r] - first_id, :] += dy[r, :] for the
  // same r. An id outside [0, vocab) throws std::out_of_range naming it and its row.
  virtual void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t first_id,
                                 std::int64_t table_rows, std::int64_t vocab, std::int64_t features,
                                 float* y) const = 0;
  virtual void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t first_id,
                                  std::int64_t table_rows, std::int64_t features, float* dtable) const = 0;
  // The causal softmax of attention scores and its backward (kernels/cpu/attention.h).
  virtual void causal_softmax_forward(const float* scores, std::int64_t rows, std::int64_t columns,
                                      float* probabilities) const = 0;
  virtual void causal_softmax_backward(const float* probabilities, const float* dprobabilities, std::int64_t rows,
                                       std::int64_t columns, float* dscores) const = 0;
  // Inverted dropout with the Philox mask of (seed, stream, first_index + i); see kernels/cpu/dropout.h.
  virtual void dropout_forward(const float* x, float* y, float* mask, std::int64_t count, float p, std::uint64_t seed,
                               std::uint64_t stream, std::uint64_t first_index) const = 0;
  virtual void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count) const = 0;
  // One optimizer step over every listed tensor (one launch on the GPU).
  virtual void optimizer_update_many(const kernels::OptimizerStepConfig& config,
                                     const kernels::OptimizerTensor* tensors, int tensor_count) const = 0;
  // Σ over the arrays of x², in double, in an order fixed by the sizes alone.
  virtual double sum_of_squares_many(const float* const* arrays, const std::int64_t* counts,
                                     int array_count) const = 0;
  // y *= factor
  virtual void scale(float* y, float factor, std::int64_t count) const = 0;
  // y += x
  virtual void accumulate(float* y, const float* x, std::int64_t count) const = 0;
};

// The backend that computes on `device`; throws for a CUDA device in a build without CUDA.
const Backend& backend_for(const Device& device);

}  // namespace tern
