// Inverted dropout with a counter-based mask: element i of a call is kept when
// philox_uniform(seed, first_index + i, stream) >= p, and kept values are scaled by 1/(1-p),
// so evaluation needs no rescaling. The mask is a pure function of (seed, stream, element
// index), so it is the same on every thread count, rank layout and device.
#pragma once

#include <cstdint>

namespace tern::kernels::cpu {

// y = x · mask / (1-p); mask_out receives the per-element multiplier (0 or 1/(1-p)).
void dropout_forward(const float* x, float* y, float* mask_out, std::int64_t count, float p,
                     std::uint64_t seed, std::uint64_t stream, std::uint64_t first_index);
// dx = dy · mask
void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count);

}  // namespace tern::kernels::cpu
