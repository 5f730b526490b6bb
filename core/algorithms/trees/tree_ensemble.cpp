#include "core/algorithms/trees/tree_ensemble.h"

#include <map>

#include "core/error.h"

namespace tern {

namespace {

constexpr std::int32_t kLargestExactCount = 1 << 24;  // float32 holds every integer below it

}  // namespace

void TreeEnsemble::add(RegressionTree tree, float weight) {
  TERN_CHECK(tree.outputs() == 1 || tree.outputs() == outputs_, "tree ensemble: a tree of ", tree.outputs(),
             " values a leaf in an ensemble of ", outputs_, " outputs");
  TERN_CHECK(trees_.empty() || trees_.front().outputs() == tree.outputs(), "tree ensemble: trees of ",
             trees_.front().outputs(), " and ", tree.outputs(), " values a leaf");
  trees_.push_back(std::move(tree));
  tree_weights_.push_back(weight);
}

void TreeEnsemble::scale_weights(double factor) {
  for (float& weight : tree_weights_) weight = static_cast<float>(weight * factor);
}

void TreeEnsemble::truncate(std::int64_t rounds) {
  TERN_CHECK(rounds >= 0 && rounds <= this->rounds(), "tree ensemble: cannot keep ", rounds, " of ", this->rounds(),
             " rounds");
  trees_.resize(static_cast<std::size_t>(rounds * trees_per_round()));
  tree_weights_.resize(trees_.size());
}

Tensor TreeEnsemble::margins(const Dataset& data) const {
  const std::int64_t rows = data.rows(), features = data.num_features();
  Tensor margins = Tensor::full({rows, outputs_}, base_margin_);
  const float* values = data.features.data<float>();
  float* out = margins.data<float>();
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row_margins = out + r * outputs_;
    for (std::size_t t = 0; t < trees_.size(); ++t) {
      const RegressionTree& tree = trees_[t];
      const std::span<const float> leaf = tree.leaf_values(tree.leaf_of(values + r * features));
      const float weight = tree_weights_[t];
      if (leaf.size() == 1) row_margins[static_cast<std::int64_t>(t) % outputs_] += weight * leaf[0];
      else
        for (std::size_t k = 0; k < leaf.size(); ++k) row_margins[k] += weight * leaf[k];
    }
  }
  return margins;
}

Tensor TreeEnsemble::leaf_indices(const Dataset& data) const {
  const std::int64_t rows = data.rows(), features = data.num_features();
  const auto trees = static_cast<std::int64_t>(trees_.size());
  Tensor leaves = Tensor::empty({rows, trees});
  const float* values = data.features.data<float>();
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t t = 0; t < trees; ++t)
      leaves.data<float>()[r * trees + t] = static_cast<float>(trees_[static_cast<std::size_t>(t)].leaf_of(values + r * features));
  return leaves;
}

nlohmann::json TreeEnsemble::feature_importance() const {
  struct Totals {
    std::int64_t splits = 0;
    double gain = 0.0, cover = 0.0;
  };
  std::map<std::int32_t, Totals> by_feature;
  for (const RegressionTree& tree : trees_)
    for (const TreeNode& node : tree.nodes()) {
      if (node.is_leaf()) continue;
      Totals& totals = by_feature[node.feature];
      totals.splits += 1;
      totals.gain += node.gain;
      totals.cover += node.cover;
    }
  nlohmann::json importance = {{"weight", nlohmann::json::object()}, {"gain", nlohmann::json::object()},
                                {"cover", nlohmann::json::object()}, {"total_gain", nlohmann::json::object()},
                                {"total_cover", nlohmann::json::object()}};
  for (const auto& [feature, totals] : by_feature) {
    const std::string name = feature_name(feature);
    importance["weight"][name] = totals.splits;
    importance["gain"][name] = totals.gain / static_cast<double>(totals.splits);
    importance["cover"][name] = totals.cover / static_cast<double>(totals.splits);
    importance["total_gain"][name] = totals.gain;
    importance["total_cover"][name] = totals.cover;
  }
  return importance;
}

std::string TreeEnsemble::readable_json(const nlohmann::json& description) const {
  TERN_CHECK(description.is_object() && !description.contains("trees"), "trees.json: the description is not an object "
             "without trees");
  std::string text = description.dump(1);
  text.erase(text.rfind('}'));  // reopened to append the trees, the last key in sorted order
  text += (description.empty() ? "" : ",\n") + std::string(" \"trees\": [");
  for (std::size_t t = 0; t < trees_.size(); ++t) text += (t == 0 ? "\n  " : ",\n  ") + trees_[t].dump().dump();
  return text + "\n ]\n}\n";
}

