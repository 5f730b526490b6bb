#include "core/algorithms/linear_learner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>

#include "core/algorithms/epoch_batches.h"
#include "core/algorithms/evaluation.h"
#include "core/algorithms/hyperparameters.h"
#include "core/data/distribution.h"
#include "core/data/row_shard.h"
#include "core/data/sparse_reader.h"
#include "core/data/validation.h"
#include "core/io/model_file.h"
#include "core/optim/optimizer.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"
#include "kernels/cpu/gemm.h"

namespace tern {

// A block of rows as linear-learner reads them: dense features [n, D], or sparse rows (CSR),
// with their labels and the file's number of the first.
struct RowBlock {
  Tensor dense;
  const SparseRows* sparse = nullptr;
  Tensor labels;
  std::int64_t first_row = 0;
  bool standardized = false;  // dense holds x̂ already (LinearModels::prepared)

  std::int64_t rows() const { return labels.dim(0); }
};
inline RowBlock dense_block(const Dataset& data) { return {data.features, nullptr, data.labels, data.first_row}; }
inline RowBlock sparse_block(const SparseRows& rows) {
  return {Tensor(), &rows, Tensor::from_values({rows.rows()}, rows.labels), rows.first_row};
}
using BlockVisitor = std::function<void(const RowBlock&)>;

// Calls visit(row, index, value) for each stored entry of each row of a block: every feature of
// a dense row, the nonzero ones of a sparse row.
template <typename Visit>
void for_each_entry(const RowBlock& block, std::int64_t row, Visit visit) {
  if (block.sparse) {
    const auto indices = block.sparse->row_indices(row);
    const auto values = block.sparse->row_values(row);
    for (std::size_t e = 0; e < indices.size(); ++e) visit(indices[e], values[e]);
    return;
  }
  const std::int64_t features = block.dense.dim(1);
  const float* x = block.dense.data<float>() + row * features;
  for (std::int64_t f = 0; f < features; ++f) visit(f, x[f]);
}

namespace {

enum class Selection { accuracy, f_beta, precision_at_target_recall, recall_at_target_precision, loss_function };

struct LinearLearnerConfig {
  TaskKind task = TaskKind::regression;
  std::int64_t num_classes = 1;
  std::int64_t features = 0;
  LinearLoss loss;
  OptimizerConfig optimizer;
  std::optional<double> learning_rate, wd, l1;  // nullopt: auto
  std::int64_t mini_batch_size = 1000;
  std::int64_t epochs = 15;
  bool use_bias = true;
  bool normalize_data = true;
  bool normalize_label = false;
  std::int64_t num_point_for_scaler = 10000;
  std::int64_t patience = 3;
  double tolerance = 0.001;
  std::int64_t num_models = 1;
  Selection selection = Selection::accuracy;
  double f_beta = 1.0, target_recall = 0.8, target_precision = 0.8;
  std::optional<double> positive_weight = 1.0;  // nullopt: balanced
  bool vary_positive_weight = false;            // positive_example_weight_mult=auto
  bool balance_multiclass_weights = false;
  std::uint64_t seed = 0;
};

// `features`: the data's; sparse data may declare more with feature_dim.
LinearLearnerConfig read_hyperparameters(HyperparameterReader& read, std::int64_t features, bool sparse) {
  LinearLearnerConfig config;
  TERN_CHECK(read.given("predictor_type"), "hyperparameter 'predictor_type' is required for linear-learner ",
             "(binary_classifier, multiclass_classifier or regressor)");
  const std::string predictor =
      read.choice("predictor_type", "regressor", {"binary_classifier", "multiclass_classifier", "regressor"});
  config.task = predictor == "binary_classifier"       ? TaskKind::binary_classification
                : predictor == "multiclass_classifier" ? TaskKind::multiclass_classification
                                                       : TaskKind::regression;
  if (config.task == TaskKind::multiclass_classification) {
    TERN_CHECK(read.given("num_classes"), "hyperparameter 'num_classes' is required for multiclass_classifier");
    config.num_classes = read.integer("num_classes", 3, Range::at_least(3));
  } else if (config.task == TaskKind::binary_classification) {
    config.num_classes = read.integer("num_classes", 2, Range::between(2, 2));
  }
  config.features = read.integer("feature_dim", features, Range::at_least(1));
  TERN_CHECK(config.features == features || (sparse && config.features > features), "hyperparameter 'feature_dim' (",
             config.features, ") does not match the data's ", features, " features");

  // The loss, and which predictor types take it.
  std::string loss = read.choice("loss", "auto",
                                 {"auto", "logistic", "hinge_loss", "softmax_loss", "squared_loss", "absolute_loss",
                                  "eps_insensitive_squared_loss", "eps_insensitive_absolute_loss", "quantile_loss",
                                  "huber_loss"});
  const std::vector<std::string> allowed =
      config.task == TaskKind::binary_classification       ? std::vector<std::string>{"logistic", "hinge_loss"}
      : config.task == TaskKind::multiclass_classification ? std::vector<std::string>{"softmax_loss"}
                                                           : std::vector<std::string>{"squared_loss", "absolute_loss",
                                                                                      "eps_insensitive_squared_loss",
                                                                                      "eps_insensitive_absolute_loss",
                                                                                      "quantile_loss", "huber_loss"};
  if (loss == "auto") loss = allowed.front();
  if (std::find(allowed.begin(), allowed.end(), loss) == allowed.end()) {
    std::string names;
    for (const std::string& name : allowed) names += (names.empty() ? "" : ", ") + name;
    throw Error("hyperparameter 'loss' of linear-learner: " + loss + " does not fit predictor_type " + predictor +
                " (it takes " + names + ")");
  }
  config.loss.kind = parse_linear_loss(loss);
  config.loss.margin = read.real("margin", 1.0, Range::positive());
  config.loss.insensitivity = read.real("loss_insensitivity", 0.01, Range::non_negative());
  config.loss.quantile = read.real("quantile", 0.5, {0.0, 1.0, true});
  TERN_CHECK(config.loss.quantile < 1.0, "hyperparameter 'quantile' of linear-learner must be in (0, 1)");
  config.loss.huber_delta = read.real("huber_delta", 1.0, Range::positive());

  const std::string optimizer = read.choice("optimizer", "auto", {"auto", "sgd", "adam", "rmsprop"});
  config.optimizer.kind = parse_optimizer(optimizer == "auto" ? "adam" : optimizer);
  config.optimizer.momentum = static_cast<float>(read.real("momentum", 0.0, {0.0, 1.0, false}));
  config.optimizer.beta_1 = static_cast<float>(read.real("beta_1", 0.9, {0.0, 1.0, false}));
  config.optimizer.beta_2 = static_cast<float>(read.real("beta_2", 0.999, {0.0, 1.0, false}));
  config.learning_rate = read.real_or_keyword("learning_rate", "auto", "auto", Range::positive());
  config.wd = read.real_or_keyword("wd", "auto", "auto", Range::non_negative());
  config.l1 = read.real_or_keyword("l1", "auto", "auto", Range::non_negative());

  config.mini_batch_size = read.integer("mini_batch_size", 1000, Range::at_least(1));
  config.epochs = read.integer("epochs", 15, Range::at_least(1));
  config.use_bias = read.boolean("use_bias", true);
  config.normalize_data = read.boolean("normalize_data", true);
  const std::string normalize_label = read.choice("normalize_label", "auto", {"auto", "true", "false"});
  TERN_CHECK(normalize_label != "true" || config.task == TaskKind::regression,
             "hyperparameter 'normalize_label' applies to regressors only");
  config.normalize_label = config.task == TaskKind::regression && normalize_label != "false";
  config.num_point_for_scaler = read.integer("num_point_for_scaler", 10000, Range::at_least(1));
  config.patience = read.integer("early_stopping_patience", 3, Range::at_least(1));
  config.tolerance = read.real("early_stopping_tolerance", 0.001, Range::non_negative());
  const bool all_given = config.learning_rate && config.wd && config.l1;
  config.num_models = read.integer_or_keyword("num_models", "auto", "auto", all_given ? 1 : 8, Range::at_least(1));

  const std::string selection = read.choice(
      "binary_classifier_model_selection_criteria", "accuracy",
      {"accuracy", "f_beta", "precision_at_target_recall", "recall_at_target_precision", "loss_function"});
  config.selection = selection == "accuracy"                     ? Selection::accuracy
                     : selection == "f_beta"                     ? Selection::f_beta
                     : selection == "precision_at_target_recall" ? Selection::precision_at_target_recall
                     : selection == "recall_at_target_precision" ? Selection::recall_at_target_precision
                                                                 : Selection::loss_function;
  config.f_beta = read.real("f_beta", 1.0, Range::positive());
  config.target_recall = read.real("target_recall", 0.8, {0.0, 1.0, false});
  config.target_precision = read.real("target_precision", 0.8, {0.0, 1.0, false});
  const auto positive_weight = read.real_or_keyword("positive_example_weight_mult", "1.0", "balanced", Range::positive());
  config.positive_weight = positive_weight;
  // "auto" is read as a number first; any other word fails there, naming the hyperparameter.
  if (read.resolved().at("positive_example_weight_mult") == "auto") {
    config.vary_positive_weight = true;
    config.positive_weight = 1.0;
  }
  TERN_CHECK(config.task == TaskKind::binary_classification || (!read.given("positive_example_weight_mult")),
             "hyperparameter 'positive_example_weight_mult' applies to binary_classifier only");
  config.balance_multiclass_weights = read.boolean("balance_multiclass_weights", false);
  TERN_CHECK(config.task == TaskKind::multiclass_classification || !config.balance_multiclass_weights,
             "hyperparameter 'balance_multiclass_weights' applies to multiclass_classifier only");
  config.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  read.finish();
  return config;
}

// What varies between the num_models models: the hyperparameters left on auto.
struct ModelSettings {
  double learning_rate = 0.0, wd = 0.0, l1 = 0.0;
  bool balanced_positive_weight = false;
};

std::vector<ModelSettings> model_settings(const LinearLearnerConfig& config) {
  static const double kRateFactors[] = {1.0, 0.3, 3.0, 0.1};
  static const double kWeightDecays[] = {0.0, 1e-4, 1e-3, 1e-2};
  const double default_rate = config.optimizer.kind == OptimizerKind::sgd ? 0.1 : 0.01;
  std::vector<ModelSettings> models;
  for (std::int64_t m = 0; m < config.num_models; ++m) {
    ModelSettings settings;
    settings.learning_rate = config.learning_rate.value_or(default_rate * kRateFactors[m % 4]);
    settings.wd = config.wd.value_or(kWeightDecays[(m / 4 + m) % 4]);
    settings.l1 = config.l1.value_or(0.0);
    settings.balanced_positive_weight = config.vary_positive_weight ? m % 2 == 1 : !config.positive_weight;
    models.push_back(settings);
  }
  return models;
}

// The scaler and the label counts: μ and σ of each feature (and of the label, for regressors)
// over a sample of about num_point_for_scaler rows (each row kept with probability
// num_point_for_scaler / N, by a seeded draw of its own), and every row's label counted.
// Sparse rows are scaled but not centred (μ = 0), which would fill them in.
struct DataSummary {
  std::vector<double> mean, inverse_std;  // per feature
  double label_mean = 0.0, label_std = 1.0;
  std::vector<double> class_counts;       // classifiers
  std::int64_t rows = 0;
};

DataSummary summarise(const std::function<void(const BlockVisitor&)>& for_each_own_block, std::int64_t total,
                      std::int64_t features, bool sparse, const LinearLearnerConfig& config, Communicator& comm) {
  const auto classes = static_cast<std::size_t>(config.task == TaskKind::regression ? 0 : config.num_classes);
  const double keep = std::min(1.0, static_cast<double>(config.num_point_for_scaler) / static_cast<double>(total));
  const std::uint64_t stream = stream_id("linear_learner.scaler");
  // Σx, Σx², Σy, Σy², n over the sample, then the class counts over all rows.
  std::vector<double> sums(static_cast<std::size_t>(2 * features + 3) + classes, 0.0);
  double* feature_sums = sums.data();
  double* square_sums = sums.data() + features;
  double* label_moments = sums.data() + 2 * features;
  double* counts = label_moments + 3;
  for_each_own_block([&](const RowBlock& block) {
    for (std::int64_t i = 0; i < block.rows(); ++i) {
      const float label = block.labels.data<float>()[i];
      if (classes > 0) counts[static_cast<std::size_t>(label)] += 1.0;
      if (kernels::philox_uniform_double(config.seed, static_cast<std::uint64_t>(block.first_row + i), stream) >= keep)
        continue;
      for_each_entry(block, i, [&](std::int64_t f, float x) {
        feature_sums[f] += x;
        square_sums[f] += static_cast<double>(x) * x;
      });
      label_moments[0] += label;
      label_moments[1] += static_cast<double>(label) * label;
      label_moments[2] += 1.0;
    }
  });
  allreduce(comm, std::span<double>(sums), ReduceOp::sum);
  DataSummary summary;
  summary.rows = total;
  summary.class_counts.assign(counts, counts + classes);
  const double n = std::max(label_moments[2], 1.0);
  const auto standard_deviation = [n](double sum, double square_sum) {
    const double mean = sum / n;
    const double deviation = std::sqrt(std::max(square_sum / n - mean * mean, 0.0));
    return deviation > 1e-12 * std::max(1.0, std::abs(mean)) ? deviation : 1.0;  // a constant column stays as is
  };
  for (std::int64_t f = 0; f < features; ++f) {
    summary.mean.push_back(config.normalize_data && !sparse ? feature_sums[f] / n : 0.0);
    summary.inverse_std.push_back(config.normalize_data ? 1.0 / standard_deviation(feature_sums[f], square_sums[f]) : 1.0);
  }
  if (config.normalize_label) {
    summary.label_mean = label_moments[0] / n;
    summary.label_std = standard_deviation(label_moments[0], label_moments[1]);
  }
  return summary;
}

// The num_models models side by side: rows m·O .. m·O + O − 1 of W [M·O, D] and b [M·O] are
// model m's (O outputs each), so one GEMM gives every model's outputs for a batch.
class LinearModels {
 public:
  LinearModels(const LinearLearnerConfig& config, std::vector<ModelSettings> settings, const DataSummary& summary,
               std::int64_t features)
      : config_(config),
        settings_(std::move(settings)),
        summary_(summary),
        outputs_(config.task == TaskKind::multiclass_classification ? config.num_classes : 1),
        features_(features),
        weights_(Tensor::zeros({count() * outputs_, features})),
        bias_(Tensor::zeros({count() * outputs_})),
        weight_grads_(Tensor::zeros({count() * outputs_, features})),
        bias_grads_(Tensor::zeros({count() * outputs_})) {
    for (std::int64_t m = 0; m < count(); ++m) {
      const std::int64_t first = m * outputs_, last = first + outputs_;
      parameters_.push_back(std::make_unique<Parameter>("model" + std::to_string(m) + ".weight",
                                                        weights_.rows(first, last), weight_grads_.rows(first, last)));
      parameters_.push_back(std::make_unique<Parameter>("model" + std::to_string(m) + ".bias",
                                                        bias_.rows(first, last), bias_grads_.rows(first, last)));
      OptimizerConfig weight_config = config.optimizer;
      weight_config.weight_decay = static_cast<float>(settings_[static_cast<std::size_t>(m)].wd);
      weight_config.l1 = static_cast<float>(settings_[static_cast<std::size_t>(m)].l1);
      OptimizerConfig bias_config = config.optimizer;  // the bias is not regularised
      optimizers_.emplace_back(weight_config, std::vector<Parameter*>{parameters_[2 * m].get()});
      optimizers_.emplace_back(bias_config, std::vector<Parameter*>{parameters_[2 * m + 1].get()});
    }
    // Row weights: class 1's for binary classifiers (per model), each class's for multiclass.
    const std::vector<double>& counts = summary.class_counts;
    for (const ModelSettings& model : settings_) {
      positive_weights_.push_back(model.balanced_positive_weight && counts.size() == 2 && counts[1] > 0
                                      ? counts[0] / counts[1]
                                      : config.positive_weight.value_or(1.0));
    }
    class_weights_.assign(static_cast<std::size_t>(std::max<std::int64_t>(config.num_classes, 1)), 1.0);
    if (config.balance_multiclass_weights) {
      for (std::size_t c = 0; c < counts.size(); ++c)
        class_weights_[c] = counts[c] > 0 ? static_cast<double>(summary.rows) / (static_cast<double>(counts.size()) * counts[c]) : 1.0;
    }
  }

