// GEMM on the CPU through oneDNN's dnnl_sgemm (row-major):
//   C = alpha · op(A) · op(B) + beta · C,  op(X) = X or Xᵀ,  C is M×N, op(A) M×K, op(B) K×N.
// Leading dimensions are the row lengths of the matrices as stored.
#pragma once

#include <cstdint>

#include "kernels/common/transpose.h"

namespace tern::kernels::cpu {

void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
          float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
          float* c, std::int64_t ldc);

}  // namespace tern::kernels::cpu
