#!/usr/bin/env bash
# Everything that needs a GPU, in one go, on a machine with an NVIDIA GPU:
#   1. gets a CUDA build of Tern: the one packed by scripts/gpu-bundle.sh when .gpu-bundle/
#      is there (for GPU machines with CUDA and PyTorch but none of Tern's other dependencies),
#      else builds one into build-gpu/ (TERN_BUILD_DIR overrides; needs the CUDA toolkit and
#      Tern's dependencies, which scripts/install-deps.sh installs where apt reaches Debian),
#   2. runs every `gpu` test (kernels against the CPU, device tensors, training, mixed
#      precision on Fashion-MNIST, NCCL),
#   3. runs the GPU benchmarks: the MLP training step on the GPU against PyTorch on the same GPU
#      and shapes, in f32, bf16 and f16, and the GEMM rate inside the step against a large
#      cuBLAS GEMM of the same precision,
#   4. runs the GPT-2-small bf16 benchmark (bench/run_gpt_gpu_benchmark.sh): tokens/s and
#      model FLOPs utilisation, Tern against PyTorch eager on the same GPU,
# and prints a short table last. Logs go to $OUT when set (the lent-GPU workflow), else the
# build folder.
# Usage: scripts/gpu-validate.sh [--steps N]...   (extra flags go to both MLP benchmarks)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=$root/.gpu-bundle
nvidia-smi -L || { echo "gpu-validate: no NVIDIA GPU visible (nvidia-smi failed)" >&2; exit 1; }

# The folders of CUDA's and NCCL's libraries on this machine (the toolkit's, or PyTorch's pip
# packages'), for the bundled programs, which carry no path to them.
cuda_library_path() {
  local name found dirs=()
  for name in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnccl.so.2; do
    found=$(ldconfig -p | awk -v name="$name" '$1 == name { print $NF; exit }')
    [[ -n $found ]] || found=$(find /usr/local /opt /usr/lib -name "$name" 2>/dev/null | head -1)
    if [[ -n $found ]]; then dirs+=("$(dirname "$found")"); else echo "gpu-validate: no $name here" >&2; fi
  done
  printf '%s\n' "${dirs[@]}" | awk '!seen[$0]++' | paste -sd:
}

