"""XGBoost (Debian's python3-xgboost 1.7.4, tree_method=hist) on a Tern HDF5 train/test pair,
with the hyperparameters given as name=value: prints JSON with the training seconds (building
the training matrix and boosting) and the test metric (auc for binary:logistic, rmse for
reg:squarederror). The training matrix is a QuantileDMatrix, XGBoost's leanest for hist.

usage: gbdt_xgboost.py TRAIN.h5 TEST.h5 NUM_ROUND THREADS name=value...
"""
import json
import sys
import time

import h5py
import numpy as np
import xgboost as xgb


def load(path):
    with h5py.File(path) as f:
        return f["features"][:], f["labels"][:]


def main():
    train, test, rounds, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    params = {"tree_method": "hist", "nthread": threads}
    for setting in sys.argv[5:]:
        name, value = setting.split("=", 1)
        params[name] = value
    x, y = load(train)
    start = time.perf_counter()
    dtrain = xgb.QuantileDMatrix(x, label=y, max_bin=int(params.get("max_bin", 256)), nthread=threads)
    booster = xgb.train(params, dtrain, rounds)
    seconds = time.perf_counter() - start
    x_test, y_test = load(test)
    predictions = booster.predict(xgb.DMatrix(x_test, nthread=threads))
    result = {"seconds": seconds}
    if params.get("objective") == "binary:logistic":
        from sklearn.metrics import roc_auc_score
        result["auc"] = roc_auc_score(y_test, predictions)
    else:
        result["rmse"] = float(np.sqrt(np.mean((predictions - y_test) ** 2)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
