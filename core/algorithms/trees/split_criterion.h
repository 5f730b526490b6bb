// How a tree scores a split, from the summed statistics of each side (histogram.h). A criterion
// gives every node a score from its sums s; splitting a node P into L and R gains
//
//   loss_change = score(s_L) + score(s_R) − score(s_P)
//
// and the search (split_search.h) takes the split that gains most. A child must have a
// positive weight W (or hessian H) and a size of at least the least child size: its hessian sum
// for boosting (min_child_weight), its rows for CART (min_samples_leaf). Each leaf gets
// `outputs` values from its sums.
//
// Boosting (XGBoost's regularised objective, statistics (G, H) of gradients and hessians):
//
//   w*(G, H)   = −T_α(G) / (H + λ),  clipped to ±max_delta_step when that is set
//   score(G, H) = T_α(G)² / (H + λ)   (with max_delta_step: −2 [G w* + ½(H + λ) w*² + α|w*|])
//
// where T_α(G) = sign(G)·max(|G| − α, 0) is the L1 (alpha) soft threshold; a leaf is η·w*. Loss
// changes below 1e-6 (XGBoost's kRtEps) are rounding noise.
//
// CART, statistics (S_1 .. S_K, W, N): the weighted target, less an offset c, (K = 1,
// regression) or the weight of each class (K classes), then the weight and the row count. A
// leaf holds the means S_k / W (plus c): the predicted value, or the class probabilities.
//   squared error ("mse", and "gini"):  score = Σ_k S_k² / W
//   entropy:                            score = Σ_k S_k log(S_k / W)
// For regression W·variance = Σ w (y − c)² − S²/W, so the squared-error gain is the fall in the
// sum of squared errors (the offset c, the targets' mean, keeps S small against the spread of
// y); for classes W·gini = W − Σ_k S_k²/W, so the same formula on class weights is the fall in
// weighted Gini impurity (Gini is the squared error of one-hot targets); and W·entropy =
// −Σ_k S_k log(S_k/W). Gains below 10^−12 of the parent's score are rounding noise.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

namespace tern {

class SplitCriterion {
 public:
  static constexpr std::int64_t kWidth = 0;  // the width when a criterion's class fixes it, else 0

  explicit SplitCriterion(double min_child_size) : min_child_size_(min_child_size) {}
  virtual ~SplitCriterion() = default;

  virtual std::int64_t width() const = 0;    // statistics a row
  virtual std::int64_t outputs() const = 0;  // values a leaf
  // The column of the weight (or hessian): a node's cover.
  virtual std::int64_t weight_column() const { return width() - 1; }
  // A node's size, which the least child size (and the grower's least size to split) bound.
  virtual double size(const double* sums) const { return sums[width() - 1]; }
  virtual double score(const double* sums) const = 0;
  // The least loss change that is not rounding noise, for a parent of score parent_score.
  virtual double least_loss_change(double parent_score) const = 0;
  virtual void leaf(const double* sums, float* values) const = 0;
  // Whether a node with these sums could have a split that gains (false: a pure node).
  virtual bool splittable(const double* /*sums*/) const { return true; }

  bool allowed_child(const double* sums) const {
    return sums[weight_column()] > 0.0 && size(sums) >= min_child_size_;
  }

 private:
  double min_child_size_;
};

struct SplitRegularization {
  double lambda = 1.0;            // L2 on leaf values
  double alpha = 0.0;             // L1 on leaf values
  double min_child_weight = 1.0;  // least hessian sum of a child
  double max_delta_step = 0.0;    // largest |leaf value| before eta (0: no limit)
};

// T_α(G): the L1 soft threshold.
inline double soft_threshold(double grad, double alpha) {
  if (grad > alpha) return grad - alpha;
  if (grad < -alpha) return grad + alpha;
  return 0.0;
}

// w*(G, H), 0 for a node lighter than min_child_weight (inline: the split search calls these
// for every bin).
inline double leaf_weight(const SplitRegularization& regularization, double grad, double hess) {
  if (hess < regularization.min_child_weight || hess <= 0.0) return 0.0;
  double weight = -soft_threshold(grad, regularization.alpha) / (hess + regularization.lambda);
  if (regularization.max_delta_step != 0.0 && std::abs(weight) > regularization.max_delta_step)
    weight = std::copysign(regularization.max_delta_step, weight);
  return weight;
}

// score(G, H), 0 for a node lighter than min_child_weight.
inline double leaf_gain(const SplitRegularization& regularization, double grad, double hess) {
  if (hess < regularization.min_child_weight || hess <= 0.0) return 0.0;
  if (regularization.max_delta_step == 0.0) {
    const double thresholded = soft_threshold(grad, regularization.alpha);
    return thresholded * thresholded / (hess + regularization.lambda);
  }
  const double weight = leaf_weight(regularization, grad, hess);
  return -2.0 * (grad * weight + 0.5 * (hess + regularization.lambda) * weight * weight +
                 regularization.alpha * std::abs(weight));
}

class BoostingCriterion final : public SplitCriterion {
 public:
  static constexpr std::int64_t kWidth = 2;
  BoostingCriterion(SplitRegularization regularization, double learning_rate)
      : SplitCriterion(regularization.min_child_weight), regularization_(regularization), learning_rate_(learning_rate) {}
  std::int64_t width() const override { return kWidth; }
  std::int64_t outputs() const override { return 1; }
  std::int64_t weight_column() const override { return 1; }
  double size(const double* sums) const override { return sums[1]; }
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
class CartCriterion final : public SplitCriterion {
 public:
  enum class Impurity { squared_error, entropy };
  CartCriterion(Impurity impurity, std::int64_t targets, double min_samples_leaf, double target_offset)
      : SplitCriterion(min_samples_leaf), impurity_(impurity), targets_(targets), target_offset_(target_offset) {}
  // "gini" and "entropy" for classes, "mse" for regression (whose targets are centred on
  // target_offset).
  static std::unique_ptr<CartCriterion> named(const std::string& name, std::int64_t classes, double min_samples_leaf,
                                              double target_offset = 0.0);

  std::int64_t width() const override { return targets_ + 2; }
  std::int64_t outputs() const override { return targets_; }
  std::int64_t weight_column() const override { return targets_; }
  double size(const double* sums) const override { return sums[targets_ + 1]; }
  double score(const double* sums) const override;
  double least_loss_change(double parent_score) const override { return 1e-12 * std::abs(parent_score); }
  void leaf(const double* sums, float* values) const override;
  // Classes: weight in at least two of them. Regression: always (the sums do not show it).
  bool splittable(const double* sums) const override;

 private:
  Impurity impurity_;
  std::int64_t targets_;
  double target_offset_;
};

}  // namespace tern
