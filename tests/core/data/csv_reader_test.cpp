#include "core/data/csv_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;
using testing::TemporaryFolder;
using testing::write_text_file;

TEST(CsvDenseReader, ReadsLabelFirstRows) {
  TemporaryFolder folder;
  write_text_file(folder / "small.csv", "1,0.5,-2\n0,3e2,+4.25\r\n\n  \n2,.5, 7 \n");
  CsvDenseReader reader(folder / "small.csv");
  ASSERT_EQ(reader.num_rows(), 3);
  ASSERT_EQ(reader.num_features(), 2);
  std::vector<float> features(6), labels(3);
  reader.read_rows(0, 3, features.data(), labels.data());
  EXPECT_EQ(labels, (std::vector<float>{1, 0, 2}));
  EXPECT_EQ(features, (std::vector<float>{0.5f, -2, 300, 4.25f, 0.5f, 7}));
}

TEST(CsvDenseReader, EmptyFieldsAndNanAreMissingValues) {
  TemporaryFolder folder;
  write_text_file(folder / "missing.csv", "1,,nan\nNaN,2,3");
  CsvDenseReader reader(folder / "missing.csv");
  std::vector<float> features(4), labels(2);
  reader.read_rows(0, 2, features.data(), labels.data());
  EXPECT_TRUE(std::isnan(features[0]));
  EXPECT_TRUE(std::isnan(features[1]));
  EXPECT_TRUE(std::isnan(labels[1]));
  EXPECT_EQ(features[3], 3.0f);
}

TEST(CsvDenseReader, RangesAndRowListsMatchTheFullRead) {
  TemporaryFolder folder;
  std::string text;
  for (int row = 0; row < 50; ++row)
    text += std::to_string(row % 3) + "," + std::to_string(row) + "," + std::to_string(-row) + "\n";
  write_text_file(folder / "rows.csv", text);
  CsvDenseReader reader(folder / "rows.csv");
  std::vector<float> all_features(100), all_labels(50);
  reader.read_rows(0, 50, all_features.data(), all_labels.data());

  std::vector<float> features(2 * 7), labels(7);
  reader.read_rows(20, 27, features.data(), labels.data());
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(labels[i], all_labels[20 + i]);
    EXPECT_EQ(features[2 * i + 1], all_features[2 * (20 + i) + 1]);
  }

  const std::vector<std::int64_t> rows = {49, 3, 4, 5, 3, 0, 17};
  reader.read_row_list(rows, features.data(), labels.data());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(labels[i], all_labels[rows[i]]);
    EXPECT_EQ(features[2 * i], all_features[2 * rows[i]]);
    EXPECT_EQ(features[2 * i + 1], all_features[2 * rows[i] + 1]);
  }
}

TEST(CsvDenseReader, RaggedRowNamesItsLineAndField) {
  TemporaryFolder folder;
  write_text_file(folder / "ragged.csv", "1,2,3\n\n0,4,5\n1,6\n");
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "ragged.csv"); }, {"ragged.csv", "line 4", "field 3"});
  write_text_file(folder / "long.csv", "1,2,3\n0,4,5,6\n");
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "long.csv"); }, {"long.csv", "line 2", "field 4"});
}

TEST(CsvDenseReader, NonNumericFieldNamesItsLineAndField) {
  TemporaryFolder folder;
  write_text_file(folder / "text.csv", "1,2,3\n0,4,5\n1,6,abc\n");
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "text.csv"); },
                          {"text.csv", "line 3", "field 3", "'abc'"});
  write_text_file(folder / "header.csv", "label,x,y\n1,2,3\n");
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "header.csv"); },
                          {"header.csv", "line 1", "field 1", "no header"});
  write_text_file(folder / "overflow.csv", "1,2,1e60\n");
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "overflow.csv"); },
                          {"overflow.csv", "line 1", "field 3"});
}

TEST(CsvDenseReader, EmptyOrMissingFileIsAnError) {
  TemporaryFolder folder;
  write_text_file(folder / "empty.csv", "\n\n");
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "empty.csv"); }, {"empty.csv", "has no rows"});
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "absent.csv"); }, {"no such file: ", "absent.csv"});
  write_text_file(folder / "labels_only.csv", "1\n2\n");
  expect_error_mentioning([&] { CsvDenseReader reader(folder / "labels_only.csv"); },
                          {"labels_only.csv", "line 1", "at least one feature"});
}

}  // namespace
}  // namespace tern
