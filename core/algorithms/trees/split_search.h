// The split search of a node, with XGBoost's regularised objective. For a set of rows with
// gradient sum G and hessian sum H, the best leaf value and the loss it removes are
//
//   w*(G, H)   = −T_α(G) / (H + λ),  clipped to ±max_delta_step when that is set
//   gain(G, H) = T_α(G)² / (H + λ)   (with max_delta_step: −2 [G w* + ½(H + λ) w*² + α|w*|])
//
// where T_α(G) = sign(G)·max(|G| − α, 0) is the L1 (alpha) soft threshold, and both are 0 when
// H < min_child_weight. Splitting a node into L and R removes
//
//   loss_change = gain(G_L, H_L) + gain(G_R, H_R) − gain(G, H)
//
// and a split is allowed when both sides have H ≥ min_child_weight and H > 0. For each feature
// the search scans the bins upward, the left side being bins 0..b; the feature's missing rows
// go right, and, when the node has any, are also tried on the left (the learned default
// direction). The largest loss change wins; ties go to the lower feature, then the lower bin,
// then to missing-right, so every rank picks the same split from the same sums.
#pragma once

#include <cstdint>
#include <vector>

#include "core/algorithms/trees/gradient_histogram.h"

namespace tern {

struct SplitRegularization {
  double lambda = 1.0;            // L2 on leaf values
  double alpha = 0.0;             // L1 on leaf values
  double min_child_weight = 1.0;  // least hessian sum of a child
  double max_delta_step = 0.0;    // largest |leaf value| before eta (0: no limit)
};

double leaf_weight(const SplitRegularization& regularization, double grad, double hess);
double leaf_gain(const SplitRegularization& regularization, double grad, double hess);

struct SplitCandidate {
  double loss_change = 0.0;
  std::int64_t feature = -1;  // -1: no allowed split
  std::int64_t bin = -1;      // left: bins 0..bin
  bool default_left = false;  // where missing values go
  GradientSum left, right;

  bool found() const { return feature >= 0; }
};

// The best split of a node whose rows sum to `total`, among `features` (ascending).
SplitCandidate best_split(const Histogram& histogram, const BinnedMatrix& matrix, const GradientSum& total,
                          const std::vector<std::int64_t>& features, const GradientQuantizer& quantizer,
                          const SplitRegularization& regularization);

}  // namespace tern
