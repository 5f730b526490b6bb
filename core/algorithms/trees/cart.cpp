#include "core/algorithms/trees/cart.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace tern {

namespace {

constexpr double kMostInferredClasses = 1000;  // a larger label looks like a regression target

// max_features as a count (≥ 1) or a fraction (in (0, 1]): "3" is a count, "0.5" and "1.0"
// fractions, as in scikit-learn.
struct FeatureShare {
  std::int64_t count = 0;
  double fraction = 0.0;
};

FeatureShare parse_feature_share(const std::string& text) {
  std::size_t used = 0;
  FeatureShare share;
  try {
    if (text.find_first_of(".eE") == std::string::npos) {
      share.count = std::stoll(text, &used);
      if (used == text.size() && share.count >= 1) return share;
    } else {
      share.fraction = std::stod(text, &used);
      if (used == text.size() && share.fraction > 0.0 && share.fraction <= 1.0) return share;
    }
  } catch (const std::exception&) {
  }
  throw Error("hyperparameter 'max_features': '" + text +
              "' is not all, auto, sqrt, log2, a count of at least 1 or a fraction in (0, 1]");
}

}  // namespace

CartConfig read_cart_hyperparameters(HyperparameterReader& read, const std::string& default_criterion,
                                     std::int64_t default_max_depth, const std::string& default_max_features) {
  CartConfig config;
  config.criterion = read.choice("criterion", default_criterion, {"gini", "entropy", "mse"});
  config.num_classes = read.integer("num_classes", 0, Range::non_negative());
  TERN_CHECK(config.num_classes != 1, "hyperparameter 'num_classes' 1: a classifier needs at least 2 classes");
  config.growth.max_depth = read.integer("max_depth", default_max_depth, Range::non_negative());
  config.min_samples_split = read.real("min_samples_split", 2.0, Range::non_negative());
  config.min_samples_leaf = read.real("min_samples_leaf", 1.0, Range::non_negative());
  config.max_features = read.text("max_features", default_max_features);
  if (config.max_features == "auto") config.max_features = config.criterion == "mse" ? "all" : "sqrt";
  if (config.max_features != "all" && config.max_features != "sqrt" && config.max_features != "log2")
    parse_feature_share(config.max_features);
  config.binning.max_bin = read.integer("max_bin", 256, Range::between(2, 65535));
  config.binning.sample_rows = read.integer("quantile_sample_rows", 200000, Range::at_least(1));
  config.growth.seed = config.binning.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  return config;
}

std::int64_t max_features_count(const std::string& max_features, std::int64_t features) {
  const auto at_least_one = [&](double count) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(count), 1, features);
  };
  if (max_features == "all") return features;
  if (max_features == "sqrt") return at_least_one(std::sqrt(static_cast<double>(features)));
  if (max_features == "log2") return at_least_one(std::log2(static_cast<double>(features)));
  const FeatureShare share = parse_feature_share(max_features);
  if (share.count > 0) return std::min(share.count, features);
  return at_least_one(share.fraction * static_cast<double>(features));
}

CartStatistics cart_statistics(std::span<const float> labels, std::span<const double> weights, std::int64_t classes,
                               double target_offset, std::int64_t total_rows, Communicator& comm) {
  const std::int64_t width = classes == 0 ? 3 : classes + 2;
  const auto rows = static_cast<std::int64_t>(labels.size());
  double largest_weight = 0.0, largest_target = 0.0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const double weight = weights[static_cast<std::size_t>(r)];
    largest_weight = std::max(largest_weight, weight);
    largest_target = std::max(largest_target, std::abs(weight * (labels[static_cast<std::size_t>(r)] - target_offset)));
  }
  std::vector<double> largest(static_cast<std::size_t>(width), largest_weight);
  if (classes == 0) largest[0] = largest_target;
  largest[static_cast<std::size_t>(width - 1)] = 1.0;  // the row count
  allreduce(comm, std::span<double>(largest), ReduceOp::max);
  CartStatistics statistics{FixedPointScales(largest, total_rows), RowStatistics(width, rows)};
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    const double weight = weights[static_cast<std::size_t>(r)], label = labels[static_cast<std::size_t>(r)];
    std::int64_t* row = statistics.rows.row(r);
    if (classes == 0) row[0] = statistics.scales.quantize(0, weight * (label - target_offset));
    else row[static_cast<std::int64_t>(label)] = statistics.scales.quantize(static_cast<std::int64_t>(label), weight);
    row[width - 2] = statistics.scales.quantize(width - 2, weight);
    row[width - 1] = statistics.scales.quantize(width - 1, weight > 0.0 ? 1.0 : 0.0);
  }
  return statistics;
}

