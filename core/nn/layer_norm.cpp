#include "core/nn/layer_norm.h"

#include "core/backend/backend.h"

namespace tern {

LayerNorm::LayerNorm(std::int64_t features, const std::string& name, float epsilon)
    : features_(features), epsilon_(epsilon), weight_(name + ".weight", {features}), bias_(name + ".bias", {features}) {
  TERN_CHECK(features > 0, "LayerNorm ", name, ": features must be positive, got ", features);
  weight_.value.fill(1.0f);
}

Tensor LayerNorm::forward(const Tensor& x, Saved& saved) {
  TERN_CHECK(x.ndim() >= 1 && x.dim(x.ndim() - 1) == features_, weight_.name, ": expected input [..., ", features_,
             "], got ", shape_string(x.shape()));
  const std::int64_t rows = x.numel() / features_;
  Tensor y = Tensor::empty(x.shape(), DType::f32, x.device());
  Tensor mean = Tensor::empty({rows}, DType::f32, x.device()), rstd = Tensor::empty({rows}, DType::f32, x.device());
  backend_for(x.device())
      .layernorm_forward(x.device_data<float>(), weight_.value.device_data<float>(), bias_.value.device_data<float>(),
                         rows, features_, epsilon_, y.device_data<float>(), mean.device_data<float>(),
                         rstd.device_data<float>());
  saved.tensors = {x, mean, rstd};
  return y;
}

Tensor LayerNorm::backward(const Tensor& dy, Saved& saved) {
  const Tensor& x = saved.tensors.at(0);
  const Tensor& mean = saved.tensors.at(1);
  const Tensor& rstd = saved.tensors.at(2);
  Tensor dx = Tensor::empty(x.shape(), DType::f32, x.device());
  backend_for(x.device())
      .layernorm_backward(dy.device_data<float>(), x.device_data<float>(), weight_.value.device_data<float>(),
                          mean.device_data<float>(), rstd.device_data<float>(), mean.numel(), features_,
                          dx.device_data<float>(), weight_.grad.device_data<float>(), bias_.grad.device_data<float>());
  return dx;
}

}  // namespace tern
