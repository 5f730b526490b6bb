#include "core/optim/optimizer.h"

#include <cmath>

#include "kernels/cpu/optimizer.h"

namespace tern {

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "sgd") return OptimizerKind::sgd;
  if (name == "adam") return OptimizerKind::adam;
  if (name == "adamw") return OptimizerKind::adamw;
  if (name == "adagrad") return OptimizerKind::adagrad;
  if (name == "rmsprop") return OptimizerKind::rmsprop;
  throw Error("unknown optimizer '" + name + "' (expected sgd, adam, adamw, adagrad or rmsprop)");
}

Optimizer::Optimizer(const OptimizerConfig& config, std::vector<Parameter*> parameters)
    : config_(config), parameters_(std::move(parameters)) {
  for (Parameter* parameter : parameters_) {
    state_1_.push_back(Tensor::zeros(parameter->value.shape()));
    state_2_.push_back(Tensor::zeros(parameter->value.shape()));
  }
}

void Optimizer::step(float learning_rate) {
  ++steps_taken_;
  kernels::OptimizerStepConfig step_config;
  step_config.kind = config_.kind;
  step_config.learning_rate = learning_rate;
  step_config.momentum = config_.momentum;
  step_config.nesterov = config_.nesterov;
  step_config.beta_1 = config_.beta_1;
  step_config.beta_2 = config_.beta_2;
  step_config.epsilon = config_.epsilon;
  step_config.weight_decay = config_.weight_decay;
  step_config.l1 = config_.l1;
  const auto t = static_cast<double>(steps_taken_);
  step_config.bias_correction_1 = static_cast<float>(1.0 - std::pow(static_cast<double>(config_.beta_1), t));
  step_config.bias_correction_2 = static_cast<float>(1.0 - std::pow(static_cast<double>(config_.beta_2), t));
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& parameter = *parameters_[i];
    kernels::cpu::optimizer_update(step_config, parameter.value.data<float>(), parameter.grad.data<float>(),
                                   state_1_[i].data<float>(), state_2_[i].data<float>(), parameter.value.numel());
  }
}

}  // namespace tern
