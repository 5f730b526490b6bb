// Layer normalisation over rows of `features` values (math in common/layernorm_math.h):
//   y = (x - μ) · rstd · γ + β,   rstd = 1 / √(σ² + ε),   σ² biased (as PyTorch)
// The forward saves μ and rstd per row for the backward. The backward overwrites dx (the
// input's gradient has no other contributor here) and accumulates dγ, dβ (+=, like every
// parameter gradient, so micro-batches add up); dx must not alias dy or x, which the dγ, dβ
// pass reads after dx is written. Row and column sums are taken in double; rows
// run in parallel, and the column sums of dγ, dβ add the rows in order (thread_band.h), so
// results do not depend on the thread count.
#pragma once

#include <cstdint>

namespace tern::kernels::cpu {

// y[r, :] = LayerNorm(x[r, :]; γ, β); mean[r] = μ, rstd[r] = 1 / √(σ² + ε).
void layernorm_forward(const float* x, const float* gamma, const float* beta, std::int64_t rows, std::int64_t features,
                       float epsilon, float* y, float* mean, float* rstd);

// dx = rstd · (dy·γ - mean(dy·γ) - x̂ · mean(dy·γ·x̂))   (overwrites)
// dγ += Σ_rows dy · x̂,   dβ += Σ_rows dy               (accumulate)
void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                        std::int64_t rows, std::int64_t features, float* dx, float* dgamma, float* dbeta);

}  // namespace tern::kernels::cpu
