// Inverted dropout on the GPU (see dropout.h): element-wise functors run by for_each_element.
#include "kernels/cuda/dropout.h"

#include "kernels/common/dropout_math.h"
#include "kernels/cuda/launch.cuh"

namespace tern::kernels::cuda {

namespace {
struct DropoutForward {
  const float* x;
  float* y;
  float* mask_out;
  float p;
  float keep_scale;
  std::uint64_t seed;
  std::uint64_t stream;
  std::uint64_t first_index;
  __device__ void operator()(std::int64_t i) const {
    mask_out[i] = dropout_mask(seed, first_index + static_cast<std::uint64_t>(i), stream, p, keep_scale);
    y[i] = x[i] * mask_out[i];
  }
};

struct DropoutBackward {
  const float* dy;
  const float* mask;
  float* dx;
  __device__ void operator()(std::int64_t i) const { dx[i] = dy[i] * mask[i]; }
};
}  // namespace

void dropout_forward(const float* x, float* y, float* mask_out, std::int64_t count, float p, std::uint64_t seed,
                     std::uint64_t stream, std::uint64_t first_index, cudaStream_t cuda_stream) {
  const DropoutForward forward{x, y, mask_out, p, dropout_keep_scale(p), seed, stream, first_index};
  for_each_element(forward, count, cuda_stream);
}

void dropout_backward(const float* dy, const float* mask, float* dx, std::int64_t count, cudaStream_t cuda_stream) {
  for_each_element(DropoutBackward{dy, mask, dx}, count, cuda_stream);
}

}  // namespace tern::kernels::cuda
