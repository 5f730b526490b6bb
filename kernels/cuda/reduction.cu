// Global sums of squares (see reduction.h): pass 1 gives every block of every group's launch
// one double partial, pass 2 adds the partials in one block in a fixed order.
#include "kernels/cuda/reduction.h"

#include <utility>
#include <vector>

#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/tensor_group.cuh"
#include "kernels/cuda/warp.cuh"

namespace tern::kernels::cuda {

namespace {
constexpr int kArraysPerLaunch = 128;
using ArrayGroup = TensorGroup<const float*, kArraysPerLaunch>;
static_assert(sizeof(ArrayGroup) + sizeof(double*) <= kMaxKernelParameterBytes,
              "a reduction launch's parameters must fit in 4 KiB");

// Σ of every thread's value over a block of kThreadsPerBlock threads: each warp by shuffles,
// then thread 0 adds the warp sums in warp order. The total is returned to thread 0 only; call
// once per kernel (the shared array is not reused safely).
__device__ double block_sum(double value) {
  __shared__ double warp_sums[kWarpsPerBlock];
  value = warp_sum(value);
  if (threadIdx.x % kWarpSize == 0) warp_sums[threadIdx.x / kWarpSize] = value;
  __syncthreads();
  double total = 0.0;
  if (threadIdx.x == 0) {
    for (int warp = 0; warp < kWarpsPerBlock; ++warp) total += warp_sums[warp];
  }
  return total;
}

// Pass 1: block b writes the sum of the squares of its grid-stride share of the group to
// block_sums[b].
__global__ void group_block_sums_of_squares_kernel(const __grid_constant__ ArrayGroup group, double* block_sums) {
  double sum = 0.0;
  for_each_group_element(group, [&](const float* array, std::int64_t i) {
    const double value = array[i];
    sum += value * value;
  });
  const double block_total = block_sum(sum);
  if (threadIdx.x == 0) block_sums[blockIdx.x] = block_total;
}

// Pass 2, one block: thread k adds values k, k + blockDim.x, ...; then block_sum adds the threads.
__global__ void sum_in_fixed_order_kernel(const double* values, std::int64_t count, double* result) {
  double sum = 0.0;
  for (std::int64_t i = threadIdx.x; i < count; i += blockDim.x) sum += values[i];
  const double total = block_sum(sum);
  if (threadIdx.x == 0) *result = total;
}
}  // namespace

void sum_of_squares_many(const float* const* arrays, const std::int64_t* counts, int array_count, double* result,
                         cudaStream_t stream) {
  const auto groups = group_tensors<const float*, kArraysPerLaunch>(array_count, [&](int a) {
    return std::pair{arrays[a], counts[a]};
  });
  if (groups.empty()) {
    TERN_CUDA_CHECK(cudaMemsetAsync(result, 0, sizeof(double), stream));  // all-zero bytes are 0.0
    return;
  }
  // Blocks per group are a function of the sizes alone: a fixed partition, hence a fixed order.
  std::vector<int> group_blocks;
  std::int64_t total_blocks = 0;
  for (const ArrayGroup& group : groups) {
    group_blocks.push_back(grid_blocks(group.element_count(), kThreadsPerBlock));
    total_blocks += group_blocks.back();
  }
  void* block_sums = nullptr;
  TERN_CUDA_CHECK(cudaMallocAsync(&block_sums, static_cast<std::size_t>(total_blocks) * sizeof(double), stream));
  double* next_block_sums = static_cast<double*>(block_sums);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    group_block_sums_of_squares_kernel<<<group_blocks[g], kThreadsPerBlock, 0, stream>>>(groups[g], next_block_sums);
    TERN_CUDA_CHECK(cudaGetLastError());
    next_block_sums += group_blocks[g];
  }
  sum_in_fixed_order_kernel<<<1, kThreadsPerBlock, 0, stream>>>(static_cast<double*>(block_sums), total_blocks, result);
  TERN_CUDA_CHECK(cudaGetLastError());
  TERN_CUDA_CHECK(cudaFreeAsync(block_sums, stream));
}

}  // namespace tern::kernels::cuda
