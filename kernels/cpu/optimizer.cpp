#include "kernels/cpu/optimizer.h"

namespace tern::kernels::cpu {

void optimizer_update(const OptimizerStepConfig& config, float* weights, const float* grads,
                      float* state_1, float* state_2, std::int64_t count) {
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i)
    optimizer_update_element(config, weights[i], grads[i], state_1[i], state_2[i]);
}

}  // namespace tern::kernels::cpu
