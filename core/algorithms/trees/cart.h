// What decision-tree, random-forest and adaboost share: CART trees grown by the histogram
// method (tree_grower.h) with a CART criterion (split_criterion.h), and the model they make.
//
// Hyperparameters, with scikit-learn's names and meaning:
//   criterion          gini | entropy (classification), mse (regression)
//   max_depth          deepest split (0: no limit; see the note on memory in README)
//   min_samples_split  least rows of a node that is split (below 1: a fraction of all rows)
//   min_samples_leaf   least rows of a leaf (below 1: a fraction of all rows)
//   max_features       columns drawn for each node's split: all | sqrt | log2 | a count | a fraction,
//                      or auto: sqrt for classes, all for mse
//   num_classes        classes (labels 0 .. num_classes − 1); by default the largest label + 1
//   max_bin, seed      as for gbdt
// A row's weight is its /weights value (1 without), times its bootstrap count in a forest and its
// boosting weight in AdaBoost. min_samples_* count the distinct rows with a positive weight, as
// scikit-learn's do.
//
// The model: an ensemble of trees whose leaves hold class probabilities (or the mean target),
// its margins the weighted sum over trees (tree_ensemble.h). A classifier's scores are those
// margins, class scores that sum to 1; its label is the highest.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/algorithms/algorithm.h"
#include "core/algorithms/hyperparameters.h"
#include "core/algorithms/trees/split_criterion.h"
#include "core/algorithms/trees/tree_data.h"
#include "core/algorithms/trees/tree_grower.h"
#include "core/algorithms/trees/tree_model.h"

namespace tern {

struct CartConfig {
  std::string criterion;
  std::int64_t num_classes = 0;  // 0: from the labels
  double min_samples_split = 2.0, min_samples_leaf = 1.0;
  std::string max_features;
  TreeGrowthConfig growth;
  BinningConfig binning;
};

// Reads the CART hyperparameters; the algorithm gives its defaults for criterion, max_depth and
// max_features.
CartConfig read_cart_hyperparameters(HyperparameterReader& read, const std::string& default_criterion,
                                     std::int64_t default_max_depth, const std::string& default_max_features);

// The columns max_features stands for, of `features`.
std::int64_t max_features_count(const std::string& max_features, std::int64_t features);

// The fixed-point statistics of a shard's rows for a CART criterion: (w·(y − offset), w, n) for
// regression (classes 0), (w·[y = 0], .., w·[y = K−1], w, n) for K classes, with w = weights[r]
// and n = 1 for a row of positive weight; the scales come from the largest values over all ranks.
struct CartStatistics {
  FixedPointScales scales;
  RowStatistics rows;
};
CartStatistics cart_statistics(std::span<const float> labels, std::span<const double> weights, std::int64_t classes,
                               double target_offset, std::int64_t total_rows, Communicator& comm);

// What growing a CART tree takes: the shard, its criterion and a grower, reused tree after tree.
class CartTrainer {
 public:
  CartTrainer(const BinnedShard& shard, std::unique_ptr<CartCriterion> criterion, const TreeGrowthConfig& growth,
              std::int64_t classes, double target_offset, Communicator& comm);

  // Grows tree `index` on `rows` (shard rows), row r weighing weights[r].
  RegressionTree grow(std::span<const RowIndex> rows, std::span<const double> weights, std::int64_t index);
  // After grow(): each leaf with the rank's rows that reached it.
  std::vector<std::pair<std::int32_t, std::span<const RowIndex>>> leaf_rows() const { return grower_.leaf_rows(); }
  // All the shard's rows.
  std::vector<RowIndex> all_rows() const;

 private:
  const BinnedShard& shard_;
  std::unique_ptr<CartCriterion> criterion_;
  TreeGrower grower_;
  std::int64_t classes_;
  double target_offset_;
  Communicator& comm_;
  std::vector<std::int64_t> features_;
};

// A model of CART trees. Each algorithm grows its trees in fit(); the rest is shared.
class CartModel : public Algorithm, public TreeModel {
 public:
  Predictions predict(const Dataset& data) override;
  Predictions predict_file(const std::filesystem::path& path) override;
  MetricValues evaluate_file(const std::filesystem::path& path) override;
  ModelFile export_model() const override;
  void import_model(const ModelFile& file) override;
  std::map<std::string, std::string> readable_files() const override;
  TaskKind task() const override;
  std::int64_t num_features() const override { return num_features_; }
  std::int64_t num_classes() const override { return classes_ == 0 ? 1 : classes_; }

  const TreeEnsemble& ensemble() const override { return ensemble_; }
  std::int64_t tree_features() const override { return num_features_; }

 protected:
  // Reads the train channel as bins, settles the classes (0 for mse) and checks the labels and
  // weights.
  BinnedShard read_training_data(JobContext& job, const CartConfig& config);
  // A trainer for the shard, with the model's criterion and its classes (a regressor's targets
  // centred on their weighted mean over all ranks).
  CartTrainer trainer(const BinnedShard& shard, const CartConfig& config, Communicator& comm) const;
  // Checks labels against the model's task: finite, and classes in [0, classes).
  void check_labels(std::span<const float> labels, const std::string& where, std::int64_t first_row) const;

  std::string criterion_ = "gini";
  std::int64_t classes_ = 0;  // 0: regression
  std::int64_t num_features_ = 0;
  TreeEnsemble ensemble_;
};

}  // namespace tern
