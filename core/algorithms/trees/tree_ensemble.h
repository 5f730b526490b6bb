// TreeEnsemble: the trees of a boosted, averaged or voting model and how they turn a row into
// margins, summing the trees' weighted leaf values from a base margin. A tree with one value a
// leaf adds it to output t mod outputs (boosting grows one tree per class and round for a
// multiclass model); a tree with a value per output adds them all (a forest's class
// probabilities):
//
//   margin_k(x) = base + Σ_{t ≡ k} a_t leaf_t(x)       (one value a leaf)
//   margin_k(x) = base + Σ_t a_t leaf_t(x)_k            (outputs values a leaf)
//
// summed in float, in tree order. The tree weights a_t are 1 for boosting, 1/trees for a
// forest's mean, and AdaBoost's normalised vote weights.
//
// It also gives the leaf each tree sends a row to, the importance of each feature (XGBoost's
// weight, gain, cover, total_gain and total_cover), and its trees as model-file tensors and as a
// readable JSON dump.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/algorithms/trees/regression_tree.h"
#include "core/data/dataset.h"
#include "core/io/model_file.h"

namespace tern {

class TreeEnsemble {
 public:
  TreeEnsemble() = default;
  TreeEnsemble(std::int64_t outputs, float base_margin) : outputs_(outputs), base_margin_(base_margin) {}

  std::int64_t outputs() const { return outputs_; }
  float base_margin() const { return base_margin_; }
  const std::vector<RegressionTree>& trees() const { return trees_; }
  // Rounds of boosting: trees of one value a leaf come `outputs` a round.
  std::int64_t rounds() const { return static_cast<std::int64_t>(trees_.size()) / trees_per_round(); }

  const std::vector<float>& tree_weights() const { return tree_weights_; }

  // Adds a tree of one value a leaf or `outputs` values a leaf.
  void add(RegressionTree tree, float weight = 1.0f);
  // Multiplies every tree's weight by `factor`.
  void scale_weights(double factor);
  // Keeps the first `rounds` rounds' trees (early stopping's best iteration).
  void truncate(std::int64_t rounds);

  // f32 [rows, outputs] margins of data's rows.
  Tensor margins(const Dataset& data) const;
  // f32 [rows, trees]: the leaf (node id) each tree sends each row to.
  Tensor leaf_indices(const Dataset& data) const;
  // {"weight": {"f0": ..}, "gain": .., "cover": .., "total_gain": .., "total_cover": ..} over the
  // features used in a split.
  nlohmann::json feature_importance() const;
  // The readable trees.json: the fields of `description` (indented), then "trees", the trees
  // as XGBoost dumps them (regression_tree.h), one a line. Written a tree at a time: a forest's
  // dump as one JSON document would take ~1 KB of memory a node.
  std::string readable_json(const nlohmann::json& description) const;

  // Model-file tensors under `prefix` ("gbdt/"): node_counts [trees]; per node left,
  // right, feature, threshold, default_left, gain, cover, depth; value [nodes × values a leaf];
  // tree_weights [trees].
  void save(ModelFile& file, const std::string& prefix) const;
  static TreeEnsemble load(const ModelFile& file, const std::string& prefix, std::int64_t outputs, float base_margin,
                           std::int64_t num_features);

 private:
  std::int64_t trees_per_round() const { return trees_.empty() || trees_.front().outputs() == 1 ? outputs_ : 1; }

  std::int64_t outputs_ = 1;
  float base_margin_ = 0.0f;
  std::vector<RegressionTree> trees_;
  std::vector<float> tree_weights_;
};

}  // namespace tern
