#include "core/optim/zero_redundancy_optimizer.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace tern {

namespace {

// A flat f32 buffer of `elements` on `device` holding each parameter's `member` (value or
// grad), in list order; the member becomes a view of its part of the buffer.
Tensor flatten(const std::vector<Parameter*>& parameters, Tensor Parameter::*member, std::int64_t elements,
               const Device& device) {
  Tensor flat = Tensor::zeros({elements}, DType::f32, device);
  std::int64_t offset = 0;
  for (Parameter* parameter : parameters) {
    Tensor& tensor = parameter->*member;
    const std::int64_t count = tensor.numel();
    Tensor view = flat.rows(offset, offset + count).reshaped(tensor.shape());
    view.copy_from(tensor);
    tensor = view;
    offset += count;
  }
  return flat;
}

}  // namespace

// Rank r's range starts at N·r/D, so ranges differ in size by at most one element and one is
// empty when N < D.
ZeroRedundancyOptimizer::ZeroRedundancyOptimizer(const OptimizerConfig& config,
                                                 const std::vector<Parameter*>& parameters, Communicator& data_parallel)
    : group_(data_parallel) {
  TERN_CHECK(!parameters.empty(), "ZeRO optimizer without parameters");
  const Device device = parameters.front()->value.device();
  std::int64_t total_elements = 0;
  for (const Parameter* parameter : parameters) {
    TERN_CHECK(parameter->value.device() == device && parameter->grad.device() == device,
               "ZeRO optimizer over parameters on several devices (", parameter->name, " is on ",
               parameter->value.device().name(), ", ", parameters.front()->name, " on ", device.name(), ")");
    TERN_CHECK(parameter->value.dtype() == DType::f32 && parameter->grad.dtype() == DType::f32 &&
                   parameter->grad.shape() == parameter->value.shape(),
               "ZeRO optimizer needs f32 values and gradients of one shape (parameter ", parameter->name, ")");
    total_elements += parameter->value.numel();
  }
  flat_values_ = flatten(parameters, &Parameter::value, total_elements, device);
  flat_grads_ = flatten(parameters, &Parameter::grad, total_elements, device);

  const int ranks = group_.size();
  const auto range_start = [&](int rank) { return total_elements * rank / ranks; };
  for (int rank = 0; rank < ranks; ++rank) range_elements_.push_back(range_start(rank + 1) - range_start(rank));
  range_begin_ = range_start(group_.rank());
  range_end_ = range_start(group_.rank() + 1);
  shard_grad_ = Tensor::zeros({range_end_ - range_begin_}, DType::f32, device);
  updated_range_ = Tensor::zeros({range_end_ - range_begin_}, DType::f32, device);

  // A parameter's piece is the overlap of its flat elements [offset, offset + numel) with the range.
  std::int64_t offset = 0;
  for (const Parameter* parameter : parameters) {
    const std::int64_t count = parameter->value.numel();
    const std::int64_t first = std::max(offset, range_begin_), last = std::min(offset + count, range_end_);
    if (first < last) {
      auto piece = std::make_unique<Parameter>(
          parameter->name + "[" + std::to_string(first - offset) + ":" + std::to_string(last - offset) + "]",
          flat_values_.rows(first, last), shard_grad_.rows(first - range_begin_, last - range_begin_));
      piece->counted_elsewhere = parameter->counted_elsewhere;
      shard_.push_back(piece.get());
      shard_pieces_.push_back(std::move(piece));
    }
    offset += count;
  }
  shard_optimizer_ = std::make_unique<Optimizer>(config, shard_);
}

void ZeroRedundancyOptimizer::broadcast_parameters() {
  group_.broadcast(flat_values_.device_data<float>(), static_cast<std::int64_t>(flat_values_.size_bytes()), 0);
}

// shard_grad ← (1/D) Σ over ranks of flat_grads[range_begin, range_end).
void ZeroRedundancyOptimizer::reduce_scatter_gradients() {
  group_.reduce_scatter(flat_grads_.device_data<float>(), range_elements_, CommType::f32, ReduceOp::average,
                        shard_grad_.device_data<float>());
}

// values[range] ← update(values[range], shard_grad, state of the range); then every rank's range
// to every rank. MPI forbids allgatherv's send and receive buffers to overlap, so the range is
// sent from a copy.
void ZeroRedundancyOptimizer::step(float learning_rate) {
  shard_optimizer_->step(learning_rate);
  updated_range_.copy_from(flat_values_.rows(range_begin_, range_end_));
  group_.allgatherv(updated_range_.device_data<float>(), range_elements_, CommType::f32,
                    flat_values_.device_data<float>());
}

}  // namespace tern
