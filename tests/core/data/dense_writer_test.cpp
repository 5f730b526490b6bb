#include "core/data/dense_writer.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/data/dense_reader.h"
#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::TemporaryFolder;

// Values that test shortest round-trip formatting: extremes, subnormals, signed zero, NaN, Inf.
Dataset awkward_values() {
  const std::vector<float> values = {0.1f,
                                     -0.0f,
                                     std::numeric_limits<float>::denorm_min(),
                                     std::numeric_limits<float>::min(),
                                     std::numeric_limits<float>::max(),
                                     std::numeric_limits<float>::lowest(),
                                     1.0f / 3.0f,
                                     16777217.0f,
                                     std::numeric_limits<float>::infinity(),
                                     -1e-40f,
                                     123456.789f,
                                     std::numeric_limits<float>::quiet_NaN()};
  Dataset dataset = allocate_dataset(4, 3, "awkward");
  std::copy(values.begin(), values.end(), dataset.features.data<float>());
  const std::vector<float> labels = {0.0f, 1.0f, 2.5f, -7.0f};
  std::copy(labels.begin(), labels.end(), dataset.labels.data<float>());
  return dataset;
}

TEST(WriteDataset, CsvToHdf5ToCsvIsBitExact) {
  TemporaryFolder folder;
  const Dataset original = testing::generated_dataset(500, 9, 5, 42);
  write_dataset(original, folder / "first.csv");
  write_dataset(load_dataset(folder / "first.csv"), folder / "middle.h5");
  const Dataset through_hdf5 = load_dataset(folder / "middle.h5");
  testing::expect_same_rows(original, through_hdf5);
  write_dataset(through_hdf5, folder / "second.csv");
  EXPECT_EQ(testing::read_text_file(folder / "first.csv"), testing::read_text_file(folder / "second.csv"));
}

TEST(WriteDataset, AwkwardValuesSurviveBothFormats) {
  TemporaryFolder folder;
  const Dataset original = awkward_values();
  for (const char* name : {"awkward.csv", "awkward.h5"}) {
    write_dataset(original, folder / name);
    testing::expect_same_rows(original, load_dataset(folder / name));
  }
}

TEST(WriteDataset, CsvIsLabelFirstWithShortestNumbers) {
  TemporaryFolder folder;
  Dataset dataset = allocate_dataset(2, 2, "tiny");
  const std::vector<float> features = {0.1f, -2.0f, std::nanf(""), 1e-7f};
  std::copy(features.begin(), features.end(), dataset.features.data<float>());
  dataset.labels.data<float>()[0] = 1.0f;
  dataset.labels.data<float>()[1] = 0.0f;
  write_dataset(dataset, folder / "tiny.csv");
  EXPECT_EQ(testing::read_text_file(folder / "tiny.csv"), "1,0.1,-2\n0,nan,1e-07\n");
}

TEST(WriteDataset, Hdf5HasTheDenseLayoutAndNoTemporaryFileStays) {
  TemporaryFolder folder;
  write_dataset(testing::generated_dataset(70, 4, 2, 1), folder / "layout.h5");
  const std::string path = (folder / "layout.h5").string();
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t attribute = H5Aopen(file, "num_features", H5P_DEFAULT);
  ASSERT_GE(attribute, 0);
  std::int64_t num_features = 0;
  EXPECT_GE(H5Aread(attribute, H5T_NATIVE_INT64, &num_features), 0);
  EXPECT_EQ(num_features, 4);
  H5Aclose(attribute);
  for (const char* name : {"/features", "/labels"}) {
    const hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
    EXPECT_GE(dataset, 0) << name;
    H5Dclose(dataset);
  }
  H5Fclose(file);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder.path()), std::filesystem::directory_iterator()),
            1);
}

TEST(WriteDataset, EmptyDataSetRoundTrips) {
  TemporaryFolder folder;
  write_dataset(allocate_dataset(0, 3, "empty"), folder / "empty.h5");
  const Dataset read = load_dataset(folder / "empty.h5");
  EXPECT_EQ(read.rows(), 0);
  EXPECT_EQ(read.num_features(), 3);
}

TEST(WriteDataset, UnsupportedExtensionIsAnError) {
  TemporaryFolder folder;
  testing::expect_error_mentioning(
      [&] { write_dataset(testing::generated_dataset(3, 2, 2, 1), folder / "out.parquet"); },
      {"out.parquet", "'.parquet'"});
}

}  // namespace
}  // namespace tern
