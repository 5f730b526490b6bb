#include "core/data/hdf5_reader.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <vector>

#include "core/data/hdf5_writer.h"
#include "tests/core/data/data_test_files.h"

namespace tern {
namespace {

using testing::expect_error_mentioning;
using testing::TemporaryFolder;

// Writes `values` as dataset `name` with the given stored type, the way another tool (h5py) might.
template <typename Value>
void write_plain_dataset(hid_t file, const char* name, hid_t stored_type, hid_t memory_type,
                         std::vector<hsize_t> extents, const std::vector<Value>& values) {
  const hid_t space = H5Screate_simple(static_cast<int>(extents.size()), extents.data(), nullptr);
  const hid_t dataset = H5Dcreate2(file, name, stored_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(dataset, 0);
  ASSERT_GE(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  H5Dclose(dataset);
  H5Sclose(space);
}

TEST(Hdf5DenseReader, ReadsWhatTheWriterWrote) {
  TemporaryFolder folder;
  const Dataset written = testing::generated_dataset(1000, 13, 4, 7);
  write_hdf5(written, folder / "data.h5");
  Hdf5DenseReader reader(folder / "data.h5");
  ASSERT_EQ(reader.num_rows(), 1000);
  ASSERT_EQ(reader.num_features(), 13);
  Dataset read = allocate_dataset(1000, 13, reader.source());
  reader.read_rows(0, 1000, read.features.data<float>(), read.labels.data<float>());
  testing::expect_same_rows(written, read);
}

TEST(Hdf5DenseReader, RangesAndRowListsMatchTheFullRead) {
  TemporaryFolder folder;
  const Dataset written = testing::generated_dataset(5000, 6, 3, 11);
  write_hdf5(written, folder / "data.h5");
  Hdf5DenseReader reader(folder / "data.h5");

  Dataset range = allocate_dataset(1234, 6, "range");
  reader.read_rows(3000, 4234, range.features.data<float>(), range.labels.data<float>());
  testing::expect_same_rows(testing::row_slice(written, 3000, 4234), range);

  const std::vector<std::int64_t> rows = {4999, 0, 1, 2, 2, 2500, 17, 4998};
  Dataset gathered = allocate_dataset(static_cast<std::int64_t>(rows.size()), 6, "gathered");
  reader.read_row_list(rows, gathered.features.data<float>(), gathered.labels.data<float>());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto position = static_cast<std::int64_t>(i);
    testing::expect_same_rows(testing::row_slice(written, rows[i], rows[i] + 1),
                              testing::row_slice(gathered, position, position + 1));
  }
}

TEST(Hdf5DenseReader, ConvertsOtherNumericTypesToFloat) {
  TemporaryFolder folder;
  const std::string path = (folder / "typed.h5").string();
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_plain_dataset(file, "/features", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {2, 2},
                      std::vector<double>{0.5, 1.5, -2.0, 8.0});
  write_plain_dataset(file, "/labels", H5T_STD_I32LE, H5T_NATIVE_INT32, {2}, std::vector<std::int32_t>{3, 7});
  H5Fclose(file);

  Hdf5DenseReader reader(path);
  std::vector<float> features(4), labels(2);
  reader.read_rows(0, 2, features.data(), labels.data());
  EXPECT_EQ(features, (std::vector<float>{0.5f, 1.5f, -2.0f, 8.0f}));
  EXPECT_EQ(labels, (std::vector<float>{3.0f, 7.0f}));
}

TEST(Hdf5DenseReader, MissingDatasetNamesFileAndDataset) {
  TemporaryFolder folder;
  const std::string path = (folder / "no_labels.h5").string();
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_plain_dataset(file, "/features", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1, 2}, std::vector<float>{1, 2});
  H5Fclose(file);
  expect_error_mentioning([&] { Hdf5DenseReader reader(path); }, {"no_labels.h5", "/labels"});
}

TEST(Hdf5DenseReader, MismatchedRowCountsAreAnError) {
  TemporaryFolder folder;
  const std::string path = (folder / "short_labels.h5").string();
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_plain_dataset(file, "/features", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {2, 1}, std::vector<float>{1, 2});
  write_plain_dataset(file, "/labels", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, std::vector<float>{1});
  H5Fclose(file);
  expect_error_mentioning([&] { Hdf5DenseReader reader(path); },
                          {"short_labels.h5", "/features has 2 rows", "/labels has 1"});
}

TEST(Hdf5DenseReader, MissingOrCorruptFileIsAnError) {
  TemporaryFolder folder;
  expect_error_mentioning([&] { Hdf5DenseReader reader(folder / "absent.h5"); }, {"no such file: ", "absent.h5"});
  testing::write_text_file(folder / "not_hdf5.h5", "1,2,3\n");
  expect_error_mentioning([&] { Hdf5DenseReader reader(folder / "not_hdf5.h5"); },
                          {"cannot open HDF5 file", "not_hdf5.h5"});
}

}  // namespace
}  // namespace tern