  std::int64_t count() const { return static_cast<std::int64_t>(settings_.size()); }
  std::int64_t outputs() const { return outputs_; }
  const ModelSettings& settings(std::int64_t m) const { return settings_[static_cast<std::size_t>(m)]; }
  double positive_weight(std::int64_t m) const { return positive_weights_[static_cast<std::size_t>(m)]; }

  // x̂ = (x − μ) / σ of raw rows [n, D].
  Tensor standardized(const Tensor& rows) const {
    Tensor x = Tensor::empty(rows.shape());
    const std::int64_t n = rows.dim(0);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t f = 0; f < features_; ++f) {
        const auto k = static_cast<std::size_t>(f);
        x.data<float>()[i * features_ + f] =
            static_cast<float>((rows.data<float>()[i * features_ + f] - summary_.mean[k]) * summary_.inverse_std[k]);
      }
    }
    return x;
  }

  // The block with its dense rows standardised once, for the several passes of a step.
  RowBlock prepared(const RowBlock& block) const {
    if (block.sparse || block.standardized) return block;
    RowBlock ready = block;
    ready.dense = standardized(block.dense);
    ready.standardized = true;
    return ready;
  }

  // Z = x̂ Wᵀ + b: every model's outputs [n, M·O]. Dense rows through one GEMM; sparse rows
  // entry by entry, x̂_i = x_i / σ_i.
  Tensor outputs(const RowBlock& block) const {
    const std::int64_t n = block.rows(), total = count() * outputs_;
    Tensor z = Tensor::empty({n, total});
    for (std::int64_t i = 0; i < n; ++i) std::copy_n(bias_.data<float>(), total, z.data<float>() + i * total);
    if (n > 0 && !block.sparse) {
      const Tensor x = block.standardized ? block.dense : standardized(block.dense);
      kernels::cpu::gemm(kernels::Transpose::no, kernels::Transpose::yes, n, total, features_, 1.0f, x.data<float>(),
                         features_, weights_.data<float>(), features_, 1.0f, z.data<float>(), total);
    } else if (n > 0) {
#pragma omp parallel for schedule(static)
      for (std::int64_t i = 0; i < n; ++i) {
        float* zi = z.data<float>() + i * total;
        for_each_entry(block, i, [&](std::int64_t f, float value) {
          const double x = value * summary_.inverse_std[static_cast<std::size_t>(f)];
          for (std::int64_t t = 0; t < total; ++t) zi[t] += static_cast<float>(x * weights_.data<float>()[t * features_ + f]);
        });
      }
    }
    return z;
  }

