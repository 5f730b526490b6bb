// One optimizer step over a flat parameter array (see common/optimizer_math.h for the math).
// state_1 and state_2 hold the optimizer's per-element state (momentum, moments, sums).
// optimizer_update_many steps a list of tensors with one config; on the CPU it is a loop over
// optimizer_update (the CUDA namesake fuses the list into few launches).
#pragma once

#include <cstdint>

#include "kernels/common/optimizer_math.h"

namespace tern::kernels::cpu {

void optimizer_update(const OptimizerStepConfig& config, float* weights, const float* grads,
                      float* state_1, float* state_2, std::int64_t count);

void optimizer_update_many(const OptimizerStepConfig& config, const OptimizerTensor* tensors, int tensor_count);

}  // namespace tern::kernels::cpu
