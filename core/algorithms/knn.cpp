#include "core/algorithms/knn.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/algorithms/evaluation.h"
#include "core/algorithms/hyperparameters.h"
#include "core/data/dense_reader.h"
#include "core/data/row_shard.h"
#include "core/random/random.h"

namespace tern {

namespace {

struct KnnConfig {
  std::int64_t k = 0;
  bool classifier = true;
  std::int64_t sample_size = 0;
  std::string index_metric = "L2";
  std::string reduction = "none";
  std::int64_t reduction_target = 0;
  std::int64_t chunk_rows = 5000;  // rows read at a time (mini_batch_size)
  std::uint64_t seed = 0;
};

KnnConfig read_hyperparameters(HyperparameterReader& read, std::int64_t rows, std::int64_t features) {
  KnnConfig config;
  TERN_CHECK(read.given("k"), "hyperparameter 'k' is required for knn");
  TERN_CHECK(read.given("predictor_type"), "hyperparameter 'predictor_type' is required for knn (classifier or regressor)");
  config.k = read.integer("k", 1, Range::at_least(1));
  config.classifier = read.choice("predictor_type", "classifier", {"classifier", "regressor"}) == "classifier";
  config.sample_size = read.integer("sample_size", rows, Range::at_least(1));
  TERN_CHECK(config.sample_size <= rows, "hyperparameter 'sample_size' (", config.sample_size,
             ") is larger than the training set (", rows, " rows)");
  TERN_CHECK(config.k <= config.sample_size, "hyperparameter 'k' (", config.k, ") is larger than the sample (",
             config.sample_size, " rows)");
  const std::int64_t feature_dim = read.integer("feature_dim", features, Range::at_least(1));
  TERN_CHECK(feature_dim == features, "hyperparameter 'feature_dim' (", feature_dim, ") does not match the data's ",
             features, " features");
  config.index_metric = read.choice("index_metric", "L2", {"L2", "INNER_PRODUCT", "COSINE"});
  read.choice("index_type", "faiss.Flat", {"faiss.Flat"});
  for (const char* ivf_setting : {"faiss_index_ivf_nlists", "faiss_index_pq_m"}) {
    TERN_CHECK(!read.given(ivf_setting), "hyperparameter '", ivf_setting,
               "' applies to FAISS's approximate IVF indices; Tern's knn index is exact (index_type faiss.Flat)");
  }
  config.reduction = read.choice("dimension_reduction_type", "none", {"none", "sign", "fjlt"});
  if (config.reduction == "none") {
    TERN_CHECK(!read.given("dimension_reduction_target"),
               "hyperparameter 'dimension_reduction_target' needs a dimension_reduction_type (sign or fjlt)");
  } else {
    TERN_CHECK(read.given("dimension_reduction_target"), "hyperparameter 'dimension_reduction_target' is required ",
               "with dimension_reduction_type ", config.reduction);
    config.reduction_target = read.integer("dimension_reduction_target", 1, Range::between(1, static_cast<double>(features)));
  }
  config.chunk_rows = read.integer("mini_batch_size", 5000, Range::at_least(1));
  config.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  read.finish();
  return config;
}

NeighborMetric search_metric(const std::string& index_metric) {
  return index_metric == "L2" ? NeighborMetric::l2 : NeighborMetric::inner_product;
}

// Which rows of the file the index holds: sample_size of them drawn without replacement by a
// seeded permutation (all when sample_size is the whole set), the same on every rank.
std::vector<bool> sampled_rows(std::int64_t rows, std::int64_t sample_size, std::uint64_t seed) {
  std::vector<bool> sampled(static_cast<std::size_t>(rows), sample_size == rows);
  if (sample_size == rows) return sampled;
  const std::vector<std::int64_t> order = random_permutation(rows, seed, stream_id("knn.sample"));
  for (std::int64_t i = 0; i < sample_size; ++i) sampled[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = true;
  return sampled;
}

// The rows of a chunk that `sampled` marks, with their labels.
Dataset sampled_part(const Dataset& chunk, const std::vector<bool>& sampled) {
  std::vector<std::int64_t> picked;
  for (std::int64_t i = 0; i < chunk.rows(); ++i)
    if (sampled[static_cast<std::size_t>(chunk.first_row + i)]) picked.push_back(i);
  const std::int64_t features = chunk.num_features();
  Dataset part = allocate_dataset(static_cast<std::int64_t>(picked.size()), features, chunk.source);
  for (std::size_t i = 0; i < picked.size(); ++i) {
    std::copy_n(chunk.features.data<float>() + picked[i] * features, features,
                part.features.data<float>() + static_cast<std::int64_t>(i) * features);
    part.labels.data<float>()[i] = chunk.labels.data<float>()[picked[i]];
  }
  return part;
}

void check_class_labels(const Dataset& rows) {
  for (std::int64_t i = 0; i < rows.rows(); ++i) {
    const float label = rows.labels.data<float>()[i];
    TERN_CHECK(label >= 0 && label == std::floor(label), "knn classifier: ", rows.source, " row ",
               rows.first_row + i + 1, " has label ", label, "; class labels must be 0, 1, 2, ...");
  }
}

}  // namespace

Tensor Knn::prepare(const Tensor& features) const {
  Tensor prepared = reduction_.apply(features);
  if (index_metric_ != "COSINE") return prepared;
  if (reduction_.type() == "none") prepared = prepared.clone();
  const std::int64_t rows = prepared.dim(0), columns = prepared.dim(1);
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = prepared.data<float>() + r * columns;
    double squared = 0.0;
    for (std::int64_t i = 0; i < columns; ++i) squared += static_cast<double>(row[i]) * row[i];
    if (squared == 0.0) continue;  // a zero row stays zero: its similarity to every row is 0
    const double inverse = 1.0 / std::sqrt(squared);
    for (std::int64_t i = 0; i < columns; ++i) row[i] = static_cast<float>(row[i] * inverse);
  }
  return prepared;
}

void Knn::fit(JobContext& job) {
  Communicator& comm = job.comm;
  const ChannelShape train = train_channel_shape(job);
  HyperparameterReader read("knn", job.hyperparameters);
  const KnnConfig config = read_hyperparameters(read, train.rows, train.features);
  job.resolved_hyperparameters = read.resolved();
  const auto fit_start = std::chrono::steady_clock::now();
  const RowShard shard(job.channels.at("train"), comm, job.ingestion_mode, config.chunk_rows, TaskKind::regression,
                       "train");
  k_ = config.k;
  index_metric_ = config.index_metric;
  reduction_ = DimensionReduction::draw(config.reduction, train.features, config.reduction_target, config.seed);

  // This rank's share of the index: its sampled rows, prepared chunk by chunk.
  const std::vector<bool> sampled = sampled_rows(train.rows, config.sample_size, config.seed);
  const auto first_index = static_cast<std::int64_t>(
      std::count(sampled.begin(), sampled.begin() + shard.rows().begin, true));
  const std::int64_t dimension = reduction_.output_dimension();
  std::vector<float> rows, labels;
  float largest_label = 0.0f;
  shard.for_each_chunk([&](const Dataset& chunk) {
    const Dataset part = sampled_part(chunk, sampled);
    if (config.classifier) check_class_labels(part);
    const Tensor prepared = prepare(part.features);
    rows.insert(rows.end(), prepared.data<float>(), prepared.data<float>() + prepared.numel());
    labels.insert(labels.end(), part.labels.data<float>(), part.labels.data<float>() + part.rows());
    for (const float label : part.labels.values()) largest_label = std::max(largest_label, label);
  });
  const auto own = static_cast<std::int64_t>(labels.size());
  Tensor own_rows = Tensor::empty({own, dimension}), own_labels = Tensor::empty({own});
  std::copy(rows.begin(), rows.end(), own_rows.data<float>());
  std::copy(labels.begin(), labels.end(), own_labels.data<float>());
  largest_label = allreduce_value(comm, largest_label, ReduceOp::max);
  num_classes_ = config.classifier ? std::max<std::int64_t>(2, static_cast<std::int64_t>(largest_label) + 1) : 1;
  task_ = !config.classifier       ? TaskKind::regression
          : num_classes_ == 2 ? TaskKind::binary_classification
                              : TaskKind::multiclass_classification;
  const NeighborIndex shard_index(own_rows, own_labels, first_index, search_metric(index_metric_));
  job.log.info("knn: index of " + std::to_string(config.sample_size) + " rows x " + std::to_string(dimension) +
               " dimensions (" + reduction_.type() + " reduction of " + std::to_string(train.features) +
               " features), sharded over " + std::to_string(comm.size()) + " rank(s); k = " + std::to_string(k_) +
               ", " + index_metric_);

  if (job.has_channel("validation")) {
    const Dataset validation = load_dataset(job.channels.at("validation"));
    validate_dataset(validation, task_, static_cast<int>(num_classes_), "validation");
    check_same_features("train", train.features, "validation", validation.num_features());
    const auto search_start = std::chrono::steady_clock::now();
    const std::vector<Neighbor> found = search_across_ranks(shard_index, prepare(validation.features), k_, comm);
    const double search_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - search_start).count();
    job.log.info("knn: " + std::to_string(validation.rows()) + " validation queries in " +
                 std::to_string(search_seconds) + " s");
    job.metrics.record(0, 0, "validation:queries_per_second", static_cast<double>(validation.rows()) / search_seconds);
    record_metrics(job, 0, "validation", score(vote(found, validation.rows()), validation.labels));
  }

