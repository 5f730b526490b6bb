#include "kernels/cpu/attention.h"

#include <algorithm>

#include "kernels/cpu/softmax_row.h"

namespace tern::kernels::cpu {

void causal_softmax_forward(const float* scores, std::int64_t rows, std::int64_t columns, float* probabilities) {
#pragma omp parallel for schedule(static) if (rows * columns > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t visible = r % columns + 1;  // key positions 0..i
    const float* s = scores + r * columns;
    float* p = probabilities + r * columns;
    softmax_row(s, visible, p);
    std::fill(p + visible, p + columns, 0.0f);
  }
}

void causal_softmax_backward(const float* probabilities, const float* dprobabilities, std::int64_t rows,
                             std::int64_t columns, float* dscores) {
#pragma omp parallel for schedule(static) if (rows * columns > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t visible = r % columns + 1;
    const float* p = probabilities + r * columns;
    const float* dp = dprobabilities + r * columns;
    float* ds = dscores + r * columns;
    float weighted = 0.0f;
    for (std::int64_t j = 0; j < visible; ++j) weighted += p[j] * dp[j];
    for (std::int64_t j = 0; j < visible; ++j) ds[j] = p[j] * (dp[j] - weighted);
    std::fill(ds + visible, ds + columns, 0.0f);
  }
}

}  // namespace tern::kernels::cpu
