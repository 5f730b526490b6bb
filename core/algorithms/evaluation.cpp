#include "core/algorithms/evaluation.h"

namespace tern {

MetricValues metric_report(const Predictions& predictions, const Tensor& labels, std::int64_t num_features) {
  switch (predictions.task) {
    case TaskKind::binary_classification:
      return binary_classification_metrics(labels.values(), predictions.scores.values());
    case TaskKind::multiclass_classification:
      return multiclass_classification_metrics(labels.values(), predictions.scores.values(), predictions.scores.dim(1));
    case TaskKind::regression:
      return regression_metrics(labels.values(), predictions.scores.values(), num_features);
  }
  return {};
}

}  // namespace tern
