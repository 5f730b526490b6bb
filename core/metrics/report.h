// The standard metric set of each task, as (name, value) pairs in a fixed order with stable names,
// for logs, the run summary and comparisons between runs. Each set is computed from what the
// model outputs (probabilities or predictions) and the labels, with the functions of
// classification.h and regression.h; a metric that the data leave undefined is left out rather
// than failing the whole report.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/metrics/classification.h"

namespace tern {

using MetricValues = std::vector<std::pair<std::string, double>>;

// A row is predicted as class 1 when P(class 1) > this.
inline constexpr float binary_decision_threshold = 0.5f;

// From 0/1 labels and P(class 1) per row:
//   accuracy, precision, recall, f1 (of class 1, predicted when P > threshold), roc_auc,
//   pr_auc (average precision), log_loss.
// roc_auc is left out when the labels hold one class only, pr_auc when no label is 1.
MetricValues binary_classification_metrics(std::span<const float> labels,
                                           std::span<const float> positive_probabilities,
                                           float threshold = binary_decision_threshold);

// From class-index labels and [rows, num_classes] probabilities, predicting the argmax:
//   accuracy, precision_macro, recall_macro, f1_macro, precision_weighted, recall_weighted,
//   f1_weighted, log_loss, and top_3_accuracy when num_classes > 3.
MetricValues multiclass_classification_metrics(std::span<const float> labels, std::span<const float> probabilities,
                                               std::int64_t num_classes);

// From targets and predictions: mse, rmse, mae, r2, and adjusted_r2 for a model of num_features
// inputs when rows > num_features + 1.
MetricValues regression_metrics(std::span<const float> targets, std::span<const float> predictions,
                                std::int64_t num_features);

// The confusion matrices behind the classification sets (same decision rules).
ConfusionMatrix binary_confusion_matrix(std::span<const float> labels, std::span<const float> positive_probabilities);
ConfusionMatrix multiclass_confusion_matrix(std::span<const float> labels, std::span<const float> probabilities,
                                            std::int64_t num_classes);

// The matrix as a right-aligned text table, true classes down and predicted classes across:
//   true\pred  0  1
//           0  5  1
//           1  2  7
std::string confusion_matrix_table(const ConfusionMatrix& confusion);

}  // namespace tern
