// GEMM on the GPU through cuBLAS, row-major like kernels/cpu/gemm.h:
//   C = alpha · op(A) · op(B) + beta · C,  op(X) = X or Xᵀ,  C is M×N, op(A) M×K, op(B) K×N.
// Leading dimensions are the row lengths of the matrices as stored. All pointers are device
// memory; each call queues its work on `stream` and returns without synchronizing. With
// beta = 0, C is not read (it may hold anything, NaN included).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/half_precision.h"
#include "kernels/common/transpose.h"

namespace tern::kernels::cuda {

// All in fp32, accumulated in fp32 (no TF32), so results match the CPU's within rounding.
void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc,
          cudaStream_t stream);

// A and B in a 16-bit format (raw bits, kernels/common/half_precision.h), C in fp32,
// accumulated in fp32, on the tensor cores (mixed precision): the products of 16-bit values are
// exact in fp32, so this matches the fp32 GEMM of the rounded inputs up to summation order.
void gemm_half(HalfFormat format, Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n,
               std::int64_t k, float alpha, const std::uint16_t* a, std::int64_t lda, const std::uint16_t* b,
               std::int64_t ldb, float beta, float* c, std::int64_t ldc, cudaStream_t stream);

}  // namespace tern::kernels::cuda
