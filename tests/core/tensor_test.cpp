#include "core/tensor/tensor.h"

#include <gtest/gtest.h>

#include "core/tensor/device_memory.h"

namespace tern {
namespace {

TEST(Tensor, RowsViewSharesStorage) {
  Tensor t = Tensor::from_values({3, 2}, std::vector<float>{0, 1, 2, 3, 4, 5});
  Tensor middle = t.rows(1, 2);
  EXPECT_EQ(middle.shape(), (Shape{1, 2}));
  EXPECT_EQ(middle.data<float>()[0], 2.0f);
  middle.data<float>()[1] = 9.0f;
  EXPECT_EQ(t.data<float>()[3], 9.0f);
}

TEST(Tensor, CloneIsDeep) {
  Tensor t = Tensor::full({4}, 1.0f);
  Tensor copy = t.clone();
  copy.fill(2.0f);
  EXPECT_EQ(t.data<float>()[0], 1.0f);
}

TEST(Tensor, MisuseIsAnError) {
  Tensor t = Tensor::zeros({2, 3});
  EXPECT_THROW(t.rows(1, 3), Error);
  EXPECT_THROW(t.reshaped({4}), Error);
  EXPECT_THROW(t.data<std::int32_t>(), Error);
  EXPECT_EQ(t.reshaped({3, 2}).dim(0), 3);
}

// A CUDA device that this machine (or this build) lacks is refused by name, not crashed on.
TEST(Tensor, MissingCudaDeviceIsAClearError) {
  const int missing = cuda_device_count();  // cuda:N is one past the last device
  try {
    Tensor::zeros({2}, DType::f32, Device::cuda(missing));
    FAIL() << "a tensor on a missing device was created";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("cuda:" + std::to_string(missing)), std::string::npos) << message;
  }
  EXPECT_THROW(Tensor::full({2}, 1.0f).to(Device::cuda(missing)), Error);
}

}  // namespace
}  // namespace tern
