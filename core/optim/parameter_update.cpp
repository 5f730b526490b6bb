#include "core/optim/parameter_update.h"

#include <cmath>

#include "core/backend/backend.h"
#include "core/optim/gradient_clipping.h"

namespace tern {

ParameterUpdate::ParameterUpdate(std::vector<Parameter*> parameters, const OptimizerConfig& optimizer,
                                 const UpdateLayout& layout, std::optional<LossScalingConfig> loss_scaling,
                                 float clip_gradient)
    : parameters_(std::move(parameters)), layout_(layout), clip_gradient_(clip_gradient) {
  TERN_CHECK(layout.averaging == nullptr || layout.zero_group == nullptr,
             "gradient averaging and ZeRO-1 are two ways of data parallelism: give one");
  if (layout.zero_group != nullptr) {
    zero_ = std::make_unique<ZeroRedundancyOptimizer>(optimizer, parameters_, *layout.zero_group);
  } else {
    optimizer_ = std::make_unique<Optimizer>(optimizer, parameters_);
  }
  if (loss_scaling) loss_scaler_.emplace(*loss_scaling);
}

void ParameterUpdate::broadcast_parameters() {
  if (layout_.averaging != nullptr) layout_.averaging->broadcast_parameters();
  if (zero_) zero_->broadcast_parameters();
}

void ParameterUpdate::begin_step() { zero_grads(parameters_); }

float ParameterUpdate::loss_gradient_scale() const {
  return loss_scaler_ ? static_cast<float>(loss_scaler_->scale()) : 1.0f;
}

bool ParameterUpdate::finish_step(float learning_rate) {
  if (layout_.averaging != nullptr) layout_.averaging->finish_step();
  if (layout_.combine_copies) layout_.combine_copies();
  if (zero_) zero_->reduce_scatter_gradients();
  // The gradients this rank updates: all of its parameters', or its ZeRO-1 shard.
  const std::vector<Parameter*>& updated = zero_ ? zero_->shard() : parameters_;
  if (loss_scaler_ || clip_gradient_ > 0) {
    double sum_of_squares = gradient_sum_of_squares(updated);
    if (layout_.norm_group != nullptr) sum_of_squares = allreduce_value(*layout_.norm_group, sum_of_squares, ReduceOp::sum);
    if (loss_scaler_) {
      const double scale = loss_scaler_->scale();
      if (!loss_scaler_->unscale_gradients(updated, sum_of_squares)) return false;
      sum_of_squares /= scale * scale;
    }
    if (clip_gradient_ > 0) clip_gradients_to_norm(updated, std::sqrt(sum_of_squares), clip_gradient_);
  }
  if (zero_) {
    zero_->step(learning_rate);
  } else {
    optimizer_->step(learning_rate);
  }
  return true;
}

bool ParameterUpdate::backward_and_step(Module& model, Saved& saved, Tensor loss_gradient, float learning_rate) {
  begin_step();
  if (loss_scaler_) loss_scaler_->scale_loss_gradient(loss_gradient);
  model.backward(loss_gradient, saved);
  return finish_step(learning_rate);
}

std::size_t ParameterUpdate::optimizer_state_bytes() const {
  return zero_ ? zero_->state_bytes() : optimizer_->state_bytes();
}

namespace {
constexpr const char* kStatePrefix = "optimizer/";
}  // namespace

void ParameterUpdate::save_state(ModelFile& checkpoint) const {
  if (zero_) {
    zero_->save_state(checkpoint, kStatePrefix);
  } else {
    optimizer_->save_state(checkpoint, kStatePrefix);
  }
  if (loss_scaler_) loss_scaler_->save_state(checkpoint, kStatePrefix);
}

void ParameterUpdate::load_state(const ModelFile& checkpoint) {
  if (zero_) {
    zero_->load_state(checkpoint, kStatePrefix);
  } else {
    optimizer_->load_state(checkpoint, kStatePrefix);
  }
  if (loss_scaler_) loss_scaler_->load_state(checkpoint, kStatePrefix);
}

}  // namespace tern
