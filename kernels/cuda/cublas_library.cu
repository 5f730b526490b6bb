#include "kernels/cuda/cublas_library.cuh"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace tern::kernels::cuda {

namespace {

template <typename Function>
void look_up(void* library, const char* symbol, const std::string& name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, symbol));
  if (function == nullptr) throw std::runtime_error(name + " has no " + symbol + ": " + dlerror());
}

CublasLibrary open_cublas() {
  const std::string name = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (library == nullptr)
    throw std::runtime_error("cannot load cuBLAS (" + name + ") for GPU work: " + dlerror() +
                             "; put the CUDA toolkit's library folder on LD_LIBRARY_PATH");
  CublasLibrary functions;
  look_up(library, "cublasCreate_v2", name, functions.create);
  look_up(library, "cublasSetStream_v2", name, functions.set_stream);
  look_up(library, "cublasSetMathMode", name, functions.set_math_mode);
  look_up(library, "cublasGemmEx_64", name, functions.gemm_ex_64);
  look_up(library, "cublasGetStatusString", name, functions.status_string);
  return functions;  // the library stays open for the life of the process
}

}  // namespace

const CublasLibrary& cublas() {
  static const CublasLibrary library = open_cublas();
  return library;
}

}  // namespace tern::kernels::cuda
