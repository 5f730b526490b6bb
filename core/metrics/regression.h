// Regression metrics on targets and predictions of one output per row, defined as scikit-learn
// defines them (mean_squared_error, mean_absolute_error, r2_score) so that numbers reported by
// Tern can be compared with numbers computed in Python. Sums are taken in double. Inputs must
// have the same, non-zero number of rows; errors are tern::Error naming the metric.
#pragma once

#include <cstdint>
#include <span>

namespace tern {

// (1/n) Σ (y - ŷ)²
double mean_squared_error(std::span<const float> targets, std::span<const float> predictions);
// √MSE
double root_mean_squared_error(std::span<const float> targets, std::span<const float> predictions);
// (1/n) Σ |y - ŷ|
double mean_absolute_error(std::span<const float> targets, std::span<const float> predictions);

// R² = 1 - Σ (y - ŷ)² / Σ (y - ȳ)². With constant targets the ratio is undefined and, as in
// sklearn (force_finite=True), R² is 1 for a perfect prediction and 0 otherwise.
double r2_score(std::span<const float> targets, std::span<const float> predictions);

// Adjusted R² = 1 - (1 - R²) (n - 1) / (n - p - 1) for a model with p = num_features inputs;
// defined only when n > p + 1.
double adjusted_r2_score(std::span<const float> targets, std::span<const float> predictions, std::int64_t num_features);

}  // namespace tern
