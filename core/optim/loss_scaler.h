// Dynamic loss scaling for f16 mixed precision (as torch.amp.GradScaler). f16 flushes values
// below 6e-8 to zero, where many gradients of a mean loss lie, so backward starts from the loss
// gradient times a scale S (a power of two), which lifts every gradient by S on the way down;
// before the update the gradients are divided by S again (exactly: S is a power of two). If S
// was so large that a gradient overflowed f16 (inf or NaN), the step is skipped and S halves;
// after `growth_interval` clean steps in a row S doubles, so S stays near the largest value
// that does not overflow.
//
// With data parallelism the check runs on the averaged gradients: an inf or NaN on any rank
// makes the average inf or NaN on every rank whatever the order of additions, so all ranks
// skip the same steps without a collective of their own.
#pragma once

#include <cstdint>
#include <vector>

#include "core/io/model_file.h"
#include "core/nn/module.h"

namespace tern {

struct LossScalingConfig {
  double initial_scale = 65536.0;     // 2^16, GradScaler's default; rounded to a power of two
  std::int64_t growth_interval = 2000;  // clean steps before S doubles
};

class DynamicLossScaler {
 public:
  explicit DynamicLossScaler(const LossScalingConfig& config);

  double scale() const { return scale_; }
  // The scale and its counters as checkpoint attributes "<prefix>loss_scale", ...
  void save_state(ModelFile& checkpoint, const std::string& prefix) const;
  void load_state(const ModelFile& checkpoint, const std::string& prefix);
  std::int64_t skipped_steps() const { return skipped_steps_; }

  // gradient ← S · gradient: the loss gradient that backward starts from (in place).
  void scale_loss_gradient(Tensor& gradient) const;

  // After backward (and gradient averaging): when every gradient is finite, divides them by S
  // and returns true; otherwise leaves them, halves S and returns false (skip this step).
  // Throws when S has fallen below 2^-24 and the gradients are still not finite: then it is
  // the model that diverged, not f16 that overflowed.
  bool unscale_gradients(const std::vector<Parameter*>& parameters);
  // The same, the finiteness judged from the gradients' sum of squares over every rank that
  // holds a part of them (an inf or NaN anywhere makes it inf or NaN), so that all skip alike.
  bool unscale_gradients(const std::vector<Parameter*>& parameters, double gradient_sum_of_squares);

 private:
  double scale_;
  std::int64_t growth_interval_;
  std::int64_t clean_steps_ = 0;
  std::int64_t skipped_steps_ = 0;
};

}  // namespace tern
