// The band of columns an OpenMP thread owns. Kernels that accumulate per column (bias and
// LayerNorm parameter gradients, embedding tables) give each thread a contiguous band of the
// columns and walk the rows in order inside it: no two threads write one column, and every
// column adds its rows in row order, so results do not depend on the thread count.
#pragma once

#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tern::kernels::cpu {

struct ThreadBand {
  std::int64_t begin;
  std::int64_t end;
};

// The calling thread's share of [0, count): bands follow thread order and cover the range
// exactly; outside a parallel region (or without OpenMP) the one thread owns all of it.
inline ThreadBand thread_band(std::int64_t count) {
#ifdef _OPENMP
  const std::int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
  return {count * thread / threads, count * (thread + 1) / threads};
#else
  return {0, count};
#endif
}

}  // namespace tern::kernels::cpu
