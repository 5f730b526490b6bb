// A small network trained a few steps on the GPU against the same network trained on the CPU:
// Linear, GELU, dropout, Linear, softmax cross-entropy, clipping and an optimizer, every step
// through the Backend of the tensors' device. The parameters must agree after the steps (float
// rounding differs between cuBLAS and oneDNN, so not bit for bit). The same with bf16 and f16
// GEMMs, where the CPU rounds the same operands the GPU's tensor cores read. Skips without a
// CUDA device.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "core/nn/activation.h"
#include "core/nn/dropout.h"
#include "core/nn/linear.h"
#include "core/nn/loss.h"
#include "core/nn/sequential.h"
#include "core/optim/gradient_clipping.h"
#include "core/optim/optimizer.h"
#include "tests/kernels/cuda/backend_comparison.h"

namespace tern {
namespace {

std::unique_ptr<Sequential> make_network() {
  auto network = std::make_unique<Sequential>();
  network->append(std::make_unique<Linear>(37, 65, "fc1", 5));
  network->append(std::make_unique<ActivationLayer>(Activation::gelu));
  network->append(std::make_unique<Dropout>(0.25f, "drop1"));
  network->append(std::make_unique<Linear>(65, 7, "fc2", 5));
  return network;
}

// Trains `network` where its parameters live, on batches copied there; returns the losses.
std::vector<double> train(Sequential& network, const Device& device, OptimizerKind kind, int steps,
                          DType gemm_dtype = DType::f32) {
  SoftmaxCrossEntropy loss;
  Optimizer optimizer({.kind = kind, .momentum = 0.9f}, network.parameters());
  std::vector<double> losses;
  for (int step = 0; step < steps; ++step) {
    const std::int64_t rows = 33;
    const Tensor x = Tensor::from_values({rows, 37}, testing::random_floats(rows * 37, 100 + step)).to(device);
    std::vector<float> label_values(rows);
    for (std::int64_t r = 0; r < rows; ++r) label_values[static_cast<std::size_t>(r)] = static_cast<float>((r + step) % 7);
    const Tensor labels = Tensor::from_values({rows}, label_values).to(device);
    Saved saved(ForwardMode{
        .training = true, .seed = 9, .step = static_cast<std::uint64_t>(step), .gemm_dtype = gemm_dtype});
    saved.input_gradient = false;
    const Tensor logits = network.forward(x, saved);
    Saved loss_saved;
    losses.push_back(loss.forward(logits, labels, loss_saved));
    zero_grads(optimizer.parameters());
    network.backward(loss.backward(loss_saved), saved);
    clip_gradients_by_global_norm(optimizer.parameters(), 0.5);
    optimizer.step(0.05f);
  }
  return losses;
}

// Trains one network on the CPU and one on the GPU from the same start, and compares the losses
// of every step and the parameters after the last, relative to the CPU's.
void expect_gpu_training_matches_cpu(OptimizerKind kind, DType gemm_dtype, double tolerance) {
  auto on_cpu = make_network(), on_gpu = make_network();
  move_parameters_to(on_gpu->parameters(), Device::cuda(0));
  const auto cpu_losses = train(*on_cpu, Device::cpu(), kind, 6, gemm_dtype);
  const auto gpu_losses = train(*on_gpu, Device::cuda(0), kind, 6, gemm_dtype);
  for (std::size_t step = 0; step < cpu_losses.size(); ++step)
    EXPECT_NEAR(gpu_losses[step], cpu_losses[step], tolerance * std::abs(cpu_losses[step])) << "step " << step;
  const auto cpu_parameters = on_cpu->parameters(), gpu_parameters = on_gpu->parameters();
  for (std::size_t i = 0; i < cpu_parameters.size(); ++i) {
    const Tensor& expected = cpu_parameters[i]->value;
    const Tensor trained = gpu_parameters[i]->value.to(Device::cpu());
    const std::vector<float> a(expected.values().begin(), expected.values().end());
    const std::vector<float> b(trained.values().begin(), trained.values().end());
    EXPECT_LT(testing::relative_error(a, b), tolerance) << cpu_parameters[i]->name;
  }
}

class TrainingOnGpu : public ::testing::TestWithParam<OptimizerKind> {};

TEST_P(TrainingOnGpu, MatchesTheCpuRun) {
  TERN_REQUIRE_CUDA_DEVICE();
  expect_gpu_training_matches_cpu(GetParam(), DType::f32, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, TrainingOnGpu,
                         ::testing::Values(OptimizerKind::sgd, OptimizerKind::adam, OptimizerKind::adamw));

// A value that the CPU and GPU compute a little differently in f32 can round to neighbouring
// 16-bit values, so the runs drift apart by about the 16-bit precision, not f32's.
TEST(MixedPrecisionTrainingOnGpu, MatchesTheCpuRunWithTheSameRounding) {
  TERN_REQUIRE_CUDA_DEVICE();
  for (const DType gemm_dtype : {DType::bf16, DType::f16}) {
    SCOPED_TRACE(dtype_name(gemm_dtype));
    expect_gpu_training_matches_cpu(OptimizerKind::adam, gemm_dtype, testing::kBf16Tolerance);
  }
}

}  // namespace
}  // namespace tern
