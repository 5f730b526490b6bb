// LayerNorm over the last dimension (as torch.nn.LayerNorm): for each row x of `features`
// values, y = (x - μ) / √(σ² + ε) · γ + β with μ, σ² the row's mean and biased variance;
// γ starts at 1, β at 0. The kernels are kernels/{cpu,cuda}/layernorm.
#pragma once

#include <string>

#include "core/nn/module.h"

namespace tern {

class LayerNorm : public Module {
 public:
  LayerNorm(std::int64_t features, const std::string& name, float epsilon = 1e-5f);

  // y = x̂ γ + β,  x̂ = (x - μ) · rstd,  rstd = 1 / √(σ² + ε)   (x of any shape [..., features])
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dx = rstd · (dy·γ - mean(dy·γ) - x̂ · mean(dy·γ·x̂)),  dγ += Σ dy·x̂,  dβ += Σ dy
  Tensor backward(const Tensor& dy, Saved& saved) override;

  std::vector<Parameter*> parameters() override { return {&weight_, &bias_}; }

 private:
  std::int64_t features_;
  float epsilon_;
  Parameter weight_, bias_;
};

}  // namespace tern
