"""The peer of bench/run_kmeans_benchmark.sh: scikit-learn's Lloyd k-means from given initial rows.

Prints one JSON line: {"seconds": fit time, "iterations": n_iter_, "inertia": inertia_}.
"""
import argparse
import json
import time

import h5py
import numpy as np
from sklearn.cluster import KMeans

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--initial-rows", required=True, help="JSON list of row indices")
parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
args = parser.parse_args()

with h5py.File(args.data) as file:
    features = np.asarray(file["features"][:], dtype=args.dtype)
rows = json.loads(args.initial_rows)
model = KMeans(n_clusters=len(rows), init=features[rows], n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4)
start = time.perf_counter()
model.fit(features)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "iterations": int(model.n_iter_), "inertia": float(model.inertia_)}))
