"""The peer of bench/run_knn_benchmark.sh: FAISS's exact (brute-force) index, IndexFlatL2.

Builds the index from one HDF5 file's features, searches another's, and prints one JSON line:
{"seconds": search time, "queries_per_second": ..., "accuracy": majority vote of the k
neighbours' labels (smallest label among equals), "neighbors": the neighbour ids, row by row}.
"""
import argparse
import json
import time

import faiss
import h5py
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--index", required=True)
parser.add_argument("--queries", required=True)
parser.add_argument("--k", type=int, default=10)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

with h5py.File(args.index) as file:
    rows, labels = np.ascontiguousarray(file["features"][:], dtype="float32"), file["labels"][:].astype(int)
with h5py.File(args.queries) as file:
    queries, truth = np.ascontiguousarray(file["features"][:], dtype="float32"), file["labels"][:].astype(int)
faiss.omp_set_num_threads(args.threads)
index = faiss.IndexFlatL2(rows.shape[1])
index.add(rows)
start = time.perf_counter()
_, neighbors = index.search(queries, args.k)
seconds = time.perf_counter() - start
votes = np.array([np.bincount(labels[row], minlength=labels.max() + 1).argmax() for row in neighbors])
print(json.dumps({"seconds": seconds, "queries_per_second": len(queries) / seconds,
                  "accuracy": float((votes == truth).mean())}))
