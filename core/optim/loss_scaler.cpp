#include "core/optim/loss_scaler.h"

#include <cmath>

#include "core/backend/backend.h"
#include "core/optim/gradient_clipping.h"

namespace tern {

namespace {
constexpr double kSmallestScale = 0x1p-24, kLargestScale = 0x1p64;
}  // namespace

DynamicLossScaler::DynamicLossScaler(const LossScalingConfig& config)
    : scale_(std::exp2(std::round(std::log2(config.initial_scale)))), growth_interval_(config.growth_interval) {
  TERN_CHECK(config.initial_scale > 0 && std::isfinite(config.initial_scale), "loss scale must be positive, got ",
             config.initial_scale);
  TERN_CHECK(scale_ >= kSmallestScale && scale_ <= kLargestScale, "loss scale ", config.initial_scale,
             " is outside [2^-24, 2^64]");
  TERN_CHECK(growth_interval_ >= 1, "loss scale growth interval must be at least 1, got ", growth_interval_);
}

void DynamicLossScaler::scale_loss_gradient(Tensor& gradient) const {
  backend_for(gradient.device()).scale(gradient.device_data<float>(), static_cast<float>(scale_), gradient.numel());
}

bool DynamicLossScaler::unscale_gradients(const std::vector<Parameter*>& parameters) {
  return unscale_gradients(parameters, gradient_sum_of_squares(parameters));
}

bool DynamicLossScaler::unscale_gradients(const std::vector<Parameter*>& parameters, double gradient_sum_of_squares) {
  if (!std::isfinite(gradient_sum_of_squares)) {
    ++skipped_steps_;
    clean_steps_ = 0;
    TERN_CHECK(scale_ / 2 >= kSmallestScale, "f16 gradients are still inf or NaN at loss scale ", scale_,
               ": the model diverged (try a lower learning_rate, clip_gradient, or precision bf16)");
    scale_ /= 2;
    return false;
  }
  const auto inverse = static_cast<float>(1.0 / scale_);
  for (Parameter* parameter : parameters)
    backend_for(parameter->grad.device()).scale(parameter->grad.device_data<float>(), inverse, parameter->grad.numel());
  if (++clean_steps_ == growth_interval_) {
    clean_steps_ = 0;
    scale_ *= 2;
  }
  return true;
}

void DynamicLossScaler::save_state(ModelFile& checkpoint, const std::string& prefix) const {
  checkpoint.attributes[prefix + "loss_scale"] = scale_;
  checkpoint.attributes[prefix + "loss_scale_clean_steps"] = clean_steps_;
  checkpoint.attributes[prefix + "loss_scale_skipped_steps"] = skipped_steps_;
}

void DynamicLossScaler::load_state(const ModelFile& checkpoint, const std::string& prefix) {
  TERN_CHECK(checkpoint.attributes.contains(prefix + "loss_scale"), "checkpoint: no loss scale under '", prefix, "'");
  scale_ = checkpoint.attributes.at(prefix + "loss_scale").get<double>();
  clean_steps_ = checkpoint.attributes.at(prefix + "loss_scale_clean_steps").get<std::int64_t>();
  skipped_steps_ = checkpoint.attributes.at(prefix + "loss_scale_skipped_steps").get<std::int64_t>();
}

}  // namespace tern
