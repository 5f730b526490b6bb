// The CUDA optimizer steps against the CPU ones, for every optimizer kind and option
// (optimizer_configs.h): a list of tensors of every awkward count plus an empty one and enough
// small ones that the list takes more than one launch, stepped three times so that the state
// carries over. SGD must agree to 1e-6, the rest to the f32 tolerance.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <vector>

#include "kernels/cpu/optimizer.h"
#include "kernels/cuda/optimizer.h"
#include "tests/kernels/cuda/backend_comparison.h"
#include "tests/kernels/optimizer_configs.h"

namespace tern::kernels {
namespace {

using testing::DeviceArray;
using testing::relative_error;

// Weights, gradients and the two states of one tensor, on the host and on the device.
struct TensorCopies {
  std::vector<std::vector<float>> host;  // weights, grads, state_1, state_2
  std::deque<DeviceArray<float>> device;
};

TensorCopies make_tensor(std::int64_t count, std::uint32_t seed) {
  TensorCopies tensor;
  tensor.host = {testing::random_floats(count, seed), testing::random_floats(count, seed + 1),
                 testing::random_floats(count, seed + 2, 0.0f, 1.0f),
                 testing::random_floats(count, seed + 3, 0.0f, 1.0f)};
  for (const std::vector<float>& values : tensor.host) tensor.device.emplace_back(values);
  return tensor;
}

double tolerance_for(const OptimizerStepConfig& config) {
  return config.kind == OptimizerKind::sgd ? 1e-6 : testing::kF32Tolerance;
}

TEST(OptimizerGpu, UpdateManyMatchesTheCpuForEveryKind) {
  TERN_REQUIRE_CUDA_DEVICE();
  std::vector<std::int64_t> counts = testing::kAwkwardCounts;
  counts.push_back(0);
  for (std::int64_t small = 1; small <= 60; ++small) counts.push_back(small * 3);
  for (const OptimizerStepConfig& config : testing::every_optimizer_config()) {
    SCOPED_TRACE(::testing::Message() << "kind " << static_cast<int>(config.kind) << ", momentum " << config.momentum
                                      << ", nesterov " << config.nesterov);
    std::deque<TensorCopies> tensors;
    std::vector<OptimizerTensor> host_list, device_list;
    for (std::size_t t = 0; t < counts.size(); ++t) {
      TensorCopies& tensor = tensors.emplace_back(make_tensor(counts[t], static_cast<std::uint32_t>(4 * t)));
      host_list.push_back(
          {tensor.host[0].data(), tensor.host[1].data(), tensor.host[2].data(), tensor.host[3].data(), counts[t]});
      device_list.push_back({tensor.device[0].data(), tensor.device[1].data(), tensor.device[2].data(),
                             tensor.device[3].data(), counts[t]});
    }
    for (int step = 0; step < 3; ++step) {
      cpu::optimizer_update_many(config, host_list.data(), static_cast<int>(host_list.size()));
      cuda::optimizer_update_many(config, device_list.data(), static_cast<int>(device_list.size()), nullptr);
    }
    for (std::size_t t = 0; t < counts.size(); ++t) {
      for (const std::size_t array : {0, 2, 3}) {  // weights, state_1, state_2
        EXPECT_LT(relative_error(tensors[t].host[array], tensors[t].device[array].to_host()), tolerance_for(config))
            << "tensor " << t << " (count " << counts[t] << "), array " << array;
      }
    }
  }
}

TEST(OptimizerGpu, UpdateOfOneTensorMatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const OptimizerStepConfig& config : testing::every_optimizer_config()) {
    SCOPED_TRACE(::testing::Message() << "kind " << static_cast<int>(config.kind));
    const std::int64_t count = 4097;
    TensorCopies tensor = make_tensor(count, 1);
    cpu::optimizer_update(config, tensor.host[0].data(), tensor.host[1].data(), tensor.host[2].data(),
                          tensor.host[3].data(), count);
    cuda::optimizer_update(config, tensor.device[0].data(), tensor.device[1].data(), tensor.device[2].data(),
                           tensor.device[3].data(), count, nullptr);
    EXPECT_LT(relative_error(tensor.host[0], tensor.device[0].to_host()), tolerance_for(config));
  }
}

TEST(OptimizerGpu, AnEmptyListQueuesNothing) {
  TERN_REQUIRE_CUDA_DEVICE();
  EXPECT_NO_THROW(cuda::optimizer_update_many(OptimizerStepConfig{}, nullptr, 0, nullptr));
  EXPECT_NO_THROW(cuda::optimizer_update(OptimizerStepConfig{}, nullptr, nullptr, nullptr, nullptr, 0, nullptr));
}

}  // namespace
}  // namespace tern::kernels
