#include "core/nn/causal_self_attention.h"

#include <cmath>

#include "core/backend/backend.h"

namespace tern {

namespace {
// The parts' Saved slots.
enum Part : std::size_t { kCopy, kQkv, kProjection, kReduce, kParts };

// Megatron's split of the attention's two Linears: qkv by output features in Q, K, V chunks,
// the projection by input features.
LinearSplit split_of(LinearSplit::Kind kind, const Communicator& group, int chunks) {
  return {.kind = kind, .rank = group.rank(), .ranks = group.size(), .chunks = chunks};
}
}  // namespace

CausalSelfAttention::CausalSelfAttention(std::int64_t d_model, std::int64_t n_head, const std::string& name,
                                         std::uint64_t seed, Communicator& tensor_parallel)
    : d_model_(d_model),
      n_head_(n_head / tensor_parallel.size()),
      head_size_(n_head > 0 ? d_model / n_head : 0),
      width_(n_head_ * head_size_),
      copy_(tensor_parallel),
      qkv_(d_model, 3 * d_model, name + ".qkv", seed, split_of(LinearSplit::Kind::output_features, tensor_parallel, 3)),
      projection_(d_model, d_model, name + ".proj", seed,
                  split_of(LinearSplit::Kind::input_features, tensor_parallel, 1)),
      reduce_(tensor_parallel) {
  TERN_CHECK(n_head > 0 && d_model % n_head == 0, name, ": d_model (", d_model, ") must be a multiple of n_head (",
             n_head, ")");
  TERN_CHECK(n_head % tensor_parallel.size() == 0, name, ": n_head (", n_head, ") must be a multiple of tp (",
             tensor_parallel.size(), ")");
}

std::vector<Parameter*> CausalSelfAttention::parameters() {
  std::vector<Parameter*> all = qkv_.parameters();
  for (Parameter* parameter : projection_.parameters()) all.push_back(parameter);
  return all;
}

Tensor CausalSelfAttention::forward(const Tensor& x, Saved& saved) {
  TERN_CHECK(x.ndim() == 3 && x.dim(2) == d_model_, "attention: expected input [batch, time, ", d_model_, "], got ",
             shape_string(x.shape()));
  const std::int64_t batch = x.dim(0), time = x.dim(1), d = width_, h = head_size_;
  const Backend& backend = backend_for(x.device());
  saved.children.assign(kParts, Saved(saved.mode));
  saved.children[kCopy].input_gradient = saved.children[kQkv].input_gradient = saved.input_gradient;
  const Tensor input = copy_.forward(x.reshaped({batch * time, d_model_}), saved.children[kCopy]);
  const Tensor qkv = qkv_.forward(input, saved.children[kQkv]);  // [B·T, 3d], d = this rank's width

  // S, then P in place, for every sequence and head: [B, H, T, T].
  Tensor probabilities = Tensor::empty({batch, n_head_, time, time}, DType::f32, x.device());
  Tensor heads = Tensor::empty({batch * time, d}, DType::f32, x.device());  // [O_1 .. O_H] per row
  const float scale = 1.0f / std::sqrt(static_cast<float>(h));
  const float* qkv_data = qkv.device_data<float>();
  float* p_data = probabilities.device_data<float>();
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t n = 0; n < n_head_; ++n) {
      const float* q = qkv_data + b * time * 3 * d + n * h;
      float* s = p_data + (b * n_head_ + n) * time * time;
      backend.gemm(Transpose::no, Transpose::yes, time, time, h, scale, q, 3 * d, q + d, 3 * d, 0.0f, s, time);
    }
  }
  backend.causal_softmax_forward(p_data, batch * n_head_ * time, time, p_data);
  float* heads_data = heads.device_data<float>();
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t n = 0; n < n_head_; ++n) {
      const float* v = qkv_data + b * time * 3 * d + 2 * d + n * h;
      backend.gemm(Transpose::no, Transpose::no, time, h, time, 1.0f, p_data + (b * n_head_ + n) * time * time, time,
                   v, 3 * d, 0.0f, heads_data + b * time * d + n * h, d);
    }
  }
  saved.tensors = {qkv, probabilities};
  const Tensor partial = projection_.forward(heads, saved.children[kProjection]);
  return reduce_.forward(partial, saved.children[kReduce]).reshaped({batch, time, d_model_});
}

Tensor CausalSelfAttention::backward(const Tensor& dy, Saved& saved) {
  const Tensor& qkv = saved.tensors.at(0);
  const Tensor& probabilities = saved.tensors.at(1);
  const std::int64_t batch = probabilities.dim(0), time = probabilities.dim(2), d = width_, h = head_size_;
  const Backend& backend = backend_for(dy.device());
  const Tensor dpartial = reduce_.backward(dy.reshaped({batch * time, d_model_}), saved.children[kReduce]);
  const Tensor dheads = projection_.backward(dpartial, saved.children[kProjection]);

  Tensor dqkv = Tensor::empty({batch * time, 3 * d}, DType::f32, dy.device());
  Tensor dscores = Tensor::empty({time, time}, DType::f32, dy.device());  // reused per head
  Tensor dprobabilities = Tensor::empty({time, time}, DType::f32, dy.device());
  const float scale = 1.0f / std::sqrt(static_cast<float>(h));
  const float* qkv_data = qkv.device_data<float>();
  const float* p_data = probabilities.device_data<float>();
  const float* dheads_data = dheads.device_data<float>();
  float* dqkv_data = dqkv.device_data<float>();
  float* ds = dscores.device_data<float>();
  float* dp = dprobabilities.device_data<float>();
  for (std::int64_t b = 0; b < batch; ++b) {
    for (std::int64_t n = 0; n < n_head_; ++n) {
      const std::int64_t head_offset = b * time * 3 * d + n * h;
      const float* q = qkv_data + head_offset;
      const float* k = q + d;
      const float* v = q + 2 * d;
      const float* p = p_data + (b * n_head_ + n) * time * time;
      const float* dout = dheads_data + b * time * d + n * h;
      float* dq = dqkv_data + head_offset;
      float* dk = dq + d;
      float* dv = dq + 2 * d;
      backend.gemm(Transpose::yes, Transpose::no, time, h, time, 1.0f, p, time, dout, d, 0.0f, dv, 3 * d);
      backend.gemm(Transpose::no, Transpose::yes, time, time, h, 1.0f, dout, d, v, 3 * d, 0.0f, dp, time);
      backend.causal_softmax_backward(p, dp, time, time, ds);
      backend.gemm(Transpose::no, Transpose::no, time, h, time, scale, ds, time, k, 3 * d, 0.0f, dq, 3 * d);
      backend.gemm(Transpose::yes, Transpose::no, time, h, time, scale, ds, time, q, 3 * d, 0.0f, dk, 3 * d);
    }
  }
  const Tensor dx = copy_.backward(qkv_.backward(dqkv, saved.children[kQkv]), saved.children[kCopy]);
  return dx.defined() ? dx.reshaped({batch, time, d_model_}) : dx;
}

}  // namespace tern
