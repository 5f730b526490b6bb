// Loss CUDA kernels (see loss.h). A softmax row, whole or a vocabulary shard of it, belongs to
// one warp (for_each_row, warp.cuh): its lanes stride over the classes, and the max and the sum
// of e^(z - max) are combined across lanes by butterfly shuffles, which leave the same value,
// bit for bit, in every lane. Losses with one output per row are element-wise
// (for_each_element).
#include "kernels/cuda/loss.h"

#include <cmath>

#include "kernels/common/loss_math.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/warp.cuh"

namespace tern::kernels::cuda {

namespace {
// The softmax of a row z of `classes` logits: p_c = e^(z_c - max_logit) · inverse_sum.
struct SoftmaxStatistics {
  float max_logit;
  float inverse_sum;
  float log_sum_exp;  // log Σ e^z
};

// The helpers below are called by all 32 lanes of a warp with the same row; every lane gets the
// result.
// m = max_c z_c
__device__ float warp_row_max(const float* z, std::int64_t classes, int lane) {
  float max_logit = -INFINITY;
  for (std::int64_t c = lane; c < classes; c += kWarpSize) max_logit = fmaxf(max_logit, z[c]);
  return warp_max(max_logit);
}

// s = Σ_c e^(z_c - m)
__device__ float warp_shifted_exp_sum(const float* z, std::int64_t classes, float max_logit, int lane) {
  float shifted_exp_sum = 0.0f;
  for (std::int64_t c = lane; c < classes; c += kWarpSize) shifted_exp_sum += kernels::shifted_exp(z[c], max_logit);
  return warp_sum(shifted_exp_sum);
}

__device__ SoftmaxStatistics warp_softmax_statistics(const float* z, std::int64_t classes, int lane) {
  const float max_logit = warp_row_max(z, classes, lane);
  const float shifted_exp_sum = warp_shifted_exp_sum(z, classes, max_logit, lane);
  return {max_logit, 1.0f / shifted_exp_sum, kernels::log_sum_exp(max_logit, shifted_exp_sum)};
}

struct SoftmaxCrossEntropyRow {
  const float* logits;
  const float* labels;
  std::int64_t classes;
  float grad_scale;
  float* row_loss;
  float* dlogits;
  __device__ void operator()(std::int64_t row, int lane) const {
    const float* z = logits + row * classes;
    float* dz = dlogits + row * classes;
    if (!kernels::names_a_class(labels[row], classes)) {  // the same for every lane of the warp
      for (std::int64_t c = lane; c < classes; c += kWarpSize) dz[c] = 0.0f;
      if (lane == 0) row_loss[row] = kernels::kInvalidLabelLoss;
      return;
    }
    const SoftmaxStatistics statistics = warp_softmax_statistics(z, classes, lane);
    const auto target = static_cast<std::int64_t>(labels[row]);
    for (std::int64_t c = lane; c < classes; c += kWarpSize) {
      const float probability = kernels::softmax_probability(z[c], statistics.max_logit, statistics.inverse_sum);
      dz[c] = grad_scale * kernels::softmax_cross_entropy_grad(probability, c == target);
    }
    if (lane == 0) row_loss[row] = statistics.log_sum_exp - z[target];  // -log p[y] = log Σ e^z - z[y]
  }
};

struct RowMax {
  const float* logits;
  std::int64_t classes;
  float* row_max;
  __device__ void operator()(std::int64_t row, int lane) const {
    const float max_logit = warp_row_max(logits + row * classes, classes, lane);
    if (lane == 0) row_max[row] = max_logit;
  }
};

struct SoftmaxPartialSumsRow {
  const float* logits;
  const float* labels;
  std::int64_t classes;
  std::int64_t first_class;
  const float* row_max;
  float* sum_exp;
  float* target_logit;
  __device__ void operator()(std::int64_t row, int lane) const {
    const float* z = logits + row * classes;
    const float shifted_exp_sum = warp_shifted_exp_sum(z, classes, row_max[row], lane);
    if (lane != 0) return;
    sum_exp[row] = shifted_exp_sum;
    const std::int64_t target = kernels::label_column(labels[row], first_class, classes);
    target_logit[row] = target >= 0 ? z[target] : 0.0f;
  }
};

struct SoftmaxCrossEntropyShardGradientRow {
  const float* logits;
  const float* labels;
  std::int64_t classes;
  std::int64_t first_class;
  const float* row_max;
  const float* sum_exp;
  float grad_scale;
  float* dlogits;
  __device__ void operator()(std::int64_t row, int lane) const {
    const float* z = logits + row * classes;
    float* dz = dlogits + row * classes;
    const float inverse_sum = 1.0f / sum_exp[row];
    const std::int64_t target = kernels::label_column(labels[row], first_class, classes);
    for (std::int64_t c = lane; c < classes; c += kWarpSize) {
      const float probability = kernels::softmax_probability(z[c], row_max[row], inverse_sum);
      dz[c] = grad_scale * kernels::softmax_cross_entropy_grad(probability, c == target);
    }
  }
};

struct SoftmaxRow {
  const float* logits;
  std::int64_t classes;
  float* probabilities;
  __device__ void operator()(std::int64_t row, int lane) const {
    const float* z = logits + row * classes;
    float* p = probabilities + row * classes;
    const SoftmaxStatistics statistics = warp_softmax_statistics(z, classes, lane);
    for (std::int64_t c = lane; c < classes; c += kWarpSize) {
      p[c] = kernels::softmax_probability(z[c], statistics.max_logit, statistics.inverse_sum);
    }
  }
};

// One output o and target t per row: row_loss[r] = ℓ(o, t), doutputs[r] = grad_scale · ∂ℓ/∂o,
// with ℓ and ∂ℓ/∂o from LossMath.
template <typename LossMath>
struct PointwiseLoss {
  const float* outputs;
  const float* targets;
  float grad_scale;
  float* row_loss;
  float* doutputs;
  __device__ void operator()(std::int64_t r) const {
    row_loss[r] = LossMath::loss(outputs[r], targets[r]);
    doutputs[r] = grad_scale * LossMath::grad(outputs[r], targets[r]);
  }
};

struct BinaryCrossEntropyMath {
  __device__ static float loss(float z, float y) { return kernels::binary_cross_entropy_with_logit(z, y); }
  __device__ static float grad(float z, float y) { return kernels::binary_cross_entropy_with_logit_grad(z, y); }
};

struct SquaredErrorMath {
  __device__ static float loss(float p, float y) { return kernels::squared_error(p, y); }
  __device__ static float grad(float p, float y) { return kernels::squared_error_grad(p, y); }
};
}  // namespace

void softmax_cross_entropy(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                           float grad_scale, float* row_loss, float* dlogits, cudaStream_t stream) {
  for_each_row(SoftmaxCrossEntropyRow{logits, labels, classes, grad_scale, row_loss, dlogits}, rows, stream);
}

void row_max(const float* logits, std::int64_t rows, std::int64_t classes, float* row_max, cudaStream_t stream) {
  for_each_row(RowMax{logits, classes, row_max}, rows, stream);
}

void softmax_partial_sums(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                          std::int64_t first_class, const float* row_max, float* sum_exp, float* target_logit,
                          cudaStream_t stream) {
  for_each_row(SoftmaxPartialSumsRow{logits, labels, classes, first_class, row_max, sum_exp, target_logit}, rows,
               stream);
}

void softmax_cross_entropy_shard_gradient(const float* logits, const float* labels, std::int64_t rows,
                                          std::int64_t classes, std::int64_t first_class, const float* row_max,
                                          const float* sum_exp, float grad_scale, float* dlogits,
                                          cudaStream_t stream) {
  for_each_row(SoftmaxCrossEntropyShardGradientRow{logits, labels, classes, first_class, row_max, sum_exp, grad_scale,
                                                   dlogits},
               rows, stream);
}

void softmax(const float* logits, std::int64_t rows, std::int64_t classes, float* probabilities, cudaStream_t stream) {
  for_each_row(SoftmaxRow{logits, classes, probabilities}, rows, stream);
}

void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows, float grad_scale,
                                      float* row_loss, float* dlogits, cudaStream_t stream) {
  for_each_element(PointwiseLoss<BinaryCrossEntropyMath>{logits, labels, grad_scale, row_loss, dlogits}, rows, stream);
}

void squared_error(const float* predictions, const float* targets, std::int64_t rows, float grad_scale,
                   float* row_loss, float* dpredictions, cudaStream_t stream) {
  for_each_element(PointwiseLoss<SquaredErrorMath>{predictions, targets, grad_scale, row_loss, dpredictions}, rows,
                   stream);
}

}  // namespace tern::kernels::cuda
