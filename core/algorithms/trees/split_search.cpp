#include "core/algorithms/trees/split_search.h"

#include <cmath>

namespace tern {

namespace {

double soft_threshold(double grad, double alpha) {
  if (grad > alpha) return grad - alpha;
  if (grad < -alpha) return grad + alpha;
  return 0.0;
}

// Whether `candidate` beats `best` (ties keep the earlier one, scanned in feature, bin order).
bool better(const SplitCandidate& candidate, const SplitCandidate& best) {
  return !best.found() || candidate.loss_change > best.loss_change;
}

}  // namespace

double leaf_weight(const SplitRegularization& regularization, double grad, double hess) {
  if (hess < regularization.min_child_weight || hess <= 0.0) return 0.0;
  double weight = -soft_threshold(grad, regularization.alpha) / (hess + regularization.lambda);
  if (regularization.max_delta_step != 0.0 && std::abs(weight) > regularization.max_delta_step)
    weight = std::copysign(regularization.max_delta_step, weight);
  return weight;
}

double leaf_gain(const SplitRegularization& regularization, double grad, double hess) {
  if (hess < regularization.min_child_weight || hess <= 0.0) return 0.0;
  if (regularization.max_delta_step == 0.0) {
    const double thresholded = soft_threshold(grad, regularization.alpha);
    return thresholded * thresholded / (hess + regularization.lambda);
  }
  const double weight = leaf_weight(regularization, grad, hess);
  return -2.0 * (grad * weight + 0.5 * (hess + regularization.lambda) * weight * weight +
                 regularization.alpha * std::abs(weight));
}

SplitCandidate best_split(const Histogram& histogram, const BinnedMatrix& matrix, const GradientSum& total,
                          const std::vector<std::int64_t>& features, const GradientQuantizer& quantizer,
                          const SplitRegularization& regularization) {
  const double parent_gain = leaf_gain(regularization, quantizer.grad(total.grad), quantizer.hess(total.hess));
  std::vector<SplitCandidate> per_feature(features.size());
#pragma omp parallel for schedule(dynamic, 4)
  for (std::size_t i = 0; i < features.size(); ++i) {
    const std::int64_t feature = features[i];
    const std::int64_t bins = matrix.missing_bin(feature);
    const GradientSum* slots = histogram.data() + matrix.slot_offset(feature);
    const GradientSum missing = slots[bins];
    const bool has_missing = missing.hess != 0 || missing.grad != 0;
    SplitCandidate& best = per_feature[i];
    const auto consider = [&](const GradientSum& left, std::int64_t bin, bool default_left) {
      const GradientSum right = total - left;
      if (left.hess <= 0 || right.hess <= 0) return;
      const double left_hess = quantizer.hess(left.hess), right_hess = quantizer.hess(right.hess);
      if (left_hess < regularization.min_child_weight || right_hess < regularization.min_child_weight) return;
      SplitCandidate candidate{leaf_gain(regularization, quantizer.grad(left.grad), left_hess) +
                                   leaf_gain(regularization, quantizer.grad(right.grad), right_hess) - parent_gain,
                               feature, bin, default_left, left, right};
      if (better(candidate, best)) best = candidate;
    };
    GradientSum below;  // bins 0..b
    for (std::int64_t b = 0; b < bins; ++b) {
      below += slots[b];
      if (b + 1 < bins || has_missing) consider(below, b, false);
      if (has_missing && b + 1 < bins) consider(below + missing, b, true);
    }
  }
  SplitCandidate best;
  for (const SplitCandidate& candidate : per_feature)
    if (candidate.found() && better(candidate, best)) best = candidate;
  return best;
}

}  // namespace tern
