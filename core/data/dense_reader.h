// DenseReader: random access to the rows of a dense data file (label + features per row)
// without loading the file. Ingestion reads a shard as a contiguous range (read_rows) in file
// mode, and gathers the shuffled rows of each batch (read_row_list) in pipe mode; both write
// into caller-owned buffers, so a batch is read straight into its tensors.
//
// A reader keeps the file open and is not thread-safe: one thread at a time uses it (pipe mode
// hands it to its prefetch thread for the life of the stream).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "core/data/dataset.h"

namespace tern {

class DenseReader {
 public:
  virtual ~DenseReader() = default;

  virtual std::int64_t num_rows() const = 0;
  virtual std::int64_t num_features() const = 0;
  // The path the rows come from, for error messages.
  virtual const std::string& source() const = 0;
  // Per-row sample weights: an HDF5 file's optional /weights [N]; a CSV file has none.
  virtual bool has_weights() const { return false; }
  // Weights of rows [begin, end) into weights [end - begin]; throws when the file has none.
  virtual void read_weights(std::int64_t begin, std::int64_t end, float* weights);

  // Rows [begin, end) into features (row-major [end - begin, num_features]) and labels [end - begin].
  void read_rows(std::int64_t begin, std::int64_t end, float* features, float* labels);
  // The listed rows, in the listed order (repeats allowed), into features [rows.size(), num_features]
  // and labels [rows.size()].
  void read_row_list(std::span<const std::int64_t> rows, float* features, float* labels);

 protected:
  // read_rows and read_row_list after their rows were checked to lie in [0, num_rows()).
  virtual void read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) = 0;
  // By default: sorts the distinct rows, reads each run of consecutive rows with one read_range,
  // and scatters them into the listed order. Files are read front to back, each row once.
  virtual void gather_rows(std::span<const std::int64_t> rows, float* features, float* labels);
};

// Opens a dense file by its extension: .h5 / .hdf5 (HDF5, /features and /labels) or .csv
// (label first, no header).
std::unique_ptr<DenseReader> open_dense_reader(const std::filesystem::path& path);

// Rows [row_begin, row_end) of a reader as a Dataset.
Dataset read_dataset(DenseReader& reader, std::int64_t row_begin, std::int64_t row_end);

// Rows [row_begin, row_end) of a dense file; row_end = -1 reads to the end.
Dataset load_dataset(const std::filesystem::path& path, std::int64_t row_begin = 0, std::int64_t row_end = -1);

}  // namespace tern
