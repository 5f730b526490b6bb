#include "core/data/sparse_rows.h"

namespace tern {

void SparseRows::add_row(float label, std::span<const std::int64_t> row_indices, std::span<const float> row_values) {
  indices.insert(indices.end(), row_indices.begin(), row_indices.end());
  values.insert(values.end(), row_values.begin(), row_values.end());
  offsets.push_back(static_cast<std::int64_t>(indices.size()));
  labels.push_back(label);
}

SparseRows SparseRows::select(std::span<const std::int64_t> rows) const {
  SparseRows selected;
  selected.num_features = num_features;
  selected.source = source;
  for (const std::int64_t row : rows) selected.add_row(labels[static_cast<std::size_t>(row)], row_indices(row), row_values(row));
  return selected;
}

}  // namespace tern
