// The causal softmax CUDA kernels against their CPU namesakes on the same random scores, for
// sequence lengths around the warp size and beyond it, several heads stacked. Skips without a
// CUDA device.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernels/cpu/attention.h"
#include "kernels/cuda/attention.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;

TEST(CausalSoftmaxGpu, ForwardAndBackwardMatchTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const std::int64_t time : {std::int64_t{1}, std::int64_t{7}, std::int64_t{32}, std::int64_t{33},
                                  std::int64_t{129}, std::int64_t{1024}}) {
    SCOPED_TRACE(::testing::Message() << "T = " << time);
    const std::int64_t rows = 3 * time;  // three sequence-heads
    const auto scores = testing::random_floats(rows * time, 1, -8.0f, 8.0f);
    const auto dprobabilities = testing::random_floats(rows * time, 2);
    std::vector<float> probabilities(scores.size()), dscores(scores.size());
    cpu::causal_softmax_forward(scores.data(), rows, time, probabilities.data());
    cpu::causal_softmax_backward(probabilities.data(), dprobabilities.data(), rows, time, dscores.data());
    DeviceArray<float> device_scores(scores), device_dprobabilities(dprobabilities);
    DeviceArray<float> device_probabilities(rows * time), device_dscores(rows * time);  // poisoned
    cuda::causal_softmax_forward(device_scores.data(), rows, time, device_probabilities.data(), nullptr);
    const std::vector<float> gpu_probabilities = device_probabilities.to_host();
    EXPECT_LT(testing::relative_error(probabilities, gpu_probabilities), testing::kF32Tolerance);
    // The backward from the CPU's probabilities, so that only the backward is compared.
    DeviceArray<float> cpu_probabilities(probabilities);
    cuda::causal_softmax_backward(cpu_probabilities.data(), device_dprobabilities.data(), rows, time,
                                  device_dscores.data(), nullptr);
    EXPECT_LT(testing::relative_error(dscores, device_dscores.to_host()), testing::kF32Tolerance);
  }
}

}  // namespace
}  // namespace tern::kernels
