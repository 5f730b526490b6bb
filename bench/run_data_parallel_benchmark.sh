#!/usr/bin/env bash
# Data parallelism on this machine's cores, all in one run:
#   (1) allreduce bus bandwidth, 4 KiB .. 256 MiB: the GradientSynchronizer vs MPI_Allreduce
#   (2) MLP 784-512-512-10 training: Tern 2 ranks x 1 thread (batch 256 a rank), Tern 1 rank x
#       2 threads on the same cores and the same global batch (512), PyTorch DDP (gloo) 2 ranks
#       x 1 thread (batch 256 a rank); ROUNDS rounds (default 3), interleaved, medians compared
#   (3) overlap: the share of the averaging hidden behind backward (from the 2-rank runs)
# Installs the peer (python3-torch, libopenblas0-openmp) and builds Tern if needed.
source "$(dirname "$0")/prepare.sh"

echo "== (1) allreduce bus bandwidth, 2 ranks"
mpirun -np 2 --bind-to core "$build_dir/bench/allreduce_bandwidth" | tee /dev/stderr >/dev/null

echo "== (2) MLP training throughput, ${ROUNDS:=3} rounds of the three runs, interleaved (these VMs drift)"
results=()
for round in $(seq "$ROUNDS"); do
  results+=("$(OMP_NUM_THREADS=1 mpirun -np 2 --bind-to core "$build_dir/bench/mlp_throughput" | tee /dev/stderr | tail -1)")
  results+=("$(OMP_NUM_THREADS=2 "$build_dir/bench/mlp_throughput" --batch 512 | tee /dev/stderr | tail -1)")
  results+=("$("${peer_env[@]}" /usr/bin/python3 "$root/bench/mlp_pytorch_ddp.py" --ranks 2 \
    --threads 1 | tee /dev/stderr | tail -1)")
done

/usr/bin/python3 - "${results[@]}" <<'PY'
import json, statistics, sys
runs = [json.loads(a) for a in sys.argv[1:]]
two, one, ddp = runs[0::3], runs[1::3], runs[2::3]
rate = lambda rs: statistics.median(r["samples_per_s"] for r in rs)
for name, (a, b) in {"pytorch DDP 2x1": (two, ddp), "tern 1x2": (two, one)}.items():
    per_round = ", ".join(f"{x['samples_per_s'] / y['samples_per_s']:.2f}" for x, y in zip(a, b))
    print(f"tern 2x1 / {name} = {rate(a) / rate(b):.2f} (medians {rate(a):.0f} vs {rate(b):.0f} samples/s; "
          f"per round {per_round})")
step, compute = statistics.median(r["step_ms"] for r in two), statistics.median(r["compute_ms"] for r in two)
alone = statistics.median(r["communicate_ms"] for r in two)
print(f"== (3) overlap: step {step:.2f} ms against compute alone {compute:.2f} ms: {step - compute:.2f} ms of "
      f"averaging exposed, against {alone:.2f} ms for the averaging alone (buffers hot in cache); "
      f"hidden share {100 * (compute + alone - step) / alone:.0f}% (medians)")
PY
