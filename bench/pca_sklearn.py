"""The peer of bench/run_pca_benchmark.sh: scikit-learn's PCA fit on the same rows, timed.

Prints one JSON line: {"seconds": fit time, "explained_variance_ratio": the components' sum}.
"""
import argparse
import json
import time

import h5py
import numpy as np
from sklearn.decomposition import PCA

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--components", type=int, required=True)
parser.add_argument("--solver", choices=["full", "randomized"], required=True)
args = parser.parse_args()

with h5py.File(args.data) as file:
    features = np.asarray(file["features"][:], dtype=np.float32)
start = time.perf_counter()
pca = PCA(n_components=args.components, svd_solver=args.solver, random_state=0).fit(features)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "explained_variance_ratio": float(pca.explained_variance_ratio_.sum())}))