CartTrainer::CartTrainer(const BinnedShard& shard, std::unique_ptr<CartCriterion> criterion,
                         const TreeGrowthConfig& growth, std::int64_t classes, double target_offset, Communicator& comm)
    : shard_(shard), criterion_(std::move(criterion)), grower_(shard.matrix, comm, *criterion_, growth),
      classes_(classes), target_offset_(target_offset), comm_(comm),
      features_(static_cast<std::size_t>(shard.matrix.features())) {
  std::iota(features_.begin(), features_.end(), 0);
}

RegressionTree CartTrainer::grow(std::span<const RowIndex> rows, std::span<const double> weights, std::int64_t index) {
  const CartStatistics statistics =
      cart_statistics(shard_.labels, weights, classes_, target_offset_, shard_.total_rows, comm_);
  return grower_.grow(rows, statistics.rows, statistics.scales, features_, index);
}

std::vector<RowIndex> CartTrainer::all_rows() const {
  std::vector<RowIndex> rows(static_cast<std::size_t>(shard_.matrix.rows()));
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

BinnedShard CartModel::read_training_data(JobContext& job, const CartConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  BinnedShard shard = load_binned_shard(job.channels.at("train"), job.comm, config.binning);
  num_features_ = shard.matrix.features();
  criterion_ = config.criterion;
  classes_ = 0;
  if (criterion_ != "mse") {
    classes_ = config.num_classes;
    if (classes_ == 0) {
      double largest = 0.0;
      for (const float label : shard.labels)
        if (std::isfinite(label)) largest = std::max<double>(largest, label);
      largest = allreduce_value(job.comm, largest, ReduceOp::max);
      TERN_CHECK(largest < kMostInferredClasses, "train: ", shard.source, ": the largest label is ", largest,
                 ", too many classes for criterion ", criterion_, ": for regression targets set criterion=mse; for ",
                 "more than ", kMostInferredClasses, " classes set num_classes");
      classes_ = std::max<std::int64_t>(2, static_cast<std::int64_t>(largest) + 1);
    }
  }
  check_labels(shard.labels, "train: " + shard.source, shard.first_row);
  std::int64_t weighted_rows = 0;
  for (const float weight : shard.weights) weighted_rows += weight > 0.0f ? 1 : 0;
  TERN_CHECK(allreduce_value(job.comm, weighted_rows, ReduceOp::sum) > 0, "train: ", shard.source,
             ": every row's weight is 0");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  job.log.info(name() + ": " + std::to_string(shard.total_rows) + " rows x " + std::to_string(num_features_) +
               " features binned in " + std::to_string(seconds) + " s; this rank holds " +
               std::to_string(shard.matrix.rows()) + " rows" +
               (classes_ > 0 ? "; " + std::to_string(classes_) + " classes" : ""));
  return shard;
}

CartTrainer CartModel::trainer(const BinnedShard& shard, const CartConfig& config, Communicator& comm) const {
  // A count below 1 is a fraction of all the rows, rounded up.
  const auto rows_of = [&](double count) {
    return count < 1.0 ? std::ceil(count * static_cast<double>(shard.total_rows)) : count;
  };
  TreeGrowthConfig growth = config.growth;
  growth.max_features = max_features_count(config.max_features, num_features_);
  growth.min_split_size = rows_of(config.min_samples_split);
  double target_offset = 0.0;
  if (classes_ == 0) {  // the targets' weighted mean: Σ w y / Σ w
    std::vector<double> weighted(2 * shard.labels.size());
    for (std::size_t r = 0; r < shard.labels.size(); ++r) {
      weighted[2 * r] = static_cast<double>(shard.weights[r]) * shard.labels[r];
      weighted[2 * r + 1] = shard.weights[r];
    }
    const std::vector<double> sums = exact_sums(weighted, 2, shard.total_rows, comm);
    target_offset = sums[0] / sums[1];
  }
  return CartTrainer(shard, CartCriterion::named(criterion_, classes_, rows_of(config.min_samples_leaf), target_offset),
                     growth, classes_, target_offset, comm);
}

void CartModel::check_labels(std::span<const float> labels, const std::string& where, std::int64_t first_row) const {
  for (std::size_t r = 0; r < labels.size(); ++r) {
    const float y = labels[r];
    const auto row = first_row + static_cast<std::int64_t>(r);
    TERN_CHECK(std::isfinite(y), where, " row ", row, ": label ", y, " is not a finite number");
    TERN_CHECK(classes_ == 0 || (y >= 0.0f && y < static_cast<float>(classes_) && y == std::floor(y)), where, " row ",
               row, ": label ", y, " must be a class in [0, ", classes_, ") for criterion ", criterion_,
               " (set num_classes, or use criterion mse for regression)");
  }
}

TaskKind CartModel::task() const {
  if (classes_ == 0) return TaskKind::regression;
  return classes_ == 2 ? TaskKind::binary_classification : TaskKind::multiclass_classification;
}

Predictions CartModel::predict(const Dataset& data) {
  check_same_features("model", num_features_, "data", data.num_features());
  const Tensor margins = ensemble_.margins(data);
  const std::int64_t rows = data.rows(), outputs = ensemble_.outputs();
  Predictions predictions;
  predictions.task = task();
  predictions.labels = Tensor::empty({rows});
  predictions.scores = classes_ > 2 ? margins : Tensor::empty({rows});
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* scores = margins.data<float>() + r * outputs;
    float& label = predictions.labels.data<float>()[r];
    if (classes_ == 2) predictions.scores.data<float>()[r] = scores[1];
    else if (classes_ == 0) predictions.scores.data<float>()[r] = scores[0];
    switch (predictions.task) {
      case TaskKind::binary_classification: label = scores[1] > predictions.decision_threshold ? 1.0f : 0.0f; break;
      case TaskKind::multiclass_classification:
        label = static_cast<float>(std::max_element(scores, scores + outputs) - scores);
        break;
      default: label = scores[0]; break;
    }
  }
  return predictions;
}

