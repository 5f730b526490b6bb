// Linear (fully connected) layer: y = x Wᵀ + b, with W [out, in] and b [out], as in PyTorch,
// so weights move between the two without transposes. GEMMs go to the backend of the tensors'
// device, in the dtype the forward mode asks for (f32, or bf16/f16: nn/mixed_precision.h).
#pragma once

#include "core/nn/module.h"

namespace tern {

class Linear : public Module {
 public:
  // Weights and bias start from U(-1/√in, 1/√in) (PyTorch's default), drawn from the job seed
  // in a stream named after the parameter, so initialisation does not depend on layout.
  Linear(std::int64_t in_features, std::int64_t out_features, const std::string& name, std::uint64_t seed);

  // y = x Wᵀ + b
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dW += dyᵀ x,  db += Σ_rows dy,  dx = dy W
  Tensor backward(const Tensor& dy, Saved& saved) override;

  std::vector<Parameter*> parameters() override { return {&weight_, &bias_}; }
  std::int64_t in_features() const { return in_features_; }
  std::int64_t out_features() const { return out_features_; }

 private:
  std::int64_t in_features_, out_features_;
  Parameter weight_, bias_;
};

}  // namespace tern
