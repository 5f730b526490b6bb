#include "core/nn/loss.h"

#include "core/backend/backend.h"
#include "kernels/common/loss_math.h"

namespace tern {

namespace {
void check_batch(const Tensor& output, const Tensor& labels, std::int64_t expected_columns, const char* loss) {
  TERN_CHECK(output.ndim() == 2 && output.dim(0) > 0, loss, ": expected output [rows, columns], got ",
             shape_string(output.shape()));
  TERN_CHECK(labels.numel() == output.dim(0), loss, ": ", labels.numel(), " labels for ", output.dim(0), " rows");
  TERN_CHECK(expected_columns < 0 || output.dim(1) == expected_columns, loss, ": expected ", expected_columns,
             " output column(s), got ", output.dim(1));
}

// The mean of per-row losses, summed on the host in row order in double.
double mean_of(const Tensor& row_loss) {
  double sum = 0.0;
  for (float value : row_loss.to(Device::cpu()).values()) sum += value;
  return sum / static_cast<double>(row_loss.numel());
}

// A loss on one output per row, computed by a kernel that writes the per-row loss and the
// gradient; saves the gradient and returns the mean loss.
using SingleOutputLossKernel = void (Backend::*)(const float* outputs, const float* labels, std::int64_t rows,
                                                float grad_scale, float* row_loss, float* doutputs) const;

double single_output_loss(SingleOutputLossKernel kernel, const char* loss, const Tensor& outputs, const Tensor& labels,
                          Saved& saved) {
  check_batch(outputs, labels, 1, loss);
  const std::int64_t rows = outputs.dim(0);
  Tensor row_loss = Tensor::empty({rows}, DType::f32, outputs.device());
  Tensor doutputs = Tensor::empty(outputs.shape(), DType::f32, outputs.device());
  (backend_for(outputs.device()).*kernel)(outputs.device_data<float>(), labels.device_data<float>(), rows,
                                          1.0f / static_cast<float>(rows), row_loss.device_data<float>(),
                                          doutputs.device_data<float>());
  saved.tensors = {doutputs};
  return mean_of(row_loss);
}
}  // namespace

// The labels are checked by the kernel (kernels/common/loss_math.h), not before it: the row
// losses come back to the host anyway, while reading the labels first would cost a GPU run a
// second wait every step.
double SoftmaxCrossEntropy::forward(const Tensor& logits, const Tensor& labels, Saved& saved) {
  check_batch(logits, labels, -1, "softmax cross-entropy");
  const std::int64_t rows = logits.dim(0), classes = logits.dim(1);
  Tensor row_loss = Tensor::empty({rows}, DType::f32, logits.device());
  Tensor dlogits = Tensor::empty(logits.shape(), DType::f32, logits.device());
  backend_for(logits.device())
      .softmax_cross_entropy(logits.device_data<float>(), labels.device_data<float>(), rows, classes,
                             1.0f / static_cast<float>(rows), row_loss.device_data<float>(),
                             dlogits.device_data<float>());
  saved.tensors = {dlogits};
  const Tensor host_row_loss = row_loss.to(Device::cpu());
  const float* losses = host_row_loss.data<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    TERN_CHECK(losses[r] != kernels::kInvalidLabelLoss, "softmax cross-entropy: label ",
               labels.rows(r, r + 1).to(Device::cpu()).data<float>()[0], " of row ", r, " outside [0, ", classes, ")");
  }
  return mean_of(host_row_loss);
}

Tensor SoftmaxCrossEntropy::backward(Saved& saved) { return saved.tensors.at(0); }

double BinaryCrossEntropy::forward(const Tensor& logits, const Tensor& labels, Saved& saved) {
  return single_output_loss(&Backend::binary_cross_entropy_with_logits, "binary cross-entropy", logits, labels, saved);
}

Tensor BinaryCrossEntropy::backward(Saved& saved) { return saved.tensors.at(0); }

double SquaredError::forward(const Tensor& predictions, const Tensor& targets, Saved& saved) {
  return single_output_loss(&Backend::squared_error, "squared error", predictions, targets, saved);
}

Tensor SquaredError::backward(Saved& saved) { return saved.tensors.at(0); }

}  // namespace tern
