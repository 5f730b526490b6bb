// How a tree scores a split, from the summed statistics of each side (histogram.h). A criterion
// gives every node a score from its sums s; splitting a node P into L and R gains
//
//   loss_change = score(s_L) + score(s_R) − score(s_P)
//
// and the search (split_search.h) takes the split that gains most. The last statistic is the
// weight W (or hessian H); a child must have W ≥ the least child weight and W > 0. Each leaf
// gets `outputs` values from its sums.
//
// Boosting (XGBoost's regularised objective, statistics (G, H) of gradients and hessians):
//
//   w*(G, H)   = −T_α(G) / (H + λ),  clipped to ±max_delta_step when that is set
//   score(G, H) = T_α(G)² / (H + λ)   (with max_delta_step: −2 [G w* + ½(H + λ) w*² + α|w*|])
//
// where T_α(G) = sign(G)·max(|G| − α, 0) is the L1 (alpha) soft threshold; a leaf is η·w*. Loss
// changes below 1e-6 (XGBoost's kRtEps) are rounding noise.
//
// CART, statistics (S_1 .. S_K, W): the weighted target sum (K = 1, regression) or the weight
// of each class (K classes), then the weight. A leaf holds the means S_k / W: the predicted
// value, or the class probabilities.
//   squared error ("mse", and "gini"):  score = Σ_k S_k² / W
//   entropy:                            score = Σ_k S_k log(S_k / W)
// For regression W·variance = Σ w y² − S²/W, so the squared-error gain is the fall in the sum of
// squared errors; for classes W·gini = W − Σ_k S_k²/W, so the same formula on class weights is
// the fall in weighted Gini impurity (Gini is the squared error of one-hot targets); and W·
// entropy = −Σ_k S_k log(S_k/W). Gains below 10^−12 of the parent's score are rounding noise.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

namespace tern {

class SplitCriterion {
 public:
  explicit SplitCriterion(double min_child_weight) : min_child_weight_(min_child_weight) {}
  virtual ~SplitCriterion() = default;

  virtual std::int64_t width() const = 0;    // statistics a row
  virtual std::int64_t outputs() const = 0;  // values a leaf
  virtual double score(const double* sums) const = 0;
  // The least loss change that is not rounding noise, for a parent of score parent_score.
  virtual double least_loss_change(double parent_score) const = 0;
  virtual void leaf(const double* sums, float* values) const = 0;
  // Whether a node with these sums could have a split that gains (false: a pure node).
  virtual bool splittable(const double* /*sums*/) const { return true; }

  double min_child_weight() const { return min_child_weight_; }
  bool allowed_child(const double* sums) const {
    const double weight = sums[width() - 1];
    return weight > 0.0 && weight >= min_child_weight_;
  }

 private:
  double min_child_weight_;
};

struct SplitRegularization {
  double lambda = 1.0;            // L2 on leaf values
  double alpha = 0.0;             // L1 on leaf values
  double min_child_weight = 1.0;  // least hessian sum of a child
  double max_delta_step = 0.0;    // largest |leaf value| before eta (0: no limit)
};

double leaf_weight(const SplitRegularization& regularization, double grad, double hess);
double leaf_gain(const SplitRegularization& regularization, double grad, double hess);

class BoostingCriterion : public SplitCriterion {
 public:
  BoostingCriterion(SplitRegularization regularization, double learning_rate)
      : SplitCriterion(regularization.min_child_weight), regularization_(regularization), learning_rate_(learning_rate) {}
  std::int64_t width() const override { return 2; }
  std::int64_t outputs() const override { return 1; }
  double score(const double* sums) const override { return leaf_gain(regularization_, sums[0], sums[1]); }
  double least_loss_change(double) const override { return 1e-6; }
  void leaf(const double* sums, float* values) const override {
    values[0] = static_cast<float>(learning_rate_ * leaf_weight(regularization_, sums[0], sums[1]));
  }

 private:
  SplitRegularization regularization_;
  double learning_rate_;
};

// CART's criteria over `targets` target columns (1 for regression, K for classes).
class CartCriterion : public SplitCriterion {
 public:
  enum class Impurity { squared_error, entropy };
  CartCriterion(Impurity impurity, std::int64_t targets, double min_child_weight)
      : SplitCriterion(min_child_weight), impurity_(impurity), targets_(targets) {}
  // "gini" and "entropy" for classes, "mse" for regression.
  static std::unique_ptr<CartCriterion> named(const std::string& name, std::int64_t classes, double min_child_weight);

  std::int64_t width() const override { return targets_ + 1; }
  std::int64_t outputs() const override { return targets_; }
  double score(const double* sums) const override;
  double least_loss_change(double parent_score) const override { return 1e-12 * std::abs(parent_score); }
  void leaf(const double* sums, float* values) const override;
  // Classes: weight in at least two of them. Regression: always (the sums do not show it).
  bool splittable(const double* sums) const override;

 private:
  Impurity impurity_;
  std::int64_t targets_;
};

}  // namespace tern
