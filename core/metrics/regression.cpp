// Regression metrics (see regression.h): plain loops over the rows, accumulated in double.
#include "core/metrics/regression.h"

#include <cmath>

#include "core/error.h"

namespace tern {

namespace {

void check_rows(const char* metric, std::span<const float> targets, std::span<const float> predictions) {
  TERN_CHECK(!targets.empty(), metric, ": no rows (targets is empty)");
  TERN_CHECK(targets.size() == predictions.size(), metric, ": targets has ", targets.size(),
             " rows but predictions has ", predictions.size());
}

double sum_squared_error(std::span<const float> targets, std::span<const float> predictions) {
  double sum = 0.0;
  for (std::size_t row = 0; row < targets.size(); ++row) {
    const double error = static_cast<double>(targets[row]) - static_cast<double>(predictions[row]);
    sum += error * error;
  }
  return sum;
}

}  // namespace

double mean_squared_error(std::span<const float> targets, std::span<const float> predictions) {
  check_rows("mean_squared_error", targets, predictions);
  return sum_squared_error(targets, predictions) / static_cast<double>(targets.size());
}

double root_mean_squared_error(std::span<const float> targets, std::span<const float> predictions) {
  return std::sqrt(mean_squared_error(targets, predictions));
}

double mean_absolute_error(std::span<const float> targets, std::span<const float> predictions) {
  check_rows("mean_absolute_error", targets, predictions);
  double sum = 0.0;
  for (std::size_t row = 0; row < targets.size(); ++row) {
    sum += std::abs(static_cast<double>(targets[row]) - static_cast<double>(predictions[row]));
  }
  return sum / static_cast<double>(targets.size());
}

double r2_score(std::span<const float> targets, std::span<const float> predictions) {
  check_rows("r2_score", targets, predictions);
  double target_sum = 0.0;
  for (const float target : targets) target_sum += target;
  const double target_mean = target_sum / static_cast<double>(targets.size());
  double total_sum_of_squares = 0.0;
  for (const float target : targets) {
    const double deviation = static_cast<double>(target) - target_mean;
    total_sum_of_squares += deviation * deviation;
  }
  const double residual_sum_of_squares = sum_squared_error(targets, predictions);
  if (total_sum_of_squares == 0.0) return residual_sum_of_squares == 0.0 ? 1.0 : 0.0;
  return 1.0 - residual_sum_of_squares / total_sum_of_squares;
}

double adjusted_r2_score(std::span<const float> targets, std::span<const float> predictions,
                         std::int64_t num_features) {
  const auto rows = static_cast<std::int64_t>(targets.size());
  TERN_CHECK(num_features >= 0, "adjusted_r2_score: num_features must be non-negative, got ", num_features);
  TERN_CHECK(rows > num_features + 1, "adjusted_r2_score: needs more rows than num_features + 1, got ", rows,
             " rows and ", num_features, " features");
  const double r2 = r2_score(targets, predictions);
  return 1.0 - (1.0 - r2) * static_cast<double>(rows - 1) / static_cast<double>(rows - num_features - 1);
}

}  // namespace tern
