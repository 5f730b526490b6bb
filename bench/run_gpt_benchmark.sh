#!/usr/bin/env bash
# GPT training throughput on this machine's cores, Tern against PyTorch in the same run: a
# small GPT (4 layers, d_model 128, 4 heads, sequence 128, byte vocabulary, batch 8) on 1 rank
# x 2 threads for both, then Tern data-parallel on 2 ranks x 1 thread (batch 8 a rank);
# prints tokens/s and the ratios. Installs the peer (python3-torch) and builds Tern if needed.
source "$(dirname "$0")/prepare.sh"

torch_line=$("${peer_env[@]}" OMP_NUM_THREADS=2 /usr/bin/python3 \
  "$root/bench/gpt_pytorch.py" --threads 2 | tee /dev/stderr | tail -1)
tern_line=$(OMP_NUM_THREADS=2 "$build_dir/bench/gpt_throughput" | tee /dev/stderr | tail -1)
data_parallel_line=$(OMP_NUM_THREADS=1 mpirun -np 2 --bind-to core "$build_dir/bench/gpt_throughput" |
  tee /dev/stderr | tail -1)
/usr/bin/python3 - "$tern_line" "$torch_line" "$data_parallel_line" <<'PY'
import json, sys
tern, torch, parallel = (json.loads(a) for a in sys.argv[1:])
print(f"tern / pytorch, 1 rank x 2 threads: {tern['tokens_per_s'] / torch['tokens_per_s']:.2f} "
      f"({tern['tokens_per_s']:.0f} vs {torch['tokens_per_s']:.0f} tokens/s)")
print(f"tern 2 ranks x 1 thread / tern 1 rank x 2 threads: {parallel['tokens_per_s'] / tern['tokens_per_s']:.2f}")
PY