  // The model: the whole index, every rank's rows in rank order (the index's numbering).
  index_ = std::make_unique<NeighborIndex>(gather_rows_across_ranks(own_rows, comm),
                                           gather_rows_across_ranks(own_labels, comm), 0, search_metric(index_metric_));
  job.summary["knn"] = {{"index_rows", index_->size()}, {"index_dimension", dimension}, {"num_classes", num_classes_}};
  job.metrics.record(0, 0, "train:fit_seconds",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
}

std::vector<Neighbor> Knn::neighbors(const Tensor& features) const {
  TERN_CHECK(index_, "knn: no model trained or loaded");
  check_same_features("model", num_features(), "data", features.dim(1));
  return index_->search(prepare(features), k_);
}

Predictions Knn::predict(const Dataset& data) { return vote(neighbors(data.features), data.rows()); }

MetricValues Knn::score(const Predictions& predictions, const Tensor& labels) const {
  return service_metric_report(predictions, labels, num_features());
}

Predictions Knn::vote(const std::vector<Neighbor>& found, std::int64_t rows) const {
  Predictions predictions;
  predictions.task = task_;
  predictions.labels = Tensor::empty({rows});
  const bool multiclass = task_ == TaskKind::multiclass_classification;
  predictions.scores = multiclass ? Tensor::empty({rows, num_classes_}) : Tensor::empty({rows});
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    std::vector<double> votes(static_cast<std::size_t>(num_classes_), 0.0);
    double sum = 0.0, count = 0.0;
    for (std::int64_t j = 0; j < k_; ++j) {
      const Neighbor& neighbor = found[static_cast<std::size_t>(r * k_ + j)];
      if (neighbor.index < 0) continue;
      count += 1.0;
      sum += neighbor.label;
      if (task_ != TaskKind::regression) votes[static_cast<std::size_t>(neighbor.label)] += 1.0;
    }
    if (task_ == TaskKind::regression) {
      predictions.labels.data<float>()[r] = predictions.scores.data<float>()[r] = static_cast<float>(sum / count);
      continue;
    }
    const auto winner = std::max_element(votes.begin(), votes.end()) - votes.begin();  // the first of equals
    predictions.labels.data<float>()[r] = static_cast<float>(winner);
    if (multiclass) {
      for (std::int64_t c = 0; c < num_classes_; ++c)
        predictions.scores.data<float>()[r * num_classes_ + c] = static_cast<float>(votes[static_cast<std::size_t>(c)] / count);
    } else {
      predictions.scores.data<float>()[r] = static_cast<float>(votes[1] / count);
    }
  }
  return predictions;
}

