// How a channel's rows are spread over the data-parallel ranks (DESIGN §3):
//   replicated  every rank can read every row; each global batch, drawn from one seeded
//               permutation of all rows, is cut into W equal slices, one per rank, so W ranks
//               train exactly the model one rank trains with the same global batch;
//   sharded     rank r reads only its contiguous 1/W of the rows (its shard) and shuffles
//               within it: less reading per rank, a slightly different optimisation.
#pragma once

#include <cstdint>
#include <string_view>

namespace tern {

enum class DataDistribution { replicated, sharded };

// "replicated" or "sharded"; anything else is an error.
DataDistribution parse_data_distribution(std::string_view name);
std::string_view data_distribution_name(DataDistribution distribution);

// Rows [begin, end) of rank `rank` when `rows` rows are split into `ranks` contiguous parts
// whose sizes differ by at most one: the parts are disjoint and cover every row once.
struct RowRange {
  std::int64_t begin = 0, end = 0;
  std::int64_t size() const { return end - begin; }
};
RowRange rank_rows(std::int64_t rows, int rank, int ranks);

}  // namespace tern
