// Linear (fully connected) layer: y = x Wᵀ + b, with W [out, in] and b [out], as in PyTorch,
// so weights move between the two without transposes. GEMMs go to the backend of the tensors'
// device, in the dtype the forward mode asks for (f32, or bf16/f16: nn/mixed_precision.h).
#pragma once

#include "core/nn/module.h"

namespace tern {

// A Linear split over a tensor-parallel group (Megatron-LM; the operators that join the pieces
// are in tensor_parallel.h), rank `rank` of `ranks` holding:
//   output_features ("column-parallel"): rows of W and entries of b, so y_r = x W_rᵀ + b_r is
//                    its slice of y's features. With chunks > 1, y is that many equal parts
//                    (qkv: Q, K, V) and the rank holds its slice of each.
//   input_features ("row-parallel"): columns of W, multiplying its slice x_r of x's features;
//                    y = Σ_r x_r W_rᵀ + b, the sum taken after the layer. b is whole on every
//                    rank and added by rank 0 alone, so that the sum counts it once.
struct LinearSplit {
  enum class Kind { none, output_features, input_features };
  Kind kind = Kind::none;
  int rank = 0, ranks = 1;
  int chunks = 1;
};

class Linear : public Module {
 public:
  // Weights and bias start from U(-1/√in, 1/√in) (PyTorch's default), drawn from the job seed
  // in a stream named after the parameter, so initialisation does not depend on layout: a
  // split Linear draws the whole W and b and keeps its block. in_features and out_features are
  // the whole layer's.
  Linear(std::int64_t in_features, std::int64_t out_features, const std::string& name, std::uint64_t seed,
         const LinearSplit& split = {});

  // y = x Wᵀ + b (this rank's block of W and b)
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dW += dyᵀ x,  db += Σ_rows dy,  dx = dy W
  Tensor backward(const Tensor& dy, Saved& saved) override;

  std::vector<Parameter*> parameters() override { return {&weight_, &bias_}; }
  // This rank's sizes: the input features it reads and the output features it writes.
  std::int64_t in_features() const { return in_features_; }
  std::int64_t out_features() const { return out_features_; }

 private:
  std::int64_t in_features_, out_features_;
  Parameter weight_, bias_;
  bool adds_bias_ = true;
};

}  // namespace tern
