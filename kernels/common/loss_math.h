// Element math of the losses, shared by the CPU and CUDA kernels. z is a logit, p a
// prediction, y a target.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/common/activation_math.h"
#include "kernels/common/host_device.h"

namespace tern::kernels {

// Softmax cross-entropy of one row, in the stable form: with m = max_c z_c and
// s = Σ_c e^(z_c - m),  p_c = e^(z_c - m) / s,  log Σ e^z = m + log s,
// ℓ = -log p_y = log Σ e^z - z_y,  ∂ℓ/∂z_c = p_c - [c = y]
TERN_HOST_DEVICE float log_sum_exp(float max_logit, float shifted_exp_sum) { return max_logit + logf(shifted_exp_sum); }
TERN_HOST_DEVICE float softmax_cross_entropy_grad(float probability, bool is_target) {
  return is_target ? probability - 1.0f : probability;
}
// A logit's term of s, and its probability from m and 1/s:  e^(z_c - m),  p_c = e^(z_c - m) · (1/s)
TERN_HOST_DEVICE float shifted_exp(float logit, float max_logit) { return expf(logit - max_logit); }
TERN_HOST_DEVICE float softmax_probability(float logit, float max_logit, float inverse_sum) {
  return shifted_exp(logit, max_logit) * inverse_sum;
}

// A label names a class when it lies in [0, classes) (its integer part is the class; NaN is
// none). For a row whose label names none, the kernels write kInvalidLabelLoss as its loss (a
// cross-entropy is never negative) and a zero gradient, and read no logit at the label, so the
// caller can report the row after the fact instead of checking every label before it.
inline constexpr float kInvalidLabelLoss = -1.0f;
TERN_HOST_DEVICE bool names_a_class(float label, std::int64_t classes) {
  return label >= 0.0f && label < static_cast<float>(classes);
}

// Vocabulary-parallel softmax cross-entropy (Megatron-LM): a tensor-parallel rank holds the
// columns [first_class, first_class + classes) of every row. The column of this shard that holds
// the label's class, or -1 when another shard holds it or the label names no class (no column
// c ≥ 0 equals it, so [c + first_class = y] is c == label_column).
TERN_HOST_DEVICE std::int64_t label_column(float label, std::int64_t first_class, std::int64_t classes) {
  return names_a_class(label - static_cast<float>(first_class), classes)
             ? static_cast<std::int64_t>(label) - first_class
             : -1;
}

// Binary log-likelihood on a logit: ℓ = -[y log σ(z) + (1-y) log(1-σ(z))]
//                                     = max(z, 0) - z y + log(1 + e^-|z|)   (stable form)
// ∂ℓ/∂z = σ(z) - y
TERN_HOST_DEVICE float binary_cross_entropy_with_logit(float z, float y) {
  return fmaxf(z, 0.0f) - z * y + log1pf(expf(-fabsf(z)));
}
TERN_HOST_DEVICE float binary_cross_entropy_with_logit_grad(float z, float y) { return sigmoid(z) - y; }

// Squared error: ℓ = (p - y)²,  ∂ℓ/∂p = 2 (p - y)
TERN_HOST_DEVICE float squared_error(float p, float y) { return (p - y) * (p - y); }
TERN_HOST_DEVICE float squared_error_grad(float p, float y) { return 2.0f * (p - y); }

}  // namespace tern::kernels
