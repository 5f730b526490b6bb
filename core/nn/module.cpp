#include "core/nn/module.h"

namespace tern {

void zero_grads(const std::vector<Parameter*>& parameters) {
  for (Parameter* parameter : parameters) parameter->grad.fill(0.0f);
}

}  // namespace tern
