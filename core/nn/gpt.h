// A GPT-style decoder-only transformer language model (GPT-2's layout), on token ids [B, T]:
//   x₀ = wte[ids] + wpe[0..T-1]                 (token and position embeddings)
//   x₀ = Dropout(x₀),  xₗ = Blockₗ(xₗ₋₁)        (pre-LayerNorm blocks, transformer_block.h)
//   logits = LN_f(x_L) W_outᵀ                   [B·T, vocab]; W_out = wte when tied
// Backward: dW_out += dlogitsᵀ h, dh = dlogits W_out, then LN_f, the blocks in reverse, the
// dropout, and both embeddings get dx₀ (with tied weights wte's gradient is the sum of the
// head's and the lookup's). The next-token loss is the caller's (softmax cross-entropy on the
// logits against the ids shifted by one).
//
// Activation checkpointing (per block, off by default): forward keeps only each block's input
// and drops what the block saved; backward runs the block's forward again from that input,
// with the same mode (so the same dropout masks), then its backward. Activation memory falls
// from all the blocks' saved tensors to their inputs, for one more forward per block.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/nn/dropout.h"
#include "core/nn/embedding.h"
#include "core/nn/layer_norm.h"
#include "core/nn/transformer_block.h"

namespace tern {

struct GptConfig {
  std::int64_t vocab_size = 256;
  std::int64_t context = 64;  // the longest sequence (rows of the position table)
  std::int64_t n_layer = 2;
  std::int64_t n_head = 2;
  std::int64_t d_model = 64;
  float dropout = 0.0f;
  bool tie_embeddings = true;
};

class Gpt : public Module {
 public:
  Gpt(const GptConfig& config, std::uint64_t seed);

  // ids: i32 [B, T] with T ≤ context; returns logits [B·T, vocab]
  Tensor forward(const Tensor& ids, Saved& saved) override;
  // dlogits [B·T, vocab]; returns an undefined Tensor (ids have no gradient)
  Tensor backward(const Tensor& dlogits, Saved& saved) override;
  std::vector<Parameter*> parameters() override;

  const GptConfig& config() const { return config_; }
  void set_activation_checkpointing(bool enabled) { activation_checkpointing_ = enabled; }

 private:
  Parameter& output_weight() { return config_.tie_embeddings ? token_embedding_.table() : *output_weight_; }

  GptConfig config_;
  Embedding token_embedding_, position_embedding_;
  Dropout embedding_dropout_;
  std::vector<std::unique_ptr<TransformerBlock>> blocks_;
  LayerNorm final_norm_;
  std::unique_ptr<Parameter> output_weight_;  // untied only
  bool activation_checkpointing_ = false;
};

}  // namespace tern
