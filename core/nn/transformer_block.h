// A pre-LayerNorm transformer block (GPT-2's) on x [B, T, d]:
//   h = x + Dropout(Attention(LN₁(x)))
//   y = h + Dropout(MLP(LN₂(h))),   MLP(u) = GELU(u W₁ᵀ + b₁) W₂ᵀ + b₂   (d → 4d → d)
// Backward routes the gradient through both residual branches explicitly (as llm.c does):
//   dh = dy + LN₂ᵀ(MLPᵀ(Dropoutᵀ(dy))),   dx = dh + LN₁ᵀ(Attentionᵀ(Dropoutᵀ(dh)))
// where Fᵀ(g) is F's backward applied to g. Each part's parameters are reported to the
// gradient listener as soon as that part's backward is done.
//
// Under tensor parallelism (tensor_parallel.h) the attention splits its heads and the MLP its
// 4d hidden units over the tp ranks (W₁ by output features, W₂ by input features, between f and
// g); the LayerNorms, dropouts and residuals work on the whole x, the same on every rank.
#pragma once

#include <string>

#include "core/nn/causal_self_attention.h"
#include "core/nn/dropout.h"
#include "core/nn/layer_norm.h"
#include "core/nn/sequential.h"

namespace tern {

class TransformerBlock : public Module {
 public:
  TransformerBlock(std::int64_t d_model, std::int64_t n_head, float dropout, const std::string& name,
                   std::uint64_t seed, Communicator& tensor_parallel);

  Tensor forward(const Tensor& x, Saved& saved) override;
  Tensor backward(const Tensor& dy, Saved& saved) override;
  std::vector<Parameter*> parameters() override;

 private:
  std::int64_t d_model_;
  LayerNorm attention_norm_;
  CausalSelfAttention attention_;
  Dropout attention_dropout_;
  LayerNorm mlp_norm_;
  Sequential mlp_;
  Dropout mlp_dropout_;
};

}  // namespace tern
