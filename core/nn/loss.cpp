#include "core/nn/loss.h"

#include "kernels/cpu/loss.h"

namespace tern {

namespace {
void check_batch(const Tensor& output, const Tensor& labels, std::int64_t expected_columns, const char* loss) {
  TERN_CHECK(output.ndim() == 2 && output.dim(0) > 0, loss, ": expected output [rows, columns], got ",
             shape_string(output.shape()));
  TERN_CHECK(labels.numel() == output.dim(0), loss, ": ", labels.numel(), " labels for ", output.dim(0), " rows");
  TERN_CHECK(expected_columns < 0 || output.dim(1) == expected_columns, loss, ": expected ", expected_columns,
             " output column(s), got ", output.dim(1));
}

// The mean of per-row losses, summed in row order in double.
double mean_of(const Tensor& row_loss) {
  double sum = 0.0;
  for (float value : row_loss.values()) sum += value;
  return sum / static_cast<double>(row_loss.numel());
}
}  // namespace

double SoftmaxCrossEntropy::forward(const Tensor& logits, const Tensor& labels, Saved& saved) {
  check_batch(logits, labels, -1, "softmax cross-entropy");
  const std::int64_t rows = logits.dim(0), classes = logits.dim(1);
  for (float label : labels.values()) {
    TERN_CHECK(label >= 0 && label < static_cast<float>(classes), "softmax cross-entropy: label ", label,
               " outside [0, ", classes, ")");
  }
  Tensor row_loss = Tensor::empty({rows});
  Tensor dlogits = Tensor::empty(logits.shape());
  kernels::cpu::softmax_cross_entropy(logits.data<float>(), labels.data<float>(), rows, classes,
                                      1.0f / static_cast<float>(rows), row_loss.data<float>(), dlogits.data<float>());
  saved.tensors = {dlogits};
  return mean_of(row_loss);
}

Tensor SoftmaxCrossEntropy::backward(Saved& saved) { return saved.tensors.at(0); }

double BinaryCrossEntropy::forward(const Tensor& logits, const Tensor& labels, Saved& saved) {
  check_batch(logits, labels, 1, "binary cross-entropy");
  const std::int64_t rows = logits.dim(0);
  Tensor row_loss = Tensor::empty({rows});
  Tensor dlogits = Tensor::empty(logits.shape());
  kernels::cpu::binary_cross_entropy_with_logits(logits.data<float>(), labels.data<float>(), rows,
                                                 1.0f / static_cast<float>(rows), row_loss.data<float>(),
                                                 dlogits.data<float>());
  saved.tensors = {dlogits};
  return mean_of(row_loss);
}

Tensor BinaryCrossEntropy::backward(Saved& saved) { return saved.tensors.at(0); }

double SquaredError::forward(const Tensor& predictions, const Tensor& targets, Saved& saved) {
  check_batch(predictions, targets, 1, "squared error");
  const std::int64_t rows = predictions.dim(0);
  Tensor row_loss = Tensor::empty({rows});
  Tensor dpredictions = Tensor::empty(predictions.shape());
  kernels::cpu::squared_error(predictions.data<float>(), targets.data<float>(), rows, 1.0f / static_cast<float>(rows),
                              row_loss.data<float>(), dpredictions.data<float>());
  saved.tensors = {dpredictions};
  return mean_of(row_loss);
}

Tensor SquaredError::backward(Saved& saved) { return saved.tensors.at(0); }

}  // namespace tern
