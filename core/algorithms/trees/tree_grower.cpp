#include "core/algorithms/trees/tree_grower.h"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "core/algorithms/trees/row_shares.h"
#include "core/error.h"
#include "core/random/random.h"

namespace tern {

namespace {

constexpr std::int64_t kRowsPerPartitionThread = 65536;
constexpr std::size_t kValuesPerSubtractionThread = 1 << 16;

// The sums over all of a node's rows: those over every slot of one feature.
StatisticSums node_total(const Histogram& histogram, const HistogramLayout& layout, std::int64_t width) {
  StatisticSums total(static_cast<std::size_t>(width), 0);
  if (layout.features().empty()) return total;
  for (std::int64_t slot = 0; slot < layout.offsets()[1]; ++slot)
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
    : matrix_(matrix), comm_(comm), criterion_(criterion), config_(config), feature_shares_(matrix, comm.size()) {}

RegressionTree TreeGrower::grow(std::span<const RowIndex> rows, const RowStatistics& statistics,
                                const FixedPointScales& scales, const std::vector<std::int64_t>& features,
                                std::int64_t tree_index) {
  TERN_CHECK(statistics.width == criterion_.width() && scales.width() == criterion_.width(), "trees: statistics of width ",
             statistics.width, " for a criterion of width ", criterion_.width());
  positions_.assign(rows.begin(), rows.end());  // into the last tree's capacity: no fresh pages to fault in
  scratch_.resize(positions_.size());
  tree_features_ = features;
  tree_index_ = tree_index;
  level_features_.clear();
  leaves_.clear();
  const auto level_size = column_count(config_.colsample_bylevel, static_cast<std::int64_t>(features.size()));
  subtracting_ = node_feature_count(level_size) >= level_size;
  RegressionTree tree(criterion_.outputs());
  const std::int64_t weight = criterion_.weight_column();
  const auto set_cover = [&](const OpenNode& node) {
    tree.node(node.id).cover = static_cast<float>(scales.value(weight, node.total[static_cast<std::size_t>(weight)]));
  };

  OpenNode root;
  root.end = static_cast<std::int64_t>(positions_.size());
  root.features = node_features(0, 0);
  root.layout = subtracting_ ? HistogramLayout(matrix_) : HistogramLayout(matrix_, root.features);
  const std::span<const RowIndex> all_rows(positions_);
  root.histogram = spare_histogram();
  Histogram* root_histogram = &root.histogram;
  const HistogramLayout* root_layout = &root.layout;
  build_histograms(matrix_, {&root_layout, 1}, {&all_rows, 1}, statistics, {&root_histogram, 1});
  reduce_scatter_histograms({&root_histogram, 1}, {&root_layout, 1}, criterion_.width(), feature_shares_, comm_);
  // The root's sums, from the slots of its first feature on the rank that holds that feature's.
  root.total = node_total(root.histogram, root.layout, criterion_.width());
  if (comm_.size() > 1 && !root.layout.features().empty())
    comm_.broadcast(root.total.data(), static_cast<std::int64_t>(root.total.size() * sizeof(std::int64_t)),
                    feature_shares_.owner(root.layout.features().front()));
  set_cover(root);
  find_splits({&root, 1}, tree, scales);

  std::vector<double> sums(static_cast<std::size_t>(criterion_.width()));
  const auto make_leaf = [&](OpenNode& node) {
    recycle(std::move(node.histogram));
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
    std::vector<OpenNode> children = expand(batch, tree, statistics, scales);
    for (const OpenNode& child : children) set_cover(child);
    find_splits(children, tree, scales);
    open = std::move(waiting);
    for (OpenNode& child : children) open.push_back(std::move(child));
  }
  for (OpenNode& node : open) make_leaf(node);
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

bool TreeGrower::searchable(const StatisticSums& total, std::int64_t depth, const FixedPointScales& scales) const {
  if (config_.max_depth > 0 && depth >= config_.max_depth) return false;
  std::vector<double> sums(total.size());
  scales.values(total.data(), sums.data());
  return criterion_.size(sums.data()) >= config_.min_split_size && criterion_.splittable(sums.data());
}

void TreeGrower::find_splits(std::span<OpenNode> nodes, const RegressionTree& tree, const FixedPointScales& scales) {
  // The searches of this rank's share of each node's features: a node a thread when there are
  // enough nodes, else one node after another, each with its features shared over the threads
  // (not from inside an if-false parallel region: libgomp starts fresh threads for a region
  // nested in one).
  const auto search = [&](OpenNode& node) {
    if (!searchable(node.total, tree.node(node.id).depth, scales)) return;  // it stays a leaf
    node.split = best_split(node.histogram, node.layout, matrix_, node.total,
                            feature_shares_.of_rank(node.features, comm_.rank()), scales, criterion_);
  };
  if (static_cast<int>(nodes.size()) >= omp_get_max_threads()) {
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t i = 0; i < nodes.size(); ++i) search(nodes[i]);
  } else {
    for (OpenNode& node : nodes) search(node);
  }
  if (comm_.size() == 1) return;
  // Every rank's best to every rank, as [loss change's bits, feature, bin, default left, left
  // sums, right sums] a node; the best of them wins: the largest loss change, ties to the lower
  // rank, whose features are the lower ones, so the winner is the split one rank searching every
  // feature would pick.
  const std::int64_t width = criterion_.width(), record = 4 + 2 * width;
  std::vector<std::int64_t> mine(nodes.size() * static_cast<std::size_t>(record), 0);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const SplitCandidate& split = nodes[i].split;
    std::int64_t* out = mine.data() + static_cast<std::int64_t>(i) * record;
    out[0] = std::bit_cast<std::int64_t>(split.loss_change);
    out[1] = split.feature;
    out[2] = split.bin;
    out[3] = split.default_left ? 1 : 0;
    if (split.found()) {
      std::copy(split.left.begin(), split.left.end(), out + 4);
      std::copy(split.right.begin(), split.right.end(), out + 4 + width);
    }
  }
  std::vector<std::int64_t> all(mine.size() * static_cast<std::size_t>(comm_.size()));
  comm_.allgather(mine.data(), static_cast<std::int64_t>(mine.size()), CommType::i64, all.data());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    SplitCandidate best;
    for (int r = 0; r < comm_.size(); ++r) {
      const std::int64_t* in = all.data() + (static_cast<std::int64_t>(r) * static_cast<std::int64_t>(nodes.size()) +
                                            static_cast<std::int64_t>(i)) * record;
      const auto loss_change = std::bit_cast<double>(in[0]);
      if (in[1] < 0 || (best.found() && loss_change <= best.loss_change)) continue;
      best = {loss_change, in[1], in[2], in[3] != 0, StatisticSums(in + 4, in + 4 + width),
              StatisticSums(in + 4 + width, in + 4 + 2 * width)};
    }
    nodes[i].split = std::move(best);
  }
}

std::int64_t TreeGrower::node_feature_count(std::int64_t level_size) const {
  return config_.max_features > 0 ? std::min(config_.max_features, level_size)
                                  : column_count(config_.colsample_bynode, level_size);
}

std::vector<std::int64_t> TreeGrower::node_features(std::int64_t depth, std::int32_t node_id) {
  const std::vector<std::int64_t>& level = level_features(depth);
  return sample_columns(level, node_feature_count(static_cast<std::int64_t>(level.size())), config_.seed,
                        stream_id("gbdt.colsample_bynode/" + std::to_string(tree_index_) + "/" + std::to_string(node_id)));
}

const std::vector<std::int64_t>& TreeGrower::level_features(std::int64_t depth) {
  while (static_cast<std::int64_t>(level_features_.size()) <= depth) {
    const auto level = static_cast<std::int64_t>(level_features_.size());
    level_features_.push_back(sample_columns(
        tree_features_, column_count(config_.colsample_bylevel, static_cast<std::int64_t>(tree_features_.size())),
        config_.seed,
        stream_id("gbdt.colsample_bylevel/" + std::to_string(tree_index_) + "/" + std::to_string(level))));
  }
  return level_features_[static_cast<std::size_t>(depth)];
}

std::vector<TreeGrower::OpenNode> TreeGrower::expand(std::vector<OpenNode>& batch, RegressionTree& tree,
                                                     const RowStatistics& statistics, const FixedPointScales& scales) {
  for (const OpenNode& node : batch) {
    const SplitCandidate& split = node.split;
    tree.split(node.id, static_cast<std::int32_t>(split.feature), static_cast<std::int32_t>(split.bin),
               matrix_.cuts().upper_bound(split.feature, split.bin), split.default_left,
               static_cast<float>(split.loss_change));
  }
  // Each rank splits its rows of every node, the rows shared evenly over the threads.
  const std::vector<std::int64_t> middles = partition(batch, tree);
  std::vector<OpenNode> children;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const OpenNode& node = batch[i];
    const std::int32_t left_id = tree.node(node.id).left;
    OpenNode left, right;
    left.id = left_id;
    left.begin = node.begin;
    left.end = middles[i];
    left.total = node.split.left;
    right.id = left_id + 1;
    right.begin = middles[i];
    right.end = node.end;
    right.total = node.split.right;
    children.push_back(std::move(left));
    children.push_back(std::move(right));
  }
  // Which children get a histogram built from their rows: only those that will be searched
  // (not at max_depth, heavy enough, not pure); with subtraction, the lighter child of each pair
  // with one to search, its sibling's then being the parent's minus it.
  const std::int64_t depth = tree.node(children.front().id).depth;
  std::vector<std::size_t> built;
  std::vector<char> searched(children.size());
  for (std::size_t c = 0; c < children.size(); ++c) {
    searched[c] = searchable(children[c].total, depth, scales) ? 1 : 0;
    if (searched[c] != 0) children[c].features = node_features(depth, children[c].id);
  }
  for (std::size_t pair = 0; pair < batch.size(); ++pair) {
    const std::size_t left = 2 * pair, right = left + 1;
    if (subtracting_) {
      if (searched[left] == 0 && searched[right] == 0) continue;
      const auto weight = static_cast<std::size_t>(criterion_.weight_column());
      built.push_back(children[left].total[weight] <= children[right].total[weight] ? left : right);
    } else {
      for (const std::size_t c : {left, right})
        if (searched[c] != 0) built.push_back(c);
    }
  }
  std::vector<Histogram*> histograms;
  std::vector<const HistogramLayout*> layouts;
  std::vector<std::span<const RowIndex>> row_runs;
  for (const std::size_t index : built) {
    OpenNode& child = children[index];
    child.layout = subtracting_ ? batch[index / 2].layout : HistogramLayout(matrix_, child.features);
    row_runs.push_back(std::span<const RowIndex>(positions_).subspan(static_cast<std::size_t>(child.begin),
                                                                         static_cast<std::size_t>(child.end - child.begin)));
    child.histogram = spare_histogram();
    histograms.push_back(&child.histogram);
    layouts.push_back(&child.layout);
  }
  build_histograms(matrix_, layouts, row_runs, statistics, histograms);
  reduce_scatter_histograms(histograms, layouts, criterion_.width(), feature_shares_, comm_);
  if (subtracting_) {
    std::size_t values = 0;
    for (const std::size_t index : built) {
      OpenNode& sibling = children[index ^ 1];  // children 2·pair and 2·pair + 1
      sibling.histogram = std::move(batch[index / 2].histogram);
      sibling.layout = std::move(batch[index / 2].layout);
      values += sibling.histogram.size();
    }
    // The subtractions, each histogram's slots shared over the threads when there are enough of
    // them (wide data's histograms are megabytes).
#pragma omp parallel if (values >= kValuesPerSubtractionThread)
    for (const std::size_t index : built) {
      Histogram& histogram = children[index ^ 1].histogram;
      const Histogram& subtracted = children[index].histogram;
#pragma omp for schedule(static)
      for (std::size_t slot = 0; slot < histogram.size(); ++slot) histogram[slot] -= subtracted[slot];
    }
  }
  for (OpenNode& parent : batch) recycle(std::move(parent.histogram));  // those not passed on
  return children;
}

