#include "core/optim/learning_rate_schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace tern {
namespace {

TEST(LearningRateSchedule, Constant) {
  LearningRateSchedule schedule{.base_rate = 0.1};
  EXPECT_DOUBLE_EQ(schedule.rate_at(0), 0.1);
  EXPECT_DOUBLE_EQ(schedule.rate_at(1000), 0.1);
}

TEST(LearningRateSchedule, StepDecaysEveryStepSize) {
  LearningRateSchedule schedule{.kind = LearningRateSchedule::Kind::step, .base_rate = 1.0, .step_size = 10, .factor = 0.5};
  EXPECT_DOUBLE_EQ(schedule.rate_at(9), 1.0);
  EXPECT_DOUBLE_EQ(schedule.rate_at(10), 0.5);
  EXPECT_DOUBLE_EQ(schedule.rate_at(25), 0.25);
}

TEST(LearningRateSchedule, CosineGoesFromBaseToMin) {
  LearningRateSchedule schedule{
      .kind = LearningRateSchedule::Kind::cosine, .base_rate = 1.0, .total_steps = 100, .min_rate = 0.1};
  EXPECT_DOUBLE_EQ(schedule.rate_at(0), 1.0);
  EXPECT_NEAR(schedule.rate_at(50), 0.55, 1e-12);
  EXPECT_NEAR(schedule.rate_at(25), 0.1 + 0.45 * (1 + std::cos(std::numbers::pi / 4)), 1e-12);
  EXPECT_DOUBLE_EQ(schedule.rate_at(100), 0.1);
  EXPECT_DOUBLE_EQ(schedule.rate_at(500), 0.1);
}

TEST(LearningRateSchedule, LinearWarmupScalesTheFirstSteps) {
  LearningRateSchedule schedule{.base_rate = 0.2, .warmup_steps = 4};
  EXPECT_DOUBLE_EQ(schedule.rate_at(0), 0.05);
  EXPECT_DOUBLE_EQ(schedule.rate_at(3), 0.2);
  EXPECT_DOUBLE_EQ(schedule.rate_at(4), 0.2);
  EXPECT_THROW(parse_learning_rate_schedule("exponential"), Error);
}

}  // namespace
}  // namespace tern
