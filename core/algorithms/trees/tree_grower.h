// TreeGrower: grows one tree by the histogram method over rows sharded across ranks, for
// boosting and for CART alike. Each rank holds its rows binned (binned_matrix.h) and their
// fixed-point statistics (histogram.h); the tree is built identically on every rank:
//
//   1. the root's histogram is built from the rank's rows and summed across ranks by a
//      reduce-scatter, each rank receiving the sums of its share of the features (histogram.h);
//   2. the split search (split_search.h) picks each open node's best split from its histogram,
//      scored by the criterion (split_criterion.h): each rank among its own features, then the
//      ranks exchange their best and all keep the same winner;
//   3. the nodes chosen for expansion are split, each rank partitioning its own rows; for each
//      split only the child with the smaller weight gets a histogram built from rows, and
//      after the one reduce-scatter of all those histograms, its sibling's is the parent's
//      minus it;
//   4. repeat from 2 until no node can be expanded.
//
// grow_policy depthwise expands all the open nodes of a level at once (one reduce-scatter a level);
// lossguide expands the open node with the largest loss change first (ties: the lower node
// id), up to max_leaves. A node is expanded when it has a split (split_search.h) that removes at
// least min_split_loss (gamma), its size (split_criterion.h) is at least min_split_size (CART's
// min_samples_split), and it is shallower than max_depth (0: no limit). Leaves get the
// criterion's values.
//
// Columns: the tree's features (colsample_bytree, drawn by the caller), a draw from them per
// level (colsample_bylevel) and from the level's per node (colsample_bynode, or max_features
// of them), each a seeded function of the tree, level and node, so the same on every rank.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/algorithms/trees/histogram.h"
#include "core/algorithms/trees/regression_tree.h"
#include "core/algorithms/trees/split_search.h"
#include "core/comm.h"

namespace tern {

struct TreeGrowthConfig {
  double min_split_loss = 0.0;    // gamma
  double min_split_size = 0.0;    // least size of a node that is split
  std::int64_t max_depth = 6;     // 0: no limit
  std::int64_t max_leaves = 0;    // 0: no limit
  bool lossguide = false;
  double colsample_bylevel = 1.0, colsample_bynode = 1.0;
  std::int64_t max_features = 0;  // columns a node draws (0: colsample_bynode of the level's)
  std::uint64_t seed = 0;
};

// max(1, ⌊fraction · columns⌋): how many columns a draw of `fraction` keeps.
std::int64_t column_count(double fraction, std::int64_t columns);

// A seeded draw of `count` of the columns `from`, in ascending order (all of them when count is
// at least |from|).
std::vector<std::int64_t> sample_columns(const std::vector<std::int64_t>& from, std::int64_t count, std::uint64_t seed,
                                         std::uint64_t stream);

class TreeGrower {
 public:
  // The criterion is kept by reference.
  TreeGrower(const BinnedMatrix& matrix, Communicator& comm, const SplitCriterion& criterion, TreeGrowthConfig config);

  // Grows a tree on `rows` (indices into the matrix: the rows sampled for this tree) with
  // fixed-point statistics (of the criterion's width, for every matrix row) at `scales`;
  // `features` are the tree's columns and `tree_index` seeds the level and node column draws.
  RegressionTree grow(std::span<const RowIndex> rows, const RowStatistics& statistics, const FixedPointScales& scales,
                      const std::vector<std::int64_t>& features, std::int64_t tree_index);

  // After grow(): each leaf with the rank's rows that reached it.
  std::vector<std::pair<std::int32_t, std::span<const RowIndex>>> leaf_rows() const;

 private:
  struct OpenNode {
    std::int32_t id = 0;
    std::int64_t begin = 0, end = 0;  // its rows: positions_[begin, end)
    StatisticSums total;
    std::vector<std::int64_t> features;  // the columns its split search draws
    HistogramLayout layout;
    Histogram histogram;
    SplitCandidate split;
  };

  bool expandable(const OpenNode& node, const RegressionTree& tree) const;
  // Whether a node of these sums at this depth gets a split search.
  bool searchable(const StatisticSums& total, std::int64_t depth, const FixedPointScales& scales) const;
  // Sets the best split of each node that is searched: each rank searches its share of the
  // node's features (FeatureShares), then the ranks exchange their best and keep the same one.
  void find_splits(std::span<OpenNode> nodes, const RegressionTree& tree, const FixedPointScales& scales);
  // Splits each node of `batch` in `tree` and returns their children, with their features drawn
  // and histograms filled where they will be searched.
  std::vector<OpenNode> expand(std::vector<OpenNode>& batch, RegressionTree& tree, const RowStatistics& statistics,
                               const FixedPointScales& scales);
  // Reorders each node's run of positions_ so that the rows going left by its split in `tree`
  // come first (stable); returns where each node's right child's rows start.
  std::vector<std::int64_t> partition(const std::vector<OpenNode>& batch, const RegressionTree& tree);
  // Histograms no node holds any more, kept for the next ones: a fresh one of megabytes (many
  // features) costs a page fault a page when first filled.
  Histogram spare_histogram();
  void recycle(Histogram&& histogram);
  template <typename BinType>
  std::vector<std::int64_t> partition_by(const std::vector<OpenNode>& batch, const RegressionTree& tree);
  // How many of a level's columns a node draws, and the draw of node `node_id`.
  std::int64_t node_feature_count(std::int64_t level_size) const;
  std::vector<std::int64_t> node_features(std::int64_t depth, std::int32_t node_id);
  const std::vector<std::int64_t>& level_features(std::int64_t depth);

  const BinnedMatrix& matrix_;
  Communicator& comm_;
  const SplitCriterion& criterion_;
  TreeGrowthConfig config_;
  FeatureShares feature_shares_;  // whose histogram sums each rank holds, and searches
  std::vector<RowIndex> positions_;  // the tree's rows, each node's a contiguous run
  std::vector<RowIndex> scratch_;    // as long: where partitions put the rows going right
  std::vector<std::int64_t> tree_features_;
  std::int64_t tree_index_ = 0;
  // Whether siblings' histograms come by subtraction (over every feature), or, when nodes draw
  // fewer columns than their level has, each searched child's from its rows over its draw.
  bool subtracting_ = true;
  std::vector<std::vector<std::int64_t>> level_features_;  // by depth, drawn when first needed
  std::vector<std::pair<std::int32_t, std::pair<std::int64_t, std::int64_t>>> leaves_;  // id, run
  std::vector<Histogram> spare_histograms_;
};

}  // namespace tern
