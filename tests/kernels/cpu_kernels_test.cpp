// The CPU kernels against plain reference loops written here (naive triple-loop GEMM,
// textbook formulas), on sizes that do not divide the vector width or the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/common/loss_math.h"
#include "kernels/common/philox.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/loss.h"

namespace tern::kernels {
namespace {

std::vector<float> random_values(std::size_t count, std::uint64_t stream) {
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = 2.0f * philox_uniform(3, i, stream) - 1.0f;
  return values;
}

class GemmTest : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(GemmTest, MatchesNaiveLoopForEveryTransposeCombination) {
  const auto [transpose_a, transpose_b] = GetParam();
  const std::int64_t m = 37, n = 19, k = 53;
  const auto a = random_values(m * k, 1), b = random_values(k * n, 2);
  auto c = random_values(m * n, 3);
  std::vector<double> expected(c.size());
  const float alpha = 0.5f, beta = 2.0f;
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::int64_t p = 0; p < k; ++p) {
        const double a_ip = transpose_a ? a[p * m + i] : a[i * k + p];
        const double b_pj = transpose_b ? b[j * k + p] : b[p * n + j];
        sum += a_ip * b_pj;
      }
      expected[i * n + j] = alpha * sum + beta * c[i * n + j];
    }
  }
  cpu::gemm(transpose_a ? Transpose::yes : Transpose::no, transpose_b ? Transpose::yes : Transpose::no,
            m, n, k, alpha, a.data(), transpose_a ? m : k, b.data(), transpose_b ? k : n, beta, c.data(), n);
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_NEAR(c[i], expected[i], 1e-4) << i;
}

INSTANTIATE_TEST_SUITE_P(Transposes, GemmTest, ::testing::Combine(::testing::Bool(), ::testing::Bool()));

TEST(ColumnSums, AccumulateInRowOrder) {
  const std::int64_t rows = 301, cols = 67;
  const auto x = random_values(rows * cols, 4);
  std::vector<float> sums(cols, 1.0f);
  cpu::accumulate_column_sums(x.data(), sums.data(), rows, cols);
  for (std::int64_t c = 0; c < cols; ++c) {
    float expected = 1.0f;
    for (std::int64_t r = 0; r < rows; ++r) expected += x[r * cols + c];
    EXPECT_EQ(sums[c], expected) << "column " << c;  // same order of additions: bit-identical
  }
}

TEST(BiasActivation, IsTheActivationOfTheBiasedValue) {
  const std::int64_t rows = 301, cols = 67;
  const auto x = random_values(rows * cols, 6), bias = random_values(cols, 7);
  for (Activation kind : {Activation::identity, Activation::relu, Activation::sigmoid, Activation::tanh,
                          Activation::gelu}) {
    auto y = x;
    cpu::bias_activation_forward(kind, y.data(), bias.data(), rows, cols);
    for (std::int64_t i = 0; i < rows * cols; ++i) {
      ASSERT_EQ(y[i], activation_forward(kind, x[i] + bias[i % cols])) << "activation " << static_cast<int>(kind)
                                                                         << ", element " << i;
    }
  }
}

TEST(Activations, MatchTextbookFormulas) {
  for (float x : {-3.0f, -0.5f, 0.25f, 2.0f}) {
    EXPECT_FLOAT_EQ(activation_forward(Activation::sigmoid, x), 1.0f / (1.0f + std::exp(-x)));
    EXPECT_FLOAT_EQ(activation_forward(Activation::tanh, x), std::tanh(x));
    EXPECT_FLOAT_EQ(activation_forward(Activation::relu, x), std::max(x, 0.0f));
    const double gelu = 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    EXPECT_NEAR(activation_forward(Activation::gelu, x), gelu, 1e-6);
  }
  EXPECT_EQ(sigmoid(-100.0f), sigmoid(-100.0f));  // no NaN from overflow
  EXPECT_GT(sigmoid(-80.0f), 0.0f);
}

