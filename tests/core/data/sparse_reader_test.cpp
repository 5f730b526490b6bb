// Sparse files: libsvm text parsed to CSR (1-based indices, empty rows, comments), a row range,
// HDF5 CSR and libsvm written and read back exactly, the shape without loading, and clear
// errors for malformed lines and out-of-order indices.
#include "core/data/sparse_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace tern {
namespace {

class SparseReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() / ("tern-sparse-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(folder_ / name) << text;
    return folder_ / name;
  }
  std::filesystem::path folder_;
};

TEST_F(SparseReaderTest, ParsesLibsvmRows) {
  const auto path = write("a.libsvm", "# ratings\n4.5 1:1 7:0.25\n3\n\n1 2:2 3:-1 9:1\n");
  EXPECT_TRUE(is_sparse_file(path));
  const SparseRows rows = load_sparse(path);
  ASSERT_EQ(rows.rows(), 3);
  EXPECT_EQ(rows.num_features, 9);
  EXPECT_EQ(rows.offsets, (std::vector<std::int64_t>{0, 2, 2, 5}));
  EXPECT_EQ(rows.indices, (std::vector<std::int64_t>{0, 6, 1, 2, 8}));
  EXPECT_EQ(rows.values, (std::vector<float>{1, 0.25f, 2, -1, 1}));
  EXPECT_EQ(rows.labels, (std::vector<float>{4.5f, 3, 1}));
  const SparseShape shape = sparse_file_shape(path);
  EXPECT_EQ(shape.rows, 3);
  EXPECT_EQ(shape.features, 9);
  EXPECT_EQ(shape.nnz, 5);
  const SparseRows middle = load_sparse(path, 1, 3, 20);
  EXPECT_EQ(middle.rows(), 2);
  EXPECT_EQ(middle.num_features, 20);
  EXPECT_EQ(middle.first_row, 1);
  EXPECT_EQ(middle.row_size(0), 0);
  EXPECT_EQ(middle.row_indices(1)[2], 8);
}

TEST_F(SparseReaderTest, WritesAndReadsBothFormatsExactly) {
  SparseRows rows;
  rows.num_features = 100;
  rows.add_row(1.5f, std::vector<std::int64_t>{3, 99}, std::vector<float>{0.1f, 7});
  rows.add_row(-2, {}, {});
  rows.add_row(0.25f, std::vector<std::int64_t>{0}, std::vector<float>{1e-7f});
  for (const char* name : {"b.h5", "b.libsvm"}) {
    write_sparse(rows, folder_ / name);
    ASSERT_TRUE(is_sparse_file(folder_ / name)) << name;
    const SparseRows back = load_sparse(folder_ / name);
    EXPECT_EQ(back.offsets, rows.offsets) << name;
    EXPECT_EQ(back.indices, rows.indices) << name;
    EXPECT_EQ(back.values, rows.values) << name;
    EXPECT_EQ(back.labels, rows.labels) << name;
    EXPECT_EQ(back.num_features, 100) << name;
    const SparseRows tail = load_sparse(folder_ / name, 2);
    EXPECT_EQ(tail.indices, (std::vector<std::int64_t>{0})) << name;
    EXPECT_EQ(tail.offsets, (std::vector<std::int64_t>{0, 1})) << name;
  }
  const SparseRows selected = rows.select(std::vector<std::int64_t>{2, 0});
  EXPECT_EQ(selected.labels, (std::vector<float>{0.25f, 1.5f}));
  EXPECT_EQ(selected.indices, (std::vector<std::int64_t>{0, 3, 99}));
}

TEST_F(SparseReaderTest, MalformedFilesFailNamingTheLine) {
  const auto fails = [&](const std::string& text, const std::string& message) {
    try {
      load_sparse(write("bad.libsvm", text));
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
    }
  };
  fails("1 1:1\n2 3:1 2:1\n", "line 2: feature indices must ascend");
  fails("1 0:1\n", "line 1: feature index 0 (libsvm indices start at 1)");
  fails("1 4\n", "line 1: '4' is not index:value");
  fails("one 1:1\n", "line 1: cannot read 'one' as a number");
  fails("1 1:x\n", "cannot read 'x' as a number");
  EXPECT_THROW(load_sparse(write("wide.libsvm", "1 50:1\n"), 0, -1, 10), Error);  // beyond the features given
  EXPECT_FALSE(is_sparse_file(write("dense.csv", "1,2,3\n")));
}

}  // namespace
}  // namespace tern
