#include "core/nn/module.h"

namespace tern {

void zero_grads(const std::vector<Parameter*>& parameters) {
  for (Parameter* parameter : parameters) parameter->grad.fill(0.0f);
}

void move_parameters_to(const std::vector<Parameter*>& parameters, const Device& device) {
  for (Parameter* parameter : parameters) {
    parameter->value = parameter->value.to(device);
    parameter->grad = parameter->grad.to(device);
  }
}

}  // namespace tern