// A label that names no class marks its row (loss kInvalidLabelLoss, zero gradient) without
// touching the other rows; the integer part of a label in range is its class.
TEST(SoftmaxCrossEntropy, MarksRowsWhoseLabelNamesNoClass) {
  const std::int64_t classes = 3;
  const std::vector<float> labels = {1.0f, -1.0f, 3.0f, std::nanf(""), 2.5f};
  const auto rows = static_cast<std::int64_t>(labels.size());
  const auto logits = random_values(static_cast<std::size_t>(rows * classes), 9);
  std::vector<float> row_loss(labels.size()), dlogits(logits.size(), 7.0f);
  cpu::softmax_cross_entropy(logits.data(), labels.data(), rows, classes, 1.0f, row_loss.data(), dlogits.data());
  for (const std::int64_t bad : {1, 2, 3}) {
    EXPECT_EQ(row_loss[bad], kInvalidLabelLoss) << "row " << bad;
    for (std::int64_t c = 0; c < classes; ++c) EXPECT_EQ(dlogits[bad * classes + c], 0.0f) << "row " << bad;
  }
  for (const std::int64_t good : {0, 4}) {
    const float* z = logits.data() + good * classes;
    const double log_sum_exp = std::log(std::exp(double{z[0]}) + std::exp(double{z[1]}) + std::exp(double{z[2]}));
    const int target = good == 0 ? 1 : 2;
    EXPECT_NEAR(row_loss[good], log_sum_exp - z[target], 1e-5) << "row " << good;
  }
}

// The row losses and the gradient of a vocabulary-parallel softmax cross-entropy over logits
// [rows × vocab] split into column shards of the given widths, each shard run by the three
// shard kernels and combined on the host as the allreduces over the tensor-parallel group
// would: the max of the shards' row_max, then the sums of their sum_exp and target_logit
// recomputed with that max. The shards' gradients are concatenated back into rows × vocab.
struct CrossEntropyResult {
  std::vector<float> row_loss;
  std::vector<float> dlogits;
};

CrossEntropyResult vocabulary_parallel_cross_entropy(const std::vector<float>& logits, const std::vector<float>& labels,
                                                     std::int64_t vocab, const std::vector<std::int64_t>& widths,
                                                     float grad_scale) {
  const auto rows = static_cast<std::int64_t>(labels.size());
  const std::size_t shard_count = widths.size();
  std::vector<std::int64_t> first_classes(shard_count, 0);
  for (std::size_t s = 1; s < shard_count; ++s) first_classes[s] = first_classes[s - 1] + widths[s - 1];
  std::vector<std::vector<float>> shards(shard_count);
  for (std::size_t s = 0; s < shard_count; ++s) {
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto row = logits.begin() + r * vocab + first_classes[s];
      shards[s].insert(shards[s].end(), row, row + widths[s]);
    }
  }
  std::vector<float> row_max(rows, -INFINITY), sum_exp(rows, 0.0f), target_logit(rows, 0.0f);
  for (std::size_t s = 0; s < shard_count; ++s) {  // allreduce max
    std::vector<float> shard_row_max(rows);
    cpu::row_max(shards[s].data(), rows, widths[s], shard_row_max.data());
    for (std::int64_t r = 0; r < rows; ++r) row_max[r] = std::max(row_max[r], shard_row_max[r]);
  }
  for (std::size_t s = 0; s < shard_count; ++s) {  // allreduce sum
    std::vector<float> shard_sum_exp(rows), shard_target_logit(rows);
    cpu::softmax_partial_sums(shards[s].data(), labels.data(), rows, widths[s], first_classes[s], row_max.data(),
                              shard_sum_exp.data(), shard_target_logit.data());
    for (std::int64_t r = 0; r < rows; ++r) {
      sum_exp[r] += shard_sum_exp[r];
      target_logit[r] += shard_target_logit[r];
    }
  }
  CrossEntropyResult result{std::vector<float>(rows), std::vector<float>(logits.size())};
  for (std::int64_t r = 0; r < rows; ++r) result.row_loss[r] = log_sum_exp(row_max[r], sum_exp[r]) - target_logit[r];
  for (std::size_t s = 0; s < shard_count; ++s) {
    std::vector<float> shard_dlogits(shards[s].size());
    cpu::softmax_cross_entropy_shard_gradient(shards[s].data(), labels.data(), rows, widths[s], first_classes[s],
                                              row_max.data(), sum_exp.data(), grad_scale, shard_dlogits.data());
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto row = shard_dlogits.begin() + r * widths[s];
      std::copy(row, row + widths[s], result.dlogits.begin() + r * vocab + first_classes[s]);
    }
  }
  return result;
}

// |candidate - reference| ≤ tolerance · |reference| element by element.
template <typename Reference>
void expect_relatively_near(const std::vector<Reference>& reference, const std::vector<float>& candidate,
                            double tolerance) {
  ASSERT_EQ(reference.size(), candidate.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const double expected = static_cast<double>(reference[i]);
    EXPECT_LE(std::abs(candidate[i] - expected), tolerance * std::abs(expected)) << "element " << i;
  }
}

