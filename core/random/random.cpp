#include "core/random/random.h"

#include <cmath>
#include <numeric>
#include <utility>

#include "kernels/common/philox.h"

namespace tern {

std::uint64_t stream_id(std::string_view name) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

void fill_uniform(Tensor& tensor, float low, float high, std::uint64_t seed, std::uint64_t stream) {
  float* values = tensor.data<float>();
  const std::int64_t count = tensor.numel();
  for (std::int64_t i = 0; i < count; ++i)
    values[i] = low + (high - low) * kernels::philox_uniform(seed, static_cast<std::uint64_t>(i), stream);
}

void fill_normal(Tensor& tensor, float mean, float standard_deviation, std::uint64_t seed, std::uint64_t stream) {
  float* values = tensor.data<float>();
  const std::int64_t count = tensor.numel();
  constexpr double kTwoToThe32 = 4294967296.0;
  for (std::int64_t i = 0; i < count; ++i) {
    const kernels::PhiloxBlock bits = kernels::philox4x32(seed, static_cast<std::uint64_t>(i), stream);
    const double u1 = (static_cast<double>(bits.word[0]) + 1.0) / kTwoToThe32;  // in (0, 1]: log is finite
    const double u2 = static_cast<double>(bits.word[1]) / kTwoToThe32;
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    values[i] = mean + standard_deviation * static_cast<float>(z);
  }
}

std::vector<std::int64_t> random_permutation(std::int64_t count, std::uint64_t seed, std::uint64_t stream) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  for (std::int64_t i = count - 1; i > 0; --i) {
    const kernels::PhiloxBlock bits = kernels::philox4x32(seed, static_cast<std::uint64_t>(i), stream);
    const std::uint64_t wide = (static_cast<std::uint64_t>(bits.word[0]) << 32) | bits.word[1];
    const auto j = static_cast<std::int64_t>(wide % static_cast<std::uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

}  // namespace tern
