// Conversions between f32 and the 16-bit formats of mixed precision on the GPU, the twins of
// kernels/cpu/half_precision.h: CUDA's round-to-nearest-even conversions, which give the same
// bits as the CPU's (checked bit for bit by a GPU test). Pointers are device memory; the work
// is queued on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/half_precision.h"

namespace tern::kernels::cuda {

// bits[i] = x[i] rounded to `format`
void to_half(HalfFormat format, const float* x, std::uint16_t* bits, std::int64_t count, cudaStream_t stream);
// x[i] = the value of bits[i]
void from_half(HalfFormat format, const std::uint16_t* bits, float* x, std::int64_t count, cudaStream_t stream);

}  // namespace tern::kernels::cuda
