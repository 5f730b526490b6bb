// Values that differ by rank and by element, r·1000 + i, so that every collective's result has
// a closed form in the rank numbers (shared by the multi-rank tests).
#pragma once

#include <cstdint>
#include <vector>

namespace tern::testing {

inline float element(int rank, std::int64_t i) { return static_cast<float>(rank * 1000 + i); }

inline std::vector<float> rank_values(int rank, std::int64_t count) {
  std::vector<float> values(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) values[static_cast<std::size_t>(i)] = element(rank, i);
  return values;
}

}  // namespace tern::testing
