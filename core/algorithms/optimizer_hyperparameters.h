// The hyperparameters every gradient-trained algorithm shares, read the same way by each:
//   optimizer      optimizer (sgd | adam | adamw | adagrad | rmsprop), momentum, nesterov,
//                  beta_1, beta_2, epsilon, wd, l1
//   schedule       learning_rate, lr_scheduler (constant | step | cosine), lr_scheduler_step,
//                  lr_scheduler_factor, lr_scheduler_minimum_lr, warmup_steps
//   precision      precision (f32 | bf16 | f16), loss_scale, loss_scale_growth_interval (f16)
// The schedule's total_steps is the algorithm's to set once it knows them.
#pragma once

#include <optional>

#include "core/algorithms/hyperparameters.h"
#include "core/optim/learning_rate_schedule.h"
#include "core/optim/loss_scaler.h"
#include "core/optim/optimizer.h"

namespace tern {

OptimizerConfig read_optimizer_hyperparameters(HyperparameterReader& read);
LearningRateSchedule read_schedule_hyperparameters(HyperparameterReader& read);

// The dtype of the GEMMs (nn/mixed_precision.h), and the loss scaling, which f16 alone uses.
struct PrecisionConfig {
  DType gemm_dtype = DType::f32;
  std::optional<LossScalingConfig> loss_scaling;
};
PrecisionConfig read_precision_hyperparameters(HyperparameterReader& read);

}  // namespace tern
