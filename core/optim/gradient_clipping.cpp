#include "core/optim/gradient_clipping.h"

#include <cmath>
#include <vector>

#include "core/backend/backend.h"

namespace tern {

double gradient_sum_of_squares(const std::vector<Parameter*>& parameters) {
  if (parameters.empty()) return 0.0;  // a ZeRO-1 shard may hold nothing
  std::vector<const float*> arrays;
  std::vector<std::int64_t> counts;
  for (const Parameter* parameter : parameters) {
    if (parameter->counted_elsewhere) continue;
    TERN_CHECK(parameter->grad.device() == parameters.front()->grad.device(), "gradients on several devices");
    arrays.push_back(parameter->grad.device_data<float>());
    counts.push_back(parameter->grad.numel());
  }
  return backend_for(parameters.front()->grad.device())
      .sum_of_squares_many(arrays.data(), counts.data(), static_cast<int>(arrays.size()));
}

void clip_gradients_to_norm(const std::vector<Parameter*>& parameters, double norm, double max_norm) {
  TERN_CHECK(max_norm > 0, "clip_gradient must be positive, got ", max_norm);
  if (norm <= max_norm) return;
  const auto factor = static_cast<float>(max_norm / norm);
  for (Parameter* parameter : parameters)
    backend_for(parameter->grad.device()).scale(parameter->grad.device_data<float>(), factor, parameter->grad.numel());
}

double clip_gradients_by_global_norm(const std::vector<Parameter*>& parameters, double max_norm) {
  const double norm = std::sqrt(gradient_sum_of_squares(parameters));
  clip_gradients_to_norm(parameters, norm, max_norm);
  return norm;
}

}  // namespace tern