  // The label as the loss sees it (standardised for regressors with normalize_label).
  double target(float label) const { return (label - summary_.label_mean) / summary_.label_std; }

  // Each model's summed (weighted) loss over the rows; with `derivatives`, fills it [n, M·O]
  // with s_i ∂ℓ/∂z.
  std::vector<double> losses(const Tensor& z, const Tensor& labels, Tensor* derivatives, bool weighted) const {
    const std::int64_t n = z.dim(0), total = count() * outputs_;
    std::vector<double> sums(static_cast<std::size_t>(count()), 0.0);
    for (std::int64_t m = 0; m < count(); ++m) {
      double sum = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : sum)
      for (std::int64_t i = 0; i < n; ++i) {
        const float label = labels.data<float>()[i];
        const float* zi = z.data<float>() + i * total + m * outputs_;
        float* gradient = derivatives ? derivatives->data<float>() + i * total + m * outputs_ : nullptr;
        if (config_.loss.kind == LinearLossKind::softmax) {
          const double weight = weighted ? class_weights_[static_cast<std::size_t>(label)] : 1.0;
          sum += weight * softmax_loss(zi, static_cast<int>(outputs_), static_cast<int>(label), gradient);
          if (gradient) {
            for (std::int64_t o = 0; o < outputs_; ++o) gradient[o] = static_cast<float>(gradient[o] * weight);
          }
          continue;
        }
        const double weight = weighted && label == 1.0f ? positive_weights_[static_cast<std::size_t>(m)] : 1.0;
        const double y = target(label);
        sum += weight * loss_value(config_.loss, zi[0], y);
        if (gradient) gradient[0] = static_cast<float>(weight * loss_derivative(config_.loss, zi[0], y));
      }
      sums[static_cast<std::size_t>(m)] = sum;
    }
    return sums;
  }

  // Gradient sums of a batch: ∂/∂W = derivativesᵀ x̂, ∂/∂b = column sums (this rank's rows).
  void accumulate_gradients(const RowBlock& block, const Tensor& derivatives) {
    const std::int64_t n = block.rows(), total = count() * outputs_;
    std::fill_n(bias_grads_.data<float>(), bias_grads_.numel(), 0.0f);
    if (n == 0 || block.sparse) std::fill_n(weight_grads_.data<float>(), weight_grads_.numel(), 0.0f);
    if (n == 0) return;
    if (block.sparse) {
      for (std::int64_t i = 0; i < n; ++i) {
        const float* d = derivatives.data<float>() + i * total;
        for_each_entry(block, i, [&](std::int64_t f, float value) {
          const double x = value * summary_.inverse_std[static_cast<std::size_t>(f)];
          for (std::int64_t t = 0; t < total; ++t) weight_grads_.data<float>()[t * features_ + f] += static_cast<float>(d[t] * x);
        });
      }
    } else {
      const Tensor x = block.standardized ? block.dense : standardized(block.dense);
      kernels::cpu::gemm(kernels::Transpose::yes, kernels::Transpose::no, total, features_, n, 1.0f,
                         derivatives.data<float>(), total, x.data<float>(), features_, 0.0f,
                         weight_grads_.data<float>(), features_);
    }
    for (std::int64_t t = 0; t < total; ++t) {
      double sum = 0.0;
      for (std::int64_t i = 0; i < n; ++i) sum += derivatives.data<float>()[i * total + t];
      bias_grads_.data<float>()[t] = config_.use_bias ? static_cast<float>(sum) : 0.0f;
    }
  }

  // Sums the ranks' gradient sums, makes them means over the global batch's rows and steps
  // every model at its own learning rate.
  void step(Communicator& comm, double global_rows) {
    comm.allreduce(weight_grads_.data<float>(), weight_grads_.numel(), CommType::f32, ReduceOp::sum);
    comm.allreduce(bias_grads_.data<float>(), bias_grads_.numel(), CommType::f32, ReduceOp::sum);
    const auto scale = static_cast<float>(1.0 / global_rows);
    for (float& g : weight_grads_.values()) g *= scale;
    for (float& g : bias_grads_.values()) g *= scale;
    for (std::int64_t m = 0; m < count(); ++m) {
      const auto rate = static_cast<float>(settings(m).learning_rate);
      optimizers_[static_cast<std::size_t>(2 * m)].step(rate);
      if (config_.use_bias) optimizers_[static_cast<std::size_t>(2 * m + 1)].step(rate);
    }
  }

  // Model m over the raw features: W/σ, b − W μ/σ, and the label's scale undone.
  std::pair<Tensor, Tensor> folded(std::int64_t m) const {
    Tensor weights = Tensor::empty({outputs_, features_}), bias = Tensor::empty({outputs_});
    for (std::int64_t o = 0; o < outputs_; ++o) {
      const float* w = weights_.data<float>() + (m * outputs_ + o) * features_;
      double b = bias_.data<float>()[m * outputs_ + o];
      for (std::int64_t f = 0; f < features_; ++f) {
        const auto k = static_cast<std::size_t>(f);
        const double raw = w[f] * summary_.inverse_std[k];
        b -= raw * summary_.mean[k];
        weights.data<float>()[o * features_ + f] = static_cast<float>(raw * summary_.label_std);
      }
      bias.data<float>()[o] = static_cast<float>(b * summary_.label_std + summary_.label_mean);
    }
    return {weights, bias};
  }

 private:
  const LinearLearnerConfig& config_;
  std::vector<ModelSettings> settings_;
  const DataSummary& summary_;
  std::int64_t outputs_, features_;
  Tensor weights_, bias_, weight_grads_, bias_grads_;
  std::vector<std::unique_ptr<Parameter>> parameters_;
  std::vector<Optimizer> optimizers_;
  std::vector<double> positive_weights_, class_weights_;
};

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// z = W x + b of a saved model [O, D], [O] for raw rows [n, D]: each output a float64 sum in a
// fixed order, so a row's output never depends on which rows it is computed with.
Tensor linear_outputs(const Tensor& weights, const Tensor& bias, const RowBlock& rows) {
  const std::int64_t n = rows.rows(), outputs = weights.dim(0), features = weights.dim(1);
  Tensor z = Tensor::empty({n, outputs});
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t o = 0; o < outputs; ++o) {
      const float* w = weights.data<float>() + o * features;
      double sum = bias.data<float>()[o];
      for_each_entry(rows, i, [&](std::int64_t f, float x) { sum += static_cast<double>(w[f]) * x; });
      z.data<float>()[i * outputs + o] = static_cast<float>(sum);
    }
  }
  return z;
}

