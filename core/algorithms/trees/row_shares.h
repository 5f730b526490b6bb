// Splitting the rows of several nodes evenly over threads. The nodes' rows are laid end to end
// and each thread takes one contiguous share of them, so a level whose nodes differ in size
// keeps every thread equally busy (handing out whole nodes leaves one thread idle while another
// works through a large node). Only the nodes at the edges of the shares are split between
// threads: at most threads − 1 of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tern {

// One thread's part of one node's rows: [begin, end) of that node's list.
struct RowShare {
  std::size_t node = 0;
  std::int64_t begin = 0, end = 0;
  bool whole = false;  // the node's every row: no other thread touches the node
};

// How many threads to use for `rows` rows when a thread should have at least `least_rows`:
// between 1 and omp_get_max_threads().
int threads_for_rows(std::int64_t rows, std::int64_t least_rows);

// For each of `threads` threads, its parts in node order, for nodes of `counts` rows (nodes
// without rows take no part).
std::vector<std::vector<RowShare>> share_rows(std::span<const std::int64_t> counts, int threads);

}  // namespace tern
