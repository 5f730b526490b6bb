#include "core/algorithms/trees/split_search.h"

namespace tern {

namespace {

// The best split of one feature: one pass over its bins, the left sums growing bin by bin.
class FeatureScan {
 public:
  FeatureScan(const StatisticSums& total, const FixedPointScales& scales, const SplitCriterion& criterion,
              double least_loss_change, double parent_score)
      : total_(total), scales_(scales), criterion_(criterion), width_(criterion.width()),
        least_loss_change_(least_loss_change), parent_score_(parent_score),
        right_(total.size()), left_values_(total.size()), right_values_(total.size()) {}

  SplitCandidate best(const std::int64_t* slots, std::int64_t feature, std::int64_t bins) {
    best_ = SplitCandidate{};
    const std::int64_t* missing = slots + bins * width_;
    bool has_missing = false;
    for (std::int64_t c = 0; c < width_; ++c) has_missing = has_missing || missing[c] != 0;
    StatisticSums below(total_.size(), 0), below_and_missing(total_.size());  // bins 0..b
    for (std::int64_t b = 0; b < bins; ++b) {
      for (std::int64_t c = 0; c < width_; ++c) below[static_cast<std::size_t>(c)] += slots[b * width_ + c];
      if (b + 1 < bins || has_missing) consider(below, feature, b, false);
      if (has_missing && b + 1 < bins) {
        for (std::int64_t c = 0; c < width_; ++c)
          below_and_missing[static_cast<std::size_t>(c)] = below[static_cast<std::size_t>(c)] + missing[c];
        consider(below_and_missing, feature, b, true);
      }
    }
    return best_;
  }

 private:
  void consider(const StatisticSums& left, std::int64_t feature, std::int64_t bin, bool default_left) {
    const std::int64_t weight = width_ - 1;
    if (left[static_cast<std::size_t>(weight)] <= 0 ||
        total_[static_cast<std::size_t>(weight)] - left[static_cast<std::size_t>(weight)] <= 0)
      return;
    for (std::size_t c = 0; c < total_.size(); ++c) right_[c] = total_[c] - left[c];
    scales_.values(left.data(), left_values_.data());
    scales_.values(right_.data(), right_values_.data());
    if (!criterion_.allowed_child(left_values_.data()) || !criterion_.allowed_child(right_values_.data())) return;
    const double loss_change =
        criterion_.score(left_values_.data()) + criterion_.score(right_values_.data()) - parent_score_;
    // Ties keep the earlier split, scanned in bin order.
    if (loss_change <= least_loss_change_ || (best_.found() && loss_change <= best_.loss_change)) return;
    best_ = SplitCandidate{loss_change, feature, bin, default_left, left, right_};
  }

  const StatisticSums& total_;
  const FixedPointScales& scales_;
  const SplitCriterion& criterion_;
  std::int64_t width_;
  double least_loss_change_, parent_score_;
  StatisticSums right_;
  std::vector<double> left_values_, right_values_;
  SplitCandidate best_;
};

}  // namespace

SplitCandidate best_split(const Histogram& histogram, const HistogramLayout& layout, const BinnedMatrix& matrix,
                          const StatisticSums& total, const std::vector<std::int64_t>& features,
                          const FixedPointScales& scales, const SplitCriterion& criterion) {
  std::vector<double> total_values(total.size());
  scales.values(total.data(), total_values.data());
  const double parent_score = criterion.score(total_values.data());
  const double least_loss_change = criterion.least_loss_change(parent_score);
  std::vector<SplitCandidate> per_feature(features.size());
#pragma omp parallel for schedule(dynamic, 4)
  for (std::size_t i = 0; i < features.size(); ++i) {
    const std::int64_t feature = features[i];
    FeatureScan scan(total, scales, criterion, least_loss_change, parent_score);
    per_feature[i] = scan.best(histogram.data() + layout.slot_offset(feature) * criterion.width(), feature,
                               matrix.missing_bin(feature));
  }
  SplitCandidate best;
  for (const SplitCandidate& candidate : per_feature)
    if (candidate.found() && (!best.found() || candidate.loss_change > best.loss_change)) best = candidate;
  return best;
}

}  // namespace tern
