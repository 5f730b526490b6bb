// The factorization machine's score against its definition (all pairs ⟨v_i, v_j⟩ x_i x_j),
// and its gradient against central finite differences of the score.
#include "core/algorithms/factorization_machines.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random/random.h"
#include "kernels/common/philox.h"

namespace tern {
namespace {

FactorizationMachine random_machine(std::int64_t features, std::int64_t k) {
  FactorizationMachine fm;
  fm.num_factors = k;
  fm.bias = 0.3f;
  for (std::int64_t i = 0; i < features; ++i)
    fm.linear.push_back(kernels::philox_uniform(1, static_cast<std::uint64_t>(i), stream_id("test.fm")) - 0.5f);
  for (std::int64_t i = 0; i < features * k; ++i)
    fm.factors.push_back(kernels::philox_uniform(2, static_cast<std::uint64_t>(i), stream_id("test.fm")) - 0.5f);
  return fm;
}

const std::vector<std::int64_t> kIndices = {1, 4, 5, 9};
const std::vector<float> kValues = {1.0f, -0.5f, 2.0f, 0.75f};

TEST(FactorizationMachine, ScoreIsTheSumOverPairs) {
  const FactorizationMachine fm = random_machine(10, 3);
  double expected = fm.bias;
  for (std::size_t a = 0; a < kIndices.size(); ++a) {
    expected += fm.linear[static_cast<std::size_t>(kIndices[a])] * kValues[a];
    for (std::size_t b = a + 1; b < kIndices.size(); ++b) {
      double dot = 0;
      for (std::int64_t f = 0; f < 3; ++f)
        dot += double(fm.factors[static_cast<std::size_t>(kIndices[a] * 3 + f)]) * fm.factors[static_cast<std::size_t>(kIndices[b] * 3 + f)];
      expected += dot * kValues[a] * kValues[b];
    }
  }
  EXPECT_NEAR(fm.score(kIndices, kValues), expected, 1e-6);
}

TEST(FactorizationMachine, GradientMatchesFiniteDifferences) {
  FactorizationMachine fm = random_machine(10, 3);
  std::vector<double> sums(3);
  fm.score(kIndices, kValues, sums.data());
  std::vector<float> rows(10 * 4, 0.0f);
  const double g = 1.7;  // ∂ℓ/∂ŷ
  fm.add_gradient(kIndices, kValues, sums.data(), g, [&](std::int64_t i) { return rows.data() + i * 4; });
  const double h = 1e-3;
  const auto difference = [&](float& parameter) {
    const float saved = parameter;
    parameter = saved + static_cast<float>(h);
    const double up = fm.score(kIndices, kValues);
    parameter = saved - static_cast<float>(h);
    const double down = fm.score(kIndices, kValues);
    parameter = saved;
    return g * (up - down) / (2 * h);
  };
  for (const std::int64_t i : kIndices) {
    EXPECT_NEAR(rows[static_cast<std::size_t>(i * 4)], difference(fm.linear[static_cast<std::size_t>(i)]), 1e-4) << i;
    for (std::int64_t f = 0; f < 3; ++f)
      EXPECT_NEAR(rows[static_cast<std::size_t>(i * 4 + 1 + f)], difference(fm.factors[static_cast<std::size_t>(i * 3 + f)]), 1e-4)
          << i << ", " << f;
  }
  EXPECT_EQ(rows[0], 0.0f);  // feature 0 is not in the row
}

}  // namespace
}  // namespace tern
