#include "kernels/cpu/gemm.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/cpu/half_precision.h"

namespace tern::kernels::cpu {

void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
          float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
          float* c, std::int64_t ldc) {
  if (m == 0 || n == 0) return;
  const dnnl_status_t status =
      dnnl_sgemm(transpose_a == Transpose::yes ? 'T' : 'N', transpose_b == Transpose::yes ? 'T' : 'N',
                 m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (status != dnnl_success) {
    throw std::runtime_error("dnnl_sgemm failed with status " + std::to_string(status) + " for M=" +
                             std::to_string(m) + " N=" + std::to_string(n) + " K=" + std::to_string(k));
  }
}

namespace {
// The rows × used_columns block of a matrix stored with row length ld, widened to a dense f32
// matrix (row length used_columns).
std::vector<float> widened(HalfFormat format, const std::uint16_t* matrix, std::int64_t rows,
                           std::int64_t used_columns, std::int64_t ld) {
  std::vector<float> dense(static_cast<std::size_t>(rows * used_columns));
  if (ld == used_columns) {
    from_half(format, matrix, dense.data(), rows * used_columns);
    return dense;
  }
  for (std::int64_t r = 0; r < rows; ++r) from_half(format, matrix + r * ld, dense.data() + r * used_columns, used_columns);
  return dense;
}
}  // namespace

void gemm_half(HalfFormat format, Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n,
               std::int64_t k, float alpha, const std::uint16_t* a, std::int64_t lda, const std::uint16_t* b,
               std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  if (m == 0 || n == 0) return;
  // As stored, A is m×k (k×m when transposed) and B is k×n (n×k).
  const bool a_transposed = transpose_a == Transpose::yes, b_transposed = transpose_b == Transpose::yes;
  const std::int64_t a_rows = a_transposed ? k : m, a_columns = a_transposed ? m : k;
  const std::int64_t b_rows = b_transposed ? n : k, b_columns = b_transposed ? k : n;
  const std::vector<float> a_wide = widened(format, a, a_rows, a_columns, lda);
  const std::vector<float> b_wide = widened(format, b, b_rows, b_columns, ldb);
  gemm(transpose_a, transpose_b, m, n, k, alpha, a_wide.data(), std::max<std::int64_t>(a_columns, 1), b_wide.data(),
       std::max<std::int64_t>(b_columns, 1), beta, c, ldc);
}

}  // namespace tern::kernels::cpu
