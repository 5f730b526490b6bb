// Element-wise CUDA kernels: the same names and the same element math (common/*_math.h) as
// kernels/cpu/elementwise.cpp. The rest of the CUDA backend (device tensors, cuBLAS GEMM,
// NCCL) builds on this file.
#include <cstdint>

#include "kernels/common/activation_math.h"
#include "kernels/cuda/check.cuh"

namespace tern::kernels::cuda {

namespace {
constexpr int kThreadsPerBlock = 256;

int blocks_for(std::int64_t count) {
  return static_cast<int>((count + kThreadsPerBlock - 1) / kThreadsPerBlock);
}

template <Activation Kind>
__global__ void activation_forward_kernel(const float* x, float* y, std::int64_t count) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) y[i] = kernels::activation_forward<Kind>(x[i]);
}

template <Activation Kind>
__global__ void activation_backward_kernel(const float* x, const float* y, const float* dy, float* dx,
                                           std::int64_t count) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) dx[i] = kernels::activation_backward<Kind>(x[i], y[i], dy[i]);
}
}  // namespace

// y[i] = f(x[i]) on device memory, queued on `stream`.
void activation_forward(Activation kind, const float* x, float* y, std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  dispatch_activation(kind, [&](auto kind_constant) {
    activation_forward_kernel<kind_constant()><<<blocks_for(count), kThreadsPerBlock, 0, stream>>>(x, y, count);
  });
  TERN_CUDA_CHECK(cudaGetLastError());
}

// dx[i] = f'(x[i]) · dy[i] on device memory, queued on `stream`.
void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                         std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  dispatch_activation(kind, [&](auto kind_constant) {
    activation_backward_kernel<kind_constant()><<<blocks_for(count), kThreadsPerBlock, 0, stream>>>(x, y, dy, dx, count);
  });
  TERN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace tern::kernels::cuda
