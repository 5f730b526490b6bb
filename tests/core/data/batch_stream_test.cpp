#include "core/data/batch_stream.h"

#include <gtest/gtest.h>

#include <cstring>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

#include "core/data/dense_writer.h"
#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;
using testing::TemporaryFolder;

// Rows in memory behind the plain DenseReader interface, counting the batches gathered, and
// failing on the gather numbered `failing_gather` (0-based) when asked to.
class CountingReader final : public DenseReader {
 public:
  explicit CountingReader(Dataset rows, int failing_gather = -1)
      : rows_(std::move(rows)), failing_gather_(failing_gather) {}

  std::int64_t num_rows() const override { return rows_.num_rows(); }
  std::int64_t num_features() const override { return rows_.num_features(); }
  const std::string& source() const override { return rows_.source(); }
  int gathers() const { return gathers_; }

 protected:
  void read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) override {
    rows_.read_rows(begin, end, features, labels);
  }
  void gather_rows(std::span<const std::int64_t> rows, float* features, float* labels) override {
    TERN_CHECK(gathers_++ != failing_gather_, "disk failure in ", source());
    DenseReader::gather_rows(rows, features, labels);
  }

 private:
  InMemoryReader rows_;
  int failing_gather_;
  std::atomic<int> gathers_{0};
};

std::vector<Batch> all_batches(BatchStream& stream) {
  std::vector<Batch> batches;
  for (Batch batch; stream.next(batch);) batches.push_back(batch);
  EXPECT_EQ(static_cast<std::int64_t>(batches.size()), stream.num_batches());
  return batches;
}

void expect_same_batches(const std::vector<Batch>& expected, const std::vector<Batch>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i].first_position, actual[i].first_position);
    EXPECT_TRUE(testing::same_bits(expected[i].features, actual[i].features)) << "batch " << i;
    EXPECT_TRUE(testing::same_bits(expected[i].labels, actual[i].labels)) << "batch " << i;
  }
}

std::size_t batch_bytes(std::int64_t batch_rows, std::int64_t num_features) {
  return static_cast<std::size_t>(batch_rows * (num_features + 1)) * sizeof(float);
}

TEST(EpochPlan, ShuffledOrderCoversEveryRowOnce) {
  const EpochPlan plan{.row_begin = 100, .row_end = 1100, .batch_rows = 32, .seed = 7, .epoch = 3};
  std::vector<std::int64_t> order = plan.row_order();
  EXPECT_EQ(order, plan.row_order());
  std::vector<std::int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 100);
  EXPECT_NE(order, expected);
  EXPECT_NE(order, (EpochPlan{.row_begin = 100, .row_end = 1100, .batch_rows = 32, .seed = 7, .epoch = 4}.row_order()));
  EXPECT_NE(order, (EpochPlan{.row_begin = 100, .row_end = 1100, .batch_rows = 32, .seed = 8, .epoch = 3}.row_order()));
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, expected);
  EXPECT_EQ((EpochPlan{.row_begin = 100, .row_end = 1100, .shuffle = false}.row_order()), expected);
}

TEST(EpochPlan, CountsBatchesWithAndWithoutTheLastPartialOne) {
  EXPECT_EQ((EpochPlan{.row_end = 10, .batch_rows = 3}.num_batches()), 4);
  EXPECT_EQ((EpochPlan{.row_end = 10, .batch_rows = 3, .drop_last = true}.num_batches()), 3);
  EXPECT_EQ((EpochPlan{.row_end = 9, .batch_rows = 3, .drop_last = true}.num_batches()), 3);
  EXPECT_EQ((EpochPlan{.row_end = 2, .batch_rows = 3, .drop_last = true}.num_batches()), 0);
}

TEST(BatchStream, BatchesAreConsecutiveSlicesOfTheEpochOrder) {
  const Dataset rows = testing::generated_dataset(100, 3, 2, 9);
  CountingReader reader(rows);
  const EpochPlan plan{.row_begin = 10, .row_end = 100, .batch_rows = 16, .seed = 5, .epoch = 1};
  BatchStream stream(reader, plan, IngestionMode::file, 0);
  const std::vector<std::int64_t> order = plan.row_order();
  std::int64_t position = 0;
  for (const Batch& batch : all_batches(stream)) {
    EXPECT_EQ(batch.first_position, position);
    EXPECT_EQ(batch.features.dim(0), std::min<std::int64_t>(16, 90 - position));
    for (std::int64_t row = 0; row < batch.features.dim(0); ++row)  // feature 0 holds the row index
      EXPECT_EQ(batch.features.data<float>()[row * 3], static_cast<float>(order[static_cast<std::size_t>(position++)]));
  }
  EXPECT_EQ(position, 90);
}

