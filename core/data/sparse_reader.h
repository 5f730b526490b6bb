// Sparse data files (DESIGN §3), read into SparseRows and written from them:
//   libsvm text (.libsvm, .svm): one row a line, "label index:value index:value ...", indices
//     1-based and ascending; the features are the largest index (or the file's declared count);
//   HDF5 CSR (.h5, .hdf5 holding /indptr): /indptr i64 [N + 1], /indices i64 [nnz],
//     /values f32 [nnz], /labels f32 [N], and the root attribute num_features.
// Errors name the file and the line or row.
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/data/dataset.h"
#include "core/data/sparse_rows.h"

namespace tern {

// Whether a path holds sparse rows: a libsvm file, or an HDF5 file with /indptr.
bool is_sparse_file(const std::filesystem::path& path);

struct SparseShape {
  std::int64_t rows = 0, features = 0, nnz = 0;
};
SparseShape sparse_file_shape(const std::filesystem::path& path);

// Rows [row_begin, row_end) of a sparse file (row_end = −1: to the end); num_features is the
// file's unless `features` (> 0) is given, which must cover every index.
SparseRows load_sparse(const std::filesystem::path& path, std::int64_t row_begin = 0, std::int64_t row_end = -1,
                       std::int64_t features = 0);

// The nonzero entries of dense rows, as sparse rows.
SparseRows to_sparse(const Dataset& dense);

// Rows [row_begin, row_end) of a sparse or a dense file as sparse rows, for the algorithms that
// take both (over `features` features when > 0, else the file's).
SparseRows load_as_sparse(const std::filesystem::path& path, std::int64_t row_begin = 0, std::int64_t row_end = -1,
                          std::int64_t features = 0);

// Writes rows as libsvm text or HDF5 CSR, by the extension, atomically.
void write_sparse(const SparseRows& rows, const std::filesystem::path& path);

}  // namespace tern
