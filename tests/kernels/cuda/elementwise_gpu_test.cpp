// The element-wise CUDA kernels against their CPU namesakes on the same random inputs, for
// every awkward count (or a matrix of about that many elements) and every activation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/cpu/elementwise.h"
#include "kernels/cuda/elementwise.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;
using testing::kF32Tolerance;
using testing::relative_error;

const std::vector<Activation> kActivations = {Activation::identity, Activation::relu, Activation::sigmoid,
                                              Activation::tanh, Activation::gelu};

::testing::Message shape_message(std::int64_t rows, std::int64_t cols) {
  return ::testing::Message() << rows << " x " << cols;
}

TEST(ActivationGpu, ForwardAndBackwardMatchTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const Activation kind : kActivations) {
    for (const std::int64_t count : testing::kAwkwardCounts) {
      SCOPED_TRACE(::testing::Message() << "activation " << static_cast<int>(kind) << ", count " << count);
      const auto x = testing::random_floats(count, 1, -4.0f, 4.0f), dy = testing::random_floats(count, 2);
      std::vector<float> y(x.size()), dx(x.size());
      cpu::activation_forward(kind, x.data(), y.data(), count);
      cpu::activation_backward(kind, x.data(), y.data(), dy.data(), dx.data(), count);

      DeviceArray<float> device_x(x), device_y(count), device_dy(dy), device_dx(count);
      cuda::activation_forward(kind, device_x.data(), device_y.data(), count, nullptr);
      EXPECT_LT(relative_error(y, device_y.to_host()), kF32Tolerance);
      DeviceArray<float> cpu_y(y);  // the backward sees the same y on both sides
      cuda::activation_backward(kind, device_x.data(), cpu_y.data(), device_dy.data(), device_dx.data(), count, nullptr);
      EXPECT_LT(relative_error(dx, device_dx.to_host()), kF32Tolerance);
    }
  }
}

TEST(BiasActivationGpu, MatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const Activation kind : kActivations) {
    for (const auto [rows, cols] : testing::awkward_matrix_shapes()) {
      SCOPED_TRACE(shape_message(rows, cols) << ", activation " << static_cast<int>(kind));
      auto y = testing::random_floats(rows * cols, 3, -4.0f, 4.0f);
      const auto bias = testing::random_floats(cols, 4);
      DeviceArray<float> device_y(y), device_bias(bias);
      cpu::bias_activation_forward(kind, y.data(), bias.data(), rows, cols);
      cuda::bias_activation_forward(kind, device_y.data(), device_bias.data(), rows, cols, nullptr);
      EXPECT_LT(relative_error(y, device_y.to_host()), kF32Tolerance);
    }
  }
}

// Multiples of 1/8 in [-1, 1]: sums of up to 2²⁰ of them are exact in float, so the column sums
// of the CPU (row order) and of the GPU (tiles) must agree bit for bit whatever their order.
std::vector<float> random_eighths(std::int64_t count, std::uint32_t seed) {
  std::vector<float> values = testing::random_floats(count, seed);
  for (float& value : values) value = std::round(value * 8.0f) / 8.0f;
  return values;
}

TEST(ColumnSumsGpu, MatchTheCpuExactlyOnExactlySummableInputs) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const auto [rows, cols] : testing::awkward_matrix_shapes()) {
    SCOPED_TRACE(shape_message(rows, cols));
    const auto x = random_eighths(rows * cols, 7);
    auto sums = random_eighths(cols, 8);  // accumulated into
    DeviceArray<float> device_x(x), device_sums(sums);
    cpu::accumulate_column_sums(x.data(), sums.data(), rows, cols);
    cuda::accumulate_column_sums(device_x.data(), device_sums.data(), rows, cols, nullptr);
    EXPECT_EQ(testing::count_mismatches(sums, device_sums.to_host()), 0);
  }
}

TEST(StandardizeColumnsGpu, MatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const auto [rows, cols] : testing::awkward_matrix_shapes()) {
    SCOPED_TRACE(shape_message(rows, cols));
    const auto x = testing::random_floats(rows * cols, 9), mean = testing::random_floats(cols, 10);
    const auto inverse_std = testing::random_floats(cols, 11, 0.5f, 2.0f);
    std::vector<float> y(x.size());
    cpu::standardize_columns(x.data(), mean.data(), inverse_std.data(), y.data(), rows, cols);
    DeviceArray<float> device_x(x), device_mean(mean), device_inverse_std(inverse_std), device_y(rows * cols);
    cuda::standardize_columns(device_x.data(), device_mean.data(), device_inverse_std.data(), device_y.data(), rows,
                              cols, nullptr);
    EXPECT_LT(relative_error(y, device_y.to_host()), kF32Tolerance);
  }
}

TEST(ScaleGpu, MatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const std::int64_t count : testing::kAwkwardCounts) {
    SCOPED_TRACE(::testing::Message() << "count " << count);
    auto y = testing::random_floats(count, 12);
    DeviceArray<float> device_y(y);
    cpu::scale(y.data(), -0.375f, count);
    cuda::scale(device_y.data(), -0.375f, count, nullptr);
    EXPECT_LT(relative_error(y, device_y.to_host()), kF32Tolerance);
  }
}

TEST(AccumulateGpu, MatchesTheCpuBitForBit) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const std::int64_t count : testing::kAwkwardCounts) {
    SCOPED_TRACE(::testing::Message() << "count " << count);
    auto y = testing::random_floats(count, 13);
    const auto x = testing::random_floats(count, 14);
    DeviceArray<float> device_y(y), device_x(x);
    cpu::accumulate(y.data(), x.data(), count);
    cuda::accumulate(device_y.data(), device_x.data(), count, nullptr);
    EXPECT_EQ(testing::count_mismatches(y, device_y.to_host()), 0);
  }
}

TEST(SumOfSquaresGpu, MatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const std::int64_t count : testing::kAwkwardCounts) {
    SCOPED_TRACE(::testing::Message() << "count " << count);
    const auto x = testing::random_floats(count, 13);
    DeviceArray<float> device_x(x);
    DeviceArray<double> result(1);
    cuda::sum_of_squares(device_x.data(), count, result.data(), nullptr);
    EXPECT_LT(relative_error(std::vector<double>{cpu::sum_of_squares(x.data(), count)}, result.to_host()),
              kF32Tolerance);
  }
}

TEST(ElementwiseGpu, ZeroElementsQueueNothingButTheSumOfSquaresZero) {
  TERN_REQUIRE_CUDA_DEVICE();
  EXPECT_NO_THROW(cuda::activation_forward(Activation::gelu, nullptr, nullptr, 0, nullptr));
  EXPECT_NO_THROW(cuda::activation_backward(Activation::gelu, nullptr, nullptr, nullptr, nullptr, 0, nullptr));
  EXPECT_NO_THROW(cuda::bias_activation_forward(Activation::relu, nullptr, nullptr, 0, 5, nullptr));
  EXPECT_NO_THROW(cuda::accumulate_column_sums(nullptr, nullptr, 0, 5, nullptr));
  EXPECT_NO_THROW(cuda::standardize_columns(nullptr, nullptr, nullptr, nullptr, 3, 0, nullptr));
  EXPECT_NO_THROW(cuda::scale(nullptr, 2.0f, 0, nullptr));
  DeviceArray<double> result(1);
  cuda::sum_of_squares(nullptr, 0, result.data(), nullptr);
  EXPECT_EQ(result.to_host(), std::vector<double>{0.0});
}

}  // namespace
}  // namespace tern::kernels
