#!/usr/bin/env bash
# The model-parallel example job: installs dependencies, builds Tern, exports Jane Austen's
# novels (Debian's r-cran-janeaustenr) as byte-level token streams, trains a small GPT on 4
# ranks laid out as tp=2 x pp=2 (cluster-configs/austen-gpt-tp2-pp2.json) with tern-launch,
# evaluates it on the validation stream and samples text from its model package. About 6
# minutes on 2 cores; a checkpoint every 100 steps (each rank saves its part). The job folder is
# runs/austen-gpt-<time>/ (or $1: the same folder again resumes a stopped or killed job).
source "$(dirname "$0")/job-setup.sh"
job_dir=${1:-$root/runs/austen-gpt-$(date +%Y%m%d-%H%M%S)}
data=$build_dir/data/austen
"$build_dir/launcher/tern-launch" -np 4 -- "$build_dir/launcher/tern" train --algorithm gpt \
  --train "$data/train.h5" --validation "$data/validation.h5" --output-dir "$job_dir" \
  --hyperparameters "$root/cluster-configs/austen-gpt-tp2-pp2.json"
"$build_dir/launcher/tern" evaluate --model "$job_dir/model" --data "$data/validation.h5"
"$build_dir/launcher/tern" generate --model "$job_dir/model.tar.gz" --prompt "It is a truth universally acknowledged" \
  --max-tokens 300 --temperature 0.8 --seed 1
echo
echo "job folder: $job_dir"
