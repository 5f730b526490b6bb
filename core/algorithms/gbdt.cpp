#include "core/algorithms/gbdt.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <span>
#include <sstream>

#include "core/algorithms/evaluation.h"
#include "core/algorithms/hyperparameters.h"
#include "core/algorithms/trees/tree_data.h"
#include "core/algorithms/trees/tree_grower.h"
#include "core/job/progress.h"
#include "core/metrics/classification.h"
#include "core/metrics/regression.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"

namespace tern {

namespace {

struct GbdtConfig {
  std::string objective;
  std::int64_t num_class = 0;
  std::vector<std::string> eval_metrics;
  std::int64_t num_round = 0;
  double eta = 0.3;
  SplitRegularization regularization;
  TreeGrowthConfig growth;
  double subsample = 1.0, colsample_bytree = 1.0;
  double scale_pos_weight = 1.0, base_score = 0.5;
  std::int64_t early_stopping_rounds = 0;
  BinningConfig binning;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    item.erase(0, item.find_first_not_of(" []"));
    item.erase(item.find_last_not_of(" []") + 1);
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// The metrics that apply to an objective's predictions.
std::vector<std::string> metrics_for(const TreeObjective& objective) {
  switch (objective.task()) {
    case TaskKind::binary_classification: return {"auc", "error", "logloss", "mae", "rmse"};
    case TaskKind::multiclass_classification: return {"merror", "mlogloss"};
    default:
      if (objective.kind() == ObjectiveKind::logistic_regression) return {"auc", "error", "logloss", "mae", "rmse"};
      return {"mae", "rmse"};
  }
}

GbdtConfig read_hyperparameters(HyperparameterReader& read) {
  GbdtConfig config;
  config.objective = read.choice("objective", "reg:squarederror",
                                 {"reg:squarederror", "reg:logistic", "binary:logistic", "binary:logitraw",
                                  "multi:softmax", "multi:softprob", "reg:absoluteerror"});
  config.num_class = read.integer("num_class", 0, Range::non_negative());
  config.scale_pos_weight = read.real("scale_pos_weight", 1.0, Range::positive());
  const TreeObjective objective = TreeObjective::named(config.objective, config.num_class, config.scale_pos_weight);
  config.base_score = read.real("base_score", 0.5);
  objective.base_margin(config.base_score);  // checks it suits the objective
  TERN_CHECK(read.given("num_round"), "hyperparameter 'num_round' (the number of boosting rounds) is required for gbdt");
  config.num_round = read.integer("num_round", 1, Range::at_least(1));
  read.choice("tree_method", "hist", {"auto", "hist"});
  read.choice("booster", "gbtree", {"gbtree"});

  const std::vector<std::string> allowed = metrics_for(objective);
  const std::string metrics = read.text("eval_metric", objective.default_metric());
  for (const std::string& metric : split_list(metrics)) {
    std::string known;
    for (const std::string& name : allowed) known += (known.empty() ? "" : ", ") + name;
    TERN_CHECK(std::find(allowed.begin(), allowed.end(), metric) != allowed.end(), "hyperparameter 'eval_metric': '",
               metric, "' does not apply to objective ", config.objective, " (choose from ", known, ")");
    config.eval_metrics.push_back(metric);
  }
  TERN_CHECK(!config.eval_metrics.empty(), "hyperparameter 'eval_metric' names no metric");

  TreeGrowthConfig& growth = config.growth;
  config.eta = read.real("eta", 0.3, Range::between(0.0, 1.0));
  growth.lossguide = read.choice("grow_policy", "depthwise", {"depthwise", "lossguide"}) == "lossguide";
  growth.max_depth = read.integer("max_depth", 6, Range::non_negative());
  TERN_CHECK(growth.max_depth > 0 || growth.lossguide,
             "hyperparameter 'max_depth' 0 (no limit) needs grow_policy lossguide");
  growth.max_leaves = read.integer("max_leaves", 0, Range::non_negative());
  config.regularization.min_child_weight = read.real("min_child_weight", 1.0, Range::non_negative());
  growth.min_split_loss = read.real("gamma", 0.0, Range::non_negative());
  config.regularization.lambda = read.real("lambda", 1.0, Range::non_negative());
  config.regularization.alpha = read.real("alpha", 0.0, Range::non_negative());
  config.regularization.max_delta_step = read.real("max_delta_step", 0.0, Range::non_negative());
  config.subsample = read.real("subsample", 1.0, {0.0, 1.0, true});
  config.colsample_bytree = read.real("colsample_bytree", 1.0, {0.0, 1.0, true});
  growth.colsample_bylevel = read.real("colsample_bylevel", 1.0, {0.0, 1.0, true});
  growth.colsample_bynode = read.real("colsample_bynode", 1.0, {0.0, 1.0, true});
  config.binning.max_bin = read.integer("max_bin", 256, Range::between(2, 65535));
  config.binning.sample_rows = read.integer("quantile_sample_rows", 200000, Range::at_least(1));
  config.early_stopping_rounds = read.integer("early_stopping_rounds", 0, Range::non_negative());
  growth.seed = config.binning.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  read.finish();
  return config;
}

// XGBoost's metric `name` of predicted scores [rows, outputs] (what predict reports: the
// objective's transform of the margins) against labels. binary:logitraw's scores are margins,
// and its probability metrics take σ(margin), so error thresholds its margins at 0.
double boosting_metric(const std::string& name, const TreeObjective& objective, std::span<const float> reported,
                       std::span<const float> labels) {
  std::vector<float> scores(reported.begin(), reported.end());
  if (objective.kind() == ObjectiveKind::binary_logitraw)
    for (float& score : scores) score = static_cast<float>(sigmoid(score));
  if (name == "rmse") return root_mean_squared_error(labels, scores);
  if (name == "mae") return mean_absolute_error(labels, scores);
  if (name == "logloss") return binary_log_loss(labels, scores);
  if (name == "auc") return roc_auc_score(labels, scores);
  if (name == "error") return 1.0 - accuracy(labels, threshold_classes(scores, 0.5f));
  if (name == "merror") return 1.0 - accuracy(labels, argmax_classes(scores, objective.outputs()));
  if (name == "mlogloss") return multiclass_log_loss(labels, scores, objective.outputs());
  throw Error("gbdt: unknown metric '" + name + "'");
}

// The rows of a shard that round `round`'s trees are grown on: each row with probability
// `subsample`, by a hash of its file index (all rows when subsample is 1), into `rows` (whose
// memory is reused round after round).
void round_rows(const BinnedShard& shard, double subsample, std::uint64_t seed, std::int64_t round,
                std::vector<RowIndex>& rows) {
  rows.clear();
  if (subsample >= 1.0) {
    rows.resize(static_cast<std::size_t>(shard.matrix.rows()));
    std::iota(rows.begin(), rows.end(), RowIndex{0});
    return;
  }
  const std::uint64_t stream = stream_id("gbdt.subsample/" + std::to_string(round));
  for (std::int64_t r = 0; r < shard.matrix.rows(); ++r)
    if (kernels::philox_uniform_double(seed, static_cast<std::uint64_t>(shard.first_row + r), stream) < subsample)
      rows.push_back(static_cast<RowIndex>(r));
}

// A float's bits as an unsigned integer that sorts as the float does.
std::uint32_t ordered_key(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
}

float key_value(std::uint32_t key) {
  const std::uint32_t bits = (key & 0x80000000u) != 0 ? key & 0x7FFFFFFFu : ~key;
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// reg:absoluteerror's leaves: each leaf's value becomes learning_rate · the weighted median of
// y − m over its rows on all ranks (the mean of the two middle values when the weight splits
// evenly between them, as numpy's median does). The median is found by bisection on the
// residuals' ordered bits, each step counting the (fixed-point) weight at or below the midpoint
// with one allreduce over all leaves, so it is exact and the same on any number of ranks.
void set_median_leaves(RegressionTree& tree, const TreeGrower& grower, const BinnedShard& shard,
                       const std::vector<float>& margins, double largest_weight, double learning_rate,
                       Communicator& comm) {
  const auto leaves = grower.leaf_rows();
  const auto count = static_cast<std::int64_t>(leaves.size());
  const FixedPointScales fixed_point({&largest_weight, 1}, shard.total_rows);
  std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>> residuals(static_cast<std::size_t>(count));
  std::vector<std::int64_t> totals(static_cast<std::size_t>(count), 0);
  for (std::int64_t l = 0; l < count; ++l)
    for (const RowIndex row : leaves[static_cast<std::size_t>(l)].second) {
      const float residual = shard.labels[static_cast<std::size_t>(row)] - margins[static_cast<std::size_t>(row)];
      const std::int64_t weight = fixed_point.quantize(0, shard.weights[static_cast<std::size_t>(row)]);
      residuals[static_cast<std::size_t>(l)].emplace_back(ordered_key(residual), weight);
      totals[static_cast<std::size_t>(l)] += weight;
    }
  allreduce(comm, std::span<std::int64_t>(totals), ReduceOp::sum);
  // The smallest key whose weight at or below it, doubled, exceeds the total (strictly or not).
  const auto smallest_key = [&](bool strictly) {
    std::vector<std::uint64_t> low(static_cast<std::size_t>(count), 0), high(static_cast<std::size_t>(count), 0xFFFFFFFFu);
    for (int step = 0; step < 32; ++step) {
      std::vector<std::int64_t> below(static_cast<std::size_t>(count), 0);
      for (std::int64_t l = 0; l < count; ++l) {
        const std::uint64_t middle = (low[static_cast<std::size_t>(l)] + high[static_cast<std::size_t>(l)]) / 2;
        for (const auto& [key, weight] : residuals[static_cast<std::size_t>(l)])
          if (key <= middle) below[static_cast<std::size_t>(l)] += weight;
      }
      allreduce(comm, std::span<std::int64_t>(below), ReduceOp::sum);
      for (std::size_t l = 0; l < static_cast<std::size_t>(count); ++l) {
        const std::uint64_t middle = (low[l] + high[l]) / 2;
        const bool enough = strictly ? 2 * below[l] > totals[l] : 2 * below[l] >= totals[l];
        if (enough) high[l] = middle;
        else low[l] = middle + 1;
      }
    }
    return low;
  };
  const std::vector<std::uint64_t> lower = smallest_key(false), upper = smallest_key(true);
  for (std::int64_t l = 0; l < count; ++l) {
    const auto at = static_cast<std::size_t>(l);
    if (totals[at] == 0) continue;
    const double median = 0.5 * (static_cast<double>(key_value(static_cast<std::uint32_t>(lower[at]))) +
                                 key_value(static_cast<std::uint32_t>(upper[at])));
    tree.leaf_values(leaves[at].first)[0] = static_cast<float>(learning_rate * median);
  }
}

constexpr std::int64_t kGradientBlock = 1024;  // rows whose (g, h) a thread holds at once, in its cache

// The largest weight of any row on any rank.
double largest_weight(const BinnedShard& shard, Communicator& comm) {
  double largest = 0.0;
  for (const float weight : shard.weights) largest = std::max<double>(largest, weight);
  return allreduce_value(comm, largest, ReduceOp::max);
}

// Every row's (g, h) for each margin k at `margins` [rows × outputs], in fixed point into
// quantized[k]; returns each margin's scales. The scales follow from the largest |g| and h over
// all ranks: bounded in advance from the largest weight for every objective but squared error,
// whose gradients are then computed twice, once to find them. The gradients are computed a
// block of rows at a time and quantized at once, never stored whole.
std::vector<FixedPointScales> quantize_gradients(const TreeObjective& objective, const BinnedShard& shard,
                                                 const std::vector<float>& margins, double largest_weight,
                                                 std::vector<RowStatistics>& quantized, Communicator& comm) {
  const std::int64_t rows = shard.matrix.rows(), outputs = objective.outputs();
  const std::int64_t blocks = (rows + kGradientBlock - 1) / kGradientBlock;
  // Calls use(block, first row, rows, grad, hess) with each block's [rows × outputs] gradients,
  // the blocks shared over the threads.
  const auto for_each_block = [&](const auto& use) {
#pragma omp parallel
    {
      std::vector<double> grad(static_cast<std::size_t>(kGradientBlock * outputs)), hess(grad.size());
#pragma omp for schedule(static)
      for (std::int64_t block = 0; block < blocks; ++block) {
        const std::int64_t first = block * kGradientBlock, count = std::min(kGradientBlock, rows - first);
        objective.gradients(margins.data() + first * outputs, shard.labels.data() + first, shard.weights.data() + first,
                            count, grad.data(), hess.data());
        use(block, first, count, grad.data(), hess.data());
      }
    }
  };
  std::vector<double> largest(static_cast<std::size_t>(2 * outputs), 0.0);  // |g| and h of each margin
  if (const auto bounds = objective.gradient_bounds()) {
    for (std::int64_t k = 0; k < outputs; ++k) {
      largest[static_cast<std::size_t>(2 * k)] = bounds->first * largest_weight;
      largest[static_cast<std::size_t>(2 * k + 1)] = bounds->second * largest_weight;
    }
  } else {
    std::vector<double> block_largest(static_cast<std::size_t>(blocks * 2 * outputs), 0.0);
    for_each_block([&](std::int64_t block, std::int64_t, std::int64_t count, const double* grad, const double* hess) {
      double* block_values = block_largest.data() + block * 2 * outputs;
      for (std::int64_t i = 0; i < count * outputs; ++i) {
        block_values[2 * (i % outputs)] = std::max(block_values[2 * (i % outputs)], std::abs(grad[i]));
        block_values[2 * (i % outputs) + 1] = std::max(block_values[2 * (i % outputs) + 1], hess[i]);
      }
    });
    for (std::size_t i = 0; i < block_largest.size(); ++i)
      largest[i % largest.size()] = std::max(largest[i % largest.size()], block_largest[i]);
    allreduce(comm, std::span<double>(largest), ReduceOp::max);
  }
  std::vector<FixedPointScales> scales;
  for (std::int64_t k = 0; k < outputs; ++k)
    scales.emplace_back(std::span<const double>(largest).subspan(static_cast<std::size_t>(2 * k), 2), shard.total_rows);
  // Each block's first row whose g or h is not finite (−1: none): such a value has no fixed
  // point, and the bounds above never saw it.
  std::vector<std::int64_t> not_finite(static_cast<std::size_t>(blocks), -1);
  for_each_block([&](std::int64_t block, std::int64_t first, std::int64_t count, const double* grad, const double* hess) {
    const std::int64_t stride = outputs;  // a local: stores to the statistics could alias `outputs`
    for (std::int64_t i = count * stride - 1; i >= 0; --i)
      if (!std::isfinite(grad[i]) || !std::isfinite(hess[i])) not_finite[static_cast<std::size_t>(block)] = first + i / stride;
    if (not_finite[static_cast<std::size_t>(block)] >= 0) return;
    for (std::int64_t k = 0; k < stride; ++k) {
      const FixedPointScales& margin_scales = scales[static_cast<std::size_t>(k)];
      std::int64_t* rows_out = quantized[static_cast<std::size_t>(k)].row(first);
      for (std::int64_t i = 0; i < count; ++i) {
        rows_out[2 * i] = margin_scales.quantize(0, grad[i * stride + k]);
        rows_out[2 * i + 1] = margin_scales.quantize(1, hess[i * stride + k]);
      }
    }
  });
  for (const std::int64_t row : not_finite)
    TERN_CHECK(row < 0, "gbdt: row ", shard.first_row + row, "'s gradient is not finite (its margin is ",
               margins[static_cast<std::size_t>(row * outputs)], "): the boosting diverged; lower eta or check the labels");
  return scales;
}

// Adds a tree to margin k of the training rows [rows × outputs]: leaf by leaf from the grower's
// runs when the tree was grown on every row, else each row by its bins.
void add_to_training_margins(const RegressionTree& tree, const TreeGrower& grower, bool every_row,
                             const BinnedMatrix& matrix, std::int64_t k, std::int64_t outputs,
                             std::vector<float>& margins) {
  const auto margin = [&](std::int64_t row) -> float& { return margins[static_cast<std::size_t>(row * outputs + k)]; };
  if (every_row) {
    const auto leaves = grower.leaf_rows();
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t leaf = 0; leaf < leaves.size(); ++leaf) {
      const float value = tree.leaf_values(leaves[leaf].first)[0];
      for (const RowIndex r : leaves[leaf].second) margin(r) += value;
    }
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < matrix.rows(); ++r)
    margin(r) += tree.leaf_values(tree.leaf_of_binned(matrix, static_cast<RowIndex>(r)))[0];
}

// Adds a tree to margin k of rows of raw values [rows × outputs] (the validation rows).
void add_to_margins(const RegressionTree& tree, const Dataset& data, std::int64_t k, std::int64_t outputs,
                    std::vector<float>& margins) {
  const std::int64_t features = data.num_features();
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < data.rows(); ++r)
    margins[static_cast<std::size_t>(r * outputs + k)] +=
        tree.leaf_values(tree.leaf_of(data.features.data<float>() + r * features))[0];
}

}  // namespace

void Gbdt::fit(JobContext& job) {
  Communicator& comm = job.comm;
  HyperparameterReader read("gbdt", job.hyperparameters);
  GbdtConfig config = read_hyperparameters(read);
  job.resolved_hyperparameters = read.resolved();
  const auto fit_start = std::chrono::steady_clock::now();

  objective_ = TreeObjective::named(config.objective, config.num_class, config.scale_pos_weight);
  base_score_ = config.base_score;
  eval_metrics_ = config.eval_metrics;
  const std::int64_t outputs = objective_.outputs();
  const BinnedShard shard = load_binned_shard(job.channels.at("train"), comm, config.binning);
  num_features_ = shard.matrix.features();
  objective_.check_labels(shard.labels.data(), shard.matrix.rows(), "train: " + shard.source, shard.first_row);
  const double read_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count();
  job.log.info("gbdt: " + std::to_string(shard.total_rows) + " rows x " + std::to_string(num_features_) +
               " features binned (at most " + std::to_string(shard.matrix.cuts().largest_bin_count()) +
               " bins a feature) in " + std::to_string(read_seconds) + " s; this rank holds " +
               std::to_string(shard.matrix.rows()) + " rows");

  Dataset validation;
  const bool validating = job.has_channel("validation");
  if (validating) {
    validation = load_with_missing(job.channels.at("validation"), num_features_);
    check_same_features("train", num_features_, "validation", validation.num_features());
    objective_.check_labels(validation.labels.data<float>(), validation.rows(), "validation: " + validation.source, 0);
  }
  TERN_CHECK(config.early_stopping_rounds == 0 || validating,
             "hyperparameter 'early_stopping_rounds' needs a validation channel to watch");

  const auto base_margin = static_cast<float>(objective_.base_margin(base_score_));
  ensemble_ = TreeEnsemble(outputs, base_margin);
  std::vector<float> margins(static_cast<std::size_t>(shard.matrix.rows() * outputs), base_margin);
  std::vector<float> validation_margins(static_cast<std::size_t>(validation.rows() * outputs), base_margin);
  std::vector<RowStatistics> quantized(static_cast<std::size_t>(outputs), RowStatistics(2, shard.matrix.rows()));
  const double weight_bound = largest_weight(shard, comm);
  std::vector<RowIndex> tree_rows;
  std::vector<std::int64_t> all_features(static_cast<std::size_t>(num_features_));
  std::iota(all_features.begin(), all_features.end(), 0);
  const BoostingCriterion criterion(config.regularization, config.eta);
  TreeGrower grower(shard.matrix, comm, criterion, config.growth);

  const std::string& watched = eval_metrics_.back();
  const bool maximize = watched == "auc";
  double best_score = 0.0;
  best_iteration_ = -1;
  ProgressReporter progress(config.num_round, 1, job.show_progress && comm.rank() == 0, "rows");
  for (std::int64_t round = 0; round < config.num_round; ++round) {
    const std::vector<FixedPointScales> scales = quantize_gradients(objective_, shard, margins, weight_bound, quantized, comm);
    round_rows(shard, config.subsample, config.growth.seed, round, tree_rows);
    const std::vector<std::int64_t> tree_features =
        sample_columns(all_features, column_count(config.colsample_bytree, num_features_), config.growth.seed,
                       stream_id("gbdt.colsample_bytree/" + std::to_string(round)));
    for (std::int64_t k = 0; k < outputs; ++k) {
      const auto at = static_cast<std::size_t>(k);
      RegressionTree tree = grower.grow(tree_rows, quantized[at], scales[at], tree_features, round * outputs + k);
      if (objective_.median_leaves()) set_median_leaves(tree, grower, shard, margins, weight_bound, config.eta, comm);
      const bool every_row = static_cast<std::int64_t>(tree_rows.size()) == shard.matrix.rows();
      add_to_training_margins(tree, grower, every_row, shard.matrix, k, outputs, margins);
      if (validating) add_to_margins(tree, validation, k, outputs, validation_margins);
      ensemble_.add(std::move(tree));
    }
    progress.step_done(round, 0, shard.total_rows, std::nan(""));  // a round, over every rank's rows
    if (validating) {
      const double watched_score = record_validation(job, round, validation, validation_margins);
      if (best_iteration_ < 0 || (maximize ? watched_score > best_score : watched_score < best_score)) {
        best_score = watched_score;
        best_iteration_ = round;
      }
      if (config.early_stopping_rounds > 0 && round - best_iteration_ >= config.early_stopping_rounds) {
        job.log.info("gbdt: stopping early after round " + std::to_string(round) + ": validation-" + watched +
                     " has not improved for " + std::to_string(config.early_stopping_rounds) + " rounds");
        break;
      }
    }
    if (job.stop.agreed(comm)) {
      job.stopped = true;
      job.stop_reason = job.stop.reason();
      job.log.info("gbdt: stopped after round " + std::to_string(round) + " (" + job.stop_reason + ")");
      break;
    }
  }
  if (config.early_stopping_rounds > 0 && best_iteration_ >= 0) {
    ensemble_.truncate(best_iteration_ + 1);
  } else {
    best_iteration_ = -1;
  }
  const double fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count();
  job.metrics.record(ensemble_.rounds(), 0, "train:fit_seconds", fit_seconds);
  job.summary["gbdt"] = {{"rounds", ensemble_.rounds()}, {"trees", ensemble_.trees().size()},
                         {"best_iteration", best_iteration_ >= 0 ? nlohmann::json(best_iteration_) : nlohmann::json()},
                         {"best_score", best_iteration_ >= 0 ? nlohmann::json(best_score) : nlohmann::json()},
                         {"feature_importance", ensemble_.feature_importance()}};
  job.log.info("gbdt: " + std::to_string(ensemble_.trees().size()) + " trees in " + std::to_string(fit_seconds) + " s");
}

double Gbdt::record_validation(JobContext& job, std::int64_t round, const Dataset& validation,
                               const std::vector<float>& margins) const {
  std::string line = "gbdt: [" + std::to_string(round) + "]";
  double value = 0.0;
  const Predictions reported = from_margins(Tensor::from_values({validation.rows(), objective_.outputs()}, margins));
  for (const std::string& metric : eval_metrics_) {
    value = boosting_metric(metric, objective_, reported.scores.values(), validation.labels.values());
    job.metrics.record(round, 0, "validation:" + metric, value);
    line += " validation-" + metric + ":" + std::to_string(value);
  }
  if (job.comm.rank() == 0) job.log.info(line);
  return value;
}

std::int64_t Gbdt::num_classes() const {
  switch (objective_.task()) {
    case TaskKind::binary_classification: return 2;
    case TaskKind::multiclass_classification: return objective_.outputs();
    default: return 1;
  }
}

Predictions Gbdt::from_margins(const Tensor& margins) const {
  const std::int64_t rows = margins.dim(0), outputs = objective_.outputs();
  Predictions predictions;
  predictions.task = objective_.task();
  predictions.labels = Tensor::empty({rows});
  predictions.scores = outputs > 1 ? Tensor::empty({rows, outputs}) : Tensor::empty({rows});
  const bool raw = objective_.kind() == ObjectiveKind::binary_logitraw;
  if (raw) predictions.decision_threshold = 0.0f;
  for (std::int64_t r = 0; r < rows; ++r) {
    float* scores = predictions.scores.data<float>() + r * outputs;
    objective_.transform(margins.data<float>() + r * outputs, scores);
    float& label = predictions.labels.data<float>()[r];
    switch (objective_.task()) {
      case TaskKind::binary_classification: label = scores[0] > predictions.decision_threshold ? 1.0f : 0.0f; break;
      case TaskKind::multiclass_classification:
        label = static_cast<float>(std::max_element(scores, scores + outputs) - scores);
        break;
      default: label = scores[0]; break;
    }
  }
  return predictions;
}

Predictions Gbdt::predict(const Dataset& data) {
  check_same_features("model", num_features_, "data", data.num_features());
  return from_margins(ensemble_.margins(data));
}

Predictions Gbdt::predict_file(const std::filesystem::path& path) { return predict(load_with_missing(path, num_features_)); }

MetricValues Gbdt::evaluate_file(const std::filesystem::path& path) {
  const Dataset data = load_with_missing(path, num_features_);
  objective_.check_labels(data.labels.data<float>(), data.rows(), "evaluate: " + data.source, 0);
  return score(predict(data), data.labels);
}

MetricValues Gbdt::score(const Predictions& predictions, const Tensor& labels) const {
  MetricValues values;
  for (const std::string& metric : metrics_for(objective_))
    values.emplace_back(metric, boosting_metric(metric, objective_, predictions.scores.values(), labels.values()));
  if (objective_.task() == TaskKind::regression) values.emplace_back("r2", r2_score(labels.values(), predictions.labels.values()));
  else values.emplace_back("accuracy", accuracy(labels.values(), predictions.labels.values()));
  return values;
}

ModelFile Gbdt::export_model() const {
  ModelFile file;
  file.attributes = {{"objective", objective_.name()},
                     {"num_class", objective_.outputs() > 1 ? objective_.outputs() : 0},
                     {"base_score", exact_double(base_score_)},
                     {"num_features", num_features_},
                     {"eval_metric", eval_metrics_},
                     {"best_iteration", best_iteration_},
                     {"rounds", ensemble_.rounds()}};
  ensemble_.save(file, "gbdt/");
  return file;
}

void Gbdt::import_model(const ModelFile& file) {
  objective_ = TreeObjective::named(file.attributes.at("objective").get<std::string>(),
                                    file.attributes.at("num_class").get<std::int64_t>(), 1.0);
  base_score_ = exact_double(file.attributes.at("base_score"));
  num_features_ = file.attributes.at("num_features").get<std::int64_t>();
  eval_metrics_ = file.attributes.at("eval_metric").get<std::vector<std::string>>();
  best_iteration_ = file.attributes.at("best_iteration").get<std::int64_t>();
  TERN_CHECK(num_features_ >= 1, "gbdt model: num_features ", num_features_);
  ensemble_ = TreeEnsemble::load(file, "gbdt/", objective_.outputs(),
                                 static_cast<float>(objective_.base_margin(base_score_)), num_features_);
}

std::map<std::string, std::string> Gbdt::readable_files() const {
  const nlohmann::json description = {{"objective", objective_.name()},
                                      {"num_class", objective_.outputs() > 1 ? objective_.outputs() : 0},
                                      {"base_score", base_score_},
                                      {"num_features", num_features_},
                                      {"rounds", ensemble_.rounds()},
                                      {"best_iteration", best_iteration_ >= 0 ? nlohmann::json(best_iteration_) : nlohmann::json()},
                                      {"feature_importance", ensemble_.feature_importance()}};
  return {{"trees.json", ensemble_.readable_json(description)}};
}

}  // namespace tern
