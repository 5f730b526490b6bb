// The CUDA conversions to and from bf16 and f16 against the CPU's, bit for bit: every 16-bit
// pattern widened, and random values of every magnitude (with zeros, infinities, NaN, f16's
// overflow and underflow edges) rounded, in awkward counts. Skips without a CUDA device.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/cpu/half_precision.h"
#include "kernels/cuda/half_precision.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {

// Names the format in test names and failure messages.
void PrintTo(HalfFormat format, std::ostream* out) { *out << (format == HalfFormat::bf16 ? "bf16" : "f16"); }

namespace {

using testing::DeviceArray;

// Values spread over the whole f32 range, with the edge cases at the front.
std::vector<float> values_of_every_magnitude(std::int64_t count, std::uint32_t seed) {
  std::vector<float> values = {0.0f, -0.0f, 1.0f, 65504.0f, 65519.0f, 65520.0f, 0x1p-24f, 0x1p-25f, 0x1.8p-25f,
                               std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min()};
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> exponents(-140, 127);
  std::uniform_real_distribution<float> fractions(-2.0f, 2.0f);
  while (static_cast<std::int64_t>(values.size()) < count) values.push_back(std::ldexp(fractions(generator), exponents(generator)));
  values.resize(static_cast<std::size_t>(count));
  return values;
}

// NaN patterns may differ in payload between the two libraries; any NaN matches any NaN.
bool same_half(HalfFormat format, std::uint16_t a, std::uint16_t b) {
  const std::uint16_t exponent_mask = format == HalfFormat::bf16 ? 0x7F80 : 0x7C00;
  const auto is_nan = [&](std::uint16_t bits) {
    return (bits & exponent_mask) == exponent_mask && (bits & ~exponent_mask & 0x7FFF) != 0;
  };
  return a == b || (is_nan(a) && is_nan(b));
}

class HalfConversionGpu : public ::testing::TestWithParam<HalfFormat> {};

TEST_P(HalfConversionGpu, RoundsEveryValueToTheSameBitsAsTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  const HalfFormat format = GetParam();
  for (const std::int64_t count : testing::kAwkwardCounts) {
    SCOPED_TRACE(::testing::Message() << "count " << count);
    const std::vector<float> values = values_of_every_magnitude(count, static_cast<std::uint32_t>(count));
    std::vector<std::uint16_t> expected(values.size());
    cpu::to_half(format, values.data(), expected.data(), count);
    DeviceArray<float> x(values);
    DeviceArray<std::uint16_t> bits(count);  // poisoned: 0xFFFF, a NaN pattern, unless written
    cuda::to_half(format, x.data(), bits.data(), count, nullptr);
    const std::vector<std::uint16_t> actual = bits.to_host();
    std::int64_t mismatches = 0;
    for (std::size_t i = 0; i < values.size(); ++i) mismatches += !same_half(format, expected[i], actual[i]);
    EXPECT_EQ(mismatches, 0);
  }
}

TEST_P(HalfConversionGpu, WidensEveryPatternToTheSameValueAsTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  const HalfFormat format = GetParam();
  std::vector<std::uint16_t> patterns(1 << 16);
  for (std::size_t i = 0; i < patterns.size(); ++i) patterns[i] = static_cast<std::uint16_t>(i);
  const auto count = static_cast<std::int64_t>(patterns.size());
  std::vector<float> expected(patterns.size());
  cpu::from_half(format, patterns.data(), expected.data(), count);
  DeviceArray<std::uint16_t> bits(patterns);
  DeviceArray<float> x(count);
  cuda::from_half(format, bits.data(), x.data(), count, nullptr);
  const std::vector<float> actual = x.to_host();
  std::int64_t mismatches = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i)
    mismatches += !(expected[i] == actual[i] || (std::isnan(expected[i]) && std::isnan(actual[i])));
  EXPECT_EQ(mismatches, 0);
}

INSTANTIATE_TEST_SUITE_P(Formats, HalfConversionGpu, ::testing::Values(HalfFormat::bf16, HalfFormat::f16));

}  // namespace
}  // namespace tern::kernels
