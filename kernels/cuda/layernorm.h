// Layer normalisation on the GPU: the namesakes of kernels/cpu/layernorm.h, with the same
// element math (common/layernorm_math.h). The forward saves μ and rstd per row; the backward
// overwrites dx (which must not alias dy or x) and accumulates dγ, dβ (+=).
//
// One warp per row for the forward and for dx; row sums in double, combined across the lanes by
// butterfly shuffles (cuda/warp.cuh). dγ and dβ are column sums over the rows, taken without
// atomics so they are the same on every run: the rows are cut into chunks whose number is fixed
// by the sizes, one thread per (column, chunk) sums its chunk in double in row order, and a
// second pass adds the chunks in order. All pointers are device memory; each call queues its
// work on `stream` and returns without synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tern::kernels::cuda {

void layernorm_forward(const float* x, const float* gamma, const float* beta, std::int64_t rows, std::int64_t features,
                       float epsilon, float* y, float* mean, float* rstd, cudaStream_t stream);

void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                        std::int64_t rows, std::int64_t features, float* dx, float* dgamma, float* dbeta,
                        cudaStream_t stream);

}  // namespace tern::kernels::cuda
