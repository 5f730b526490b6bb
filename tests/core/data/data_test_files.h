// Helpers shared by the data tests: a temporary folder per test (the data sets under
// TERN_TEST_DATA_DIR may not exist yet, so every test writes its own small files), small
// generated data sets, bitwise comparison, and checks on error messages.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/data/dataset.h"
#include "core/error.h"
#include "core/random/random.h"

namespace tern::testing {

// A fresh folder under the system temporary folder, removed with its contents at the end.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tern-data-test-XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;

  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Rows whose features are random floats of many magnitudes (to exercise shortest formatting),
// with feature 0 = the row index so that every row is distinct; labels are classes 0..num_classes-1.
inline Dataset generated_dataset(std::int64_t rows, std::int64_t num_features, int num_classes, std::uint64_t seed) {
  Dataset dataset = allocate_dataset(rows, num_features, "generated");
  fill_uniform(dataset.features, -1.0f, 1.0f, seed, stream_id("features"));
  float* features = dataset.features.data<float>();
  for (std::int64_t row = 0; row < rows; ++row) {
    features[row * num_features] = static_cast<float>(row);
    for (std::int64_t column = 1; column < num_features; ++column)
      features[row * num_features + column] *= std::pow(10.0f, static_cast<float>(column % 7) * 3.0f - 9.0f);
  }
  Tensor uniform = Tensor::empty({rows});
  fill_uniform(uniform, 0.0f, static_cast<float>(num_classes), seed, stream_id("labels"));
  for (std::int64_t row = 0; row < rows; ++row)
    dataset.labels.data<float>()[row] = std::min(std::floor(uniform.data<float>()[row]), num_classes - 1.0f);
  return dataset;
}

// Bitwise equality of two tensors' values (so NaN == NaN and -0 != 0).
inline bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data<float>(), b.data<float>(), a.size_bytes()) == 0;
}

// Rows [begin, end) of a data set, sharing its storage.
inline Dataset row_slice(const Dataset& dataset, std::int64_t begin, std::int64_t end) {
  return {dataset.features.rows(begin, end), dataset.labels.rows(begin, end), dataset.source,
          dataset.first_row + begin};
}

inline void expect_same_rows(const Dataset& expected, const Dataset& actual) {
  EXPECT_TRUE(same_bits(expected.features, actual.features)) << "features differ";
  EXPECT_TRUE(same_bits(expected.labels, actual.labels)) << "labels differ";
}

// Runs `action`, expects a tern::Error, and checks that its message holds every part.
template <typename Action>
void expect_error_mentioning(Action&& action, std::initializer_list<std::string_view> parts) {
  try {
    action();
    ADD_FAILURE() << "expected a tern::Error mentioning " << *parts.begin();
  } catch (const Error& error) {
    const std::string message = error.what();
    for (std::string_view part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << "message \"" << message << "\" lacks \"" << part << "\"";
  }
}

}  // namespace tern::testing
