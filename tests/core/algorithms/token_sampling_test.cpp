// Next-token sampling: greedy at temperature 0, the draw by cumulative probability (checked
// against probabilities computed here), the top-k cut, and the temperature's effect.
#include "core/algorithms/token_sampling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"

namespace tern {
namespace {

const std::vector<float> kLogits = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f};

TEST(SampleToken, TemperatureZeroIsTheFirstLargestLogit) {
  for (const float u : {0.0f, 0.5f, 0.999f}) EXPECT_EQ(sample_token(kLogits, {.temperature = 0.0f}, u), 1);
}

// With u swept over [0, 1), each token is drawn for a share of u equal to its probability.
TEST(SampleToken, DrawsEachTokenWithItsSoftmaxProbability) {
  double total = 0;
  for (const float z : kLogits) total += std::exp(z);
  std::vector<int> draws(kLogits.size(), 0);
  const int sweeps = 100000;
  for (int i = 0; i < sweeps; ++i) ++draws[sample_token(kLogits, {.temperature = 1.0f}, (i + 0.5f) / sweeps)];
  for (std::size_t t = 0; t < kLogits.size(); ++t)
    EXPECT_NEAR(draws[t] / double(sweeps), std::exp(kLogits[t]) / total, 1e-4) << "token " << t;
}

TEST(SampleToken, TopKKeepsOnlyTheLargestLogits) {
  std::vector<int> draws(kLogits.size(), 0);
  for (int i = 0; i < 1000; ++i) ++draws[sample_token(kLogits, {.temperature = 1.0f, .top_k = 3}, i / 1000.0f)];
  EXPECT_EQ(draws[0], 0);
  EXPECT_EQ(draws[2], 0);
  EXPECT_GT(draws[4], 0);  // the third largest
  EXPECT_NEAR(draws[1], draws[3], 2);  // equal logits, equal shares
}

TEST(SampleToken, AHighTemperatureFlattensALowOneSharpens) {
  const auto share_of_token_2 = [](float temperature) {
    int draws = 0;
    for (int i = 0; i < 10000; ++i) draws += sample_token(kLogits, {.temperature = temperature}, i / 10000.0f) == 2;
    return draws / 10000.0;
  };
  EXPECT_GT(share_of_token_2(10.0f), 0.15);
  EXPECT_LT(share_of_token_2(0.2f), 1e-3);
}

TEST(SampleToken, RejectsBadSettings) {
  EXPECT_THROW(sample_token(kLogits, {.temperature = -1.0f}, 0.5f), Error);
  EXPECT_THROW(sample_token(kLogits, {.temperature = 1.0f, .top_k = -2}, 0.5f), Error);
  EXPECT_THROW(sample_token(std::vector<float>{}, {}, 0.5f), Error);
}

}  // namespace
}  // namespace tern
