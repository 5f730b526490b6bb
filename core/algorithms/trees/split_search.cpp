#include "core/algorithms/trees/split_search.h"

namespace tern {

namespace {

// The best split of one feature at a time: one pass over its bins, the left sums growing bin by
// bin. Criterion is the criterion's own (final) class, so its calls inline in the scan and its
// kWidth, when it fixes one, unrolls the loops over the statistics; a scan is made once a thread
// and reused for the features it takes.
template <typename Criterion>
class FeatureScan {
 public:
  FeatureScan(const StatisticSums& total, const FixedPointScales& scales, const Criterion& criterion,
              double least_loss_change, double parent_score)
      : total_(total), scales_(scales), criterion_(criterion),
        width_(Criterion::kWidth > 0 ? Criterion::kWidth : criterion.width()),
        weight_(static_cast<std::size_t>(criterion.weight_column())), least_loss_change_(least_loss_change),
        parent_score_(parent_score), below_(total.size()), below_and_missing_(total.size()),
        left_values_(total.size()), right_values_(total.size()) {}

  SplitCandidate best(const std::int64_t* slots, std::int64_t feature, std::int64_t bins) {
    const std::int64_t width = Criterion::kWidth > 0 ? Criterion::kWidth : width_;
    best_loss_change_ = least_loss_change_;
    best_bin_ = -1;
    const std::int64_t* missing = slots + bins * width;
    bool has_missing = false;
    for (std::int64_t c = 0; c < width; ++c) has_missing = has_missing || missing[c] != 0;
    std::fill(below_.begin(), below_.end(), 0);  // bins 0..b
    for (std::int64_t b = 0; b < bins; ++b) {
      // An empty bin after the first leaves the left sums as they were at the bin before, and so
      // the same loss changes, which cannot beat that bin's (ties keep the earlier): it is
      // skipped. (Bin 0 is always scanned: with its left sums 0 it is where missing values
      // alone go left.) A node of few rows over many bins (deep in a tree, or of features with
      // few values) has mostly empty ones.
      bool empty = true;
      for (std::int64_t c = 0; c < width; ++c) empty = empty && slots[b * width + c] == 0;
      if (empty && b > 0) continue;
      for (std::int64_t c = 0; c < width; ++c) below_[static_cast<std::size_t>(c)] += slots[b * width + c];
      if (b + 1 < bins || has_missing) consider(below_, b, false);
      if (has_missing && b + 1 < bins) {
        for (std::int64_t c = 0; c < width; ++c)
          below_and_missing_[static_cast<std::size_t>(c)] = below_[static_cast<std::size_t>(c)] + missing[c];
        consider(below_and_missing_, b, true);
      }
    }
    if (best_bin_ < 0) return {};
    // The winner's sums, added up again (the scan keeps only where it was).
    SplitCandidate best{best_loss_change_, feature, best_bin_, best_default_left_, StatisticSums(total_.size(), 0),
                        StatisticSums(total_.size())};
    for (std::int64_t b = 0; b <= best_bin_; ++b)
      for (std::int64_t c = 0; c < width; ++c) best.left[static_cast<std::size_t>(c)] += slots[b * width + c];
    for (std::int64_t c = 0; c < width; ++c) {
      const auto at = static_cast<std::size_t>(c);
      if (best_default_left_) best.left[at] += missing[c];
      best.right[at] = total_[at] - best.left[at];
    }
    return best;
  }

 private:
  void consider(const StatisticSums& left, std::int64_t bin, bool default_left) {
    if (left[weight_] <= 0 || total_[weight_] - left[weight_] <= 0) return;
    const std::int64_t width = Criterion::kWidth > 0 ? Criterion::kWidth : width_;
    for (std::int64_t c = 0; c < width; ++c) {
      const auto at = static_cast<std::size_t>(c);
      left_values_[at] = scales_.value(c, left[at]);
      right_values_[at] = scales_.value(c, total_[at] - left[at]);
    }
    if (!criterion_.allowed_child(left_values_.data()) || !criterion_.allowed_child(right_values_.data())) return;
    const double loss_change =
        criterion_.score(left_values_.data()) + criterion_.score(right_values_.data()) - parent_score_;
    // Only a larger gain than the best so far (at first, than the noise) wins: ties keep the
    // earlier split, scanned in bin order.
    if (loss_change <= best_loss_change_) return;
    best_loss_change_ = loss_change;
    best_bin_ = bin;
    best_default_left_ = default_left;
  }

  const StatisticSums& total_;
  const FixedPointScales& scales_;
  const Criterion& criterion_;
  std::int64_t width_;
  std::size_t weight_;
  double least_loss_change_, parent_score_;
  StatisticSums below_, below_and_missing_;
  std::vector<double> left_values_, right_values_;
  double best_loss_change_ = 0.0;  // this feature's best so far
  std::int64_t best_bin_ = -1;
  bool best_default_left_ = false;
};

template <typename Criterion>
SplitCandidate search(const Histogram& histogram, const HistogramLayout& layout, const BinnedMatrix& matrix,
                      const StatisticSums& total, const std::vector<std::int64_t>& features,
                      const FixedPointScales& scales, const Criterion& criterion) {
  std::vector<double> total_values(total.size());
  scales.values(total.data(), total_values.data());
  const double parent_score = criterion.score(total_values.data());
  const double least_loss_change = criterion.least_loss_change(parent_score);
  std::vector<SplitCandidate> per_feature(features.size());
#pragma omp parallel
  {
    FeatureScan<Criterion> scan(total, scales, criterion, least_loss_change, parent_score);
#pragma omp for schedule(dynamic, 4)
    for (std::size_t i = 0; i < features.size(); ++i) {
      const std::int64_t feature = features[i];
      per_feature[i] = scan.best(histogram.data() + layout.slot_offset(feature) * criterion.width(), feature,
                                 matrix.missing_bin(feature));
    }
  }
  SplitCandidate best;
  for (const SplitCandidate& candidate : per_feature)
    if (candidate.found() && (!best.found() || candidate.loss_change > best.loss_change)) best = candidate;
  return best;
}

}  // namespace

SplitCandidate best_split(const Histogram& histogram, const HistogramLayout& layout, const BinnedMatrix& matrix,
                          const StatisticSums& total, const std::vector<std::int64_t>& features,
                          const FixedPointScales& scales, const SplitCriterion& criterion) {
  if (const auto* boosting = dynamic_cast<const BoostingCriterion*>(&criterion))
    return search(histogram, layout, matrix, total, features, scales, *boosting);
  if (const auto* cart = dynamic_cast<const CartCriterion*>(&criterion))
    return search(histogram, layout, matrix, total, features, scales, *cart);
  return search(histogram, layout, matrix, total, features, scales, criterion);
}

}  // namespace tern
