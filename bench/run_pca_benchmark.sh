#!/usr/bin/env bash
# PCA fit time, Tern vs scikit-learn, same rows, same machine, same run: Fashion-MNIST's 60,000
# training images (784 features), 50 components, in both modes (Tern regular vs scikit-learn's
# full SVD, Tern randomized vs scikit-learn's randomized solver), 2 threads. Tern's time is its
# fit_seconds (the rows already in memory, as scikit-learn's are); prints both times, the
# variance both keep, and the ratio.
source "$(dirname "$0")/prepare.sh"
threads=${THREADS:-2}
components=${COMPONENTS:-50}
data=$build_dir/data/fashion-mnist/train.h5
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >/dev/null
scratch=$(mktemp -d /tmp/tern-pca-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT

for mode in regular randomized; do
  solver=$([[ $mode == regular ]] && echo full || echo randomized)
  # scikit-learn: Debian's python3; on the CPU's best OpenBLAS kernels (peer_env, prepare.sh).
  peer=$("${peer_env[@]}" OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads \
    /usr/bin/python3 "$root/bench/pca_sklearn.py" --data "$data" --components "$components" --solver "$solver")
  OMP_NUM_THREADS=$threads "$build_dir/launcher/tern" train --algorithm pca --quiet --train "$data" \
    --output-dir "$scratch/$mode" --hp num_components="$components" --hp algorithm_mode=$mode
  /usr/bin/python3 - "$mode" "$solver" "$peer" "$scratch/$mode/metrics.jsonl" <<'PY'
import json, sys
mode, solver, peer = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
metrics = {line["name"]: line["value"] for line in map(json.loads, open(sys.argv[4]))}
tern = metrics["train:fit_seconds"]
print(f"pca {mode}: tern {tern:.2f} s (keeps {metrics['train:explained_variance_ratio']:.4f} of the variance), "
      f"scikit-learn {solver} {peer['seconds']:.2f} s (keeps {peer['explained_variance_ratio']:.4f}); "
      f"speed ratio tern/scikit-learn = {peer['seconds'] / tern:.2f}")
PY
done
