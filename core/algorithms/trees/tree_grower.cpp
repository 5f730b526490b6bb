#include "core/algorithms/trees/tree_grower.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/random/random.h"

namespace tern {

namespace {

constexpr std::int64_t kRowsPerPartitionThread = 65536;
constexpr std::int64_t kPrefetchRows = 16;  // a node's rows are scattered over the matrix

// The sums over all of a node's rows: those over every slot of one feature.
StatisticSums node_total(const Histogram& histogram, const BinnedMatrix& matrix, std::int64_t width) {
  StatisticSums total(static_cast<std::size_t>(width), 0);
  if (matrix.features() == 0) return total;
  for (std::int64_t slot = 0; slot < matrix.slot_offset(1); ++slot)
    for (std::int64_t c = 0; c < width; ++c) total[static_cast<std::size_t>(c)] += histogram[static_cast<std::size_t>(slot * width + c)];
  return total;
}

}  // namespace

std::int64_t column_count(double fraction, std::int64_t columns) {
  if (fraction >= 1.0) return columns;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(fraction * static_cast<double>(columns))));
}

std::vector<std::int64_t> sample_columns(const std::vector<std::int64_t>& from, std::int64_t count, std::uint64_t seed,
                                         std::uint64_t stream) {
  if (count >= static_cast<std::int64_t>(from.size())) return from;
  const std::vector<std::int64_t> order = random_permutation(static_cast<std::int64_t>(from.size()), seed, stream);
  std::vector<std::int64_t> picked;
  for (std::int64_t i = 0; i < count; ++i) picked.push_back(from[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])]);
  std::sort(picked.begin(), picked.end());
  return picked;
}

TreeGrower::TreeGrower(const BinnedMatrix& matrix, Communicator& comm, const SplitCriterion& criterion,
                       TreeGrowthConfig config)
    : matrix_(matrix), comm_(comm), criterion_(criterion), config_(config) {}

RegressionTree TreeGrower::grow(std::vector<RowIndex> rows, const RowStatistics& statistics,
                                const FixedPointScales& scales, const std::vector<std::int64_t>& features,
                                std::int64_t tree_index) {
  TERN_CHECK(statistics.width == criterion_.width() && scales.width() == criterion_.width(), "trees: statistics of width ",
             statistics.width, " for a criterion of width ", criterion_.width());
  positions_ = std::move(rows);
  tree_features_ = features;
  level_features_.clear();
  leaves_.clear();
  RegressionTree tree(criterion_.outputs());
  const std::int64_t weight = criterion_.width() - 1;
  const auto set_cover = [&](const OpenNode& node) {
    tree.node(node.id).cover = static_cast<float>(scales.value(weight, node.total[static_cast<std::size_t>(weight)]));
  };

  OpenNode root;
  root.end = static_cast<std::int64_t>(positions_.size());
  const std::span<const RowIndex> all_rows(positions_);
  Histogram* root_histogram = &root.histogram;
  build_histograms(matrix_, {&all_rows, 1}, statistics, {&root_histogram, 1});
  allreduce_histograms({&root_histogram, 1}, comm_);
  root.total = node_total(root.histogram, matrix_, criterion_.width());
  set_cover(root);
  evaluate(root, tree, scales, tree_index);

  std::vector<double> sums(static_cast<std::size_t>(criterion_.width()));
  const auto make_leaf = [&](const OpenNode& node) {
    scales.values(node.total.data(), sums.data());
    criterion_.leaf(sums.data(), tree.leaf_values(node.id).data());
    leaves_.push_back({node.id, {node.begin, node.end}});
  };
  const auto room_for_leaf = [&](std::int64_t leaves) { return config_.max_leaves == 0 || leaves < config_.max_leaves; };

  std::vector<OpenNode> open;
  open.push_back(std::move(root));
  std::int64_t leaves = 1;
  while (!open.empty()) {
    std::vector<OpenNode> batch, waiting;
    if (config_.lossguide) {
      std::int64_t best = -1;
      for (std::size_t i = 0; i < open.size(); ++i) {
        if (!expandable(open[i], tree)) continue;
        if (best < 0 || open[i].split.loss_change > open[static_cast<std::size_t>(best)].split.loss_change)
          best = static_cast<std::int64_t>(i);
      }
      if (best < 0 || !room_for_leaf(leaves)) break;
      for (std::size_t i = 0; i < open.size(); ++i)
        (static_cast<std::int64_t>(i) == best ? batch : waiting).push_back(std::move(open[i]));
      leaves += 1;
    } else {
      for (OpenNode& node : open) {
        if (expandable(node, tree) && room_for_leaf(leaves)) {
          batch.push_back(std::move(node));
          leaves += 1;
        } else {
          make_leaf(node);
        }
      }
      if (batch.empty()) {
        open.clear();
        break;
      }
    }
    std::vector<OpenNode> children = expand(batch, tree, statistics);
    for (const OpenNode& child : children) set_cover(child);
    // The children's split searches, a child a thread (their level's columns drawn first).
    level_features(tree.node(children.front().id).depth, tree_index);
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t i = 0; i < children.size(); ++i) evaluate(children[i], tree, scales, tree_index);
    open = std::move(waiting);
    for (OpenNode& child : children) open.push_back(std::move(child));
  }
  for (const OpenNode& node : open) make_leaf(node);
  std::sort(leaves_.begin(), leaves_.end());
  return tree;
}