Histogram TreeGrower::spare_histogram() {
  if (spare_histograms_.empty()) return {};
  Histogram histogram = std::move(spare_histograms_.back());
  spare_histograms_.pop_back();
  return histogram;
}

void TreeGrower::recycle(Histogram&& histogram) {
  if (histogram.capacity() > 0) spare_histograms_.push_back(std::move(histogram));
  histogram = Histogram();
}

std::vector<std::int64_t> TreeGrower::partition(const std::vector<OpenNode>& batch, const RegressionTree& tree) {
  if (matrix_.wide()) return partition_by<std::uint16_t>(batch, tree);
  return partition_by<std::uint8_t>(batch, tree);
}

template <typename BinType>
std::vector<std::int64_t> TreeGrower::partition_by(const std::vector<OpenNode>& batch, const RegressionTree& tree) {
  std::vector<std::int64_t> counts;
  for (const OpenNode& node : batch) counts.push_back(node.end - node.begin);
  const int threads = threads_for_rows(counts, kRowsPerPartitionThread);
  const std::vector<std::vector<RowShare>> shares = share_rows(counts, threads);
  const std::vector<std::vector<SharePlace>> parts = node_parts(shares, batch.size());
  std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> sides(shares.size());  // (lefts, rights)
  for (std::size_t t = 0; t < shares.size(); ++t) sides[t].resize(shares[t].size());
  std::vector<std::int64_t> middles(batch.size());
  // Each thread splits the rows of each of its shares: the left ones stay, moved up to the
  // share's start, the right ones go to the share's stretch of the scratch list. Then each
  // node's lefts close up, share after share, and its rights follow.
  const auto split_share = [&](std::size_t t, std::size_t i) {
    const RowShare& share = shares[t][i];
    const OpenNode& node = batch[share.node];
    const TreeNode& split = tree.node(node.id);
    const BinType* bins = matrix_.column<BinType>(split.feature);
    const std::int64_t missing = matrix_.missing_bin(split.feature), last_left = split.split_bin;
    const std::int64_t missing_right = split.default_left ? 0 : 1;
    RowIndex* rows = positions_.data() + node.begin + share.begin;
    RowIndex* scratch = scratch_.data() + node.begin + share.begin;
    const std::int64_t count = share.end - share.begin;
    // Branch-free: which side a row takes is as unpredictable as a coin, so the side is
    // computed as 0 or 1 by arithmetic (a conditional here compiles to a branch, and its
    // mispredictions cost four times the loop), each row is written to both places, and
    // only its side's count moves on.
    std::int64_t lefts = 0, rights = 0;
    for (std::int64_t j = 0; j < count; ++j) {
      const RowIndex row = rows[j];
      const std::int64_t bin = bins[row];
      const std::int64_t is_missing = bin == missing ? 1 : 0;
      const std::int64_t goes_right = (is_missing & missing_right) | ((1 - is_missing) & (bin > last_left ? 1 : 0));
      rows[lefts] = row;
      scratch[rights] = row;
      lefts += 1 - goes_right;
      rights += goes_right;
    }
    sides[t][i] = {lefts, rights};
  };
#pragma omp parallel num_threads(threads)
  {
    // A team smaller than asked for (OMP_DYNAMIC, a thread limit) still takes every share.
    for (auto t = static_cast<std::size_t>(omp_get_thread_num()); t < shares.size();
         t += static_cast<std::size_t>(omp_get_num_threads()))
      for (std::size_t i = 0; i < shares[t].size(); ++i) split_share(t, i);
#pragma omp barrier
#pragma omp for schedule(dynamic, 1)
    for (std::size_t n = 0; n < batch.size(); ++n) {
      RowIndex* rows = positions_.data() + batch[n].begin;
      const RowIndex* scratch = scratch_.data() + batch[n].begin;
      std::int64_t at = 0;
      for (const auto& [thread, i] : parts[n]) {
        const std::int64_t begin = shares[thread][i].begin, lefts = sides[thread][i].first;
        if (at < begin) std::copy_n(rows + begin, lefts, rows + at);  // forward, to an earlier place: safe
        at += lefts;
      }
      middles[n] = batch[n].begin + at;
      for (const auto& [thread, i] : parts[n]) {
        const std::int64_t rights = sides[thread][i].second;
        std::copy_n(scratch + shares[thread][i].begin, rights, rows + at);
        at += rights;
      }
    }
  }
  return middles;
}

}  // namespace tern
