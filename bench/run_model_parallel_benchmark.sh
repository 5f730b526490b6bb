#!/usr/bin/env bash
# Model-parallel GPT throughput on this machine's CPU cores: `tern train --algorithm gpt` on
# Austen (a small GPT: 4 layers, d_model 128, 4 heads, sequence 128, global batch 16 in 8
# micro-batches a step), one thread a rank, at 1 rank and at every 4-rank layout of dp x pp x tp
# (and dp=4 with ZeRO-1). Prints tokens/s (the train:tokens_per_s of metrics.jsonl) and, for the
# pipelines, each stage's measured bubble (its idle share of the pipeline's time, from the rank
# logs) against the theory (pp - 1) / (m + pp - 1); then pp = 2 on 2 ranks (one core each) with
# m = 1, 2, 4, 8 micro-batches. On a machine with fewer cores than ranks the 4-rank layouts
# share cores, so their tokens/s compare layouts, not scaling.
source "$(dirname "$0")/prepare.sh"
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >/dev/null
data=$build_dir/data/austen
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

model="--hp n_layer=4 --hp n_head=4 --hp d_model=128 --hp seq_len=128 --hp mini_batch_size=16 --hp max_steps=${STEPS:-12}"
train() {  # name ranks micro-batches hyperparameters...
  local name=$1 ranks=$2 micro_batches=$3
  shift 3
  OMP_NUM_THREADS=1 mpirun -np "$ranks" --oversubscribe --bind-to none "$build_dir/launcher/tern" train \
    --algorithm gpt --quiet --train "$data/train.h5" --output-dir "$scratch/$name" $model \
    --hp num_microbatches="$micro_batches" "$@" >/dev/null
  /usr/bin/python3 - "$scratch/$name" "$name" "$ranks" <<'PY'
import json, pathlib, re, sys
job, name, ranks = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rate = [json.loads(line)["value"] for line in open(job / "metrics.jsonl") if '"train:tokens_per_s"' in line][-1]
bubbles = []
for rank in range(ranks):
    found = re.search(r"pipeline stage (\d+): .*bubble ([0-9.]+) \(theory ([0-9.]+)", (job / "logs" / f"rank-{rank}.log").read_text())
    if found: bubbles.append((int(found[1]), float(found[2]), float(found[3])))
line = f"{name:<28} {rate:9.0f} tokens/s"
if bubbles:
    stages = sorted(set(stage for stage, _, _ in bubbles))
    measured = [sum(b for s, b, _ in bubbles if s == stage) / sum(1 for s, _, _ in bubbles if s == stage) for stage in stages]
    line += f"   bubble per stage {', '.join(f'{b:.2f}' for b in measured)} (mean {sum(measured) / len(measured):.2f}, theory {bubbles[0][2]:.2f})"
print(line, flush=True)
PY
}

echo "== 1 rank and the 4-rank layouts (dp x pp x tp), 8 micro-batches a step"
train "1 rank" 1 8
train "dp=4" 4 2
train "dp=4 ZeRO-1" 4 2 --hp zero_stage=1
train "tp=4" 4 8 --hp tp=4
train "pp=4 (1f1b)" 4 8 --hp pp=4
train "pp=4 (gpipe)" 4 8 --hp pp=4 --hp pipeline_schedule=gpipe
train "tp=2 pp=2" 4 8 --hp tp=2 --hp pp=2
train "dp=2 pp=2" 4 4 --hp pp=2
train "dp=2 tp=2" 4 4 --hp tp=2
echo "== pp=2 on 2 ranks: the bubble against m"
for m in 1 2 4 8; do train "pp=2, m=$m" 2 "$m" --hp pp=2; done
