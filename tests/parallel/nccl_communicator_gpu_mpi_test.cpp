// NcclCommunicator across ranks, one GPU each (CTest runs this on 1, 2, 3 and 4 ranks; every
// test skips unless the node has a GPU for each rank). The same checks as the MPI
// communicator's: counts that do not divide by the rank count, zero-size parts, closed-form
// expected values of the rank numbers, on device buffers.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/tensor/device_memory.h"
#include "kernels/cuda/device_memory.h"
#include "parallel/nccl_communicator.h"
#include "tests/kernels/cuda/backend_comparison.h"
#include "tests/parallel/mpi_test_world.h"
#include "tests/parallel/rank_values.h"

namespace tern {
namespace {

using testing::DeviceArray;
using testing::element;
using testing::rank_values;
using testing::test_world;

class NcclAcrossRanks : public ::testing::Test {
 protected:
  void SetUp() override {
    Communicator& world = test_world();
    // Every rank takes the same decision, so that no rank waits in a collective alone.
    const int missing = allreduce_value(world, cuda_device_count() < world.size() ? 1 : 0, ReduceOp::max);
    if (missing) GTEST_SKIP() << "needs one CUDA device per rank (" << world.size() << ")";
    kernels::cuda::set_current_device(world.rank());
    nccl_ = std::make_unique<NcclCommunicator>(world, world.rank(), testing::kTestWatchdogSeconds);
  }
  std::unique_ptr<NcclCommunicator> nccl_;
};

TEST_F(NcclAcrossRanks, AllreduceOfEveryOpMatchesTheClosedForm) {
  const int n = nccl_->size();
  for (const std::int64_t count : {std::int64_t{1}, std::int64_t{7}, std::int64_t{1000003}}) {
    for (const ReduceOp op : {ReduceOp::sum, ReduceOp::average, ReduceOp::max, ReduceOp::min}) {
      DeviceArray<float> buffer(rank_values(nccl_->rank(), count));
      nccl_->allreduce(buffer.data(), count, CommType::f32, op);
      const std::vector<float> result = buffer.to_host();
      for (std::int64_t i = 0; i < count; i += 997) {
        const double sum = 1000.0 * n * (n - 1) / 2 + static_cast<double>(n) * static_cast<double>(i);
        const double expected = op == ReduceOp::sum       ? sum
                                : op == ReduceOp::average ? sum / n
                                : op == ReduceOp::max     ? element(n - 1, i)
                                                          : element(0, i);
        ASSERT_NEAR(result[static_cast<std::size_t>(i)], expected, 1e-3 * std::abs(expected) + 1e-6)
            << reduce_op_name(op) << " of " << count << ", element " << i;
      }
    }
  }
}

// Rank r has r + 2 elements when r is even and none when it is odd.
std::vector<std::int64_t> uneven_counts(int ranks) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(ranks));
  for (int r = 0; r < ranks; ++r) counts[static_cast<std::size_t>(r)] = r % 2 == 0 ? r + 2 : 0;
  return counts;
}

TEST_F(NcclAcrossRanks, AllgathervPlacesEachRanksBlockWithZeroSizeParts) {
  const int n = nccl_->size(), rank = nccl_->rank();
  const auto counts = uneven_counts(n);
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  DeviceArray<float> sent(rank_values(rank, std::max<std::int64_t>(counts[static_cast<std::size_t>(rank)], 1)));
  DeviceArray<float> received(total);
  nccl_->allgatherv(sent.data(), counts, CommType::f32, received.data());
  const std::vector<float> result = received.to_host();
  std::size_t position = 0;
  for (int r = 0; r < n; ++r) {
    for (std::int64_t i = 0; i < counts[static_cast<std::size_t>(r)]; ++i)
      ASSERT_EQ(result[position++], element(r, i)) << "block of rank " << r;
  }
}

TEST_F(NcclAcrossRanks, ReduceScatterSumsEachBlockOntoItsRank) {
  const int n = nccl_->size(), rank = nccl_->rank();
  const auto counts = uneven_counts(n);
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  DeviceArray<float> sent(rank_values(rank, std::max<std::int64_t>(total, 1)));
  DeviceArray<float> received(std::max<std::int64_t>(counts[static_cast<std::size_t>(rank)], 1));
  nccl_->reduce_scatter(sent.data(), counts, CommType::f32, ReduceOp::sum, received.data());
  const std::vector<float> result = received.to_host();
  const std::int64_t offset = std::accumulate(counts.begin(), counts.begin() + rank, std::int64_t{0});
  for (std::int64_t i = 0; i < counts[static_cast<std::size_t>(rank)]; ++i) {
    const double expected = 1000.0 * n * (n - 1) / 2 + static_cast<double>(n) * static_cast<double>(offset + i);
    ASSERT_NEAR(result[static_cast<std::size_t>(i)], expected, 1e-3 * expected) << "element " << i;
  }
}

TEST_F(NcclAcrossRanks, BroadcastSendRecvAndSplit) {
  const int n = nccl_->size(), rank = nccl_->rank();
  DeviceArray<float> buffer(rank_values(rank, 33));
  nccl_->broadcast(buffer.data(), 33 * sizeof(float), n - 1);
  EXPECT_EQ(buffer.to_host(), rank_values(n - 1, 33));

  if (n > 1) {  // each rank sends its values to the right and receives from the left
    DeviceArray<float> mine(rank_values(rank, 100)), from_left(100);
    if (rank % 2 == 0) {
      nccl_->send(mine.data(), 100 * sizeof(float), (rank + 1) % n, 0);
      nccl_->recv(from_left.data(), 100 * sizeof(float), (rank + n - 1) % n, 0);
    } else {
      nccl_->recv(from_left.data(), 100 * sizeof(float), (rank + n - 1) % n, 0);
      nccl_->send(mine.data(), 100 * sizeof(float), (rank + 1) % n, 0);
    }
    EXPECT_EQ(from_left.to_host(), rank_values((rank + n - 1) % n, 100));
  }

  auto half = nccl_->split(rank % 2, rank);
  DeviceArray<float> one(std::vector<float>{1.0f});
  half->allreduce(one.data(), 1, CommType::f32, ReduceOp::sum);
  EXPECT_EQ(one.to_host()[0], static_cast<float>(half->size()));
  EXPECT_EQ(half->size(), n / 2 + (rank % 2 == 0 ? n % 2 : 0));
  nccl_->barrier();
}

}  // namespace
}  // namespace tern
