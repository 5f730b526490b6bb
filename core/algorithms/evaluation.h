// The metric set of an algorithm's predictions against the true labels, chosen by the task
// (core/metrics/report.h defines each set). Used for validation metrics during training,
// for the test channel, and by `tern evaluate`.
#pragma once

#include "core/algorithms/algorithm.h"
#include "core/metrics/report.h"

namespace tern {

MetricValues metric_report(const Predictions& predictions, const Tensor& labels, std::int64_t num_features);

// Predictions for every row of `data`, computed in parts: each rank scores its contiguous
// share of the rows and the parts are gathered, so every rank ends with all rows' predictions
// in row order, whatever the number of ranks.
Predictions predict_across_ranks(Algorithm& model, const Dataset& data, Communicator& comm);

}  // namespace tern
