#!/usr/bin/env bash
# Data parallelism on this machine's cores, all in one run:
#   (1) allreduce bus bandwidth, 4 KiB .. 256 MiB: the GradientSynchronizer vs MPI_Allreduce
#   (2) MLP 784-512-512-10 training, batch 256 a rank: Tern 2 ranks x 1 thread, Tern 1 rank x
#       2 threads (the same cores), PyTorch DDP (gloo) 2 ranks x 1 thread
#   (3) overlap: the share of the averaging hidden behind backward (from the 2-rank run)
# Installs the peer (python3-torch, libopenblas0-openmp) and builds Tern if needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${TERN_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh" --bench
TERN_BUILD_DIR=$build_dir "$root/scripts/build.sh" >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== (1) allreduce bus bandwidth, 2 ranks"
mpirun -np 2 --bind-to core "$build_dir/bench/allreduce_bandwidth" | tee /dev/stderr >/dev/null

echo "== (2) MLP training throughput"
two_ranks=$(OMP_NUM_THREADS=1 mpirun -np 2 --bind-to core "$build_dir/bench/mlp_throughput" | tee /dev/stderr | tail -1)
one_rank=$(OMP_NUM_THREADS=2 "$build_dir/bench/mlp_throughput" | tee /dev/stderr | tail -1)
ddp=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$root/bench/mlp_pytorch_ddp.py" --ranks 2 \
  --threads 1 | tee /dev/stderr | tail -1)

/usr/bin/python3 - "$two_ranks" "$one_rank" "$ddp" <<'PY'
import json, sys
two, one, ddp = (json.loads(a) for a in sys.argv[1:])
print(f"tern 2x1 / pytorch DDP 2x1 = {two['samples_per_s'] / ddp['samples_per_s']:.2f} "
      f"({two['samples_per_s']:.0f} vs {ddp['samples_per_s']:.0f} samples/s)")
print(f"tern 2x1 / tern 1x2 = {two['samples_per_s'] / one['samples_per_s']:.2f} "
      f"({two['samples_per_s']:.0f} vs {one['samples_per_s']:.0f} samples/s)")
print(f"== (3) overlap: {100 * two['hidden']:.0f}% of the gradient averaging hidden behind backward "
      f"(step {two['step_ms']:.2f} ms, compute alone {two['compute_ms']:.2f} ms, averaging alone {two['communicate_ms']:.2f} ms)")
PY
