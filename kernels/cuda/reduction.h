// Reductions over several arrays on the GPU: the namesake of kernels/cpu/reduction.h.
//
// sum_of_squares_many writes Σ_a Σ_i arrays[a][i]² (the squared global L2 norm) to the device
// double *result. It is deterministic: the arrays are walked in groups (one launch per 128
// arrays, cuda/tensor_group.cuh) by a number of blocks fixed by the sizes alone; each block
// sums its share in double and writes one partial, and a second pass adds the partials in a
// fixed order. The same inputs give the same bits on every run; against the CPU, which adds in
// another fixed order, the result agrees to double rounding.
//
// `arrays` and `counts` are host memory (the list); the arrays themselves and `result` are
// device memory. Queued on `stream`, without synchronizing; scratch memory comes from the
// stream-ordered pool.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tern::kernels::cuda {

void sum_of_squares_many(const float* const* arrays, const std::int64_t* counts, int array_count, double* result,
                         cudaStream_t stream);

}  // namespace tern::kernels::cuda
