// The second half of every training step, after the loss, the same for every gradient-trained
// algorithm (mlp, gpt):
//   begin_step()            zero the gradients;
//   backward                the caller's: one backward from the loss gradient (times
//                           loss_gradient_scale(), the loss scale with f16), or one per
//                           micro-batch of a pipeline, the gradients accumulating;
//   finish_step(rate)       the average over data-parallel ranks (or, with ZeRO-1, the
//                           reduce-scatter that leaves each rank the average of its shard); the
//                           sum of the gradients of parameter copies (a tied embedding on two
//                           pipeline stages); one global sum of squares of the gradients, over
//                           every rank that holds a part of them (tp and pp ranks, and dp ranks
//                           with ZeRO-1), which decides both whether an f16 step overflowed
//                           (loss_scaler.h: then the step is skipped) and the clipping to a
//                           global norm; one optimizer step.
// Every rank of a model replica reaches the same decisions, because they come from the same
// allreduced number.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "core/comm.h"
#include "core/optim/gradient_averaging.h"
#include "core/optim/loss_scaler.h"
#include "core/optim/optimizer.h"
#include "core/optim/zero_redundancy_optimizer.h"

namespace tern {

// How this rank's gradients relate to other ranks'.
struct UpdateLayout {
  // Plain data parallelism: averages the gradients over the data-parallel group (null: one replica).
  GradientAveraging* averaging = nullptr;
  // ZeRO-1 over this data-parallel group instead (then `averaging` is null).
  Communicator* zero_group = nullptr;
  // The ranks over which the gradients' sums of squares add up to the model's (null: this rank alone).
  Communicator* norm_group = nullptr;
  // Sums the gradients of parameter copies, after the averaging.
  std::function<void()> combine_copies;
};

class ParameterUpdate {
 public:
  // clip_gradient 0 clips nothing; `loss_scaling` is given for f16 only.
  ParameterUpdate(std::vector<Parameter*> parameters, const OptimizerConfig& optimizer, const UpdateLayout& layout,
                  std::optional<LossScalingConfig> loss_scaling, float clip_gradient);

  // Rank 0 of the data-parallel group's values to the others, so that every replica starts equal.
  void broadcast_parameters();
  void begin_step();
  // What backward's starting gradient is multiplied by: the f16 loss scale, else 1.
  float loss_gradient_scale() const;
  // The update at `learning_rate`, after the step's backward. Returns false when an f16
  // overflow skipped it.
  bool finish_step(float learning_rate);
  // begin_step, backward through `model` (whose forward filled `saved`) from `loss_gradient`
  // (scaled in place), finish_step.
  bool backward_and_step(Module& model, Saved& saved, Tensor loss_gradient, float learning_rate);

  // The f16 loss scaler, or null.
  const DynamicLossScaler* loss_scaler() const { return loss_scaler_ ? &*loss_scaler_ : nullptr; }
  // Bytes of this rank's optimizer state (a 1/dp shard with ZeRO-1).
  std::size_t optimizer_state_bytes() const;
  // This rank's optimizer state and f16 loss scale, for its checkpoint file ("optimizer/...").
  void save_state(ModelFile& checkpoint) const;
  void load_state(const ModelFile& checkpoint);

 private:
  std::vector<Parameter*> parameters_;
  UpdateLayout layout_;
  std::unique_ptr<Optimizer> optimizer_;                  // without ZeRO-1
  std::unique_ptr<ZeroRedundancyOptimizer> zero_;         // with ZeRO-1
  std::optional<DynamicLossScaler> loss_scaler_;
  float clip_gradient_;
};

}  // namespace tern
