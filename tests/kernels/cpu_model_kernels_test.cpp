// The CPU kernels of model layers and optimizer steps against references written here: the
// causal softmax against the formula in double, LayerNorm
// forward against the formula in double and its backward against central differences, the
// embedding against plain loops (repeated ids included) and its vocabulary shards against the
// whole table, the multi-tensor optimizer step and
// global sum of squares against their one-tensor forms. Results must not depend on the thread
// count, so the accumulating kernels are also run on 1 and 3 threads and compared bit for bit.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernels/common/philox.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/layernorm.h"
#include "kernels/cpu/optimizer.h"
#include "kernels/cpu/reduction.h"
#include "tests/kernels/optimizer_configs.h"

namespace tern::kernels {
namespace {

// Uniform floats in [low, high), a pure function of (stream, index).
std::vector<float> uniform_values(std::int64_t count, std::uint64_t stream, float low = -1.0f, float high = 1.0f) {
  std::vector<float> values(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = low + (high - low) * philox_uniform(11, i, stream);
  return values;
}

// ‖candidate - reference‖ / ‖reference‖
double relative_error(const std::vector<double>& reference, const std::vector<float>& candidate) {
  double difference = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    difference += (reference[i] - candidate[i]) * (reference[i] - candidate[i]);
    norm += reference[i] * reference[i];
  }
  return std::sqrt(difference) / std::max(std::sqrt(norm), 1e-30);
}

// Runs body on `threads` OpenMP threads and restores the previous count.
void with_threads(int threads, const std::function<void()>& body) {
  const int previous = omp_get_max_threads();
  omp_set_num_threads(threads);
  body();
  omp_set_num_threads(previous);
}

constexpr float kEpsilon = 1e-5f;

struct LayerNormShape {
  std::int64_t rows;
  std::int64_t features;
};

TEST(LayerNorm, ForwardMatchesTheFormulaInDouble) {
  const std::vector<LayerNormShape> shapes = {{1, 1}, {7, 33}, {64, 769}};
  for (const auto [rows, features] : shapes) {
    SCOPED_TRACE(::testing::Message() << rows << " x " << features);
    // An offset far from zero checks that the variance is not taken as E[x²] - E[x]².
    const auto x = uniform_values(rows * features, 1, 99.0f, 101.0f);
    const auto gamma = uniform_values(features, 2), beta = uniform_values(features, 3);
    std::vector<float> y(x.size()), mean(rows), rstd(rows);
    cpu::layernorm_forward(x.data(), gamma.data(), beta.data(), rows, features, kEpsilon, y.data(), mean.data(),
                           rstd.data());
    for (std::int64_t r = 0; r < rows; ++r) {
      double row_mean = 0.0, variance = 0.0;
      for (std::int64_t c = 0; c < features; ++c) row_mean += x[r * features + c];
      row_mean /= static_cast<double>(features);
      for (std::int64_t c = 0; c < features; ++c) variance += std::pow(x[r * features + c] - row_mean, 2);
      variance /= static_cast<double>(features);
      const double row_rstd = 1.0 / std::sqrt(variance + kEpsilon);
      EXPECT_NEAR(mean[r], row_mean, 1e-5 * std::abs(row_mean)) << "row " << r;
      EXPECT_NEAR(rstd[r], row_rstd, 1e-4 * row_rstd) << "row " << r;
      for (std::int64_t c = 0; c < features; ++c) {
        const double expected = (x[r * features + c] - row_mean) * row_rstd * gamma[c] + beta[c];
        EXPECT_NEAR(y[r * features + c], expected, 2e-4) << "row " << r << ", feature " << c;
      }
    }
  }
}

// Central differences of objective() with respect to every element of values.
std::vector<double> numeric_gradient(std::vector<float>& values, const std::function<double()>& objective) {
  constexpr float kStep = 1e-3f;
  std::vector<double> gradient(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float original = values[i];
    values[i] = original + kStep;
    const double plus = objective();
    values[i] = original - kStep;
    gradient[i] = (plus - objective()) / (2.0 * kStep);
    values[i] = original;
  }
  return gradient;
}

TEST(LayerNorm, BackwardMatchesCentralDifferences) {
  const std::int64_t rows = 5, features = 13;
  auto x = uniform_values(rows * features, 4, -2.0f, 2.0f);
  auto gamma = uniform_values(features, 5), beta = uniform_values(features, 6);
  const auto projection = uniform_values(rows * features, 7);  // L = Σ projection ⊙ y
  std::vector<float> y(x.size()), mean(rows), rstd(rows);
  const auto objective = [&] {
    cpu::layernorm_forward(x.data(), gamma.data(), beta.data(), rows, features, kEpsilon, y.data(), mean.data(),
                           rstd.data());
    double sum = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) sum += static_cast<double>(projection[i]) * y[i];
    return sum;
  };
  objective();
  // dx is overwritten, so it starts as garbage; dγ and dβ accumulate onto what they hold.
  std::vector<float> dx(x.size(), 1e6f);
  const auto dgamma_before = uniform_values(features, 8), dbeta_before = uniform_values(features, 9);
  std::vector<float> dgamma = dgamma_before, dbeta = dbeta_before;
  cpu::layernorm_backward(projection.data(), x.data(), gamma.data(), mean.data(), rstd.data(), rows, features,
                          dx.data(), dgamma.data(), dbeta.data());
  for (std::int64_t c = 0; c < features; ++c) {
    dgamma[c] -= dgamma_before[c];
    dbeta[c] -= dbeta_before[c];
  }
  constexpr double kTolerance = 2e-3;  // float round-off of the differences (see gradient_check.h)
  EXPECT_LT(relative_error(numeric_gradient(x, objective), dx), kTolerance);
  EXPECT_LT(relative_error(numeric_gradient(gamma, objective), dgamma), kTolerance);
  EXPECT_LT(relative_error(numeric_gradient(beta, objective), dbeta), kTolerance);
}

TEST(LayerNorm, BackwardDoesNotDependOnTheThreadCount) {
  const std::int64_t rows = 301, features = 257;
  const auto x = uniform_values(rows * features, 10), dy = uniform_values(rows * features, 11);
  const auto gamma = uniform_values(features, 12), beta = uniform_values(features, 13);
  std::vector<float> y(x.size()), mean(rows), rstd(rows);
  cpu::layernorm_forward(x.data(), gamma.data(), beta.data(), rows, features, kEpsilon, y.data(), mean.data(),
                         rstd.data());
  std::vector<std::vector<float>> results;
  for (const int threads : {1, 3}) {
    std::vector<float> dx(x.size()), dgamma(features, 0.5f), dbeta(features, 0.5f);
    with_threads(threads, [&] {
      cpu::layernorm_backward(dy.data(), x.data(), gamma.data(), mean.data(), rstd.data(), rows, features, dx.data(),
                              dgamma.data(), dbeta.data());
    });
    dx.insert(dx.end(), dgamma.begin(), dgamma.end());
    dx.insert(dx.end(), dbeta.begin(), dbeta.end());
    results.push_back(dx);
  }
  EXPECT_EQ(results[0], results[1]);
}

TEST(Embedding, ForwardAndBackwardMatchPlainLoopsWithRepeatedIds) {
  const std::int64_t table_rows = 11, features = 37;
  const std::vector<std::int32_t> ids = {3, 0, 10, 3, 7, 3, 0, 5, 10};
  const auto rows = static_cast<std::int64_t>(ids.size());
  const auto table = uniform_values(table_rows * features, 14), dy = uniform_values(rows * features, 15);
  std::vector<float> y(rows * features);
  cpu::embedding_forward(ids.data(), table.data(), rows, 0, table_rows, table_rows, features, y.data());
  std::vector<float> dtable = uniform_values(table_rows * features, 16), expected_dtable = dtable;
  cpu::embedding_backward(ids.data(), dy.data(), rows, 0, table_rows, features, dtable.data());
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < features; ++c) {
      EXPECT_EQ(y[r * features + c], table[ids[r] * features + c]) << "row " << r;
      expected_dtable[ids[r] * features + c] += dy[r * features + c];
    }
  }
  EXPECT_EQ(dtable, expected_dtable);  // each element adds its rows in row order, as here
}

