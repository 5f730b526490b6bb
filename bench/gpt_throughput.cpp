// GPT training throughput: a small GPT (defaults: 4 layers, 4 heads, d_model 128, sequence
// 128, vocabulary 256, tied head) trained on random token windows with next-token
// cross-entropy and Adam; one step = forward + loss + backward + update. Prints tokens/s and,
// as JSON on the last line, the figures bench/run_gpt_benchmark.sh compares with PyTorch
// (bench/gpt_pytorch.py, the same model and step).
//
// Under mpirun with N ranks it trains data-parallel: --batch sequences a rank, gradients
// averaged by the GradientSynchronizer; tokens/s counts all ranks.
//
//   [mpirun -np N] gpt_throughput [--layers 4] [--heads 4] [--width 128] [--sequence 128]
//                                 [--batch 8] [--steps 30] [--warmup 5]
// Threads: OMP_NUM_THREADS (the script sets it).
#include <chrono>
#include <cstdio>
#include <string>

#include <omp.h>

#include "core/nn/gpt.h"
#include "core/nn/loss.h"
#include "core/optim/optimizer.h"
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
  std::int64_t layers = 4, heads = 4, width = 128, sequence = 128, batch = 8, steps = 30, warmup = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::int64_t value = std::stoll(argv[i + 1]);
    if (flag == "--layers") layers = value;
    else if (flag == "--heads") heads = value;
    else if (flag == "--width") width = value;
    else if (flag == "--sequence") sequence = value;
    else if (flag == "--batch") batch = value;
    else if (flag == "--steps") steps = value;
    else if (flag == "--warmup") warmup = value;
    else throw tern::Error("unknown option " + flag);
  }
  tern::Gpt gpt({.vocab_size = 256, .context = sequence, .n_layer = layers, .n_head = heads, .d_model = width}, 1);
  tern::Optimizer adam({.kind = tern::OptimizerKind::adam}, gpt.parameters());
  tern::SoftmaxCrossEntropy loss;
  std::unique_ptr<tern::GradientSynchronizer> synchronizer;
  if (ranks > 1) synchronizer = std::make_unique<tern::GradientSynchronizer>(*world, gpt.parameters());

  // Random bytes as tokens, different on every rank; the targets are the next ones.
  tern::Tensor ids = tern::Tensor::empty({batch, sequence}, tern::DType::i32), targets = tern::Tensor::empty({batch * sequence});
  for (std::int64_t i = 0; i < batch * sequence; ++i) {
    const auto index = static_cast<std::uint64_t>(i + world->rank() * batch * sequence);
    ids.data<std::int32_t>()[i] = static_cast<std::int32_t>(tern::kernels::philox4x32(7, index, 1).word[0] % 256);
    targets.data<float>()[i] = static_cast<float>(tern::kernels::philox4x32(7, index, 2).word[0] % 256);
  }
  const auto train_step = [&] {
    tern::Saved saved(tern::ForwardMode{.training = true, .gradient_listener = synchronizer.get()});
    const tern::Tensor logits = gpt.forward(ids, saved);
    tern::Saved loss_saved;
    loss.forward(logits, targets, loss_saved);
    tern::zero_grads(adam.parameters());
    gpt.backward(loss.backward(loss_saved), saved);
    if (synchronizer) synchronizer->finish_step();
    adam.step(1e-4f);
  };
  for (std::int64_t s = 0; s < warmup; ++s) train_step();
  world->barrier();
  const auto start = Clock::now();
  for (std::int64_t s = 0; s < steps; ++s) train_step();
  world->barrier();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double tokens_per_s = static_cast<double>(steps * batch * sequence * ranks) / seconds;
  std::int64_t parameters = 0;
  for (const tern::Parameter* parameter : gpt.parameters()) parameters += parameter->value.numel();
  if (world->rank() == 0) {
    std::printf("tern gpt %lld layers x %lld wide, %lld heads, sequence %lld (%lld parameters), batch %lld a rank, "
                "%d rank(s) x %d threads: %.0f tokens/s\n",
                static_cast<long long>(layers), static_cast<long long>(width), static_cast<long long>(heads),
                static_cast<long long>(sequence), static_cast<long long>(parameters), static_cast<long long>(batch), ranks,
                omp_get_max_threads(), tokens_per_s);
    std::printf("{\"tokens_per_s\": %.1f, \"ranks\": %d, \"threads\": %d}\n", tokens_per_s, ranks, omp_get_max_threads());
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
