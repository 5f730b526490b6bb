#include "core/algorithms/linear_losses.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"

namespace tern {

namespace {

const std::map<std::string, LinearLossKind>& loss_names() {
  static const std::map<std::string, LinearLossKind> names = {
      {"logistic", LinearLossKind::logistic},
      {"hinge_loss", LinearLossKind::hinge},
      {"squared_loss", LinearLossKind::squared},
      {"absolute_loss", LinearLossKind::absolute},
      {"eps_insensitive_squared_loss", LinearLossKind::eps_insensitive_squared},
      {"eps_insensitive_absolute_loss", LinearLossKind::eps_insensitive_absolute},
      {"quantile_loss", LinearLossKind::quantile},
      {"huber_loss", LinearLossKind::huber},
      {"softmax_loss", LinearLossKind::softmax},
  };
  return names;
}

double sign(double x) { return static_cast<double>(x > 0) - static_cast<double>(x < 0); }

// log(1 + e^z) without overflow.
double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

}  // namespace

LinearLossKind parse_linear_loss(const std::string& name) {
  const auto found = loss_names().find(name);
  TERN_CHECK(found != loss_names().end(), "unknown loss '", name, "'");
  return found->second;
}

std::string linear_loss_name(LinearLossKind kind) {
  for (const auto& [name, value] : loss_names())
    if (value == kind) return name;
  return "?";
}

double loss_value(const LinearLoss& loss, double z, double y) {
  const double r = z - y;
  switch (loss.kind) {
    case LinearLossKind::logistic: return softplus(z) - y * z;
    case LinearLossKind::hinge: return std::max(0.0, loss.margin - (2 * y - 1) * z);
    case LinearLossKind::squared: return 0.5 * r * r;
    case LinearLossKind::absolute: return std::abs(r);
    case LinearLossKind::eps_insensitive_squared: {
      const double excess = std::max(0.0, std::abs(r) - loss.insensitivity);
      return 0.5 * excess * excess;
    }
    case LinearLossKind::eps_insensitive_absolute: return std::max(0.0, std::abs(r) - loss.insensitivity);
    case LinearLossKind::quantile: return std::max(-loss.quantile * r, (1 - loss.quantile) * r);
    case LinearLossKind::huber:
      return std::abs(r) <= loss.huber_delta ? 0.5 * r * r : loss.huber_delta * (std::abs(r) - 0.5 * loss.huber_delta);
    case LinearLossKind::softmax: break;
  }
  throw Error("loss_value: softmax_loss has several outputs");
}

double loss_derivative(const LinearLoss& loss, double z, double y) {
  const double r = z - y;
  switch (loss.kind) {
    case LinearLossKind::logistic: return 1.0 / (1.0 + std::exp(-z)) - y;
    case LinearLossKind::hinge: {
      const double t = 2 * y - 1;
      return t * z < loss.margin ? -t : 0.0;
    }
    case LinearLossKind::squared: return r;
    case LinearLossKind::absolute: return sign(r);
    case LinearLossKind::eps_insensitive_squared: return sign(r) * std::max(0.0, std::abs(r) - loss.insensitivity);
    case LinearLossKind::eps_insensitive_absolute: return std::abs(r) > loss.insensitivity ? sign(r) : 0.0;
    case LinearLossKind::quantile: return r < 0 ? -loss.quantile : r > 0 ? 1 - loss.quantile : 0.0;
    case LinearLossKind::huber: return std::clamp(r, -loss.huber_delta, loss.huber_delta);
    case LinearLossKind::softmax: break;
  }
  throw Error("loss_derivative: softmax_loss has several outputs");
}

namespace {
// log Σ_c e^{z_c}, shifted by the largest z so that no exponential overflows.
double log_sum_exp(const float* z, int classes) {
  const double largest = *std::max_element(z, z + classes);
  double sum = 0.0;
  for (int c = 0; c < classes; ++c) sum += std::exp(z[c] - largest);
  return largest + std::log(sum);
}
}  // namespace

double softmax_loss(const float* z, int classes, int y, float* gradient) {
  const double log_sum = log_sum_exp(z, classes);
  if (gradient) {
    for (int c = 0; c < classes; ++c)
      gradient[c] = static_cast<float>(std::exp(z[c] - log_sum) - (c == y ? 1.0 : 0.0));
  }
  return log_sum - z[y];
}

void softmax(const float* z, int classes, float* probabilities) {
  const double log_sum = log_sum_exp(z, classes);
  for (int c = 0; c < classes; ++c) probabilities[c] = static_cast<float>(std::exp(z[c] - log_sum));
}

}  // namespace tern
