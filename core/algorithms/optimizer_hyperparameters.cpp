#include "core/algorithms/optimizer_hyperparameters.h"

#include "core/nn/mixed_precision.h"

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

PrecisionConfig read_precision_hyperparameters(HyperparameterReader& read) {
  PrecisionConfig precision;
  precision.gemm_dtype = gemm_dtype_from_name(read.choice("precision", "f32", {"f32", "bf16", "f16"}));
  LossScalingConfig scaling;
  scaling.initial_scale = read.real("loss_scale", 65536.0, Range::between(0x1p-24, 0x1p64));
  scaling.growth_interval = read.integer("loss_scale_growth_interval", 2000, Range::at_least(1));
  TERN_CHECK(precision.gemm_dtype == DType::f16 || (!read.given("loss_scale") && !read.given("loss_scale_growth_interval")),
             "hyperparameters 'loss_scale' and 'loss_scale_growth_interval' apply to precision f16 only");
  if (precision.gemm_dtype == DType::f16) precision.loss_scaling = scaling;
  return precision;
}

}  // namespace tern
