// Model parallelism on the GPU, on Austen: a pipeline of two stages (2 ranks sharing the
// machine's GPU: a pipeline's activations go over MPI, staged through host memory) and, where
// the machine has two GPUs, tensor parallelism over NCCL, each trained with --device cuda, must
// train the model one rank trains on the GPU: the same losses and parameters after 4 steps, to
// 1e-5 relative (SGD with momentum, every step clipped to the global norm; see
// gpt_layout_runs.h). Skips without a CUDA device.
#include <gtest/gtest.h>

#include <iostream>

#include "core/io/model_file.h"
#include "tests/kernels/cuda/backend_comparison.h"
#include "tests/launcher/gpt_layout_runs.h"

namespace tern {
namespace {

using testing::GptModel;

// The worst relative differences of losses and of parameters between two GPU runs.
void expect_same_training(const std::filesystem::path& expected, const std::filesystem::path& actual,
                          const std::string& layout) {
  const std::vector<double> expected_losses = testing::step_losses(expected), losses = testing::step_losses(actual);
  ASSERT_EQ(losses.size(), expected_losses.size());
  double worst_loss = 0.0;
  for (std::size_t step = 0; step < losses.size(); ++step)
    worst_loss = std::max(worst_loss, std::abs(losses[step] - expected_losses[step]) / std::abs(expected_losses[step]));
  const double worst_parameter = testing::parameter_difference(read_model_file(expected / "model" / "model.h5"),
                                                               read_model_file(actual / "model" / "model.h5"), false);
  std::cout << "  " << layout << " on the GPU vs 1 rank: losses " << worst_loss << ", parameters " << worst_parameter
            << "\n";
  EXPECT_LE(worst_loss, 1e-5);
  EXPECT_LE(worst_parameter, 1e-5);
}

TEST(GptModelParallelGpu, PipelineAndTensorParallelLayoutsTrainTheSingleGpuModel) {
  TERN_REQUIRE_CUDA_DEVICE();
  TERN_REQUIRE_REAL_DATA(testing::real_data("austen/train.h5"));
  testing::ScratchFolder scratch;
  const auto train = [&](const std::string& name, int ranks, const std::string& layout) {
    const auto result = testing::run_tern_on_ranks(
        ranks, testing::training_arguments(scratch / name, GptModel{}) + " --device cuda " + layout);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.exit_code == 0;
  };
  ASSERT_TRUE(train("one", 1, ""));
  if (train("pp2", 2, "--allow-gpu-sharing --hp pp=2")) expect_same_training(scratch / "one", scratch / "pp2", "pp=2");
  int devices = 0;
  TERN_CUDA_CHECK(cudaGetDeviceCount(&devices));
  if (devices < 2) {
    std::cout << "  tp=2 needs two GPUs (NCCL takes one rank a GPU); this machine has " << devices << "\n";
    return;
  }
  if (train("tp2", 2, "--hp tp=2")) expect_same_training(scratch / "one", scratch / "tp2", "tp=2");
}

}  // namespace
}  // namespace tern
