#include "core/data/tools.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <map>
#include <vector>

#include "core/data/dense_reader.h"
#include "core/data/dense_writer.h"
#include "core/data/idx_reader.h"
#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;
using testing::TemporaryFolder;

TEST(Convert, CsvToHdf5AndBack) {
  TemporaryFolder folder;
  const Dataset rows = testing::generated_dataset(200, 6, 3, 4);
  write_dataset(rows, folder / "in.csv");
  convert(folder / "in.csv", folder / "out.h5");
  testing::expect_same_rows(rows, load_dataset(folder / "out.h5"));
  convert(folder / "out.h5", folder / "back.csv");
  EXPECT_EQ(testing::read_text_file(folder / "in.csv"), testing::read_text_file(folder / "back.csv"));
  expect_error_mentioning([&] { convert(folder / "in.csv", folder / "out.json"); }, {"out.json", "'.json'"});
}

TEST(Convert, IdxToHdf5) {
  TemporaryFolder folder;
  const auto write_gzip = [](const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
    gzFile file = gzopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(file);
  };
  write_gzip(folder / "images.gz", {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 10, 20, 30, 40});
  write_gzip(folder / "labels.gz", {0, 0, 8, 1, 0, 0, 0, 2, 7, 3});
  convert_idx(folder / "images.gz", folder / "labels.gz", folder / "mnist.h5");
  const Dataset converted = load_dataset(folder / "mnist.h5");
  testing::expect_same_rows(read_idx(folder / "images.gz", folder / "labels.gz"), converted);
  EXPECT_EQ(converted.features.data<float>()[3], 40.0f);
  EXPECT_EQ(converted.labels.data<float>()[1], 3.0f);
}

// Seven rows: row 2 repeats row 0, row 4 repeats row 0 again, row 6 repeats row 5 (NaN equal to NaN).
constexpr const char* kInspectCsv =
    "1,1,2\n"
    "0,,3\n"
    "1,1,2\n"
    "nan,4,5\n"
    "1,1,2\n"
    "2,nan,nan\n"
    "2,,\n";

TEST(Inspect, CountsMissingValuesDuplicatesAndLabels) {
  TemporaryFolder folder;
  testing::write_text_file(folder / "inspect.csv", kInspectCsv);
  const InspectReport report = inspect(folder / "inspect.csv");
  EXPECT_EQ(report.rows, 7);
  EXPECT_EQ(report.num_features, 2);
  EXPECT_EQ(report.duplicate_rows, 3);
  EXPECT_EQ(report.missing_values, 6);
  EXPECT_EQ(report.labels.missing, 1);
  ASSERT_EQ(report.features.size(), 2u);
  EXPECT_EQ(report.features[0].missing, 3);
  EXPECT_EQ(report.features[1].missing, 2);
  EXPECT_EQ(report.features[0].min, 1.0);
  EXPECT_EQ(report.features[0].max, 4.0);
  EXPECT_DOUBLE_EQ(report.features[0].mean, 7.0 / 4.0);
  EXPECT_DOUBLE_EQ(report.features[1].mean, 14.0 / 5.0);
  ASSERT_TRUE(report.label_counts.has_value());
  EXPECT_EQ(*report.label_counts, (std::map<float, std::int64_t>{{0.0f, 1}, {1.0f, 3}, {2.0f, 2}}));

  const nlohmann::json json = to_json(report);
  EXPECT_EQ(json["duplicate_rows"], 3);
  EXPECT_EQ(json["missing_values"], 6);
  EXPECT_EQ(json["label_counts"]["1"], 3);
  EXPECT_EQ(json["features"].size(), 2u);
  EXPECT_EQ(json["features"][1]["missing"], 2);
  const std::string text = to_text(report);
  for (const char* part : {"7 rows, 2 features", "duplicate rows: 3", "missing values: 6", "1: 3"})
    EXPECT_NE(text.find(part), std::string::npos) << text;
}

TEST(Inspect, SummarisesManyDistinctLabelsInsteadOfCounting) {
  TemporaryFolder folder;
  Dataset rows = testing::generated_dataset(1500, 2, 2, 8);
  for (std::int64_t row = 0; row < 1500; ++row) rows.labels.data<float>()[row] = static_cast<float>(row) * 0.5f;
  write_dataset(rows, folder / "regression.h5");
  const InspectReport report = inspect(folder / "regression.h5");
  EXPECT_FALSE(report.label_counts.has_value());
  EXPECT_EQ(report.labels.min, 0.0);
  EXPECT_EQ(report.labels.max, 749.5);
  EXPECT_DOUBLE_EQ(report.labels.mean, 374.75);
  EXPECT_EQ(report.duplicate_rows, 0);
  EXPECT_TRUE(to_json(report)["label_counts"].is_null());
}

