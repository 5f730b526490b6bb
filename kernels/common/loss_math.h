// Element math of the losses, shared by the CPU and CUDA kernels. z is a logit, p a
// prediction, y a target.
#pragma once

#include <cmath>

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
