// Causal multi-head self-attention (GPT-2's): for x [B, T, d] and H heads of size h = d / H,
//   [Q K V] = x W_qkvᵀ + b_qkv                 (one Linear d → 3d; head n uses columns n·h..)
//   S = Q_n K_nᵀ / √h,   P = causal_softmax(S)   (query i sees keys 0..i)
//   O_n = P V_n,   y = [O_1 .. O_H] W_projᵀ + b_proj
// per sequence and head. The GEMMs read Q, K, V where they lie in the qkv rows (leading
// dimension 3d), so nothing is copied per head. Backward, with dO from the projection:
//   dV = Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP - rowsum(P ⊙ dP)),  dQ = dS K / √h,  dK = dSᵀ Q / √h
// The saved context is the qkv rows and P (B·H·T² floats).
//
// Tensor parallelism (tensor_parallel.h) splits the heads: each of the tp ranks holds H/tp
// heads, that is its slice of W_qkv's rows for Q, K and V (split by output features, 3 chunks)
// and the matching columns of W_proj (split by input features); the heads need nothing from
// each other, so the only communication is f before qkv and g after the projection.
#pragma once

#include <string>

#include "core/comm.h"
#include "core/nn/linear.h"
#include "core/nn/tensor_parallel.h"

namespace tern {

class CausalSelfAttention : public Module {
 public:
  // d_model and n_head are the whole layer's; this rank computes n_head / tensor_parallel.size()
  // heads.
  CausalSelfAttention(std::int64_t d_model, std::int64_t n_head, const std::string& name, std::uint64_t seed,
                      Communicator& tensor_parallel);

  Tensor forward(const Tensor& x, Saved& saved) override;
  Tensor backward(const Tensor& dy, Saved& saved) override;

  std::vector<Parameter*> parameters() override;

 private:
  std::int64_t d_model_;
  std::int64_t n_head_, head_size_, width_;  // this rank's heads, their size, n_head_ · head_size_
  CopyToTensorParallel copy_;
  Linear qkv_, projection_;
  ReduceFromTensorParallel reduce_;
};

}  // namespace tern
