#include "core/algorithms/optimizer_hyperparameters.h"

namespace tern {

OptimizerConfig read_optimizer_hyperparameters(HyperparameterReader& read) {
  OptimizerConfig optimizer;
  optimizer.kind = parse_optimizer(read.choice("optimizer", "adam", {"sgd", "adam", "adamw", "adagrad", "rmsprop"}));
  optimizer.momentum = static_cast<float>(read.real("momentum", 0.0, {0.0, 1.0, false}));
  optimizer.nesterov = read.boolean("nesterov", false);
  optimizer.beta_1 = static_cast<float>(read.real("beta_1", 0.9, {0.0, 1.0, false}));
  optimizer.beta_2 = static_cast<float>(read.real("beta_2", 0.999, {0.0, 1.0, false}));
  optimizer.epsilon = static_cast<float>(read.real("epsilon", 1e-8, Range::positive()));
  optimizer.weight_decay = static_cast<float>(read.real("wd", 0.0, Range::non_negative()));
  optimizer.l1 = static_cast<float>(read.real("l1", 0.0, Range::non_negative()));
  TERN_CHECK(!optimizer.nesterov || optimizer.momentum > 0, "hyperparameter 'nesterov' needs momentum > 0");
  return optimizer;
}

LearningRateSchedule read_schedule_hyperparameters(HyperparameterReader& read) {
  LearningRateSchedule schedule;
  schedule.base_rate = read.real("learning_rate", 0.001, Range::positive());
  schedule.kind = parse_learning_rate_schedule(read.choice("lr_scheduler", "constant", {"constant", "step", "cosine"}));
  schedule.step_size = read.integer("lr_scheduler_step", 1000, Range::at_least(1));
  schedule.factor = read.real("lr_scheduler_factor", 0.1, {0.0, 1.0, true});
  schedule.min_rate = read.real("lr_scheduler_minimum_lr", 0.0, Range::non_negative());
  schedule.warmup_steps = read.integer("warmup_steps", 0, Range::non_negative());
  return schedule;
}

}  // namespace tern
