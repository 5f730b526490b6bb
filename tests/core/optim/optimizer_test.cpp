// Each optimizer's first steps against a hand computation of torch.optim's update rules
// (the formulas are in kernels/common/optimizer_math.h), on a single weight w = 1 with
// gradients 0.5 then -0.25.
#include "core/optim/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tern {
namespace {

struct OneWeight {
  Parameter parameter{"w", {1}};
  OneWeight() { parameter.value.fill(1.0f); }
  float step(Optimizer& optimizer, float gradient, float learning_rate) {
    parameter.grad.fill(gradient);
    optimizer.step(learning_rate);
    return parameter.value.data<float>()[0];
  }
};

TEST(Sgd, PlainStep) {
  OneWeight w;
  Optimizer sgd({.kind = OptimizerKind::sgd}, {&w.parameter});
  EXPECT_FLOAT_EQ(w.step(sgd, 0.5f, 0.1f), 1.0f - 0.05f);
}

TEST(Sgd, MomentumAndNesterov) {
  OneWeight heavy_ball, nesterov;
  Optimizer momentum({.kind = OptimizerKind::sgd, .momentum = 0.9f}, {&heavy_ball.parameter});
  Optimizer look_ahead({.kind = OptimizerKind::sgd, .momentum = 0.9f, .nesterov = true}, {&nesterov.parameter});
  // v1 = 0.5, w1 = 1 - 0.1·0.5; v2 = 0.9·0.5 - 0.25 = 0.2, w2 = w1 - 0.1·0.2
  EXPECT_FLOAT_EQ(heavy_ball.step(momentum, 0.5f, 0.1f), 0.95f);
  EXPECT_FLOAT_EQ(heavy_ball.step(momentum, -0.25f, 0.1f), 0.95f - 0.02f);
  // Nesterov: w1 = 1 - 0.1·(0.5 + 0.9·0.5); w2 = w1 - 0.1·(-0.25 + 0.9·0.2)
  EXPECT_FLOAT_EQ(nesterov.step(look_ahead, 0.5f, 0.1f), 1.0f - 0.095f);
  EXPECT_FLOAT_EQ(nesterov.step(look_ahead, -0.25f, 0.1f), 1.0f - 0.095f + 0.007f);
}

TEST(Sgd, L2AndL1AddToTheGradient) {
  OneWeight w;
  Optimizer sgd({.kind = OptimizerKind::sgd, .weight_decay = 0.1f, .l1 = 0.2f}, {&w.parameter});
  // g' = 0.5 + 0.1·1 + 0.2·sign(1) = 0.8
  EXPECT_FLOAT_EQ(w.step(sgd, 0.5f, 0.1f), 1.0f - 0.08f);
}

TEST(Adam, FirstTwoSteps) {
  OneWeight w;
  Optimizer adam({.kind = OptimizerKind::adam}, {&w.parameter});
  // Step 1: m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25; w -= 0.01 · 0.5 / (0.5 + 1e-8)
  const double w1 = 1.0 - 0.01 * 0.5 / (0.5 + 1e-8);
  EXPECT_NEAR(w.step(adam, 0.5f, 0.01f), w1, 1e-7);
  // Step 2: m = 0.9·0.05 + 0.1·(-0.25) = 0.02, v = 0.999·0.00025 + 0.001·0.0625
  const double m = 0.02, v = 0.999 * 0.00025 + 0.001 * 0.0625;
  const double m_hat = m / (1 - 0.81), v_hat = v / (1 - 0.999 * 0.999);
  EXPECT_NEAR(w.step(adam, -0.25f, 0.01f), w1 - 0.01 * m_hat / (std::sqrt(v_hat) + 1e-8), 1e-6);
}

TEST(AdamW, DecaysTheWeightDirectly) {
  OneWeight w;
  Optimizer adamw({.kind = OptimizerKind::adamw, .weight_decay = 0.1f}, {&w.parameter});
  // w -= lr · (m̂ / (√v̂ + ε) + wd · w) = 1 - 0.01 · (1 + 0.1)
  EXPECT_NEAR(w.step(adamw, 0.5f, 0.01f), 1.0 - 0.01 * (0.5 / (0.5 + 1e-8) + 0.1), 1e-7);
}

TEST(Adagrad, AccumulatesSquares) {
  OneWeight w;
  Optimizer adagrad({.kind = OptimizerKind::adagrad, .epsilon = 1e-10f}, {&w.parameter});
  // s = 0.25, w1 = 1 - 0.1·0.5/0.5; s = 0.3125, w2 = w1 + 0.1·0.25/√0.3125
  EXPECT_NEAR(w.step(adagrad, 0.5f, 0.1f), 0.9, 1e-7);
  EXPECT_NEAR(w.step(adagrad, -0.25f, 0.1f), 0.9 + 0.025 / std::sqrt(0.3125), 1e-6);
}

TEST(RmsProp, ExponentialAverageOfSquares) {
  OneWeight w;
  Optimizer rmsprop({.kind = OptimizerKind::rmsprop, .beta_2 = 0.99f, .epsilon = 1e-10f}, {&w.parameter});
  // s = 0.01·0.25 = 0.0025, w1 = 1 - 0.01·0.5/0.05
  EXPECT_NEAR(w.step(rmsprop, 0.5f, 0.01f), 0.9, 1e-6);
  const double s = 0.99 * 0.0025 + 0.01 * 0.0625;
  EXPECT_NEAR(w.step(rmsprop, -0.25f, 0.01f), 0.9 + 0.01 * 0.25 / std::sqrt(s), 1e-6);
}

TEST(Optimizer, UnknownNameIsAnError) {
  EXPECT_THROW(parse_optimizer("lbfgs"), Error);
  EXPECT_EQ(parse_optimizer("adamw"), OptimizerKind::adamw);
}

}  // namespace
}  // namespace tern
