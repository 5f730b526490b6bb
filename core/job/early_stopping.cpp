#include "core/job/early_stopping.h"

#include "core/error.h"

namespace tern {

namespace {
constexpr const char* kBestPrefix = "early_stopping/best/";
}  // namespace

bool lower_is_better(const std::string& metric) {
  for (const char* word : {"loss", "error", "entropy", "rmse", "mse", "mae", "perplexity"}) {
    if (metric.find(word) != std::string::npos) return true;
  }
  return false;
}

std::optional<EarlyStoppingConfig> read_early_stopping_hyperparameters(HyperparameterReader& read,
                                                                       const std::vector<std::string>& metrics) {
  std::vector<std::string> choices = metrics;
  choices.insert(choices.begin(), "none");
  const std::string metric = read.choice("early_stopping_metric", "none", choices);
  const std::int64_t patience = read.integer("early_stopping_patience", 3, Range::at_least(1));
  const double tolerance = read.real("early_stopping_tolerance", 0.0, Range::non_negative());
  const std::string mode = read.choice("early_stopping_mode", "auto", {"auto", "min", "max"});
  if (metric == "none") return std::nullopt;
  return EarlyStoppingConfig{.metric = metric,
                             .maximize = mode == "auto" ? !lower_is_better(metric) : mode == "max",
                             .patience = patience,
                             .tolerance = tolerance};
}

EarlyStopping::EarlyStopping(const EarlyStoppingConfig& config) : config_(config) {
  TERN_CHECK(config.patience >= 1, "early_stopping_patience must be at least 1, got ", config.patience);
  TERN_CHECK(config.tolerance >= 0, "early_stopping_tolerance must not be negative, got ", config.tolerance);
}

bool EarlyStopping::record(double value, std::int64_t step, std::int64_t epoch) {
  const double gain = config_.maximize ? value - best_value_ : best_value_ - value;
  if (has_best() && !(gain > config_.tolerance)) {
    ++evaluations_since_best_;
    return false;
  }
  best_value_ = value;
  best_step_ = step;
  best_epoch_ = epoch;
  evaluations_since_best_ = 0;
  best_values_.clear();
  for (const Parameter* parameter : parameters_) best_values_.push_back(parameter->value.clone());
  return true;
}

void EarlyStopping::restore_best() const {
  TERN_CHECK(best_values_.size() == parameters_.size(), "early stopping: the validation metric '", config_.metric,
             "' was never computed (the validation data leave it undefined)");
  for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_[i]->value.copy_from(best_values_[i]);
}

nlohmann::json EarlyStopping::summary() const {
  return {{"metric", config_.metric},       {"mode", config_.maximize ? "max" : "min"},
          {"best_value", best_value_},      {"best_step", best_step_},
          {"best_epoch", best_epoch_},      {"stopped_early", should_stop()}};
}

void EarlyStopping::save_state(ModelFile& state) const {
  state.attributes["early_stopping"] = {{"best_value", exact_double(best_value_)},
                                        {"best_step", best_step_},
                                        {"best_epoch", best_epoch_},
                                        {"evaluations_since_best", evaluations_since_best_}};
  for (std::size_t i = 0; i < best_values_.size(); ++i)
    state.tensors.emplace(kBestPrefix + parameters_[i]->name, best_values_[i].to(Device::cpu()));
}

void EarlyStopping::load_state(const ModelFile& state) {
  const nlohmann::json& saved = state.attributes.at("early_stopping");
  best_value_ = exact_double(saved.at("best_value"));
  best_step_ = saved.at("best_step").get<std::int64_t>();
  best_epoch_ = saved.at("best_epoch").get<std::int64_t>();
  evaluations_since_best_ = saved.at("evaluations_since_best").get<std::int64_t>();
  best_values_.clear();
  if (!has_best()) return;
  for (const Parameter* parameter : parameters_)
    best_values_.push_back(state.tensor(kBestPrefix + parameter->name).to(parameter->value.device()));
}

}  // namespace tern
