// Causal multi-head self-attention (GPT-2's): for x [B, T, d] and H heads of size h = d / H,
//   [Q K V] = x W_qkvᵀ + b_qkv                 (one Linear d → 3d; head n uses columns n·h..)
//   S = Q_n K_nᵀ / √h,   P = causal_softmax(S)   (query i sees keys 0..i)
//   O_n = P V_n,   y = [O_1 .. O_H] W_projᵀ + b_proj
// per sequence and head. The GEMMs read Q, K, V where they lie in the qkv rows (leading
// dimension 3d), so nothing is copied per head. Backward, with dO from the projection:
//   dV = Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP - rowsum(P ⊙ dP)),  dQ = dS K / √h,  dK = dSᵀ Q / √h
// The saved context is the qkv rows and P (B·H·T² floats).
#pragma once

#include <string>

#include "core/nn/linear.h"

namespace tern {

class CausalSelfAttention : public Module {
 public:
  CausalSelfAttention(std::int64_t d_model, std::int64_t n_head, const std::string& name, std::uint64_t seed);

  Tensor forward(const Tensor& x, Saved& saved) override;
  Tensor backward(const Tensor& dy, Saved& saved) override;

  std::vector<Parameter*> parameters() override;

 private:
  std::int64_t d_model_, n_head_, head_size_;
  Linear qkv_, projection_;
};

}  // namespace tern
