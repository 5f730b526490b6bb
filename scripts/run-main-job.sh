#!/usr/bin/env bash
# The README's main job: installs dependencies, builds Tern, converts Fashion-MNIST from its
# Debian package, trains an MLP (784-256-128-10) on the 60,000 training images with 2
# data-parallel ranks started by tern-launch (a checkpoint after every epoch), and evaluates its
# model package on the 10,000 test images. The job folder is runs/fashion-mnist-<time>/ (or $1:
# the same folder again resumes a stopped or killed job); RANKS=N changes the rank count.
source "$(dirname "$0")/job-setup.sh"
job_dir=${1:-$root/runs/fashion-mnist-$(date +%Y%m%d-%H%M%S)}
data=$build_dir/data/fashion-mnist
"$build_dir/launcher/tern-launch" -np "${RANKS:-2}" -- "$build_dir/launcher/tern" train --algorithm mlp \
  --train "$data/train.h5" --test "$data/test.h5" --output-dir "$job_dir" \
  --hyperparameters "$root/cluster-configs/fashion-mnist-mlp.json"
"$build_dir/launcher/tern" evaluate --model "$job_dir/model.tar.gz" --data "$data/test.h5"
echo "job folder: $job_dir"