// A binary classifier's best decision threshold on some rows by the selection criterion, and
// the criterion's value there. Rows with P(1) > threshold are predicted 1; every cut between
// two distinct scores (and above and below all) is tried, the first best kept.
struct Calibration {
  double value = -1.0;
  float threshold = 0.5f;
};

Calibration calibrate(std::vector<std::pair<float, float>> scored, const LinearLearnerConfig& config) {
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const auto n = static_cast<double>(scored.size());
  double positives = 0.0;
  for (const auto& row : scored) positives += row.second;
  const double negatives = n - positives;
  Calibration best;
  double true_positives = 0.0, false_positives = 0.0;
  for (std::size_t j = 0; j <= scored.size(); ++j) {
    if (j > 0) {
      (scored[j - 1].second == 1.0f ? true_positives : false_positives) += 1.0;
      if (j < scored.size() && scored[j].first == scored[j - 1].first) continue;  // not a cut
    }
    const double predicted = true_positives + false_positives;
    const double precision = predicted > 0 ? true_positives / predicted : 1.0;
    const double recall = positives > 0 ? true_positives / positives : 1.0;
    double value = 0.0;
    switch (config.selection) {
      case Selection::accuracy: value = (true_positives + negatives - false_positives) / n; break;
      case Selection::f_beta: {
        const double b2 = config.f_beta * config.f_beta;
        value = precision + recall > 0 ? (1 + b2) * precision * recall / (b2 * precision + recall) : 0.0;
        break;
      }
      case Selection::precision_at_target_recall: value = recall >= config.target_recall ? precision : 0.0; break;
      case Selection::recall_at_target_precision: value = precision >= config.target_precision ? recall : 0.0; break;
      case Selection::loss_function: break;
    }
    if (value > best.value) {
      best.value = value;
      best.threshold = j == 0               ? scored.front().first
                       : j < scored.size() ? scored[j].first
                                            : std::nextafter(scored.back().first, -1.0f);
    }
  }
  return best;
}

}  // namespace