tern_environment=()
if [[ -f $bundle/tern-gpu.tar.xz ]]; then
  if command -v xz >/dev/null; then
    tar -C / -xJf "$bundle/tern-gpu.tar.xz" || exit 1
  else
    python3 -m tarfile -e "$bundle/tern-gpu.tar.xz" / || exit 1
  fi
  build_dir=/opt/tern-gpu/build
  logs=${OUT:-$build_dir}
  mkdir -p "$logs" "$build_dir/data/fashion-mnist"
  # shellcheck source=/dev/null
  . /opt/tern-gpu/bin/environment.sh
  # Only Tern's programs get CUDA's folders: PyTorch keeps loading its own copies.
  tern_environment=(env "LD_LIBRARY_PATH=$(cuda_library_path)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  for split in train:train test:t10k; do
    "${tern_environment[@]}" "$build_dir/launcher/tern" data convert \
      --images "$bundle/fashion-mnist/${split##*:}-images-idx3-ubyte.gz" \
      --labels "$bundle/fashion-mnist/${split##*:}-labels-idx1-ubyte.gz" \
      --output "$build_dir/data/fashion-mnist/${split%%:*}.h5" >>"$logs/data.log" 2>&1 || { tail -20 "$logs/data.log"; exit 1; }
  done
  mkdir -p "$build_dir/data/austen"
  "${tern_environment[@]}" "$build_dir/launcher/tern" data tokenize --input "$bundle/austen/austen.txt" \
    --output "$build_dir/data/austen/train.h5=0.9" --output "$build_dir/data/austen/validation.h5=0.1" \
    >>"$logs/data.log" 2>&1 || { tail -20 "$logs/data.log"; exit 1; }
else
  build_dir=${TERN_BUILD_DIR:-$root/build-gpu}
  logs=${OUT:-$build_dir}
  mkdir -p "$build_dir" "$logs"
  if command -v apt-get >/dev/null && [[ -z "${TERN_SKIP_INSTALL:-}" ]]; then "$root/scripts/install-deps.sh"; fi
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DTERN_CUDA=ON -DTERN_BUILD_BENCH=ON \
    >"$logs/configure.log" 2>&1 || { tail -30 "$logs/configure.log"; exit 1; }
  cmake --build "$build_dir" -j "$(getconf _NPROCESSORS_ONLN)" >"$logs/build.log" 2>&1 || { tail -40 "$logs/build.log"; exit 1; }
  "$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >"$logs/data.log" 2>&1
fi

"${tern_environment[@]}" ctest --test-dir "$build_dir" -L gpu --output-on-failure >"$logs/gpu-tests.log" 2>&1
tests_status=$?
gpu_tests=$(grep -E 'tests passed|tests failed' "$logs/gpu-tests.log" | tail -1)
skipped=$(grep -c '(Skipped)' "$logs/gpu-tests.log")

# Each precision at a launch-bound batch (256) and a GEMM-bound one (8192): Tern, then PyTorch.
results=()
for precision in f32 bf16 f16; do
  for batch in 256 8192; do
    results+=("$("${tern_environment[@]}" "$build_dir/bench/mlp_throughput" --device cuda --precision $precision --batch $batch "$@" \
                 2>>"$logs/bench.log" | tee -a "$logs/bench.log" | tail -1)")
    results+=("$(python3 "$root/bench/mlp_pytorch.py" --device cuda --precision $precision --batch $batch "$@" \
                 2>>"$logs/bench.log" | tee -a "$logs/bench.log" | tail -1)")
  done
done

# The main job on Fashion-MNIST, 3 epochs: `tern train --device cuda` against the same model,
# data and schedule in PyTorch (bench/fashion_mnist_pytorch.py), per precision.
data=$build_dir/data/fashion-mnist
job_results=()
for precision in f32 bf16 f16; do
  job=$build_dir/bench-fashion-mnist-$precision
  rm -rf "$job"
  "${tern_environment[@]}" "$build_dir/launcher/tern" train --algorithm mlp --quiet --device cuda \
    --train "$data/train.h5" --test "$data/test.h5" --output-dir "$job" \
    --hyperparameters "$root/cluster-configs/fashion-mnist-mlp.json" --hp epochs=3 --hp precision=$precision \
    >>"$logs/bench.log" 2>&1
  job_results+=("$(python3 "$root/bench/fashion_mnist_pytorch.py" --train "$data/train.h5" --test "$data/test.h5" \
                   --device cuda --precision $precision --epochs 3 --tern-job "$job" 2>>"$logs/bench.log" |
                   tee -a "$logs/bench.log" | tail -1)")
done

# GPT-2-small in bf16: Tern against PyTorch eager (prints its own table).
gpt_table=$("$root/bench/run_gpt_gpu_benchmark.sh" "$build_dir" "${tern_environment[@]}" 2>>"$logs/bench.log" ||
            echo "(GPT benchmark failed: see bench.log)")

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
python3 - "${job_results[@]}" <<'PY'
import json, sys
print("\n| main job (Fashion-MNIST, 3 epochs) | Tern samples/s | PyTorch samples/s | Tern / PyTorch | test accuracy Tern / PyTorch |")
print("|---|---|---|---|---|")
for line in sys.argv[1:]:
    try:
        r = json.loads(line)
        print(f"| {r['precision']} | {r['tern_samples_per_s']:.0f} | {r['pytorch_samples_per_s']:.0f} | {r['ratio']:.2f} | "
              f"{r['tern_test_accuracy']:.4f} / {r['pytorch_test_accuracy']:.4f} |")
    except (ValueError, KeyError):
        print("| (no result: see bench.log) | | | | |")
PY
echo
echo "GPT-2-small (12 x 768, sequence 1024), bf16, batch 8:"
echo "$gpt_table"
exit $tests_status
