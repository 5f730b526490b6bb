// Float64 sums over float32 vectors in a fixed order, for results that must be the same bits
// wherever they are computed (any thread, rank, chunk or alignment): element i goes to running
// sum i mod 8, and the eight sums are added pairwise at the end. The order is part of the
// definition, and the eight independent sums let the compiler vectorise the loop, which a
// single running sum forbids. knn ranks its candidates and kmeans assigns rows with them.
#pragma once

#include <array>
#include <cstdint>

namespace tern {

// Σ_i term(i) for i < count, in the order above.
template <typename Term>
inline double fixed_order_sum(std::int64_t count, Term term) {
  std::array<double, 8> sums{};
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    for (int lane = 0; lane < 8; ++lane) sums[static_cast<std::size_t>(lane)] += term(i + lane);
  }
  for (int lane = 0; i < count; ++i, ++lane) sums[static_cast<std::size_t>(lane)] += term(i);
  return ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7]));
}

// ‖x − y‖² and x·y in float64, x float32 and y float32 or float64.
template <typename Y>
inline double fixed_order_squared_distance(const float* x, const Y* y, std::int64_t count) {
  return fixed_order_sum(count, [&](std::int64_t i) {
    const double difference = static_cast<double>(x[i]) - static_cast<double>(y[i]);
    return difference * difference;
  });
}
template <typename Y>
inline double fixed_order_dot(const float* x, const Y* y, std::int64_t count) {
  return fixed_order_sum(count, [&](std::int64_t i) { return static_cast<double>(x[i]) * static_cast<double>(y[i]); });
}

}  // namespace tern
