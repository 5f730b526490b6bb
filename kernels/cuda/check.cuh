// TERN_CUDA_CHECK and TERN_CUBLAS_CHECK: every CUDA runtime and cuBLAS call goes through one;
// a failure throws with the call, the file and the line, so an error on one rank becomes a job
// failure naming the cause.
#pragma once

#include <cuda_runtime.h>

#include "kernels/cuda/cublas_library.cuh"

#include <stdexcept>
#include <string>

namespace tern::kernels::cuda {

[[noreturn]] inline void throw_failed_call(const char* library, const char* call, const char* file, int line,
                                           const char* reason) {
  throw std::runtime_error(std::string(library) + " error in " + call + " at " + file + ":" + std::to_string(line) +
                           ": " + reason);
}

}  // namespace tern::kernels::cuda

#define TERN_CUDA_CHECK(call)                                                                              \
  do {                                                                                                     \
    const cudaError_t tern_cuda_status = (call);                                                           \
    if (tern_cuda_status != cudaSuccess) {                                                                 \
      ::tern::kernels::cuda::throw_failed_call("CUDA", #call, __FILE__, __LINE__,                          \
                                               cudaGetErrorString(tern_cuda_status));                      \
    }                                                                                                      \
  } while (0)

#define TERN_CUBLAS_CHECK(call)                                                                            \
  do {                                                                                                     \
    const cublasStatus_t tern_cublas_status = (call);                                                      \
    if (tern_cublas_status != CUBLAS_STATUS_SUCCESS) {                                                     \
      ::tern::kernels::cuda::throw_failed_call("cuBLAS", #call, __FILE__, __LINE__,                        \
                                               ::tern::kernels::cuda::cublas().status_string(tern_cublas_status)); \
    }                                                                                                      \
  } while (0)
