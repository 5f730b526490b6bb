// CheckpointStore on one process: a saved state reads back exactly; only the newest `keep`
// checkpoints stay, and only after the new one is complete; a checkpoint damaged in each way a
// crash or a disk can damage it (a truncated file, a flipped byte, no manifest, an interrupted
// save left as .partial, a manifest for another step) is skipped, named with its cause, and
// the newest good one is loaded instead. The CRC-32 is zlib's, checked on a known value.
#include "core/io/checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace tern {
namespace {

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("tern-checkpoint-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
               std::to_string(getpid()));
    std::filesystem::remove_all(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  // A state that says which step wrote it.
  static ModelFile state_at(std::int64_t step) {
    ModelFile state;
    state.algorithm = "test";
    state.attributes = {{"step", step}, {"rng", {1, 2, step}}};
    state.tensors.emplace("parameters/w", Tensor::from_values({2, 2}, std::vector<float>{1, 2, 3, float(step)}));
    state.tensors.emplace("optimizer/m", Tensor::from_values({3}, std::vector<float>{0.5f, -0.5f, float(step)}));
    return state;
  }

  // Loads the newest good checkpoint and keeps what was reported as skipped.
  std::optional<LoadedCheckpoint> load(CheckpointStore& store) {
    skipped_.clear();
    return store.load_latest([&](const std::string& message) { skipped_.push_back(message); });
  }

  std::filesystem::path folder_;
  LocalCommunicator one_rank_;
  std::vector<std::string> skipped_;
};

TEST_F(CheckpointStoreTest, ASavedStateReadsBackExactly) {
  CheckpointStore store(folder_, one_rank_, 2);
  EXPECT_FALSE(load(store).has_value());  // nothing yet
  store.save(7, {{"dp", 1}, {"tp", 1}, {"pp", 1}}, state_at(7));
  const auto loaded = load(store);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->step, 7);
  EXPECT_EQ(loaded->layout, (nlohmann::json{{"dp", 1}, {"tp", 1}, {"pp", 1}}));
  const ModelFile state = loaded->read(0);
  EXPECT_EQ(state.attributes, state_at(7).attributes);
  for (const auto& [name, tensor] : state_at(7).tensors) {
    const Tensor& read = state.tensor(name);
    ASSERT_EQ(read.shape(), tensor.shape());
    for (std::int64_t i = 0; i < tensor.numel(); ++i) EXPECT_EQ(read.data<float>()[i], tensor.data<float>()[i]);
  }
  EXPECT_TRUE(skipped_.empty());
  EXPECT_TRUE(std::filesystem::exists(folder_ / "step-7" / "manifest.json"));
  EXPECT_EQ(store.verify(7), "");
}

TEST_F(CheckpointStoreTest, KeepsTheNewestOnesOnly) {
  CheckpointStore store(folder_, one_rank_, 2);
  for (const std::int64_t step : {10, 20, 30, 40}) store.save(step, {}, state_at(step));
  EXPECT_EQ(store.steps(), (std::vector<std::int64_t>{30, 40}));
  EXPECT_EQ(load(store)->step, 40);
  store.save(40, {}, state_at(40));  // the same step again replaces it
  EXPECT_EQ(store.steps(), (std::vector<std::int64_t>{30, 40}));
  EXPECT_THROW(CheckpointStore(folder_, one_rank_, 0), Error);
}

TEST_F(CheckpointStoreTest, DamagedCheckpointsAreNamedAndSkipped) {
  CheckpointStore store(folder_, one_rank_, 10);
  for (const std::int64_t step : {1, 2, 3, 4, 5, 6}) store.save(step, {}, state_at(step));
  const auto file = [&](std::int64_t step) { return folder_ / ("step-" + std::to_string(step)) / "rank-0.h5"; };
  // 6: truncated; 5: one byte flipped; 4: no manifest; 3: a manifest that claims another step.
  std::filesystem::resize_file(file(6), std::filesystem::file_size(file(6)) / 2);
  {
    std::fstream bytes(file(5), std::ios::in | std::ios::out | std::ios::binary);
    bytes.seekg(static_cast<std::streamoff>(std::filesystem::file_size(file(5)) - 20));
    char byte = 0;
    bytes.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    bytes.seekp(static_cast<std::streamoff>(std::filesystem::file_size(file(5)) - 20));
    bytes.write(&byte, 1);
  }
  std::filesystem::remove(folder_ / "step-4" / "manifest.json");
  {
    std::ifstream in(folder_ / "step-3" / "manifest.json");
    nlohmann::json manifest = nlohmann::json::parse(in);
    manifest["step"] = 33;
    std::ofstream(folder_ / "step-3" / "manifest.json") << manifest.dump();
  }
  // An interrupted save of step 7: its folder never got its final name.
  std::filesystem::create_directories(folder_ / "step-7.partial");
  std::ofstream(folder_ / "step-7.partial" / "rank-0.h5") << "half a file";

  const auto loaded = load(store);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->step, 2);
  EXPECT_EQ(loaded->read(0).attributes.at("step"), 2);
  ASSERT_EQ(skipped_.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"step-6", "rank-0.h5 has"},
      {"step-5", "rank-0.h5 does not match its checksum"},
      {"step-4", "no manifest.json"},
      {"step-3", "its manifest says step 33"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NE(skipped_[i].find(expected[i].first + " skipped: " + expected[i].second), std::string::npos)
        << skipped_[i];
  }
  // The skipped ones are moved aside, so that the resumed job's new checkpoints are the newest.
  EXPECT_EQ(store.steps(), (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(std::filesystem::exists(folder_ / "step-6.rejected" / "rank-0.h5"));
  // The next save clears the interrupted one's leftovers.
  store.save(8, {}, state_at(8));
  EXPECT_FALSE(std::filesystem::exists(folder_ / "step-7.partial"));
}

TEST_F(CheckpointStoreTest, EachRanksStateIsReadByRank) {
  CheckpointStore store(folder_, one_rank_, 1);
  store.save(3, {}, state_at(3));
  // Rewrite the manifest as a 2-rank job's (with a second file), as if the job had been larger.
  std::filesystem::copy_file(folder_ / "step-3" / "rank-0.h5", folder_ / "step-3" / "rank-1.h5");
  std::ifstream in(folder_ / "step-3" / "manifest.json");
  nlohmann::json manifest = nlohmann::json::parse(in);
  manifest["ranks"] = 2;
  manifest["files"]["rank-1.h5"] = manifest["files"]["rank-0.h5"];
  std::ofstream(folder_ / "step-3" / "manifest.json") << manifest.dump();
  const auto loaded = load(store);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->ranks, 2);
  EXPECT_EQ(loaded->read(1).attributes.at("step"), 3);
  try {
    loaded->read(2);
    ADD_FAILURE() << "a 2-rank checkpoint gave the state of rank 2";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("holds the state of 2 rank(s); there is none of rank 2"), std::string::npos)
        << error.what();
  }
}

TEST(FileCrc32, IsZlibsCrc32) {
  const auto path = std::filesystem::temp_directory_path() / ("tern-crc-" + std::to_string(getpid()));
  std::ofstream(path) << "123456789";
  EXPECT_EQ(file_crc32(path), 0xCBF43926u);  // the CRC-32 check value
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace tern
