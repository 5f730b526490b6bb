// The Backend on the CPU: kernels/cpu (oneDNN GEMM, OpenMP loops).
#pragma once

#include "core/backend/backend.h"

namespace tern {

const Backend& cpu_backend();

}  // namespace tern