TEST(Embedding, BackwardDoesNotDependOnTheThreadCount) {
  const std::int64_t rows = 2000, table_rows = 13, features = 65;
  std::vector<std::int32_t> ids(rows);
  for (std::int64_t r = 0; r < rows; ++r) ids[r] = static_cast<std::int32_t>((r * r) % table_rows);
  const auto dy = uniform_values(rows * features, 17);
  std::vector<std::vector<float>> results;
  for (const int threads : {1, 3}) {
    std::vector<float> dtable(table_rows * features, 0.0f);
    with_threads(threads,
                 [&] { cpu::embedding_backward(ids.data(), dy.data(), rows, 0, table_rows, features, dtable.data()); });
    results.push_back(dtable);
  }
  EXPECT_EQ(results[0], results[1]);
}

// A table of the vocabulary's rows [first_id, first_id + table_rows): its lookup is the whole
// table's on the ids it holds and zero on the others, two shards' lookups sum to the whole
// table's exactly (x + 0 = x), and its backward is the whole table's backward on its rows.
TEST(Embedding, AVocabularyShardIsTheWholeTableRestrictedToItsRows) {
  const std::int64_t vocab = 11, features = 37;
  const std::vector<std::int32_t> ids = {3, 0, 10, 3, 7, 4, 3, 0, 5, 10};
  const auto rows = static_cast<std::int64_t>(ids.size());
  const auto table = uniform_values(vocab * features, 19), dy = uniform_values(rows * features, 20);
  const auto initial_dtable = uniform_values(vocab * features, 21);
  std::vector<float> y(rows * features), dtable = initial_dtable;
  cpu::embedding_forward(ids.data(), table.data(), rows, 0, vocab, vocab, features, y.data());
  cpu::embedding_backward(ids.data(), dy.data(), rows, 0, vocab, features, dtable.data());

  std::vector<float> shard_sum(y.size(), 0.0f);
  for (const auto& [first_id, table_rows] : {std::pair<std::int64_t, std::int64_t>{0, 4}, {4, 7}}) {
    SCOPED_TRACE(::testing::Message() << "shard [" << first_id << ", " << first_id + table_rows << ")");
    const auto first_element = static_cast<std::ptrdiff_t>(first_id * features);
    const auto end_element = static_cast<std::ptrdiff_t>((first_id + table_rows) * features);
    const std::vector<float> shard_table(table.begin() + first_element, table.begin() + end_element);
    std::vector<float> shard_y(y.size(), 7.0f);
    cpu::embedding_forward(ids.data(), shard_table.data(), rows, first_id, table_rows, vocab, features,
                           shard_y.data());
    for (std::int64_t r = 0; r < rows; ++r) {
      const bool held = ids[r] >= first_id && ids[r] < first_id + table_rows;
      for (std::int64_t c = 0; c < features; ++c)
        EXPECT_EQ(shard_y[r * features + c], held ? y[r * features + c] : 0.0f) << "row " << r;
    }
    for (std::size_t i = 0; i < y.size(); ++i) shard_sum[i] += shard_y[i];

    std::vector<float> shard_dtable(initial_dtable.begin() + first_element, initial_dtable.begin() + end_element);
    cpu::embedding_backward(ids.data(), dy.data(), rows, first_id, table_rows, features, shard_dtable.data());
    EXPECT_EQ(shard_dtable, std::vector<float>(dtable.begin() + first_element, dtable.begin() + end_element));
  }
  EXPECT_EQ(shard_sum, y);
}

