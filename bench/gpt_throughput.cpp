// GPT training throughput: a small GPT (defaults: 4 layers, 4 heads, d_model 128, sequence
// 128, vocabulary 256, tied head) trained on random token windows with next-token
// cross-entropy and Adam; one step = forward + loss + backward + update. Prints tokens/s, the
// model's FLOP/s (6 N per token for the N parameters' GEMMs forward and backward, plus
// 12 · layers · sequence · d_model for attention's scores and mixing, PaLM's count) and, as JSON
// on the last line, the figures bench/run_gpt_benchmark.sh and bench/run_gpt_gpu_benchmark.sh
// compare with PyTorch (bench/gpt_pytorch.py, the same model and step).
//
// Under mpirun with N ranks it trains data-parallel: --batch sequences a rank, gradients
// averaged by the GradientSynchronizer; tokens/s counts all ranks. With --device cuda (one
// rank) everything runs on GPU 0; --precision bf16 | f16 rounds the blocks' GEMM inputs
// (mixed precision, f32 master weights; f16 without loss scaling, which a throughput run
// does not need).
//
//   [mpirun -np N] gpt_throughput [--layers 4] [--heads 4] [--width 128] [--sequence 128]
//                                 [--batch 8] [--vocab 256] [--steps 30] [--warmup 5]
//                                 [--device cpu|cuda] [--precision f32|bf16|f16]
// Threads: OMP_NUM_THREADS (the script sets it).
#include <chrono>
#include <cstdio>
#include <string>

#include <omp.h>

#include "core/nn/gpt.h"
#include "core/nn/loss.h"
#include "core/nn/mixed_precision.h"
#include "core/optim/optimizer.h"
#include "core/tensor/device_memory.h"
#include "kernels/common/philox.h"
#include "parallel/gradient_synchronizer.h"
#include "parallel/mpi_environment.h"

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

int run(int argc, char** argv) {
  tern::MpiEnvironment mpi(&argc, &argv);
  const auto world = mpi.world(600.0);
  const int ranks = world->size();
  std::int64_t layers = 4, heads = 4, width = 128, sequence = 128, batch = 8, vocab = 256, steps = 30, warmup = 5;
  tern::Device device = tern::Device::cpu();
  std::string precision = "f32";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--device") device = value == "cuda" ? tern::Device::cuda(0) : tern::Device::cpu();
    else if (flag == "--precision") precision = value;
    else if (flag == "--layers") layers = std::stoll(value);
    else if (flag == "--heads") heads = std::stoll(value);
    else if (flag == "--width") width = std::stoll(value);
    else if (flag == "--sequence") sequence = std::stoll(value);
    else if (flag == "--batch") batch = std::stoll(value);
    else if (flag == "--vocab") vocab = std::stoll(value);
    else if (flag == "--steps") steps = std::stoll(value);
    else if (flag == "--warmup") warmup = std::stoll(value);
    else throw tern::Error("unknown option " + flag);
  }
  TERN_CHECK(device.is_cpu() || ranks == 1, "--device cuda is measured on one rank");
  const tern::DType gemm_dtype = tern::gemm_dtype_from_name(precision);
  tern::Gpt gpt({.vocab_size = vocab, .context = sequence, .n_layer = layers, .n_head = heads, .d_model = width}, 1);
  tern::move_parameters_to(gpt.parameters(), device);
  tern::Optimizer adam({.kind = tern::OptimizerKind::adam}, gpt.parameters());
  tern::SoftmaxCrossEntropy loss;
  std::unique_ptr<tern::GradientSynchronizer> synchronizer;
  if (ranks > 1) synchronizer = std::make_unique<tern::GradientSynchronizer>(*world, gpt.parameters());

  // Random bytes as tokens, different on every rank; the targets are the next ones.
  tern::Tensor ids = tern::Tensor::empty({batch, sequence}, tern::DType::i32), targets = tern::Tensor::empty({batch * sequence});
  for (std::int64_t i = 0; i < batch * sequence; ++i) {
    const auto index = static_cast<std::uint64_t>(i + world->rank() * batch * sequence);
    const auto token = [&](std::uint32_t stream) { return tern::kernels::philox4x32(7, index, stream).word[0] % vocab; };
    ids.data<std::int32_t>()[i] = static_cast<std::int32_t>(token(1));
    targets.data<float>()[i] = static_cast<float>(token(2));
  }
  ids = ids.to(device);
  targets = targets.to(device);
  const auto train_step = [&] {
    tern::Saved saved(
        tern::ForwardMode{.training = true, .gemm_dtype = gemm_dtype, .gradient_listener = synchronizer.get()});
    const tern::Tensor logits = gpt.forward(ids, saved);
    tern::Saved loss_saved;
    loss.forward(logits, targets, loss_saved);
    tern::zero_grads(adam.parameters());
    gpt.backward(loss.backward(loss_saved), saved);
    if (synchronizer) synchronizer->finish_step();
    adam.step(1e-4f);
  };
  for (std::int64_t s = 0; s < warmup; ++s) train_step();
  tern::synchronize(device);
  world->barrier();
  const auto start = Clock::now();
  for (std::int64_t s = 0; s < steps; ++s) train_step();
  tern::synchronize(device);
  world->barrier();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double tokens_per_s = static_cast<double>(steps * batch * sequence * ranks) / seconds;
  std::int64_t parameters = 0;
  for (const tern::Parameter* parameter : gpt.parameters()) parameters += parameter->value.numel();
  const double flops_per_token = 6.0 * static_cast<double>(parameters) + 12.0 * static_cast<double>(layers * sequence * width);
  if (world->rank() == 0) {
    std::printf("tern gpt %lld layers x %lld wide, %lld heads, sequence %lld, vocabulary %lld (%lld parameters), batch "
                "%lld a rank, %s %s, %d rank(s) x %d threads: %.0f tokens/s, %.2f model TFLOP/s\n",
                static_cast<long long>(layers), static_cast<long long>(width), static_cast<long long>(heads),
                static_cast<long long>(sequence), static_cast<long long>(vocab), static_cast<long long>(parameters),
                static_cast<long long>(batch), device.name().c_str(), precision.c_str(), ranks, omp_get_max_threads(),
                tokens_per_s, tokens_per_s * flops_per_token / 1e12);
    std::printf("{\"tokens_per_s\": %.1f, \"model_tflops\": %.3f, \"ranks\": %d, \"threads\": %d, \"precision\": \"%s\"}\n",
                tokens_per_s, tokens_per_s * flops_per_token / 1e12, ranks, omp_get_max_threads(), precision.c_str());
  }
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gpt_throughput: error: %s\n", error.what());
    return 1;
  }
}
