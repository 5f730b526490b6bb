// TERN_HOST_DEVICE marks element math that both the CPU kernels (plain C++) and the CUDA
// kernels (nvcc) compile, so the CPU tests cover the arithmetic the GPU runs.
#pragma once

#if defined(__CUDACC__)
#define TERN_HOST_DEVICE __host__ __device__ inline
#else
#define TERN_HOST_DEVICE inline
#endif
