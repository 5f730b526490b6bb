#!/usr/bin/env bash
# GPT-2-small training throughput on one GPU, Tern against PyTorch eager in the same run: 12
# layers, 768 wide, 12 heads, sequence 1024, vocabulary 50304 (GPT-2's, padded), batch 8, bf16
# mixed precision (Tern: `precision`; PyTorch: torch.autocast), Adam. Prints tokens/s, model
# TFLOP/s, the model FLOPs utilisation against the GPU's dense bf16 peak (989 TFLOP/s for an
# H100 SXM or H200; PEAK_TFLOPS=... for another card) and the ratio Tern / PyTorch.
#   bench/run_gpt_gpu_benchmark.sh [BUILD_DIR [COMMAND PREFIX...]]
# BUILD_DIR is a CUDA build (scripts/gpu-validate.sh makes one); the prefix (say `env
# LD_LIBRARY_PATH=...`, where CUDA's libraries are not on the loader's path) runs Tern's program
# only, so that PyTorch keeps loading its own copies.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-${TERN_BUILD_DIR:-$root/build-gpu}}
prefix=("${@:2}")
peak=${PEAK_TFLOPS:-989}
model=(--layers 12 --heads 12 --width 768 --sequence 1024 --vocab 50304 --batch 8 --steps 10 --warmup 3
       --device cuda --precision bf16)
tern_line=$("${prefix[@]}" "$build_dir/bench/gpt_throughput" "${model[@]}" | tee /dev/stderr | tail -1)
torch_line=$(python3 "$root/bench/gpt_pytorch.py" "${model[@]}" | tee /dev/stderr | tail -1)
python3 - "$tern_line" "$torch_line" "$peak" <<'PY'
import json, sys
tern, torch, peak = json.loads(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3])
print("| | tokens/s | model TFLOP/s | MFU |")
print("|---|---|---|---|")
for name, run in (("Tern", tern), ("PyTorch eager", torch)):
    print(f"| {name} | {run['tokens_per_s']:.0f} | {run['model_tflops']:.1f} | {run['model_tflops'] / peak:.1%} |")
print(f"Tern / PyTorch: {tern['tokens_per_s'] / torch['tokens_per_s']:.2f}")
PY
