#!/usr/bin/env bash
# The main job's training throughput, Tern vs PyTorch, on the real data set in the same run:
# `tern train` of cluster-configs/fashion-mnist-mlp.json on Fashion-MNIST for EPOCHS epochs
# (default 3), then bench/fashion_mnist_pytorch.py, the same model, data and schedule in
# PyTorch; prints both training rates (epochs after the first), both test accuracies and the
# ratio. Installs the peer (python3-torch) and builds Tern and the data if needed.
# Usage: bench/run_fashion_mnist_benchmark.sh [--device cpu|cuda] [--precision f32|bf16|f16]
source "$(dirname "$0")/prepare.sh"
threads=${THREADS:-2}
epochs=${EPOCHS:-3}
device=cpu precision=f32
while (( $# )); do
  case $1 in
    --device) device=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    *) echo "usage: $0 [--device cpu|cuda] [--precision f32|bf16|f16]" >&2; exit 2 ;;
  esac
done
data=$build_dir/data/fashion-mnist
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >/dev/null

job=$(mktemp -d)/job
trap 'rm -rf "$(dirname "$job")"' EXIT
OMP_NUM_THREADS=$threads "$build_dir/launcher/tern" train --algorithm mlp --quiet --device "$device" \
  --train "$data/train.h5" --test "$data/test.h5" --output-dir "$job" \
  --hyperparameters "$root/cluster-configs/fashion-mnist-mlp.json" --hp epochs="$epochs" --hp precision="$precision"
"${peer_env[@]}" OMP_NUM_THREADS=$threads /usr/bin/python3 \
  "$root/bench/fashion_mnist_pytorch.py" --train "$data/train.h5" --test "$data/test.h5" --device "$device" \
  --precision "$precision" --epochs "$epochs" --threads "$threads" --tern-job "$job"
