// Multi-tensor launches: one kernel for many tensors (optimizer steps, global norms).
//
// A TensorGroup lists up to Capacity tensors and is passed by value as a kernel parameter, as
// PyTorch's multi_tensor_apply does: the launch copies its parameters, so no list is uploaded
// and no staging buffer has to outlive the launch. Kernels take it as a __grid_constant__
// parameter, so reading it by reference makes no per-thread copy. The group's tensors are laid
// end to end in one index space [0, element_count()); a grid-stride loop over that space covers
// every element of every tensor, with the same share for every block whatever the tensors'
// sizes. A list longer than Capacity takes one launch per group.
//
// Kernel parameters were limited to 4 KiB before CUDA 12.1 (and still are on older drivers);
// keeping a launch's parameters under that bounds Capacity, which each use checks with a
// static_assert.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

#include "kernels/cuda/launch.cuh"

namespace tern::kernels::cuda {

constexpr std::size_t kMaxKernelParameterBytes = 4096;

template <typename Tensor, int Capacity>
struct TensorGroup {
  Tensor tensors[Capacity];
  std::int64_t ends[Capacity];  // ends[t] = count_0 + ... + count_t: tensor t holds [ends[t-1], ends[t])
  int tensor_count;

  __host__ __device__ std::int64_t element_count() const { return tensor_count == 0 ? 0 : ends[tensor_count - 1]; }
};

// Splits tensors 0 .. tensor_count-1 into groups of up to Capacity, in list order, leaving out
// empty ones. describe(t) returns {tensor, element count} (a std::pair).
template <typename Tensor, int Capacity, typename Describe>
std::vector<TensorGroup<Tensor, Capacity>> group_tensors(int tensor_count, Describe describe) {
  std::vector<TensorGroup<Tensor, Capacity>> groups;
  for (int t = 0; t < tensor_count; ++t) {
    const auto [tensor, count] = describe(t);
    if (count == 0) continue;
    if (groups.empty() || groups.back().tensor_count == Capacity) groups.push_back({});
    TensorGroup<Tensor, Capacity>& group = groups.back();
    group.ends[group.tensor_count] = group.element_count() + count;
    group.tensors[group.tensor_count] = tensor;
    ++group.tensor_count;
  }
  return groups;
}

// Calls body(tensor, i) for every element i of every tensor in the group, in one grid-stride
// loop over the group's index space. A thread's index only grows, so its tensor t only moves
// forward, and i < element_count() keeps t within the group.
template <typename Tensor, int Capacity, typename Body>
__device__ void for_each_group_element(const TensorGroup<Tensor, Capacity>& group, Body&& body) {
  int t = 0;
  for (std::int64_t i = grid_thread_index(); i < group.element_count(); i += grid_thread_count()) {
    while (i >= group.ends[t]) ++t;
    body(group.tensors[t], i - (t == 0 ? 0 : group.ends[t - 1]));
  }
}

}  // namespace tern::kernels::cuda
