// cuBLAS, opened (dlopen) when the first GEMM runs on a GPU rather than linked: linking
// libcublas costs every process about 210 MB of resident memory at start-up (measured: an empty
// program linked with -lcublas, 213 MB against 1 MB), which the CPU-only jobs and every rank of
// a CPU cluster would pay for nothing. Only the functions Tern calls are looked up; a missing
// library or symbol is an error naming it.
#pragma once

#include <cublas_v2.h>

namespace tern::kernels::cuda {

struct CublasLibrary {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasSetStream_v2) set_stream = nullptr;
  decltype(&cublasSetMathMode) set_math_mode = nullptr;
  decltype(&cublasGemmEx_64) gemm_ex_64 = nullptr;
  decltype(&cublasGetStatusString) status_string = nullptr;
};

// The loaded library (libcublas.so.<major version Tern was built with>), loaded on first call,
// thread-safe; throws std::runtime_error when it cannot be.
const CublasLibrary& cublas();

}  // namespace tern::kernels::cuda
