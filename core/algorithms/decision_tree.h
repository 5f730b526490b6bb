// decision-tree: one CART tree (trees/cart.h), grown by the histogram method over rows sharded
// across ranks. Each node takes the split that lowers the weighted impurity most,
//
//   ΔI = W_P·I(P) − W_L·I(L) − W_R·I(R),   I = Gini 1 − Σ p_k², entropy −Σ p_k log p_k, or variance,
//
// among the bins' upper bounds of max_features drawn columns, until max_depth, min_samples_split
// or min_samples_leaf stop it or no split lowers the impurity; a leaf predicts the weighted
// class frequencies (or the mean). The tree is the same on any number of ranks and threads.
#pragma once

#include "core/algorithms/trees/cart.h"

namespace tern {

class DecisionTree : public CartModel {
 public:
  std::string name() const override { return "decision-tree"; }
  void fit(JobContext& job) override;
};

}  // namespace tern
