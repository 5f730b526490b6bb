// TERN_CUDA_CHECK: every CUDA runtime call goes through it; a failure throws with the call,
// the file and the line, so an error on one rank becomes a job failure naming the cause.
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#define TERN_CUDA_CHECK(call)                                                                  \
  do {                                                                                         \
    const cudaError_t tern_cuda_status = (call);                                               \
    if (tern_cuda_status != cudaSuccess) {                                                     \
      throw std::runtime_error(std::string("CUDA error in ") + #call + " at " + __FILE__ + ":" + \
                               std::to_string(__LINE__) + ": " + cudaGetErrorString(tern_cuda_status)); \
    }                                                                                          \
  } while (0)
