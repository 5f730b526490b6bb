#include "launcher/device_assignment.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tern {
namespace {

TEST(DeviceAssignment, OneGpuPerLocalRank) {
  for (int local_rank = 0; local_rank < 4; ++local_rank)
    EXPECT_EQ(assign_cuda_device(local_rank, 4, 8, false), Device::cuda(local_rank));
}

TEST(DeviceAssignment, MoreRanksThanGpusIsRefusedUnlessSharingIsAllowed) {
  try {
    assign_cuda_device(0, 3, 2, false);
    FAIL() << "3 ranks on 2 GPUs were accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("3 ranks on this node but only 2 CUDA device(s)"), std::string::npos) << message;
    EXPECT_NE(message.find("--allow-gpu-sharing"), std::string::npos) << message;
  }
  EXPECT_EQ(assign_cuda_device(2, 3, 2, true), Device::cuda(0));
}

TEST(DeviceAssignment, NoGpuIsAClearError) {
  EXPECT_THROW(assign_cuda_device(0, 1, 0, true), Error);
  EXPECT_THROW(assign_cuda_device(2, 2, 4, false), Error);
}

}  // namespace
}  // namespace tern
