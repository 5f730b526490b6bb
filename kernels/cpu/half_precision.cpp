#include "kernels/cpu/half_precision.h"

#include <Eigen/Core>
#include <bit>

namespace tern::kernels::cpu {

namespace {
template <typename Half>
void convert_to(const float* x, std::uint16_t* bits, std::int64_t count) {
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) bits[i] = std::bit_cast<std::uint16_t>(Half(x[i]));
}

template <typename Half>
void convert_from(const std::uint16_t* bits, float* x, std::int64_t count) {
#pragma omp parallel for schedule(static) if (count > 16384)
  for (std::int64_t i = 0; i < count; ++i) x[i] = static_cast<float>(std::bit_cast<Half>(bits[i]));
}
}  // namespace

void to_half(HalfFormat format, const float* x, std::uint16_t* bits, std::int64_t count) {
  if (format == HalfFormat::bf16) {
    convert_to<Eigen::bfloat16>(x, bits, count);
  } else {
    convert_to<Eigen::half>(x, bits, count);
  }
}

void from_half(HalfFormat format, const std::uint16_t* bits, float* x, std::int64_t count) {
  if (format == HalfFormat::bf16) {
    convert_from<Eigen::bfloat16>(bits, x, count);
  } else {
    convert_from<Eigen::half>(bits, x, count);
  }
}

}  // namespace tern::kernels::cpu
