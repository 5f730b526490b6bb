#include "core/nn/vocab_parallel_cross_entropy.h"

#include <cmath>

#include "core/backend/backend.h"

namespace tern {

VocabParallelCrossEntropy::VocabParallelCrossEntropy(Communicator& tensor_parallel, std::int64_t first_class,
                                                     std::int64_t vocab_size)
    : group_(tensor_parallel), first_class_(first_class), vocab_size_(vocab_size) {}

double VocabParallelCrossEntropy::forward(const Tensor& logits, const Tensor& labels, Saved& saved) {
  TERN_CHECK(logits.ndim() == 2 && logits.dim(0) > 0, "vocabulary-parallel cross-entropy: expected logits [rows, ",
             "classes], got ", shape_string(logits.shape()));
  TERN_CHECK(labels.numel() == logits.dim(0), "vocabulary-parallel cross-entropy: ", labels.numel(), " labels for ",
             logits.dim(0), " rows");
  TERN_CHECK(first_class_ >= 0 && first_class_ + logits.dim(1) <= vocab_size_, "vocabulary-parallel cross-entropy: ",
             "columns [", first_class_, ", ", first_class_ + logits.dim(1), ") outside a vocabulary of ", vocab_size_);
  const std::int64_t rows = logits.dim(0), classes = logits.dim(1);
  const Backend& backend = backend_for(logits.device());
  // m: the row maxima over every rank's columns.
  Tensor row_max = Tensor::empty({rows}, DType::f32, logits.device());
  backend.row_max(logits.device_data<float>(), rows, classes, row_max.device_data<float>());
  if (group_.size() > 1) group_.allreduce(row_max.device_data<float>(), rows, CommType::f32, ReduceOp::max);
  // s and z_y, summed over the ranks in one allreduce: [s₀ .. s_{n-1}, z_y₀ .. z_y_{n-1}].
  Tensor sums = Tensor::empty({2, rows}, DType::f32, logits.device());
  float* sum_exp = sums.device_data<float>();
  float* target_logit = sum_exp + rows;
  backend.softmax_partial_sums(logits.device_data<float>(), labels.device_data<float>(), rows, classes, first_class_,
                               row_max.device_data<float>(), sum_exp, target_logit);
  if (group_.size() > 1) group_.allreduce(sum_exp, 2 * rows, CommType::f32, ReduceOp::sum);

  Tensor dlogits = Tensor::empty(logits.shape(), DType::f32, logits.device());
  backend.softmax_cross_entropy_shard_gradient(logits.device_data<float>(), labels.device_data<float>(), rows, classes,
                                               first_class_, row_max.device_data<float>(), sum_exp,
                                               1.0f / static_cast<float>(rows), dlogits.device_data<float>());
  saved.tensors = {dlogits};
  // The mean of log s + m − z_y, on the host in row order.
  const Tensor host_max = row_max.to(Device::cpu()), host_sums = sums.to(Device::cpu());
  double total = 0.0;
  for (std::int64_t r = 0; r < rows; ++r) {
    total += std::log(static_cast<double>(host_sums.data<float>()[r])) + host_max.data<float>()[r] -
             host_sums.data<float>()[rows + r];
  }
  return total / static_cast<double>(rows);
}

Tensor VocabParallelCrossEntropy::backward(Saved& saved) { return saved.tensors.at(0); }

}  // namespace tern
