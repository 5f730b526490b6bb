// linear-learner: linear models for binary and multiclass classification and for regression,
// with the managed service's hyperparameters. For a row x (standardised: x̂ = (x − μ) / σ, μ and
// σ from a sample of num_point_for_scaler rows) the model outputs
//
//   z = W x̂ + b        (one output, or one per class for multiclass_classifier)
//
// and is trained by mini-batch SGD, Adam or RMSProp on the mean of the weighted losses
// (linear_losses.h), plus wd/2 ‖W‖² and l1 ‖W‖₁ (the bias is not regularised):
//
//   ∂/∂W = (1/B) Σ_i s_i ∂ℓ/∂z_i x̂_iᵀ + wd W + l1 sign(W),   ∂/∂b = (1/B) Σ_i s_i ∂ℓ/∂z_i
//
// with s_i the row's weight (positive_example_weight_mult, balance_multiclass_weights).
// num_models models train at once, side by side in one GEMM, each with its own learning rate
// and regularisation; at the end the best on the validation channel (the training rows without
// one) is kept: for binary classifiers by binary_classifier_model_selection_criteria at the
// decision threshold calibrated on those rows, otherwise by the loss. The kept model's scaler
// is folded into its weights (and, for regressors trained on standardised labels, the label's
// scale), so the saved model is a plain W and b over the raw features.
//
// Sparse input (libsvm, HDF5 CSR) is trained on as it is: outputs and gradients entry by entry,
// the features scaled by σ but not centred.
//
// Data parallel: each global mini-batch is spread over the ranks (replicated rows: slices of
// one batch, as one rank would take it; sharded rows: each rank's batch from its shard) and the
// gradient sums of all the models are allreduced once a step.
#pragma once

#include "core/algorithms/algorithm.h"
#include "core/algorithms/linear_losses.h"

namespace tern {

struct RowBlock;  // dense or sparse rows (linear_learner.cpp)

class LinearLearner : public Algorithm {
 public:
  std::string name() const override { return "linear-learner"; }
  void fit(JobContext& job) override;
  Predictions predict(const Dataset& data) override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  TaskKind task() const override { return task_; }
  std::int64_t num_features() const override { return weights_.dim(1); }
  std::int64_t num_classes() const override { return num_classes_; }
  // The managed service's metric names (evaluation.h).
  MetricValues score(const Predictions& predictions, const Tensor& labels) const override;
  // Sparse files (libsvm, HDF5 CSR) as well as dense ones.
  Predictions predict_file(const std::filesystem::path& path) override;
  MetricValues evaluate_file(const std::filesystem::path& path) override;

 private:
  Predictions predict_block(const RowBlock& rows) const;

  TaskKind task_ = TaskKind::regression;
  std::int64_t num_classes_ = 1;
  LinearLoss loss_;
  Tensor weights_;  // W [outputs, D] over the raw features
  Tensor bias_;     // b [outputs]
  float threshold_ = 0.5f;  // binary: P(1) above it is class 1
};

}  // namespace tern
