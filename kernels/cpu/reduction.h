// Reductions over several arrays at once: Σ_a Σ_i arrays[a][i]², the squared global L2 norm
// used by gradient clipping. Each array is summed in double by sum_of_squares (elementwise.h,
// fixed blocks) and the array sums are added in list order, so the result does not depend on
// the thread count.
#pragma once

#include <cstdint>

namespace tern::kernels::cpu {

// Σ over arrays[0 .. array_count) of Σ_i arrays[a][i]², where arrays[a] holds counts[a] floats.
double sum_of_squares_many(const float* const* arrays, const std::int64_t* counts, int array_count);

}  // namespace tern::kernels::cpu
