// Element math of the activations, shared by the CPU and CUDA kernels.
// Each backward takes the forward input x and output y, whichever is cheaper to use.
#pragma once

#include <cmath>
#include <type_traits>

#include "kernels/common/host_device.h"

namespace tern::kernels {

enum class Activation { identity, relu, sigmoid, tanh, gelu };

// σ(x) = 1 / (1 + e^-x), written so that neither branch overflows.
TERN_HOST_DEVICE float sigmoid(float x) {
  if (x >= 0) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

// GELU, tanh approximation (Hendrycks & Gimpel; as in GPT-2):
// y = ½ x (1 + tanh(u)), u = √(2/π) (x + 0.044715 x³)
// dy/dx = ½ (1 + tanh u) + ½ x (1 - tanh² u) √(2/π) (1 + 3·0.044715 x²)
constexpr float kGeluScale = 0.7978845608028654f;  // √(2/π)
constexpr float kGeluCubic = 0.044715f;

// The activation is a template parameter so that loops over elements compile to one
// branch-free body per activation; dispatch_activation picks the body at run time.
template <Activation Kind>
TERN_HOST_DEVICE float activation_forward(float x) {
  if constexpr (Kind == Activation::identity) return x;
  if constexpr (Kind == Activation::relu) return x > 0 ? x : 0.0f;
  if constexpr (Kind == Activation::sigmoid) return sigmoid(x);
  if constexpr (Kind == Activation::tanh) return tanhf(x);
  if constexpr (Kind == Activation::gelu) return 0.5f * x * (1.0f + tanhf(kGeluScale * (x + kGeluCubic * x * x * x)));
}

// dL/dx given dL/dy, the input x and the output y.
template <Activation Kind>
TERN_HOST_DEVICE float activation_backward(float x, float y, float dy) {
  if constexpr (Kind == Activation::identity) return dy;
  if constexpr (Kind == Activation::relu) return x > 0 ? dy : 0.0f;
  if constexpr (Kind == Activation::sigmoid) return dy * y * (1.0f - y);
  if constexpr (Kind == Activation::tanh) return dy * (1.0f - y * y);
  if constexpr (Kind == Activation::gelu) {
    const float t = tanhf(kGeluScale * (x + kGeluCubic * x * x * x));
    const float du_dx = kGeluScale * (1.0f + 3.0f * kGeluCubic * x * x);
    return dy * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du_dx);
  }
}

// Calls body(std::integral_constant<Activation, kind>{}) for a run-time kind.
template <typename Body>
inline void dispatch_activation(Activation kind, Body&& body) {
  switch (kind) {
    case Activation::identity: body(std::integral_constant<Activation, Activation::identity>{}); return;
    case Activation::relu: body(std::integral_constant<Activation, Activation::relu>{}); return;
    case Activation::sigmoid: body(std::integral_constant<Activation, Activation::sigmoid>{}); return;
    case Activation::tanh: body(std::integral_constant<Activation, Activation::tanh>{}); return;
    case Activation::gelu: body(std::integral_constant<Activation, Activation::gelu>{}); return;
  }
}

// The scalar form for host code outside hot loops.
inline float activation_forward(Activation kind, float x) {
  float y = x;
  dispatch_activation(kind, [&](auto kind_constant) { y = activation_forward<kind_constant()>(x); });
  return y;
}

}  // namespace tern::kernels