std::vector<std::pair<std::int32_t, std::span<const RowIndex>>> TreeGrower::leaf_rows() const {
  std::vector<std::pair<std::int32_t, std::span<const RowIndex>>> rows;
  for (const auto& [id, run] : leaves_)
    rows.emplace_back(id, std::span<const RowIndex>(positions_).subspan(static_cast<std::size_t>(run.first),
                                                                           static_cast<std::size_t>(run.second - run.first)));
  return rows;
}

bool TreeGrower::expandable(const OpenNode& node, const RegressionTree& tree) const {
  const std::int64_t depth = tree.node(node.id).depth;
  return node.split.found() && node.split.loss_change >= config_.min_split_loss &&
         (config_.max_depth == 0 || depth < config_.max_depth);
}

void TreeGrower::evaluate(OpenNode& node, const RegressionTree& tree, const FixedPointScales& scales,
                          std::int64_t tree_index) {
  const std::int64_t depth = tree.node(node.id).depth;
  if (config_.max_depth > 0 && depth >= config_.max_depth) return;  // it stays a leaf: no search needed
  if (scales.value(scales.width() - 1, node.total.back()) < config_.min_split_weight) return;
  const std::vector<std::int64_t>& level = level_features(depth, tree_index);
  const std::int64_t count = config_.max_features > 0 ? config_.max_features
                                                       : column_count(config_.colsample_bynode, static_cast<std::int64_t>(level.size()));
  const std::vector<std::int64_t> features = sample_columns(
      level, count, config_.seed,
      stream_id("gbdt.colsample_bynode/" + std::to_string(tree_index) + "/" + std::to_string(node.id)));
  node.split = best_split(node.histogram, matrix_, node.total, features, scales, criterion_);
}

const std::vector<std::int64_t>& TreeGrower::level_features(std::int64_t depth, std::int64_t tree_index) {
  while (static_cast<std::int64_t>(level_features_.size()) <= depth) {
    const auto level = static_cast<std::int64_t>(level_features_.size());
    level_features_.push_back(sample_columns(
        tree_features_, column_count(config_.colsample_bylevel, static_cast<std::int64_t>(tree_features_.size())),
        config_.seed,
        stream_id("gbdt.colsample_bylevel/" + std::to_string(tree_index) + "/" + std::to_string(level))));
  }
  return level_features_[static_cast<std::size_t>(depth)];
}

