#include "core/algorithms/trees/row_shares.h"

#include <omp.h>

#include <algorithm>
#include <numeric>

namespace tern {

int threads_for_rows(std::span<const std::int64_t> counts, std::int64_t least_rows) {
  const std::int64_t rows = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  return static_cast<int>(std::clamp<std::int64_t>(rows / least_rows, 1, omp_get_max_threads()));
}

std::vector<std::vector<RowShare>> share_rows(std::span<const std::int64_t> counts, int threads) {
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  std::vector<std::vector<RowShare>> shares(static_cast<std::size_t>(threads));
  std::int64_t node_start = 0;  // where the node's rows start in the rows laid end to end
  for (std::size_t node = 0; node < counts.size(); ++node) {
    const std::int64_t node_end = node_start + counts[node];
    for (int t = 0; t < threads; ++t) {
      const std::int64_t share_begin = total * t / threads, share_end = total * (t + 1) / threads;
      const std::int64_t begin = std::max(share_begin, node_start), end = std::min(share_end, node_end);
      if (begin >= end) continue;
      shares[static_cast<std::size_t>(t)].push_back(
          {node, begin - node_start, end - node_start, begin == node_start && end == node_end});
    }
    node_start = node_end;
  }
  return shares;
}

std::vector<std::vector<SharePlace>> node_parts(const std::vector<std::vector<RowShare>>& shares, std::size_t nodes) {
  std::vector<std::vector<SharePlace>> places(nodes);
  for (std::size_t t = 0; t < shares.size(); ++t)
    for (std::size_t i = 0; i < shares[t].size(); ++i) places[shares[t][i].node].emplace_back(t, i);
  return places;
}

}  // namespace tern
