// gbdt: gradient-boosted trees by the histogram method, with XGBoost's hyperparameter names
// and semantics (objective, num_class, eval_metric, num_round, eta, max_depth,
// min_child_weight, gamma, lambda, alpha, subsample, colsample_by{tree,level,node}, max_bin,
// scale_pos_weight, base_score, max_delta_step, grow_policy, max_leaves,
// early_stopping_rounds, seed). Each round fits one tree per margin (num_class trees for
// multi:*) to the objective's gradients at the current margins (trees/tree_objective.h):
//
//   m_0(x) = base_margin(base_score)
//   m_t(x) = m_{t−1}(x) + f_t(x),   f_t grown on (g_i, h_i) = (∂ℓ/∂m, ∂²ℓ/∂m²) at m_{t−1}(x_i)
//
// The rows are sharded across the ranks and stay there as bins; trees are grown by
// trees/tree_grower.h from fixed-point histograms, so 1, 2 or N ranks and any thread count
// build byte-identical trees. Row subsampling and column draws are seeded functions of the row
// index, round, level and node, so they too do not depend on the layout.
//
// With a validation channel each round is scored on eval_metric (every rank holds the
// validation rows and their margins); early_stopping_rounds stops when the last metric has not
// improved for that many rounds, and the model keeps the trees up to the best round.
#pragma once

#include <string>
#include <vector>

#include "core/algorithms/algorithm.h"
#include "core/algorithms/trees/tree_model.h"
#include "core/algorithms/trees/tree_objective.h"

namespace tern {

class Gbdt : public Algorithm, public TreeModel {
 public:
  std::string name() const override { return "gbdt"; }
  void fit(JobContext& job) override;
  Predictions predict(const Dataset& data) override;
  Predictions predict_file(const std::filesystem::path& path) override;
  MetricValues evaluate_file(const std::filesystem::path& path) override;
  MetricValues score(const Predictions& predictions, const Tensor& labels) const override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  std::map<std::string, std::string> readable_files() const override;
  TaskKind task() const override { return objective_.task(); }
  std::int64_t num_features() const override { return num_features_; }
  std::int64_t num_classes() const override;

  const TreeEnsemble& ensemble() const override { return ensemble_; }
  std::int64_t tree_features() const override { return num_features_; }

 private:
  // Predictions from margins [rows, outputs].
  Predictions from_margins(const Tensor& margins) const;
  // Records every eval_metric of the validation rows at their margins after `round` and logs
  // them; returns the last one's value (the one early stopping watches).
  double record_validation(JobContext& job, std::int64_t round, const Dataset& validation,
                           const std::vector<float>& margins) const;

  TreeObjective objective_ = TreeObjective::named("reg:squarederror", 0, 1.0);
  double base_score_ = 0.5;
  std::int64_t num_features_ = 0;
  std::vector<std::string> eval_metrics_;
  std::int64_t best_iteration_ = -1;  // early stopping's best round, -1 without
  TreeEnsemble ensemble_;
};

}  // namespace tern
