#include "kernels/cuda/half_precision.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/cuda/launch.cuh"

namespace tern::kernels::cuda {

namespace {
struct ToBf16 {
  const float* x;
  std::uint16_t* bits;
  __device__ void operator()(std::int64_t i) const { bits[i] = __bfloat16_as_ushort(__float2bfloat16_rn(x[i])); }
};

struct ToF16 {
  const float* x;
  std::uint16_t* bits;
  __device__ void operator()(std::int64_t i) const { bits[i] = __half_as_ushort(__float2half_rn(x[i])); }
};

struct FromBf16 {
  const std::uint16_t* bits;
  float* x;
  __device__ void operator()(std::int64_t i) const { x[i] = __bfloat162float(__ushort_as_bfloat16(bits[i])); }
};

struct FromF16 {
  const std::uint16_t* bits;
  float* x;
  __device__ void operator()(std::int64_t i) const { x[i] = __half2float(__ushort_as_half(bits[i])); }
};
}  // namespace

void to_half(HalfFormat format, const float* x, std::uint16_t* bits, std::int64_t count, cudaStream_t stream) {
  if (format == HalfFormat::bf16) {
    for_each_element(ToBf16{x, bits}, count, stream);
  } else {
    for_each_element(ToF16{x, bits}, count, stream);
  }
}

void from_half(HalfFormat format, const std::uint16_t* bits, float* x, std::int64_t count, cudaStream_t stream) {
  if (format == HalfFormat::bf16) {
    for_each_element(FromBf16{bits, x}, count, stream);
  } else {
    for_each_element(FromF16{bits, x}, count, stream);
  }
}

}  // namespace tern::kernels::cuda
