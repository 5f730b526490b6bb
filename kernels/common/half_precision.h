// The two 16-bit float formats of mixed precision, shared by the CPU and CUDA kernels. Values
// travel as their raw bits (std::uint16_t), so one pointer type serves both formats and both
// devices.
//   bf16: 1 sign, 8 exponent, 7 fraction bits: f32's range (to 3.4e38), 2-3 decimal digits.
//   f16:  1 sign, 5 exponent, 10 fraction bits: largest 65504, smallest normal 6.1e-5
//         (subnormals to 6e-8), 3-4 decimal digits; small gradients underflow without loss
//         scaling (core/optim/loss_scaler.h).
// Rounding from f32 is to nearest, ties to even; f32 values beyond the largest f16 become ±inf.
#pragma once

#include <cstdint>

namespace tern::kernels {

enum class HalfFormat : std::uint8_t { bf16, f16 };

}  // namespace tern::kernels
