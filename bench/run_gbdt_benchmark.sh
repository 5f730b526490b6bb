#!/usr/bin/env bash
# gbdt against XGBoost 1.7.4 (Debian's python3-xgboost, tree_method=hist, QuantileDMatrix), same
# data, same hyperparameters, same machine, same run:
#   1. real data (bench/gbdt_data.sh): flights delayed > 15 min and Fashion-MNIST T-shirt/shirt
#      (binary:logistic, test AUC) and diamonds' price (reg:squarederror, test RMSE);
#   2. speed and peak memory on the seeded synthetic 1,000,000 x 28 binary problem
#      (bench/gbdt_synthetic.py), Tern on 1 rank x 2 threads and on 2 ranks x 1 thread.
# Every run: 200 rounds, max_depth 6, eta 0.1, max_bin 256, 2 threads. Training time is the
# fit (Tern's train:fit_seconds: reading and binning the data and boosting; XGBoost's: building
# the QuantileDMatrix and boosting); peak memory is each process's maximum resident set (GNU
# time), summed over Tern's ranks. The synthetic runs are repeated REPEATS times (default 3),
# alternating Tern and XGBoost, and each side's fastest run is compared: these shared VMs vary
# by ±15% from run to run. Environment: ROUNDS, REPEATS, SETS (which real sets; default all).
source "$(dirname "$0")/prepare.sh"
rounds=${ROUNDS:-200}
repeats=${REPEATS:-3}
sets=${SETS:-flights shirts diamonds}
data=$build_dir/data
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$data" >/dev/null
"$root/bench/gbdt_data.sh" "$data"
scratch=$(mktemp -d /tmp/tern-gbdt-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
/usr/bin/python3 "$root/bench/gbdt_synthetic.py" "$scratch/synthetic" >/dev/null

hyperparameters=(eta=0.1 max_depth=6 max_bin=256)
# tern_run NAME TRAIN TEST RANKS THREADS OBJECTIVE: a job in $scratch/NAME, rank r's peak
# memory in $scratch/NAME.memory.r.
tern_run() {
  local name=$1 train=$2 test=$3 ranks=$4 threads=$5 objective=$6
  local arguments=(train --algorithm gbdt --quiet --train "$train" --test "$test" --output-dir "$scratch/$name"
                   --hp objective="$objective" --hp num_round="$rounds")
  for setting in "${hyperparameters[@]}"; do arguments+=(--hp "$setting"); done
  OMP_NUM_THREADS=$threads mpirun -np "$ranks" --oversubscribe --bind-to none sh -c \
    '/usr/bin/time -f %M -o "$0.memory.$OMPI_COMM_WORLD_RANK" "$@"' "$scratch/$name" \
    "$build_dir/launcher/tern" "${arguments[@]}"
}
# xgboost_run NAME TRAIN TEST OBJECTIVE: its JSON in $scratch/NAME.json, peak memory beside.
xgboost_run() {
  local name=$1 train=$2 test=$3 objective=$4
  "${peer_env[@]}" OMP_NUM_THREADS=2 /usr/bin/time -f %M -o "$scratch/$name.memory.0" /usr/bin/python3 \
    "$root/bench/gbdt_xgboost.py" "$train" "$test" "$rounds" 2 objective="$objective" "${hyperparameters[@]}" \
    > "$scratch/$name.json"
}

for set in $sets; do
  objective=binary:logistic
  [[ $set == diamonds ]] && objective=reg:squarederror
  tern_run "$set" "$data/$set/train.h5" "$data/$set/test.h5" 1 2 "$objective"
  xgboost_run "$set-xgboost" "$data/$set/train.h5" "$data/$set/test.h5" "$objective"
done
synthetic=$scratch/synthetic
for repeat in $(seq "$repeats"); do
  tern_run "synthetic.$repeat" "$synthetic/train.h5" "$synthetic/test.h5" 1 2 binary:logistic
  tern_run "synthetic-ranks.$repeat" "$synthetic/train.h5" "$synthetic/test.h5" 2 1 binary:logistic
  xgboost_run "synthetic-xgboost.$repeat" "$synthetic/train.h5" "$synthetic/test.h5" binary:logistic
done

/usr/bin/python3 - "$scratch" "$sets" "$repeats" <<'PY'
import glob, json, sys
scratch, sets, repeats = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])

def tern(name):
    metrics = {line["name"]: line["value"] for line in map(json.loads, open(f"{scratch}/{name}/metrics.jsonl"))}
    memory = sum(int(open(path).read().split()[-1]) for path in glob.glob(f"{scratch}/{name}.memory.*")) / 1024
    return metrics, memory

def xgboost(name):
    return json.load(open(f"{scratch}/{name}.json")), int(open(f"{scratch}/{name}.memory.0").read().split()[-1]) / 1024

for name in sets:
    metrics, _ = tern(name)
    peer, _ = xgboost(name + "-xgboost")
    metric = "rmse" if "rmse" in peer else "auc"
    ours, theirs = metrics["test:" + metric], peer[metric]
    gap = f"{100 * (ours - theirs) / theirs:+.2f}%" if metric == "rmse" else f"{ours - theirs:+.4f}"
    print(f"gbdt {name}: test {metric} tern {ours:.4f}, XGBoost {theirs:.4f} ({gap}); "
          f"fit tern {metrics['train:fit_seconds']:.1f} s, XGBoost {peer['seconds']:.1f} s")
def fastest(runs, seconds):
    """The run with the least fit time, and the largest peak memory of all of them."""
    return min(runs, key=lambda run: seconds(run[0]))[0], max(memory for _, memory in runs)

peer, peer_memory = fastest([xgboost(f"synthetic-xgboost.{r}") for r in range(1, repeats + 1)], lambda p: p["seconds"])
print(f"fastest of {repeats} runs each:")
for name, label in [("synthetic", "1 rank x 2 threads"), ("synthetic-ranks", "2 ranks x 1 thread")]:
    metrics, memory = fastest([tern(f"{name}.{r}") for r in range(1, repeats + 1)], lambda m: m["train:fit_seconds"])
    print(f"gbdt synthetic 1,000,000 x 28, tern {label}: fit {metrics['train:fit_seconds']:.1f} s, peak memory "
          f"{memory:.0f} MiB, test auc {metrics['test:auc']:.4f}; XGBoost hist 2 threads: {peer['seconds']:.1f} s, "
          f"{peer_memory:.0f} MiB, auc {peer['auc']:.4f}; speed ratio XGBoost/tern = "
          f"{peer['seconds'] / metrics['train:fit_seconds']:.2f}, memory ratio tern/XGBoost = {memory / peer_memory:.2f}")
PY
