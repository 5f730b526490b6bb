// The CUDA dropout against the CPU one: the same Philox counter must give the same mask, bit
// for bit, for every awkward count, starting past 2³² to exercise the 64-bit element index.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernels/cpu/dropout.h"
#include "kernels/cuda/dropout.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;

TEST(DropoutGpu, MaskOutputAndGradientEqualTheCpuBitForBit) {
  TERN_REQUIRE_CUDA_DEVICE();
  const float p = 0.3f;
  const std::uint64_t seed = 1234, stream = 7, first_index = (std::uint64_t{1} << 33) + 5;
  for (const std::int64_t count : testing::kAwkwardCounts) {
    SCOPED_TRACE(::testing::Message() << "count " << count);
    const auto x = testing::random_floats(count, 1), dy = testing::random_floats(count, 2);
    std::vector<float> y(x.size()), mask(x.size()), dx(x.size());
    cpu::dropout_forward(x.data(), y.data(), mask.data(), count, p, seed, stream, first_index);
    cpu::dropout_backward(dy.data(), mask.data(), dx.data(), count);

    DeviceArray<float> device_x(x), device_y(count), device_mask(count), device_dy(dy), device_dx(count);
    cuda::dropout_forward(device_x.data(), device_y.data(), device_mask.data(), count, p, seed, stream, first_index,
                          nullptr);
    cuda::dropout_backward(device_dy.data(), device_mask.data(), device_dx.data(), count, nullptr);
    EXPECT_EQ(testing::count_mismatches(mask, device_mask.to_host()), 0);
    EXPECT_EQ(testing::count_mismatches(y, device_y.to_host()), 0);
    EXPECT_EQ(testing::count_mismatches(dx, device_dx.to_host()), 0);
  }
}

TEST(DropoutGpu, ZeroElementsQueueNothing) {
  TERN_REQUIRE_CUDA_DEVICE();
  EXPECT_NO_THROW(cuda::dropout_forward(nullptr, nullptr, nullptr, 0, 0.5f, 1, 2, 3, nullptr));
  EXPECT_NO_THROW(cuda::dropout_backward(nullptr, nullptr, nullptr, 0, nullptr));
}

}  // namespace
}  // namespace tern::kernels
