"""scikit-learn 1.2.1's RandomForest{Classifier,Regressor} on a Tern HDF5 train/test pair: prints
JSON with the fit seconds and the test metrics (auc and accuracy for a classifier, rmse for a
regressor).

usage: forest_sklearn.py TRAIN.h5 TEST.h5 TREES MAX_DEPTH MAX_FEATURES THREADS classifier|regressor
"""
import json
import sys
import time

import h5py
import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, roc_auc_score


def load(path):
    with h5py.File(path) as f:
        return f["features"][:], f["labels"][:]


def main():
    train, test, trees, depth, max_features, threads, kind = sys.argv[1:8]
    features = {"all": 1.0}.get(max_features, max_features)
    x, y = load(train)
    model_type = RandomForestClassifier if kind == "classifier" else RandomForestRegressor
    model = model_type(n_estimators=int(trees), max_depth=int(depth), max_features=features, n_jobs=int(threads),
                       random_state=0)
    start = time.perf_counter()
    model.fit(x, y)
    result = {"seconds": time.perf_counter() - start}
    x_test, y_test = load(test)
    if kind == "classifier":
        scores = model.predict_proba(x_test)[:, 1]
        result["auc"] = roc_auc_score(y_test, scores)
        result["accuracy"] = accuracy_score(y_test, scores > 0.5)
    else:
        result["rmse"] = float(np.sqrt(np.mean((model.predict(x_test) - y_test) ** 2)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
