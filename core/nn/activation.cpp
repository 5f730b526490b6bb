#include "core/nn/activation.h"

#include "core/backend/backend.h"

namespace tern {

Activation parse_activation(const std::string& name) {
  if (name == "relu") return Activation::relu;
  if (name == "sigmoid") return Activation::sigmoid;
  if (name == "tanh") return Activation::tanh;
  if (name == "gelu") return Activation::gelu;
  if (name == "identity") return Activation::identity;
  throw Error("unknown activation '" + name + "' (expected relu, sigmoid, tanh, gelu or identity)");
}

std::string activation_name(Activation kind) {
  switch (kind) {
    case Activation::relu: return "relu";
    case Activation::sigmoid: return "sigmoid";
    case Activation::tanh: return "tanh";
    case Activation::gelu: return "gelu";
    case Activation::identity: return "identity";
  }
  return "?";
}

Tensor ActivationLayer::forward(const Tensor& x, Saved& saved) {
  Tensor y = Tensor::empty(x.shape(), DType::f32, x.device());
  backend_for(x.device()).activation_forward(kind_, x.device_data<float>(), y.device_data<float>(), x.numel());
  saved.tensors = {x, y};
  return y;
}

Tensor ActivationLayer::backward(const Tensor& dy, Saved& saved) {
  const Tensor& x = saved.tensors.at(0);
  const Tensor& y = saved.tensors.at(1);
  Tensor dx = Tensor::empty(x.shape(), DType::f32, x.device());
  backend_for(x.device()).activation_backward(kind_, x.device_data<float>(), y.device_data<float>(),
                                              dy.device_data<float>(), dx.device_data<float>(), x.numel());
  return dx;
}

}  // namespace tern
