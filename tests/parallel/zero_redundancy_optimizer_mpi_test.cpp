// ZeRO-1 on 1-4 ranks must give the parameters of plain data parallelism: a plain Optimizer run
// on every rank on the gradients averaged by hand. Parameter sizes do not divide evenly by the
// rank count, so parameters straddle ranges, and with fewer elements than ranks some ranges are
// empty. MPI sums the gradients in its own order (the reference averages in double), so values
// are compared to 1e-6 of their largest; every rank must hold the same bits.
#include "core/optim/zero_redundancy_optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/random/random.h"
#include "tests/core/optim/random_parameters.h"
#include "tests/parallel/mpi_test_world.h"
#include "tests/parallel/rank_values.h"

namespace tern {
namespace {

using testing::make_parameters;
using testing::pointers;
using testing::test_world;

// The gradient `rank` computes for element e of parameter p at step `step`: different on every
// rank and element, bounded.
float rank_gradient(int rank, std::size_t p, std::int64_t e, int step) {
  return std::sin(0.001f * testing::element(rank, e) + 0.5f * static_cast<float>(p) + static_cast<float>(step));
}

// max |actual - expected| / max |expected| over a tensor.
double relative_difference(const Tensor& actual, const Tensor& expected) {
  double largest = 0.0, difference = 0.0;
  for (std::int64_t e = 0; e < expected.numel(); ++e) {
    largest = std::max(largest, static_cast<double>(std::abs(expected.data<float>()[e])));
    difference = std::max(difference, static_cast<double>(std::abs(actual.data<float>()[e] - expected.data<float>()[e])));
  }
  return largest > 0.0 ? difference / largest : difference;
}

// Three steps of ZeRO against the plain Optimizer on hand-averaged gradients. Every check comes
// after the step's collectives, so that a failure on one rank never leaves the others waiting.
void expect_zero_matches_plain(const OptimizerConfig& config, const std::vector<Shape>& shapes) {
  Communicator& world = test_world();
  const int ranks = world.size();
  auto zero_parameters = make_parameters(shapes, 100 + static_cast<std::uint64_t>(world.rank()));  // differ by rank
  auto plain_parameters = make_parameters(shapes, 100);  // what rank 0 drew
  ZeroRedundancyOptimizer zero(config, pointers(zero_parameters), world);
  Optimizer plain(config, pointers(plain_parameters));
  zero.broadcast_parameters();

  for (int step = 0; step < 3; ++step) {
    for (std::size_t p = 0; p < shapes.size(); ++p) {
      Tensor& grad = zero_parameters[p]->grad;
      Tensor& averaged = plain_parameters[p]->grad;
      for (std::int64_t e = 0; e < grad.numel(); ++e) {
        grad.data<float>()[e] = rank_gradient(world.rank(), p, e, step);
        double sum = 0.0;
        for (int rank = 0; rank < ranks; ++rank) sum += rank_gradient(rank, p, e, step);
        averaged.data<float>()[e] = static_cast<float>(sum / ranks);
      }
    }
    zero.reduce_scatter_gradients();
    zero.step(0.01f);
    plain.step(0.01f);
    for (std::size_t p = 0; p < shapes.size(); ++p) {
      const Tensor& mine = zero_parameters[p]->value;
      EXPECT_LE(relative_difference(mine, plain_parameters[p]->value), 1e-6)
          << "parameter " << p << " step " << step << " rank " << world.rank() << " of " << ranks;
      Tensor rank_zero_values = mine.clone();
      world.broadcast(rank_zero_values.data<float>(), static_cast<std::int64_t>(rank_zero_values.size_bytes()), 0);
      for (std::int64_t e = 0; e < mine.numel(); ++e)
        EXPECT_EQ(mine.data<float>()[e], rank_zero_values.data<float>()[e])
            << "parameter " << p << " element " << e << " step " << step << " rank " << world.rank();
    }
  }
  EXPECT_EQ(zero.steps_taken(), plain.steps_taken());

  // The ranks' shards hold every element once and the plain optimizer's state between them.
  std::int64_t shard_elements = 0;
  for (const Parameter* piece : zero.shard()) shard_elements += piece->value.numel();
  std::int64_t total_elements = 0;
  for (const Shape& shape : shapes) total_elements += shape_numel(shape);
  EXPECT_EQ(allreduce_value(world, shard_elements, ReduceOp::sum), total_elements);
  const auto state_bytes = static_cast<std::int64_t>(zero.state_bytes());
  EXPECT_EQ(allreduce_value(world, state_bytes, ReduceOp::sum), static_cast<std::int64_t>(plain.state_bytes()));
}

const std::vector<Shape> kUnevenShapes = {{7, 3}, {5}, {1}, {11, 2}};  // 49 elements

TEST(ZeroRedundancyOptimizer, SgdWithMomentumMatchesPlainDataParallelism) {
  expect_zero_matches_plain({.kind = OptimizerKind::sgd, .momentum = 0.9f}, kUnevenShapes);
}

TEST(ZeroRedundancyOptimizer, AdamMatchesPlainDataParallelism) {
  expect_zero_matches_plain({.kind = OptimizerKind::adam}, kUnevenShapes);
}

// The 49 elements split at 49·r/D; p0, p1, p2, p3 start at flat elements 0, 21, 26, 27.
TEST(ZeroRedundancyOptimizer, ShardsSplitParametersAtRangeBoundaries) {
  Communicator& world = test_world();
  using Names = std::vector<std::string>;
  const std::vector<std::vector<Names>> pieces_by_rank_count = {
      {{"p0[0:21]", "p1[0:5]", "p2[0:1]", "p3[0:22]"}},
      {{"p0[0:21]", "p1[0:3]"}, {"p1[3:5]", "p2[0:1]", "p3[0:22]"}},
      {{"p0[0:16]"}, {"p0[16:21]", "p1[0:5]", "p2[0:1]", "p3[0:5]"}, {"p3[5:22]"}},
      {{"p0[0:12]"}, {"p0[12:21]", "p1[0:3]"}, {"p1[3:5]", "p2[0:1]", "p3[0:9]"}, {"p3[9:22]"}}};
  auto parameters = make_parameters(kUnevenShapes, 1);
  ZeroRedundancyOptimizer zero({.kind = OptimizerKind::adam}, pointers(parameters), world);
  Names names;
  for (const Parameter* piece : zero.shard()) names.push_back(piece->name);
  EXPECT_EQ(names, pieces_by_rank_count.at(static_cast<std::size_t>(world.size() - 1))
                       .at(static_cast<std::size_t>(world.rank())));
}

// Two elements on up to four ranks: some ranks own nothing but still take part in every collective.
TEST(ZeroRedundancyOptimizer, FewerElementsThanRanks) {
  expect_zero_matches_plain({.kind = OptimizerKind::adam}, {{2}});
  expect_zero_matches_plain({.kind = OptimizerKind::sgd, .momentum = 0.9f}, {{2}});
}

}  // namespace
}  // namespace tern
