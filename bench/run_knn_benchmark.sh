#!/usr/bin/env bash
# k-NN queries per second, Tern vs FAISS's exact IndexFlatL2, same data, same machine, same run:
# the index is Fashion-MNIST's 60,000 training images (784 features), the queries its 10,000 test
# images, k = 10, L2, 2 threads (Tern: 1 rank x 2 threads, and 2 ranks x 1 thread with the
# index sharded). Tern's figure is its validation search (validation:queries_per_second: the
# search, the ranks' merge and nothing else). Prints both speeds, the ratio, and each one's
# accuracy by majority vote (the same vote rule).
source "$(dirname "$0")/prepare.sh"
threads=${THREADS:-2}
index=$build_dir/data/fashion-mnist/train.h5
queries=$build_dir/data/fashion-mnist/test.h5
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >/dev/null
scratch=$(mktemp -d /tmp/tern-knn-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT

arguments=(--algorithm knn --quiet --train "$index" --validation "$queries" --hp k=10 --hp predictor_type=classifier)
OMP_NUM_THREADS=$threads "$build_dir/launcher/tern" train "${arguments[@]}" --output-dir "$scratch/threads"
OMP_NUM_THREADS=1 mpirun -np 2 --oversubscribe --bind-to none "$build_dir/launcher/tern" train "${arguments[@]}" \
  --output-dir "$scratch/ranks"
# FAISS: Debian's python3; on the CPU's best OpenBLAS kernels (peer_env, prepare.sh).
"${peer_env[@]}" OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads \
  /usr/bin/python3 "$root/bench/knn_faiss.py" --index "$index" --queries "$queries" --k 10 --threads "$threads" \
  > "$scratch/faiss.json"
/usr/bin/python3 - "$scratch" <<'PY'
import json, sys
scratch = sys.argv[1]
peer = json.load(open(f"{scratch}/faiss.json"))
for name, label in [("threads", "1 rank x 2 threads"), ("ranks", "2 ranks x 1 thread")]:
    metrics = {line["name"]: line["value"] for line in map(json.loads, open(f"{scratch}/{name}/metrics.jsonl"))}
    speed = metrics["validation:queries_per_second"]
    print(f"knn, tern {label}: {speed:.0f} queries/s (accuracy {metrics['validation:multiclass_accuracy']:.4f}); "
          f"FAISS IndexFlatL2: {peer['queries_per_second']:.0f} queries/s (accuracy {peer['accuracy']:.4f}); "
          f"speed ratio tern/FAISS = {speed / peer['queries_per_second']:.2f}")
PY
