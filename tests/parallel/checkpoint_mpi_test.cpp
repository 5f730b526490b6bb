// CheckpointStore on 1-4 ranks: every rank saves a state of its own and reads back exactly its
// own; the manifest lists every rank's file; when one rank's file of the newest checkpoint is
// damaged, rank 0 names it and every rank loads the previous checkpoint, all the same step.
#include "core/io/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/parallel/mpi_test_world.h"

namespace tern {
namespace {

using testing::test_world;

// A state that says which rank and step wrote it.
ModelFile state_of(int rank, std::int64_t step) {
  ModelFile state;
  state.algorithm = "test";
  state.attributes = {{"rank", rank}, {"step", step}};
  state.tensors.emplace("values", Tensor::from_values({3}, std::vector<float>{float(rank), float(step), 0.25f}));
  return state;
}

// One folder for every rank: rank 0's process id, broadcast.
std::filesystem::path shared_folder(Communicator& world, const std::string& name) {
  std::int64_t id = getpid();
  world.broadcast(&id, sizeof id, 0);
  return std::filesystem::temp_directory_path() / ("tern-" + name + "-" + std::to_string(id));
}

TEST(CheckpointStoreRanks, EachRankReadsBackItsOwnState) {
  Communicator& world = test_world();
  const auto folder = shared_folder(world, "checkpoint-ranks");
  CheckpointStore store(folder, world, 2);
  store.save(5, {{"dp", world.size()}}, state_of(world.rank(), 5));
  std::vector<std::string> skipped;
  const auto loaded = store.load_latest([&](const std::string& message) { skipped.push_back(message); });
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->step, 5);
  EXPECT_EQ(loaded->layout.at("dp"), world.size());
  EXPECT_EQ(loaded->read(world.rank()).attributes.at("rank"), world.rank());
  EXPECT_EQ(loaded->read(world.rank()).tensor("values").data<float>()[0], float(world.rank()));
  EXPECT_TRUE(skipped.empty());
  std::ifstream in(folder / "step-5" / "manifest.json");
  EXPECT_EQ(nlohmann::json::parse(in).at("files").size(), static_cast<std::size_t>(world.size()));
  world.barrier();
  if (world.rank() == 0) std::filesystem::remove_all(folder);
}

TEST(CheckpointStoreRanks, ADamagedRankFileSendsEveryRankToThePreviousCheckpoint) {
  Communicator& world = test_world();
  const auto folder = shared_folder(world, "checkpoint-damaged");
  CheckpointStore store(folder, world, 3);
  store.save(1, {}, state_of(world.rank(), 1));
  store.save(2, {}, state_of(world.rank(), 2));
  const int last = world.size() - 1;
  if (world.rank() == last) {  // the last rank's file of step 2 loses its tail
    const auto file = folder / "step-2" / ("rank-" + std::to_string(last) + ".h5");
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 1);
  }
  world.barrier();
  std::vector<std::string> skipped;
  const auto loaded = store.load_latest([&](const std::string& message) { skipped.push_back(message); });
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->step, 1);
  EXPECT_EQ(loaded->read(world.rank()).attributes.at("rank"), world.rank());
  if (world.rank() == 0) {
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_NE(skipped[0].find("step-2 skipped: rank-" + std::to_string(last) + ".h5 has"), std::string::npos)
        << skipped[0];
  }
  world.barrier();
  if (world.rank() == 0) std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace tern
