// Loss CUDA kernels: the namesakes of kernels/cpu/loss.h, with the same element math
// (common/loss_math.h). Each writes the per-row loss and the gradient of
// grad_scale · Σ_rows loss. All pointers are device memory; each call queues its work on
// `stream` and returns without synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tern::kernels::cuda {

// Softmax cross-entropy over `classes` logits per row (one warp per row):
//   p = softmax(z),  ℓ = -log p[y],  ∂ℓ/∂z = p - onehot(y)
// A row whose label names no class gets loss kInvalidLabelLoss and a zero gradient.
void softmax_cross_entropy(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                           float grad_scale, float* row_loss, float* dlogits, cudaStream_t stream);

// Vocabulary-parallel softmax cross-entropy (Megatron-LM), one warp per row: this rank holds the
// logits columns [first_class, first_class + classes) of every row, and the caller allreduces
// row_max (max) and sum_exp, target_logit (sum) between the passes (kernels/cpu/loss.h).
//   row_max[r]      = max_c z[r, c]
//   sum_exp[r]      = Σ_c e^(z[r, c] - row_max[r])
//   target_logit[r] = z[r, y_r - first_class] when this shard holds y_r, else 0
//   dlogits[r, c]   = grad_scale · (e^(z[r, c] - row_max[r]) / sum_exp[r] - [c + first_class = y_r])
void row_max(const float* logits, std::int64_t rows, std::int64_t classes, float* row_max, cudaStream_t stream);
void softmax_partial_sums(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                          std::int64_t first_class, const float* row_max, float* sum_exp, float* target_logit,
                          cudaStream_t stream);
void softmax_cross_entropy_shard_gradient(const float* logits, const float* labels, std::int64_t rows,
                                          std::int64_t classes, std::int64_t first_class, const float* row_max,
                                          const float* sum_exp, float grad_scale, float* dlogits,
                                          cudaStream_t stream);

// Row-wise softmax: probabilities[r, :] = softmax(logits[r, :]) (one warp per row).
void softmax(const float* logits, std::int64_t rows, std::int64_t classes, float* probabilities, cudaStream_t stream);

// Binary log-likelihood on one logit per row (see loss_math.h).
void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows, float grad_scale,
                                      float* row_loss, float* dlogits, cudaStream_t stream);

// Squared error on one prediction per row (see loss_math.h).
void squared_error(const float* predictions, const float* targets, std::int64_t rows, float grad_scale,
                   float* row_loss, float* dpredictions, cudaStream_t stream);

}  // namespace tern::kernels::cuda
