// The transformer's layers on the GPU against the same layers on the CPU: outputs, input
// gradients and parameter gradients of LayerNorm and causal self-attention, and the embedding
// (with its error for an id outside the table). Skips without a CUDA device.
#include <gtest/gtest.h>

#include <vector>

#include "core/comm.h"
#include "core/nn/causal_self_attention.h"
#include "core/nn/embedding.h"
#include "core/nn/layer_norm.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern {
namespace {

// The layers whole on one process (no tensor parallelism).
LocalCommunicator one_rank;

std::vector<float> host_values(const Tensor& tensor) {
  const Tensor host = tensor.to(Device::cpu());
  return {host.values().begin(), host.values().end()};
}

// Runs forward and backward of `on_cpu` and `on_gpu` (built alike) on the same x and dy, and
// compares y, dx (when there is one) and every parameter gradient.
void expect_gpu_matches_cpu(Module& on_cpu, Module& on_gpu, const Tensor& x, double tolerance) {
  move_parameters_to(on_gpu.parameters(), Device::cuda(0));
  zero_grads(on_cpu.parameters());
  zero_grads(on_gpu.parameters());
  Saved cpu_saved, gpu_saved;
  const Tensor y = on_cpu.forward(x, cpu_saved);
  const Tensor gpu_y = on_gpu.forward(x.to(Device::cuda(0)), gpu_saved);
  EXPECT_LT(testing::relative_error(host_values(y), host_values(gpu_y)), tolerance) << "y";
  const Tensor dy = testing::random_tensor(y.shape(), 77);
  const Tensor dx = on_cpu.backward(dy, cpu_saved);
  const Tensor gpu_dx = on_gpu.backward(dy.to(Device::cuda(0)), gpu_saved);
  if (dx.defined()) {
    EXPECT_LT(testing::relative_error(host_values(dx), host_values(gpu_dx)), tolerance) << "dx";
  }
  const auto cpu_parameters = on_cpu.parameters(), gpu_parameters = on_gpu.parameters();
  for (std::size_t i = 0; i < cpu_parameters.size(); ++i) {
    EXPECT_LT(testing::relative_error(host_values(cpu_parameters[i]->grad), host_values(gpu_parameters[i]->grad)),
              tolerance)
        << cpu_parameters[i]->name;
  }
}

TEST(TransformerLayersGpu, LayerNormMatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  LayerNorm on_cpu(129, "ln"), on_gpu(129, "ln");
  expect_gpu_matches_cpu(on_cpu, on_gpu, testing::random_tensor({3, 33, 129}, 1, -2.0f, 3.0f), testing::kF32Tolerance);
}

TEST(TransformerLayersGpu, CausalSelfAttentionMatchesTheCpu) {
  TERN_REQUIRE_CUDA_DEVICE();
  CausalSelfAttention on_cpu(48, 4, "attn", 2, one_rank), on_gpu(48, 4, "attn", 2, one_rank);
  expect_gpu_matches_cpu(on_cpu, on_gpu, testing::random_tensor({2, 37, 48}, 3), 1e-4);
}

TEST(TransformerLayersGpu, EmbeddingMatchesTheCpuAndNamesABadId) {
  TERN_REQUIRE_CUDA_DEVICE();
  Embedding on_cpu(300, 65, "wte", 4), on_gpu(300, 65, "wte", 4);
  Tensor ids = Tensor::empty({4, 33}, DType::i32);
  for (std::int64_t i = 0; i < ids.numel(); ++i) ids.data<std::int32_t>()[i] = static_cast<std::int32_t>((i * 7) % 300);
  ids.data<std::int32_t>()[5] = ids.data<std::int32_t>()[9];  // a repeated id
  expect_gpu_matches_cpu(on_cpu, on_gpu, ids, testing::kF32Tolerance);
  ids.data<std::int32_t>()[17] = 300;
  Saved saved;
  try {
    on_gpu.forward(ids.to(Device::cuda(0)), saved);
    FAIL() << "id 300 accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("embedding id 300 at row 17"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace tern
