#include "kernels/cpu/elementwise.h"

#include <algorithm>
#include <vector>

#include "kernels/cpu/thread_band.h"

namespace tern::kernels::cpu {

namespace {
// One loop body per activation, so that each vectorises.
template <Activation Kind>
void forward_elements(const float* __restrict x, float* __restrict y, std::int64_t count) {
#pragma omp parallel for simd schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) y[i] = kernels::activation_forward<Kind>(x[i]);
}

template <Activation Kind>
void backward_elements(const float* __restrict x, const float* __restrict y, const float* __restrict dy,
                       float* __restrict dx, std::int64_t count) {
#pragma omp parallel for simd schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) dx[i] = kernels::activation_backward<Kind>(x[i], y[i], dy[i]);
}

template <Activation Kind>
void bias_activation_rows(float* y, const float* bias, std::int64_t rows, std::int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = y + r * cols;
    for (std::int64_t c = 0; c < cols; ++c) row[c] = kernels::activation_forward<Kind>(row[c] + bias[c]);
  }
}
}  // namespace

void activation_forward(Activation kind, const float* x, float* y, std::int64_t count) {
  dispatch_activation(kind, [&](auto kind_constant) { forward_elements<kind_constant()>(x, y, count); });
}

void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                         std::int64_t count) {
  dispatch_activation(kind, [&](auto kind_constant) { backward_elements<kind_constant()>(x, y, dy, dx, count); });
}

void bias_activation_forward(Activation kind, float* y, const float* bias, std::int64_t rows, std::int64_t cols) {
  dispatch_activation(kind, [&](auto kind_constant) { bias_activation_rows<kind_constant()>(y, bias, rows, cols); });
}

void accumulate_column_sums(const float* x, float* sums, std::int64_t rows, std::int64_t cols) {
  // Each thread owns a band of columns and walks every row in order.
#pragma omp parallel if (rows * cols > 16384)
  {
    const ThreadBand band = thread_band(cols);
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* row = x + r * cols;
      for (std::int64_t c = band.begin; c < band.end; ++c) sums[c] += row[c];
    }
  }
}

void standardize_columns(const float* x, const float* mean, const float* inverse_std, float* y, std::int64_t rows,
                         std::int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c) y[r * cols + c] = (x[r * cols + c] - mean[c]) * inverse_std[c];
  }
}

void scale(float* y, float factor, std::int64_t count) {
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) y[i] *= factor;
}

void accumulate(float* y, const float* x, std::int64_t count) {
#pragma omp parallel for simd schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) y[i] += x[i];
}

double sum_of_squares(const float* x, std::int64_t count) {
  constexpr std::int64_t kBlock = 4096;
  const std::int64_t blocks = (count + kBlock - 1) / kBlock;
  std::vector<double> block_sums(static_cast<std::size_t>(blocks), 0.0);
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t b = 0; b < blocks; ++b) {
    double sum = 0.0;
    const std::int64_t end = std::min(count, (b + 1) * kBlock);
    for (std::int64_t i = b * kBlock; i < end; ++i) sum += static_cast<double>(x[i]) * x[i];
    block_sums[static_cast<std::size_t>(b)] = sum;
  }
  double total = 0.0;
  for (double block_sum : block_sums) total += block_sum;
  return total;
}

}  // namespace tern::kernels::cpu
