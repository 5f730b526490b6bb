// The Backend on CUDA device N: kernels/cuda (cuBLAS GEMM, CUDA kernels), queued on the
// device's compute stream. Built only with CUDA.
#pragma once

#include "core/backend/backend.h"

namespace tern {

// `device` must exist (backend_for checks it).
const Backend& cuda_backend(int device);

}  // namespace tern
