// Dynamic loss scaling: exact unscaling (powers of two), skipping and halving on inf or NaN with
// the gradients left untouched, doubling after the growth interval, and the error when even
// the smallest scale overflows.
#include "core/optim/loss_scaler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace tern {
namespace {

struct TwoParameters {
  Parameter a{"a", {3}};
  Parameter b{"b", {2}};
  std::vector<Parameter*> list() { return {&a, &b}; }
};

TEST(DynamicLossScaler, ScalesTheLossGradientAndUnscalesTheParameterGradientsExactly) {
  DynamicLossScaler scaler({.initial_scale = 1024, .growth_interval = 100});
  Tensor loss_gradient = Tensor::from_values({2}, std::vector<float>{0.25f, -3.0f});
  scaler.scale_loss_gradient(loss_gradient);
  EXPECT_EQ(loss_gradient.data<float>()[0], 256.0f);
  EXPECT_EQ(loss_gradient.data<float>()[1], -3072.0f);

  TwoParameters parameters;
  parameters.a.grad = Tensor::from_values({3}, std::vector<float>{1024.0f * 0.1f, -7.0f, 0.0f});
  parameters.b.grad = Tensor::from_values({2}, std::vector<float>{3e-3f, 5e4f});
  EXPECT_TRUE(scaler.unscale_gradients(parameters.list()));
  EXPECT_EQ(parameters.a.grad.data<float>()[0], 1024.0f * 0.1f / 1024.0f);
  EXPECT_EQ(parameters.a.grad.data<float>()[1], -7.0f / 1024.0f);
  EXPECT_EQ(parameters.b.grad.data<float>()[1], 5e4f / 1024.0f);
  EXPECT_EQ(scaler.scale(), 1024.0);
  EXPECT_EQ(scaler.skipped_steps(), 0);
}

TEST(DynamicLossScaler, SkipsAStepWithInfOrNanAndHalvesTheScale) {
  DynamicLossScaler scaler({.initial_scale = 65536, .growth_interval = 100});
  for (const float bad : {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    TwoParameters parameters;
    parameters.a.grad = Tensor::from_values({3}, std::vector<float>{1.0f, 2.0f, 3.0f});
    parameters.b.grad = Tensor::from_values({2}, std::vector<float>{4.0f, bad});
    EXPECT_FALSE(scaler.unscale_gradients(parameters.list()));
    EXPECT_EQ(parameters.a.grad.data<float>()[2], 3.0f);  // left as they were
  }
  EXPECT_EQ(scaler.scale(), 16384.0);
  EXPECT_EQ(scaler.skipped_steps(), 2);
}

TEST(DynamicLossScaler, DoublesAfterTheGrowthIntervalOfCleanStepsInARow) {
  DynamicLossScaler scaler({.initial_scale = 8, .growth_interval = 3});
  const auto clean_step = [&] {
    TwoParameters parameters;
    return scaler.unscale_gradients(parameters.list());
  };
  EXPECT_TRUE(clean_step());
  EXPECT_TRUE(clean_step());
  EXPECT_EQ(scaler.scale(), 8.0);
  EXPECT_TRUE(clean_step());
  EXPECT_EQ(scaler.scale(), 16.0);
  // An overflow restarts the count: two clean steps after it do not double yet.
  TwoParameters overflowed;
  overflowed.a.grad.fill(std::numeric_limits<float>::infinity());
  EXPECT_FALSE(scaler.unscale_gradients(overflowed.list()));
  EXPECT_EQ(scaler.scale(), 8.0);
  EXPECT_TRUE(clean_step());
  EXPECT_TRUE(clean_step());
  EXPECT_EQ(scaler.scale(), 8.0);
  EXPECT_TRUE(clean_step());
  EXPECT_EQ(scaler.scale(), 16.0);
}

TEST(DynamicLossScaler, RoundsTheInitialScaleToAPowerOfTwo) {
  EXPECT_EQ(DynamicLossScaler({.initial_scale = 1000}).scale(), 1024.0);
  EXPECT_EQ(DynamicLossScaler({.initial_scale = 0.3}).scale(), 0.25);
  EXPECT_THROW(DynamicLossScaler({.initial_scale = 0}), Error);
  EXPECT_THROW(DynamicLossScaler({.initial_scale = 1e30}), Error);
  EXPECT_THROW(DynamicLossScaler({.initial_scale = 4, .growth_interval = 0}), Error);
}

TEST(DynamicLossScaler, GradientsThatStayNanAtTheSmallestScaleAreAnError) {
  DynamicLossScaler scaler({.initial_scale = 0x1p-22});
  TwoParameters diverged;
  diverged.b.grad.fill(std::numeric_limits<float>::quiet_NaN());
  EXPECT_FALSE(scaler.unscale_gradients(diverged.list()));  // 2^-22 -> 2^-23
  EXPECT_FALSE(scaler.unscale_gradients(diverged.list()));  // 2^-23 -> 2^-24
  try {
    scaler.unscale_gradients(diverged.list());
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("diverged"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace tern
