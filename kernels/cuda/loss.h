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

// Row-wise softmax: probabilities[r, :] = softmax(logits[r, :]) (one warp per row).
void softmax(const float* logits, std::int64_t rows, std::int64_t classes, float* probabilities, cudaStream_t stream);

// Binary log-likelihood on one logit per row (see loss_math.h).
void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows, float grad_scale,
                                      float* row_loss, float* dlogits, cudaStream_t stream);

// Squared error on one prediction per row (see loss_math.h).
void squared_error(const float* predictions, const float* targets, std::int64_t rows, float grad_scale,
                   float* row_loss, float* dpredictions, cudaStream_t stream);

}  // namespace tern::kernels::cuda
