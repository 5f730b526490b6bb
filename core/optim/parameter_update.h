// The second half of every training step, after the loss, the same for every gradient-trained
// algorithm (mlp, gpt):
//   zero the gradients; backward from the loss gradient (times the loss scale with f16); the
//   average over data-parallel ranks; with f16, unscale the gradients, or skip the step when
//   they overflowed (loss_scaler.h); clip them to their global norm; one optimizer step.
#pragma once

#include <optional>

#include "core/optim/gradient_averaging.h"
#include "core/optim/loss_scaler.h"
#include "core/optim/optimizer.h"

namespace tern {

class ParameterUpdate {
 public:
  // `averaging` may be null (one rank); `loss_scaling` is given for f16 only; clip_gradient 0
  // clips nothing.
  ParameterUpdate(Optimizer& optimizer, GradientAveraging* averaging, std::optional<LossScalingConfig> loss_scaling,
                  float clip_gradient);

  // Backward through `model` (whose forward filled `saved`) from `loss_gradient`, then the
  // update at `learning_rate`. Returns false when an f16 overflow skipped the update.
  bool backward_and_step(Module& model, Saved& saved, Tensor loss_gradient, float learning_rate);

  // The f16 loss scaler, or null.
  const DynamicLossScaler* loss_scaler() const { return loss_scaler_ ? &*loss_scaler_ : nullptr; }

 private:
  Optimizer& optimizer_;
  GradientAveraging* averaging_;
  std::optional<DynamicLossScaler> loss_scaler_;
  float clip_gradient_;
};

}  // namespace tern