// Data parallelism over replicated data: the slices 0..W-1 of each batch, laid end to end, are
// the whole batch, in both modes and also for the last, partial batch.
TEST(BatchStream, SlicesOfEveryBatchTogetherAreTheWholeBatch) {
  const Dataset rows = testing::generated_dataset(203, 5, 3, 9);
  InMemoryReader reader(rows);
  const EpochPlan whole_plan{.row_begin = 0, .row_end = 203, .batch_rows = 24, .seed = 4, .epoch = 1};
  BatchStream whole_stream(rows, whole_plan);
  const std::vector<Batch> whole = all_batches(whole_stream);
  for (int slices : {1, 2, 3, 4}) {
    std::vector<std::vector<Batch>> per_slice;
    for (int slice = 0; slice < slices; ++slice) {
      EpochPlan plan = whole_plan;
      plan.slice_index = slice;
      plan.slice_count = slices;
      BatchStream stream(reader, plan, slice % 2 == 0 ? IngestionMode::file : IngestionMode::pipe, 1 << 20);
      per_slice.push_back(all_batches(stream));
    }
    for (std::size_t b = 0; b < whole.size(); ++b) {
      std::int64_t row = 0;
      for (int slice = 0; slice < slices; ++slice) {
        const Batch& part = per_slice[static_cast<std::size_t>(slice)][b];
        EXPECT_EQ(part.first_position, whole[b].first_position + row);
        for (std::int64_t r = 0; r < part.labels.numel(); ++r, ++row) {
          ASSERT_EQ(part.labels.data<float>()[r], whole[b].labels.data<float>()[row]) << "batch " << b;
          ASSERT_EQ(std::memcmp(part.features.data<float>() + r * 5, whole[b].features.data<float>() + row * 5,
                                5 * sizeof(float)),
                    0)
              << "batch " << b << " row " << row;
        }
      }
      EXPECT_EQ(row, whole[b].labels.numel()) << slices << " slices of batch " << b;
    }
  }
}

TEST(BatchStream, PipeAndFileModesYieldIdenticalBatches) {
  TemporaryFolder folder;
  const Dataset rows = testing::generated_dataset(1003, 7, 4, 3);
  write_dataset(rows, folder / "rows.h5");
  write_dataset(rows, folder / "rows.csv");
  const Dataset loaded = load_dataset(folder / "rows.h5", 50, 1003);
  const std::int64_t batch_rows = 64;
  for (const char* name : {"rows.h5", "rows.csv"}) {
    const std::unique_ptr<DenseReader> reader = open_dense_reader(folder / name);
    for (std::uint64_t seed : {1, 2, 3})
      for (std::uint64_t epoch : {0, 1, 2}) {
        const EpochPlan plan{.row_begin = 50,
                             .row_end = 1003,
                             .batch_rows = batch_rows,
                             .seed = seed,
                             .epoch = epoch,
                             .drop_last = epoch == 1};
        BatchStream file_stream(*reader, plan, IngestionMode::file, 0);
        const std::vector<Batch> expected = all_batches(file_stream);
        BatchStream loaded_stream(loaded, plan);
        expect_same_batches(expected, all_batches(loaded_stream));
        // Room for one batch, then for two.
        for (std::size_t bound : {batch_bytes(batch_rows, 7) * 3 / 2, batch_bytes(batch_rows, 7) * 2}) {
          BatchStream pipe_stream(*reader, plan, IngestionMode::pipe, bound);
          expect_same_batches(expected, all_batches(pipe_stream));
        }
      }
  }
}

// A job resumed in the middle of an epoch: from first_batch on, every mode yields exactly the
// batches of the whole epoch, and pipe mode never reads the skipped ones.
TEST(BatchStream, AResumedEpochStartsAtItsFirstBatch) {
  const Dataset rows = testing::generated_dataset(500, 5, 3, 9);
  CountingReader reader(rows);
  EpochPlan plan{.row_end = 500, .batch_rows = 32, .seed = 4, .epoch = 2};  // 16 batches, the last of 20 rows
  BatchStream whole(reader, plan, IngestionMode::file, 0);
  const std::vector<Batch> all = all_batches(whole);
  plan.first_batch = 6;
  const std::vector<Batch> rest(all.begin() + 6, all.end());
  const auto remaining_batches = [](BatchStream& stream) {
    std::vector<Batch> batches;
    for (Batch batch; stream.next(batch);) batches.push_back(batch);
    return batches;
  };
  BatchStream file_stream(reader, plan, IngestionMode::file, 0);
  expect_same_batches(rest, remaining_batches(file_stream));
  BatchStream loaded_stream(rows, plan);
  expect_same_batches(rest, remaining_batches(loaded_stream));
  CountingReader counting(rows);
  BatchStream pipe_stream(counting, plan, IngestionMode::pipe, 1 << 20);
  expect_same_batches(rest, remaining_batches(pipe_stream));
  EXPECT_EQ(counting.gathers(), static_cast<int>(rest.size()));

  plan.first_batch = plan.num_batches() + 1;
  expect_error_mentioning([&] { BatchStream stream(reader, plan, IngestionMode::file, 0); },
                          {"first batch 17", "of 16 batches"});
}