Predictions CartModel::predict_file(const std::filesystem::path& path) {
  return predict(load_with_missing(path, num_features_));
}

MetricValues CartModel::evaluate_file(const std::filesystem::path& path) {
  const Dataset data = load_with_missing(path, num_features_);
  check_labels(data.labels.values(), "evaluate: " + data.source, 0);
  return score(predict(data), data.labels);
}

ModelFile CartModel::export_model() const {
  ModelFile file;
  file.attributes = {{"criterion", criterion_}, {"num_classes", classes_}, {"num_features", num_features_}};
  ensemble_.save(file, name() + "/");
  return file;
}

void CartModel::import_model(const ModelFile& file) {
  criterion_ = file.attributes.at("criterion").get<std::string>();
  classes_ = file.attributes.at("num_classes").get<std::int64_t>();
  num_features_ = file.attributes.at("num_features").get<std::int64_t>();
  TERN_CHECK(num_features_ >= 1 && classes_ >= 0, name(), " model: num_features ", num_features_, ", num_classes ",
             classes_);
  ensemble_ = TreeEnsemble::load(file, name() + "/", std::max<std::int64_t>(classes_, 1), 0.0f, num_features_);
}

std::map<std::string, std::string> CartModel::readable_files() const {
  nlohmann::json weights = nlohmann::json::array();
  for (const float weight : ensemble_.tree_weights()) weights.push_back(shortest_float(weight));
  const nlohmann::json description = {{"algorithm", name()},
                                      {"criterion", criterion_},
                                      {"num_classes", classes_},
                                      {"num_features", num_features_},
                                      {"tree_weights", weights},
                                      {"feature_importance", ensemble_.feature_importance()}};
  return {{"trees.json", ensemble_.readable_json(description)}};
}

}  // namespace tern
