// pca: principal component analysis, distributed over the ranks by rows, with the managed
// service's hyperparameters (num_components, algorithm_mode, subtract_mean, extra_components).
// Labels in the data are ignored.
//
//   μ = Σ x / n                                   (when subtract_mean; else μ = 0)
//   C = Σ (x - μ)(x - μ)ᵀ / (n - 1)               the covariance, D × D
//   C = V Λ Vᵀ; the components are the columns of V with the num_components largest λ
//   explained_variance = λ, explained_variance_ratio = λ / trace(C)
//   predict: z = (x - μ) W ᵀ                      W: components as rows [k, D]
//
// Each rank reads its contiguous share of the rows; one allreduce adds the ranks' Σx, a
// second their Σ(x - μ)(x - μ)ᵀ, so every layout computes the same C (up to the order of
// additions). algorithm_mode = regular solves C exactly (Eigen's symmetric eigensolver);
// randomized never forms C: a seeded Gaussian D × l block (l = num_components +
// extra_components) is multiplied by C a few times with re-orthonormalisation (subspace
// iteration), each product Σ_r X_rᵀ (X_r Q) one allreduce of D × l, then C restricted to the
// found subspace (l × l) is solved; for wide data. Each component's sign is fixed so that its
// entry of largest magnitude is positive.
//
// evaluate (test channel, `tern evaluate`): reconstruction_mse, the mean squared error of x
// against μ + z W, and explained_variance_ratio, the share of the data's variance around μ that
// the components keep.
#pragma once

#include "core/algorithms/algorithm.h"

namespace tern {

class Pca : public Algorithm {
 public:
  std::string name() const override { return "pca"; }
  void fit(JobContext& job) override;
  // The projection z of every row (TaskKind::projection).
  Predictions predict(const Dataset& data) override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  TaskKind task() const override { return TaskKind::projection; }
  std::int64_t num_features() const override { return mean_.numel(); }
  std::int64_t num_classes() const override { return 1; }
  MetricValues evaluate_file(const std::filesystem::path& path) override;

 private:
  Tensor mean_;                      // μ [D]
  Tensor components_;                // W [k, D], orthonormal rows
  Tensor explained_variance_;        // λ [k]
  Tensor explained_variance_ratio_;  // λ / trace(C) [k]
  std::string algorithm_mode_ = "regular";
};

}  // namespace tern
