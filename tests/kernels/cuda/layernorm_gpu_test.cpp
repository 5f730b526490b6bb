// The CUDA LayerNorm against the CPU one on awkward shapes (one feature, a prime number past a
// warp, many; rows up to a million) and 1000 × 769: forward outputs and saved statistics, and
// the backward from the same saved statistics, with dγ, dβ accumulating onto random values.
// The backward must also give the same bits on a second run.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernels/cpu/layernorm.h"
#include "kernels/cuda/layernorm.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;
using testing::kF32Tolerance;
using testing::relative_error;

constexpr float kEpsilon = 1e-5f;

std::vector<testing::MatrixShape> layernorm_shapes() {
  std::vector<testing::MatrixShape> shapes = testing::awkward_matrix_shapes();
  shapes.push_back({1000, 769});
  return shapes;
}

TEST(LayerNormGpu, ForwardMatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const auto [rows, features] : layernorm_shapes()) {
    SCOPED_TRACE(::testing::Message() << rows << " x " << features);
    const auto x = testing::random_floats(rows * features, 1, 2.0f, 4.0f);
    const auto gamma = testing::random_floats(features, 2), beta = testing::random_floats(features, 3);
    std::vector<float> y(x.size()), mean(rows), rstd(rows);
    cpu::layernorm_forward(x.data(), gamma.data(), beta.data(), rows, features, kEpsilon, y.data(), mean.data(),
                           rstd.data());
    DeviceArray<float> device_x(x), device_gamma(gamma), device_beta(beta);
    DeviceArray<float> device_y(rows * features), device_mean(rows), device_rstd(rows);
    cuda::layernorm_forward(device_x.data(), device_gamma.data(), device_beta.data(), rows, features, kEpsilon,
                            device_y.data(), device_mean.data(), device_rstd.data(), nullptr);
    EXPECT_LT(relative_error(y, device_y.to_host()), kF32Tolerance);
    EXPECT_LT(relative_error(mean, device_mean.to_host()), kF32Tolerance);
    EXPECT_LT(relative_error(rstd, device_rstd.to_host()), kF32Tolerance);
  }
}

TEST(LayerNormGpu, BackwardMatchesTheCpuAndRepeatsBitForBit) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const auto [rows, features] : layernorm_shapes()) {
    SCOPED_TRACE(::testing::Message() << rows << " x " << features);
    const auto x = testing::random_floats(rows * features, 4), dy = testing::random_floats(rows * features, 5);
    const auto gamma = testing::random_floats(features, 6), beta = testing::random_floats(features, 7);
    const auto dgamma_before = testing::random_floats(features, 8), dbeta_before = testing::random_floats(features, 9);
    std::vector<float> y(x.size()), mean(rows), rstd(rows), dx(x.size());
    std::vector<float> dgamma = dgamma_before, dbeta = dbeta_before;
    cpu::layernorm_forward(x.data(), gamma.data(), beta.data(), rows, features, kEpsilon, y.data(), mean.data(),
                           rstd.data());
    cpu::layernorm_backward(dy.data(), x.data(), gamma.data(), mean.data(), rstd.data(), rows, features, dx.data(),
                            dgamma.data(), dbeta.data());

    DeviceArray<float> device_x(x), device_dy(dy), device_gamma(gamma), device_mean(mean), device_rstd(rstd);
    std::vector<std::vector<float>> runs;
    for (int run = 0; run < 2; ++run) {
      DeviceArray<float> device_dx(rows * features), device_dgamma(dgamma_before), device_dbeta(dbeta_before);
      cuda::layernorm_backward(device_dy.data(), device_x.data(), device_gamma.data(), device_mean.data(),
                               device_rstd.data(), rows, features, device_dx.data(), device_dgamma.data(),
                               device_dbeta.data(), nullptr);
      const auto gpu_dx = device_dx.to_host(), gpu_dgamma = device_dgamma.to_host(), gpu_dbeta = device_dbeta.to_host();
      EXPECT_LT(relative_error(dx, gpu_dx), kF32Tolerance);
      EXPECT_LT(relative_error(dgamma, gpu_dgamma), kF32Tolerance);
      EXPECT_LT(relative_error(dbeta, gpu_dbeta), kF32Tolerance);
      runs.push_back(gpu_dx);
      runs.back().insert(runs.back().end(), gpu_dgamma.begin(), gpu_dgamma.end());
      runs.back().insert(runs.back().end(), gpu_dbeta.begin(), gpu_dbeta.end());
    }
    EXPECT_EQ(runs[0], runs[1]);
  }
}

}  // namespace
}  // namespace tern::kernels
