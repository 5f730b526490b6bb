// GEMM on the GPU through cuBLAS, row-major like kernels/cpu/gemm.h:
//   C = alpha · op(A) · op(B) + beta · C,  op(X) = X or Xᵀ,  C is M×N, op(A) M×K, op(B) K×N.
// Leading dimensions are the row lengths of the matrices as stored. All pointers are device
// memory; each call queues its work on `stream` and returns without synchronizing. With
// beta = 0, C is not read (it may hold anything, NaN included).
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/transpose.h"

namespace tern::kernels::cuda {

// All in fp32, accumulated in fp32 (no TF32), so results match the CPU's within rounding.
void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc,
          cudaStream_t stream);

// A and B in bf16, C in fp32, accumulated in fp32 (for mixed precision): the products of bf16
// values are exact in fp32, so this matches the fp32 GEMM of the bf16-rounded inputs.
void gemm_bf16(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
               float alpha, const __nv_bfloat16* a, std::int64_t lda, const __nv_bfloat16* b, std::int64_t ldb,
               float beta, float* c, std::int64_t ldc, cudaStream_t stream);

}  // namespace tern::kernels::cuda
