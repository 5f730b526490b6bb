#include "kernels/cpu/dropout.h"

#include "kernels/common/philox.h"

namespace tern::kernels::cpu {

void dropout_forward(const float* x, float* y, float* mask_out, std::int64_t count, float p,
                     std::uint64_t seed, std::uint64_t stream, std::uint64_t first_index) {
  const float keep_scale = 1.0f / (1.0f - p);
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) {
    const float u = philox_uniform(seed, first_index + static_cast<std::uint64_t>(i), stream);
    mask_out[i] = u >= p ? keep_scale : 0.0f;
    y[i] = x[i] * mask_out[i];
  }
}

void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count) {
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) dx[i] = dy[i] * mask[i];
}

}  // namespace tern::kernels::cpu
