#include "kernels/cpu/optimizer.h"

namespace tern::kernels::cpu {

namespace {
// One loop body per optimizer. The config and the restrict-qualified pointers are copied inside
// the parallel region: OpenMP outlines the region into a function that would otherwise reload
// them through a pointer on every element, which keeps the loop from vectorising.
template <OptimizerKind Kind>
void update_elements(const OptimizerStepConfig& config, float* weights, const float* grads, float* state_1,
                     float* state_2, std::int64_t count) {
#pragma omp parallel if (count > 16384)
  {
    const OptimizerStepConfig local = config;
    float* __restrict w = weights;
    const float* __restrict g = grads;
    float* __restrict s1 = state_1;
    float* __restrict s2 = state_2;
#pragma omp for simd schedule(static)
    for (std::int64_t i = 0; i < count; ++i) optimizer_update_element<Kind>(local, w[i], g[i], s1[i], s2[i]);
  }
}
}  // namespace

void optimizer_update(const OptimizerStepConfig& config, float* weights, const float* grads,
                      float* state_1, float* state_2, std::int64_t count) {
  dispatch_optimizer(config.kind, [&](auto kind_constant) {
    update_elements<kind_constant()>(config, weights, grads, state_1, state_2, count);
  });
}

void optimizer_update_many(const OptimizerStepConfig& config, const OptimizerTensor* tensors, int tensor_count) {
  for (int t = 0; t < tensor_count; ++t) {
    const OptimizerTensor& tensor = tensors[t];
    optimizer_update(config, tensor.weights, tensor.grads, tensor.state_1, tensor.state_2, tensor.count);
  }
}

}  // namespace tern::kernels::cpu
