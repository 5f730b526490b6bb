// Seeded randomness for the whole job. Every random quantity is drawn from the counter-based
// Philox generator (kernels/common/philox.h) under the job seed, in a named stream: the stream
// of a parameter's initial values is derived from the parameter's name, the stream of an
// epoch's shuffle from the epoch number. So results depend on the seed only, never on thread
// count, rank count or the order in which things are created.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/tensor/tensor.h"

namespace tern {

// A 64-bit stream id for a name (FNV-1a).
std::uint64_t stream_id(std::string_view name);

// Fills `tensor` with U(low, high).
void fill_uniform(Tensor& tensor, float low, float high, std::uint64_t seed, std::uint64_t stream);

// Fills `tensor` with N(mean, standard_deviation²): Box–Muller on two uniforms of element i's
// Philox block, z = √(-2 ln u₁) cos(2π u₂).
void fill_normal(Tensor& tensor, float mean, float standard_deviation, std::uint64_t seed, std::uint64_t stream);

// A uniformly random permutation of 0..count-1 (Fisher-Yates driven by Philox).
std::vector<std::int64_t> random_permutation(std::int64_t count, std::uint64_t seed, std::uint64_t stream);

}  // namespace tern
