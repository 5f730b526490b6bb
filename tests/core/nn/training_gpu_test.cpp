// A small network trained a few steps on the GPU against the same network trained on the CPU:
// Linear, GELU, dropout, Linear, softmax cross-entropy, clipping and an optimizer, every step
// through the Backend of the tensors' device. The parameters must agree after the steps (float
// rounding differs between cuBLAS and oneDNN, so not bit for bit). Skips without a CUDA device.
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
std::vector<double> train(Sequential& network, const Device& device, OptimizerKind kind, int steps) {
  SoftmaxCrossEntropy loss;
  Optimizer optimizer({.kind = kind, .momentum = 0.9f}, network.parameters());
  std::vector<double> losses;
  for (int step = 0; step < steps; ++step) {
    const std::int64_t rows = 33;
    const Tensor x = Tensor::from_values({rows, 37}, testing::random_floats(rows * 37, 100 + step)).to(device);
    std::vector<float> label_values(rows);
    for (std::int64_t r = 0; r < rows; ++r) label_values[static_cast<std::size_t>(r)] = static_cast<float>((r + step) % 7);
    const Tensor labels = Tensor::from_values({rows}, label_values).to(device);
    Saved saved(ForwardMode{.training = true, .seed = 9, .step = static_cast<std::uint64_t>(step)});
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

class TrainingOnGpu : public ::testing::TestWithParam<OptimizerKind> {};

TEST_P(TrainingOnGpu, MatchesTheCpuRun) {
  TERN_REQUIRE_CUDA_DEVICE();
  auto on_cpu = make_network(), on_gpu = make_network();
  move_parameters_to(on_gpu->parameters(), Device::cuda(0));
  const auto cpu_losses = train(*on_cpu, Device::cpu(), GetParam(), 6);
  const auto gpu_losses = train(*on_gpu, Device::cuda(0), GetParam(), 6);
  for (std::size_t step = 0; step < cpu_losses.size(); ++step)
    EXPECT_NEAR(gpu_losses[step], cpu_losses[step], 1e-4 * std::abs(cpu_losses[step])) << "step " << step;
  const auto cpu_parameters = on_cpu->parameters(), gpu_parameters = on_gpu->parameters();
  for (std::size_t i = 0; i < cpu_parameters.size(); ++i) {
    const Tensor& expected = cpu_parameters[i]->value;
    const Tensor trained = gpu_parameters[i]->value.to(Device::cpu());
    const std::vector<float> a(expected.values().begin(), expected.values().end());
    const std::vector<float> b(trained.values().begin(), trained.values().end());
    EXPECT_LT(testing::relative_error(a, b), 1e-4) << cpu_parameters[i]->name;
  }
}

INSTANTIATE_TEST_SUITE_P(Optimizers, TrainingOnGpu,
                         ::testing::Values(OptimizerKind::sgd, OptimizerKind::adam, OptimizerKind::adamw));

}  // namespace
}  // namespace tern
