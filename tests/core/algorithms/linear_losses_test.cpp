// linear-learner's losses: each derivative against a central finite difference of the loss at
// points away from its kinks, softmax_loss's gradient likewise, closed values at chosen points,
// and the names both ways.
#include "core/algorithms/linear_losses.h"

#include <gtest/gtest.h>

#include "core/error.h"

#include <cmath>
#include <vector>

namespace tern {
namespace {

const std::vector<LinearLossKind> kOneOutputLosses = {
    LinearLossKind::logistic,      LinearLossKind::hinge,    LinearLossKind::squared,
    LinearLossKind::absolute,      LinearLossKind::eps_insensitive_squared,
    LinearLossKind::eps_insensitive_absolute, LinearLossKind::quantile, LinearLossKind::huber};

TEST(LinearLosses, DerivativesMatchFiniteDifferences) {
  const double h = 1e-6;
  for (const LinearLossKind kind : kOneOutputLosses) {
    const LinearLoss loss{.kind = kind, .margin = 0.7, .insensitivity = 0.3, .quantile = 0.2, .huber_delta = 0.9};
    const bool classifier = kind == LinearLossKind::logistic || kind == LinearLossKind::hinge;
    for (const double y : classifier ? std::vector<double>{0.0, 1.0} : std::vector<double>{-1.3, 0.4, 2.0}) {
      for (double z = -3.05; z < 3.0; z += 0.37) {
        const double numeric = (loss_value(loss, z + h, y) - loss_value(loss, z - h, y)) / (2 * h);
        EXPECT_NEAR(loss_derivative(loss, z, y), numeric, 1e-6)
            << linear_loss_name(kind) << " at z = " << z << ", y = " << y;
      }
    }
  }
}

TEST(LinearLosses, ClosedValues) {
  const LinearLoss logistic{.kind = LinearLossKind::logistic};
  EXPECT_NEAR(loss_value(logistic, 0.0, 1.0), std::log(2.0), 1e-15);
  EXPECT_NEAR(loss_value(logistic, 800.0, 0.0), 800.0, 1e-9);  // no overflow
  EXPECT_NEAR(loss_value({.kind = LinearLossKind::hinge, .margin = 1.0}, 0.25, 1.0), 0.75, 1e-15);
  EXPECT_NEAR(loss_value({.kind = LinearLossKind::hinge, .margin = 1.0}, 0.25, 0.0), 1.25, 1e-15);
  EXPECT_NEAR(loss_value({.kind = LinearLossKind::quantile, .quantile = 0.9}, 1.0, 3.0), 1.8, 1e-15);  // under: τ|r|
  EXPECT_NEAR(loss_value({.kind = LinearLossKind::quantile, .quantile = 0.9}, 3.0, 1.0), 0.2, 1e-15);  // over: (1−τ)|r|
  EXPECT_NEAR(loss_value({.kind = LinearLossKind::huber, .huber_delta = 1.0}, 3.0, 0.0), 2.5, 1e-15);
  EXPECT_NEAR(loss_value({.kind = LinearLossKind::eps_insensitive_absolute, .insensitivity = 0.5}, 1.2, 1.0), 0.0, 0.0);
}

TEST(LinearLosses, SoftmaxGradientMatchesFiniteDifferences) {
  std::vector<float> z = {0.3f, -1.2f, 2.0f, 0.0f};
  std::vector<float> gradient(4);
  const double value = softmax_loss(z.data(), 4, 2, gradient.data());
  double sum = 0;
  for (const float zc : z) sum += std::exp(zc);
  EXPECT_NEAR(value, std::log(sum) - 2.0, 1e-6);
  for (int c = 0; c < 4; ++c) {
    std::vector<float> up = z, down = z;
    up[c] += 1e-2f;
    down[c] -= 1e-2f;
    const double numeric = (softmax_loss(up.data(), 4, 2, nullptr) - softmax_loss(down.data(), 4, 2, nullptr)) / 2e-2;
    EXPECT_NEAR(gradient[static_cast<std::size_t>(c)], numeric, 1e-4) << "class " << c;
  }
  std::vector<float> probabilities(4);
  softmax(z.data(), 4, probabilities.data());
  EXPECT_NEAR(probabilities[2], gradient[2] + 1.0f, 1e-6);
}

TEST(LinearLosses, NamesRoundTripAndUnknownNamesFail) {
  for (const LinearLossKind kind : kOneOutputLosses) EXPECT_EQ(parse_linear_loss(linear_loss_name(kind)), kind);
  EXPECT_THROW(parse_linear_loss("quadratic"), Error);
}

}  // namespace
}  // namespace tern
