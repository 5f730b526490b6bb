// The metric set of an algorithm's predictions against the true labels, chosen by the task
// (core/metrics/report.h defines each set). Used for validation metrics during training,
// for the test channel, and by `tern evaluate`.
#pragma once

#include "core/algorithms/algorithm.h"
#include "core/metrics/report.h"

namespace tern {

MetricValues metric_report(const Predictions& predictions, const Tensor& labels, std::int64_t num_features);

}  // namespace tern