// Shards of 4 and 6 columns, and one shard of all 10, against the fused kernel and against
// ℓ = log Σ_c e^(z_c) - z_y and grad_scale · (p_c - [c = y]) in double.
TEST(SoftmaxCrossEntropy, VocabularyParallelShardsMatchTheFusedKernelAndTheFormula) {
  const std::int64_t rows = 7, vocab = 10;
  const float grad_scale = 0.25f;
  const auto logits = random_values(static_cast<std::size_t>(rows * vocab), 10);
  const std::vector<float> labels = {0.0f, 3.0f, 4.0f, 9.0f, 5.0f, 3.0f, 7.0f};
  std::vector<float> fused_row_loss(rows), fused_dlogits(logits.size());
  cpu::softmax_cross_entropy(logits.data(), labels.data(), rows, vocab, grad_scale, fused_row_loss.data(),
                             fused_dlogits.data());
  std::vector<double> formula_row_loss(rows), formula_dlogits(logits.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    double sum = 0.0;
    for (std::int64_t c = 0; c < vocab; ++c) sum += std::exp(double{logits[r * vocab + c]});
    const auto target = static_cast<std::int64_t>(labels[r]);
    formula_row_loss[r] = std::log(sum) - logits[r * vocab + target];
    for (std::int64_t c = 0; c < vocab; ++c) {
      const double probability = std::exp(double{logits[r * vocab + c]}) / sum;
      formula_dlogits[r * vocab + c] = grad_scale * (probability - (c == target ? 1.0 : 0.0));
    }
  }
  for (const std::vector<std::int64_t>& widths : {std::vector<std::int64_t>{4, 6}, std::vector<std::int64_t>{10}}) {
    SCOPED_TRACE(::testing::Message() << widths.size() << " shards");
    const CrossEntropyResult sharded = vocabulary_parallel_cross_entropy(logits, labels, vocab, widths, grad_scale);
    expect_relatively_near(fused_row_loss, sharded.row_loss, 1e-6);
    expect_relatively_near(fused_dlogits, sharded.dlogits, 1e-6);
    expect_relatively_near(formula_row_loss, sharded.row_loss, 1e-6);
    expect_relatively_near(formula_dlogits, sharded.dlogits, 1e-6);
  }
}

TEST(Softmax, RowsSumToOneAndMatchTheFormula) {
  const std::int64_t rows = 5, classes = 7;
  const auto logits = random_values(rows * classes, 5);
  std::vector<float> probabilities(logits.size());
  cpu::softmax(logits.data(), rows, classes, probabilities.data());
  for (std::int64_t r = 0; r < rows; ++r) {
    double denominator = 0;
    for (std::int64_t c = 0; c < classes; ++c) denominator += std::exp(logits[r * classes + c]);
    for (std::int64_t c = 0; c < classes; ++c)
      EXPECT_NEAR(probabilities[r * classes + c], std::exp(logits[r * classes + c]) / denominator, 1e-6);
  }
}

TEST(Philox, MatchesTheKnownAnswersOfRandom123) {
  // Philox4x32-10 known-answer tests from Random123 (kat_vectors): counter, key -> output.
  const PhiloxBlock zeros = philox4x32(0, 0, 0);
  EXPECT_EQ(zeros.word[0], 0x6627e8d5u);
  EXPECT_EQ(zeros.word[1], 0xe169c58du);
  EXPECT_EQ(zeros.word[2], 0xbc57ac4cu);
  EXPECT_EQ(zeros.word[3], 0x9b00dbd8u);
  const PhiloxBlock ones = philox4x32(~0ull, ~0ull, ~0ull);
  EXPECT_EQ(ones.word[0], 0x408f276du);
  EXPECT_EQ(ones.word[1], 0x41c83b0eu);
  EXPECT_EQ(ones.word[2], 0xa20bc7c6u);
  EXPECT_EQ(ones.word[3], 0x6d5451fdu);
}

TEST(Philox, IsAPureFunctionOfSeedIndexAndStream) {
  EXPECT_EQ(philox4x32(1, 2, 3).word[0], philox4x32(1, 2, 3).word[0]);
  EXPECT_NE(philox4x32(1, 2, 3).word[0], philox4x32(1, 2, 4).word[0]);
  EXPECT_NE(philox4x32(1, 2, 3).word[0], philox4x32(2, 2, 3).word[0]);
  // The mean of many uniforms is close to 1/2.
  double sum = 0;
  for (std::uint64_t i = 0; i < 100000; ++i) sum += philox_uniform(9, i, 0);
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

}  // namespace
}  // namespace tern::kernels
