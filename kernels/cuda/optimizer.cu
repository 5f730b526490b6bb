// Optimizer steps (see optimizer.h): one multi-tensor kernel per optimizer kind, launched once
// per group of tensors; every element is independent, so any grid gives the CPU's result.
#include "kernels/cuda/optimizer.h"

#include <utility>

#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/tensor_group.cuh"

namespace tern::kernels::cuda {

namespace {
constexpr int kTensorsPerLaunch = 48;
using OptimizerGroup = TensorGroup<OptimizerTensor, kTensorsPerLaunch>;
static_assert(sizeof(OptimizerStepConfig) + sizeof(OptimizerGroup) <= kMaxKernelParameterBytes,
              "an optimizer launch's parameters must fit in 4 KiB");

template <OptimizerKind Kind>
__global__ void optimizer_update_kernel(const __grid_constant__ OptimizerStepConfig config,
                                        const __grid_constant__ OptimizerGroup group) {
  for_each_group_element(group, [&](const OptimizerTensor& tensor, std::int64_t i) {
    optimizer_update_element<Kind>(config, tensor.weights[i], tensor.grads[i], tensor.state_1[i], tensor.state_2[i]);
  });
}
}  // namespace

void optimizer_update(const OptimizerStepConfig& config, float* weights, const float* grads, float* state_1,
                      float* state_2, std::int64_t count, cudaStream_t stream) {
  const OptimizerTensor tensor{weights, grads, state_1, state_2, count};
  optimizer_update_many(config, &tensor, 1, stream);
}

void optimizer_update_many(const OptimizerStepConfig& config, const OptimizerTensor* tensors, int tensor_count,
                           cudaStream_t stream) {
  const auto groups = group_tensors<OptimizerTensor, kTensorsPerLaunch>(tensor_count, [&](int t) {
    return std::pair{tensors[t], tensors[t].count};
  });
  dispatch_optimizer(config.kind, [&](auto kind_constant) {
    for (const OptimizerGroup& group : groups) {
      optimizer_update_kernel<kind_constant()>
          <<<grid_blocks(group.element_count(), kThreadsPerBlock), kThreadsPerBlock, 0, stream>>>(config, group);
      TERN_CUDA_CHECK(cudaGetLastError());
    }
  });
}

}  // namespace tern::kernels::cuda
