// The softmax of causal self-attention on the CPU. Scores come as `rows` rows of `columns`
// (one T×T matrix per sequence and head, stacked, so columns = T): row r is query position
// i = r mod T, which may attend to key positions 0..i only.
//   forward   p[r, j] = e^(s[r, j] - m) / Σ_{k ≤ i} e^(s[r, k] - m)  for j ≤ i,  0 for j > i,
//             with m = max_{k ≤ i} s[r, k]; the scores above the diagonal are not read
//   backward  ds[r, j] = p[r, j] · (dp[r, j] - Σ_k p[r, k] dp[r, k])   (0 above the diagonal)
// Rows run in parallel (OpenMP); each row's sums run in column order. The forward may write
// the probabilities over the scores (in place).
#pragma once

#include <cstdint>

namespace tern::kernels::cpu {

void causal_softmax_forward(const float* scores, std::int64_t rows, std::int64_t columns, float* probabilities);
void causal_softmax_backward(const float* probabilities, const float* dprobabilities, std::int64_t rows,
                             std::int64_t columns, float* dscores);

}  // namespace tern::kernels::cpu
