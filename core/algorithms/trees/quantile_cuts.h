// Quantile cut points: how the histogram method turns each feature's values into bins, at most
// max_bin of them counting the bin of missing values (so max_bin 256 keeps a bin in one byte).
// Feature f's cuts are ascending upper bounds u_0 < u_1 < ... < u_{B−1} = +∞, and
// bin b holds the values in [u_{b−1}, u_b) (bin 0 everything below u_0). A split "x < u_b" sends
// bins 0..b left, so a tree trained on bins predicts the same on the raw values.
//
// The cuts are weighted quantiles of the global data, computed from a sample whose rows are
// chosen by their index in the file alone (a seeded hash), gathered to every rank in file
// order and sorted there. The cuts therefore depend only on the data and the seed, never on
// how the rows are sharded or on the thread count. With B = max_bin − 1 bins for values, a
// feature with at most B distinct values gets a bin per value, u_b being the next distinct
// value; otherwise u_0.. are the values at the cumulative weights W·i/B (i = 1..B−1), repeats
// merged.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/comm.h"
#include "core/data/distribution.h"

namespace tern {

class QuantileCuts {
 public:
  QuantileCuts() = default;
  // The cuts of `features` columns, max_bin − 1 value bins at most, from sample rows (row-major [rows, features], NaN for a
  // missing value) with their weights [rows].
  static QuantileCuts from_sample(const std::vector<float>& values, const std::vector<float>& weights,
                                  std::int64_t features, std::int64_t max_bin);
  // From stored upper bounds (a model file): offsets [features + 1] into upper_bounds.
  QuantileCuts(std::vector<std::int64_t> offsets, std::vector<float> upper_bounds);

  std::int64_t features() const { return static_cast<std::int64_t>(offsets_.size()) - 1; }
  std::int64_t bins(std::int64_t feature) const { return offsets_[feature + 1] - offsets_[feature]; }
  std::int64_t largest_bin_count() const;
  // The bin of a (non-NaN) value of a feature: the first bound above the value (as
  // std::upper_bound finds it), by a branch-free binary search, since which bounds a value
  // falls between is unpredictable and branches would mostly mispredict.
  std::int64_t bin_of(std::int64_t feature, float value) const {
    const float* bounds = upper_bounds_.data() + offsets_[feature];
    const float* first = bounds;
    for (std::int64_t count = bins(feature); count > 1;) {
      const std::int64_t half = count / 2;
      first = first[half] <= value ? first + half : first;
      count -= half;
    }
    const std::int64_t bin = (first - bounds) + (*first <= value ? 1 : 0);
    return std::min(bin, bins(feature) - 1);  // a value at +inf: the last bin
  }
  // u_b: a split at bin b sends values below it left.
  float upper_bound(std::int64_t feature, std::int64_t bin) const { return upper_bounds_[offsets_[feature] + bin]; }
  const std::vector<std::int64_t>& offsets() const { return offsets_; }
  const std::vector<float>& upper_bounds() const { return upper_bounds_; }

 private:
  std::vector<std::int64_t> offsets_ = {0};
  std::vector<float> upper_bounds_;
};

// The rows of `own` (in file numbering) that belong to the cut sample: about sample_rows of the
// file's total_rows, each row in with probability sample_rows / total_rows by a hash of its
// index and the seed (all rows when the file is no larger).
std::vector<std::int64_t> quantile_sample_rows(RowRange own, std::int64_t total_rows, std::int64_t sample_rows,
                                               std::uint64_t seed);

}  // namespace tern
