#include "core/nn/sharding.h"

#include <algorithm>

namespace tern {

namespace {
// A tensor seen as [outer, chunks, length, inner] around its split dimension, where the split
// dimension has chunks · length elements and a rank's block is length / ranks of each chunk.
struct SplitView {
  std::int64_t outer = 1, chunks = 1, length = 1, inner = 1;
};

SplitView split_view(const Shape& full, const Sharding& sharding) {
  const auto dim = static_cast<std::size_t>(sharding.split_dim);
  TERN_CHECK(dim < full.size(), "sharding: split dimension ", dim, " of a tensor ", shape_string(full));
  SplitView view;
  for (std::size_t i = 0; i < dim; ++i) view.outer *= full[i];
  for (std::size_t i = dim + 1; i < full.size(); ++i) view.inner *= full[i];
  view.chunks = sharding.chunks;
  TERN_CHECK(full[dim] % (sharding.chunks * sharding.ranks) == 0, "sharding: dimension ", dim, " of ",
             shape_string(full), " does not split into ", sharding.chunks, " chunk(s) over ", sharding.ranks, " ranks");
  view.length = full[dim] / sharding.chunks;
  return view;
}

// Calls copy(offset in the full tensor, offset in the shard, elements) for each contiguous
// piece of rank `rank`'s block.
template <typename Copy>
void for_each_piece(const SplitView& view, int rank, int ranks, Copy copy) {
  const std::int64_t block = view.length / ranks;
  for (std::int64_t o = 0; o < view.outer; ++o) {
    for (std::int64_t c = 0; c < view.chunks; ++c) {
      copy(((o * view.chunks + c) * view.length + rank * block) * view.inner, (o * view.chunks + c) * block * view.inner,
           block * view.inner);
    }
  }
}
}  // namespace

Shape shard_shape(const Shape& full, const Sharding& sharding) {
  if (sharding.kind == Sharding::Kind::replicated) return full;
  split_view(full, sharding);  // checks that it splits
  Shape shape = full;
  shape[static_cast<std::size_t>(sharding.split_dim)] /= sharding.ranks;
  return shape;
}

Tensor shard_of(const Tensor& full, const Sharding& sharding) {
  if (sharding.kind == Sharding::Kind::replicated) return full.clone();
  const SplitView view = split_view(full.shape(), sharding);
  Tensor shard = Tensor::empty(shard_shape(full.shape(), sharding));
  for_each_piece(view, sharding.rank, sharding.ranks, [&](std::int64_t full_offset, std::int64_t shard_offset, std::int64_t count) {
    std::copy_n(full.data<float>() + full_offset, count, shard.data<float>() + shard_offset);
  });
  return shard;
}

Tensor unshard(std::span<const Tensor> shards, const Sharding& sharding) {
  TERN_CHECK(static_cast<int>(shards.size()) == sharding.ranks, "unshard: ", shards.size(), " blocks for ",
             sharding.ranks, " ranks");
  if (sharding.kind == Sharding::Kind::replicated) return shards.front().clone();
  Shape shape = shards.front().shape();
  shape[static_cast<std::size_t>(sharding.split_dim)] *= sharding.ranks;
  const SplitView view = split_view(shape, sharding);
  Tensor full = Tensor::empty(shape);
  for (int rank = 0; rank < sharding.ranks; ++rank) {
    const Tensor& shard = shards[static_cast<std::size_t>(rank)];
    TERN_CHECK(shard.shape() == shards.front().shape(), "unshard: blocks of different shapes");
    for_each_piece(view, rank, sharding.ranks, [&](std::int64_t full_offset, std::int64_t shard_offset, std::int64_t count) {
      std::copy_n(shard.data<float>() + shard_offset, count, full.data<float>() + full_offset);
    });
  }
  return full;
}

void initialise_block(Parameter& parameter, const Shape& full_shape, const Sharding& sharding,
                      const std::function<void(Tensor&)>& draw) {
  Tensor full = Tensor::empty(full_shape);
  draw(full);
  parameter.sharding = sharding;
  parameter.value = shard_of(full, sharding);
  parameter.grad = Tensor::zeros(parameter.value.shape());
}

}  // namespace tern
