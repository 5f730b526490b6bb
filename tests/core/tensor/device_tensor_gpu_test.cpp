// Tensors on a CUDA device: created, filled, zeroed, cloned and copied between host and device,
// with the values read back on the host. Skips without a CUDA device.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "core/tensor/device_memory.h"
#include "core/tensor/tensor.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern {
namespace {

std::vector<float> host_values(const Tensor& tensor) {
  const Tensor host = tensor.to(Device::cpu());
  return {host.values().begin(), host.values().end()};
}

TEST(DeviceTensor, RoundTripsThroughTheDevice) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const std::int64_t count : testing::kAwkwardCounts) {
    const auto values = testing::random_floats(count, 11);
    const Tensor host = Tensor::from_values({count}, values);
    const Tensor device = host.to(Device::cuda(0));
    EXPECT_EQ(device.device(), Device::cuda(0));
    EXPECT_THROW(static_cast<void>(device.data<float>()), Error);  // no host access to device memory
    EXPECT_EQ(host_values(device), values) << count << " elements";
  }
}

TEST(DeviceTensor, FillZeroCloneAndViewsWorkOnTheDevice) {
  TERN_REQUIRE_CUDA_DEVICE();
  const std::int64_t rows = 1000, cols = 33;
  Tensor filled = Tensor::empty({rows, cols}, DType::f32, Device::cuda(0));
  filled.fill(2.5f);
  EXPECT_EQ(host_values(filled), std::vector<float>(rows * cols, 2.5f));
  Tensor copy = filled.clone();
  filled.fill(-1.0f);
  EXPECT_EQ(host_values(copy), std::vector<float>(rows * cols, 2.5f));  // the clone is deep
  Tensor zeros = Tensor::zeros({rows, cols}, DType::f32, Device::cuda(0));
  zeros.rows(10, 20).copy_from(copy.rows(0, 10));  // a device-to-device copy into a view
  const auto result = host_values(zeros);
  for (std::int64_t i = 0; i < rows * cols; ++i) {
    const bool copied = i >= 10 * cols && i < 20 * cols;
    ASSERT_EQ(result[static_cast<std::size_t>(i)], copied ? 2.5f : 0.0f) << "element " << i;
  }
}

// Uploads from pageable memory pass through a few pinned buffers and do not wait for the
// stream: many in a row, of growing and shrinking sizes (more than there are buffers, one past
// the 64 MiB that is copied directly), each from a host buffer overwritten as soon as the
// upload returns, must all arrive intact; so must one from pinned memory.
TEST(DeviceTensor, UploadsInARowArriveIntactThoughTheSourceIsReusedAtOnce) {
  TERN_REQUIRE_CUDA_DEVICE();
  const std::vector<std::int64_t> counts = {1, 1000, 4097, 1 << 20, 7, (1 << 24) + 5, 33, 1 << 16, 3, 5};
  std::vector<Tensor> uploaded;
  std::vector<std::vector<float>> expected;
  Tensor source = Tensor::empty({(1 << 24) + 5});
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const std::int64_t count = counts[i];
    expected.push_back(testing::random_floats(count, static_cast<std::uint32_t>(100 + i)));
    std::copy(expected.back().begin(), expected.back().end(), source.data<float>());
    Tensor device = Tensor::empty({count}, DType::f32, Device::cuda(0));
    device.copy_from(source.rows(0, count));
    std::fill(source.data<float>(), source.data<float>() + count, -7.0f);  // reused at once
    uploaded.push_back(device);
  }
  for (std::size_t i = 0; i < counts.size(); ++i) EXPECT_EQ(host_values(uploaded[i]), expected[i]) << "upload " << i;

  const std::int64_t count = 4099;
  const std::shared_ptr<std::byte> pinned = allocate_pinned_host(count * sizeof(float));
  const auto values = testing::random_floats(count, 7);
  std::copy(values.begin(), values.end(), reinterpret_cast<float*>(pinned.get()));
  Tensor device = Tensor::empty({count}, DType::f32, Device::cuda(0));
  copy_bytes(Device::cuda(0), device.device_data<float>(), Device::cpu(), pinned.get(), count * sizeof(float));
  EXPECT_EQ(host_values(device), values);
}

}  // namespace
}  // namespace tern
