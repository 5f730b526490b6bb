"""The seeded synthetic binary problem of the gbdt speed benchmark (speed only, never an
accuracy claim): N rows of F standard-normal float32 features, w ~ N(0, 1)^F,
logit = X·w + 1.5·x0·x1 − |x2| + sin(3·x3), y = 1 when logit + Logistic(0, 1) noise > 0.
Writes train.h5 (N rows) and test.h5 (N/5 rows) in Tern's HDF5 dense layout.

usage: gbdt_synthetic.py OUT_DIR [N] [F] [SEED]
"""
import os
import sys

import h5py
import numpy as np


def rows(generator, weights, count):
    x = generator.standard_normal((count, weights.size), dtype=np.float32)
    logit = x @ weights + 1.5 * x[:, 0] * x[:, 1] - np.abs(x[:, 2]) + np.sin(3 * x[:, 3])
    y = (logit + generator.logistic(0.0, 1.0, count) > 0).astype(np.float32)
    return x, y


def write(path, x, y):
    with h5py.File(path + ".tmp", "w") as f:
        f.create_dataset("features", data=x, chunks=(min(len(x), 4096), x.shape[1]))
        f.create_dataset("labels", data=y)
        f.attrs["num_features"] = np.int64(x.shape[1])
    os.replace(path + ".tmp", path)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    f = int(sys.argv[3]) if len(sys.argv) > 3 else 28
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 2026
    generator = np.random.default_rng(seed)
    weights = generator.standard_normal(f).astype(np.float32)
    os.makedirs(out, exist_ok=True)
    x, y = rows(generator, weights, n)
    write(os.path.join(out, "train.h5"), x, y)
    x, y = rows(generator, weights, n // 5)
    write(os.path.join(out, "test.h5"), x, y)
    print(f"wrote {n} + {n // 5} rows x {f} features to {out} ({y.mean():.3f} positive in test)")


if __name__ == "__main__":
    main()
