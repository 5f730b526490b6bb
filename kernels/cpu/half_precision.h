// Conversions between f32 and the 16-bit formats of mixed precision (kernels/common/
// half_precision.h) on the CPU, through Eigen's bfloat16 and half types. The CUDA twins
// (kernels/cuda/half_precision.h) use CUDA's own conversions; a GPU test checks that both
// give the same bits for every input.
#pragma once

#include <cstdint>

#include "kernels/common/half_precision.h"

namespace tern::kernels::cpu {

// bits[i] = x[i] rounded to `format` (to nearest, ties to even)
void to_half(HalfFormat format, const float* x, std::uint16_t* bits, std::int64_t count);
// x[i] = the value of bits[i] (exact: every 16-bit value is an f32 value)
void from_half(HalfFormat format, const std::uint16_t* bits, float* x, std::int64_t count);

}  // namespace tern::kernels::cpu
