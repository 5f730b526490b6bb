#include "core/nn/embedding.h"

#include <stdexcept>

#include "core/backend/backend.h"
#include "core/nn/sharding.h"
#include "core/random/random.h"

namespace tern {

Embedding::Embedding(std::int64_t num_embeddings, std::int64_t features, const std::string& name, std::uint64_t seed,
                     int rank, int ranks)
    : num_embeddings_(num_embeddings),
      features_(features),
      first_id_(ranks > 0 ? num_embeddings / ranks * rank : 0),
      rows_(ranks > 0 ? num_embeddings / ranks : 0),
      table_(name + ".weight", {0}) {
  TERN_CHECK(num_embeddings > 0 && features > 0, "Embedding ", name, ": sizes must be positive, got ",
             num_embeddings, " x ", features);
  const Sharding by_rows{.kind = ranks > 1 ? Sharding::Kind::split : Sharding::Kind::replicated, .rank = rank,
                         .ranks = ranks};
  initialise_block(table_, {num_embeddings, features}, by_rows,
                   [&](Tensor& full) { fill_normal(full, 0.0f, 0.02f, seed, stream_id(table_.name)); });
}

Tensor Embedding::forward(const Tensor& ids, Saved& saved) {
  TERN_CHECK(ids.dtype() == DType::i32, table_.name, ": ids must be i32, got ", dtype_name(ids.dtype()));
  TERN_CHECK(ids.device() == table_.value.device(), table_.name, ": ids on ", ids.device().name(), ", table on ",
             table_.value.device().name());
  Shape shape = ids.shape();
  shape.push_back(features_);
  Tensor y = Tensor::empty(shape, DType::f32, ids.device());
  try {
    backend_for(ids.device())
        .embedding_forward(ids.device_data<std::int32_t>(), table_.value.device_data<float>(), ids.numel(), first_id_,
                           rows_, num_embeddings_, features_, y.device_data<float>());
  } catch (const std::out_of_range& error) {
    throw Error(table_.name + ": " + error.what());
  }
  saved.tensors = {ids};
  return y;
}

Tensor Embedding::backward(const Tensor& dy, Saved& saved) {
  const Tensor& ids = saved.tensors.at(0);
  backend_for(dy.device())
      .embedding_backward(ids.device_data<std::int32_t>(), dy.device_data<float>(), ids.numel(), first_id_, rows_,
                          features_, table_.grad.device_data<float>());
  return {};
}

}  // namespace tern
