// How the tree algorithms read their data. Trees take dense files (HDF5, CSV) and sparse ones
// (libsvm, HDF5 CSR) alike; a missing value is NaN in a dense file (an empty CSV field) and an
// absent entry in a sparse row, while an explicit 0 stays 0. Infinite values are refused.
//
// Training data stays sharded: each rank bins its contiguous share of the rows (distribution.h)
// chunk by chunk, so the float rows are never all in memory, only their bins. The cut points
// come first, from a sample chosen by row index (quantile_cuts.h) and gathered to every rank.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/algorithms/trees/binned_matrix.h"
#include "core/comm.h"
#include "core/data/dataset.h"

namespace tern {

struct BinnedShard {
  BinnedMatrix matrix;
  std::vector<float> labels;   // [matrix.rows()]
  std::vector<float> weights;  // [matrix.rows()]: the file's /weights, else 1
  std::int64_t first_row = 0;  // the file's number of the shard's row 0
  std::int64_t total_rows = 0;
  std::string source;
};

struct BinningConfig {
  std::int64_t max_bin = 256;
  std::int64_t sample_rows = 200000;  // rows the cut points are computed from
  std::int64_t chunk_rows = 65536;    // rows read at a time
  std::uint64_t seed = 0;
};

// The channel's (rows, features), read from the file's header.
struct TreeDataShape {
  std::int64_t rows = 0, features = 0;
};
TreeDataShape tree_data_shape(const std::filesystem::path& path);

BinnedShard load_binned_shard(const std::filesystem::path& path, Communicator& comm, const BinningConfig& config);

// A whole data file as dense rows with NaN for missing values (validation and prediction
// data); a sparse file is read over `features` features when > 0.
Dataset load_with_missing(const std::filesystem::path& path, std::int64_t features = 0);

}  // namespace tern
