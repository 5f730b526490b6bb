#include "core/data/validation.h"

#include <cmath>

namespace tern {

void validate_dataset(const Dataset& dataset, TaskKind task, int num_classes, std::string_view channel) {
  check_dataset_shape(dataset);
  const std::string where = detail::concat("channel '", channel, "' (", dataset.source, ")");
  TERN_CHECK(dataset.rows() > 0, where, ": empty data set (no rows)");

  const float* features = dataset.features.data<float>();
  const std::int64_t num_features = dataset.num_features();
  for (std::int64_t row = 0; row < dataset.rows(); ++row)
    for (std::int64_t column = 0; column < num_features; ++column) {
      const float value = features[row * num_features + column];
      TERN_CHECK(std::isfinite(value), where, ": row ", dataset.first_row + row, ", feature column ", column,
                 " (both 0-based) is ", value, std::isnan(value) ? " (a missing value)" : "",
                 "; features must be finite");
    }

  validate_labels(std::span<const float>(dataset.labels.data<float>(), static_cast<std::size_t>(dataset.rows())), task,
                  num_classes, where, dataset.first_row);
}

void validate_labels(std::span<const float> labels, TaskKind task, int num_classes, std::string_view where,
                     std::int64_t first_row) {
  const bool classification = task == TaskKind::binary_classification || task == TaskKind::multiclass_classification;
  const int classes = task == TaskKind::binary_classification ? 2 : num_classes;
  TERN_CHECK(!classification || classes >= 2, where, ": a classification task needs num_classes >= 2, got ",
             num_classes);
  for (std::size_t index = 0; index < labels.size(); ++index) {
    const float label = labels[index];
    const std::int64_t row = first_row + static_cast<std::int64_t>(index);
    TERN_CHECK(std::isfinite(label), where, ": row ", row, " (0-based) has label ", label,
               std::isnan(label) ? " (a missing value)" : "", "; labels must be finite");
    if (!classification) continue;
    TERN_CHECK(label == std::floor(label), where, ": row ", row, " (0-based) has label ", label,
               "; class labels must be integers");
    TERN_CHECK(label >= 0.0f && label < static_cast<float>(classes), where, ": row ", row, " (0-based) has label ", label,
               ", outside [0, ", classes, ")", task == TaskKind::binary_classification ? " (binary labels are 0 or 1)" : "");
  }
}

void check_same_features(std::string_view channel_a, std::int64_t features_a, std::string_view channel_b,
                         std::int64_t features_b) {
  TERN_CHECK(features_a == features_b, "feature count mismatch: channel '", channel_a, "' has ", features_a,
             " features but channel '", channel_b, "' has ", features_b);
}

}  // namespace tern
