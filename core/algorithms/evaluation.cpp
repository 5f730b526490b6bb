#include "core/algorithms/evaluation.h"

#include <map>
#include <vector>

#include "core/data/dense_reader.h"
#include "core/data/distribution.h"
#include "core/data/validation.h"

namespace tern {

Predictions Algorithm::predict_file(const std::filesystem::path& path) {
  const Dataset data = load_dataset(path);
  check_same_features("model", num_features(), "data", data.num_features());
  return predict(data);
}

MetricValues Algorithm::evaluate_file(const std::filesystem::path& path) {
  const Dataset data = load_dataset(path);
  validate_dataset(data, task(), static_cast<int>(num_classes()), "data");
  return score(predict(data), data.labels);
}

MetricValues Algorithm::score(const Predictions& predictions, const Tensor& labels) const {
  return metric_report(predictions, labels, num_features());
}

MetricValues metric_report(const Predictions& predictions, const Tensor& labels, std::int64_t num_features) {
  switch (predictions.task) {
    case TaskKind::binary_classification:
      return binary_classification_metrics(labels.values(), predictions.scores.values(),
                                           predictions.decision_threshold);
    case TaskKind::multiclass_classification:
      return multiclass_classification_metrics(labels.values(), predictions.scores.values(), predictions.scores.dim(1));
    case TaskKind::regression:
      return regression_metrics(labels.values(), predictions.scores.values(), num_features);
    case TaskKind::projection:
    case TaskKind::clustering:
      throw Error("an unsupervised model has no label metrics: its algorithm scores it in evaluate_file");
  }
  return {};
}

MetricValues service_metric_report(const Predictions& predictions, const Tensor& labels, std::int64_t num_features) {
  static const std::map<std::string, std::string> binary = {{"accuracy", "binary_classification_accuracy"},
                                                            {"f1", "binary_f_beta"},
                                                            {"roc_auc", "roc_auc_score"},
                                                            {"log_loss", "binary_classification_cross_entropy"}};
  static const std::map<std::string, std::string> multiclass = {
      {"accuracy", "multiclass_accuracy"},        {"precision_macro", "macro_precision"},
      {"recall_macro", "macro_recall"},           {"f1_macro", "macro_f_beta"},
      {"precision_weighted", "weighted_precision"}, {"recall_weighted", "weighted_recall"},
      {"f1_weighted", "weighted_f_beta"},         {"log_loss", "multiclass_cross_entropy"},
      {"top_3_accuracy", "multiclass_top_k_accuracy"}};
  static const std::map<std::string, std::string> regression = {{"mae", "absolute_loss"}};
  const auto& names = predictions.task == TaskKind::binary_classification       ? binary
                      : predictions.task == TaskKind::multiclass_classification ? multiclass
                                                                                : regression;
  MetricValues values = metric_report(predictions, labels, num_features);
  for (auto& [name, value] : values) {
    const auto renamed = names.find(name);
    if (renamed != names.end()) name = renamed->second;
  }
  return values;
}

Predictions predict_across_ranks(Algorithm& model, const Dataset& data, Communicator& comm) {
  const RowRange mine = rank_rows(data.rows(), comm.rank(), comm.size());
  Dataset part{data.features.rows(mine.begin, mine.end), data.labels.rows(mine.begin, mine.end), data.source,
               data.first_row + mine.begin};
  const Predictions local = model.predict(part);
  std::vector<std::int64_t> row_counts(static_cast<std::size_t>(comm.size()));
  for (int rank = 0; rank < comm.size(); ++rank)
    row_counts[static_cast<std::size_t>(rank)] = rank_rows(data.rows(), rank, comm.size()).size();
  const std::int64_t scores_per_row = local.scores.ndim() == 2 ? local.scores.dim(1) : 1;
  std::vector<std::int64_t> score_counts = row_counts;
  for (std::int64_t& count : score_counts) count *= scores_per_row;
  Predictions all;
  all.task = local.task;
  all.decision_threshold = local.decision_threshold;
  Shape scores_shape = local.scores.shape();
  scores_shape[0] = data.rows();
  all.scores = Tensor::empty(scores_shape);
  all.labels = Tensor::empty({data.rows()});
  comm.allgatherv(local.scores.data<float>(), score_counts, CommType::f32, all.scores.data<float>());
  comm.allgatherv(local.labels.data<float>(), row_counts, CommType::f32, all.labels.data<float>());
  return all;
}

Tensor gather_rows_across_ranks(const Tensor& mine, Communicator& comm) {
  const std::int64_t rows = mine.dim(0), columns = mine.ndim() == 2 ? mine.dim(1) : 1;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(comm.size()));
  comm.allgather(&rows, 1, CommType::i64, counts.data());
  std::int64_t total = 0;
  for (std::int64_t& count : counts) {
    total += count;
    count *= columns;
  }
  Tensor all = Tensor::empty(mine.ndim() == 2 ? Shape{total, columns} : Shape{total});
  comm.allgatherv(mine.data<float>(), counts, CommType::f32, all.data<float>());
  return all;
}

ChannelShape train_channel_shape(const JobContext& job) {
  TERN_CHECK(job.has_channel("train"), "a train channel is needed (--train FILE)");
  const std::unique_ptr<DenseReader> train = open_dense_reader(job.channels.at("train"));
  const ChannelShape shape{train->num_rows(), train->num_features(), train->source()};
  if (job.has_channel("validation")) {
    check_same_features("train (" + shape.source + ")", shape.features, "validation",
                        open_dense_reader(job.channels.at("validation"))->num_features());
  }
  return shape;
}

void record_validation_metrics(Algorithm& model, JobContext& job, std::int64_t step) {
  if (!job.has_channel("validation") || job.comm.rank() != 0) return;
  record_metrics(job, step, "validation", model.evaluate_file(job.channels.at("validation")));
}

void record_metrics(JobContext& job, std::int64_t step, const std::string& channel, const MetricValues& values) {
  for (const auto& [metric, value] : values) {
    job.metrics.record(step, 0, channel + ":" + metric, value);
    job.log.info(channel + " " + metric + " = " + std::to_string(value));
  }
}

}  // namespace tern
