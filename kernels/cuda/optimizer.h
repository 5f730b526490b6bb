// Optimizer steps on the GPU: the namesakes of kernels/cpu/optimizer.h, with the same element
// math (common/optimizer_math.h), so the CPU tests cover the arithmetic.
//
// optimizer_update_many steps a list of tensors with one launch per 48 tensors: the list
// travels inside the kernel's parameters (cuda/tensor_group.cuh), so nothing is uploaded and
// nothing has to stay alive after the call. The list itself is host memory; the arrays it
// points to, like every pointer below, are device memory. Each call queues its work on `stream`
// and returns without synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/optimizer_math.h"

namespace tern::kernels::cuda {

void optimizer_update(const OptimizerStepConfig& config, float* weights, const float* grads, float* state_1,
                      float* state_2, std::int64_t count, cudaStream_t stream);

void optimizer_update_many(const OptimizerStepConfig& config, const OptimizerTensor* tensors, int tensor_count,
                           cudaStream_t stream);

}  // namespace tern::kernels::cuda
