// SparseRows: rows held in compressed sparse row form (CSR), for data with many features of
// which each row uses few (one-hot users and items, bags of words): row r's entries are
// positions offsets[r] .. offsets[r + 1] − 1 of `indices` (0-based features, ascending within
// a row) and `values`. A feature absent from a row is 0. The sparse readers
// (sparse_reader.h) fill it; factorization-machines trains on it without densifying.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tern {

struct SparseRows {
  std::vector<std::int64_t> offsets = {0};  // [rows + 1]
  std::vector<std::int64_t> indices;        // [nnz]
  std::vector<float> values;                // [nnz]
  std::vector<float> labels;                // [rows]
  std::int64_t num_features = 0;
  std::string source;          // the file, for error messages
  std::int64_t first_row = 0;  // the file's number of row 0 here

  std::int64_t rows() const { return static_cast<std::int64_t>(labels.size()); }
  std::int64_t nnz() const { return static_cast<std::int64_t>(indices.size()); }
  std::span<const std::int64_t> row_indices(std::int64_t row) const {
    return std::span(indices).subspan(static_cast<std::size_t>(offsets[static_cast<std::size_t>(row)]),
                                      static_cast<std::size_t>(row_size(row)));
  }
  std::span<const float> row_values(std::int64_t row) const {
    return std::span(values).subspan(static_cast<std::size_t>(offsets[static_cast<std::size_t>(row)]),
                                     static_cast<std::size_t>(row_size(row)));
  }
  std::int64_t row_size(std::int64_t row) const {
    return offsets[static_cast<std::size_t>(row) + 1] - offsets[static_cast<std::size_t>(row)];
  }

  // Appends one row (its entries in ascending feature order).
  void add_row(float label, std::span<const std::int64_t> row_indices, std::span<const float> row_values);
  // The listed rows (positions here), in the listed order.
  SparseRows select(std::span<const std::int64_t> rows) const;
};

}  // namespace tern
