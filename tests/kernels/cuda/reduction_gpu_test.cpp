// The CUDA global sum of squares against the CPU one, over arrays of every awkward count plus
// an empty one and enough small ones that the list takes more than one launch; and the same
// bits on a second run (the reduction order is fixed by the sizes).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <vector>

#include "kernels/cpu/reduction.h"
#include "kernels/cuda/reduction.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;

TEST(SumOfSquaresManyGpu, MatchesTheCpuAndRepeatsBitForBit) {
  TERN_REQUIRE_CUDA_DEVICE();
  std::vector<std::int64_t> counts = testing::kAwkwardCounts;
  counts.push_back(0);
  for (std::int64_t small = 1; small <= 200; ++small) counts.push_back(small);
  std::deque<std::vector<float>> host_values;
  std::deque<DeviceArray<float>> device_values;
  std::vector<const float*> host_arrays, device_arrays;
  for (std::size_t a = 0; a < counts.size(); ++a) {
    host_arrays.push_back(
        host_values.emplace_back(testing::random_floats(counts[a], static_cast<std::uint32_t>(a))).data());
    device_arrays.push_back(device_values.emplace_back(host_values.back()).data());
  }
  const int array_count = static_cast<int>(counts.size());
  const double expected = cpu::sum_of_squares_many(host_arrays.data(), counts.data(), array_count);

  DeviceArray<double> first(1), second(1);
  cuda::sum_of_squares_many(device_arrays.data(), counts.data(), array_count, first.data(), nullptr);
  cuda::sum_of_squares_many(device_arrays.data(), counts.data(), array_count, second.data(), nullptr);
  const double first_sum = first.to_host()[0], second_sum = second.to_host()[0];
  EXPECT_NEAR(first_sum, expected, 1e-12 * expected);
  EXPECT_EQ(std::memcmp(&first_sum, &second_sum, sizeof(double)), 0) << first_sum << " then " << second_sum;
}

TEST(SumOfSquaresManyGpu, NoElementsGiveZero) {
  TERN_REQUIRE_CUDA_DEVICE();
  DeviceArray<double> result(1);
  const std::int64_t empty_count = 0;
  const float* no_array = nullptr;
  cuda::sum_of_squares_many(&no_array, &empty_count, 1, result.data(), nullptr);
  EXPECT_EQ(result.to_host()[0], 0.0);
  result.poison();
  cuda::sum_of_squares_many(nullptr, nullptr, 0, result.data(), nullptr);
  EXPECT_EQ(result.to_host()[0], 0.0);
}

}  // namespace
}  // namespace tern::kernels
