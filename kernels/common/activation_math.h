// Element math of the activations, shared by the CPU and CUDA kernels.
// Each backward takes the forward input x and output y, whichever is cheaper to use.
#pragma once

#include <cmath>

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

TERN_HOST_DEVICE float activation_forward(Activation kind, float x) {
  switch (kind) {
    case Activation::identity: return x;
    case Activation::relu: return x > 0 ? x : 0.0f;
    case Activation::sigmoid: return sigmoid(x);
    case Activation::tanh: return tanhf(x);
    case Activation::gelu: return 0.5f * x * (1.0f + tanhf(kGeluScale * (x + kGeluCubic * x * x * x)));
  }
  return x;
}

// dL/dx given dL/dy, the input x and the output y.
TERN_HOST_DEVICE float activation_backward(Activation kind, float x, float y, float dy) {
  switch (kind) {
    case Activation::identity: return dy;
    case Activation::relu: return x > 0 ? dy : 0.0f;
    case Activation::sigmoid: return dy * y * (1.0f - y);
    case Activation::tanh: return dy * (1.0f - y * y);
    case Activation::gelu: {
      const float t = tanhf(kGeluScale * (x + kGeluCubic * x * x * x));
      const float du_dx = kGeluScale * (1.0f + 3.0f * kGeluCubic * x * x);
      return dy * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du_dx);
    }
  }
  return dy;
}

}  // namespace tern::kernels
