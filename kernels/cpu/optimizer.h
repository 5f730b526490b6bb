// One optimizer step over a flat parameter array (see common/optimizer_math.h for the math).
// state_1 and state_2 hold the optimizer's per-element state (momentum, moments, sums).
#pragma once

#include <cstdint>

#include "kernels/common/optimizer_math.h"

namespace tern::kernels::cpu {

void optimizer_update(const OptimizerStepConfig& config, float* weights, const float* grads,
                      float* state_1, float* state_2, std::int64_t count);

}  // namespace tern::kernels::cpu
