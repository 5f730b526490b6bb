// Which blocks each pipeline stage holds (core/pipeline/pipeline_stages.h): balance_stages
// against a brute force over every contiguous split, for 1 to 8 layers over 1 to n stages and
// several costs of blocks, embeddings and head: its split is contiguous, gives every stage a
// block, covers all layers, and its largest stage is the smallest any split achieves. A split
// given as counts per stage (`stage_layers`) is taken as written; a bad layout throws with a
// message that names the hyperparameter.
#include "core/pipeline/pipeline_stages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <string>

#include "core/error.h"

namespace tern {
namespace {

std::int64_t stage_cost(const StageCosts& costs, std::int64_t stage, std::int64_t stages, const StageLayers& layers) {
  return (layers.end_layer - layers.first_layer) * costs.block_parameters + (stage == 0 ? costs.first_stage_extra : 0) +
         (stage == stages - 1 ? costs.last_stage_extra : 0);
}

std::int64_t largest_stage(const StageCosts& costs, const std::vector<StageLayers>& split) {
  const auto stages = static_cast<std::int64_t>(split.size());
  std::int64_t largest = 0;
  for (std::int64_t s = 0; s < stages; ++s)
    largest = std::max(largest, stage_cost(costs, s, stages, split[static_cast<std::size_t>(s)]));
  return largest;
}

// The smallest largest stage over every way of cutting [0, layers) into `stages` non-empty
// contiguous ranges, tried one by one.
std::int64_t brute_force_minimum(const StageCosts& costs, std::int64_t stages) {
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  std::vector<StageLayers> split;
  const std::function<void(std::int64_t)> place = [&](std::int64_t first) {
    if (static_cast<std::int64_t>(split.size()) == stages - 1) {
      split.push_back({first, costs.layers});
      best = std::min(best, largest_stage(costs, split));
      split.pop_back();
      return;
    }
    const std::int64_t stages_after = stages - static_cast<std::int64_t>(split.size()) - 1;
    for (std::int64_t end = first + 1; end <= costs.layers - stages_after; ++end) {
      split.push_back({first, end});
      place(end);
      split.pop_back();
    }
  };
  place(0);
  return best;
}

TEST(BalanceStages, MatchesTheBestOfEveryContiguousSplit) {
  // {layers (set below), one block, embeddings on the first stage, norm and head on the last}
  const StageCosts settings[] = {{0, 10, 0, 0}, {0, 10, 25, 7}, {0, 3, 0, 40}, {0, 1, 100, 100}, {0, 7, 3, 50}};
  for (const StageCosts& setting : settings) {
    for (std::int64_t layers = 1; layers <= 8; ++layers) {
      StageCosts costs = setting;
      costs.layers = layers;
      for (std::int64_t stages = 1; stages <= layers; ++stages) {
        SCOPED_TRACE(::testing::Message() << layers << " layers over " << stages << " stages, block "
                                          << costs.block_parameters << ", first extra " << costs.first_stage_extra
                                          << ", last extra " << costs.last_stage_extra);
        const std::vector<StageLayers> split = balance_stages(costs, stages);
        ASSERT_EQ(static_cast<std::int64_t>(split.size()), stages);
        std::int64_t next = 0;
        for (const StageLayers& stage : split) {
          EXPECT_EQ(stage.first_layer, next);
          EXPECT_LT(stage.first_layer, stage.end_layer);
          next = stage.end_layer;
        }
        EXPECT_EQ(next, layers);
        EXPECT_EQ(largest_stage(costs, split), brute_force_minimum(costs, stages));
      }
    }
  }
}

TEST(BalanceStages, LaterStagesTakeFewerBlocksOnATie) {
  const std::vector<StageLayers> expected = {{0, 3}, {3, 5}};
  EXPECT_EQ(balance_stages({5, 10, 0, 0}, 2), expected);
}

TEST(BalanceStages, RejectsMoreStagesThanLayersAndFewerThanOne) {
  for (const std::int64_t stages : {5, 0, -1}) {
    try {
      balance_stages({4, 10, 0, 0}, stages);
      ADD_FAILURE() << "pp=" << stages << " for 4 layers was accepted";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("pp must be at most n_layer"), std::string::npos) << error.what();
    }
  }
}

// The message of the Error `stages_from_counts(counts, layers, stages)` throws ("" if none).
std::string error_of(const std::vector<std::int64_t>& counts, std::int64_t layers, std::int64_t stages) {
  try {
    stages_from_counts(counts, layers, stages);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(StagesFromCounts, TakesTheCountsAsWritten) {
  const std::vector<StageLayers> expected = {{0, 3}, {3, 8}};
  EXPECT_EQ(stages_from_counts({3, 5}, 8, 2), expected);
  const std::vector<StageLayers> one_each = {{0, 1}, {1, 2}, {2, 3}};
  EXPECT_EQ(stages_from_counts({1, 1, 1}, 3, 3), one_each);
}

TEST(StagesFromCounts, RejectsAWrongNumberOfStagesAnEmptyStageAndAWrongTotal) {
  EXPECT_NE(error_of({3, 5}, 8, 3).find("stage_layers"), std::string::npos);     // 2 counts for pp=3
  EXPECT_NE(error_of({0, 8}, 8, 2).find("stage_layers"), std::string::npos);     // an empty stage
  EXPECT_NE(error_of({3, 4}, 8, 2).find("stage_layers"), std::string::npos);     // adds up to 7
  EXPECT_NE(error_of({3, 5}, 8, 9).find("pp must be at most n_layer"), std::string::npos);
}

}  // namespace
}  // namespace tern
