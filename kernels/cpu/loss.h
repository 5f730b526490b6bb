// Loss kernels. Each writes the per-row loss (so the caller can sum in a fixed order) and the
// gradient of grad_scale · Σ_rows loss with respect to the network output (grad_scale is
// 1/batch for a mean). Labels are floats: class indices for softmax, 0/1 for binary.
#pragma once

#include <cstdint>

namespace tern::kernels::cpu {

// Softmax cross-entropy over `classes` logits per row:
//   p = softmax(z),  ℓ = -log p[y],  ∂ℓ/∂z = p - onehot(y)
// A row whose label names no class gets loss kInvalidLabelLoss and a zero gradient
// (kernels/common/loss_math.h).
void softmax_cross_entropy(const float* logits, const float* labels, std::int64_t rows,
                           std::int64_t classes, float grad_scale, float* row_loss, float* dlogits);

// Row-wise softmax: probabilities[r, :] = softmax(logits[r, :]).
void softmax(const float* logits, std::int64_t rows, std::int64_t classes, float* probabilities);

// Binary log-likelihood on one logit per row (see loss_math.h).
void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows,
                                      float grad_scale, float* row_loss, float* dlogits);

// Squared error on one prediction per row (see loss_math.h).
void squared_error(const float* predictions, const float* targets, std::int64_t rows,
                   float grad_scale, float* row_loss, float* dpredictions);

}  // namespace tern::kernels::cpu
