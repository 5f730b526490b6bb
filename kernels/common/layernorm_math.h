// Element math of layer normalisation, shared by the CPU and CUDA kernels. Over one row x of C
// features (Ba, Kiros & Hinton; biased variance, as PyTorch's nn.LayerNorm):
//   μ = Σ x / C,   σ² = Σ (x - μ)² / C,   rstd = 1 / √(σ² + ε),   x̂ = (x - μ) · rstd
//   y = x̂ · γ + β
// The row sums themselves are the backends' business; both accumulate them in double, so they
// agree to float rounding whatever order they add in.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/common/host_device.h"

namespace tern::kernels {

// The mean of a row of `features` values from their sum (μ, and the means of the backward).
TERN_HOST_DEVICE float layernorm_row_mean(double sum, std::int64_t features) {
  return static_cast<float>(sum / static_cast<double>(features));
}

// rstd = 1 / √(σ² + ε) from Σ (x - μ)² over a row of `features` values.
TERN_HOST_DEVICE float layernorm_rstd(double sum_of_squared_deviations, std::int64_t features, float epsilon) {
  return static_cast<float>(1.0 / sqrt(sum_of_squared_deviations / static_cast<double>(features) + epsilon));
}

// x̂ = (x - μ) · rstd
TERN_HOST_DEVICE float layernorm_normalize(float x, float mean, float rstd) { return (x - mean) * rstd; }

// y = x̂ · γ + β
TERN_HOST_DEVICE float layernorm_output(float x, float mean, float rstd, float gamma, float beta) {
  return layernorm_normalize(x, mean, rstd) * gamma + beta;
}

// Backward (as in llm.c's layernorm_backward), given dy and the saved μ, rstd of the row:
//   dβ += dy,  dγ += dy · x̂,  dx = rstd · (dy·γ - mean(dy·γ) - x̂ · mean(dy·γ·x̂))
// where the means run over the row's features; this is dx for one element.
TERN_HOST_DEVICE float layernorm_input_gradient(float dy_gamma, float x_hat, float rstd, float mean_dy_gamma,
                                                float mean_dy_gamma_x_hat) {
  return rstd * (dy_gamma - mean_dy_gamma - x_hat * mean_dy_gamma_x_hat);
}

}  // namespace tern::kernels
