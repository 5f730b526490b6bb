// Metric sets per task (see report.h): thin compositions of the metric functions, in the order
// the header lists.
#include "core/metrics/report.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"
#include "core/metrics/regression.h"

namespace tern {

namespace {

// Both classes occur among the 0/1 labels (ROC AUC needs them); the metric functions validate
// the labels themselves.
bool both_classes_present(std::span<const float> labels) {
  const bool has_positive = std::find(labels.begin(), labels.end(), 1.0f) != labels.end();
  const bool has_negative = std::find(labels.begin(), labels.end(), 0.0f) != labels.end();
  return has_positive && has_negative;
}

bool any_positive(std::span<const float> labels) {
  return std::find(labels.begin(), labels.end(), 1.0f) != labels.end();
}

}  // namespace

MetricValues binary_classification_metrics(std::span<const float> labels,
                                           std::span<const float> positive_probabilities, float threshold) {
  const std::vector<float> predictions = threshold_classes(positive_probabilities, threshold);
  const ConfusionMatrix confusion = confusion_matrix(labels, predictions, 2);
  MetricValues metrics = {
      {"accuracy", accuracy(labels, predictions)},
      {"precision", precision_score(confusion, Average::binary)},
      {"recall", recall_score(confusion, Average::binary)},
      {"f1", f1_score(confusion, Average::binary)},
  };
  if (both_classes_present(labels)) metrics.emplace_back("roc_auc", roc_auc_score(labels, positive_probabilities));
  if (any_positive(labels)) metrics.emplace_back("pr_auc", average_precision_score(labels, positive_probabilities));
  metrics.emplace_back("log_loss", binary_log_loss(labels, positive_probabilities));
  return metrics;
}

MetricValues multiclass_classification_metrics(std::span<const float> labels, std::span<const float> probabilities,
                                               std::int64_t num_classes) {
  const std::vector<float> predictions = argmax_classes(probabilities, num_classes);
  const ConfusionMatrix confusion = confusion_matrix(labels, predictions, num_classes);
  MetricValues metrics = {
      {"accuracy", accuracy(labels, predictions)},
      {"precision_macro", precision_score(confusion, Average::macro)},
      {"recall_macro", recall_score(confusion, Average::macro)},
      {"f1_macro", f1_score(confusion, Average::macro)},
      {"precision_weighted", precision_score(confusion, Average::weighted)},
      {"recall_weighted", recall_score(confusion, Average::weighted)},
      {"f1_weighted", f1_score(confusion, Average::weighted)},
      {"log_loss", multiclass_log_loss(labels, probabilities, num_classes)},
  };
  if (num_classes > 3) metrics.emplace_back("top_3_accuracy", top_k_accuracy(labels, probabilities, num_classes, 3));
  return metrics;
}

MetricValues regression_metrics(std::span<const float> targets, std::span<const float> predictions,
                                std::int64_t num_features) {
  MetricValues metrics = {
      {"mse", mean_squared_error(targets, predictions)},
      {"rmse", root_mean_squared_error(targets, predictions)},
      {"mae", mean_absolute_error(targets, predictions)},
      {"r2", r2_score(targets, predictions)},
  };
  if (num_features >= 0 && static_cast<std::int64_t>(targets.size()) > num_features + 1) {
    metrics.emplace_back("adjusted_r2", adjusted_r2_score(targets, predictions, num_features));
  }
  return metrics;
}

ConfusionMatrix binary_confusion_matrix(std::span<const float> labels, std::span<const float> positive_probabilities) {
  return confusion_matrix(labels, threshold_classes(positive_probabilities, binary_decision_threshold), 2);
}

ConfusionMatrix multiclass_confusion_matrix(std::span<const float> labels, std::span<const float> probabilities,
                                            std::int64_t num_classes) {
  return confusion_matrix(labels, argmax_classes(probabilities, num_classes), num_classes);
}

std::string confusion_matrix_table(const ConfusionMatrix& confusion) {
  TERN_CHECK(confusion.num_classes >= 1 &&
                 confusion.counts.size() == static_cast<std::size_t>(confusion.num_classes * confusion.num_classes),
             "confusion_matrix_table: confusion matrix of ", confusion.num_classes, " classes holds ",
             confusion.counts.size(), " counts");
  const std::string corner = "true\\pred";
  std::size_t cell_width = std::to_string(confusion.num_classes - 1).size();
  for (const std::int64_t count : confusion.counts) cell_width = std::max(cell_width, std::to_string(count).size());

  std::ostringstream table;
  auto write_cell = [&](const std::string& text, std::size_t width) {
    table << std::string(width - text.size() + 2, ' ') << text;
  };
  table << corner;
  for (std::int64_t predicted = 0; predicted < confusion.num_classes; ++predicted) {
    write_cell(std::to_string(predicted), cell_width);
  }
  table << '\n';
  for (std::int64_t true_class = 0; true_class < confusion.num_classes; ++true_class) {
    table << std::string(corner.size() - std::to_string(true_class).size(), ' ') << true_class;
    for (std::int64_t predicted = 0; predicted < confusion.num_classes; ++predicted) {
      write_cell(std::to_string(confusion.count(true_class, predicted)), cell_width);
    }
    table << '\n';
  }
  return table.str();
}

}  // namespace tern
