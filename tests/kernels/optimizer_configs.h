// The optimizer steps every optimizer test runs: each kind, plain SGD also with momentum and
// with Nesterov momentum, all with l1 and l2 (decoupled decay for AdamW), at step 2 so that
// Adam's bias corrections are not 1.
#pragma once

#include <vector>

#include "kernels/common/optimizer_math.h"

namespace tern::testing {

inline std::vector<kernels::OptimizerStepConfig> every_optimizer_config() {
  using kernels::OptimizerKind;
  kernels::OptimizerStepConfig base;
  base.learning_rate = 0.05f;
  base.weight_decay = 0.01f;
  base.l1 = 0.001f;
  base.bias_correction_1 = 1.0f - base.beta_1 * base.beta_1;
  base.bias_correction_2 = 1.0f - base.beta_2 * base.beta_2;
  std::vector<kernels::OptimizerStepConfig> configs;
  for (const OptimizerKind kind : {OptimizerKind::sgd, OptimizerKind::adam, OptimizerKind::adamw,
                                   OptimizerKind::adagrad, OptimizerKind::rmsprop}) {
    configs.push_back(base);
    configs.back().kind = kind;
  }
  configs.push_back(configs.front());
  configs.back().momentum = 0.9f;
  configs.push_back(configs.back());
  configs.back().nesterov = true;
  return configs;
}

}  // namespace tern::testing
