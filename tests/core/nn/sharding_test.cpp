// Splitting a parameter over a tensor-parallel group and joining it again (core/nn/sharding.h),
// against indices written out by hand: on tensors whose every element holds its own flat index,
// rank r's block of a 1-D tensor, of a 2-D tensor split on dim 0 and on dim 1, and of a
// qkv-style tensor in 3 chunks is exactly the elements the Sharding picture says, for 1, 2 and 4
// ranks; unshard of all the blocks gives the tensor back; a replicated sharding gives a copy; a
// dimension that does not split throws; initialise_block keeps exactly the rank's block of the
// full draw.
#include "core/nn/sharding.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "core/random/random.h"

namespace tern {
namespace {

// A tensor whose element i holds i, so a block's values name the full elements it copied.
Tensor flat_indices(const Shape& shape) {
  Tensor tensor = Tensor::empty(shape);
  for (std::int64_t i = 0; i < tensor.numel(); ++i) tensor.data<float>()[i] = static_cast<float>(i);
  return tensor;
}

Sharding split_of(int dim, int rank, int ranks, int chunks = 1) {
  return {.kind = Sharding::Kind::split, .split_dim = dim, .chunks = chunks, .rank = rank, .ranks = ranks};
}

// Every rank's block, in rank order.
std::vector<Tensor> all_blocks(const Tensor& full, int dim, int ranks, int chunks = 1) {
  std::vector<Tensor> blocks;
  for (int rank = 0; rank < ranks; ++rank) blocks.push_back(shard_of(full, split_of(dim, rank, ranks, chunks)));
  return blocks;
}

void expect_identical(const Tensor& actual, const Tensor& expected) {
  ASSERT_EQ(actual.shape(), expected.shape());
  for (std::int64_t i = 0; i < expected.numel(); ++i)
    ASSERT_EQ(actual.data<float>()[i], expected.data<float>()[i]) << "element " << i;
}

TEST(ShardShape, DividesTheSplitDimensionByTheRanks) {
  EXPECT_EQ(shard_shape({12, 6}, split_of(0, 1, 4)), (Shape{3, 6}));
  EXPECT_EQ(shard_shape({12, 6}, split_of(1, 0, 2)), (Shape{12, 3}));
  EXPECT_EQ(shard_shape({12, 6}, split_of(0, 1, 2, 3)), (Shape{6, 6}));  // 3 chunks of 4 rows, 2 of each
  EXPECT_EQ(shard_shape({8}, split_of(0, 3, 4)), (Shape{2}));
  EXPECT_EQ(shard_shape({12, 6}, split_of(0, 0, 1)), (Shape{12, 6}));
  EXPECT_EQ(shard_shape({12, 6}, Sharding{.rank = 1, .ranks = 4}), (Shape{12, 6}));  // replicated
}

class ShardingOverRanks : public ::testing::TestWithParam<int> {};

TEST_P(ShardingOverRanks, OneDimensionalTensorGivesEachRankItsRange) {
  const int ranks = GetParam();
  const std::int64_t n = 8, block = n / ranks;
  const Tensor full = flat_indices({n});
  const std::vector<Tensor> blocks = all_blocks(full, 0, ranks);
  for (int rank = 0; rank < ranks; ++rank) {
    const Tensor& shard = blocks[static_cast<std::size_t>(rank)];
    ASSERT_EQ(shard.shape(), (Shape{block}));
    for (std::int64_t i = 0; i < block; ++i) EXPECT_EQ(shard.data<float>()[i], rank * block + i) << "rank " << rank;
  }
  expect_identical(unshard(blocks, split_of(0, 0, ranks)), full);
}

TEST_P(ShardingOverRanks, MatrixSplitOnRowsGivesEachRankItsRows) {
  const int ranks = GetParam();
  const std::int64_t rows = 8, columns = 5, block = rows / ranks;
  const Tensor full = flat_indices({rows, columns});
  const std::vector<Tensor> blocks = all_blocks(full, 0, ranks);
  for (int rank = 0; rank < ranks; ++rank) {
    const Tensor& shard = blocks[static_cast<std::size_t>(rank)];
    ASSERT_EQ(shard.shape(), (Shape{block, columns}));
    for (std::int64_t i = 0; i < block; ++i) {
      for (std::int64_t j = 0; j < columns; ++j)
        EXPECT_EQ(shard.data<float>()[i * columns + j], (rank * block + i) * columns + j) << "rank " << rank;
    }
  }
  expect_identical(unshard(blocks, split_of(0, 0, ranks)), full);
}

TEST_P(ShardingOverRanks, MatrixSplitOnColumnsGivesEachRankItsColumns) {
  const int ranks = GetParam();
  const std::int64_t rows = 3, columns = 8, block = columns / ranks;
  const Tensor full = flat_indices({rows, columns});
  const std::vector<Tensor> blocks = all_blocks(full, 1, ranks);
  for (int rank = 0; rank < ranks; ++rank) {
    const Tensor& shard = blocks[static_cast<std::size_t>(rank)];
    ASSERT_EQ(shard.shape(), (Shape{rows, block}));
    for (std::int64_t i = 0; i < rows; ++i) {
      for (std::int64_t j = 0; j < block; ++j)
        EXPECT_EQ(shard.data<float>()[i * block + j], i * columns + rank * block + j) << "rank " << rank;
    }
  }
  expect_identical(unshard(blocks, split_of(1, 0, ranks)), full);
}

// qkv [3n, k] in chunks Q, K, V of n rows: rank r holds rows [c·n + r·n/R, c·n + (r+1)·n/R) of
// each chunk c, the chunks one after the other.
TEST_P(ShardingOverRanks, ThreeChunksGiveEachRankItsRowsOfEveryChunk) {
  const int ranks = GetParam();
  const std::int64_t n = 4, columns = 5, block = n / ranks;
  const Tensor full = flat_indices({3 * n, columns});
  const std::vector<Tensor> blocks = all_blocks(full, 0, ranks, 3);
  for (int rank = 0; rank < ranks; ++rank) {
    const Tensor& shard = blocks[static_cast<std::size_t>(rank)];
    ASSERT_EQ(shard.shape(), (Shape{3 * block, columns}));
    for (std::int64_t c = 0; c < 3; ++c) {
      for (std::int64_t i = 0; i < block; ++i) {
        const std::int64_t full_row = c * n + rank * block + i;
        for (std::int64_t j = 0; j < columns; ++j) {
          EXPECT_EQ(shard.data<float>()[(c * block + i) * columns + j], full_row * columns + j)
              << "rank " << rank << " chunk " << c << " row " << i;
        }
      }
    }
  }
  expect_identical(unshard(blocks, split_of(0, 0, ranks, 3)), full);
}

INSTANTIATE_TEST_SUITE_P(Ranks, ShardingOverRanks, ::testing::Values(1, 2, 4));

TEST(Sharding, ReplicatedGivesACopyOfTheWholeTensor) {
  Tensor full = flat_indices({4, 3});
  const Sharding replicated{.rank = 1, .ranks = 2};
  Tensor copy = shard_of(full, replicated);
  expect_identical(copy, full);
  EXPECT_NE(copy.storage_address(), full.storage_address());
  copy.data<float>()[0] = -1.0f;
  EXPECT_EQ(full.data<float>()[0], 0.0f);
  expect_identical(unshard(std::vector<Tensor>{full, full}, replicated), full);
}

TEST(Sharding, ADimensionThatDoesNotSplitThrows) {
  EXPECT_THROW(shard_shape({10, 4}, split_of(0, 0, 4)), Error);
  EXPECT_THROW(shard_of(flat_indices({10, 4}), split_of(0, 0, 4)), Error);
  EXPECT_THROW(shard_of(flat_indices({4, 6}), split_of(1, 0, 4)), Error);
  EXPECT_THROW(shard_of(flat_indices({9, 2}), split_of(0, 1, 2, 3)), Error);  // chunks of 3 rows over 2 ranks
  EXPECT_THROW(shard_of(flat_indices({8}), split_of(1, 0, 2)), Error);        // no dimension 1
  EXPECT_THROW(unshard(all_blocks(flat_indices({8}), 0, 2), split_of(0, 0, 4)), Error);  // 2 blocks for 4 ranks
}

TEST(Sharding, InitialiseBlockKeepsTheRanksBlockOfTheFullDraw) {
  const std::int64_t n = 4, columns = 3;
  const auto draw = [](Tensor& full) { fill_uniform(full, -1.0f, 1.0f, 7, stream_id("qkv.weight")); };
  Tensor full = Tensor::empty({3 * n, columns});
  draw(full);
  for (const int ranks : {1, 2, 4}) {
    const std::int64_t block = n / ranks;
    for (int rank = 0; rank < ranks; ++rank) {
      SCOPED_TRACE(::testing::Message() << "rank " << rank << " of " << ranks);
      Parameter parameter("qkv.weight", {0});
      initialise_block(parameter, {3 * n, columns}, split_of(0, rank, ranks, 3), draw);
      EXPECT_EQ(parameter.sharding.kind, Sharding::Kind::split);
      EXPECT_EQ(parameter.sharding.chunks, 3);
      EXPECT_EQ(parameter.sharding.rank, rank);
      EXPECT_EQ(parameter.sharding.ranks, ranks);
      ASSERT_EQ(parameter.value.shape(), (Shape{3 * block, columns}));
      ASSERT_EQ(parameter.grad.shape(), (Shape{3 * block, columns}));
      for (std::int64_t c = 0; c < 3; ++c) {
        for (std::int64_t i = 0; i < block; ++i) {
          for (std::int64_t j = 0; j < columns; ++j) {
            const std::int64_t shard_index = (c * block + i) * columns + j;
            EXPECT_EQ(parameter.value.data<float>()[shard_index],
                      full.data<float>()[(c * n + rank * block + i) * columns + j]);
            EXPECT_EQ(parameter.grad.data<float>()[shard_index], 0.0f);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace tern