void LinearLearner::fit(JobContext& job) {
  Communicator& comm = job.comm;
  const int rank = comm.rank(), ranks = comm.size();
  TERN_CHECK(job.has_channel("train"), "a train channel is needed (--train FILE)");
  const std::filesystem::path& train_path = job.channels.at("train");
  const bool sparse = is_sparse_file(train_path);
  std::int64_t train_rows = 0, data_features = 0;
  if (sparse) {
    const SparseShape shape = sparse_file_shape(train_path);
    train_rows = shape.rows;
    data_features = shape.features;
  } else {
    const ChannelShape shape = train_channel_shape(job);
    train_rows = shape.rows;
    data_features = shape.features;
  }
  HyperparameterReader read("linear-learner", job.hyperparameters);
  const LinearLearnerConfig config = read_hyperparameters(read, data_features, sparse);
  job.resolved_hyperparameters = read.resolved();
  task_ = config.task;
  num_classes_ = config.num_classes;
  loss_ = config.loss;
  const auto fit_start = std::chrono::steady_clock::now();
  const std::int64_t features = config.features;

  // This rank's share of the rows, checked: dense ones streamed (one pass, the scaler's and the
  // label counts'), sparse ones held.
  const RowRange own_range = rank_rows(train_rows, rank, ranks);
  std::optional<RowShard> own_dense;
  SparseRows own_sparse;
  if (sparse) {
    own_sparse = load_sparse(train_path, own_range.begin, own_range.end, features);
    validate_labels(own_sparse.labels, task_, static_cast<int>(num_classes_), "channel 'train' (" + train_path.string() + ")",
                    own_range.begin);
  } else {
    own_dense.emplace(train_path, comm, IngestionMode::pipe, 10000, task_, "train", static_cast<int>(num_classes_));
  }
  const auto for_each_own_block = [&](const BlockVisitor& visit) {
    if (sparse) {
      visit(sparse_block(own_sparse));
    } else {
      own_dense->for_each_chunk([&](const Dataset& chunk) { visit(dense_block(chunk)); });
    }
  };
  const DataSummary summary = summarise(for_each_own_block, train_rows, features, sparse, config, comm);

  // This rank's share of the validation rows.
  std::int64_t validation_rows = 0;
  Dataset validation_dense;
  SparseRows validation_sparse;
  RowBlock validation;
  if (job.has_channel("validation")) {
    const std::filesystem::path& path = job.channels.at("validation");
    const std::string where = "channel 'validation' (" + path.string() + ")";
    if (sparse) {
      const SparseRows all = load_as_sparse(path, 0, -1, features);
      validate_labels(all.labels, task_, static_cast<int>(num_classes_), where, 0);
      validation_rows = all.rows();
      const RowRange share = rank_rows(validation_rows, rank, ranks);
      std::vector<std::int64_t> positions(static_cast<std::size_t>(share.size()));
      std::iota(positions.begin(), positions.end(), share.begin);
      validation_sparse = all.select(positions);
      validation = sparse_block(validation_sparse);
    } else {
      const Dataset all = load_dataset(path);
      validate_dataset(all, task_, static_cast<int>(num_classes_), "validation");
      validation_rows = all.rows();
      const RowRange share = rank_rows(validation_rows, rank, ranks);
      validation_dense = {all.features.rows(share.begin, share.end), all.labels.rows(share.begin, share.end), all.source,
                          share.begin};
      validation = dense_block(validation_dense);
    }
  }
  LinearModels models(config, model_settings(config), summary, features);

  // The steps' batches: dense rows streamed by EpochBatches, sparse ones from memory.
  std::optional<EpochBatches> dense_batches;
  std::optional<SparseEpochBatches> sparse_batches;
  if (sparse) {
    const RowRange trained = training_rows(job, train_rows);
    sparse_batches.emplace(job, load_sparse(train_path, trained.begin, trained.end, features), train_rows,
                           config.mini_batch_size, config.seed);
  } else {
    dense_batches.emplace(job, config.mini_batch_size, config.seed);
  }
  const auto for_each_step = [&](std::int64_t epoch, const BlockVisitor& visit) {
    if (sparse) {
      sparse_batches->for_each_step(epoch, [&](const SparseRows& batch) { visit(sparse_block(batch)); });
    } else {
      dense_batches->for_each_step(epoch, [&](const Batch& batch) { visit({batch.features, nullptr, batch.labels, 0}); });
    }
  };
  const std::int64_t steps_per_epoch = sparse ? sparse_batches->steps_per_epoch() : dense_batches->steps_per_epoch();
  job.log.info("linear-learner: " + std::to_string(train_rows) + (sparse ? " sparse" : "") + " rows x " +
               std::to_string(features) + " features on " + std::to_string(ranks) + " rank(s), " +
               std::to_string(models.count()) + " model(s) at once, " + linear_loss_name(loss_.kind) + " loss, " +
               std::to_string(config.epochs) + " epochs of " + std::to_string(steps_per_epoch) + " steps");

  std::int64_t step = 0, epochs_run = 0, epochs_without_progress = 0;
  double best_objective = std::numeric_limits<double>::infinity();
  std::vector<double> final_validation_losses;
  for (std::int64_t epoch = 0; epoch < config.epochs; ++epoch) {
    std::vector<double> epoch_losses(static_cast<std::size_t>(models.count()), 0.0);
    const auto epoch_start = std::chrono::steady_clock::now();
    for_each_step(epoch, [&](const RowBlock& rows) {
      ++step;
      const RowBlock batch = models.prepared(rows);
      const Tensor z = models.outputs(batch);
      Tensor derivatives = Tensor::empty(z.shape());
      std::vector<double> totals = models.losses(z, batch.labels, &derivatives, true);
      models.accumulate_gradients(batch, derivatives);
      totals.push_back(static_cast<double>(batch.rows()));  // the global batch's rows
      allreduce(comm, std::span<double>(totals), ReduceOp::sum);
      if (totals.back() == 0.0) return;
      models.step(comm, totals.back());
      for (std::size_t m = 0; m < epoch_losses.size(); ++m) epoch_losses[m] += totals[m];
    });
    ++epochs_run;
    job.metrics.record(step, epoch, "train:epoch_seconds",
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count());
    for (double& loss : epoch_losses) loss /= static_cast<double>(train_rows);
    const double train_objective = *std::min_element(epoch_losses.begin(), epoch_losses.end());
    job.metrics.record(step, epoch, "train:objective_loss", train_objective);
    std::string summary_line = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config.epochs) +
                               ": train objective_loss " + std::to_string(train_objective) + " (best of " +
                               std::to_string(models.count()) + ")";
    double objective = train_objective;
    if (validation_rows > 0) {
      final_validation_losses = models.losses(models.outputs(validation), validation.labels, nullptr, false);
      allreduce(comm, std::span<double>(final_validation_losses), ReduceOp::sum);
      for (double& loss : final_validation_losses) loss /= static_cast<double>(validation_rows);
      objective = *std::min_element(final_validation_losses.begin(), final_validation_losses.end());
      job.metrics.record(step, epoch, "validation:objective_loss", objective);
      summary_line += ", validation objective_loss " + std::to_string(objective);
    }
    job.log.info(summary_line);
    // Early stopping: the best model's objective must improve by a relative tolerance.
    if (objective < best_objective * (1.0 - config.tolerance)) {
      epochs_without_progress = 0;
    } else if (++epochs_without_progress >= config.patience) {
      job.log.info("early stopping: no improvement of the objective by " + std::to_string(config.tolerance) +
                   " (relative) for " + std::to_string(config.patience) + " epochs");
      best_objective = std::min(best_objective, objective);
      break;
    }
    best_objective = std::min(best_objective, objective);
  }

  // Model selection on the validation rows, or on the training rows without them.
  std::vector<double> criterion(static_cast<std::size_t>(models.count()), 0.0);
  std::vector<float> thresholds(static_cast<std::size_t>(models.count()), 0.5f);
  const bool by_threshold = task_ == TaskKind::binary_classification && config.selection != Selection::loss_function;
  // Calls visit(block) for this rank's share of the selection rows.
  const auto for_each_selection_part = [&](const BlockVisitor& visit) {
    if (validation_rows > 0) {
      visit(validation);
    } else {
      for_each_own_block(visit);
    }
  };
  if (!by_threshold) {
    // By the mean loss (the validation loss of the last epoch, when there is one).
    std::vector<double> losses = final_validation_losses;
    if (losses.empty()) {
      losses.assign(criterion.size(), 0.0);
      for_each_selection_part([&](const RowBlock& block) {
        const std::vector<double> sums = models.losses(models.outputs(block), block.labels, nullptr, false);
        for (std::size_t m = 0; m < losses.size(); ++m) losses[m] += sums[m];
      });
      allreduce(comm, std::span<double>(losses), ReduceOp::sum);
    }
    for (std::size_t m = 0; m < criterion.size(); ++m) criterion[m] = -losses[m];
  } else {
    // Each model's P(1) for the selection rows exactly as the saved model will predict them
    // (folded, row by row), this rank's share, then gathered: the threshold is a cut between
    // the very scores that predict gives.
    std::vector<std::pair<Tensor, Tensor>> folded;
    for (std::int64_t m = 0; m < models.count(); ++m) folded.push_back(models.folded(m));
    std::vector<float> probabilities, labels;
    for_each_selection_part([&](const RowBlock& block) {
      const std::int64_t n = block.rows(), first = static_cast<std::int64_t>(labels.size());
      probabilities.resize(static_cast<std::size_t>((first + n) * models.count()));
      for (std::int64_t m = 0; m < models.count(); ++m) {
        const Tensor z = linear_outputs(folded[static_cast<std::size_t>(m)].first, folded[static_cast<std::size_t>(m)].second, block);
        for (std::int64_t i = 0; i < n; ++i)
          probabilities[static_cast<std::size_t>((first + i) * models.count() + m)] = static_cast<float>(sigmoid(z.data<float>()[i]));
      }
      labels.insert(labels.end(), block.labels.data<float>(), block.labels.data<float>() + n);
    });
    const auto rows = static_cast<std::int64_t>(labels.size());
    const Tensor all = gather_rows_across_ranks(Tensor::from_values({rows, models.count()}, probabilities), comm);
    const Tensor all_labels = gather_rows_across_ranks(Tensor::from_values({rows}, labels), comm);
    for (std::int64_t m = 0; m < models.count(); ++m) {
      std::vector<std::pair<float, float>> scored(static_cast<std::size_t>(all.dim(0)));
      for (std::int64_t i = 0; i < all.dim(0); ++i)
        scored[static_cast<std::size_t>(i)] = {all.data<float>()[i * models.count() + m], all_labels.data<float>()[i]};
      const Calibration calibration = calibrate(std::move(scored), config);
      criterion[static_cast<std::size_t>(m)] = calibration.value;
      thresholds[static_cast<std::size_t>(m)] = calibration.threshold;
    }
  }
  for (double& value : criterion) {
    if (!std::isfinite(value)) value = -std::numeric_limits<double>::infinity();  // a diverged model is never kept
  }
  const auto chosen = std::max_element(criterion.begin(), criterion.end()) - criterion.begin();  // the first of equals
  std::tie(weights_, bias_) = models.folded(chosen);
  threshold_ = thresholds[static_cast<std::size_t>(chosen)];

  nlohmann::json candidates = nlohmann::json::array();
  for (std::int64_t m = 0; m < models.count(); ++m) {
    const ModelSettings& settings = models.settings(m);
    candidates.push_back({{"learning_rate", settings.learning_rate},
                          {"wd", settings.wd},
                          {"l1", settings.l1},
                          {"positive_example_weight_mult", models.positive_weight(m)},
                          {"selection_value", criterion[static_cast<std::size_t>(m)]}});
  }
  job.summary["linear_learner"] = {{"selected_model", chosen},
                                   {"models", candidates},
                                   {"epochs", epochs_run},
                                   {"decision_threshold", threshold_},
                                   {"selected_on", validation_rows > 0 ? "validation" : "train"}};
  job.log.info("linear-learner: kept model " + std::to_string(chosen) + " of " + std::to_string(models.count()) +
               " (learning_rate " + std::to_string(models.settings(chosen).learning_rate) + ", wd " +
               std::to_string(models.settings(chosen).wd) + ")" +
               (task_ == TaskKind::binary_classification ? ", decision threshold " + std::to_string(threshold_) : ""));
  job.metrics.record(step, epochs_run, "train:fit_seconds",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
  record_validation_metrics(*this, job, step);
}

