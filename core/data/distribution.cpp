#include "core/data/distribution.h"

#include "core/error.h"

namespace tern {

DataDistribution parse_data_distribution(std::string_view name) {
  if (name == "replicated") return DataDistribution::replicated;
  if (name == "sharded") return DataDistribution::sharded;
  throw Error(detail::concat("unknown data distribution '", name, "': expected replicated or sharded"));
}

std::string_view data_distribution_name(DataDistribution distribution) {
  return distribution == DataDistribution::replicated ? "replicated" : "sharded";
}

RowRange rank_rows(std::int64_t rows, int rank, int ranks) {
  TERN_CHECK(ranks >= 1 && 0 <= rank && rank < ranks, "rank ", rank, " of ", ranks);
  return {rows * rank / ranks, rows * (rank + 1) / ranks};
}

}  // namespace tern
