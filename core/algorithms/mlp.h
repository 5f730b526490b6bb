// mlp: a multilayer perceptron for binary classification, multiclass classification and
// regression (predictor_type), trained with mini-batch gradient descent.
//
//   x̂ = (x - μ) / σ                      (normalize_data: μ, σ from the training set)
//   h₀ = x̂,  hᵢ = dropout(f(hᵢ₋₁ Wᵢᵀ + bᵢ))   for each hidden size
//   z = h_L W_outᵀ + b_out                 (1 output, or num_classes for multiclass)
// Loss: binary log-likelihood on σ(z), softmax cross-entropy, or squared error (regression
// targets standardised too, predictions mapped back). Hyperparameter names follow the common
// training services (mini_batch_size, learning_rate, wd, l1, clip_gradient, ...); the full
// list, with defaults and ranges, is in read_hyperparameters() and in the README. Training
// saves checkpoints and resumes from them bit for bit (core/job/training_checkpoints.h), also
// on another number of ranks when the rows are replicated; early stopping keeps the best
// epoch's model.
#pragma once

#include <memory>
#include <vector>

#include "core/algorithms/algorithm.h"
#include "core/nn/activation.h"
#include "core/nn/loss.h"
#include "core/nn/sequential.h"

namespace tern {

class Mlp : public Algorithm {
 public:
  std::string name() const override { return "mlp"; }
  void fit(JobContext& job) override;
  Predictions predict(const Dataset& data) override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  TaskKind task() const override { return architecture_.task; }
  std::int64_t num_features() const override { return architecture_.num_features; }
  std::int64_t num_classes() const override { return architecture_.num_classes; }

  // What defines the network's shape: saved with the model, enough to rebuild it.
  struct Architecture {
    TaskKind task = TaskKind::binary_classification;
    std::int64_t num_classes = 2;
    std::int64_t num_features = 0;
    std::vector<std::int64_t> hidden_sizes;
    Activation activation = Activation::relu;
    float dropout = 0.0f;
  };

 private:
  void build_network(std::uint64_t seed);
  std::int64_t num_outputs() const;
  // Features standardised with the stored statistics (a copy; the input is not changed).
  Tensor standardized(const Tensor& features) const;
  // Network outputs for rows of already standardised features, in evaluation mode.
  Tensor evaluate_outputs(const Tensor& standardized_features);

  Architecture architecture_;
  Sequential network_;
  std::vector<Parameter*> parameters_;  // network_'s, in a fixed order
  // x̂ = (x - feature_mean) · feature_inverse_std; y (regression) = ŷ · label_std + label_mean
  Tensor feature_mean_, feature_inverse_std_;
  float label_mean_ = 0.0f, label_std_ = 1.0f;
};

}  // namespace tern
