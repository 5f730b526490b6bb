// Layer normalisation (see layernorm.h).
#include "kernels/cuda/layernorm.h"

#include <algorithm>

#include "kernels/common/layernorm_math.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/warp.cuh"

namespace tern::kernels::cuda {

namespace {
// dγ, dβ: rows are cut into at most kMaxRowChunks chunks of at least kMinRowsPerChunk rows, so
// the scratch (2 doubles per column and chunk) stays bounded however many rows there are.
constexpr std::int64_t kMinRowsPerChunk = 32;
constexpr std::int64_t kMaxRowChunks = 1024;

// y, μ and rstd of one row; lane 0 writes μ and rstd.
struct LayerNormForwardRow {
  const float* x;
  const float* gamma;
  const float* beta;
  std::int64_t features;
  float epsilon;
  float* y;
  float* mean;
  float* rstd;
  __device__ void operator()(std::int64_t row, int lane) const {
    const float* x_row = x + row * features;
    double sum = 0.0;
    for (std::int64_t c = lane; c < features; c += kWarpSize) sum += x_row[c];
    const float row_mean = layernorm_row_mean(warp_sum(sum), features);
    double sum_of_squared_deviations = 0.0;
    for (std::int64_t c = lane; c < features; c += kWarpSize) {
      const float deviation = x_row[c] - row_mean;
      sum_of_squared_deviations += static_cast<double>(deviation) * deviation;
    }
    const float row_rstd = layernorm_rstd(warp_sum(sum_of_squared_deviations), features, epsilon);
    float* y_row = y + row * features;
    for (std::int64_t c = lane; c < features; c += kWarpSize)
      y_row[c] = layernorm_output(x_row[c], row_mean, row_rstd, gamma[c], beta[c]);
    if (lane == 0) {
      mean[row] = row_mean;
      rstd[row] = row_rstd;
    }
  }
};

// dx of one row (overwrites).
struct LayerNormInputGradientRow {
  const float* dy;
  const float* x;
  const float* gamma;
  const float* mean;
  const float* rstd;
  std::int64_t features;
  float* dx;
  __device__ void operator()(std::int64_t row, int lane) const {
    const float* dy_row = dy + row * features;
    const float* x_row = x + row * features;
    const float row_mean = mean[row], row_rstd = rstd[row];
    double sum_dy_gamma = 0.0, sum_dy_gamma_x_hat = 0.0;
    for (std::int64_t c = lane; c < features; c += kWarpSize) {
      const float dy_gamma = dy_row[c] * gamma[c];
      sum_dy_gamma += dy_gamma;
      sum_dy_gamma_x_hat += static_cast<double>(dy_gamma) * layernorm_normalize(x_row[c], row_mean, row_rstd);
    }
    const float mean_dy_gamma = layernorm_row_mean(warp_sum(sum_dy_gamma), features);
    const float mean_dy_gamma_x_hat = layernorm_row_mean(warp_sum(sum_dy_gamma_x_hat), features);
    float* dx_row = dx + row * features;
    for (std::int64_t c = lane; c < features; c += kWarpSize) {
      dx_row[c] = layernorm_input_gradient(dy_row[c] * gamma[c], layernorm_normalize(x_row[c], row_mean, row_rstd),
                                           row_rstd, mean_dy_gamma, mean_dy_gamma_x_hat);
    }
  }
};

// Pass 1 of dγ, dβ: the thread of column c in chunk blockIdx.y sums dy·x̂ and dy over the
// chunk's rows, in order, into chunk_dgamma[chunk, c] and chunk_dbeta[chunk, c].
__global__ void layernorm_chunk_parameter_sums_kernel(const float* dy, const float* x, const float* mean,
                                                      const float* rstd, std::int64_t rows, std::int64_t features,
                                                      std::int64_t rows_per_chunk, double* chunk_dgamma,
                                                      double* chunk_dbeta) {
  const std::int64_t chunk = blockIdx.y;
  const std::int64_t row_begin = chunk * rows_per_chunk;
  const std::int64_t row_end = min(rows, row_begin + rows_per_chunk);
  for (std::int64_t c = grid_thread_index(); c < features; c += grid_thread_count()) {
    double dgamma_sum = 0.0, dbeta_sum = 0.0;
    for (std::int64_t r = row_begin; r < row_end; ++r) {
      const float dy_value = dy[r * features + c];
      dgamma_sum += static_cast<double>(dy_value) * layernorm_normalize(x[r * features + c], mean[r], rstd[r]);
      dbeta_sum += dy_value;
    }
    chunk_dgamma[chunk * features + c] = dgamma_sum;
    chunk_dbeta[chunk * features + c] = dbeta_sum;
  }
}

// Pass 2 of dγ, dβ, one column: adds the chunks' sums in chunk order and accumulates.
struct AddChunkSums {
  const double* chunk_dgamma;
  const double* chunk_dbeta;
  std::int64_t chunks;
  std::int64_t features;
  float* dgamma;
  float* dbeta;
  __device__ void operator()(std::int64_t c) const {
    double dgamma_sum = 0.0, dbeta_sum = 0.0;
    for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
      dgamma_sum += chunk_dgamma[chunk * features + c];
      dbeta_sum += chunk_dbeta[chunk * features + c];
    }
    dgamma[c] += static_cast<float>(dgamma_sum);
    dbeta[c] += static_cast<float>(dbeta_sum);
  }
};
}  // namespace

void layernorm_forward(const float* x, const float* gamma, const float* beta, std::int64_t rows, std::int64_t features,
                       float epsilon, float* y, float* mean, float* rstd, cudaStream_t stream) {
  for_each_row(LayerNormForwardRow{x, gamma, beta, features, epsilon, y, mean, rstd}, rows, stream);
}

void layernorm_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                        std::int64_t rows, std::int64_t features, float* dx, float* dgamma, float* dbeta,
                        cudaStream_t stream) {
  if (rows == 0 || features == 0) return;
  for_each_row(LayerNormInputGradientRow{dy, x, gamma, mean, rstd, features, dx}, rows, stream);

  const std::int64_t rows_per_chunk = std::max(kMinRowsPerChunk, (rows + kMaxRowChunks - 1) / kMaxRowChunks);
  const std::int64_t chunks = (rows + rows_per_chunk - 1) / rows_per_chunk;
  void* chunk_sums = nullptr;
  TERN_CUDA_CHECK(
      cudaMallocAsync(&chunk_sums, static_cast<std::size_t>(2 * chunks * features) * sizeof(double), stream));
  double* chunk_dgamma = static_cast<double*>(chunk_sums);
  double* chunk_dbeta = chunk_dgamma + chunks * features;
  const dim3 grid(grid_blocks(features, kThreadsPerBlock), static_cast<unsigned>(chunks));
  layernorm_chunk_parameter_sums_kernel<<<grid, kThreadsPerBlock, 0, stream>>>(
      dy, x, mean, rstd, rows, features, rows_per_chunk, chunk_dgamma, chunk_dbeta);
  TERN_CUDA_CHECK(cudaGetLastError());
  for_each_element(AddChunkSums{chunk_dgamma, chunk_dbeta, chunks, features, dgamma, dbeta}, features, stream);
  TERN_CUDA_CHECK(cudaFreeAsync(chunk_sums, stream));
}

}  // namespace tern::kernels::cuda
