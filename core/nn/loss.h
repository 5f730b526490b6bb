// Losses. forward returns the mean loss over the batch's rows and saves the gradient of that
// mean with respect to the network output; backward returns it. (With data parallelism each
// rank holds an equal slice of the global batch, so averaging the ranks' gradients gives the
// gradient of the global mean.)
#pragma once

#include <memory>
#include <string>

#include "core/nn/module.h"

namespace tern {

class Loss {
 public:
  virtual ~Loss() = default;
  virtual double forward(const Tensor& output, const Tensor& labels, Saved& saved) = 0;
  virtual Tensor backward(Saved& saved) = 0;
};

// Softmax cross-entropy on [rows, classes] logits and class-index labels:
//   L = (1/n) Σ_r -log softmax(z_r)[y_r];   ∂L/∂z_r = (softmax(z_r) - onehot(y_r)) / n
class SoftmaxCrossEntropy : public Loss {
 public:
  double forward(const Tensor& logits, const Tensor& labels, Saved& saved) override;
  Tensor backward(Saved& saved) override;
};

// Binary log-likelihood on [rows, 1] logits and 0/1 labels:
//   L = (1/n) Σ_r -[y log σ(z) + (1-y) log(1-σ(z))];   ∂L/∂z_r = (σ(z_r) - y_r) / n
class BinaryCrossEntropy : public Loss {
 public:
  double forward(const Tensor& logits, const Tensor& labels, Saved& saved) override;
  Tensor backward(Saved& saved) override;
};

// Squared error on [rows, 1] predictions (RMSE is its square root, reported as a metric):
//   L = (1/n) Σ_r (p_r - y_r)²;   ∂L/∂p_r = 2 (p_r - y_r) / n
class SquaredError : public Loss {
 public:
  double forward(const Tensor& predictions, const Tensor& targets, Saved& saved) override;
  Tensor backward(Saved& saved) override;
};

}  // namespace tern
