// Every collective of MpiCommunicator on the ranks this program was started with (CTest runs it
// on 1, 2, 3 and 4 ranks), with element counts that do not divide by the rank count and with
// zero-size parts. Expected values are closed forms of the rank numbers.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "core/error.h"
#include "parallel/mpi_communicator.h"
#include "parallel/process_mesh.h"
#include "tests/parallel/mpi_test_world.h"
#include "tests/parallel/rank_values.h"

namespace tern {
namespace {

using testing::test_world;

using testing::element;

class CountTest : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(CountTest, AllreduceSumAverageMaxMin) {
  Communicator& world = test_world();
  const int n = world.size();
  const std::int64_t count = GetParam();
  for (ReduceOp op : {ReduceOp::sum, ReduceOp::average, ReduceOp::max, ReduceOp::min}) {
    std::vector<float> values(static_cast<std::size_t>(count));
    for (std::int64_t i = 0; i < count; ++i) values[static_cast<std::size_t>(i)] = element(world.rank(), i);
    allreduce(world, std::span<float>(values), op);
    for (std::int64_t i = 0; i < count; ++i) {
      // Σ_r (1000 r + i) = 1000 n(n-1)/2 + n i
      const double sum = 1000.0 * n * (n - 1) / 2 + static_cast<double>(n) * i;
      const double expected = op == ReduceOp::sum       ? sum
                              : op == ReduceOp::average ? sum / n
                              : op == ReduceOp::max     ? element(n - 1, i)
                                                        : element(0, i);
      ASSERT_NEAR(values[static_cast<std::size_t>(i)], expected, 1e-3 * std::abs(expected) + 1e-6)
          << reduce_op_name(op) << " element " << i;
    }
  }
}

TEST_P(CountTest, NonBlockingAllreduceOverlapsWithOtherWork) {
  Communicator& world = test_world();
  const std::int64_t count = GetParam();
  std::vector<double> first(static_cast<std::size_t>(count), world.rank() + 1.0);
  std::vector<std::int64_t> second(static_cast<std::size_t>(count), world.rank());
  auto pending_first = world.iallreduce(first.data(), count, CommType::f64, ReduceOp::sum);
  auto pending_second = world.iallreduce(second.data(), count, CommType::i64, ReduceOp::max);
  pending_second->wait();
  pending_first->wait();
  const int n = world.size();
  for (std::int64_t i = 0; i < count; ++i) {
    EXPECT_EQ(first[static_cast<std::size_t>(i)], n * (n + 1) / 2.0);
    EXPECT_EQ(second[static_cast<std::size_t>(i)], n - 1);
  }
}

TEST_P(CountTest, AllgathervWithUnevenAndEmptyParts) {
  Communicator& world = test_world();
  const std::int64_t base = GetParam();
  // Rank r contributes (base + r) % 3 == 0 ? 0 : base + r elements, so some parts are empty.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(world.size()));
  for (int r = 0; r < world.size(); ++r) counts[static_cast<std::size_t>(r)] = (base + r) % 3 == 0 ? 0 : base + r;
  std::vector<float> mine(static_cast<std::size_t>(counts[static_cast<std::size_t>(world.rank())]));
  for (std::size_t i = 0; i < mine.size(); ++i) mine[i] = element(world.rank(), static_cast<std::int64_t>(i));
  std::vector<float> all(static_cast<std::size_t>(std::accumulate(counts.begin(), counts.end(), std::int64_t{0})));
  world.allgatherv(mine.data(), counts, CommType::f32, all.data());
  std::size_t position = 0;
  for (int r = 0; r < world.size(); ++r) {
    for (std::int64_t i = 0; i < counts[static_cast<std::size_t>(r)]; ++i) ASSERT_EQ(all[position++], element(r, i));
  }
}

TEST_P(CountTest, ReduceScatterGivesEachRankItsReducedBlock) {
  Communicator& world = test_world();
  const int n = world.size();
  const std::int64_t total = GetParam();
  // Blocks as even as possible: the first total % n ranks get one more element.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) counts[static_cast<std::size_t>(r)] = total / n + (r < total % n ? 1 : 0);
  std::vector<float> sent(static_cast<std::size_t>(total));
  for (std::int64_t i = 0; i < total; ++i) sent[static_cast<std::size_t>(i)] = element(world.rank(), i);
  std::vector<float> received(static_cast<std::size_t>(counts[static_cast<std::size_t>(world.rank())]));
  world.reduce_scatter(sent.data(), counts, CommType::f32, ReduceOp::sum, received.data());
  std::int64_t first = 0;
  for (int r = 0; r < world.rank(); ++r) first += counts[static_cast<std::size_t>(r)];
  for (std::size_t i = 0; i < received.size(); ++i) {
    const std::int64_t global = first + static_cast<std::int64_t>(i);
    EXPECT_NEAR(received[i], 1000.0 * n * (n - 1) / 2 + static_cast<double>(n) * global, 1e-2);
  }
}

INSTANTIATE_TEST_SUITE_P(Counts, CountTest, ::testing::Values(0, 1, 7, 1000, 65537));

TEST(MpiCommunicator, BroadcastFromEveryRoot) {
  Communicator& world = test_world();
  for (int root = 0; root < world.size(); ++root) {
    std::vector<std::int32_t> values(13, world.rank() == root ? root + 100 : -1);
    world.broadcast(values.data(), static_cast<std::int64_t>(values.size() * sizeof(std::int32_t)), root);
    for (std::int32_t value : values) EXPECT_EQ(value, root + 100);
  }
}

TEST(MpiCommunicator, SendAndReceiveAroundARing) {
  Communicator& world = test_world();
  if (world.size() == 1) GTEST_SKIP() << "needs 2 ranks";
  const int next = (world.rank() + 1) % world.size(), previous = (world.rank() + world.size() - 1) % world.size();
  std::vector<float> outgoing(101, static_cast<float>(world.rank())), incoming(101);
  // Even ranks send first, odd ranks receive first, so the blocking calls pair up.
  const auto bytes = static_cast<std::int64_t>(outgoing.size() * sizeof(float));
  if (world.rank() % 2 == 0) {
    world.send(outgoing.data(), bytes, next, 7);
    world.recv(incoming.data(), bytes, previous, 7);
  } else {
    world.recv(incoming.data(), bytes, previous, 7);
    world.send(outgoing.data(), bytes, next, 7);
  }
  EXPECT_EQ(incoming[100], static_cast<float>(previous));
}

TEST(MpiCommunicator, SplitByParityAndMeshGroups) {
  Communicator& world = test_world();
  auto half = world.split(world.rank() % 2, world.rank());
  EXPECT_EQ(half->size(), (world.size() + 1 - world.rank() % 2) / 2);
  EXPECT_EQ(half->rank(), world.rank() / 2);
  EXPECT_EQ(allreduce_value(*half, 1, ReduceOp::sum), half->size());

  // A dp x tp mesh when the world size is even: tp = 2.
  const int tp = world.size() % 2 == 0 ? 2 : 1;
  const ProcessMesh mesh(world.size(), tp, 1);
  MeshGroups groups = split_mesh_groups(world, mesh);
  EXPECT_EQ(groups.tp->size(), tp);
  EXPECT_EQ(groups.dp->size(), world.size() / tp);
  EXPECT_EQ(groups.pp->size(), 1);
  // The dp group of this rank holds the ranks with the same tp index.
  EXPECT_EQ(allreduce_value(*groups.dp, world.rank() % tp, ReduceOp::max), world.rank() % tp);
}

TEST(MpiCommunicator, BarrierAndAverageOfIntegersIsAnError) {
  Communicator& world = test_world();
  world.barrier();
  std::int64_t value = 1;
  EXPECT_THROW(world.allreduce(&value, 1, CommType::i64, ReduceOp::average), Error);
}

}  // namespace
}  // namespace tern
