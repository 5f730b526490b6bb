// MLP training throughput on the CPU: 784-512-512-10 (ReLU), softmax cross-entropy, plain SGD,
// float32, one training step = forward + loss + backward + update. Prints samples/s, the GEMM
// rate reached inside the step, and the machine's GEMM peak measured by one large sgemm, as
// JSON on the last line (bench/run_mlp_benchmark.sh compares it with PyTorch).
//
// Under mpirun with N ranks it trains data-parallel (--batch rows per rank, gradients averaged
// by the GradientSynchronizer) and also measures the overlap: the step time with averaging
// against compute alone (no averaging) and communication alone (averaging without compute);
// hidden = (compute + communication - step) / communication.
//
// With --device cuda (one rank) the same step runs on GPU 0: parameters, batch and every
// operation on the device, and the GEMM peak is one cuBLAS 4096³ GEMM there. With --precision
// bf16 or f16 the layers' GEMMs read 16-bit inputs (mixed precision, f32 master weights; f16
// with dynamic loss scaling) and the peak is a 16-bit GEMM of the same size.
//
//   [mpirun -np N] mlp_throughput [--batch 256] [--steps 200] [--warmup 20] [--device cpu|cuda]
//                                 [--precision f32|bf16|f16]
// Threads: OMP_NUM_THREADS (the scripts set it).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

#include <omp.h>

#include "core/nn/activation.h"
#include "core/nn/linear.h"
#include "core/nn/loss.h"
#include "core/nn/mixed_precision.h"
#include "core/nn/sequential.h"
#include "core/optim/loss_scaler.h"
#include "core/optim/optimizer.h"
#include "core/random/random.h"
#include "core/tensor/device_memory.h"
#include "parallel/gradient_synchronizer.h"
#include "parallel/mpi_environment.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// GFLOP/s of C = A·B for n×n×n on `device` with A and B in `dtype` (random inputs), best of
// `repeats` after one warm-up.
double square_gemm_rate(std::int64_t n, int repeats, const tern::Device& device, tern::DType dtype) {
  tern::Tensor a = tern::Tensor::empty({n, n}), b = tern::Tensor::empty({n, n});
  tern::fill_uniform(a, -1.0f, 1.0f, 3, 1);
  tern::fill_uniform(b, -1.0f, 1.0f, 3, 2);
  a = tern::gemm_input(a.to(device), dtype);
  b = tern::gemm_input(b.to(device), dtype);
  tern::Tensor c = tern::Tensor::zeros({n, n}, tern::DType::f32, device);
  double best_s = 1e30;
  for (int r = 0; r <= repeats; ++r) {
    tern::synchronize(device);
    const auto start = Clock::now();
    tern::gemm(tern::Transpose::no, tern::Transpose::no, 1.0f, a, b, 0.0f, c);
    tern::synchronize(device);
    if (r > 0) best_s = std::min(best_s, seconds_since(start));
  }
  return 2.0 * static_cast<double>(n * n * n) / best_s / 1e9;
}

}  // namespace

