// Element-wise CUDA kernels: the namesakes of kernels/cpu/elementwise.h, with the same element
// math (common/activation_math.h), so the CPU tests cover the arithmetic. All pointers are
// device memory; each call queues its work on `stream` and returns without synchronizing.
// Every result is the same from run to run: reductions add in an order fixed by the sizes.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/common/activation_math.h"

namespace tern::kernels::cuda {

// y[i] = f(x[i])
void activation_forward(Activation kind, const float* x, float* y, std::int64_t count, cudaStream_t stream);
// dx[i] = f'(x[i]) · dy[i]   (uses x or y, see activation_math.h)
void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                         std::int64_t count, cudaStream_t stream);

// y[r, c] = f(y[r, c] + bias[c]) for a rows × cols matrix: the bias and the activation in one
// pass (Activation::identity adds the bias alone).
void bias_activation_forward(Activation kind, float* y, const float* bias, std::int64_t rows, std::int64_t cols,
                             cudaStream_t stream);
// sums[c] += Σ_r x[r, c]  (the bias gradient; accumulates). Each block owns a tile of 32
// columns whose rows it sums in double and reduces in a fixed order; the float sums differ
// from the CPU's row-order float sums in the last bits.
void accumulate_column_sums(const float* x, float* sums, std::int64_t rows, std::int64_t cols, cudaStream_t stream);

// y[r, c] = (x[r, c] - mean[c]) · inverse_std[c]
void standardize_columns(const float* x, const float* mean, const float* inverse_std, float* y, std::int64_t rows,
                         std::int64_t cols, cudaStream_t stream);

// y[i] *= factor
void scale(float* y, float factor, std::int64_t count, cudaStream_t stream);
// y[i] += x[i]
void accumulate(float* y, const float* x, std::int64_t count, cudaStream_t stream);

// *result = Σ x[i]², summed in double in two passes (per-block sums, then one block over them;
// see reduction.h). The result is written to device memory instead of returned, so the host
// does not wait for the GPU; copy it back when it is needed.
void sum_of_squares(const float* x, std::int64_t count, double* result, cudaStream_t stream);

}  // namespace tern::kernels::cuda
