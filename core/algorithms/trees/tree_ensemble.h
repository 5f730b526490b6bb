// TreeEnsemble: the trees of a boosted (or averaged) model and how they turn a row into
// margins. Tree t adds its leaf value to output t mod outputs (one tree per class and round for
// a multiclass model), starting from a base margin:
//
//   margin_k(x) = base + Σ_{t ≡ k} leaf_t(x)          (summed in float, in tree order)
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
  std::int64_t rounds() const { return static_cast<std::int64_t>(trees_.size()) / outputs_; }

  void add(RegressionTree tree) { trees_.push_back(std::move(tree)); }
  // Keeps the first `rounds` rounds' trees (early stopping's best iteration).
  void truncate(std::int64_t rounds);

  // f32 [rows, outputs] margins of data's rows.
  Tensor margins(const Dataset& data) const;
  // f32 [rows, trees]: the leaf (node id) each tree sends each row to.
  Tensor leaf_indices(const Dataset& data) const;
  // {"weight": {"f0": ..}, "gain": .., "cover": .., "total_gain": .., "total_cover": ..} over the
  // features used in a split.
  nlohmann::json feature_importance() const;
  // The trees as XGBoost dumps them (regression_tree.h).
  nlohmann::json dump() const;

  // Model-file tensors under `prefix` ("gbdt/"): node_offsets [trees + 1] and per node left,
  // right, feature, threshold, default_left, value, gain, cover, depth.
  void save(ModelFile& file, const std::string& prefix) const;
  static TreeEnsemble load(const ModelFile& file, const std::string& prefix, std::int64_t outputs, float base_margin,
                           std::int64_t num_features);

 private:
  std::int64_t outputs_ = 1;
  float base_margin_ = 0.0f;
  std::vector<RegressionTree> trees_;
};

}  // namespace tern
