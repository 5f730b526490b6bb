#include "kernels/cpu/reduction.h"

#include "kernels/cpu/elementwise.h"

namespace tern::kernels::cpu {

double sum_of_squares_many(const float* const* arrays, const std::int64_t* counts, int array_count) {
  double total = 0.0;
  for (int a = 0; a < array_count; ++a) total += sum_of_squares(arrays[a], counts[a]);
  return total;
}

}  // namespace tern::kernels::cpu
