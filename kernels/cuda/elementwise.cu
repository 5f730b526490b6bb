// Element-wise CUDA kernels (see elementwise.h). The element-wise ones are one-line functors
// run by for_each_element (launch.cuh); the column sums have a kernel of their own, shaped so
// that the order of additions depends on the sizes alone; the sum of squares is the one-array
// case of sum_of_squares_many (reduction.h).
#include "kernels/cuda/elementwise.h"

#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/reduction.h"

namespace tern::kernels::cuda {

namespace {
template <Activation Kind>
struct ActivationForward {
  const float* x;
  float* y;
  __device__ void operator()(std::int64_t i) const { y[i] = kernels::activation_forward<Kind>(x[i]); }
};

template <Activation Kind>
struct ActivationBackward {
  const float* x;
  const float* y;
  const float* dy;
  float* dx;
  __device__ void operator()(std::int64_t i) const { dx[i] = kernels::activation_backward<Kind>(x[i], y[i], dy[i]); }
};

// Element i of a row-major matrix with `cols` columns lies in column i % cols.
template <Activation Kind>
struct BiasActivationForward {
  float* y;
  const float* bias;
  std::int64_t cols;
  __device__ void operator()(std::int64_t i) const { y[i] = kernels::activation_forward<Kind>(y[i] + bias[i % cols]); }
};

struct StandardizeColumns {
  const float* x;
  const float* mean;
  const float* inverse_std;
  float* y;
  std::int64_t cols;
  __device__ void operator()(std::int64_t i) const { y[i] = (x[i] - mean[i % cols]) * inverse_std[i % cols]; }
};

struct Scale {
  float* y;
  float factor;
  __device__ void operator()(std::int64_t i) const { y[i] *= factor; }
};

struct Accumulate {
  float* y;
  const float* x;
  __device__ void operator()(std::int64_t i) const { y[i] += x[i]; }
};

// Column sums: a block of kTileColumns × kTileRowLanes threads owns a tile of adjacent columns
// (a warp reads 32 adjacent floats of a row, one coalesced load). Lane (column, row_lane) sums
// rows row_lane, row_lane + kTileRowLanes, ... in double; lane row_lane = 0 then adds the
// kTileRowLanes partial sums in lane order.
constexpr int kTileColumns = 32;
constexpr int kTileRowLanes = kThreadsPerBlock / kTileColumns;

__global__ void accumulate_column_sums_kernel(const float* x, float* sums, std::int64_t rows, std::int64_t cols) {
  __shared__ double partial_sums[kTileRowLanes][kTileColumns];
  const std::int64_t tiles = (cols + kTileColumns - 1) / kTileColumns;
  for (std::int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const std::int64_t column = tile * kTileColumns + threadIdx.x;
    double sum = 0.0;
    if (column < cols) {
      for (std::int64_t r = threadIdx.y; r < rows; r += kTileRowLanes) sum += x[r * cols + column];
    }
    partial_sums[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && column < cols) {
      double total = sums[column];
      for (int lane = 0; lane < kTileRowLanes; ++lane) total += partial_sums[lane][threadIdx.x];
      sums[column] = static_cast<float>(total);
    }
    __syncthreads();  // partial_sums is refilled for the next tile
  }
}
}  // namespace

void activation_forward(Activation kind, const float* x, float* y, std::int64_t count, cudaStream_t stream) {
  dispatch_activation(kind, [&](auto kind_constant) {
    for_each_element(ActivationForward<kind_constant()>{x, y}, count, stream);
  });
}

void activation_backward(Activation kind, const float* x, const float* y, const float* dy, float* dx,
                         std::int64_t count, cudaStream_t stream) {
  dispatch_activation(kind, [&](auto kind_constant) {
    for_each_element(ActivationBackward<kind_constant()>{x, y, dy, dx}, count, stream);
  });
}

void bias_activation_forward(Activation kind, float* y, const float* bias, std::int64_t rows, std::int64_t cols,
                             cudaStream_t stream) {
  dispatch_activation(kind, [&](auto kind_constant) {
    for_each_element(BiasActivationForward<kind_constant()>{y, bias, cols}, rows * cols, stream);
  });
}

void accumulate_column_sums(const float* x, float* sums, std::int64_t rows, std::int64_t cols, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return;
  const std::int64_t tiles = (cols + kTileColumns - 1) / kTileColumns;
  accumulate_column_sums_kernel<<<grid_blocks(tiles, 1), dim3(kTileColumns, kTileRowLanes), 0, stream>>>(x, sums, rows,
                                                                                                       cols);
  TERN_CUDA_CHECK(cudaGetLastError());
}

void standardize_columns(const float* x, const float* mean, const float* inverse_std, float* y, std::int64_t rows,
                         std::int64_t cols, cudaStream_t stream) {
  for_each_element(StandardizeColumns{x, mean, inverse_std, y, cols}, rows * cols, stream);
}

void scale(float* y, float factor, std::int64_t count, cudaStream_t stream) {
  for_each_element(Scale{y, factor}, count, stream);
}

void accumulate(float* y, const float* x, std::int64_t count, cudaStream_t stream) {
  for_each_element(Accumulate{y, x}, count, stream);
}

void sum_of_squares(const float* x, std::int64_t count, double* result, cudaStream_t stream) {
  sum_of_squares_many(&x, &count, 1, result, stream);
}

}  // namespace tern::kernels::cuda
