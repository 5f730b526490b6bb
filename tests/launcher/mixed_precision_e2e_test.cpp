// Mixed precision on the real data set, on the CPU (which rounds GEMM inputs exactly as the GPU
// does, without its speed): bf16 and f16 runs of the main job's MLP must reach the f32 run's
// test accuracy, and an f16 run that starts from a far too large loss scale must skip the
// overflowing steps, settle on a working scale and still converge.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "tests/launcher/fashion_mnist_run.h"

namespace tern {
namespace {

using testing::FashionMnistRun;
using testing::train_fashion_mnist;

constexpr int kEpochs = 2;

TEST(MixedPrecisionE2E, Bf16AndF16ReachTheF32AccuracyOnFashionMnist) {
  TERN_REQUIRE_REAL_DATA(testing::real_data("fashion-mnist/train.h5"));
  testing::ScratchFolder scratch;
  testing::expect_mixed_precision_reaches_f32_accuracy(scratch, kEpochs, "");
}

TEST(MixedPrecisionE2E, F16SkipsOverflowingStepsAndLowersTheLossScale) {
  TERN_REQUIRE_REAL_DATA(testing::real_data("fashion-mnist/train.h5"));
  testing::ScratchFolder scratch;
  // 2^40: the scaled loss gradient overflows f16 until the scale has halved about 25 times.
  const FashionMnistRun run = train_fashion_mnist(scratch, "f16", kEpochs,
                                                  "--hp precision=f16 --hp loss_scale=1099511627776 --hp log_interval=1");
  ASSERT_EQ(run.command.exit_code, 0) << run.command.output;
  EXPECT_GE(run.test_accuracy, 0.85);
  // The first logged scales fall by halves, then the run goes on at a scale that works.
  std::istringstream lines(testing::read_text(run.job / "metrics.jsonl"));
  std::string line;
  std::vector<double> scales;
  while (std::getline(lines, line)) {
    const auto record = nlohmann::json::parse(line);
    if (record.at("name") == "train:loss_scale") scales.push_back(record.at("value").get<double>());
  }
  ASSERT_GT(scales.size(), 100u);
  EXPECT_EQ(scales.front(), std::exp2(39.0));  // after step 0 overflowed
  EXPECT_LT(scales.back(), std::exp2(30.0));
  EXPECT_GE(scales.back(), 1.0);
  const std::string log = testing::read_text(run.job / "logs" / "rank-0.log");
  EXPECT_NE(log.find("steps skipped for f16 overflow"), std::string::npos) << log;
}

TEST(MixedPrecisionE2E, LossScaleWithoutF16IsRejected) {
  TERN_REQUIRE_REAL_DATA(testing::real_data("fashion-mnist/train.h5"));
  testing::ScratchFolder scratch;
  const FashionMnistRun run = train_fashion_mnist(scratch, "bf16", 1, "--hp precision=bf16 --hp loss_scale=1024");
  EXPECT_NE(run.command.exit_code, 0);
  EXPECT_NE(run.command.output.find("apply to precision f16 only"), std::string::npos) << run.command.output;
}

}  // namespace
}  // namespace tern
