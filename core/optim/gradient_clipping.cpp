#include "core/optim/gradient_clipping.h"

#include <cmath>

#include "kernels/cpu/elementwise.h"

namespace tern {

double gradient_sum_of_squares(const std::vector<Parameter*>& parameters) {
  double sum = 0.0;
  for (const Parameter* parameter : parameters)
    sum += kernels::cpu::sum_of_squares(parameter->grad.data<float>(), parameter->grad.numel());
  return sum;
}

double clip_gradients_by_global_norm(const std::vector<Parameter*>& parameters, double max_norm) {
  TERN_CHECK(max_norm > 0, "clip_gradient must be positive, got ", max_norm);
  const double norm = std::sqrt(gradient_sum_of_squares(parameters));
  if (norm > max_norm) {
    const auto factor = static_cast<float>(max_norm / norm);
    for (Parameter* parameter : parameters)
      kernels::cpu::scale(parameter->grad.data<float>(), factor, parameter->grad.numel());
  }
  return norm;
}

}  // namespace tern
