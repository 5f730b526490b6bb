// Element math of inverted dropout, shared by the CPU and CUDA kernels so that both draw the
// same mask bit for bit: element `index` is kept when philox_uniform(seed, index, stream) >= p,
// and a kept element is scaled by 1/(1-p), so evaluation needs no rescaling.
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"
#include "kernels/common/philox.h"

namespace tern::kernels {

// The multiplier of a kept element, 1/(1-p); computed once per call, outside the element loop.
TERN_HOST_DEVICE float dropout_keep_scale(float p) { return 1.0f / (1.0f - p); }

// The mask value of element `index` of a stream: keep_scale if kept, else 0.
TERN_HOST_DEVICE float dropout_mask(std::uint64_t seed, std::uint64_t index, std::uint64_t stream, float p,
                                    float keep_scale) {
  return philox_uniform(seed, index, stream) >= p ? keep_scale : 0.0f;
}

}  // namespace tern::kernels