std::vector<TreeGrower::OpenNode> TreeGrower::expand(std::vector<OpenNode>& batch, RegressionTree& tree,
                                                     const RowStatistics& statistics) {
  for (const OpenNode& node : batch) {
    const SplitCandidate& split = node.split;
    tree.split(node.id, static_cast<std::int32_t>(split.feature), static_cast<std::int32_t>(split.bin),
               matrix_.cuts().upper_bound(split.feature, split.bin), split.default_left,
               static_cast<float>(split.loss_change));
  }
  // Each rank splits its rows of every node: the threads take whole nodes when there are enough
  // of them, else each node's rows are split over the threads.
  const auto nodes = static_cast<std::int64_t>(batch.size());
  std::vector<std::int64_t> middles(batch.size());
  if (nodes >= omp_get_max_threads()) {
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t i = 0; i < nodes; ++i)
      middles[static_cast<std::size_t>(i)] = partition(batch[static_cast<std::size_t>(i)], tree.node(batch[static_cast<std::size_t>(i)].id), 1);
  } else {
    for (std::int64_t i = 0; i < nodes; ++i) {
      const OpenNode& node = batch[static_cast<std::size_t>(i)];
      const int threads = static_cast<int>(
          std::clamp<std::int64_t>((node.end - node.begin) / kRowsPerPartitionThread, 1, omp_get_max_threads()));
      middles[static_cast<std::size_t>(i)] = partition(node, tree.node(node.id), threads);
    }
  }
  std::vector<OpenNode> children;
  std::vector<std::size_t> built;  // which child of each pair got its histogram from rows
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const OpenNode& node = batch[i];
    const SplitCandidate& split = node.split;
    const std::int32_t left_id = tree.node(node.id).left;
    const std::int64_t middle = middles[i];
    OpenNode left, right;
    left.id = left_id;
    left.begin = node.begin;
    left.end = middle;
    left.total = split.left;
    right.id = left_id + 1;
    right.begin = middle;
    right.end = node.end;
    right.total = split.right;
    const std::size_t weight = left.total.size() - 1;
    built.push_back(children.size() + (left.total[weight] <= right.total[weight] ? 0 : 1));
    children.push_back(std::move(left));
    children.push_back(std::move(right));
  }
  // Children at max_depth stay leaves: nothing will read their histograms.
  const std::int64_t child_depth = tree.node(children.front().id).depth;
  if (config_.max_depth > 0 && child_depth >= config_.max_depth) return children;
  std::vector<Histogram*> from_rows;
  std::vector<std::span<const RowIndex>> row_runs;
  for (const std::size_t index : built) {
    OpenNode& child = children[index];
    row_runs.push_back(std::span<const RowIndex>(positions_).subspan(static_cast<std::size_t>(child.begin),
                                                                         static_cast<std::size_t>(child.end - child.begin)));
    from_rows.push_back(&child.histogram);
  }
  build_histograms(matrix_, row_runs, statistics, from_rows);
  allreduce_histograms(from_rows, comm_);
  for (std::size_t pair = 0; pair < batch.size(); ++pair) {
    const std::size_t index = built[pair], sibling = index ^ 1;  // children 2·pair and 2·pair + 1
    Histogram& histogram = children[sibling].histogram;
    histogram = std::move(batch[pair].histogram);
    const Histogram& subtracted = children[index].histogram;
    for (std::size_t slot = 0; slot < histogram.size(); ++slot) histogram[slot] -= subtracted[slot];
  }
  return children;
}

std::int64_t TreeGrower::partition(const OpenNode& node, const TreeNode& split, int threads) {
  if (matrix_.wide()) return partition_by<std::uint16_t>(node, split, threads);
  return partition_by<std::uint8_t>(node, split, threads);
}

template <typename BinType>
std::int64_t TreeGrower::partition_by(const OpenNode& node, const TreeNode& split, int threads) {
  const BinType* bins = matrix_.column<BinType>(split.feature);
  const std::int64_t missing = matrix_.missing_bin(split.feature);
  const std::int64_t last_left = split.split_bin;
  const bool default_left = split.default_left;
  const std::int64_t count = node.end - node.begin;
  RowIndex* rows = positions_.data() + node.begin;
  // Each thread splits its block of rows: the left ones stay, moved up to the block's start, the
  // right ones go to its own list; then the lefts of all blocks close up, and the rights follow.
  std::vector<std::vector<RowIndex>> right(static_cast<std::size_t>(threads));
  std::vector<std::int64_t> left_count(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    const std::int64_t begin = count * t / threads, end = count * (t + 1) / threads;
    std::vector<RowIndex>& rights = right[static_cast<std::size_t>(t)];
    rights.resize(static_cast<std::size_t>(end - begin));
    // Branch-free: each row is written to both places and only its side's count moves on,
    // since which side a row takes is as unpredictable as a coin.
    std::int64_t lefts = 0, right_count = 0;
    for (std::int64_t i = begin; i < end; ++i) {
      if (i + kPrefetchRows < end) __builtin_prefetch(bins + rows[i + kPrefetchRows]);
      const RowIndex row = rows[i];
      const std::int64_t bin = bins[row];
      const bool goes_left = (bin == missing) ? default_left : bin <= last_left;
      rows[begin + lefts] = row;
      rights[static_cast<std::size_t>(right_count)] = row;
      lefts += goes_left ? 1 : 0;
      right_count += goes_left ? 0 : 1;
    }
    rights.resize(static_cast<std::size_t>(right_count));
    left_count[static_cast<std::size_t>(t)] = lefts;
  }
  std::int64_t at = 0;
  for (int t = 0; t < threads; ++t) {
    const std::int64_t begin = count * t / threads;
    std::copy_n(rows + begin, left_count[static_cast<std::size_t>(t)], rows + at);  // at <= begin: safe
    at += left_count[static_cast<std::size_t>(t)];
  }
  const std::int64_t middle = node.begin + at;
  for (const auto& rights : right) {
    std::copy(rights.begin(), rights.end(), rows + at);
    at += static_cast<std::int64_t>(rights.size());
  }
  return middle;
}

}  // namespace tern
