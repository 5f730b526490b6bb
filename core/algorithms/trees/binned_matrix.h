// BinnedMatrix: a rank's training rows with each value replaced by its bin (quantile_cuts.h):
// one byte a value when every feature has at most 255 bins, two otherwise. A missing value
// (NaN, or an entry absent from a sparse row) is stored as bins(f), one past the feature's last
// bin. The bins are held twice: row-major [rows, features], for histograms, which read every
// feature of a row; and column-major [features, rows], for partitioning a node's rows by one
// feature, where a node's rows (in ascending order) then share cache lines.
//
// A gradient histogram gives feature f the slots [slot_offset(f), slot_offset(f) + bins(f)],
// its bins then its missing values, so the stored bin plus the feature's slot offset is the
// slot a row adds to, missing or not.
#pragma once

#include <cstdint>
#include <vector>

#include "core/algorithms/trees/quantile_cuts.h"

namespace tern {

// A row of a rank's share, in 32 bits: the lists of rows that the tree grower partitions and
// histograms read are half the memory traffic of 64-bit indices. A rank holds < 2^32 rows.
using RowIndex = std::uint32_t;

class BinnedMatrix {
 public:
  BinnedMatrix(const QuantileCuts& cuts, std::int64_t rows);

  // Bins rows [first, first + count) from their values (row-major [count, features], NaN missing).
  void set_rows(std::int64_t first, std::int64_t count, const float* values);

  std::int64_t rows() const { return rows_; }
  std::int64_t features() const { return features_; }
  const QuantileCuts& cuts() const { return cuts_; }
  bool wide() const { return wide_; }
  std::int64_t missing_bin(std::int64_t feature) const { return cuts_.bins(feature); }
  std::int64_t slot_offset(std::int64_t feature) const { return slot_offsets_[static_cast<std::size_t>(feature)]; }
  const std::vector<std::int64_t>& slot_offsets() const { return slot_offsets_; }
  std::int64_t total_slots() const { return slot_offsets_.back(); }

  std::int64_t bin(std::int64_t row, std::int64_t feature) const {
    const std::size_t at = static_cast<std::size_t>(row * features_ + feature);
    return wide_ ? wide_bins_[at] : narrow_bins_[at];
  }
  // The row-major bins, of the stored width (BinType = std::uint8_t unless wide()).
  template <typename BinType>
  const BinType* data() const;
  // Feature f's bins of every row, of the stored width.
  template <typename BinType>
  const BinType* column(std::int64_t feature) const {
    return data<BinType>() + rows_ * features_ + feature * rows_;
  }

 private:
  QuantileCuts cuts_;
  std::int64_t rows_ = 0, features_ = 0;
  bool wide_ = false;
  std::vector<std::int64_t> slot_offsets_;  // [features + 1]
  std::vector<std::uint8_t> narrow_bins_;  // [rows, features] then [features, rows]
  std::vector<std::uint16_t> wide_bins_;
};

}  // namespace tern