ModelFile Knn::export_model() const {
  TERN_CHECK(index_, "knn: no model trained or loaded");
  ModelFile file;
  file.attributes = {{"k", k_},
                     {"predictor_type", task_ == TaskKind::regression ? "regressor" : "classifier"},
                     {"num_classes", num_classes_},
                     {"index_metric", index_metric_},
                     {"num_features", num_features()}};
  reduction_.save(file, "knn/");
  file.tensors.emplace("knn/index", index_->rows());
  file.tensors.emplace("knn/labels", index_->labels());
  return file;
}

void Knn::import_model(const ModelFile& file) {
  k_ = file.attributes.at("k").get<std::int64_t>();
  num_classes_ = file.attributes.at("num_classes").get<std::int64_t>();
  const bool classifier = file.attributes.at("predictor_type").get<std::string>() == "classifier";
  task_ = !classifier ? TaskKind::regression
          : num_classes_ == 2 ? TaskKind::binary_classification
                              : TaskKind::multiclass_classification;
  index_metric_ = file.attributes.at("index_metric").get<std::string>();
  TERN_CHECK(index_metric_ == "L2" || index_metric_ == "INNER_PRODUCT" || index_metric_ == "COSINE",
             "knn model: index_metric '", index_metric_, "'");
  reduction_ = DimensionReduction::load(file, "knn/");
  const Tensor& rows = file.tensor("knn/index");
  const Tensor& labels = file.tensor("knn/labels");
  TERN_CHECK(rows.ndim() == 2 && rows.dim(1) == reduction_.output_dimension() && labels.ndim() == 1 &&
                 labels.dim(0) == rows.dim(0) && k_ >= 1 && k_ <= rows.dim(0) && num_classes_ >= 1,
             "knn model: index of shape ", shape_string(rows.shape()), " with ", labels.numel(), " labels for k = ", k_,
             " and ", reduction_.output_dimension(), " dimensions");
  if (classifier) {
    for (const float label : labels.values())
      TERN_CHECK(label >= 0 && label < static_cast<float>(num_classes_) && label == std::floor(label),
                 "knn model: label ", label, " for ", num_classes_, " classes");
  }
  index_ = std::make_unique<NeighborIndex>(rows.clone(), labels.clone(), 0, search_metric(index_metric_));
}

}  // namespace tern
