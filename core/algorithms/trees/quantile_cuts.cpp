#include "core/algorithms/trees/quantile_cuts.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/error.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"

namespace tern {

namespace {

// One feature's upper bounds, at most `bins` of them, from its (value, weight) pairs, NaNs
// already dropped.
std::vector<float> feature_cuts(std::vector<std::pair<float, float>> pairs, std::int64_t bins) {
  std::sort(pairs.begin(), pairs.end());
  std::vector<float> distinct;
  std::vector<double> weight_below;  // of each distinct value: the weight of all smaller ones
  double total = 0.0;
  for (const auto& [value, weight] : pairs) {
    if (distinct.empty() || value != distinct.back()) {
      distinct.push_back(value);
      weight_below.push_back(total);
    }
    total += weight;
  }
  std::vector<float> cuts;
  if (static_cast<std::int64_t>(distinct.size()) <= bins) {
    cuts.assign(distinct.begin() + (distinct.empty() ? 0 : 1), distinct.end());
  } else {
    std::size_t j = 1;
    for (std::int64_t i = 1; i < bins; ++i) {
      const double rank = total * static_cast<double>(i) / static_cast<double>(bins);
      while (j < distinct.size() && weight_below[j] < rank) ++j;
      if (j == distinct.size()) break;
      if (cuts.empty() || distinct[j] != cuts.back()) cuts.push_back(distinct[j]);
    }
  }
  cuts.push_back(std::numeric_limits<float>::infinity());
  return cuts;
}

}  // namespace

QuantileCuts QuantileCuts::from_sample(const std::vector<float>& values, const std::vector<float>& weights,
                                       std::int64_t features, std::int64_t max_bin) {
  const auto rows = static_cast<std::int64_t>(weights.size());
  TERN_CHECK(static_cast<std::int64_t>(values.size()) == rows * features, "quantile cuts: ", values.size(),
             " values for ", rows, " rows of ", features, " features");
  TERN_CHECK(max_bin >= 2, "quantile cuts: max_bin ", max_bin, " leaves no bin for values");
  std::vector<std::vector<float>> per_feature(static_cast<std::size_t>(features));
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t f = 0; f < features; ++f) {
    std::vector<std::pair<float, float>> pairs;
    pairs.reserve(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) {
      const float value = values[static_cast<std::size_t>(r * features + f)];
      if (!std::isnan(value)) pairs.emplace_back(value, weights[static_cast<std::size_t>(r)]);
    }
    per_feature[static_cast<std::size_t>(f)] = feature_cuts(std::move(pairs), max_bin - 1);
  }
  QuantileCuts cuts;
  for (const auto& feature : per_feature) {
    cuts.upper_bounds_.insert(cuts.upper_bounds_.end(), feature.begin(), feature.end());
    cuts.offsets_.push_back(static_cast<std::int64_t>(cuts.upper_bounds_.size()));
  }
  return cuts;
}

QuantileCuts::QuantileCuts(std::vector<std::int64_t> offsets, std::vector<float> upper_bounds)
    : offsets_(std::move(offsets)), upper_bounds_(std::move(upper_bounds)) {
  TERN_CHECK(!offsets_.empty() && offsets_.front() == 0 &&
                 offsets_.back() == static_cast<std::int64_t>(upper_bounds_.size()),
             "quantile cuts: offsets do not cover the ", upper_bounds_.size(), " upper bounds");
  for (std::int64_t f = 0; f < features(); ++f) {
    TERN_CHECK(bins(f) >= 1 && std::isinf(upper_bound(f, bins(f) - 1)), "quantile cuts: feature ", f,
               " has no final +inf bound");
    for (std::int64_t b = 1; b < bins(f); ++b)
      TERN_CHECK(upper_bound(f, b - 1) < upper_bound(f, b), "quantile cuts: feature ", f, " bounds not ascending");
  }
}

std::int64_t QuantileCuts::largest_bin_count() const {
  std::int64_t largest = 0;
  for (std::int64_t f = 0; f < features(); ++f) largest = std::max(largest, bins(f));
  return largest;
}

std::vector<std::int64_t> quantile_sample_rows(RowRange own, std::int64_t total_rows, std::int64_t sample_rows,
                                               std::uint64_t seed) {
  std::vector<std::int64_t> picked;
  const double keep = static_cast<double>(sample_rows) / static_cast<double>(std::max<std::int64_t>(total_rows, 1));
  const std::uint64_t stream = stream_id("gbdt.quantile_sample");
  for (std::int64_t row = own.begin; row < own.end; ++row)
    if (keep >= 1.0 || kernels::philox_uniform_double(seed, static_cast<std::uint64_t>(row), stream) < keep)
      picked.push_back(row);
  return picked;
}

}  // namespace tern
