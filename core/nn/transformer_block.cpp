#include "core/nn/transformer_block.h"

#include "core/backend/backend.h"
#include "core/nn/activation.h"
#include "core/nn/linear.h"
#include "core/nn/tensor_parallel.h"

namespace tern {

namespace {
// The parts' Saved slots, in forward order.
enum Part : std::size_t { kAttentionNorm, kAttention, kAttentionDropout, kMlpNorm, kMlp, kMlpDropout, kParts };

// a + b as a new tensor (a residual connection).
Tensor sum_of(const Tensor& a, const Tensor& b) {
  Tensor sum = a.clone();
  backend_for(sum.device()).accumulate(sum.device_data<float>(), b.device_data<float>(), sum.numel());
  return sum;
}
}  // namespace

TransformerBlock::TransformerBlock(std::int64_t d_model, std::int64_t n_head, float dropout, const std::string& name,
                                   std::uint64_t seed, Communicator& tensor_parallel)
    : d_model_(d_model),
      attention_norm_(d_model, name + ".ln_1"),
      attention_(d_model, n_head, name + ".attn", seed, tensor_parallel),
      attention_dropout_(dropout, name + ".attn.dropout"),
      mlp_norm_(d_model, name + ".ln_2"),
      mlp_dropout_(dropout, name + ".mlp.dropout") {
  const int rank = tensor_parallel.rank(), ranks = tensor_parallel.size();
  mlp_.append(std::make_unique<CopyToTensorParallel>(tensor_parallel));
  mlp_.append(std::make_unique<Linear>(d_model, 4 * d_model, name + ".mlp.fc", seed,
                                       LinearSplit{.kind = LinearSplit::Kind::output_features, .rank = rank, .ranks = ranks}));
  mlp_.append(std::make_unique<ActivationLayer>(Activation::gelu));
  mlp_.append(std::make_unique<Linear>(4 * d_model, d_model, name + ".mlp.proj", seed,
                                       LinearSplit{.kind = LinearSplit::Kind::input_features, .rank = rank, .ranks = ranks}));
  mlp_.append(std::make_unique<ReduceFromTensorParallel>(tensor_parallel));
  for (Parameter* parameter : attention_norm_.parameters()) parameter->counted_elsewhere = rank != 0;
  for (Parameter* parameter : mlp_norm_.parameters()) parameter->counted_elsewhere = rank != 0;
}

std::vector<Parameter*> TransformerBlock::parameters() {
  std::vector<Parameter*> all;
  for (Module* part : std::initializer_list<Module*>{&attention_norm_, &attention_, &mlp_norm_, &mlp_}) {
    for (Parameter* parameter : part->parameters()) all.push_back(parameter);
  }
  return all;
}

Tensor TransformerBlock::forward(const Tensor& x, Saved& saved) {
  TERN_CHECK(x.ndim() == 3 && x.dim(2) == d_model_, "transformer block: expected input [batch, time, ", d_model_,
             "], got ", shape_string(x.shape()));
  const Shape shape = x.shape();
  saved.children.assign(kParts, Saved(saved.mode));
  Tensor branch = attention_norm_.forward(x, saved.children[kAttentionNorm]);
  branch = attention_.forward(branch, saved.children[kAttention]);
  branch = attention_dropout_.forward(branch, saved.children[kAttentionDropout]);
  const Tensor h = sum_of(x, branch);
  branch = mlp_norm_.forward(h, saved.children[kMlpNorm]);
  branch = mlp_.forward(branch.reshaped({shape[0] * shape[1], d_model_}), saved.children[kMlp]).reshaped(shape);
  branch = mlp_dropout_.forward(branch, saved.children[kMlpDropout]);
  return sum_of(h, branch);
}

Tensor TransformerBlock::backward(const Tensor& dy, Saved& saved) {
  const Shape shape = dy.shape();
  Tensor branch = mlp_dropout_.backward(dy, saved.children[kMlpDropout]);
  branch = mlp_.backward(branch.reshaped({shape[0] * shape[1], d_model_}), saved.children[kMlp]).reshaped(shape);
  branch = mlp_norm_.backward(branch, saved.children[kMlpNorm]);
  report_gradients_ready(mlp_norm_, saved.mode);
  const Tensor dh = sum_of(dy, branch);
  branch = attention_dropout_.backward(dh, saved.children[kAttentionDropout]);
  branch = attention_.backward(branch, saved.children[kAttention]);
  report_gradients_ready(attention_, saved.mode);
  branch = attention_norm_.backward(branch, saved.children[kAttentionNorm]);
  report_gradients_ready(attention_norm_, saved.mode);
  return sum_of(dh, branch);
}

}  // namespace tern
