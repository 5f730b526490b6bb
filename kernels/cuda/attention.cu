// Causal softmax kernels (see attention.h): a row belongs to one warp (for_each_row), whose
// lanes stride over the visible columns; the max and the sums are combined by shuffles.
#include "kernels/cuda/attention.h"

#include <cmath>

#include "kernels/cuda/warp.cuh"

namespace tern::kernels::cuda {

namespace {
struct CausalSoftmaxForward {
  const float* scores;
  std::int64_t columns;
  float* probabilities;
  __device__ void operator()(std::int64_t row, int lane) const {
    const std::int64_t visible = row % columns + 1;
    const float* s = scores + row * columns;
    float* p = probabilities + row * columns;
    float max_score = -INFINITY;
    for (std::int64_t j = lane; j < visible; j += kWarpSize) max_score = fmaxf(max_score, s[j]);
    max_score = warp_max(max_score);
    float sum = 0.0f;
    for (std::int64_t j = lane; j < visible; j += kWarpSize) sum += expf(s[j] - max_score);
    const float inverse = 1.0f / warp_sum(sum);
    for (std::int64_t j = lane; j < columns; j += kWarpSize) p[j] = j < visible ? expf(s[j] - max_score) * inverse : 0.0f;
  }
};

struct CausalSoftmaxBackward {
  const float* probabilities;
  const float* dprobabilities;
  std::int64_t columns;
  float* dscores;
  __device__ void operator()(std::int64_t row, int lane) const {
    const std::int64_t visible = row % columns + 1;
    const float* p = probabilities + row * columns;
    const float* dp = dprobabilities + row * columns;
    float* ds = dscores + row * columns;
    float weighted = 0.0f;
    for (std::int64_t j = lane; j < visible; j += kWarpSize) weighted += p[j] * dp[j];
    weighted = warp_sum(weighted);
    for (std::int64_t j = lane; j < columns; j += kWarpSize) ds[j] = j < visible ? p[j] * (dp[j] - weighted) : 0.0f;
  }
};
}  // namespace

void causal_softmax_forward(const float* scores, std::int64_t rows, std::int64_t columns, float* probabilities,
                            cudaStream_t stream) {
  for_each_row(CausalSoftmaxForward{scores, columns, probabilities}, rows, stream);
}

void causal_softmax_backward(const float* probabilities, const float* dprobabilities, std::int64_t rows,
                             std::int64_t columns, float* dscores, cudaStream_t stream) {
  for_each_row(CausalSoftmaxBackward{probabilities, dprobabilities, columns, dscores}, rows, stream);
}

}  // namespace tern::kernels::cuda
