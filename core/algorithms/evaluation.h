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

// The train channel's size, its features checked against the validation channel's, for the
// algorithms that read their rows later, once their hyperparameters are known (kmeans, pca).
struct ChannelShape {
  std::int64_t rows = 0, features = 0;
  std::string source;
};
ChannelShape train_channel_shape(const JobContext& job);

// Rank 0 scores the validation channel, if there is one, with the model's evaluate_file and
// records each metric as validation:<name> at `step`.
void record_validation_metrics(Algorithm& model, JobContext& job, std::int64_t step);

}  // namespace tern
