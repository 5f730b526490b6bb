// The softmax of one row on the CPU, shared by the loss and attention kernels:
//   p = e^(z - max z) / Σ e^(z - max z), summed in column order; returns log Σ e^z.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/common/loss_math.h"

namespace tern::kernels::cpu {

inline float softmax_row(const float* z, std::int64_t count, float* p) {
  const float max_logit = *std::max_element(z, z + count);
  float sum = 0.0f;
  for (std::int64_t c = 0; c < count; ++c) {
    p[c] = kernels::shifted_exp(z[c], max_logit);
    sum += p[c];
  }
  const float inverse = 1.0f / sum;
  for (std::int64_t c = 0; c < count; ++c) p[c] *= inverse;
  return kernels::log_sum_exp(max_logit, sum);
}

}  // namespace tern::kernels::cpu
