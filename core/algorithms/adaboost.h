// adaboost: AdaBoost with SAMME (Zhu et al., "Multi-class AdaBoost", 2009), over shallow CART
// trees (trees/cart.h; max_depth 1, stumps, by default). With K classes, rows weighted w_i
// (Σ w_i = n), each round m:
//
//   h_m    = a tree grown on the weighted rows
//   err_m  = Σ w_i [h_m(x_i) ≠ y_i] / Σ w_i
//   α_m    = learning_rate · (log((1 − err_m) / err_m) + log(K − 1))
//   w_i   ← w_i · exp(α_m [h_m(x_i) ≠ y_i]), then scaled back to Σ w_i = n
//
// and the model votes: score_k(x) = Σ_m α_m [h_m(x) = k] / Σ_m α_m, the label the highest. A
// round with err_m = 0 fits the data: it is kept with α_m = 1 and boosting stops. A tree no
// better than chance (err_m ≥ 1 − 1/K) ends boosting, and is an error in the first round.
//
// The error and the weight sums are fixed-point integers summed over the ranks (histogram.h),
// so every rank gets the same α_m and the same weights, and the model is the same on any number
// of ranks and threads.
#pragma once

#include "core/algorithms/trees/cart.h"

namespace tern {

class AdaBoost : public CartModel {
 public:
  std::string name() const override { return "adaboost"; }
  void fit(JobContext& job) override;
};

}  // namespace tern
