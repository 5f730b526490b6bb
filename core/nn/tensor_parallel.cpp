#include "core/nn/tensor_parallel.h"

namespace tern {

Tensor sum_over_group(const Tensor& x, Communicator& group) {
  if (group.size() == 1) return x;
  Tensor sum = x.clone();
  group.allreduce(sum.device_data<float>(), sum.numel(), CommType::f32, ReduceOp::sum);
  return sum;
}

Tensor CopyToTensorParallel::forward(const Tensor& x, Saved&) { return x; }

Tensor CopyToTensorParallel::backward(const Tensor& dy, Saved& saved) {
  return dy.defined() && saved.input_gradient ? sum_over_group(dy, group_) : Tensor();
}

Tensor ReduceFromTensorParallel::forward(const Tensor& x, Saved&) { return sum_over_group(x, group_); }

Tensor ReduceFromTensorParallel::backward(const Tensor& dy, Saved&) { return dy; }

}  // namespace tern
