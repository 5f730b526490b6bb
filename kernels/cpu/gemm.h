// GEMM on the CPU through oneDNN's dnnl_sgemm (row-major):
//   C = alpha · op(A) · op(B) + beta · C,  op(X) = X or Xᵀ,  C is M×N, op(A) M×K, op(B) K×N.
// Leading dimensions are the row lengths of the matrices as stored.
#pragma once

#include <cstdint>

#include "kernels/common/half_precision.h"
#include "kernels/common/transpose.h"

namespace tern::kernels::cpu {

void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
          float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
          float* c, std::int64_t ldc);

// The same with A and B in a 16-bit format (raw bits) and C in f32, accumulated in f32: the
// mixed-precision GEMM. The CPU widens A and B to f32 and runs the f32 GEMM, which gives the
// numbers of the GPU's half-precision GEMM (products of 16-bit values are exact in f32) but
// not its speed.
void gemm_half(HalfFormat format, Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n,
               std::int64_t k, float alpha, const std::uint16_t* a, std::int64_t lda, const std::uint16_t* b,
               std::int64_t ldb, float beta, float* c, std::int64_t ldc);

}  // namespace tern::kernels::cpu
