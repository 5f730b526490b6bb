#include "core/optim/learning_rate_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"

namespace tern {

LearningRateSchedule::Kind parse_learning_rate_schedule(const std::string& name) {
  if (name == "constant") return LearningRateSchedule::Kind::constant;
  if (name == "step") return LearningRateSchedule::Kind::step;
  if (name == "cosine") return LearningRateSchedule::Kind::cosine;
  throw Error("unknown lr_scheduler '" + name + "' (expected constant, step or cosine)");
}

double LearningRateSchedule::rate_at(std::int64_t step) const {
  double rate = base_rate;
  switch (kind) {
    case Kind::constant: break;
    case Kind::step: rate = base_rate * std::pow(factor, static_cast<double>(step / step_size)); break;
    case Kind::cosine: {
      const double progress = static_cast<double>(std::min(step, total_steps)) / static_cast<double>(total_steps);
      rate = min_rate + 0.5 * (base_rate - min_rate) * (1.0 + std::cos(std::numbers::pi * progress));
      break;
    }
  }
  if (step < warmup_steps) rate *= static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  return rate;
}

}  // namespace tern
