#include "kernels/cpu/layernorm.h"

#include <vector>

#include "kernels/common/layernorm_math.h"
#include "kernels/cpu/thread_band.h"

namespace tern::kernels::cpu {

void layernorm_forward(const float* x, const float* gamma, const float* beta, std::int64_t rows, std::int64_t features,
                       float epsilon, float* y, float* mean, float* rstd) {
#pragma omp parallel for schedule(static) if (rows * features > 16384)
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* x_row = x + r * features;
    float* y_row = y + r * features;
    double sum = 0.0;
    for (std::int64_t c = 0; c < features; ++c) sum += x_row[c];
    const float row_mean = layernorm_row_mean(sum, features);
    double sum_of_squared_deviations = 0.0;
    for (std::int64_t c = 0; c < features; ++c) {
      const float deviation = x_row[c] - row_mean;
      sum_of_squared_deviations += static_cast<double>(deviation) * deviation;
    }
    const float row_rstd = layernorm_rstd(sum_of_squared_deviations, features, epsilon);
    for (std::int64_t c = 0; c < features; ++c)
      y_row[c] = layernorm_output(x_row[c], row_mean, row_rstd, gamma[c], beta[c]);
    mean[r] = row_mean;
    rstd[r] = row_rstd;
  }
}

void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                        std::int64_t rows, std::int64_t features, float* dx, float* dgamma, float* dbeta) {
  const bool parallel = rows * features > 16384;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* dy_row = dy + r * features;
    const float* x_row = x + r * features;
    double sum_dy_gamma = 0.0, sum_dy_gamma_x_hat = 0.0;
    for (std::int64_t c = 0; c < features; ++c) {
      const float dy_gamma = dy_row[c] * gamma[c];
      sum_dy_gamma += dy_gamma;
      sum_dy_gamma_x_hat += static_cast<double>(dy_gamma) * layernorm_normalize(x_row[c], mean[r], rstd[r]);
    }
    const float mean_dy_gamma = layernorm_row_mean(sum_dy_gamma, features);
    const float mean_dy_gamma_x_hat = layernorm_row_mean(sum_dy_gamma_x_hat, features);
    for (std::int64_t c = 0; c < features; ++c) {
      dx[r * features + c] =
          layernorm_input_gradient(dy_row[c] * gamma[c], layernorm_normalize(x_row[c], mean[r], rstd[r]), rstd[r],
                                   mean_dy_gamma, mean_dy_gamma_x_hat);
    }
  }

#pragma omp parallel if (parallel)
  {
    const ThreadBand band = thread_band(features);
    std::vector<double> dgamma_sums(static_cast<std::size_t>(band.end - band.begin), 0.0);
    std::vector<double> dbeta_sums(dgamma_sums.size(), 0.0);
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t c = band.begin; c < band.end; ++c) {
        const float dy_value = dy[r * features + c];
        const auto k = static_cast<std::size_t>(c - band.begin);
        dgamma_sums[k] += static_cast<double>(dy_value) * layernorm_normalize(x[r * features + c], mean[r], rstd[r]);
        dbeta_sums[k] += dy_value;
      }
    }
    for (std::int64_t c = band.begin; c < band.end; ++c) {
      const auto k = static_cast<std::size_t>(c - band.begin);
      dgamma[c] += static_cast<float>(dgamma_sums[k]);
      dbeta[c] += static_cast<float>(dbeta_sums[k]);
    }
  }
}

}  // namespace tern::kernels::cpu
