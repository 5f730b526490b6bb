#include "core/optim/parameter_update.h"

#include "core/optim/gradient_clipping.h"

namespace tern {

ParameterUpdate::ParameterUpdate(Optimizer& optimizer, GradientAveraging* averaging,
                                 std::optional<LossScalingConfig> loss_scaling, float clip_gradient)
    : optimizer_(optimizer), averaging_(averaging), clip_gradient_(clip_gradient) {
  if (loss_scaling) loss_scaler_.emplace(*loss_scaling);
}

bool ParameterUpdate::backward_and_step(Module& model, Saved& saved, Tensor loss_gradient, float learning_rate) {
  zero_grads(optimizer_.parameters());
  if (loss_scaler_) loss_scaler_->scale_loss_gradient(loss_gradient);
  model.backward(loss_gradient, saved);
  if (averaging_ != nullptr) averaging_->finish_step();
  if (loss_scaler_ && !loss_scaler_->unscale_gradients(optimizer_.parameters())) return false;
  if (clip_gradient_ > 0) clip_gradients_by_global_norm(optimizer_.parameters(), clip_gradient_);
  optimizer_.step(learning_rate);
  return true;
}

}  // namespace tern
