"""Real data sets of the gbdt benchmark, split 80/20 by a seeded permutation and written in
Tern's HDF5 dense layout (train.h5, test.h5 in a folder each):
  flights   US flights of 2001 H1 (vega-datasets flights-3m), delayed > 15 minutes, 7 features
            (bench/flights_columns.mjs extracts them: month, day, weekday, hour, distance,
            origin and destination codes)
  diamonds  ggplot2's diamonds, price from 9 features (cut, color, clarity as their order)
  shirts    Fashion-MNIST's T-shirt/top (0) against shirt (6), 784 pixels, its own split

usage: gbdt_data.py flights FLIGHTS.f32 OUT_DIR
       gbdt_data.py diamonds DIAMONDS.csv OUT_DIR
       gbdt_data.py shirts FASHION_MNIST_DIR OUT_DIR
"""
import os
import sys

import h5py
import numpy as np


def write(path, x, y):
    with h5py.File(path + ".tmp", "w") as f:
        f.create_dataset("features", data=x.astype(np.float32), chunks=(min(len(x), 4096), x.shape[1]))
        f.create_dataset("labels", data=y.astype(np.float32))
        f.attrs["num_features"] = np.int64(x.shape[1])
    os.replace(path + ".tmp", path)


def split(x, y, out):
    order = np.random.default_rng(2026).permutation(len(y))
    cut = len(y) * 4 // 5
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "train.h5"), x[order[:cut]], y[order[:cut]])
    write(os.path.join(out, "test.h5"), x[order[cut:]], y[order[cut:]])
    print(f"{out}: {cut} train and {len(y) - cut} test rows x {x.shape[1]} features")


def main():
    kind, source, out = sys.argv[1:4]
    if kind == "flights":
        rows = np.fromfile(source, dtype=np.float32).reshape(-1, 8)
        split(rows[:, 1:], rows[:, 0], out)
    elif kind == "diamonds":
        rows = np.loadtxt(source, delimiter=",", skiprows=1)
        split(rows[:, 1:], rows[:, 0], out)
    elif kind == "shirts":
        x, y = [], []
        for part in ("train", "test"):
            with h5py.File(os.path.join(source, part + ".h5")) as f:
                labels = f["labels"][:]
                keep = (labels == 0) | (labels == 6)
                x.append(f["features"][:][keep])
                y.append((labels[keep] == 6).astype(np.float32))
        os.makedirs(out, exist_ok=True)
        write(os.path.join(out, "train.h5"), x[0], y[0])
        write(os.path.join(out, "test.h5"), x[1], y[1])
        print(f"{out}: {len(y[0])} train and {len(y[1])} test rows x {x[0].shape[1]} features")


if __name__ == "__main__":
    main()
