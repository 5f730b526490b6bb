#!/usr/bin/env bash
# Everything that needs a GPU, in one go, for a machine with an NVIDIA GPU, the CUDA toolkit
# (nvcc, cuBLAS, NCCL) and Tern's other dependencies (scripts/install-deps.sh installs them
# where apt can reach Debian's packages):
#   1. builds Tern with CUDA into build-gpu/ (TERN_BUILD_DIR overrides),
#   2. runs every `gpu` test (kernels against the CPU, device tensors, training, NCCL),
#   3. runs the GPU benchmarks: the MLP training step on the GPU against PyTorch on the same GPU
#      and shapes, in f32, bf16 and f16, and the GEMM rate inside the step against a large
#      cuBLAS GEMM of the same precision,
# and prints a short table last. Logs go to $OUT when set (the lent-GPU workflow), else build-gpu/.
# Usage: scripts/gpu-validate.sh [--batch N]...   (extra flags go to both MLP benchmarks)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${TERN_BUILD_DIR:-$root/build-gpu}
logs=${OUT:-$build_dir}
mkdir -p "$build_dir" "$logs"

nvidia-smi -L || { echo "gpu-validate: no NVIDIA GPU visible (nvidia-smi failed)" >&2; exit 1; }
if command -v apt-get >/dev/null && [[ -z "${TERN_SKIP_INSTALL:-}" ]]; then "$root/scripts/install-deps.sh"; fi
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DTERN_CUDA=ON -DTERN_BUILD_BENCH=ON \
  >"$logs/configure.log" 2>&1 || { tail -30 "$logs/configure.log"; exit 1; }
cmake --build "$build_dir" -j "$(getconf _NPROCESSORS_ONLN)" >"$logs/build.log" 2>&1 || { tail -40 "$logs/build.log"; exit 1; }

ctest --test-dir "$build_dir" -L gpu --output-on-failure >"$logs/gpu-tests.log" 2>&1
tests_status=$?
gpu_tests=$(grep -E 'tests passed|tests failed' "$logs/gpu-tests.log" | tail -1)
skipped=$(grep -c '(Skipped)' "$logs/gpu-tests.log")

# Each precision at a launch-bound batch (256) and a GEMM-bound one (8192): Tern, then PyTorch.
results=()
for precision in f32 bf16 f16; do
  for batch in 256 8192; do
    results+=("$("$build_dir/bench/mlp_throughput" --device cuda --precision $precision --batch $batch "$@" \
                 2>>"$logs/bench.log" | tee -a "$logs/bench.log" | tail -1)")
    results+=("$(python3 "$root/bench/mlp_pytorch.py" --device cuda --precision $precision --batch $batch "$@" \
                 2>>"$logs/bench.log" | tee -a "$logs/bench.log" | tail -1)")
  done
done

echo "== gpu-validate on $(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
echo "gpu tests: $gpu_tests ($skipped skipped; log: $logs/gpu-tests.log)"
python3 - "${results[@]}" <<'PY'
import json, sys
print("| precision | batch | Tern samples/s | PyTorch samples/s | Tern / PyTorch | Tern step GEMM / cuBLAS 4096^3 peak, TFLOP/s |")
print("|---|---|---|---|---|---|")
lines = sys.argv[1:]
for tern_line, torch_line in zip(lines[0::2], lines[1::2]):
    try:
        tern, torch = json.loads(tern_line), json.loads(torch_line)
    except ValueError:
        print("| (no result: see bench.log) | | | | | |")
        continue
    print(f"| {tern['precision']} | {tern['batch']} | {tern['samples_per_s']:.0f} | {torch['samples_per_s']:.0f} | "
          f"{tern['samples_per_s'] / torch['samples_per_s']:.2f} | "
          f"{tern['step_gflops'] / 1e3:.1f} / {tern['peak_gflops'] / 1e3:.1f} |")
PY
exit $tests_status