// The ids are checked against the vocabulary, not the shard: an id of another shard gives a zero
// row, and one outside [0, vocab) throws, naming it and its row, before anything is written.
TEST(Embedding, AnIdOutsideTheVocabularyThrowsNamingTheIdAndTheRowBeforeWriting) {
  const std::int64_t vocab = 6, first_id = 2, table_rows = 4, features = 3;
  const auto table = uniform_values(table_rows * features, 18);
  const std::vector<std::int32_t> held_and_other_ids = {5, 0, 2};
  std::vector<float> held_y(held_and_other_ids.size() * features, 7.0f);
  cpu::embedding_forward(held_and_other_ids.data(), table.data(), 3, first_id, table_rows, vocab, features,
                         held_y.data());
  for (std::int64_t c = 0; c < features; ++c) {
    EXPECT_EQ(held_y[c], table[(5 - first_id) * features + c]);
    EXPECT_EQ(held_y[features + c], 0.0f);
    EXPECT_EQ(held_y[2 * features + c], table[c]);
  }
  for (const std::int32_t bad_id : {6, -1}) {
    const std::vector<std::int32_t> ids = {2, 0, bad_id, 5};
    std::vector<float> y(ids.size() * features, 7.0f);
    try {
      cpu::embedding_forward(ids.data(), table.data(), 4, first_id, table_rows, vocab, features, y.data());
      ADD_FAILURE() << "no exception for id " << bad_id;
    } catch (const std::out_of_range& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("id " + std::to_string(bad_id)), std::string::npos) << message;
      EXPECT_NE(message.find("row 2"), std::string::npos) << message;
    }
    EXPECT_EQ(y, std::vector<float>(y.size(), 7.0f));
  }
}

// The backward adds only the rows whose ids the shard holds: other shards' ids and ids outside
// the vocabulary (which the forward has already refused) leave the table alone.
TEST(Embedding, BackwardSkipsTheIdsTheShardDoesNotHold) {
  const std::int64_t first_id = 2, table_rows = 4, features = 3;
  const std::vector<std::int32_t> ids = {2, 0, 9, -1, 5, 2};
  const auto rows = static_cast<std::int64_t>(ids.size());
  const auto dy = uniform_values(rows * features, 22);
  std::vector<float> dtable(table_rows * features, 0.0f), expected(dtable.size(), 0.0f);
  cpu::embedding_backward(ids.data(), dy.data(), rows, first_id, table_rows, features, dtable.data());
  for (const std::int64_t r : {0, 4, 5}) {
    for (std::int64_t c = 0; c < features; ++c) expected[(ids[r] - first_id) * features + c] += dy[r * features + c];
  }
  EXPECT_EQ(dtable, expected);
}