// Every output's rows, found by feature 0 (the input row index of generated_dataset).
std::vector<std::vector<std::int64_t>> input_rows_of(const std::vector<SplitOutput>& outputs) {
  std::vector<std::vector<std::int64_t>> rows_of_output;
  for (const SplitOutput& output : outputs) {
    const Dataset part = load_dataset(output.path);
    rows_of_output.emplace_back();
    for (std::int64_t row = 0; row < part.rows(); ++row)
      rows_of_output.back().push_back(
          static_cast<std::int64_t>(part.features.data<float>()[row * part.num_features()]));
  }
  return rows_of_output;
}

TEST(Split, EveryRowLandsInExactlyOneOutput) {
  TemporaryFolder folder;
  write_dataset(testing::generated_dataset(1000, 3, 4, 6), folder / "all.h5");
  const std::vector<SplitOutput> outputs = {
      {folder / "train.csv", 0.7}, {folder / "validation.h5", 0.2}, {folder / "test.csv", 0.1}};
  EXPECT_EQ(split(folder / "all.h5", outputs, 11, false), (std::vector<std::int64_t>{700, 200, 100}));
  std::vector<std::int64_t> seen;
  for (const std::vector<std::int64_t>& rows : input_rows_of(outputs)) {
    EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));  // input order is kept within an output
    seen.insert(seen.end(), rows.begin(), rows.end());
  }
  std::sort(seen.begin(), seen.end());
  std::vector<std::int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(seen, expected);
}

TEST(Split, StratifiedKeepsClassProportionsWithinOneRow) {
  TemporaryFolder folder;
  const Dataset rows = testing::generated_dataset(997, 3, 5, 2);
  write_dataset(rows, folder / "all.csv");
  const std::vector<SplitOutput> outputs = {
      {folder / "train.h5", 0.6}, {folder / "validation.h5", 0.25}, {folder / "test.h5", 0.15}};
  split(folder / "all.csv", outputs, 3, true);

  std::map<float, std::int64_t> class_rows;
  for (float label : rows.labels.values()) ++class_rows[label];
  const std::vector<std::vector<std::int64_t>> rows_of_output = input_rows_of(outputs);
  std::vector<std::int64_t> seen;
  for (std::size_t output = 0; output < outputs.size(); ++output) {
    std::map<float, std::int64_t> output_class_rows;
    for (std::int64_t row : rows_of_output[output]) ++output_class_rows[rows.labels.data<float>()[row]];
    for (const auto& [label, count] : class_rows)
      EXPECT_LE(std::abs(static_cast<double>(output_class_rows[label]) - outputs[output].fraction * count), 1.0)
          << "class " << label << " in output " << output;
    seen.insert(seen.end(), rows_of_output[output].begin(), rows_of_output[output].end());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.size(), 997u);
}

TEST(Split, IsDeterministicForASeed) {
  TemporaryFolder folder;
  write_dataset(testing::generated_dataset(300, 2, 3, 5), folder / "all.csv");
  const auto split_with_seed = [&](std::uint64_t seed, const char* prefix) {
    const std::vector<SplitOutput> outputs = {{folder / (std::string(prefix) + "train.csv"), 0.8},
                                              {folder / (std::string(prefix) + "test.csv"), 0.2}};
    split(folder / "all.csv", outputs, seed, true);
    return testing::read_text_file(outputs[1].path);
  };
  EXPECT_EQ(split_with_seed(1, "a_"), split_with_seed(1, "b_"));
  EXPECT_NE(split_with_seed(1, "a_"), split_with_seed(2, "c_"));
}

TEST(Split, BadFractionsAreAnError) {
  TemporaryFolder folder;
  write_dataset(testing::generated_dataset(10, 2, 2, 5), folder / "all.csv");
  const std::vector<SplitOutput> uneven = {{folder / "a.csv", 0.5}, {folder / "b.csv", 0.4}};
  expect_error_mentioning([&] { split(folder / "all.csv", uneven, 1, false); }, {"all.csv", "sum to 0.9"});
  const std::vector<SplitOutput> negative = {{folder / "a.csv", 1.5}, {folder / "b.csv", -0.5}};
  expect_error_mentioning([&] { split(folder / "all.csv", negative, 1, false); }, {"b.csv", "must be positive"});
}

}  // namespace
}  // namespace tern
