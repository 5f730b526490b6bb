// GEMM on the GPU (see gemm.h). cuBLAS is column-major, and a row-major matrix with row length
// ld, read column-major with the same ld, is its transpose. So the row-major
//   C = α op(A) op(B) + β C   is computed as the column-major   Cᵀ = α op(B)ᵀ op(A)ᵀ + β Cᵀ:
// one cublasGemmEx call with A and B swapped and M and N swapped, no copies.
//
// cuBLAS itself is opened on the first GEMM (cublas_library.cuh). Handles: one per (device, stream), created on first use under a mutex, bound to its stream
// once (cublasSetStream) and kept for the life of the process (destroying them at exit would
// race the CUDA runtime's own teardown). Each is set to CUBLAS_DEFAULT_MATH, which computes
// CUBLAS_COMPUTE_32F in true fp32: TF32 is used only when asked for, and nothing here asks.
#include "kernels/cuda/gemm.h"

#include <map>
#include <mutex>
#include <utility>

#include "kernels/cuda/check.cuh"

namespace tern::kernels::cuda {

namespace {
cublasHandle_t handle_for(cudaStream_t stream) {
  static std::mutex mutex;
  static std::map<std::pair<int, cudaStream_t>, cublasHandle_t> handles;
  int device = 0;
  TERN_CUDA_CHECK(cudaGetDevice(&device));
  const std::lock_guard<std::mutex> lock(mutex);
  const auto found = handles.find({device, stream});
  if (found != handles.end()) return found->second;
  cublasHandle_t handle = nullptr;
  TERN_CUBLAS_CHECK(cublas().create(&handle));
  TERN_CUBLAS_CHECK(cublas().set_stream(handle, stream));
  TERN_CUBLAS_CHECK(cublas().set_math_mode(handle, CUBLAS_DEFAULT_MATH));
  handles.emplace(std::pair{device, stream}, handle);
  return handle;
}

cublasOperation_t operation(Transpose transpose) { return transpose == Transpose::yes ? CUBLAS_OP_T : CUBLAS_OP_N; }

// The row-major GEMM for A and B of `input_type` and C in fp32, accumulated in fp32.
void row_major_gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k,
                    float alpha, const void* a, std::int64_t lda, const void* b, std::int64_t ldb,
                    cudaDataType_t input_type, float beta, float* c, std::int64_t ldc, cudaStream_t stream) {
  if (m == 0 || n == 0) return;
  TERN_CUBLAS_CHECK(cublas().gemm_ex_64(handle_for(stream), operation(transpose_b), operation(transpose_a), n, m, k, &alpha,
                                    b, input_type, ldb, a, input_type, lda, &beta, c, CUDA_R_32F, ldc,
                                    CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
}
}  // namespace

void gemm(Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc,
          cudaStream_t stream) {
  row_major_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, CUDA_R_32F, beta, c, ldc, stream);
}

void gemm_half(HalfFormat format, Transpose transpose_a, Transpose transpose_b, std::int64_t m, std::int64_t n,
               std::int64_t k, float alpha, const std::uint16_t* a, std::int64_t lda, const std::uint16_t* b,
               std::int64_t ldb, float beta, float* c, std::int64_t ldc, cudaStream_t stream) {
  const cudaDataType_t input_type = format == HalfFormat::bf16 ? CUDA_R_16BF : CUDA_R_16F;
  row_major_gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, input_type, beta, c, ldc, stream);
}

}  // namespace tern::kernels::cuda
