#include "core/algorithms/trees/binned_matrix.h"

#include <cmath>

#include "core/error.h"

namespace tern {

BinnedMatrix::BinnedMatrix(const QuantileCuts& cuts, std::int64_t rows)
    : cuts_(cuts), rows_(rows), features_(cuts.features()), wide_(cuts.largest_bin_count() > 255) {
  TERN_CHECK(rows <= std::int64_t{0xFFFFFFFF}, "binned matrix: ", rows, " rows on one rank; use more ranks (at most 2^32 - 1 a rank)");
  TERN_CHECK(cuts.largest_bin_count() <= 65535, "binned matrix: ", cuts.largest_bin_count(),
             " bins do not fit in 16 bits");
  slot_offsets_.push_back(0);
  for (std::int64_t f = 0; f < features_; ++f) slot_offsets_.push_back(slot_offsets_.back() + cuts.bins(f) + 1);
  const auto size = static_cast<std::size_t>(2 * rows_ * features_);
  if (wide_) wide_bins_.resize(size);
  else narrow_bins_.resize(size);
}

void BinnedMatrix::set_rows(std::int64_t first, std::int64_t count, const float* values) {
  TERN_CHECK(first >= 0 && first + count <= rows_, "binned matrix: rows [", first, ", ", first + count,
             ") outside its ", rows_, " rows");
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < count; ++r) {
    for (std::int64_t f = 0; f < features_; ++f) {
      const float value = values[r * features_ + f];
      const std::int64_t bin = std::isnan(value) ? missing_bin(f) : cuts_.bin_of(f, value);
      const auto row_major = static_cast<std::size_t>((first + r) * features_ + f),
                 column_major = static_cast<std::size_t>(rows_ * features_ + f * rows_ + first + r);
      if (wide_) wide_bins_[row_major] = wide_bins_[column_major] = static_cast<std::uint16_t>(bin);
      else narrow_bins_[row_major] = narrow_bins_[column_major] = static_cast<std::uint8_t>(bin);
    }
  }
}

template <>
const std::uint8_t* BinnedMatrix::data<std::uint8_t>() const {
  TERN_CHECK(!wide_, "binned matrix: holds 16-bit bins");
  return narrow_bins_.data();
}

template <>
const std::uint16_t* BinnedMatrix::data<std::uint16_t>() const {
  TERN_CHECK(wide_, "binned matrix: holds 8-bit bins");
  return wide_bins_.data();
}

}  // namespace tern
