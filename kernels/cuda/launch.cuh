// Launch shapes of the CUDA kernels and the grid-stride loop of the element-wise ones.
//
// Grids are capped at kMaxBlocks and every kernel strides over its work with 64-bit indices, so
// any count fits a launch (gridDim.x has limits, and counts can pass 2³¹); 4096 blocks of 256
// threads still fill the largest current GPU several times over.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "kernels/cuda/check.cuh"

namespace tern::kernels::cuda {

constexpr int kThreadsPerBlock = 256;
constexpr std::int64_t kMaxBlocks = 4096;

// Blocks for `work_items` items of which one block takes `items_per_block` per pass.
inline int grid_blocks(std::int64_t work_items, std::int64_t items_per_block) {
  return static_cast<int>(std::min((work_items + items_per_block - 1) / items_per_block, kMaxBlocks));
}

// The index of this thread in the grid, and the number of threads in the grid: the start and
// the step of a grid-stride loop.
__device__ inline std::int64_t grid_thread_index() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ inline std::int64_t grid_thread_count() { return static_cast<std::int64_t>(gridDim.x) * blockDim.x; }

template <typename ElementOp>
__global__ void for_each_element_kernel(ElementOp op, std::int64_t count) {
  for (std::int64_t i = grid_thread_index(); i < count; i += grid_thread_count()) op(i);
}

// Calls op(i) on the device for every i in [0, count), queued on `stream`; nothing for count 0.
// op is a struct of device pointers with a __device__ operator()(std::int64_t).
template <typename ElementOp>
void for_each_element(const ElementOp& op, std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  for_each_element_kernel<<<grid_blocks(count, kThreadsPerBlock), kThreadsPerBlock, 0, stream>>>(op, count);
  TERN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace tern::kernels::cuda
