"""The peers of bench/run_linear_learner_benchmark.sh, on the same standardised rows as Tern:

  prepare:  writes the task's train and test rows (all of Fashion-MNIST's classes, or two of
            them relabelled 0/1) as HDF5 for Tern and in LIBLINEAR's text format;
  measure:  scikit-learn's LogisticRegression (lbfgs, to convergence) for accuracy, and
            SGDClassifier (log loss) for the time of an epoch; prints one JSON line.
"""
import argparse
import json
import time

import h5py
import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.preprocessing import StandardScaler

parser = argparse.ArgumentParser()
parser.add_argument("command", choices=["prepare", "measure"])
parser.add_argument("--train", required=True)
parser.add_argument("--test", required=True)
parser.add_argument("--classes", default="all", help="'all', or two classes 'a,b' (b becomes 1)")
parser.add_argument("--out", help="prepare: folder for train.h5, test.h5, train.svm, test.svm")
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()


def load(path):
    with h5py.File(path) as file:
        features, labels = file["features"][:].astype(np.float32), file["labels"][:].astype(int)
    if args.classes != "all":
        negative, positive = map(int, args.classes.split(","))
        keep = (labels == negative) | (labels == positive)
        features, labels = features[keep], (labels[keep] == positive).astype(int)
    return features, labels


train_x, train_y = load(args.train)
test_x, test_y = load(args.test)
if args.command == "prepare":
    scaler = StandardScaler().fit(train_x)
    for name, x, y in [("train", train_x, train_y), ("test", test_x, test_y)]:
        with h5py.File(f"{args.out}/{name}.h5", "w") as file:
            file["features"] = x
            file["labels"] = y.astype(np.float32)
        with open(f"{args.out}/{name}.svm", "w") as file:  # standardised, for LIBLINEAR
            for row, label in zip(scaler.transform(x), y):
                file.write(f"{label} " + " ".join(f"{i + 1}:{v:.6g}" for i, v in enumerate(row) if v != 0) + "\n")
    raise SystemExit

scaler = StandardScaler().fit(train_x)
train_s, test_s = scaler.transform(train_x).astype(np.float32), scaler.transform(test_x).astype(np.float32)
start = time.perf_counter()
logistic = LogisticRegression(max_iter=1000).fit(train_s, train_y)
logistic_seconds = time.perf_counter() - start
epochs = 5
sgd = SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, n_jobs=args.threads, random_state=0)
start = time.perf_counter()
sgd.fit(train_s, train_y)
sgd_seconds = time.perf_counter() - start
print(json.dumps({"logistic_accuracy": logistic.score(test_s, test_y), "logistic_seconds": logistic_seconds,
                  "sgd_epoch_seconds": sgd_seconds / epochs, "sgd_accuracy": sgd.score(test_s, test_y)}))
