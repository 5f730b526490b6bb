#!/usr/bin/env bash
# k-means iteration time, Tern vs scikit-learn, same rows and initial centres, same machine, same
# run: Fashion-MNIST's 60,000 training images (784 features), k = 10, Lloyd from Tern's seeded
# random rows, 2 threads (Tern: 1 rank x 2 threads and 2 ranks x 1 thread). Tern's time is its
# fit_seconds (the rows in memory, as scikit-learn's are), divided by the iterations each ran;
# prints both, the inertia each reached, and the ratio.
source "$(dirname "$0")/prepare.sh"
threads=${THREADS:-2}
data=$build_dir/data/fashion-mnist/train.h5
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >/dev/null
scratch=$(mktemp -d /tmp/tern-kmeans-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT

OMP_NUM_THREADS=$threads "$build_dir/launcher/tern" train --algorithm kmeans --quiet --train "$data" \
  --output-dir "$scratch/threads" --hp k=10
OMP_NUM_THREADS=1 mpirun -np 2 --oversubscribe --bind-to none "$build_dir/launcher/tern" train --algorithm kmeans \
  --quiet --train "$data" --output-dir "$scratch/ranks" --hp k=10
rows=$(/usr/bin/python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['kmeans_initial_rows']))" \
  "$scratch/threads/job.json")
# scikit-learn: Debian's python3; on the CPU's best OpenBLAS kernels (peer_env, prepare.sh).
for dtype in float32 float64; do
  "${peer_env[@]}" OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads \
    /usr/bin/python3 "$root/bench/kmeans_sklearn.py" --data "$data" --initial-rows "$rows" --dtype $dtype \
    > "$scratch/sklearn-$dtype.json"
done
/usr/bin/python3 - "$scratch" <<'PY'
import json, sys
scratch = sys.argv[1]
def tern(name):
    job = json.load(open(f"{scratch}/{name}/job.json"))["kmeans"]
    metrics = {line["name"]: line["value"] for line in map(json.loads, open(f"{scratch}/{name}/metrics.jsonl"))}
    return metrics["train:fit_seconds"] / job["iterations"], job["iterations"], job["ssd"]
for name, label in [("threads", "1 rank x 2 threads"), ("ranks", "2 ranks x 1 thread")]:
    per_iteration, iterations, ssd = tern(name)
    for dtype in ["float32", "float64"]:
        peer = json.load(open(f"{scratch}/sklearn-{dtype}.json"))
        peer_per_iteration = peer["seconds"] / peer["iterations"]
        print(f"kmeans, tern {label}: {per_iteration * 1000:.1f} ms/iteration ({iterations} iterations, ssd {ssd:.6e}); "
              f"scikit-learn {dtype}: {peer_per_iteration * 1000:.1f} ms/iteration ({peer['iterations']} iterations, "
              f"inertia {peer['inertia']:.6e}); speed ratio tern/scikit-learn = {peer_per_iteration / per_iteration:.2f}")
PY
