// Embedding lookup (see embedding.h).
//
// The backward has to add rows that share an id into one table row without float atomics
// (whose order, and so whose rounding, changes from run to run). Here thread (c, s) of a grid
// of columns × id classes owns column c of every table row t = id - first_id ≡ s (mod classes),
// walks all the batch's rows in order and adds dy[r, c] where ids[r] is one of its ids. No
// element has two writers and each adds in row order. The cost: every warp (32 columns of one
// class) reads all `rows` ids in turn, so the serial walk is `rows` steps long (a cached id load
// and a compare; an add only on its own ids) and the id reads grow as rows × features/32 ×
// classes.
// For the batches of a training step (10³-10⁵ rows) that is microseconds to a few hundred; a
// sort of the rows by id (cub::DeviceRadixSort) would cut the walk to the longest run of one id,
// at the price of scratch memory and two more passes.
#include "kernels/cuda/embedding.h"

#include <algorithm>

#include "kernels/common/embedding_math.h"
#include "kernels/cuda/launch.cuh"
#include "kernels/cuda/warp.cuh"

namespace tern::kernels::cuda {

namespace {
// Id classes per block (blockDim.y) and at most per grid; a warp is 32 columns of one class,
// so the class test is the same for all its lanes.
constexpr int kIdClassesPerBlock = 8;
constexpr std::int64_t kMaxIdClasses = 64;

// y[i] for i = r · features + c.
struct EmbeddingLookup {
  const std::int32_t* ids;
  const float* table;
  std::int64_t first_id;
  std::int64_t table_rows;
  std::int64_t vocab;
  std::int64_t features;
  float* y;
  int* error_flag;
  __device__ void operator()(std::int64_t i) const {
    const std::int64_t row = i / features, column = i - row * features;
    const std::int32_t id = ids[row];
    if (!kernels::holds_id(id, 0, vocab)) *error_flag = 1;  // every writer writes 1: a benign race
    y[i] = kernels::holds_id(id, first_id, table_rows) ? table[(id - first_id) * features + column] : 0.0f;
  }
};

__global__ void embedding_backward_kernel(const std::int32_t* ids, const float* dy, std::int64_t rows,
                                          std::int64_t first_id, std::int64_t table_rows, std::int64_t features,
                                          float* dtable) {
  const int id_classes = static_cast<int>(gridDim.y * blockDim.y);
  const int id_class = static_cast<int>(blockIdx.y * blockDim.y + threadIdx.y);
  for (std::int64_t c = grid_thread_index(); c < features; c += grid_thread_count()) {
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int32_t id = ids[r];
      if (!kernels::holds_id(id, first_id, table_rows)) continue;
      const std::int64_t table_row = id - first_id;
      if (table_row % id_classes != id_class) continue;
      dtable[table_row * features + c] += dy[r * features + c];
    }
  }
}
}  // namespace

void embedding_forward(const std::int32_t* ids, const float* table, std::int64_t rows, std::int64_t first_id,
                       std::int64_t table_rows, std::int64_t vocab, std::int64_t features, float* y, int* error_flag,
                       cudaStream_t stream) {
  for_each_element(EmbeddingLookup{ids, table, first_id, table_rows, vocab, features, y, error_flag}, rows * features,
                   stream);
}

void embedding_backward(const std::int32_t* ids, const float* dy, std::int64_t rows, std::int64_t first_id,
                        std::int64_t table_rows, std::int64_t features, float* dtable, cudaStream_t stream) {
  if (rows == 0 || features == 0 || table_rows == 0) return;
  const std::int64_t id_classes = std::min(kMaxIdClasses, table_rows);
  const dim3 block(kWarpSize, kIdClassesPerBlock);
  const dim3 grid(grid_blocks(features, kWarpSize),
                  static_cast<unsigned>((id_classes + kIdClassesPerBlock - 1) / kIdClassesPerBlock));
  embedding_backward_kernel<<<grid, block, 0, stream>>>(ids, dy, rows, first_id, table_rows, features, dtable);
  TERN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace tern::kernels::cuda
