#include "core/algorithms/factorization_machines.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/algorithms/epoch_batches.h"
#include "core/algorithms/evaluation.h"
#include "core/algorithms/hyperparameters.h"
#include "core/data/dense_reader.h"
#include "core/data/sparse_reader.h"
#include "core/data/validation.h"
#include "core/io/model_file.h"
#include "core/optim/optimizer.h"
#include "core/random/random.h"
#include "kernels/common/optimizer_math.h"

namespace tern {

namespace {

// How one term (the bias, the linear weights, the factors) starts and learns.
struct TermSettings {
  std::string init_method = "normal";
  double init_scale = 0.01, init_sigma = 0.01, init_value = 0.0;
  double learning_rate = 0.0, weight_decay = 0.0;
};

enum class GradientExchange { automatic, dense, sparse };

struct FmConfig {
  TaskKind task = TaskKind::regression;
  std::int64_t num_factors = 0;
  std::int64_t features = 0;
  TermSettings bias, linear, factors;
  OptimizerKind optimizer = OptimizerKind::sgd;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-8;
  std::int64_t epochs = 1;
  std::int64_t mini_batch_size = 1000;
  double clip_gradient = 0.0;  // 0: no clipping
  double rescale_grad = 1.0;
  GradientExchange exchange = GradientExchange::automatic;
  std::uint64_t seed = 0;
};

TermSettings read_term(HyperparameterReader& read, const std::string& term, double sigma, double learning_rate,
                       double weight_decay) {
  TermSettings settings;
  settings.init_method = read.choice(term + "_init_method", "normal", {"normal", "uniform", "constant"});
  settings.init_scale = read.real(term + "_init_scale", 0.01, Range::non_negative());
  settings.init_sigma = read.real(term + "_init_sigma", sigma, Range::non_negative());
  settings.init_value = read.real(term + "_init_value", 0.0);
  settings.learning_rate = read.real(term + "_lr", learning_rate, Range::non_negative());
  settings.weight_decay = read.real(term + "_wd", weight_decay, Range::non_negative());
  return settings;
}

FmConfig read_hyperparameters(HyperparameterReader& read, std::int64_t data_features) {
  FmConfig config;
  TERN_CHECK(read.given("predictor_type"), "hyperparameter 'predictor_type' is required for factorization-machines ",
             "(binary_classifier or regressor)");
  TERN_CHECK(read.given("num_factors"), "hyperparameter 'num_factors' is required for factorization-machines");
  config.task = read.choice("predictor_type", "regressor", {"binary_classifier", "regressor"}) == "binary_classifier"
                    ? TaskKind::binary_classification
                    : TaskKind::regression;
  config.num_factors = read.integer("num_factors", 1, Range::between(1, 1000));
  config.features = read.integer("feature_dim", data_features, Range::at_least(1));
  TERN_CHECK(config.features >= data_features, "hyperparameter 'feature_dim' (", config.features,
             ") is smaller than the data's ", data_features, " features");
  config.bias = read_term(read, "bias", 0.01, 0.1, 0.01);
  config.linear = read_term(read, "linear", 0.01, 0.001, 0.001);
  config.factors = read_term(read, "factors", 0.001, 0.0001, 0.00001);
  config.optimizer = parse_optimizer(read.choice("optimizer", "sgd", {"sgd", "adam", "adagrad"}));
  config.beta_1 = read.real("beta_1", 0.9, {0.0, 1.0, false});
  config.beta_2 = read.real("beta_2", 0.999, {0.0, 1.0, false});
  config.epsilon = read.real("eps", 1e-8, Range::positive());
  config.epochs = read.integer("epochs", 1, Range::at_least(1));
  config.mini_batch_size = read.integer("mini_batch_size", 1000, Range::at_least(1));
  config.clip_gradient = read.real("clip_gradient", 0.0, Range::non_negative());
  config.rescale_grad = read.real("rescale_grad", 1.0, Range::positive());
  const std::string exchange = read.choice("gradient_exchange", "auto", {"auto", "dense", "sparse"});
  config.exchange = exchange == "dense"    ? GradientExchange::dense
                    : exchange == "sparse" ? GradientExchange::sparse
                                           : GradientExchange::automatic;
  config.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  read.finish();
  return config;
}

// count values drawn as the term's init_method says.
std::vector<float> initial_values(const TermSettings& term, std::int64_t count, std::uint64_t seed, const char* name) {
  Tensor values = Tensor::empty({std::max<std::int64_t>(count, 1)});
  if (term.init_method == "normal") {
    fill_normal(values, 0.0f, static_cast<float>(term.init_sigma), seed, stream_id(name));
  } else if (term.init_method == "uniform") {
    fill_uniform(values, static_cast<float>(-term.init_scale), static_cast<float>(term.init_scale), seed, stream_id(name));
  } else {
    for (float& value : values.values()) value = static_cast<float>(term.init_value);
  }
  return {values.data<float>(), values.data<float>() + count};
}

std::int64_t file_rows_and_features(const std::filesystem::path& path, std::int64_t& features) {
  if (is_sparse_file(path)) {
    const SparseShape shape = sparse_file_shape(path);
    features = shape.features;
    return shape.rows;
  }
  const std::unique_ptr<DenseReader> reader = open_dense_reader(path);
  features = reader->num_features();
  return reader->num_rows();
}

void check_labels(const SparseRows& rows, TaskKind task) {
  validate_labels(rows.labels, task, 2, rows.source, rows.first_row);
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// A batch's gradient: per feature, ∂/∂w_i then ∂/∂v_i (k + 1 values), and the number of rows
// that hold it, for the features it touches, plus ∂/∂w₀. Kept dense (D × (k + 1)) with the
// list of touched features, so that it is cleared in time proportional to what was touched.
class SparseGradient {
 public:
  SparseGradient(std::int64_t features, std::int64_t factors)
      : width_(factors + 1), values_(static_cast<std::size_t>(features * (factors + 1)), 0.0f),
        occurrences_(static_cast<std::size_t>(features), 0.0f), touched_mark_(static_cast<std::size_t>(features), 0) {}

  std::int64_t width() const { return width_; }
  float* row(std::int64_t feature) { return values_.data() + feature * width_; }
  float& occurrences(std::int64_t feature) { return occurrences_[static_cast<std::size_t>(feature)]; }
  std::vector<float>& values() { return values_; }
  std::vector<float>& occurrences() { return occurrences_; }
  const std::vector<std::int64_t>& touched() const { return touched_; }
  double& bias() { return bias_; }

  // A row holds `feature`: its gradient row, marked as touched.
  float* occurrence(std::int64_t feature) {
    mark(feature);
    occurrences_[static_cast<std::size_t>(feature)] += 1.0f;
    return row(feature);
  }
  void mark(std::int64_t feature) {
    if (touched_mark_[static_cast<std::size_t>(feature)]) return;
    touched_mark_[static_cast<std::size_t>(feature)] = 1;
    touched_.push_back(feature);
  }
  void clear() {
    for (const std::int64_t feature : touched_) {
      std::fill_n(row(feature), width_, 0.0f);
      occurrences_[static_cast<std::size_t>(feature)] = 0.0f;
      touched_mark_[static_cast<std::size_t>(feature)] = 0;
    }
    touched_.clear();
    bias_ = 0.0;
  }

 private:
  std::int64_t width_;
  std::vector<float> values_, occurrences_;
  std::vector<std::uint8_t> touched_mark_;
  std::vector<std::int64_t> touched_;
  double bias_ = 0.0;
};

}  // namespace

double FactorizationMachine::score(std::span<const std::int64_t> indices, std::span<const float> values,
                                   double* sums) const {
  const std::int64_t k = num_factors;
  double linear_part = bias, squares = 0.0;
  std::vector<double> local(sums ? 0 : static_cast<std::size_t>(k));
  double* s = sums ? sums : local.data();
  std::fill_n(s, k, 0.0);
  for (std::size_t e = 0; e < indices.size(); ++e) {
    const double x = values[e];
    const float* v = factors.data() + indices[e] * k;
    linear_part += linear[static_cast<std::size_t>(indices[e])] * x;
    for (std::int64_t f = 0; f < k; ++f) {
      s[f] += v[f] * x;
      squares += static_cast<double>(v[f]) * v[f] * x * x;
    }
  }
  double pairs = 0.0;
  for (std::int64_t f = 0; f < k; ++f) pairs += s[f] * s[f];
  return linear_part + 0.5 * (pairs - squares);
}

void FactorizationMachines::fit(JobContext& job) {
  Communicator& comm = job.comm;
  const int rank = comm.rank(), ranks = comm.size();
  TERN_CHECK(job.has_channel("train"), "a train channel is needed (--train FILE)");
  std::int64_t data_features = 0;
  const std::int64_t total_rows = file_rows_and_features(job.channels.at("train"), data_features);
  HyperparameterReader read("factorization-machines", job.hyperparameters);
  const FmConfig config = read_hyperparameters(read, data_features);
  job.resolved_hyperparameters = read.resolved();
  task_ = config.task;
  const std::int64_t features = config.features, k = config.num_factors;
  const auto fit_start = std::chrono::steady_clock::now();

  // The rows this rank trains on: all of them (replicated: its slice of every global batch) or
  // its shard. Sparse rows are held in memory.
  const RowRange trained = training_rows(job, total_rows);
  SparseRows own_rows = load_as_sparse(job.channels.at("train"), trained.begin, trained.end, features);
  check_labels(own_rows, task_);
  const std::int64_t own_nonzeros = own_rows.nnz();
  const SparseEpochBatches batches(job, std::move(own_rows), total_rows, config.mini_batch_size, config.seed);
  const std::int64_t steps_per_epoch = batches.steps_per_epoch();
  SparseRows validation;
  if (job.has_channel("validation")) {
    validation = load_as_sparse(job.channels.at("validation"), 0, -1, features);
    check_labels(validation, task_);
  }

  model_.num_factors = k;
  model_.bias = initial_values(config.bias, 1, config.seed, "fm.bias")[0];
  model_.linear = initial_values(config.linear, features, config.seed, "fm.linear");
  model_.factors = initial_values(config.factors, features * k, config.seed, "fm.factors");
  // Optimizer state: two values per weight (momentum or moments).
  std::vector<float> bias_state(2, 0.0f), linear_state(static_cast<std::size_t>(2 * features), 0.0f),
      factor_state(static_cast<std::size_t>(2 * features * k), 0.0f);

  job.log.info("factorization-machines: " + std::to_string(total_rows) + " rows x " + std::to_string(features) +
               " features (" + std::to_string(own_nonzeros) + " nonzeros here), k = " + std::to_string(k) + ", " +
               std::to_string(ranks) + " rank(s), " + std::to_string(config.epochs) + " epochs of " +
               std::to_string(steps_per_epoch) + " steps");

  SparseGradient gradient(features, k);
  std::vector<double> sums(static_cast<std::size_t>(k));
  std::int64_t step = 0, dense_steps = 0, sparse_steps = 0;
  double exchanged_values = 0.0;
  for (std::int64_t epoch = 0; epoch < config.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    double epoch_loss = 0.0, epoch_rows = 0.0;
    batches.for_each_step(epoch, [&](const SparseRows& batch) {
      ++step;
      // This rank's rows of the step: ∂ℓ/∂ŷ of each, added into the gradient.
      double loss = 0.0;
      for (std::int64_t r = 0; r < batch.rows(); ++r) {
        const auto indices = batch.row_indices(r);
        const auto values = batch.row_values(r);
        const double y = batch.labels[static_cast<std::size_t>(r)], y_hat = model_.score(indices, values, sums.data());
        double g = 0.0;
        if (task_ == TaskKind::regression) {
          g = y_hat - y;
          loss += 0.5 * g * g;
        } else {
          g = sigmoid(y_hat) - y;
          loss += (y_hat > 0 ? y_hat + std::log1p(std::exp(-y_hat)) : std::log1p(std::exp(y_hat))) - y * y_hat;
        }
        gradient.bias() += g;
        model_.add_gradient(indices, values, sums.data(), g, [&](std::int64_t i) { return gradient.occurrence(i); });
      }
      const auto batch_rows = static_cast<double>(batch.rows());
      // The ranks' gradients summed: dense (allreduce of every feature's row and a touched
      // count) or sparse (allgather of the touched rows), whichever moves fewer values.
      std::vector<double> totals = {gradient.bias(), loss, batch_rows};
      allreduce(comm, std::span<double>(totals), ReduceOp::sum);
      std::int64_t touched_here = static_cast<std::int64_t>(gradient.touched().size());
      std::vector<std::int64_t> touched_counts(static_cast<std::size_t>(ranks));
      comm.allgather(&touched_here, 1, CommType::i64, touched_counts.data());
      std::int64_t touched_total = 0;
      for (const std::int64_t count : touched_counts) touched_total += count;
      const double dense_values = static_cast<double>(features * (k + 2));
      const double sparse_values = static_cast<double>(touched_total * (k + 4));  // index (2 floats' worth), row, count
      const bool sparse = ranks > 1 && (config.exchange == GradientExchange::sparse ||
                                        (config.exchange == GradientExchange::automatic && sparse_values < dense_values));
      if (ranks > 1 && !sparse) {
        // Every feature's row and its rows' count.
        comm.allreduce(gradient.values().data(), static_cast<std::int64_t>(gradient.values().size()), CommType::f32,
                       ReduceOp::sum);
        comm.allreduce(gradient.occurrences().data(), features, CommType::f32, ReduceOp::sum);
        for (std::int64_t i = 0; i < features; ++i)
          if (gradient.occurrences(i) > 0) gradient.mark(i);
        ++dense_steps;
        exchanged_values += dense_values;
      } else if (sparse) {
        std::vector<std::int64_t> indices(static_cast<std::size_t>(touched_total));
        comm.allgatherv(gradient.touched().data(), touched_counts, CommType::i64, indices.data());
        // Each touched feature's row, then its rows' count.
        const std::int64_t width = gradient.width() + 1;
        std::vector<float> mine;
        mine.reserve(static_cast<std::size_t>(touched_here * width));
        for (const std::int64_t i : gradient.touched()) {
          mine.insert(mine.end(), gradient.row(i), gradient.row(i) + gradient.width());
          mine.push_back(gradient.occurrences(i));
        }
        std::vector<std::int64_t> value_counts = touched_counts;
        for (std::int64_t& count : value_counts) count *= width;
        std::vector<float> all(static_cast<std::size_t>(touched_total * width));
        comm.allgatherv(mine.data(), value_counts, CommType::f32, all.data());
        // Every rank adds the same rows in the same (rank) order.
        for (const std::int64_t i : gradient.touched()) {
          std::fill_n(gradient.row(i), gradient.width(), 0.0f);
          gradient.occurrences(i) = 0.0f;
        }
        for (std::int64_t j = 0; j < touched_total; ++j) {
          const std::int64_t i = indices[static_cast<std::size_t>(j)];
          gradient.mark(i);
          const float* received = all.data() + j * width;
          float* row = gradient.row(i);
          for (std::int64_t c = 0; c < gradient.width(); ++c) row[c] += received[c];
          gradient.occurrences(i) += received[gradient.width()];
        }
        ++sparse_steps;
        exchanged_values += sparse_values;
      }
      if (totals[2] == 0.0) {
        gradient.clear();
        return;
      }
      // The update of w₀ and of the touched features' w_i and v_i, each term at its rate. The
      // decay is per row that holds the feature, as per-row SGD would apply it: a feature in n
      // of the batch's B rows gets (Σ g x + wd n w) / B.
      const double scale = config.rescale_grad / totals[2];
      const auto prepared = [&](double value) {
        const double g = value * scale;
        return static_cast<float>(config.clip_gradient > 0 ? std::clamp(g, -config.clip_gradient, config.clip_gradient) : g);
      };
      const auto step_config = [&](const TermSettings& term) {
        kernels::OptimizerStepConfig c;
        c.kind = config.optimizer;
        c.learning_rate = static_cast<float>(term.learning_rate);
        c.beta_1 = static_cast<float>(config.beta_1);
        c.beta_2 = static_cast<float>(config.beta_2);
        c.epsilon = static_cast<float>(config.epsilon);
        c.bias_correction_1 = static_cast<float>(1.0 - std::pow(config.beta_1, static_cast<double>(step)));
        c.bias_correction_2 = static_cast<float>(1.0 - std::pow(config.beta_2, static_cast<double>(step)));
        return c;
      };
      const kernels::OptimizerStepConfig bias_step = step_config(config.bias), linear_step = step_config(config.linear),
                                         factor_step = step_config(config.factors);
      kernels::dispatch_optimizer(config.optimizer, [&](auto kind) {
        constexpr OptimizerKind Kind = decltype(kind)::value;
        kernels::optimizer_update_element<Kind>(
            bias_step, model_.bias, prepared(totals[0] + config.bias.weight_decay * totals[2] * model_.bias),
            bias_state[0], bias_state[1]);
        for (const std::int64_t i : gradient.touched()) {
          const float* row = gradient.row(i);
          const double occurrences = gradient.occurrences(i);
          float& w = model_.linear[static_cast<std::size_t>(i)];
          kernels::optimizer_update_element<Kind>(linear_step, w, prepared(row[0] + config.linear.weight_decay * occurrences * w),
                                                  linear_state[static_cast<std::size_t>(2 * i)],
                                                  linear_state[static_cast<std::size_t>(2 * i + 1)]);
          for (std::int64_t f = 0; f < k; ++f) {
            const auto at = static_cast<std::size_t>(i * k + f);
            float& v = model_.factors[at];
            kernels::optimizer_update_element<Kind>(factor_step, v,
                                                    prepared(row[1 + f] + config.factors.weight_decay * occurrences * v),
                                                    factor_state[2 * at], factor_state[2 * at + 1]);
          }
        }
      });
      gradient.clear();
      epoch_loss += totals[1];
      epoch_rows += totals[2];
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    job.metrics.record(step, epoch, "train:objective_loss", epoch_loss / std::max(epoch_rows, 1.0));
    job.metrics.record(step, epoch, "train:epoch_seconds", seconds);
    std::string line = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config.epochs) +
                       ": train objective_loss " + std::to_string(epoch_loss / std::max(epoch_rows, 1.0)) + " (" +
                       std::to_string(seconds) + " s)";
    if (validation.rows() > 0 && rank == 0) {
      for (const auto& [metric, value] : score(predict_sparse(validation), Tensor::from_values({validation.rows()}, validation.labels))) {
        job.metrics.record(step, epoch, "validation:" + metric, value);
        if (metric == "rmse" || metric == "binary_classification_accuracy") line += ", validation " + metric + " " + std::to_string(value);
      }
    }
    job.log.info(line);
  }
  job.summary["factorization_machines"] = {
      {"steps", step},
      {"dense_exchange_steps", dense_steps},
      {"sparse_exchange_steps", sparse_steps},
      {"values_exchanged_per_step", step > 0 ? exchanged_values / static_cast<double>(step) : 0.0},
      {"dense_values_per_step", static_cast<double>(features * (k + 2))}};
  job.metrics.record(step, config.epochs, "train:fit_seconds",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
}

MetricValues FactorizationMachines::score(const Predictions& predictions, const Tensor& labels) const {
  return service_metric_report(predictions, labels, num_features());
}

Predictions FactorizationMachines::predict_sparse(const SparseRows& rows) const {
  TERN_CHECK(!model_.linear.empty(), "factorization-machines: no model trained or loaded");
  TERN_CHECK(rows.num_features <= num_features(), rows.source, " has ", rows.num_features,
             " features, more than the model's ", num_features());
  const std::int64_t n = rows.rows();
  Predictions predictions;
  predictions.task = task_;
  predictions.scores = Tensor::empty({n});
  predictions.labels = Tensor::empty({n});
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < n; ++r) {
    const double y_hat = model_.score(rows.row_indices(r), rows.row_values(r));
    const double score = task_ == TaskKind::binary_classification ? sigmoid(y_hat) : y_hat;
    predictions.scores.data<float>()[r] = static_cast<float>(score);
    predictions.labels.data<float>()[r] =
        task_ == TaskKind::binary_classification ? (score > 0.5 ? 1.0f : 0.0f) : static_cast<float>(score);
  }
  return predictions;
}

Predictions FactorizationMachines::predict(const Dataset& data) {
  check_same_features("model", num_features(), "data", data.num_features());
  return predict_sparse(to_sparse(data));
}

Predictions FactorizationMachines::predict_file(const std::filesystem::path& path) {
  return predict_sparse(load_as_sparse(path, 0, -1, num_features()));
}

MetricValues FactorizationMachines::evaluate_file(const std::filesystem::path& path) {
  const SparseRows rows = load_as_sparse(path, 0, -1, num_features());
  check_labels(rows, task_);
  return score(predict_sparse(rows), Tensor::from_values({rows.rows()}, rows.labels));
}

ModelFile FactorizationMachines::export_model() const {
  TERN_CHECK(!model_.linear.empty(), "factorization-machines: no model trained or loaded");
  ModelFile file;
  file.attributes = {{"predictor_type", task_ == TaskKind::binary_classification ? "binary_classifier" : "regressor"},
                     {"num_factors", model_.num_factors},
                     {"num_features", num_features()}};
  file.tensors.emplace("fm/bias", Tensor::from_values({1}, std::vector<float>{model_.bias}));
  file.tensors.emplace("fm/linear", Tensor::from_values({num_features()}, model_.linear));
  file.tensors.emplace("fm/factors", Tensor::from_values({num_features(), model_.num_factors}, model_.factors));
  return file;
}

void FactorizationMachines::import_model(const ModelFile& file) {
  task_ = file.attributes.at("predictor_type").get<std::string>() == "binary_classifier" ? TaskKind::binary_classification
                                                                                          : TaskKind::regression;
  const std::int64_t features = file.attributes.at("num_features").get<std::int64_t>();
  model_.num_factors = file.attributes.at("num_factors").get<std::int64_t>();
  const Tensor& bias = file.tensor("fm/bias");
  const Tensor& linear = file.tensor("fm/linear");
  const Tensor& factors = file.tensor("fm/factors");
  TERN_CHECK(bias.numel() == 1 && linear.ndim() == 1 && linear.dim(0) == features && factors.ndim() == 2 &&
                 factors.dim(0) == features && factors.dim(1) == model_.num_factors,
             "factorization-machines model: linear ", shape_string(linear.shape()), " and factors ",
             shape_string(factors.shape()), " for ", features, " features and k = ", model_.num_factors);
  model_.bias = bias.data<float>()[0];
  model_.linear.assign(linear.data<float>(), linear.data<float>() + features);
  model_.factors.assign(factors.data<float>(), factors.data<float>() + factors.numel());
}

}  // namespace tern
