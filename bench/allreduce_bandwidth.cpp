// Allreduce bus bandwidth, as nccl-tests reports it: busbw = algbw · 2(n-1)/n with
// algbw = bytes / time, for float32 buffers from 4 KiB to 256 MiB, through
//   tern  the GradientSynchronizer (one bucket of that size, averaged on its thread)
//   mpi   a plain MPI_Allreduce (sum) on the same buffer
// in the same run, on pre-faulted buffers reused across iterations. Run under mpirun:
//   mpirun -np 2 build/bench/allreduce_bandwidth
// Rank 0 prints one line a size and a JSON line at the end.
#include <mpi.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "core/nn/module.h"
#include "parallel/gradient_synchronizer.h"
#include "parallel/mpi_environment.h"

namespace {

using Clock = std::chrono::steady_clock;

// Iterations so that each repeat moves about 1 GiB, at least 3 and at most 1000.
int iterations_for(std::size_t bytes) {
  const std::size_t target = std::size_t{1} << 30;
  return static_cast<int>(std::max<std::size_t>(3, std::min<std::size_t>(1000, target / bytes)));
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  tern::MpiEnvironment mpi(&argc, &argv);
  auto world = mpi.world(600.0);
  const int ranks = world->size();
  const double bus_factor = ranks > 1 ? 2.0 * (ranks - 1) / ranks : 1.0;
  if (world->rank() == 0)
    std::printf("%12s %14s %14s %8s   (%d ranks, busbw GB/s)\n", "bytes", "tern busbw", "mpi busbw", "ratio", ranks);
  std::string json = "[";
  for (std::size_t bytes = 4096; bytes <= (std::size_t{256} << 20); bytes *= 4) {
    const auto count = static_cast<std::int64_t>(bytes / sizeof(float));
    tern::Parameter parameter("bucket", {count});
    parameter.grad.fill(1.0f);  // pre-faults the pages
    std::vector<float> plain(static_cast<std::size_t>(count), 1.0f);
    tern::GradientSynchronizer synchronizer(*world, {&parameter}, bytes);
    const int iterations = iterations_for(bytes);
    // Each repeat times `iterations` operations of each, alternating, so that both see the same
    // machine (these VMs drift by 2x within a minute); the median of 7 repeats is reported.
    std::vector<double> tern_s, mpi_s;
    synchronizer.finish_step();  // warm-up
    MPI_Allreduce(MPI_IN_PLACE, plain.data(), static_cast<int>(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    for (int repeat = 0; repeat < 7; ++repeat) {
      world->barrier();
      auto start = Clock::now();
      for (int i = 0; i < iterations; ++i) synchronizer.finish_step();
      tern_s.push_back(std::chrono::duration<double>(Clock::now() - start).count() / iterations);
      world->barrier();
      start = Clock::now();
      for (int i = 0; i < iterations; ++i)
        MPI_Allreduce(MPI_IN_PLACE, plain.data(), static_cast<int>(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
      mpi_s.push_back(std::chrono::duration<double>(Clock::now() - start).count() / iterations);
    }
    const double tern_busbw = static_cast<double>(bytes) / median_of(tern_s) * bus_factor / 1e9;
    const double mpi_busbw = static_cast<double>(bytes) / median_of(mpi_s) * bus_factor / 1e9;
    if (world->rank() == 0) {
      std::printf("%12zu %14.2f %14.2f %8.2f\n", bytes, tern_busbw, mpi_busbw, tern_busbw / mpi_busbw);
      json += std::string(json.size() > 1 ? ", " : "") + "{\"bytes\": " + std::to_string(bytes) +
              ", \"tern_busbw\": " + std::to_string(tern_busbw) + ", \"mpi_busbw\": " + std::to_string(mpi_busbw) + "}";
    }
  }
  if (world->rank() == 0) std::printf("%s]\n", json.c_str());
  return 0;
}