MetricValues LinearLearner::score(const Predictions& predictions, const Tensor& labels) const {
  return service_metric_report(predictions, labels, num_features());
}

Predictions LinearLearner::predict(const Dataset& data) {
  check_same_features("model", num_features(), "data", data.num_features());
  return predict_block(dense_block(data));
}

Predictions LinearLearner::predict_block(const RowBlock& rows) const {
  TERN_CHECK(weights_.defined(), "linear-learner: no model trained or loaded");
  const std::int64_t n = rows.rows(), outputs = weights_.dim(0);
  const Tensor z = linear_outputs(weights_, bias_, rows);
  Predictions predictions;
  predictions.task = task_;
  predictions.decision_threshold = threshold_;
  predictions.labels = Tensor::empty({n});
  if (task_ == TaskKind::regression) {
    predictions.scores = Tensor::from_values({n}, std::vector<float>(z.data<float>(), z.data<float>() + n));
    predictions.labels = predictions.scores.clone();
    return predictions;
  }
  if (task_ == TaskKind::binary_classification) {
    predictions.scores = Tensor::empty({n});
    for (std::int64_t i = 0; i < n; ++i) {
      const auto probability = static_cast<float>(sigmoid(z.data<float>()[i]));
      predictions.scores.data<float>()[i] = probability;
      predictions.labels.data<float>()[i] = probability > threshold_ ? 1.0f : 0.0f;
    }
    return predictions;
  }
  predictions.scores = Tensor::empty({n, outputs});
  for (std::int64_t i = 0; i < n; ++i) {
    const float* zi = z.data<float>() + i * outputs;
    float* probabilities = predictions.scores.data<float>() + i * outputs;
    softmax(zi, static_cast<int>(outputs), probabilities);
    predictions.labels.data<float>()[i] =
        static_cast<float>(std::max_element(probabilities, probabilities + outputs) - probabilities);
  }
  return predictions;
}

