#include "core/data/distribution.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"

namespace tern {
namespace {

TEST(RankRows, ShardsAreDisjointAndCoverEveryRowOnce) {
  for (std::int64_t rows : {0, 1, 5, 7, 100, 1001}) {
    for (int ranks = 1; ranks <= 5; ++ranks) {
      std::vector<int> owners(static_cast<std::size_t>(rows), 0);
      for (int rank = 0; rank < ranks; ++rank) {
        const RowRange shard = rank_rows(rows, rank, ranks);
        EXPECT_LE(shard.size(), rows / ranks + 1);
        EXPECT_GE(shard.size(), rows / ranks);
        for (std::int64_t row = shard.begin; row < shard.end; ++row) ++owners[static_cast<std::size_t>(row)];
      }
      for (int count : owners) ASSERT_EQ(count, 1) << rows << " rows on " << ranks << " ranks";
    }
  }
}

TEST(DataDistribution, ParsesItsTwoNames) {
  EXPECT_EQ(parse_data_distribution("sharded"), DataDistribution::sharded);
  EXPECT_EQ(parse_data_distribution("replicated"), DataDistribution::replicated);
  EXPECT_THROW(parse_data_distribution("FullyReplicated"), Error);
  EXPECT_THROW(rank_rows(10, 3, 3), Error);
}

}  // namespace
}  // namespace tern
