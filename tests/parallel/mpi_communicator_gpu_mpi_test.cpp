// MpiCommunicator on buffers in CUDA device memory, staged through pinned host memory (CTest
// runs this on 1, 2, 3 and 4 ranks; every rank may use GPU 0). Each collective must leave the
// same values as on host buffers: closed forms of the rank numbers. Skips without a CUDA device.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/tensor/device_memory.h"
#include "parallel/mpi_communicator.h"
#include "tests/kernels/cuda/backend_comparison.h"
#include "tests/parallel/mpi_test_world.h"
#include "tests/parallel/rank_values.h"

namespace tern {
namespace {

using testing::DeviceArray;
using testing::element;
using testing::rank_values;
using testing::test_world;

class MpiOnDeviceBuffers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (allreduce_value(test_world(), cuda_device_count() == 0 ? 1 : 0, ReduceOp::max))
      GTEST_SKIP() << "no CUDA device";
  }
};

TEST_F(MpiOnDeviceBuffers, AllreduceAndIallreduceMatchTheClosedForm) {
  Communicator& world = test_world();
  const int n = world.size();
  for (const std::int64_t count : {std::int64_t{1}, std::int64_t{1001}}) {
    DeviceArray<float> blocking(rank_values(world.rank(), count)), started(rank_values(world.rank(), count));
    world.allreduce(blocking.data(), count, CommType::f32, ReduceOp::sum);
    world.iallreduce(started.data(), count, CommType::f32, ReduceOp::average)->wait();
    const auto sums = blocking.to_host(), averages = started.to_host();
    for (std::int64_t i = 0; i < count; ++i) {
      const double sum = 1000.0 * n * (n - 1) / 2 + static_cast<double>(n) * static_cast<double>(i);
      ASSERT_NEAR(sums[static_cast<std::size_t>(i)], sum, 1e-3 * sum + 1e-6) << "element " << i;
      ASSERT_NEAR(averages[static_cast<std::size_t>(i)], sum / n, 1e-3 * sum / n + 1e-6) << "element " << i;
    }
  }
}

TEST_F(MpiOnDeviceBuffers, BroadcastGatherScatterAndPointToPoint) {
  Communicator& world = test_world();
  const int n = world.size(), rank = world.rank();
  DeviceArray<float> broadcast(rank_values(rank, 33));
  world.broadcast(broadcast.data(), 33 * sizeof(float), n - 1);
  EXPECT_EQ(broadcast.to_host(), rank_values(n - 1, 33));

  std::vector<std::int64_t> counts(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) counts[static_cast<std::size_t>(r)] = r % 2 == 0 ? r + 2 : 0;
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  const std::int64_t mine = counts[static_cast<std::size_t>(rank)];
  DeviceArray<float> sent(rank_values(rank, std::max<std::int64_t>(mine, 1))), gathered(total);
  world.allgatherv(sent.data(), counts, CommType::f32, gathered.data());
  const auto result = gathered.to_host();
  std::size_t position = 0;
  for (int r = 0; r < n; ++r) {
    for (std::int64_t i = 0; i < counts[static_cast<std::size_t>(r)]; ++i) ASSERT_EQ(result[position++], element(r, i));
  }

  DeviceArray<float> blocks(rank_values(rank, total)), scattered(std::max<std::int64_t>(mine, 1));
  world.reduce_scatter(blocks.data(), counts, CommType::f32, ReduceOp::sum, scattered.data());
  const auto reduced = scattered.to_host();
  const std::int64_t offset = std::accumulate(counts.begin(), counts.begin() + rank, std::int64_t{0});
  for (std::int64_t i = 0; i < mine; ++i) {
    const double expected = 1000.0 * n * (n - 1) / 2 + static_cast<double>(n) * static_cast<double>(offset + i);
    ASSERT_NEAR(reduced[static_cast<std::size_t>(i)], expected, 1e-3 * expected);
  }

  if (n > 1) {
    DeviceArray<float> outgoing(rank_values(rank, 100)), incoming(100);
    if (rank == 0) {
      world.send(outgoing.data(), 100 * sizeof(float), 1, 7);
    } else if (rank == 1) {
      world.recv(incoming.data(), 100 * sizeof(float), 0, 7);
      EXPECT_EQ(incoming.to_host(), rank_values(0, 100));
    }
  }
}

}  // namespace
}  // namespace tern
