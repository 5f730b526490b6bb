// A GPT-style decoder-only transformer language model (GPT-2's layout), on token ids [B, T]:
//   x₀ = wte[ids] + wpe[0..T-1]                 (token and position embeddings)
//   x₀ = Dropout(x₀),  xₗ = Blockₗ(xₗ₋₁)        (pre-LayerNorm blocks, transformer_block.h)
//   logits = LN_f(x_L) W_outᵀ                   [B·T, vocab]; W_out = wte when tied
// Backward: dW_out += dlogitsᵀ h, dh = dlogits W_out, then LN_f, the blocks in reverse, the
// dropout, and both embeddings get dx₀ (with tied weights wte's gradient is the sum of the
// head's and the lookup's). The next-token loss is the caller's (softmax cross-entropy on the
// logits against the ids shifted by one; vocab_parallel_cross_entropy.h).
//
// Model parallelism (GptPartition) splits the model over ranks two ways:
// - Tensor parallelism over a tp group: each block's heads and MLP units
//   (transformer_block.h), and the vocabulary: rank r holds rows [r·V/tp, (r+1)·V/tp) of wte
//   (and of W_out). The lookup gives zeros for the other ranks' ids and g sums the ranks'
//   rows; the head computes this rank's columns of the logits from the whole h (after f), and
//   the loss combines the ranks' columns without gathering them.
// - Pipeline parallelism: a stage holds a contiguous range of blocks. The first stage takes
//   ids and embeds them; every other stage takes the activations [B, T, d] of the stage
//   before. The last stage applies LN_f and the head and returns logits; every other stage
//   returns its activations. Backward returns the gradient of the stage's input activations
//   (undefined on the first stage). With tied embeddings and several stages, the last stage
//   keeps its own copy of wte for the head; the two copies start equal, and the training loop
//   sums their gradients so that they stay equal.
//
// Activation checkpointing (per block, off by default): forward keeps only each block's input
// and drops what the block saved; backward runs the block's forward again from that input,
// with the same mode (so the same dropout masks), then its backward. Activation memory falls
// from all the blocks' saved tensors to their inputs, for one more forward per block.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/comm.h"
#include "core/nn/dropout.h"
#include "core/nn/embedding.h"
#include "core/nn/layer_norm.h"
#include "core/nn/tensor_parallel.h"
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

// This rank's part of the model: its tensor-parallel group (null: none) and its pipeline
// stage's blocks [first_layer, end_layer) (end_layer -1: to the last).
struct GptPartition {
  Communicator* tensor_parallel = nullptr;
  std::int64_t first_layer = 0, end_layer = -1;
};

class Gpt : public Module {
 public:
  Gpt(const GptConfig& config, std::uint64_t seed, const GptPartition& partition = {});

  // First stage: ids i32 [B, T] with T ≤ context; other stages: activations [B, T, d].
  // Last stage: returns logits [B·T, vocab / tp] (this rank's columns); other stages: [B, T, d].
  Tensor forward(const Tensor& input, Saved& saved) override;
  // dlogits [B·T, vocab / tp] (last stage) or d(activations) [B, T, d]; returns the gradient of
  // the input activations, undefined on the first stage (ids have no gradient).
  Tensor backward(const Tensor& doutput, Saved& saved) override;
  std::vector<Parameter*> parameters() override;

  const GptConfig& config() const { return config_; }
  bool first_stage() const { return first_layer_ == 0; }
  bool last_stage() const { return end_layer_ == config_.n_layer; }
  // The vocabulary ids whose logits this rank computes: [first, first + vocab / tp).
  std::int64_t first_vocabulary_id() const;
  // The head's weight on a last stage that is not the first, when it is a copy of wte: its
  // gradient must be added to the first stage's wte gradient (and back).
  Parameter* tied_embedding_copy() { return config_.tie_embeddings && !first_stage() ? output_weight_.get() : nullptr; }
  void set_activation_checkpointing(bool enabled) { activation_checkpointing_ = enabled; }

 private:
  Parameter& output_weight() { return output_weight_ ? *output_weight_ : token_embedding_->table(); }
  Tensor embed(const Tensor& ids, Saved& saved);
  Tensor head(const Tensor& x, Saved& saved);
  Tensor head_backward(const Tensor& dlogits, Saved& saved);

  GptConfig config_;
  LocalCommunicator whole_model_;  // the tp group when there is none
  Communicator& tensor_parallel_;
  std::int64_t first_layer_, end_layer_;
  // First stage: the embeddings and their dropout; g sums the ranks' vocabulary rows.
  std::unique_ptr<Embedding> token_embedding_, position_embedding_;
  std::unique_ptr<ReduceFromTensorParallel> embedding_sum_;
  std::unique_ptr<Dropout> embedding_dropout_;
  std::vector<std::unique_ptr<TransformerBlock>> blocks_;
  // Last stage: the final norm, f before the head, and the head's own weight (untied, or the
  // tied copy on a later stage than the first).
  std::unique_ptr<LayerNorm> final_norm_;
  std::unique_ptr<CopyToTensorParallel> head_copy_;
  std::unique_ptr<Parameter> output_weight_;
  bool activation_checkpointing_ = false;
};

}  // namespace tern
