// Whether a GEMM operand is used as stored or transposed: op(X) = X or Xᵀ. Shared by the CPU
// and CUDA GEMMs, so a caller picks the backend without changing its arguments.
#pragma once

namespace tern::kernels {

enum class Transpose { no, yes };

}  // namespace tern::kernels
