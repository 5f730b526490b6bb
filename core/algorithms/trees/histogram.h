// Histograms of the histogram method, in fixed point so that they are the same on any number
// of ranks and threads.
//
// Every row carries `width` statistics, the numbers a split is scored from (split_criterion.h):
// a gradient and a hessian for boosting; for a CART tree the weighted target (or one weighted
// indicator per class) and the weight. The last statistic is always the row's weight (or
// hessian), which the least child weight bounds.
//
// Statistic c of a row is rounded once to an integer, ŝ_c = round(s_c·2^a_c), with each column's
// scale chosen from a bound on |s_c| that every rank agrees on (the largest |s_c| over all
// ranks, or a bound known in advance, as a logistic gradient's |p − y| <= 1) so that no sum over
// the whole data set can overflow 63 bits (2^a_c·max|s_c|·rows < 2^62). Integer addition is associative, so a node's
// histogram, built per thread, summed across threads and allreduced across ranks in any order,
// is exactly the same number everywhere; the split search then reads the same sums on every
// rank and picks the same split. The rounding error, 2^−a_c a row, is below 10^−12 of the
// largest value for a million rows.
//
// The histogram of a node holds, for every slot of each of its layout's features
// (binned_matrix.h), the sums of the statistics over the node's rows whose value falls in that
// slot. The layout is every feature of the matrix when siblings' histograms are found by
// subtraction, or just the features a node draws for its split (a forest's max_features).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "core/algorithms/trees/binned_matrix.h"
#include "core/comm.h"

namespace tern {

// Sums of `width` fixed-point statistics: a row's, a slot's or a node's.
using StatisticSums = std::vector<std::int64_t>;

class FixedPointScales {
 public:
  // Scales for columns whose values reach at most |largest[c]|, over total_rows rows.
  FixedPointScales(std::span<const double> largest, std::int64_t total_rows);

  std::int64_t width() const { return static_cast<std::int64_t>(scales_.size()); }
  std::int64_t quantize(std::int64_t column, double value) const {
    // Rounding half away from zero, as std::llround does, without its library call or a branch
    // on the sign (which is a coin toss for gradients).
    const double scaled = value * scales_[static_cast<std::size_t>(column)];
    return static_cast<std::int64_t>(scaled + std::copysign(0.5, scaled));
  }
  // A sum as a real number (times 1/scale, exact for a power of two, and cheaper than dividing).
  double value(std::int64_t column, std::int64_t sum) const {
    return static_cast<double>(sum) * inverse_scales_[static_cast<std::size_t>(column)];
  }
  // All `width` columns of `sums` as real numbers.
  void values(const std::int64_t* sums, double* out) const {
    for (std::size_t c = 0; c < inverse_scales_.size(); ++c) out[c] = static_cast<double>(sums[c]) * inverse_scales_[c];
  }

 private:
  std::vector<double> scales_, inverse_scales_;
};

// Σ over every rank's rows of each column of `values` [rows × columns], summed in fixed point
// (scaled from the columns' largest |value| on any rank), so the same on any number of ranks.
std::vector<double> exact_sums(std::span<const double> values, std::int64_t columns, std::int64_t total_rows,
                               Communicator& comm);

// The fixed-point statistics of a shard's rows, [rows × width].
struct RowStatistics {
  std::int64_t width = 2;
  std::vector<std::int64_t> values;

  RowStatistics(std::int64_t width_, std::int64_t rows)
      : width(width_), values(static_cast<std::size_t>(width_ * rows), 0) {}
  std::int64_t* row(std::int64_t r) { return values.data() + r * width; }
  const std::int64_t* row(std::int64_t r) const { return values.data() + r * width; }
};

// Which features a histogram holds, ascending, and where each one's slots start.
class HistogramLayout {
 public:
  HistogramLayout() = default;
  // Every feature of the matrix, at the matrix's slot offsets.
  explicit HistogramLayout(const BinnedMatrix& matrix);
  // Just `features`, their slots one after another.
  HistogramLayout(const BinnedMatrix& matrix, std::vector<std::int64_t> features);

  const std::vector<std::int64_t>& features() const { return features_; }
  bool all_features() const { return all_features_; }
  // Where the i-th listed feature's slots start.
  const std::vector<std::int64_t>& offsets() const { return offsets_; }
  // Where a listed feature's slots start.
  std::int64_t slot_offset(std::int64_t feature) const {
    return all_features_ ? offsets_[static_cast<std::size_t>(feature)]
                         : offsets_[static_cast<std::size_t>(
                               std::lower_bound(features_.begin(), features_.end(), feature) - features_.begin())];
  }
  std::int64_t total_slots() const { return offsets_.back(); }

 private:
  std::vector<std::int64_t> features_;
  std::vector<std::int64_t> offsets_;  // [features + 1]
  bool all_features_ = false;
};

// [layout.total_slots() × width] sums.
using Histogram = std::vector<std::int64_t>;

// The histograms of several nodes, each over its layout, each of its listed rows (indices into
// the matrix) adding its statistics. The nodes' rows are shared evenly over the threads
// (row_shares.h); a node split between threads gets a histogram from each, added after.
void build_histograms(const BinnedMatrix& matrix, std::span<const HistogramLayout* const> layouts,
                      std::span<const std::span<const RowIndex>> rows, const RowStatistics& statistics,
                      std::span<Histogram* const> histograms);

// Which features' histogram sums each rank holds once histograms are summed over the ranks:
// the matrix's features cut into contiguous runs of about equal slots, one a rank (a rank has
// none when there are more ranks than features). Each rank searches the splits of its own.
class FeatureShares {
 public:
  FeatureShares(const BinnedMatrix& matrix, int ranks);
  // Rank r's features: [begin(r), end(r)).
  std::int64_t begin(int rank) const { return starts_[static_cast<std::size_t>(rank)]; }
  std::int64_t end(int rank) const { return starts_[static_cast<std::size_t>(rank) + 1]; }
  int owner(std::int64_t feature) const;
  // Of `features` (ascending), those of `rank`.
  std::vector<std::int64_t> of_rank(const std::vector<std::int64_t>& features, int rank) const;

 private:
  std::vector<std::int64_t> starts_;  // [ranks + 1]
};

// Sums histograms over the ranks with one reduce-scatter over all of them: each rank receives
// the sums of its share of each histogram's features, and its other slots keep just its own
// rows' sums. Half the traffic of an allreduce, and each rank then searches only its share.
void reduce_scatter_histograms(std::span<Histogram* const> histograms, std::span<const HistogramLayout* const> layouts,
                               std::int64_t width, const FeatureShares& shares, Communicator& comm);

}  // namespace tern
