// Learning-rate schedules, a function of the optimizer step t = 0, 1, 2, ...:
//   constant  lr(t) = lr₀
//   step      lr(t) = lr₀ · factor^⌊t / step_size⌋
//   cosine    lr(t) = lr_min + ½ (lr₀ - lr_min)(1 + cos(π · min(t, T) / T)),  T = total steps
// Any of them can start with a linear warmup: lr(t) · (t + 1) / warmup_steps for t < warmup.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace tern {

struct LearningRateSchedule {
  enum class Kind { constant, step, cosine };
  Kind kind = Kind::constant;
  double base_rate = 0.01;
  std::int64_t step_size = 1;   // step: steps between decays
  double factor = 0.1;          // step: multiplier per decay
  std::int64_t total_steps = 1; // cosine: T
  double min_rate = 0.0;        // cosine: lr_min
  std::int64_t warmup_steps = 0;

  double rate_at(std::int64_t step) const;
};

// "constant", "step", "cosine" -> Kind; throws on anything else.
LearningRateSchedule::Kind parse_learning_rate_schedule(const std::string& name);

}  // namespace tern
