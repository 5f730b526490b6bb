// Dropout (inverted): in training y = x ⊙ m / (1-p) with m ~ Bernoulli(1-p); in evaluation
// y = x. The mask of sample s, feature j at step t is drawn from Philox at index
// s·features + j in the stream (layer, t), so it is the same for any rank layout.
#pragma once

#include <string>

#include "core/nn/module.h"

namespace tern {

class Dropout : public Module {
 public:
  Dropout(float probability, const std::string& name);

  // y = x ⊙ m / (1-p) in training, y = x otherwise
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dx = dy ⊙ m / (1-p)
  Tensor backward(const Tensor& dy, Saved& saved) override;

 private:
  float probability_;
  std::uint64_t layer_stream_;
};

}  // namespace tern
