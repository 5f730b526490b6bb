#include "core/nn/linear.h"

#include <cmath>

#include "core/backend/backend.h"
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
  const Backend& backend = backend_for(x.device());
  const std::int64_t rows = x.dim(0);
  Tensor y = Tensor::empty({rows, out_features_}, DType::f32, x.device());
  backend.gemm(Transpose::no, Transpose::yes, rows, out_features_, in_features_, 1.0f, x.device_data<float>(),
               in_features_, weight_.value.device_data<float>(), in_features_, 0.0f, y.device_data<float>(),
               out_features_);
  backend.bias_activation_forward(Activation::identity, y.device_data<float>(), bias_.value.device_data<float>(), rows,
                                  out_features_);
  saved.tensors = {x};
  return y;
}

Tensor Linear::backward(const Tensor& dy, Saved& saved) {
  const Tensor& x = saved.tensors.at(0);
  const Backend& backend = backend_for(x.device());
  const std::int64_t rows = x.dim(0);
  backend.gemm(Transpose::yes, Transpose::no, out_features_, in_features_, rows, 1.0f, dy.device_data<float>(),
               out_features_, x.device_data<float>(), in_features_, 1.0f, weight_.grad.device_data<float>(), in_features_);
  backend.accumulate_column_sums(dy.device_data<float>(), bias_.grad.device_data<float>(), rows, out_features_);
  if (!saved.input_gradient) return {};
  Tensor dx = Tensor::empty({rows, in_features_}, DType::f32, x.device());
  backend.gemm(Transpose::no, Transpose::no, rows, in_features_, out_features_, 1.0f, dy.device_data<float>(),
               out_features_, weight_.value.device_data<float>(), in_features_, 0.0f, dx.device_data<float>(),
               in_features_);
  return dx;
}

}  // namespace tern
