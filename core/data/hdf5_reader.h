// Hdf5DenseReader: the HDF5 dense layout of DESIGN §3, `/features` [N, D], `/labels` [N] and
// optionally `/weights` [N].
// Stored types may be any integer or float type; HDF5 converts them to f32 as it reads.
// A row range is one hyperslab read per dataset, so reading a range touches only its chunks;
// a chunk cache larger than HDF5's 1 MiB default keeps gathered (shuffled) rows from
// decompressing the same chunk over and over.
#pragma once

#include <filesystem>
#include <string>

#include "core/data/dense_reader.h"
#include "core/io/hdf5_handle.h"

namespace tern {

class Hdf5DenseReader final : public DenseReader {
 public:
  explicit Hdf5DenseReader(const std::filesystem::path& path);

  std::int64_t num_rows() const override { return num_rows_; }
  std::int64_t num_features() const override { return num_features_; }
  const std::string& source() const override { return path_; }
  bool has_weights() const override { return weights_.get() >= 0; }
  void read_weights(std::int64_t begin, std::int64_t end, float* weights) override;

 protected:
  void read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) override;

 private:
  // Opens dataset `name` (e.g. "/features"), checks it is numeric with `rank` dimensions, stores its extents.
  Hdf5Handle open_numeric_dataset(const char* name, int rank, hsize_t* extents);
  // Reads rows [begin, end) of /features (rank 2) or /labels (rank 1) into `values`.
  void read_hyperslab(const Hdf5Handle& dataset, const char* name, int rank, std::int64_t begin, std::int64_t end,
                      float* values);

  std::string path_;
  Hdf5Handle file_, features_, labels_, weights_;  // weights_: invalid (-1) when absent
  std::int64_t num_rows_ = 0;
  std::int64_t num_features_ = 0;
};

}  // namespace tern