void TreeEnsemble::save(ModelFile& file, const std::string& prefix) const {
  std::vector<float> counts, left, right, feature, threshold, default_left, value, gain, cover, depth;
  for (const RegressionTree& tree : trees_) {
    TERN_CHECK(tree.size() < kLargestExactCount, "model: a tree of ", tree.size(), " nodes; a model file holds at most ",
               kLargestExactCount, " a tree (node numbers are float32)");
    for (const TreeNode& node : tree.nodes()) {
      left.push_back(static_cast<float>(node.left));
      right.push_back(static_cast<float>(node.right));
      feature.push_back(static_cast<float>(node.feature));
      threshold.push_back(node.threshold);
      default_left.push_back(node.default_left ? 1.0f : 0.0f);
      gain.push_back(node.gain);
      cover.push_back(node.cover);
      depth.push_back(static_cast<float>(node.depth));
    }
    value.insert(value.end(), tree.values().begin(), tree.values().end());
    counts.push_back(static_cast<float>(tree.size()));
  }
  const auto store = [&](const std::string& name, const std::vector<float>& values) {
    file.tensors.emplace(prefix + name, Tensor::from_values({static_cast<std::int64_t>(values.size())}, values));
  };
  store("node_counts", counts);
  store("left", left);
  store("right", right);
  store("feature", feature);
  store("threshold", threshold);
  store("default_left", default_left);
  store("value", value);
  store("gain", gain);
  store("cover", cover);
  store("depth", depth);
  store("tree_weights", tree_weights_);
}

TreeEnsemble TreeEnsemble::load(const ModelFile& file, const std::string& prefix, std::int64_t outputs,
                                float base_margin, std::int64_t num_features) {
  TreeEnsemble ensemble(outputs, base_margin);
  const std::span<const float> counts = file.tensor(prefix + "node_counts").values();
  std::vector<std::size_t> offsets = {0};  // where each tree's nodes start
  for (const float count : counts) offsets.push_back(offsets.back() + static_cast<std::size_t>(count));
  const std::size_t all_nodes = offsets.back();
  const auto column = [&](const std::string& name) {
    const std::span<const float> values = file.tensor(prefix + name).values();
    TERN_CHECK(values.size() == all_nodes, "model: ", prefix, name, " holds ", values.size(), " nodes, node_counts ",
               all_nodes);
    return values;
  };
  const auto left = column("left"), right = column("right"), feature = column("feature"),
             threshold = column("threshold"), default_left = column("default_left"), gain = column("gain"),
             cover = column("cover"), depth = column("depth");
  const std::span<const float> value = file.tensor(prefix + "value").values();
  const std::span<const float> weights = file.tensor(prefix + "tree_weights").values();
  TERN_CHECK(weights.size() == counts.size(), "model: ", prefix, "tree_weights holds ", weights.size(),
             " weights for ", counts.size(), " trees");
  const std::size_t width = all_nodes == 0 ? 1 : value.size() / all_nodes;
  TERN_CHECK(value.size() == all_nodes * width && (width == 1 || width == static_cast<std::size_t>(outputs)), "model: ",
             prefix, "value holds ", value.size(), " values for ", all_nodes, " nodes of ", outputs, " outputs");
  for (std::size_t t = 0; t + 1 < offsets.size(); ++t) {
    std::vector<TreeNode> nodes;
    for (std::size_t i = offsets[t]; i < offsets[t + 1]; ++i) {
      TreeNode node;
      node.left = static_cast<std::int32_t>(left[i]);
      node.right = static_cast<std::int32_t>(right[i]);
      node.feature = static_cast<std::int32_t>(feature[i]);
      node.threshold = threshold[i];
      node.default_left = default_left[i] != 0.0f;
      node.gain = gain[i];
      node.cover = cover[i];
      node.depth = static_cast<std::int32_t>(depth[i]);
      TERN_CHECK(node.is_leaf() || node.feature < num_features, "model: tree ", t, " splits on feature ", node.feature,
                 " of ", num_features);
      nodes.push_back(node);
    }
    const auto first = static_cast<std::ptrdiff_t>(offsets[t] * width),
               last = static_cast<std::ptrdiff_t>(offsets[t + 1] * width);
    ensemble.add(RegressionTree(std::move(nodes), std::vector<float>(value.begin() + first, value.begin() + last)),
                 weights[t]);
  }
  TERN_CHECK(width == static_cast<std::size_t>(outputs) || static_cast<std::int64_t>(ensemble.trees_.size()) % outputs == 0,
             "model: ", ensemble.trees_.size(), " trees is not a whole number of rounds of ", outputs);
  return ensemble;
}

}  // namespace tern
