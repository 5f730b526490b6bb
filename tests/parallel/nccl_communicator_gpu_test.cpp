// The NCCL communicator on one GPU and one rank (bootstrapped by the single-process
// communicator): every collective runs through NCCL on device buffers and leaves the values a
// one-rank job must have. Skips without a CUDA device.
#include <gtest/gtest.h>

#include <vector>

#include "core/comm.h"
#include "parallel/nccl_communicator.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern {
namespace {

using testing::DeviceArray;

class NcclOneRank : public ::testing::Test {
 protected:
  void SetUp() override {
    TERN_REQUIRE_CUDA_DEVICE();
    nccl_ = std::make_unique<NcclCommunicator>(bootstrap_, 0, 60.0);
  }
  LocalCommunicator bootstrap_;
  std::unique_ptr<NcclCommunicator> nccl_;
};

TEST_F(NcclOneRank, AllreduceOfEveryOpLeavesTheValues) {
  for (const std::int64_t count : testing::kAwkwardCounts) {
    const auto values = testing::random_floats(count, 21);
    for (const ReduceOp op : {ReduceOp::sum, ReduceOp::average, ReduceOp::max, ReduceOp::min}) {
      DeviceArray<float> buffer(values);
      nccl_->allreduce(buffer.data(), count, CommType::f32, op);
      EXPECT_EQ(buffer.to_host(), values) << reduce_op_name(op) << " of " << count;
    }
    DeviceArray<float> buffer(values);
    nccl_->iallreduce(buffer.data(), count, CommType::f32, ReduceOp::sum)->wait();
    EXPECT_EQ(buffer.to_host(), values);
  }
}

TEST_F(NcclOneRank, GatherScatterAndBroadcastCopyTheBlock) {
  const std::vector<float> values = testing::random_floats(33, 22);
  const std::vector<std::int64_t> counts = {33};
  DeviceArray<float> sent(values), gathered(33), scattered(33);
  nccl_->allgatherv(sent.data(), counts, CommType::f32, gathered.data());
  EXPECT_EQ(gathered.to_host(), values);
  nccl_->reduce_scatter(sent.data(), counts, CommType::f32, ReduceOp::sum, scattered.data());
  EXPECT_EQ(scattered.to_host(), values);
  nccl_->broadcast(sent.data(), 33 * sizeof(float), 0);
  EXPECT_EQ(sent.to_host(), values);
  nccl_->barrier();
}

TEST_F(NcclOneRank, SplitGivesAWorkingCommunicator) {
  auto part = nccl_->split(0, 0);
  EXPECT_EQ(part->size(), 1);
  EXPECT_EQ(part->rank(), 0);
  const auto values = testing::random_floats(1000, 23);
  DeviceArray<float> buffer(values);
  part->allreduce(buffer.data(), 1000, CommType::f32, ReduceOp::average);
  EXPECT_EQ(buffer.to_host(), values);
}

}  // namespace
}  // namespace tern
