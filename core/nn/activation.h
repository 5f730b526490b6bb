// Activation layers, element-wise (math in kernels/common/activation_math.h):
//   ReLU y = max(x, 0);  Sigmoid y = 1/(1+e^-x);  Tanh y = tanh x;  GELU (tanh approximation).
#pragma once

#include <string>

#include "core/nn/module.h"
#include "kernels/common/activation_math.h"

namespace tern {

using kernels::Activation;

// "relu", "sigmoid", "tanh", "gelu", "identity" -> Activation; throws on anything else.
Activation parse_activation(const std::string& name);
std::string activation_name(Activation kind);

class ActivationLayer : public Module {
 public:
  explicit ActivationLayer(Activation kind) : kind_(kind) {}

  // y = f(x)
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dx = f'(x) ⊙ dy
  Tensor backward(const Tensor& dy, Saved& saved) override;

  Activation kind() const { return kind_; }

 private:
  Activation kind_;
};

}  // namespace tern
