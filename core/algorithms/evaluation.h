// The metric set of an algorithm's predictions against the true labels, chosen by the task
// (core/metrics/report.h defines each set). Used for validation metrics during training,
// for the test channel, and by `tern evaluate`.
#pragma once

#include "core/algorithms/algorithm.h"
#include "core/metrics/report.h"

namespace tern {

MetricValues metric_report(const Predictions& predictions, const Tensor& labels, std::int64_t num_features);

// The same set under the managed service's metric names, for the tabular built-ins (knn,
// linear-learner, factorization-machines), so a user's metric definitions and tuning
// objectives carry over:
//   binary:      binary_classification_accuracy, precision, recall, binary_f_beta (β = 1),
//                roc_auc_score, pr_auc, binary_classification_cross_entropy
//   multiclass:  multiclass_accuracy, macro_precision, macro_recall, macro_f_beta,
//                weighted_precision, weighted_recall, weighted_f_beta,
//                multiclass_cross_entropy, multiclass_top_k_accuracy (k = 3)
//   regression:  mse, rmse, absolute_loss (the mean absolute error), r2, adjusted_r2
MetricValues service_metric_report(const Predictions& predictions, const Tensor& labels, std::int64_t num_features);

// Predictions for every row of `data`, computed in parts: each rank scores its contiguous
// share of the rows and the parts are gathered, so every rank ends with all rows' predictions
// in row order, whatever the number of ranks.
Predictions predict_across_ranks(Algorithm& model, const Dataset& data, Communicator& comm);

// Every rank's rows of a tensor (f32 [rows, columns] or [rows]), concatenated in rank order,
// on every rank.
Tensor gather_rows_across_ranks(const Tensor& mine, Communicator& comm);

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

// Records each metric as <channel>:<name> at `step` (in metrics.jsonl on rank 0) and logs it.
void record_metrics(JobContext& job, std::int64_t step, const std::string& channel, const MetricValues& values);

}  // namespace tern
