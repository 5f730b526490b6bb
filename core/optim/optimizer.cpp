#include "core/optim/optimizer.h"

#include <cmath>

#include "core/backend/backend.h"

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
    TERN_CHECK(parameter->value.device() == parameters_.front()->value.device(), "optimizer over parameters on several "
               "devices (", parameter->name, " is on ", parameter->value.device().name(), ")");
    state_1_.push_back(Tensor::zeros(parameter->value.shape(), DType::f32, parameter->value.device()));
    state_2_.push_back(Tensor::zeros(parameter->value.shape(), DType::f32, parameter->value.device()));
  }
}

std::size_t Optimizer::state_bytes() const {
  std::size_t bytes = 0;
  for (const Tensor& state : state_1_) bytes += state.size_bytes();
  for (const Tensor& state : state_2_) bytes += state.size_bytes();
  return bytes;
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
  if (parameters_.empty()) return;
  // Every parameter in one fused update (one launch on a GPU).
  std::vector<kernels::OptimizerTensor> tensors;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& parameter = *parameters_[i];
    tensors.push_back({parameter.value.device_data<float>(), parameter.grad.device_data<float>(),
                       state_1_[i].device_data<float>(), state_2_[i].device_data<float>(), parameter.value.numel()});
  }
  backend_for(parameters_.front()->value.device())
      .optimizer_update_many(step_config, tensors.data(), static_cast<int>(tensors.size()));
}

void Optimizer::save_state(ModelFile& checkpoint, const std::string& prefix) const {
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const std::string name = prefix + parameters_[i]->name;
    checkpoint.tensors.insert_or_assign(name + "/state_1", state_1_[i].to(Device::cpu()).clone());
    checkpoint.tensors.insert_or_assign(name + "/state_2", state_2_[i].to(Device::cpu()).clone());
  }
  checkpoint.attributes[prefix + "steps_taken"] = steps_taken_;
}

void Optimizer::load_state(const ModelFile& checkpoint, const std::string& prefix) {
  TERN_CHECK(checkpoint.attributes.contains(prefix + "steps_taken"), "checkpoint: no optimizer state under '", prefix,
             "'");
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const std::string name = prefix + parameters_[i]->name;
    for (auto [suffix, state] : {std::pair{"/state_1", &state_1_[i]}, std::pair{"/state_2", &state_2_[i]}}) {
      const Tensor& stored = checkpoint.tensor(name + suffix);
      TERN_CHECK(stored.shape() == state->shape(), "checkpoint: optimizer state ", name, suffix, " has shape ",
                 shape_string(stored.shape()), ", the parameter needs ", shape_string(state->shape()));
      state->copy_from(stored);
    }
  }
  steps_taken_ = checkpoint.attributes.at(prefix + "steps_taken").get<std::int64_t>();
}

}  // namespace tern
