// Element math of the optimizer updates, shared by the CPU and CUDA kernels.
//
// The regularised gradient is g' = g + l2·w + l1·sign(w) (for AdamW the l2 term is instead
// a decoupled decay w -= lr·wd·w, Loshchilov & Hutter). Updates, with state s1, s2 per element:
//   SGD      s1 = μ s1 + g';            w -= lr (g' + μ s1) if Nesterov else lr s1
//   Adam     s1 = β1 s1 + (1-β1) g';    s2 = β2 s2 + (1-β2) g'²
//            w -= lr (s1 / c1) / (√(s2 / c2) + ε),   c1 = 1-β1^t, c2 = 1-β2^t
//   Adagrad  s1 += g'²;                  w -= lr g' / (√s1 + ε)
//   RMSProp  s1 = ρ s1 + (1-ρ) g'²;      w -= lr g' / (√s1 + ε)      (ρ is beta_2)
// These follow PyTorch's torch.optim definitions, so a step can be checked against them.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/common/host_device.h"

namespace tern::kernels {

enum class OptimizerKind { sgd, adam, adamw, adagrad, rmsprop };

struct OptimizerStepConfig {
  OptimizerKind kind = OptimizerKind::sgd;
  float learning_rate = 0.01f;
  float momentum = 0.0f;
  bool nesterov = false;
  float beta_1 = 0.9f;
  float beta_2 = 0.999f;
  float epsilon = 1e-8f;
  float weight_decay = 0.0f;  // l2, or the decoupled decay for AdamW
  float l1 = 0.0f;
  float bias_correction_1 = 1.0f;  // 1 - β1^t (Adam, AdamW)
  float bias_correction_2 = 1.0f;  // 1 - β2^t
};

// One parameter tensor as an optimizer step sees it: `count` weights, their gradients and the
// two state arrays (both always present; unused state is left alone). Lists of these feed the
// multi-tensor updates, which step many tensors in one call.
struct OptimizerTensor {
  float* weights;
  const float* grads;
  float* state_1;
  float* state_2;
  std::int64_t count;
};

TERN_HOST_DEVICE float sign_of(float x) { return static_cast<float>(x > 0) - static_cast<float>(x < 0); }

// Updates one weight w in place from its gradient g and its state s1, s2. The optimizer is a
// template parameter so that a loop over elements compiles to one branch-free body.
template <OptimizerKind Kind>
TERN_HOST_DEVICE void optimizer_update_element(const OptimizerStepConfig& c, float& w, float g, float& s1, float& s2) {
  constexpr bool decoupled = Kind == OptimizerKind::adamw;
  const float grad = g + (decoupled ? 0.0f : c.weight_decay * w) + c.l1 * sign_of(w);
  if constexpr (Kind == OptimizerKind::sgd) {
    s1 = c.momentum * s1 + grad;  // the velocity; equal to grad without momentum
    w -= c.learning_rate * (c.nesterov ? grad + c.momentum * s1 : s1);
  }
  if constexpr (Kind == OptimizerKind::adam || Kind == OptimizerKind::adamw) {
    s1 = c.beta_1 * s1 + (1.0f - c.beta_1) * grad;
    s2 = c.beta_2 * s2 + (1.0f - c.beta_2) * grad * grad;
    const float step = (s1 / c.bias_correction_1) / (sqrtf(s2 / c.bias_correction_2) + c.epsilon);
    w -= c.learning_rate * (step + (decoupled ? c.weight_decay * w : 0.0f));
  }
  if constexpr (Kind == OptimizerKind::adagrad) {
    s1 += grad * grad;
    w -= c.learning_rate * grad / (sqrtf(s1) + c.epsilon);
  }
  if constexpr (Kind == OptimizerKind::rmsprop) {
    s1 = c.beta_2 * s1 + (1.0f - c.beta_2) * grad * grad;
    w -= c.learning_rate * grad / (sqrtf(s1) + c.epsilon);
  }
}

// Calls body(std::integral_constant<OptimizerKind, kind>{}) for a run-time kind.
template <typename Body>
inline void dispatch_optimizer(OptimizerKind kind, Body&& body) {
  switch (kind) {
    case OptimizerKind::sgd: body(std::integral_constant<OptimizerKind, OptimizerKind::sgd>{}); return;
    case OptimizerKind::adam: body(std::integral_constant<OptimizerKind, OptimizerKind::adam>{}); return;
    case OptimizerKind::adamw: body(std::integral_constant<OptimizerKind, OptimizerKind::adamw>{}); return;
    case OptimizerKind::adagrad: body(std::integral_constant<OptimizerKind, OptimizerKind::adagrad>{}); return;
    case OptimizerKind::rmsprop: body(std::integral_constant<OptimizerKind, OptimizerKind::rmsprop>{}); return;
  }
}

}  // namespace tern::kernels
