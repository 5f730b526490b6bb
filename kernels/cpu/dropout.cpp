#include "kernels/cpu/dropout.h"

#include "kernels/common/dropout_math.h"

namespace tern::kernels::cpu {

void dropout_forward(const float* x, float* y, float* mask_out, std::int64_t count, float p,
                     std::uint64_t seed, std::uint64_t stream, std::uint64_t first_index) {
  const float keep_scale = dropout_keep_scale(p);
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) {
    mask_out[i] = dropout_mask(seed, first_index + static_cast<std::uint64_t>(i), stream, p, keep_scale);
    y[i] = x[i] * mask_out[i];
  }
}

void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count) {
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) dx[i] = dy[i] * mask[i];
}

}  // namespace tern::kernels::cpu