Predictions LinearLearner::predict_file(const std::filesystem::path& path) {
  if (!is_sparse_file(path)) return Algorithm::predict_file(path);
  const SparseRows rows = load_sparse(path, 0, -1, num_features());
  return predict_block(sparse_block(rows));
}

MetricValues LinearLearner::evaluate_file(const std::filesystem::path& path) {
  if (!is_sparse_file(path)) return Algorithm::evaluate_file(path);
  const SparseRows rows = load_sparse(path, 0, -1, num_features());
  validate_labels(rows.labels, task_, static_cast<int>(num_classes_), "data (" + path.string() + ")", 0);
  return score(predict_block(sparse_block(rows)), Tensor::from_values({rows.rows()}, rows.labels));
}

ModelFile LinearLearner::export_model() const {
  TERN_CHECK(weights_.defined(), "linear-learner: no model trained or loaded");
  ModelFile file;
  file.attributes = {{"predictor_type", task_ == TaskKind::binary_classification       ? "binary_classifier"
                                        : task_ == TaskKind::multiclass_classification ? "multiclass_classifier"
                                                                                       : "regressor"},
                     {"num_classes", num_classes_},
                     {"num_features", num_features()},
                     {"loss", linear_loss_name(loss_.kind)},
                     {"decision_threshold", exact_double(threshold_)}};
  file.tensors.emplace("linear/weights", weights_);
  file.tensors.emplace("linear/bias", bias_);
  return file;
}

void LinearLearner::import_model(const ModelFile& file) {
  const std::string predictor = file.attributes.at("predictor_type").get<std::string>();
  task_ = predictor == "binary_classifier"       ? TaskKind::binary_classification
          : predictor == "multiclass_classifier" ? TaskKind::multiclass_classification
                                                 : TaskKind::regression;
  num_classes_ = file.attributes.at("num_classes").get<std::int64_t>();
  loss_.kind = parse_linear_loss(file.attributes.at("loss").get<std::string>());
  threshold_ = static_cast<float>(exact_double(file.attributes.at("decision_threshold")));
  weights_ = file.tensor("linear/weights").clone();
  bias_ = file.tensor("linear/bias").clone();
  const std::int64_t outputs = task_ == TaskKind::multiclass_classification ? num_classes_ : 1;
  TERN_CHECK(weights_.ndim() == 2 && weights_.dim(0) == outputs &&
                 weights_.dim(1) == file.attributes.at("num_features").get<std::int64_t>() && bias_.ndim() == 1 &&
                 bias_.dim(0) == outputs,
             "linear-learner model: weights of shape ", shape_string(weights_.shape()), " and bias ",
             shape_string(bias_.shape()), " for ", outputs, " output(s)");
}

}  // namespace tern
