// Element-wise CPU kernels over flat arrays: activations, bias, scaling. OpenMP splits the
// elements; every output element depends on its own inputs only, so results do not depend on
// the thread count. Column sums run over rows in order for the same reason.
#pragma once

#include <cstdint>

#include "kernels/common/activation_math.h"

namespace tern::kernels::cpu {

// y[i] = f(x[i])
void activation_forward(Activation kind, const float* x, float* y, std::int64_t count);
// dx[i] = f'(x[i]) · dy[i]   (uses x or y, see activation_math.h)
void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                         std::int64_t count);

// y[r, c] = f(y[r, c] + bias[c]) for a rows × cols matrix: the bias and the activation in one
// pass (Activation::identity adds the bias alone).
void bias_activation_forward(Activation kind, float* y, const float* bias, std::int64_t rows, std::int64_t cols);
// sums[c] += Σ_r x[r, c]  (the bias gradient; accumulates).
void accumulate_column_sums(const float* x, float* sums, std::int64_t rows, std::int64_t cols);

// y[r, c] = (x[r, c] - mean[c]) · inverse_std[c]
void standardize_columns(const float* x, const float* mean, const float* inverse_std, float* y, std::int64_t rows,
                         std::int64_t cols);

// y[i] *= factor
void scale(float* y, float factor, std::int64_t count);
// y[i] += x[i]  (a residual connection's gradient meeting its branch's)
void accumulate(float* y, const float* x, std::int64_t count);

// Σ x[i]², summed in double, in fixed blocks so the result does not depend on threads.
double sum_of_squares(const float* x, std::int64_t count);

}  // namespace tern::kernels::cpu
