// CsvDenseReader: the CSV convention of training containers: one row per line, the label in
// the first column, the features after it, comma-separated, no header.
//
// Opening makes one validating pass over the file and keeps only each row's byte offset
// (8 bytes a row), so memory stays bounded for big files; reads seek to those offsets and
// parse again. A ragged row or a field that is not a number is an error naming the file, the
// 1-based line and the 1-based field. An empty field or "nan" is a missing value, read as NaN
// (inspect counts them, validation rejects them before training). Blank lines are skipped.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/data/dense_reader.h"

namespace tern {

class CsvDenseReader final : public DenseReader {
 public:
  explicit CsvDenseReader(const std::filesystem::path& path);

  std::int64_t num_rows() const override { return static_cast<std::int64_t>(row_offsets_.size()); }
  std::int64_t num_features() const override { return num_features_; }
  const std::string& source() const override { return path_; }

 protected:
  void read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) override;

 private:
  std::string path_;
  std::ifstream file_;
  std::vector<std::int64_t> row_offsets_;  // byte offset in the file of each row's line
  std::int64_t num_features_ = 0;
  std::vector<float> row_values_;  // label then features of the row being parsed
};

}  // namespace tern
