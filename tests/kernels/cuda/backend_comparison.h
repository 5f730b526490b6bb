// Shared by the backend-comparison tests (*_gpu_test.cpp): each runs a CUDA kernel and its CPU
// namesake on the same fresh random inputs of awkward sizes and compares the outputs by
// relative error, with a tolerance per dtype.
//
// Device outputs are poisoned (every byte 0xFF, a NaN for f32, bf16 and f16) before a kernel
// runs, so an element the kernel forgot to write shows up as a NaN and fails the comparison.
// Every test starts with TERN_REQUIRE_CUDA_DEVICE(), which skips it cleanly on a machine
// without a CUDA device (CI has none).
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "kernels/cuda/check.cuh"

namespace tern::testing {

inline bool cuda_device_present() {
  int devices = 0;
  return cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0;
}

#define TERN_REQUIRE_CUDA_DEVICE()                                            \
  do {                                                                        \
    if (!::tern::testing::cuda_device_present()) GTEST_SKIP() << "no CUDA device"; \
  } while (0)

// Element counts that are not multiples of a warp or a block: 1, a prime, just past a power of
// two, and one large enough to need many blocks.
inline const std::vector<std::int64_t> kAwkwardCounts = {1, 7, 33, 1000, 4097, (std::int64_t{1} << 20) + 3};

// Matrices of about each awkward count of elements, as rows × cols with one column, a prime
// number of columns past a warp, and many columns.
struct MatrixShape {
  std::int64_t rows;
  std::int64_t cols;
};

inline std::vector<MatrixShape> awkward_matrix_shapes() {
  std::vector<MatrixShape> shapes;
  for (const std::int64_t count : kAwkwardCounts) {
    for (const std::int64_t cols : std::initializer_list<std::int64_t>{1, 33, 1000}) {
      if (cols <= count) shapes.push_back({count / cols, cols});
    }
  }
  return shapes;
}

// Relative tolerances of a comparison against the CPU result, per compute dtype.
inline constexpr double kF32Tolerance = 1e-5;
inline constexpr double kBf16Tolerance = 2e-2;

// Uniform floats in [low, high), from a fixed seed per call site.
inline std::vector<float> random_floats(std::int64_t count, std::uint32_t seed, float low = -1.0f, float high = 1.0f) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& value : values) value = distribution(generator);
  return values;
}

// ‖candidate - reference‖₂ / max(‖reference‖₂, tiny), in double; NaN anywhere gives NaN, which
// fails every EXPECT_LT.
template <typename T>
double relative_error(const std::vector<T>& reference, const std::vector<T>& candidate) {
  EXPECT_EQ(reference.size(), candidate.size());
  double difference = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < std::min(reference.size(), candidate.size()); ++i) {
    const double r = static_cast<double>(reference[i]), c = static_cast<double>(candidate[i]);
    if (std::isnan(c) || std::isnan(r)) return std::nan("");
    difference += (r - c) * (r - c);
    norm += r * r;
  }
  return std::sqrt(difference) / std::max(std::sqrt(norm), 1e-30);
}

// How many elements differ in value (a NaN differs from everything): for kernels that must
// match the CPU exactly. Unlike comparing the vectors, a failure does not print them.
template <typename T>
std::int64_t count_mismatches(const std::vector<T>& reference, const std::vector<T>& candidate) {
  EXPECT_EQ(reference.size(), candidate.size());
  std::int64_t mismatches = 0;
  for (std::size_t i = 0; i < std::min(reference.size(), candidate.size()); ++i) {
    if (!(reference[i] == candidate[i])) ++mismatches;
  }
  return mismatches;
}

// Device memory for one test: uploaded from a host vector, or poisoned; read back as a vector.
// Every upload and poisoning completes before the constructor returns, so a kernel queued on
// any stream afterwards sees it.
template <typename T>
class DeviceArray {
 public:
  explicit DeviceArray(std::int64_t count) : count_(count) {
    TERN_CUDA_CHECK(cudaMalloc(&data_, bytes()));
    poison();
  }
  explicit DeviceArray(const std::vector<T>& values) : DeviceArray(static_cast<std::int64_t>(values.size())) {
    TERN_CUDA_CHECK(cudaMemcpy(data_, values.data(), bytes(), cudaMemcpyHostToDevice));
    TERN_CUDA_CHECK(cudaDeviceSynchronize());  // kernels on non-blocking streams do not wait for it
  }
  ~DeviceArray() { cudaFree(data_); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  T* data() { return data_; }
  std::int64_t count() const { return count_; }
  // Every byte 0xFF: NaN in every floating-point format.
  // Synchronizes: cudaMemset is asynchronous for device memory, and kernels queued on
  // non-blocking streams would not wait for it.
  void poison() {
    TERN_CUDA_CHECK(cudaMemset(data_, 0xFF, bytes()));
    TERN_CUDA_CHECK(cudaDeviceSynchronize());
  }
  // Waits for all queued work, then copies back.
  std::vector<T> to_host() const {
    TERN_CUDA_CHECK(cudaDeviceSynchronize());
    std::vector<T> values(static_cast<std::size_t>(count_));
    TERN_CUDA_CHECK(cudaMemcpy(values.data(), data_, bytes(), cudaMemcpyDeviceToHost));
    return values;
  }

 private:
  std::size_t bytes() const { return static_cast<std::size_t>(std::max<std::int64_t>(count_, 1)) * sizeof(T); }
  T* data_ = nullptr;
  std::int64_t count_;
};

}  // namespace tern::testing
