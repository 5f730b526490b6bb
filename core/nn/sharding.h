// Splitting a parameter across a tensor-parallel group and joining it again (Parameter's
// Sharding, module.h). A layer draws its full initial values (so every layout starts from the
// same model) and keeps its block; a checkpoint of a tensor-parallel model joins the blocks.
// See the picture of chunks in module.h: for qkv [3d, d] split on dim 0 in 3 chunks over 2
// ranks, rank 0 holds rows [0, d/2) of Q, of K and of V, rank 1 the other halves.
#pragma once

#include <functional>
#include <span>

#include "core/nn/module.h"

namespace tern {

// The shape of one rank's block of a tensor of shape `full` (the split dimension divided).
Shape shard_shape(const Shape& full, const Sharding& sharding);

// Rank sharding.rank's block of `full` (a host tensor), as a new host tensor.
Tensor shard_of(const Tensor& full, const Sharding& sharding);

// The full tensor from every rank's block, in rank order: the inverse of shard_of.
Tensor unshard(std::span<const Tensor> shards, const Sharding& sharding);

// Sets `parameter` (value, zero gradient, sharding) to its block of a tensor of `full_shape`
// filled by `draw`: every layout starts from the values of the unsplit model.
void initialise_block(Parameter& parameter, const Shape& full_shape, const Sharding& sharding,
                      const std::function<void(Tensor&)>& draw);

}  // namespace tern