TEST(OptimizerUpdateMany, EqualsOneUpdatePerTensorBitForBit) {
  const std::vector<std::int64_t> counts = {5, 0, 1, 20000, 33};
  for (const OptimizerStepConfig& config : testing::every_optimizer_config()) {
    SCOPED_TRACE(::testing::Message() << "kind " << static_cast<int>(config.kind) << ", momentum " << config.momentum
                                      << ", nesterov " << config.nesterov);
    // [tensor][weights, grads, state_1, state_2], once for the list and once for single updates.
    std::vector<std::vector<std::vector<float>>> many, single;
    for (std::size_t t = 0; t < counts.size(); ++t) {
      many.push_back({uniform_values(counts[t], 4 * t), uniform_values(counts[t], 4 * t + 1),
                      uniform_values(counts[t], 4 * t + 2, 0.0f, 1.0f),
                      uniform_values(counts[t], 4 * t + 3, 0.0f, 1.0f)});
    }
    single = many;
    std::vector<OptimizerTensor> tensors;
    for (std::size_t t = 0; t < counts.size(); ++t) {
      tensors.push_back({many[t][0].data(), many[t][1].data(), many[t][2].data(), many[t][3].data(), counts[t]});
      cpu::optimizer_update(config, single[t][0].data(), single[t][1].data(), single[t][2].data(), single[t][3].data(),
                            counts[t]);
    }
    cpu::optimizer_update_many(config, tensors.data(), static_cast<int>(tensors.size()));
    EXPECT_EQ(many, single);
  }
}

TEST(SumOfSquaresMany, MatchesANaiveSumInDouble) {
  const std::vector<std::int64_t> counts = {0, 1, 7, 5000, 20001};
  std::vector<std::vector<float>> values;
  std::vector<const float*> arrays;
  double expected = 0.0;
  for (std::size_t a = 0; a < counts.size(); ++a) {
    values.push_back(uniform_values(counts[a], 20 + a));
    arrays.push_back(values.back().data());
    for (const float value : values.back()) expected += static_cast<double>(value) * value;
  }
  const double sum = cpu::sum_of_squares_many(arrays.data(), counts.data(), static_cast<int>(counts.size()));
  EXPECT_NEAR(sum, expected, 1e-12 * expected);
  EXPECT_EQ(cpu::sum_of_squares_many(arrays.data(), counts.data(), 0), 0.0);
}

// Row r of a stack of T×T score matrices is query position i = r mod T: p is the softmax of
// its first i + 1 scores, and 0 after them; the backward is the softmax's Jacobian-vector
// product, p ⊙ (dp - Σ p dp), and 0 above the diagonal.
TEST(CausalSoftmax, MatchesTheFormulaBelowTheDiagonalAndIsZeroAbove) {
  const std::int64_t time = 37, rows = 3 * time;
  const std::vector<float> scores = uniform_values(rows * time, 40, -6.0f, 6.0f);
  const std::vector<float> dprobabilities = uniform_values(rows * time, 41);
  std::vector<float> probabilities(scores.size()), dscores(scores.size(), 9.0f);
  cpu::causal_softmax_forward(scores.data(), rows, time, probabilities.data());
  cpu::causal_softmax_backward(probabilities.data(), dprobabilities.data(), rows, time, dscores.data());
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t i = r % time;
    const float* s = scores.data() + r * time;
    double largest = -1e300, total = 0, weighted = 0;
    for (std::int64_t j = 0; j <= i; ++j) largest = std::max<double>(largest, s[j]);
    for (std::int64_t j = 0; j <= i; ++j) total += std::exp(s[j] - largest);
    for (std::int64_t j = 0; j <= i; ++j)
      weighted += std::exp(s[j] - largest) / total * dprobabilities[static_cast<std::size_t>(r * time + j)];
    for (std::int64_t j = 0; j < time; ++j) {
      const auto at = static_cast<std::size_t>(r * time + j);
      const double p = j <= i ? std::exp(s[j] - largest) / total : 0.0;
      ASSERT_NEAR(probabilities[at], p, 1e-6) << "row " << r << " column " << j;
      ASSERT_NEAR(dscores[at], p * (dprobabilities[at] - weighted), 1e-6) << "row " << r << " column " << j;
    }
  }
}

}  // namespace
}  // namespace tern::kernels
