// Early stopping on a validation metric (hyperparameters early_stopping_metric,
// early_stopping_patience, early_stopping_tolerance, early_stopping_mode): after every
// evaluation, a value better than the best so far by more than the tolerance is a new best
// (lower for mode min, higher for max); training stops after `patience` evaluations in a row
// without a new best. Given the model's parameters (watch), it keeps a copy of their values at
// each new best, and the caller ends with them (restore_best), so a worse last iteration is
// never what gets saved. Its whole state goes into a checkpoint and back.
#pragma once

#include <cstdint>
#include <string>

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/algorithms/hyperparameters.h"
#include "core/io/model_file.h"
#include "core/nn/module.h"

namespace tern {

struct EarlyStoppingConfig {
  std::string metric;  // e.g. "accuracy" or "cross_entropy" (the validation metric's name)
  bool maximize = true;
  std::int64_t patience = 3;
  double tolerance = 0.0;
};

// Whether a metric is better when lower: losses and errors (names holding "loss", "error",
// "entropy", "rmse", "mse", "mae" or "perplexity"); the others (accuracy, f1, auc, r2...) are
// better higher.
bool lower_is_better(const std::string& metric);

// early_stopping_metric (one of `metrics`, or none: the default), early_stopping_patience
// (default 3), early_stopping_tolerance (0) and early_stopping_mode (auto | min | max; auto
// goes by lower_is_better). None unless a metric is named.
std::optional<EarlyStoppingConfig> read_early_stopping_hyperparameters(HyperparameterReader& read,
                                                                       const std::vector<std::string>& metrics);

class EarlyStopping {
 public:
  explicit EarlyStopping(const EarlyStoppingConfig& config);

  // The parameters whose values a new best copies (on their device).
  void watch(std::vector<Parameter*> parameters) { parameters_ = std::move(parameters); }
  // Records the evaluation after `step` (in `epoch`); returns true when it is a new best.
  bool record(double value, std::int64_t step, std::int64_t epoch);
  // Puts the best evaluation's values back into the watched parameters.
  void restore_best() const;
  // True once `patience` evaluations in a row brought no new best.
  bool should_stop() const { return evaluations_since_best_ >= config_.patience; }

  bool has_best() const { return best_step_ >= 0; }
  // {"metric", "mode", "best_value", "best_step", "best_epoch", "stopped_early"} for job.json.
  nlohmann::json summary() const;
  // Everything record() has learnt, the best values included, into a checkpoint's state
  // ("early_stopping" attribute, "early_stopping/best/<name>" tensors), and back.
  void save_state(ModelFile& state) const;
  void load_state(const ModelFile& state);

 private:
  EarlyStoppingConfig config_;
  double best_value_ = 0.0;
  std::int64_t best_step_ = -1, best_epoch_ = -1;
  std::int64_t evaluations_since_best_ = 0;
  std::vector<Parameter*> parameters_;
  std::vector<Tensor> best_values_;  // of parameters_, at the best evaluation
};

}  // namespace tern
