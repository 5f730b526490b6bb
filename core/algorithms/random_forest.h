// random-forest: num_trees CART trees (trees/cart.h), each grown on a bootstrap sample of the
// rows and drawing max_features columns at each node; the forest predicts their mean (the mean
// class probabilities, or the mean value).
//
// The bootstrap gives row i of the file a count c_i ~ Poisson(1) for tree t, drawn from a hash
// of (seed, t, i), and the tree weighs the row c_i times (rows with c_i = 0 sit out). That is
// the distributed form of drawing n rows with replacement (whose counts are Binomial(n, 1/n) →
// Poisson(1)): it needs no communication and is the same on any number of ranks.
//
// The out-of-bag score: each row is predicted by the mean of the trees it sat out of, and the
// forest reports the accuracy (classes) or R² (mse) of those predictions over the rows that sat
// out of at least one tree, as scikit-learn's oob_score_ does.
#pragma once

#include "core/algorithms/trees/cart.h"

namespace tern {

class RandomForest : public CartModel {
 public:
  std::string name() const override { return "random-forest"; }
  void fit(JobContext& job) override;
};

// The Poisson(1) count whose cumulative probability first reaches u ∈ [0, 1).
std::int64_t poisson_one_count(double u);

}  // namespace tern
