#include "core/nn/linear.h"

#include <cmath>

#include "core/backend/backend.h"
#include "core/nn/mixed_precision.h"
#include "core/nn/sharding.h"
#include "core/random/random.h"

namespace tern {

namespace {
// The Sharding of W and of b under a split.
std::pair<Sharding, Sharding> shardings_of(const LinearSplit& split) {
  const Sharding replicated{.rank = split.rank, .ranks = split.ranks};
  Sharding by_rows = replicated, by_columns = replicated;
  by_rows.kind = by_columns.kind = Sharding::Kind::split;
  by_rows.chunks = split.chunks;
  by_columns.split_dim = 1;
  switch (split.kind) {
    case LinearSplit::Kind::none: return {replicated, replicated};
    case LinearSplit::Kind::output_features: return {by_rows, by_rows};
    case LinearSplit::Kind::input_features: return {by_columns, replicated};
  }
  return {replicated, replicated};
}
}  // namespace

Linear::Linear(std::int64_t in_features, std::int64_t out_features, const std::string& name, std::uint64_t seed,
               const LinearSplit& split)
    : in_features_(split.kind == LinearSplit::Kind::input_features ? in_features / split.ranks : in_features),
      out_features_(split.kind == LinearSplit::Kind::output_features ? out_features / split.ranks : out_features),
      weight_(name + ".weight", {0}),
      bias_(name + ".bias", {0}),
      adds_bias_(split.kind != LinearSplit::Kind::input_features || split.rank == 0) {
  TERN_CHECK(in_features > 0 && out_features > 0, "Linear ", name, ": sizes must be positive, got ",
             in_features, " -> ", out_features);
  const auto [weight_sharding, bias_sharding] = shardings_of(split);
  const float bound = 1.0f / std::sqrt(static_cast<float>(in_features));
  const auto uniform = [&](const std::string& stream) {
    return [&, stream](Tensor& full) { fill_uniform(full, -bound, bound, seed, stream_id(stream)); };
  };
  initialise_block(weight_, {out_features, in_features}, weight_sharding, uniform(weight_.name));
  initialise_block(bias_, {out_features}, bias_sharding, uniform(bias_.name));
  bias_.counted_elsewhere = !adds_bias_;  // whole on every rank: rank 0 counts it
}

Tensor Linear::forward(const Tensor& x, Saved& saved) {
  TERN_CHECK(x.ndim() == 2 && x.dim(1) == in_features_, weight_.name, ": expected input [rows, ",
             in_features_, "], got ", shape_string(x.shape()));
  TERN_CHECK(x.device() == weight_.value.device(), weight_.name, ": input on ", x.device().name(),
             ", parameters on ", weight_.value.device().name());
  const DType gemm_dtype = saved.mode.gemm_dtype;
  const Tensor x_for_gemm = gemm_input(x, gemm_dtype), weight_for_gemm = gemm_input(weight_.value, gemm_dtype);
  Tensor y = Tensor::empty({x.dim(0), out_features_}, DType::f32, x.device());
  gemm(Transpose::no, Transpose::yes, 1.0f, x_for_gemm, weight_for_gemm, 0.0f, y);
  if (adds_bias_) {
    backend_for(x.device())
        .bias_activation_forward(Activation::identity, y.device_data<float>(), bias_.value.device_data<float>(),
                                 x.dim(0), out_features_);
  }
  saved.tensors = {x_for_gemm, weight_for_gemm};  // in the GEMM's dtype: half the bytes under mixed precision
  return y;
}

Tensor Linear::backward(const Tensor& dy, Saved& saved) {
  const Tensor& x_for_gemm = saved.tensors.at(0);
  const Tensor& weight_for_gemm = saved.tensors.at(1);
  const Tensor dy_for_gemm = gemm_input(dy, x_for_gemm.dtype());
  gemm(Transpose::yes, Transpose::no, 1.0f, dy_for_gemm, x_for_gemm, 1.0f, weight_.grad);
  backend_for(dy.device())
      .accumulate_column_sums(dy.device_data<float>(), bias_.grad.device_data<float>(), dy.dim(0), out_features_);
  if (!saved.input_gradient) return {};
  Tensor dx = Tensor::empty({dy.dim(0), in_features_}, DType::f32, dy.device());
  gemm(Transpose::no, Transpose::no, 1.0f, dy_for_gemm, weight_for_gemm, 0.0f, dx);
  return dx;
}

}  // namespace tern