int run(int argc, char** argv) {
  tern::MpiEnvironment mpi(&argc, &argv);
  const auto world = mpi.world(600.0);
  const int ranks = world->size();
  std::int64_t batch = 256, steps = 200, warmup = 20;
  tern::Device device = tern::Device::cpu();
  std::string precision = "f32";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--batch") batch = std::stoll(value);
    else if (flag == "--steps") steps = std::stoll(value);
    else if (flag == "--warmup") warmup = std::stoll(value);
    else if (flag == "--device" && value == "cuda") device = tern::Device::cuda(0);
    else if (flag == "--precision") precision = value;
    else if (flag != "--device" || value != "cpu") throw tern::Error("unknown option " + flag + " " + value);
  }
  TERN_CHECK(device.is_cpu() || ranks == 1, "--device cuda is measured on one rank");
  const tern::DType gemm_dtype = tern::gemm_dtype_from_name(precision);
  const std::int64_t sizes[] = {784, 512, 512, 10};

  tern::Sequential network;
  for (int layer = 0; layer < 3; ++layer) {
    network.append(std::make_unique<tern::Linear>(sizes[layer], sizes[layer + 1], "fc" + std::to_string(layer), 1));
    if (layer < 2) network.append(std::make_unique<tern::ActivationLayer>(tern::Activation::relu));
  }
  tern::move_parameters_to(network.parameters(), device);
  tern::SoftmaxCrossEntropy loss;
  tern::Optimizer sgd({.kind = tern::OptimizerKind::sgd}, network.parameters());
  std::optional<tern::DynamicLossScaler> loss_scaler;
  if (gemm_dtype == tern::DType::f16) loss_scaler.emplace(tern::LossScalingConfig{});

  tern::Tensor x = tern::Tensor::empty({batch, sizes[0]});
  tern::fill_uniform(x, -1.0f, 1.0f, 7, 1);
  tern::Tensor labels = tern::Tensor::empty({batch});
  for (std::int64_t r = 0; r < batch; ++r) labels.data<float>()[r] = static_cast<float>(r % 10);
  x = x.to(device);
  labels = labels.to(device);

  std::unique_ptr<tern::GradientSynchronizer> synchronizer;
  if (ranks > 1) synchronizer = std::make_unique<tern::GradientSynchronizer>(*world, network.parameters());
  const auto train_step = [&](bool average) {
    tern::Saved saved(tern::ForwardMode{.training = true,
                                        .gemm_dtype = gemm_dtype,
                                        .gradient_listener = average ? synchronizer.get() : nullptr});
    saved.input_gradient = false;  // x is data
    const tern::Tensor logits = network.forward(x, saved);
    tern::Saved loss_saved;
    loss.forward(logits, labels, loss_saved);
    tern::zero_grads(sgd.parameters());
    tern::Tensor loss_gradient = loss.backward(loss_saved);
    if (loss_scaler) loss_scaler->scale_loss_gradient(loss_gradient);
    network.backward(loss_gradient, saved);
    if (average) synchronizer->finish_step();
    if (!loss_scaler || loss_scaler->unscale_gradients(sgd.parameters())) sgd.step(0.01f);
  };
  // Seconds per step of `body`, timed over `steps` steps after `warmup` untimed ones.
  const auto seconds_per_step = [&](const std::function<void()>& body) {
    for (std::int64_t s = 0; s < warmup; ++s) body();
    world->barrier();
    const auto start = Clock::now();
    for (std::int64_t s = 0; s < steps; ++s) body();
    tern::synchronize(device);
    world->barrier();
    return seconds_since(start) / static_cast<double>(steps);
  };
  const double step_s = seconds_per_step([&] { train_step(ranks > 1); });
  const double elapsed_s = step_s * static_cast<double>(steps);
  const double samples_per_s = static_cast<double>(batch * ranks) / step_s;

  // GEMM work per step: forward x·Wᵀ, backward dW = dyᵀ·x and dx = dy·W (none for the first layer's dx).
  double gemm_flop_per_step = 0.0;
  for (int layer = 0; layer < 3; ++layer) {
    const double mnk = static_cast<double>(batch * sizes[layer] * sizes[layer + 1]);
    gemm_flop_per_step += 2.0 * mnk * (layer == 0 ? 2.0 : 3.0);
  }
  const double achieved_gflops = gemm_flop_per_step * static_cast<double>(steps) / elapsed_s / 1e9;
  if (ranks > 1) {
    // Overlap: compute alone, and averaging alone (every gradient reported at once).
    const double compute_s = seconds_per_step([&] { train_step(false); });
    const double communicate_s = seconds_per_step([&] { synchronizer->finish_step(); });
    const double hidden = (compute_s + communicate_s - step_s) / communicate_s;
    if (world->rank() == 0) {
      std::printf("tern data-parallel mlp 784-512-512-10, %d ranks x %d threads, batch %lld a rank: %.0f samples/s\n",
                  ranks, omp_get_max_threads(), static_cast<long long>(batch), samples_per_s);
      std::printf("step %.2f ms, compute alone %.2f ms: %.2f ms of averaging exposed (averaging alone, buffers hot "
                  "in cache: %.2f ms); %.0f%% of the averaging hidden\n",
                  1e3 * step_s, 1e3 * compute_s, 1e3 * (step_s - compute_s), 1e3 * communicate_s, 100.0 * hidden);
      std::printf("{\"samples_per_s\": %.1f, \"ranks\": %d, \"threads\": %d, \"step_ms\": %.3f, \"compute_ms\": %.3f, "
                  "\"communicate_ms\": %.3f, \"hidden\": %.3f}\n",
                  samples_per_s, ranks, omp_get_max_threads(), 1e3 * step_s, 1e3 * compute_s, 1e3 * communicate_s,
                  hidden);
    }
    return 0;
  }
  const std::int64_t peak_size = device.is_cpu() ? 2048 : 4096;
  const double peak_gflops = square_gemm_rate(peak_size, 5, device, gemm_dtype);
  std::printf("tern mlp 784-512-512-10 batch %lld on %s, %s GEMMs, %d threads: %.0f samples/s\n",
              static_cast<long long>(batch), device.name().c_str(), precision.c_str(), omp_get_max_threads(),
              samples_per_s);
  std::printf("GEMM rate in the training step: %.1f GFLOP/s = %.0f%% of the %lld^3 %s GEMM peak (%.1f GFLOP/s)\n",
              achieved_gflops, 100.0 * achieved_gflops / peak_gflops, static_cast<long long>(peak_size),
              precision.c_str(), peak_gflops);
  std::printf("{\"samples_per_s\": %.1f, \"step_gflops\": %.2f, \"peak_gflops\": %.2f, \"threads\": %d, "
              "\"device\": \"%s\", \"precision\": \"%s\", \"batch\": %lld}\n",
              samples_per_s, achieved_gflops, peak_gflops, omp_get_max_threads(), device.name().c_str(),
              precision.c_str(), static_cast<long long>(batch));
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "mlp_throughput: error: %s\n", error.what());
    return 1;
  }
}
