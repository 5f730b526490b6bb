#include "core/nn/gpt.h"

#include "core/backend/backend.h"
#include "core/nn/mixed_precision.h"
#include "core/random/random.h"

namespace tern {

namespace {
// Saved slots: the embeddings, the dropout, each block, the final norm; the head keeps its
// input (the final norm's output) in the top Saved's tensors.
enum Slot : std::size_t { kTokens, kPositions, kDropout, kFirstBlock };
}  // namespace

Gpt::Gpt(const GptConfig& config, std::uint64_t seed)
    : config_(config),
      token_embedding_(config.vocab_size, config.d_model, "wte", seed),
      position_embedding_(config.context, config.d_model, "wpe", seed),
      embedding_dropout_(config.dropout, "wte.dropout"),
      final_norm_(config.d_model, "ln_f") {
  TERN_CHECK(config.n_layer >= 1, "gpt: n_layer must be at least 1, got ", config.n_layer);
  for (std::int64_t layer = 0; layer < config.n_layer; ++layer) {
    blocks_.push_back(std::make_unique<TransformerBlock>(config.d_model, config.n_head, config.dropout,
                                                         "h." + std::to_string(layer), seed));
  }
  if (!config.tie_embeddings) {
    output_weight_ = std::make_unique<Parameter>("lm_head.weight", Shape{config.vocab_size, config.d_model});
    fill_normal(output_weight_->value, 0.0f, 0.02f, seed, stream_id(output_weight_->name));
  }
}

std::vector<Parameter*> Gpt::parameters() {
  std::vector<Parameter*> all = {&token_embedding_.table(), &position_embedding_.table()};
  for (auto& block : blocks_) {
    for (Parameter* parameter : block->parameters()) all.push_back(parameter);
  }
  for (Parameter* parameter : final_norm_.parameters()) all.push_back(parameter);
  if (output_weight_) all.push_back(output_weight_.get());
  return all;
}

Tensor Gpt::forward(const Tensor& ids, Saved& saved) {
  TERN_CHECK(ids.ndim() == 2 && ids.dtype() == DType::i32, "gpt: expected i32 ids [batch, time], got ",
             dtype_name(ids.dtype()), " ", shape_string(ids.shape()));
  const std::int64_t batch = ids.dim(0), time = ids.dim(1), d = config_.d_model;
  TERN_CHECK(time >= 1 && time <= config_.context, "gpt: sequences of ", time, " tokens, the model takes 1 to ",
             config_.context);
  Tensor positions = Tensor::empty({batch, time}, DType::i32);
  for (std::int64_t i = 0; i < batch * time; ++i) positions.data<std::int32_t>()[i] = static_cast<std::int32_t>(i % time);
  positions = positions.to(ids.device());

  saved.children.assign(kFirstBlock + blocks_.size() + 1, Saved(saved.mode));
  Tensor x = token_embedding_.forward(ids, saved.children[kTokens]);
  const Tensor position_rows = position_embedding_.forward(positions, saved.children[kPositions]);
  backend_for(x.device()).accumulate(x.device_data<float>(), position_rows.device_data<float>(), x.numel());
  x = embedding_dropout_.forward(x, saved.children[kDropout]);
  for (std::size_t layer = 0; layer < blocks_.size(); ++layer) {
    Saved& block_saved = saved.children[kFirstBlock + layer];
    const Tensor input = x;
    x = blocks_[layer]->forward(input, block_saved);
    if (activation_checkpointing_) {
      block_saved.children.clear();  // recomputed in backward
      block_saved.tensors = {input};
    }
  }
  const Tensor normed = final_norm_.forward(x, saved.children.back()).reshaped({batch * time, d});
  Tensor logits = Tensor::empty({batch * time, config_.vocab_size}, DType::f32, ids.device());
  gemm(Transpose::no, Transpose::yes, 1.0f, normed, output_weight().value, 0.0f, logits);
  saved.tensors = {normed};
  return logits;
}

Tensor Gpt::backward(const Tensor& dlogits, Saved& saved) {
  const Tensor& normed = saved.tensors.at(0);
  Parameter& head = output_weight();
  gemm(Transpose::yes, Transpose::no, 1.0f, dlogits, normed, 1.0f, head.grad);
  if (output_weight_ && saved.mode.gradient_listener != nullptr) saved.mode.gradient_listener->gradient_ready(head);
  Tensor dnormed = Tensor::empty(normed.shape(), DType::f32, normed.device());
  gemm(Transpose::no, Transpose::no, 1.0f, dlogits, head.value, 0.0f, dnormed);
  const std::int64_t batch = saved.children[kTokens].tensors.at(0).dim(0);
  Tensor dx = final_norm_.backward(dnormed.reshaped({batch, normed.dim(0) / batch, config_.d_model}),
                                   saved.children.back());
  report_gradients_ready(final_norm_, saved.mode);
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
  dx = embedding_dropout_.backward(dx, saved.children[kDropout]);
  position_embedding_.backward(dx, saved.children[kPositions]);
  token_embedding_.backward(dx, saved.children[kTokens]);
  report_gradients_ready(position_embedding_, saved.mode);
  report_gradients_ready(token_embedding_, saved.mode);
  return {};
}

}  // namespace tern
