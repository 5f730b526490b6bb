#include "kernels/cpu/optimizer.h"

namespace tern::kernels::cpu {

namespace {
// One loop body per optimizer; restrict-qualified arrays and a by-value config let the
// compiler keep the hyperparameters in registers and vectorise.
template <OptimizerKind Kind>
void update_elements(const OptimizerStepConfig config, float* __restrict weights, const float* __restrict grads,
                     float* __restrict state_1, float* __restrict state_2, std::int64_t count) {
#pragma omp parallel for simd schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i)
    optimizer_update_element<Kind>(config, weights[i], grads[i], state_1[i], state_2[i]);
}
}  // namespace

void optimizer_update(const OptimizerStepConfig& config, float* weights, const float* grads,
                      float* state_1, float* state_2, std::int64_t count) {
  dispatch_optimizer(config.kind, [&](auto kind_constant) {
    update_elements<kind_constant()>(config, weights, grads, state_1, state_2, count);
  });
}

}  // namespace tern::kernels::cpu
