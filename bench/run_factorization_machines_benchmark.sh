#!/usr/bin/env bash
# factorization-machines on MovieLens (prepare-data.sh's split): the held-out RMSE against the
# global-mean and bias-only baselines on the same split, the epoch time on 1 rank x 2 threads,
# and on 2 ranks x 1 thread the epoch time with the gradients exchanged densely (an allreduce
# of all of w and V) and as touched rows (an allgather), at batches of 64 and 4,096 rows.
source "$(dirname "$0")/prepare.sh"
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >/dev/null
scratch=$(mktemp -d /tmp/tern-fm-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
data=$build_dir/data/movielens
settings=(--hp predictor_type=regressor --hp num_factors=16 --hp optimizer=sgd --hp bias_lr=0.15 --hp linear_lr=0.15
  --hp factors_lr=0.15 --hp bias_wd=0 --hp linear_wd=0.05 --hp factors_wd=0.05 --hp factors_init_sigma=0.1)

OMP_NUM_THREADS=2 "$build_dir/launcher/tern" train --algorithm factorization-machines --quiet --train "$data/train.libsvm" \
  --test "$data/test.libsvm" --output-dir "$scratch/movielens" "${settings[@]}" --hp mini_batch_size=64 --hp epochs=50
for exchange in dense sparse; do
  for batch in 64 4096; do
    OMP_NUM_THREADS=1 mpirun -np 2 --oversubscribe --bind-to none "$build_dir/launcher/tern" train \
      --algorithm factorization-machines --quiet --train "$data/train.libsvm" --output-dir "$scratch/$exchange-$batch" \
      "${settings[@]}" --hp mini_batch_size=$batch --hp epochs=5 --hp gradient_exchange=$exchange
  done
done
/usr/bin/python3 "$root/bench/movielens_baselines.py" --train "$data/train.libsvm" --test "$data/test.libsvm" \
  > "$scratch/baselines.json"
/usr/bin/python3 - "$scratch" <<'PY'
import json, statistics, sys
scratch = sys.argv[1]
def metrics(job):
    lines = [json.loads(line) for line in open(f"{scratch}/{job}/metrics.jsonl")]
    return lines, {line["name"]: line["value"] for line in lines}
lines, last = metrics("movielens")
epoch = statistics.median(line["value"] for line in lines if line["name"] == "train:epoch_seconds")
base = json.load(open(f"{scratch}/baselines.json"))
print(f"factorization-machines, MovieLens: test RMSE {last['test:rmse']:.4f}; global mean {base['global_mean_rmse']:.4f}, "
      f"bias-only {base['bias_only_rmse']:.4f} (lambda {base['bias_only_lambda']}); "
      f"{epoch:.3f} s/epoch (90,004 ratings, k = 16, batches of 64, 1 rank x 2 threads)")
for batch in [64, 4096]:
    times = {}
    for exchange in ["dense", "sparse"]:
        lines, _ = metrics(f"{exchange}-{batch}")
        times[exchange] = statistics.median(line["value"] for line in lines if line["name"] == "train:epoch_seconds")
    summary = json.load(open(f"{scratch}/sparse-{batch}/job.json"))["factorization_machines"]
    print(f"factorization-machines, 2 ranks, batches of {batch}: dense exchange {times['dense']:.3f} s/epoch "
          f"({summary['dense_values_per_step']:.0f} values a step), touched rows {times['sparse']:.3f} s/epoch "
          f"({summary['values_exchanged_per_step']:.0f} values a step); dense/sparse time = "
          f"{times['dense'] / times['sparse']:.2f}")
PY
