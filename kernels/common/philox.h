// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator. The i-th random number of stream s under seed k is a pure function
// philox(k, (i, s)), so any thread, rank or device can compute it without shared state; that
// makes initialisation, shuffles and dropout masks independent of thread count and layout.
#pragma once

#include <cstdint>

#include "kernels/common/host_device.h"

namespace tern::kernels {

struct PhiloxBlock {
  std::uint32_t word[4];
};

TERN_HOST_DEVICE std::uint32_t philox_mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi) {
  const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(product >> 32);
  return static_cast<std::uint32_t>(product);
}

// Four 32-bit random words for counter (index, stream) under a 64-bit seed.
TERN_HOST_DEVICE PhiloxBlock philox4x32(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  std::uint32_t c0 = static_cast<std::uint32_t>(index), c1 = static_cast<std::uint32_t>(index >> 32);
  std::uint32_t c2 = static_cast<std::uint32_t>(stream), c3 = static_cast<std::uint32_t>(stream >> 32);
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    std::uint32_t hi0, hi1;
    const std::uint32_t lo0 = philox_mulhilo(kMul0, c0, hi0);
    const std::uint32_t lo1 = philox_mulhilo(kMul1, c2, hi1);
    const std::uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 += kWeyl0; k1 += kWeyl1;
  }
  return {{c0, c1, c2, c3}};
}

// A uniform float in [0, 1) from 24 random bits.
TERN_HOST_DEVICE float uniform_from_bits(std::uint32_t bits) {
  return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f);
}

// The index-th uniform number in [0, 1) of a stream.
TERN_HOST_DEVICE float philox_uniform(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  return uniform_from_bits(philox4x32(seed, index, stream).word[0]);
}

// The index-th uniform number in [0, 1) of a stream with float64's 53 bits, for draws among
// more rows than a float's 24 bits tell apart.
TERN_HOST_DEVICE double philox_uniform_double(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
  const PhiloxBlock block = philox4x32(seed, index, stream);
  const std::uint64_t bits = (static_cast<std::uint64_t>(block.word[0]) << 21) ^ (block.word[1] >> 11);
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);  // 2^53
}

}  // namespace tern::kernels
