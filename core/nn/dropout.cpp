#include "core/nn/dropout.h"

#include "core/backend/backend.h"
#include "core/random/random.h"

namespace tern {

Dropout::Dropout(float probability, const std::string& name)
    : probability_(probability), layer_stream_(stream_id(name)) {
  TERN_CHECK(probability >= 0.0f && probability < 1.0f, "dropout probability must be in [0, 1), got ",
             probability);
}

Tensor Dropout::forward(const Tensor& x, Saved& saved) {
  if (!saved.mode.training || probability_ == 0.0f) {
    saved.tensors.clear();
    return x;
  }
  Tensor y = Tensor::empty(x.shape(), DType::f32, x.device());
  Tensor mask = Tensor::empty(x.shape(), DType::f32, x.device());
  const std::uint64_t stream = layer_stream_ ^ (saved.mode.step * 0x9E3779B97F4A7C15ull);
  const auto first_index = static_cast<std::uint64_t>(saved.mode.first_sample * x.row_numel());
  backend_for(x.device())
      .dropout_forward(x.device_data<float>(), y.device_data<float>(), mask.device_data<float>(), x.numel(),
                       probability_, saved.mode.seed, stream, first_index);
  saved.tensors = {mask};
  return y;
}

Tensor Dropout::backward(const Tensor& dy, Saved& saved) {
  if (saved.tensors.empty()) return dy;
  const Tensor& mask = saved.tensors.at(0);
  Tensor dx = Tensor::empty(dy.shape(), DType::f32, dy.device());
  backend_for(dy.device()).dropout_backward(dy.device_data<float>(), mask.device_data<float>(), dx.device_data<float>(),
                                            dy.numel());
  return dx;
}

}  // namespace tern
