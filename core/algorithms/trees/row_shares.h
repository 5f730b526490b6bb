// Splitting the rows of several nodes evenly over threads. The nodes' rows are laid end to end
// and each thread takes one contiguous share of them, so a level whose nodes differ in size
// keeps every thread equally busy (handing out whole nodes leaves one thread idle while another
// works through a large node). Only the nodes at the edges of the shares are split between
// threads: at most threads − 1 of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace tern {

// One thread's part of one node's rows: [begin, end) of that node's list.
struct RowShare {
  std::size_t node = 0;
  std::int64_t begin = 0, end = 0;
  bool whole = false;  // the node's every row: no other thread touches the node
};

// A part's place: its thread, and its index among that thread's parts.
using SharePlace = std::pair<std::size_t, std::size_t>;

// How many threads to use for nodes of `counts` rows when a thread should have at least
// `least_rows` of them: between 1 and omp_get_max_threads().
int threads_for_rows(std::span<const std::int64_t> counts, std::int64_t least_rows);

// For each of `threads` threads, its parts in node order, for nodes of `counts` rows (nodes
// without rows take no part).
std::vector<std::vector<RowShare>> share_rows(std::span<const std::int64_t> counts, int threads);

// For each of `nodes` nodes, where its parts among `shares` are, in thread order (more than
// one: the node is split between threads).
std::vector<std::vector<SharePlace>> node_parts(const std::vector<std::vector<RowShare>>& shares, std::size_t nodes);

}  // namespace tern
