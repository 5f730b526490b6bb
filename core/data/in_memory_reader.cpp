#include "core/data/in_memory_reader.h"

#include <algorithm>
#include <utility>

namespace tern {

InMemoryReader::InMemoryReader(Dataset dataset) : dataset_(std::move(dataset)) { check_dataset_shape(dataset_); }

void InMemoryReader::read_range(std::int64_t begin, std::int64_t end, float* features, float* labels) {
  const std::int64_t num_features = dataset_.num_features();
  std::copy(dataset_.features.data<float>() + begin * num_features,
            dataset_.features.data<float>() + end * num_features, features);
  std::copy(dataset_.labels.data<float>() + begin, dataset_.labels.data<float>() + end, labels);
}

void InMemoryReader::gather_rows(std::span<const std::int64_t> rows, float* features, float* labels) {
  for (std::size_t position = 0; position < rows.size(); ++position)
    read_range(rows[position], rows[position] + 1, features + static_cast<std::int64_t>(position) * num_features(),
               labels + position);
}

}  // namespace tern
