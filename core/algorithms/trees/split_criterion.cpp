#include "core/algorithms/trees/split_criterion.h"

#include <cmath>

#include "core/error.h"

namespace tern {

std::unique_ptr<CartCriterion> CartCriterion::named(const std::string& name, std::int64_t classes,
                                                    double min_samples_leaf, double target_offset) {
  if (name == "mse") return std::make_unique<CartCriterion>(Impurity::squared_error, 1, min_samples_leaf, target_offset);
  TERN_CHECK(name == "gini" || name == "entropy", "criterion '", name, "' is not one of gini, entropy, mse");
  TERN_CHECK(classes >= 2, "criterion ", name, " needs at least 2 classes, not ", classes);
  return std::make_unique<CartCriterion>(name == "gini" ? Impurity::squared_error : Impurity::entropy, classes,
                                         min_samples_leaf, 0.0);
}

double CartCriterion::score(const double* sums) const {
  const double weight = sums[targets_];
  if (weight <= 0.0) return 0.0;
  double score = 0.0;
  for (std::int64_t k = 0; k < targets_; ++k) {
    const double sum = sums[k];
    if (impurity_ == Impurity::squared_error) score += sum * sum;
    else if (sum > 0.0) score += sum * std::log(sum / weight);
  }
  return impurity_ == Impurity::squared_error ? score / weight : score;
}

bool CartCriterion::splittable(const double* sums) const {
  if (targets_ == 1) return true;  // regression
  std::int64_t classes_present = 0;
  for (std::int64_t k = 0; k < targets_; ++k) classes_present += sums[k] > 0.0 ? 1 : 0;
  return classes_present >= 2;
}

void CartCriterion::leaf(const double* sums, float* values) const {
  const double weight = sums[targets_];
  for (std::int64_t k = 0; k < targets_; ++k)
    values[k] = weight > 0.0 ? static_cast<float>(target_offset_ + sums[k] / weight) : 0.0f;
}

}  // namespace tern
