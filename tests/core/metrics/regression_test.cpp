// Regression metrics against scikit-learn 1.2.1 (values in sklearn_reference.h), sklearn's rule
// for constant targets, and the input errors.
#include "core/metrics/regression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "tests/core/metrics/sklearn_reference.h"

namespace tern {
namespace {

namespace ref = sklearn_reference;

// Doubles agree with sklearn to rounding; 1e-12 relative leaves room for a different summation order.
void expect_close(double actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-12 * std::abs(expected)) << "expected " << expected;
}

TEST(RegressionMetrics, MatchSklearn) {
  const std::span<const float> targets = ref::regression_targets, predictions = ref::regression_predictions;
  expect_close(mean_squared_error(targets, predictions), ref::regression_mse);
  expect_close(root_mean_squared_error(targets, predictions), ref::regression_rmse);
  expect_close(mean_absolute_error(targets, predictions), ref::regression_mae);
  expect_close(r2_score(targets, predictions), ref::regression_r2);
  expect_close(adjusted_r2_score(targets, predictions, 3), ref::regression_adjusted_r2_3_features);
}

TEST(RegressionMetrics, PerfectPredictions) {
  const std::span<const float> targets = ref::regression_targets;
  EXPECT_EQ(mean_squared_error(targets, targets), 0.0);
  EXPECT_EQ(mean_absolute_error(targets, targets), 0.0);
  EXPECT_EQ(r2_score(targets, targets), 1.0);
  EXPECT_EQ(adjusted_r2_score(targets, targets, 5), 1.0);
}

TEST(RegressionMetrics, R2OfConstantTargetsFollowsSklearn) {
  // r2_score([2, 2, 2], [2, 2, 2]) = 1.0 and r2_score([2, 2, 2], [2, 2, 2.5]) = 0.0 (force_finite=True).
  const std::vector<float> constant = {2.0f, 2.0f, 2.0f};
  EXPECT_EQ(r2_score(constant, constant), 1.0);
  EXPECT_EQ(r2_score(constant, std::vector<float>{2.0f, 2.0f, 2.5f}), 0.0);
}

TEST(RegressionMetrics, R2OfTheMeanIsZeroAndCanBeNegative) {
  // ȳ = 3 and Σ (y - ȳ)² = 4 + 1 + 0 + 9 = 14. Predicting ȳ gives R² = 0; predicting 6 - y leaves
  // residuals (-4, -2, 0, 6), Σ = 56, so R² = 1 - 56 / 14 = -3.
  const std::vector<float> targets = {1.0f, 2.0f, 3.0f, 6.0f};
  EXPECT_EQ(r2_score(targets, std::vector<float>(4, 3.0f)), 0.0);
  EXPECT_EQ(r2_score(targets, std::vector<float>{5.0f, 4.0f, 3.0f, 0.0f}), -3.0);
}

TEST(RegressionMetrics, SizeMismatchesAndEmptyInputsAreErrors) {
  const std::vector<float> three = {1.0f, 2.0f, 3.0f};
  const std::vector<float> two = {1.0f, 2.0f};
  const std::vector<float> empty;
  EXPECT_THROW(mean_squared_error(three, two), Error);
  EXPECT_THROW(root_mean_squared_error(empty, empty), Error);
  EXPECT_THROW(mean_absolute_error(two, three), Error);
  EXPECT_THROW(mean_absolute_error(empty, empty), Error);
  EXPECT_THROW(r2_score(three, two), Error);
  EXPECT_THROW(r2_score(empty, empty), Error);
}

TEST(RegressionMetrics, AdjustedR2NeedsMoreRowsThanFeaturesPlusOne) {
  const std::span<const float> targets = ref::regression_targets, predictions = ref::regression_predictions;
  EXPECT_NO_THROW(adjusted_r2_score(targets, predictions, 30));  // 32 rows > 30 + 1
  EXPECT_THROW(adjusted_r2_score(targets, predictions, 31), Error);
  EXPECT_THROW(adjusted_r2_score(targets, predictions, 40), Error);
  EXPECT_THROW(adjusted_r2_score(targets, predictions, -1), Error);
  try {
    adjusted_r2_score(targets, predictions, 31);
    FAIL() << "expected tern::Error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "adjusted_r2_score: needs more rows than num_features + 1, got 32 rows and 31 features");
  }
}

}  // namespace
}  // namespace tern
