#include "kernels/cpu/loss.h"

#include <algorithm>
#include <cmath>

#include "kernels/common/loss_math.h"
#include "kernels/cpu/softmax_row.h"

namespace tern::kernels::cpu {

void softmax_cross_entropy(const float* logits, const float* labels, std::int64_t rows,
                           std::int64_t classes, float grad_scale, float* row_loss, float* dlogits) {
#pragma omp parallel for schedule(static) if (rows * classes > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* z = logits + r * classes;
    float* dz = dlogits + r * classes;
    if (!kernels::names_a_class(labels[r], classes)) {
      row_loss[r] = kernels::kInvalidLabelLoss;
      std::fill(dz, dz + classes, 0.0f);
      continue;
    }
    const float log_sum_exp = softmax_row(z, classes, dz);
    const auto target = static_cast<std::int64_t>(labels[r]);
    row_loss[r] = log_sum_exp - z[target];  // -log p[y] = log Σ e^z - z[y]
    for (std::int64_t c = 0; c < classes; ++c) {
      dz[c] = grad_scale * kernels::softmax_cross_entropy_grad(dz[c], c == target);
    }
  }
}

void row_max(const float* logits, std::int64_t rows, std::int64_t classes, float* row_max) {
#pragma omp parallel for schedule(static) if (rows * classes > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    row_max[r] = *std::max_element(logits + r * classes, logits + (r + 1) * classes);
  }
}

void softmax_partial_sums(const float* logits, const float* labels, std::int64_t rows, std::int64_t classes,
                          std::int64_t first_class, const float* row_max, float* sum_exp, float* target_logit) {
#pragma omp parallel for schedule(static) if (rows * classes > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* z = logits + r * classes;
    float sum = 0.0f;
    for (std::int64_t c = 0; c < classes; ++c) sum += kernels::shifted_exp(z[c], row_max[r]);
    sum_exp[r] = sum;
    const std::int64_t target = kernels::label_column(labels[r], first_class, classes);
    target_logit[r] = target >= 0 ? z[target] : 0.0f;
  }
}

void softmax_cross_entropy_shard_gradient(const float* logits, const float* labels, std::int64_t rows,
                                          std::int64_t classes, std::int64_t first_class, const float* row_max,
                                          const float* sum_exp, float grad_scale, float* dlogits) {
#pragma omp parallel for schedule(static) if (rows * classes > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* z = logits + r * classes;
    float* dz = dlogits + r * classes;
    const float inverse_sum = 1.0f / sum_exp[r];
    const std::int64_t target = kernels::label_column(labels[r], first_class, classes);
    for (std::int64_t c = 0; c < classes; ++c) {
      const float probability = kernels::softmax_probability(z[c], row_max[r], inverse_sum);
      dz[c] = grad_scale * kernels::softmax_cross_entropy_grad(probability, c == target);
    }
  }
}

void softmax(const float* logits, std::int64_t rows, std::int64_t classes, float* probabilities) {
#pragma omp parallel for schedule(static) if (rows * classes > 16384)
  for (std::int64_t r = 0; r < rows; ++r) softmax_row(logits + r * classes, classes, probabilities + r * classes);
}

void binary_cross_entropy_with_logits(const float* logits, const float* labels, std::int64_t rows,
                                      float grad_scale, float* row_loss, float* dlogits) {
#pragma omp parallel for schedule(static) if (rows > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    row_loss[r] = kernels::binary_cross_entropy_with_logit(logits[r], labels[r]);
    dlogits[r] = grad_scale * kernels::binary_cross_entropy_with_logit_grad(logits[r], labels[r]);
  }
}

void squared_error(const float* predictions, const float* targets, std::int64_t rows, float grad_scale,
                   float* row_loss, float* dpredictions) {
#pragma omp parallel for schedule(static) if (rows > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    row_loss[r] = kernels::squared_error(predictions[r], targets[r]);
    dpredictions[r] = grad_scale * kernels::squared_error_grad(predictions[r], targets[r]);
  }
}

}  // namespace tern::kernels::cpu
