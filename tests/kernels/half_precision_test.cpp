// The CPU's bf16/f16 conversions and half GEMM against definitions written here: the bit
// layouts decoded by hand, known encodings, round-to-nearest-even checked against the two
// neighbouring 16-bit values, and a naive double-precision GEMM of the decoded inputs.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/half_precision.h"

namespace tern::kernels {

// Names the format in test names and failure messages.
void PrintTo(HalfFormat format, std::ostream* out) { *out << (format == HalfFormat::bf16 ? "bf16" : "f16"); }

namespace {

std::uint16_t to_bits(HalfFormat format, float x) {
  std::uint16_t bits = 0;
  cpu::to_half(format, &x, &bits, 1);
  return bits;
}

float from_bits(HalfFormat format, std::uint16_t bits) {
  float x = 0;
  cpu::from_half(format, &bits, &x, 1);
  return x;
}

// The value of a 16-bit pattern by the formats' definitions: bf16 is the top half of an f32;
// f16 has 5 exponent bits (bias 15) and 10 fraction bits, subnormal below exponent 1.
double decode(HalfFormat format, std::uint16_t bits) {
  if (format == HalfFormat::bf16) return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
  const double sign = (bits & 0x8000) != 0 ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1F;
  const int fraction = bits & 0x3FF;
  if (exponent == 0x1F) return fraction == 0 ? sign * INFINITY : NAN;
  if (exponent == 0) return sign * std::ldexp(fraction, -24);
  return sign * std::ldexp(1024 + fraction, exponent - 25);
}

bool is_nan_pattern(HalfFormat format, std::uint16_t bits) { return std::isnan(decode(format, bits)); }

class HalfConversion : public ::testing::TestWithParam<HalfFormat> {};

TEST_P(HalfConversion, WideningGivesTheDefinedValueOfEveryPattern) {
  const HalfFormat format = GetParam();
  for (std::uint32_t pattern = 0; pattern <= 0xFFFF; ++pattern) {
    const auto bits = static_cast<std::uint16_t>(pattern);
    const double expected = decode(format, bits);
    const float widened = from_bits(format, bits);
    if (std::isnan(expected)) {
      ASSERT_TRUE(std::isnan(widened)) << "pattern " << pattern;
    } else {
      ASSERT_EQ(static_cast<double>(widened), expected) << "pattern " << pattern;
      ASSERT_EQ(to_bits(format, widened), bits) << "round trip of pattern " << pattern;
    }
  }
}

// x rounds to r when no other 16-bit value is nearer, and a tie goes to the even pattern.
// The nearest candidates are r's neighbours: the patterns one above and one below.
TEST_P(HalfConversion, RoundsToTheNearestValueTiesToEven) {
  const HalfFormat format = GetParam();
  std::mt19937 generator(11);
  std::uniform_int_distribution<int> exponents(format == HalfFormat::f16 ? -27 : -130, format == HalfFormat::f16 ? 15 : 126);
  std::uniform_real_distribution<double> fractions(1.0, 2.0);
  for (int sample = 0; sample < 200000; ++sample) {
    const float x = static_cast<float>((sample % 2 == 0 ? 1 : -1) * std::ldexp(fractions(generator), exponents(generator)));
    const std::uint16_t rounded = to_bits(format, x);
    const double value = decode(format, rounded);
    ASSERT_FALSE(std::isnan(value)) << x;
    const double error = std::abs(static_cast<double>(x) - value);
    for (const int step : {-1, 1}) {
      const auto neighbour = static_cast<std::uint16_t>(rounded + step);
      if (is_nan_pattern(format, neighbour) || ((neighbour ^ rounded) & 0x8000) != 0) continue;
      const double neighbour_error = std::abs(static_cast<double>(x) - decode(format, neighbour));
      if (std::isinf(value)) continue;  // overflow is checked below
      ASSERT_LE(error, neighbour_error) << "x = " << x << " rounded to pattern " << rounded;
      if (error == neighbour_error) {
        ASSERT_EQ(rounded % 2, 0) << "tie at x = " << x << " not rounded to even";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, HalfConversion, ::testing::Values(HalfFormat::bf16, HalfFormat::f16));

TEST(HalfConversion, KnownEncodings) {
  EXPECT_EQ(to_bits(HalfFormat::bf16, 1.0f), 0x3F80);
  EXPECT_EQ(to_bits(HalfFormat::bf16, -2.0f), 0xC000);
  EXPECT_EQ(to_bits(HalfFormat::bf16, 1.0f + 0x1p-8f), 0x3F80);         // tie: down to even
  EXPECT_EQ(to_bits(HalfFormat::bf16, 1.0f + 3 * 0x1p-8f), 0x3F82);     // tie: up to even
  EXPECT_EQ(to_bits(HalfFormat::bf16, 1e30f), 0x714A);                  // f32's range survives
  EXPECT_EQ(to_bits(HalfFormat::bf16, INFINITY), 0x7F80);
  EXPECT_EQ(to_bits(HalfFormat::f16, 1.0f), 0x3C00);
  EXPECT_EQ(to_bits(HalfFormat::f16, -2.0f), 0xC000);
  EXPECT_EQ(to_bits(HalfFormat::f16, 1.0f + 0x1p-11f), 0x3C00);
  EXPECT_EQ(to_bits(HalfFormat::f16, 1.0f + 3 * 0x1p-11f), 0x3C02);
  EXPECT_EQ(to_bits(HalfFormat::f16, 65504.0f), 0x7BFF);                // the largest f16
  EXPECT_EQ(to_bits(HalfFormat::f16, 65520.0f), 0x7C00);                // overflows to inf
  EXPECT_EQ(to_bits(HalfFormat::f16, -1e6f), 0xFC00);
  EXPECT_EQ(to_bits(HalfFormat::f16, 0x1p-24f), 0x0001);                // the smallest subnormal
  EXPECT_EQ(to_bits(HalfFormat::f16, 0x1p-26f), 0x0000);                // underflows to zero
  for (const HalfFormat format : {HalfFormat::bf16, HalfFormat::f16}) {
    EXPECT_TRUE(std::isnan(from_bits(format, to_bits(format, std::numeric_limits<float>::quiet_NaN()))));
  }
}

class HalfGemm : public ::testing::TestWithParam<std::tuple<HalfFormat, bool, bool>> {};

TEST_P(HalfGemm, MatchesNaiveDoubleGemmOfTheDecodedInputs) {
  const auto [format, transpose_a, transpose_b] = GetParam();
  const std::int64_t m = 37, n = 19, k = 53, padding = 3;
  const std::int64_t a_rows = transpose_a ? k : m, a_cols = transpose_a ? m : k, lda = a_cols + padding;
  const std::int64_t b_rows = transpose_b ? n : k, b_cols = transpose_b ? k : n, ldb = b_cols + padding;
  std::mt19937 generator(5);
  std::uniform_real_distribution<float> uniform(-4.0f, 4.0f);
  const auto random_bits = [&](std::int64_t count) {
    std::vector<std::uint16_t> bits(static_cast<std::size_t>(count));
    for (auto& b : bits) b = to_bits(format, uniform(generator));
    return bits;
  };
  const std::vector<std::uint16_t> a = random_bits(a_rows * lda), b = random_bits(b_rows * ldb);
  std::vector<float> c(static_cast<std::size_t>(m * n));
  for (float& value : c) value = uniform(generator);
  const float alpha = 0.5f, beta = -1.5f;
  std::vector<double> expected(c.size());
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (std::int64_t p = 0; p < k; ++p) {
        const double a_ip = decode(format, transpose_a ? a[p * lda + i] : a[i * lda + p]);
        const double b_pj = decode(format, transpose_b ? b[j * ldb + p] : b[p * ldb + j]);
        sum += a_ip * b_pj;
      }
      expected[i * n + j] = alpha * sum + beta * c[i * n + j];
    }
  }
  cpu::gemm_half(format, transpose_a ? Transpose::yes : Transpose::no, transpose_b ? Transpose::yes : Transpose::no, m,
                 n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), n);
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_NEAR(c[i], expected[i], 1e-3) << i;
}

INSTANTIATE_TEST_SUITE_P(FormatsAndTransposes, HalfGemm,
                         ::testing::Combine(::testing::Values(HalfFormat::bf16, HalfFormat::f16), ::testing::Bool(),
                                            ::testing::Bool()));

}  // namespace
}  // namespace tern::kernels
