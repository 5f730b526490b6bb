// One tree of an ensemble: binary splits "x_f < threshold" (left when true), a default
// direction for missing values, and `outputs` values on each leaf (one for a boosted or
// regression tree, the class probabilities for a classification tree). Nodes are numbered in the
// order they were created (the root 0, then each split's left and right child), which is also
// XGBoost's numbering, so a dump reads the same way as xgboost's get_dump(with_stats=True).
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/algorithms/trees/binned_matrix.h"

namespace tern {

struct TreeNode {
  std::int32_t left = -1, right = -1;  // children; -1 for a leaf
  std::int32_t feature = -1;
  float threshold = 0.0f;     // a row goes left when x_feature < threshold
  bool default_left = false;  // where a missing x_feature goes
  float gain = 0.0f;          // a split's loss change
  float cover = 0.0f;         // the hessian sum of the node's training rows
  std::int32_t depth = 0;
  std::int32_t split_bin = -1;  // while training: the split's last left bin

  bool is_leaf() const { return left < 0; }
};

class RegressionTree {
 public:
  explicit RegressionTree(std::int64_t outputs = 1)
      : outputs_(outputs), nodes_(1), values_(static_cast<std::size_t>(outputs), 0.0f) {}
  // A tree of `nodes`, with `outputs` values a node in `values` (those of splits unused).
  RegressionTree(std::vector<TreeNode> nodes, std::vector<float> values);

  const std::vector<TreeNode>& nodes() const { return nodes_; }
  TreeNode& node(std::int32_t id) { return nodes_[static_cast<std::size_t>(id)]; }
  const TreeNode& node(std::int32_t id) const { return nodes_[static_cast<std::size_t>(id)]; }
  std::int32_t size() const { return static_cast<std::int32_t>(nodes_.size()); }
  std::int64_t outputs() const { return outputs_; }
  // A leaf's values (the learning rate applied, for boosting).
  std::span<float> leaf_values(std::int32_t id) {
    return std::span<float>(values_).subspan(static_cast<std::size_t>(id * outputs_), static_cast<std::size_t>(outputs_));
  }
  std::span<const float> leaf_values(std::int32_t id) const {
    return std::span<const float>(values_).subspan(static_cast<std::size_t>(id * outputs_),
                                                   static_cast<std::size_t>(outputs_));
  }
  const std::vector<float>& values() const { return values_; }

  // Makes leaf `id` a split with two new leaf children; returns the left child's id.
  std::int32_t split(std::int32_t id, std::int32_t feature, std::int32_t bin, float threshold, bool default_left,
                     float gain);

  // The leaf a row of raw values (NaN missing) reaches.
  std::int32_t leaf_of(const float* row) const {
    std::int32_t id = 0;
    while (!nodes_[static_cast<std::size_t>(id)].is_leaf()) {
      const TreeNode& at = nodes_[static_cast<std::size_t>(id)];
      const float value = row[at.feature];
      const bool left = std::isnan(value) ? at.default_left : value < at.threshold;
      id = left ? at.left : at.right;
    }
    return id;
  }
  // The leaf a training row reaches, by its bins (the same leaf as by its values).
  std::int32_t leaf_of_binned(const BinnedMatrix& matrix, RowIndex row) const {
    std::int32_t id = 0;
    while (!nodes_[static_cast<std::size_t>(id)].is_leaf()) {
      const TreeNode& at = nodes_[static_cast<std::size_t>(id)];
      const std::int64_t bin = matrix.bin(row, at.feature);
      const bool left = bin == matrix.missing_bin(at.feature) ? at.default_left : bin <= at.split_bin;
      id = left ? at.left : at.right;
    }
    return id;
  }

  // XGBoost's JSON dump with statistics: nested nodes, {"nodeid", "depth", "split": "f3",
  // "split_condition", "yes", "no", "missing", "gain", "cover", "children"} for a split and
  // {"nodeid", "leaf", "cover"} for a leaf ("leaf" a list when a leaf has several values).
  nlohmann::json dump() const;

 private:
  nlohmann::json dump_node(std::int32_t id) const;

  std::int64_t outputs_;
  std::vector<TreeNode> nodes_;
  std::vector<float> values_;  // [nodes × outputs]
};

// XGBoost's name of a feature in dumps and importances: "f3".
std::string feature_name(std::int32_t feature);

// A float as the shortest decimal that reads back as the same float (0.1f as 0.1), for dumps.
nlohmann::json shortest_float(float value);

}  // namespace tern
