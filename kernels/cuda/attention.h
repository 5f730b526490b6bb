// The softmax of causal self-attention on the GPU, the namesakes of kernels/cpu/attention.h
// (same layout and formulas, the forward also in place), one warp per row. All pointers are
// device memory; each call queues its work on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace tern::kernels::cuda {

void causal_softmax_forward(const float* scores, std::int64_t rows, std::int64_t columns, float* probabilities,
                            cudaStream_t stream);
void causal_softmax_backward(const float* probabilities, const float* dprobabilities, std::int64_t rows,
                             std::int64_t columns, float* dscores, cudaStream_t stream);

}  // namespace tern::kernels::cuda
