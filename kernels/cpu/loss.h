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

// Vocabulary-parallel softmax cross-entropy (Megatron-LM): this tensor-parallel rank holds the
// logits columns [first_class, first_class + classes) of every row, and the caller allreduces
// row_max (max) and sum_exp, target_logit (sum) over the tensor-parallel group between the
// passes, so the full logits are never gathered. With the global m and s the row loss is
// ℓ = log s + m - z_y (kernels::log_sum_exp). A label that names a class of no shard gives a
// target_logit of 0 on every rank and no -1 in the gradient: the caller checks the labels.
//   row_max[r]      = max_c z[r, c]
//   sum_exp[r]      = Σ_c e^(z[r, c] - row_max[r])
//   target_logit[r] = z[r, y_r - first_class] when this shard holds y_r, else 0
//   dlogits[r, c]   = grad_scale · (e^(z[r, c] - row_max[r]) / sum_exp[r] - [c + first_class = y_r])
void row_max(const float* logits, std::int64_t rows, std::int64_t classes, float* row_max);
void softmax_partial_sums(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                          std::int64_t first_class, const float* row_max, float* sum_exp, float* target_logit);
void softmax_cross_entropy_shard_gradient(const float* logits, const float* labels, std::int64_t rows,
                                          std::int64_t classes, std::int64_t first_class, const float* row_max,
                                          const float* sum_exp, float grad_scale, float* dlogits);

// Row-wise softmax: probabilities[r, :] = softmax(logits[r, :]).
void softmax(const float* logits, std::int64_t rows, std::int64_t classes, float* probabilities);

// Binary log-likelihood on one logit per row (see loss_math.h).
void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows,
                                      float grad_scale, float* row_loss, float* dlogits);

// Squared error on one prediction per row (see loss_math.h).
void squared_error(const float* predictions, const float* targets, std::int64_t rows,
                   float grad_scale, float* row_loss, float* dpredictions);

}  // namespace tern::kernels::cpu
