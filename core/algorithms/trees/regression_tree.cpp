#include "core/algorithms/trees/regression_tree.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "core/error.h"

namespace tern {

RegressionTree::RegressionTree(std::vector<TreeNode> nodes, std::vector<float> values)
    : outputs_(nodes.empty() ? 1 : static_cast<std::int64_t>(values.size() / nodes.size())), nodes_(std::move(nodes)),
      values_(std::move(values)) {
  const auto count = static_cast<std::int32_t>(nodes_.size());
  TERN_CHECK(count >= 1, "tree: no nodes");
  TERN_CHECK(outputs_ >= 1 && values_.size() == static_cast<std::size_t>(count * outputs_), "tree: ", values_.size(),
             " leaf values for ", count, " nodes");
  for (std::int32_t id = 0; id < count; ++id) {
    const TreeNode& at = nodes_[static_cast<std::size_t>(id)];
    if (at.is_leaf()) continue;
    TERN_CHECK(at.left > id && at.left < count && at.right > id && at.right < count && at.feature >= 0,
               "tree: node ", id, " has children ", at.left, ", ", at.right, " and feature ", at.feature, " of ", count,
               " nodes");
  }
}

std::int32_t RegressionTree::split(std::int32_t id, std::int32_t feature, std::int32_t bin, float threshold,
                                   bool default_left, float gain) {
  const auto left = static_cast<std::int32_t>(nodes_.size());
  const std::int32_t depth = node(id).depth + 1;
  TreeNode& parent = node(id);
  parent.left = left;
  parent.right = left + 1;
  parent.feature = feature;
  parent.split_bin = bin;
  parent.threshold = threshold;
  parent.default_left = default_left;
  parent.gain = gain;
  TreeNode child;
  child.depth = depth;
  nodes_.push_back(child);
  nodes_.push_back(child);
  std::fill(values_.begin() + id * outputs_, values_.begin() + (id + 1) * outputs_, 0.0f);
  values_.resize(nodes_.size() * static_cast<std::size_t>(outputs_), 0.0f);
  return left;
}

std::string feature_name(std::int32_t feature) {
  std::string name = std::to_string(feature);
  return name.insert(0, 1, 'f');  // not "f" + ...: GCC 12 warns falsely (-Wrestrict) on that
}

nlohmann::json RegressionTree::dump() const { return dump_node(0); }

nlohmann::json RegressionTree::dump_node(std::int32_t id) const {
  const TreeNode& at = node(id);
  if (at.is_leaf()) {
    nlohmann::json leaf = nlohmann::json::array();
    for (const float value : leaf_values(id)) leaf.push_back(shortest_float(value));
    return {{"nodeid", id}, {"leaf", outputs_ == 1 ? leaf[0] : leaf}, {"cover", shortest_float(at.cover)}};
  }
  return {{"nodeid", id},
          {"depth", at.depth},
          {"split", feature_name(at.feature)},
          {"split_condition", shortest_float(at.threshold)},
          {"yes", at.left},
          {"no", at.right},
          {"missing", at.default_left ? at.left : at.right},
          {"gain", shortest_float(at.gain)},
          {"cover", shortest_float(at.cover)},
          {"children", nlohmann::json::array({dump_node(at.left), dump_node(at.right)})}};
}

nlohmann::json shortest_float(float value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::stod(std::string(text, result.ptr));
}

}  // namespace tern
