// The split search of a node: for each feature the bins are scanned upward, the left side being
// bins 0..b, and each split is scored by the criterion (split_criterion.h). The feature's
// missing rows go right, and, when the node has any, are also tried on the left (the learned
// default direction). A split is allowed when both sides are allowed children and it gains more
// than the criterion's rounding noise. The largest loss change wins; ties go to the lower
// feature, then the lower bin, then to missing-right, so every rank picks the same split from
// the same sums.
#pragma once

#include <cstdint>
#include <vector>

#include "core/algorithms/trees/histogram.h"
#include "core/algorithms/trees/split_criterion.h"

namespace tern {

struct SplitCandidate {
  double loss_change = 0.0;
  std::int64_t feature = -1;  // -1: no allowed split
  std::int64_t bin = -1;      // left: bins 0..bin
  bool default_left = false;  // where missing values go
  StatisticSums left, right;

  bool found() const { return feature >= 0; }
};

// The best split of a node whose rows sum to `total`, among `features` (ascending, all in the
// histogram's layout).
SplitCandidate best_split(const Histogram& histogram, const HistogramLayout& layout, const BinnedMatrix& matrix,
                          const StatisticSums& total, const std::vector<std::int64_t>& features,
                          const FixedPointScales& scales, const SplitCriterion& criterion);

}  // namespace tern
