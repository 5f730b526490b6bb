#!/usr/bin/env bash
# random-forest against scikit-learn 1.2.1 (Debian's python3-sklearn) on the same data, with
# the same trees, depth and features a node, on 2 threads, in the same run:
#   shirts    Fashion-MNIST T-shirt/top against shirt, 12,000 x 784 (classifier, max_features sqrt)
#   diamonds  price from carat, cut, colour, clarity and sizes, 43,152 x 9 (regressor, all features)
#   flights   delayed > 15 minutes, 2,400,000 x 7 (classifier, max_features sqrt; fewer trees)
# printing test AUC and accuracy (or RMSE), fit seconds and peak memory for both, and the ratios.
# The data comes from bench/gbdt_data.sh. Tern's fit time is train:fit_seconds (binning the data
# and growing the trees); scikit-learn's is its fit(). Environment: TREES (default 100),
# FLIGHTS_TREES (default 10), SETS (default all three).
source "$(dirname "$0")/prepare.sh"
trees=${TREES:-100}
flights_trees=${FLIGHTS_TREES:-10}
sets=${SETS:-shirts diamonds flights}
depth=10
data=$build_dir/data
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$data" >/dev/null
"$root/bench/gbdt_data.sh" "$data"
scratch=$(mktemp -d /tmp/tern-forest-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT

for set in $sets; do
  kind=classifier criterion=gini features=sqrt count=$trees
  [[ $set == diamonds ]] && kind=regressor criterion=mse features=all
  [[ $set == flights ]] && count=$flights_trees
  OMP_NUM_THREADS=2 /usr/bin/time -f %M -o "$scratch/$set.memory" "$build_dir/launcher/tern" train \
    --algorithm random-forest --quiet --train "$data/$set/train.h5" --test "$data/$set/test.h5" \
    --output-dir "$scratch/$set" --hp criterion=$criterion --hp num_trees=$count --hp max_depth=$depth \
    --hp max_features=$features
  "${peer_env[@]}" /usr/bin/time -f %M -o "$scratch/$set-sklearn.memory" /usr/bin/python3 \
    "$root/bench/forest_sklearn.py" "$data/$set/train.h5" "$data/$set/test.h5" $count $depth $features 2 $kind \
    > "$scratch/$set-sklearn.json"
done

/usr/bin/python3 - "$scratch" "$sets" <<'PY'
import json, sys
scratch, sets = sys.argv[1], sys.argv[2].split()
for name in sets:
    metrics = {line["name"]: line["value"] for line in map(json.loads, open(f"{scratch}/{name}/metrics.jsonl"))}
    peer = json.load(open(f"{scratch}/{name}-sklearn.json"))
    memory = int(open(f"{scratch}/{name}.memory").read().split()[-1]) / 1024
    peer_memory = int(open(f"{scratch}/{name}-sklearn.memory").read().split()[-1]) / 1024
    if "rmse" in peer:
        quality = f"test rmse tern {metrics['test:rmse']:.2f}, scikit-learn {peer['rmse']:.2f}"
    else:
        quality = (f"test auc tern {metrics['test:roc_auc']:.4f}, scikit-learn {peer['auc']:.4f}; accuracy tern "
                   f"{metrics['test:accuracy']:.4f}, scikit-learn {peer['accuracy']:.4f}")
    fit = metrics["train:fit_seconds"]
    print(f"random-forest {name}: {quality}; fit tern {fit:.1f} s, scikit-learn {peer['seconds']:.1f} s "
          f"(speed ratio scikit-learn/tern {peer['seconds'] / fit:.2f}); peak memory tern {memory:.0f} MiB, "
          f"scikit-learn {peer_memory:.0f} MiB (ratio tern/scikit-learn {memory / peer_memory:.2f})")
PY
