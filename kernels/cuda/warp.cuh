// Warp-level building blocks of the row-wise CUDA kernels (softmax, LayerNorm): one warp per
// row, its 32 lanes striding over the row's columns, and sums across the lanes by butterfly
// shuffles. Each butterfly step adds the same two numbers in both lanes of a pair, so every lane
// ends with the same sum, bit for bit, and a row's sum depends on its length alone.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/cuda/launch.cuh"

namespace tern::kernels::cuda {

constexpr int kWarpSize = 32;
constexpr int kWarpsPerBlock = kThreadsPerBlock / kWarpSize;
constexpr unsigned kFullWarp = 0xFFFFFFFFu;

// Σ of value over the 32 lanes of a warp, returned to every lane; all lanes must call it.
template <typename T>
__device__ T warp_sum(T value) {
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2) value += __shfl_xor_sync(kFullWarp, value, offset);
  return value;
}

// max of value over the 32 lanes of a warp, returned to every lane; all lanes must call it.
__device__ inline float warp_max(float value) {
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2) value = fmaxf(value, __shfl_xor_sync(kFullWarp, value, offset));
  return value;
}

// Calls op(row, lane) in every lane of one warp per row, for every row in [0, rows). The row
// loop is the same for all lanes of a warp, as the shuffles require.
template <typename RowOp>
__global__ void for_each_row_kernel(RowOp op, std::int64_t rows) {
  const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
  for (std::int64_t row = grid_thread_index() / kWarpSize; row < rows; row += grid_thread_count() / kWarpSize) {
    op(row, lane);
  }
}

// Queues for_each_row_kernel on `stream`; nothing for 0 rows. op is a struct of device
// pointers with a __device__ operator()(std::int64_t row, int lane).
template <typename RowOp>
void for_each_row(const RowOp& op, std::int64_t rows, cudaStream_t stream) {
  if (rows == 0) return;
  for_each_row_kernel<<<grid_blocks(rows, kWarpsPerBlock), kThreadsPerBlock, 0, stream>>>(op, rows);
  TERN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace tern::kernels::cuda
