#include "core/nn/module.h"

namespace tern {

void zero_grads(const std::vector<Parameter*>& parameters) {
  for (Parameter* parameter : parameters) parameter->grad.fill(0.0f);
}

void report_gradients_ready(Module& module, const ForwardMode& mode) {
  if (mode.gradient_listener == nullptr) return;
  for (Parameter* parameter : module.parameters()) mode.gradient_listener->gradient_ready(*parameter);
}

void move_parameters_to(const std::vector<Parameter*>& parameters, const Device& device) {
  for (Parameter* parameter : parameters) {
    parameter->value = parameter->value.to(device);
    parameter->grad = parameter->grad.to(device);
  }
}

}  // namespace tern
