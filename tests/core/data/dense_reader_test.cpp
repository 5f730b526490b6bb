#include "core/data/dense_reader.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/data/dense_writer.h"
#include "core/data/in_memory_reader.h"
#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;
using testing::TemporaryFolder;

// Every reader, whatever its format, must give the rows that were written.
class EveryFormat : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryFormat, RangesAndRowListsMatchTheWrittenRows) {
  TemporaryFolder folder;
  const Dataset written = testing::generated_dataset(300, 5, 3, 21);
  const std::filesystem::path path = folder / (std::string("rows.") + GetParam());
  write_dataset(written, path);
  const std::unique_ptr<DenseReader> reader = open_dense_reader(path);
  EXPECT_EQ(reader->source(), path.string());
  ASSERT_EQ(reader->num_rows(), 300);
  ASSERT_EQ(reader->num_features(), 5);

  testing::expect_same_rows(written, read_dataset(*reader, 0, 300));
  testing::expect_same_rows(testing::row_slice(written, 100, 161), read_dataset(*reader, 100, 161));

  const std::vector<std::int64_t> rows = {299, 5, 6, 7, 5, 0, 150, 151, 1};
  Dataset gathered = allocate_dataset(static_cast<std::int64_t>(rows.size()), 5, "gathered");
  reader->read_row_list(rows, gathered.features.data<float>(), gathered.labels.data<float>());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto position = static_cast<std::int64_t>(i);
    testing::expect_same_rows(testing::row_slice(written, rows[i], rows[i] + 1),
                              testing::row_slice(gathered, position, position + 1));
  }
}

TEST_P(EveryFormat, RowsOutOfRangeAreAnError) {
  TemporaryFolder folder;
  const std::filesystem::path path = folder / (std::string("rows.") + GetParam());
  write_dataset(testing::generated_dataset(10, 2, 2, 1), path);
  const std::unique_ptr<DenseReader> reader = open_dense_reader(path);
  std::vector<float> features(40), labels(20);
  expect_error_mentioning([&] { reader->read_rows(5, 11, features.data(), labels.data()); },
                          {"rows [5, 11)", "10 rows"});
  const std::vector<std::int64_t> rows = {3, 10};
  expect_error_mentioning([&] { reader->read_row_list(rows, features.data(), labels.data()); }, {"row 10", "rows."});
}

INSTANTIATE_TEST_SUITE_P(DenseReader, EveryFormat, ::testing::Values("csv", "h5", "hdf5"));

TEST(InMemoryReader, GathersRowsInTheListedOrder) {
  const Dataset rows = testing::generated_dataset(20, 3, 2, 5);
  InMemoryReader reader(rows);
  const std::vector<std::int64_t> order = {19, 0, 19, 7};
  Dataset gathered = allocate_dataset(4, 3, "gathered");
  reader.read_row_list(order, gathered.features.data<float>(), gathered.labels.data<float>());
  for (std::int64_t i = 0; i < 4; ++i)
    testing::expect_same_rows(
        testing::row_slice(rows, order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(i)] + 1),
        testing::row_slice(gathered, i, i + 1));
}

TEST(OpenDenseReader, ChoosesByExtensionAndRejectsOthers) {
  TemporaryFolder folder;
  testing::write_text_file(folder / "data.txt", "1,2\n");
  expect_error_mentioning([&] { open_dense_reader(folder / "data.txt"); }, {"data.txt", "'.txt'", ".csv"});
  expect_error_mentioning([&] { open_dense_reader(folder / "absent.csv"); }, {"no such file: ", "absent.csv"});
  expect_error_mentioning([&] { open_dense_reader(folder / "absent.h5"); }, {"no such file: ", "absent.h5"});
  expect_error_mentioning([&] { open_dense_reader(folder / "absent.parquet"); }, {"no such file: ", "absent.parquet"});
  testing::write_text_file(folder / "upper.CSV", "1,2\n");
  EXPECT_EQ(open_dense_reader(folder / "upper.CSV")->num_rows(), 1);
}

TEST(LoadDataset, ReadsARangeOrToTheEnd) {
  TemporaryFolder folder;
  const Dataset written = testing::generated_dataset(40, 4, 2, 3);
  write_dataset(written, folder / "data.h5");
  const Dataset tail = load_dataset(folder / "data.h5", 30);
  EXPECT_EQ(tail.first_row, 30);
  EXPECT_EQ(tail.source, (folder / "data.h5").string());
  testing::expect_same_rows(testing::row_slice(written, 30, 40), tail);
  testing::expect_same_rows(testing::row_slice(written, 2, 9), load_dataset(folder / "data.h5", 2, 9));
  testing::expect_same_rows(written, load_dataset(folder / "data.h5"));
  expect_error_mentioning([&] { load_dataset(folder / "data.h5", 10, 41); }, {"rows [10, 41)", "data.h5"});
}

}  // namespace
}  // namespace tern
