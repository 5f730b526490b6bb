// Inverted dropout on the GPU: the namesakes of kernels/cpu/dropout.h. The mask comes from the
// same Philox counter (seed, stream, first_index + i) and the same element math
// (common/dropout_math.h), so it is bit-identical to the CPU's for the same arguments. All
// pointers are device memory; each call queues its work on `stream` and returns without
// synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tern::kernels::cuda {

// y = x · mask / (1-p); mask_out receives the per-element multiplier (0 or 1/(1-p)).
void dropout_forward(const float* x, float* y, float* mask_out, std::int64_t count, float p, std::uint64_t seed,
                     std::uint64_t stream, std::uint64_t first_index, cudaStream_t cuda_stream);
// dx = dy · mask
void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count, cudaStream_t cuda_stream);

}  // namespace tern::kernels::cuda
