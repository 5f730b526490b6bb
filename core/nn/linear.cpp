#include "core/nn/linear.h"

#include <cmath>

#include "core/backend/backend.h"
#include "core/nn/mixed_precision.h"
#include "core/random/random.h"

namespace tern {

Linear::Linear(std::int64_t in_features, std::int64_t out_features, const std::string& name, std::uint64_t seed)
    : in_features_(in_features),
      out_features_(out_features),
      weight_(name + ".weight", {out_features, in_features}),
      bias_(name + ".bias", {out_features}) {
  TERN_CHECK(in_features > 0 && out_features > 0, "Linear ", name, ": sizes must be positive, got ",
             in_features, " -> ", out_features);
  const float bound = 1.0f / std::sqrt(static_cast<float>(in_features));
  fill_uniform(weight_.value, -bound, bound, seed, stream_id(weight_.name));
  fill_uniform(bias_.value, -bound, bound, seed, stream_id(bias_.name));
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
  backend_for(x.device())
      .bias_activation_forward(Activation::identity, y.device_data<float>(), bias_.value.device_data<float>(),
                               x.dim(0), out_features_);
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
