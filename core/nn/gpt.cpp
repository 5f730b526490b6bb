#include "core/nn/gpt.h"

#include "core/backend/backend.h"
#include "core/nn/mixed_precision.h"
#include "core/nn/sharding.h"
#include "core/random/random.h"

namespace tern {

namespace {
// Saved slots: the embeddings, their sum over tp, the dropout, each block, the final norm and
// the head's f; the head keeps its input (the final norm's output) in the top Saved's tensors.
enum Slot : std::size_t { kTokens, kPositions, kEmbeddingSum, kDropout, kFirstBlock };
}  // namespace

Gpt::Gpt(const GptConfig& config, std::uint64_t seed, const GptPartition& partition)
    : config_(config),
      tensor_parallel_(partition.tensor_parallel != nullptr ? *partition.tensor_parallel : whole_model_),
      first_layer_(partition.first_layer),
      end_layer_(partition.end_layer < 0 ? config.n_layer : partition.end_layer) {
  TERN_CHECK(config.n_layer >= 1, "gpt: n_layer must be at least 1, got ", config.n_layer);
  TERN_CHECK(first_layer_ >= 0 && first_layer_ < end_layer_ && end_layer_ <= config.n_layer, "gpt: a stage of layers [",
             first_layer_, ", ", end_layer_, ") of a model of ", config.n_layer);
  const int rank = tensor_parallel_.rank(), ranks = tensor_parallel_.size();
  TERN_CHECK(config.vocab_size % ranks == 0, "gpt: vocab_size (", config.vocab_size, ") must be a multiple of tp (",
             ranks, ")");
  if (first_stage()) {
    token_embedding_ = std::make_unique<Embedding>(config.vocab_size, config.d_model, "wte", seed, rank, ranks);
    position_embedding_ = std::make_unique<Embedding>(config.context, config.d_model, "wpe", seed);
    position_embedding_->table().counted_elsewhere = rank != 0;
    embedding_sum_ = std::make_unique<ReduceFromTensorParallel>(tensor_parallel_);
    embedding_dropout_ = std::make_unique<Dropout>(config.dropout, "wte.dropout");
  }
  for (std::int64_t layer = first_layer_; layer < end_layer_; ++layer) {
    blocks_.push_back(std::make_unique<TransformerBlock>(config.d_model, config.n_head, config.dropout,
                                                         "h." + std::to_string(layer), seed, tensor_parallel_));
  }
  if (last_stage()) {
    final_norm_ = std::make_unique<LayerNorm>(config.d_model, "ln_f");
    for (Parameter* parameter : final_norm_->parameters()) parameter->counted_elsewhere = rank != 0;
    head_copy_ = std::make_unique<CopyToTensorParallel>(tensor_parallel_);
    if (!config.tie_embeddings || !first_stage()) {
      // Drawn as Embedding draws its table: the tied copy starts equal to the first stage's wte.
      const std::string name = config.tie_embeddings ? "wte.weight" : "lm_head.weight";
      output_weight_ = std::make_unique<Parameter>(name, Shape{0});
      const Sharding by_vocabulary{.kind = Sharding::Kind::split, .rank = rank, .ranks = ranks};
      initialise_block(*output_weight_, {config.vocab_size, config.d_model}, by_vocabulary,
                       [&](Tensor& full) { fill_normal(full, 0.0f, 0.02f, seed, stream_id(name)); });
      output_weight_->counted_elsewhere = config.tie_embeddings;  // the first stage's wte counts
    }
  }
}

std::int64_t Gpt::first_vocabulary_id() const {
  return config_.vocab_size / tensor_parallel_.size() * tensor_parallel_.rank();
}

std::vector<Parameter*> Gpt::parameters() {
  std::vector<Parameter*> all;
  if (first_stage()) all = {&token_embedding_->table(), &position_embedding_->table()};
  for (auto& block : blocks_) {
    for (Parameter* parameter : block->parameters()) all.push_back(parameter);
  }
  if (last_stage()) {
    for (Parameter* parameter : final_norm_->parameters()) all.push_back(parameter);
    if (output_weight_) all.push_back(output_weight_.get());
  }
  return all;
}

// x₀ = Dropout(g(wte_r[ids]) + wpe[0..T-1])
Tensor Gpt::embed(const Tensor& ids, Saved& saved) {
  TERN_CHECK(ids.ndim() == 2 && ids.dtype() == DType::i32, "gpt: expected i32 ids [batch, time], got ",
             dtype_name(ids.dtype()), " ", shape_string(ids.shape()));
  const std::int64_t batch = ids.dim(0), time = ids.dim(1);
  TERN_CHECK(time >= 1 && time <= config_.context, "gpt: sequences of ", time, " tokens, the model takes 1 to ",
             config_.context);
  Tensor positions = Tensor::empty({batch, time}, DType::i32);
  for (std::int64_t i = 0; i < batch * time; ++i) positions.data<std::int32_t>()[i] = static_cast<std::int32_t>(i % time);
  positions = positions.to(ids.device());
  Tensor x = token_embedding_->forward(ids, saved.children[kTokens]);
  x = embedding_sum_->forward(x, saved.children[kEmbeddingSum]);
  const Tensor position_rows = position_embedding_->forward(positions, saved.children[kPositions]);
  backend_for(x.device()).accumulate(x.device_data<float>(), position_rows.device_data<float>(), x.numel());
  return embedding_dropout_->forward(x, saved.children[kDropout]);
}

// logits_r = f(LN_f(x)) W_rᵀ: this rank's columns of the logits
Tensor Gpt::head(const Tensor& x, Saved& saved) {
  const std::int64_t rows = x.dim(0) * x.dim(1);
  const std::size_t norm_slot = kFirstBlock + blocks_.size();
  Tensor normed = final_norm_->forward(x, saved.children[norm_slot]).reshaped({rows, config_.d_model});
  normed = head_copy_->forward(normed, saved.children[norm_slot + 1]);
  const Parameter& weight = output_weight();
  Tensor logits = Tensor::empty({rows, weight.value.dim(0)}, DType::f32, x.device());
  gemm(Transpose::no, Transpose::yes, 1.0f, normed, weight.value, 0.0f, logits);
  saved.tensors = {normed};
  return logits;
}

// dW_r += dlogits_rᵀ h,  dh = f backward (Σ over tp of dlogits_r W_r),  then LN_f
Tensor Gpt::head_backward(const Tensor& dlogits, Saved& saved) {
  const Tensor& normed = saved.tensors.at(0);
  const std::size_t norm_slot = kFirstBlock + blocks_.size();
  Parameter& weight = output_weight();
  gemm(Transpose::yes, Transpose::no, 1.0f, dlogits, normed, 1.0f, weight.grad);
  if (output_weight_ && saved.mode.gradient_listener != nullptr) saved.mode.gradient_listener->gradient_ready(weight);
  Tensor dnormed = Tensor::empty(normed.shape(), DType::f32, normed.device());
  gemm(Transpose::no, Transpose::no, 1.0f, dlogits, weight.value, 0.0f, dnormed);
  dnormed = head_copy_->backward(dnormed, saved.children[norm_slot + 1]);
  const Shape& input_shape = saved.children[norm_slot].tensors.at(0).shape();
  Tensor dx = final_norm_->backward(dnormed.reshaped(input_shape), saved.children[norm_slot]);
  report_gradients_ready(*final_norm_, saved.mode);
  return dx;
}

Tensor Gpt::forward(const Tensor& input, Saved& saved) {
  saved.children.assign(kFirstBlock + blocks_.size() + 2, Saved(saved.mode));
  Tensor x = first_stage() ? embed(input, saved) : input;
  TERN_CHECK(x.ndim() == 3 && x.dim(2) == config_.d_model, "gpt: a stage's input activations must be [batch, time, ",
             config_.d_model, "], got ", shape_string(x.shape()));
  for (std::size_t layer = 0; layer < blocks_.size(); ++layer) {
    Saved& block_saved = saved.children[kFirstBlock + layer];
    const Tensor block_input = x;
    x = blocks_[layer]->forward(block_input, block_saved);
    if (activation_checkpointing_) {
      block_saved.children.clear();  // recomputed in backward
      block_saved.tensors = {block_input};
    }
  }
  return last_stage() ? head(x, saved) : x;
}

Tensor Gpt::backward(const Tensor& doutput, Saved& saved) {
  Tensor dx = last_stage() ? head_backward(doutput, saved) : doutput;
  for (std::size_t layer = blocks_.size(); layer-- > 0;) {
    Saved& block_saved = saved.children[kFirstBlock + layer];
    if (activation_checkpointing_) {
      Saved recomputed(block_saved.mode);
      blocks_[layer]->forward(block_saved.tensors.at(0), recomputed);
      dx = blocks_[layer]->backward(dx, recomputed);
    } else {
      dx = blocks_[layer]->backward(dx, block_saved);
    }
  }
  if (!first_stage()) return dx;
  dx = embedding_dropout_->backward(dx, saved.children[kDropout]);
  dx = embedding_sum_->backward(dx, saved.children[kEmbeddingSum]);
  position_embedding_->backward(dx, saved.children[kPositions]);
  token_embedding_->backward(dx, saved.children[kTokens]);
  report_gradients_ready(*position_embedding_, saved.mode);
  report_gradients_ready(*token_embedding_, saved.mode);
  return {};
}

}  // namespace tern