// Waits (up to 10 s) until the prefetch thread has gathered `expected` batches, then a little
// longer to see that it gathers no more while the queue is full.
void expect_gathers_settle_at(const CountingReader& reader, int expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (reader.gathers() < expected && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(reader.gathers(), expected);
}

TEST(BatchStream, PrefetchStaysWithinTheMemoryBound) {
  for (int batches_allowed : {1, 2}) {
    CountingReader reader(testing::generated_dataset(1000, 4, 2, 1));
    const EpochPlan plan{.row_end = 1000, .batch_rows = 10, .seed = 2};
    BatchStream stream(reader, plan, IngestionMode::pipe, batch_bytes(10, 4) * batches_allowed + 10);
    expect_gathers_settle_at(reader, batches_allowed);
    Batch batch;
    ASSERT_TRUE(stream.next(batch));
    expect_gathers_settle_at(reader, batches_allowed + 1);
  }
}

TEST(BatchStream, DestroyingAPipeStreamEarlyDoesNotHang) {
  CountingReader reader(testing::generated_dataset(5000, 4, 2, 1));
  const EpochPlan plan{.row_end = 5000, .batch_rows = 8, .seed = 2};
  for (int taken = 0; taken < 3; ++taken) {
    BatchStream stream(reader, plan, IngestionMode::pipe, batch_bytes(8, 4));
    Batch batch;
    for (int i = 0; i < taken; ++i) ASSERT_TRUE(stream.next(batch));
  }
}

TEST(BatchStream, PrefetchErrorIsRethrownInNext) {
  CountingReader reader(testing::generated_dataset(100, 4, 2, 1), 2);
  BatchStream stream(reader, EpochPlan{.row_end = 100, .batch_rows = 10, .seed = 2}, IngestionMode::pipe,
                     std::size_t{1} << 20);
  Batch batch;
  EXPECT_TRUE(stream.next(batch));
  EXPECT_TRUE(stream.next(batch));
  expect_error_mentioning([&] { stream.next(batch); }, {"disk failure", "generated"});
}

TEST(BatchStream, ABatchLargerThanTheBoundIsAnError) {
  CountingReader reader(testing::generated_dataset(100, 4, 2, 1));
  expect_error_mentioning(
      [&] { BatchStream stream(reader, EpochPlan{.row_end = 100, .batch_rows = 10}, IngestionMode::pipe, 199); },
      {"one batch of 10 rows", "200 bytes", "memory bound of 199 bytes"});
}

TEST(BatchStream, PlanOutsideTheRowsIsAnError) {
  CountingReader reader(testing::generated_dataset(100, 4, 2, 1));
  expect_error_mentioning(
      [&] { BatchStream stream(reader, EpochPlan{.row_end = 101, .batch_rows = 10}, IngestionMode::file, 0); },
      {"[0, 101)", "100 rows"});
  expect_error_mentioning(
      [&] { BatchStream stream(reader, EpochPlan{.row_end = 100, .batch_rows = 0}, IngestionMode::file, 0); },
      {"batch of 0 rows"});
  const Dataset first_half = testing::row_slice(testing::generated_dataset(100, 4, 2, 1), 0, 50);
  expect_error_mentioning(
      [&] { BatchStream stream(first_half, EpochPlan{.row_begin = 10, .row_end = 60, .batch_rows = 5}); },
      {"loaded rows [0, 50)", "[10, 60)"});
}

TEST(IngestionMode, ParsesFileAndPipe) {
  EXPECT_EQ(parse_ingestion_mode("file"), IngestionMode::file);
  EXPECT_EQ(parse_ingestion_mode("pipe"), IngestionMode::pipe);
  EXPECT_EQ(ingestion_mode_name(IngestionMode::pipe), "pipe");
  expect_error_mentioning([] { parse_ingestion_mode("stream"); }, {"'stream'", "file or pipe"});
}

}  // namespace
}  // namespace tern
