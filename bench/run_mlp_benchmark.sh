#!/usr/bin/env bash
# MLP training throughput, Tern vs PyTorch, same shapes, same machine, same run:
# 784-512-512-10, batch 256, float32, SGD, 2 threads. Prints both rates and the ratio.
# Installs the peer (python3-torch, libopenblas0-openmp) and builds Tern if needed.
source "$(dirname "$0")/prepare.sh"
threads=${THREADS:-2}

# PyTorch: Debian's python3; on the CPU's best OpenBLAS kernels (peer_env, prepare.sh).
torch_line=$("${peer_env[@]}" OMP_NUM_THREADS=$threads \
  /usr/bin/python3 "$root/bench/mlp_pytorch.py" --threads "$threads" | tee /dev/stderr | tail -1)
tern_line=$(OMP_NUM_THREADS=$threads OMP_PROC_BIND=close "$build_dir/bench/mlp_throughput" | tee /dev/stderr | tail -1)

/usr/bin/python3 - "$tern_line" "$torch_line" <<'PY'
import json, sys
tern, torch = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ratio tern/pytorch = {tern['samples_per_s'] / torch['samples_per_s']:.2f} "
      f"({tern['samples_per_s']:.0f} vs {torch['samples_per_s']:.0f} samples/s, {tern['threads']} threads)")
PY
