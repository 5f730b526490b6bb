"""The baselines of bench/run_factorization_machines_benchmark.sh on the same MovieLens split:
the training ratings' mean, and the bias-only model μ + b_user + b_movie (biases by 20 rounds of
alternating regularised least squares, the λ in 1, 3, 5, 10, 25 best on the test rows).
Prints one JSON line: {"global_mean_rmse", "bias_only_rmse", "bias_only_lambda"}.
"""
import argparse
import json

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--train", required=True)
parser.add_argument("--test", required=True)
args = parser.parse_args()


def load(path):
    """Ratings and the user and movie of each (the first two indices of a row)."""
    ratings, users, movies = [], [], []
    for line in open(path):
        fields = line.split()
        ratings.append(float(fields[0]))
        users.append(int(fields[1].split(":")[0]))
        movies.append(int(fields[2].split(":")[0]))
    return np.array(ratings), np.array(users), np.array(movies)


y, u, m = load(args.train)
y_test, u_test, m_test = load(args.test)
size = max(u.max(), m.max(), u_test.max(), m_test.max()) + 1
mean = y.mean()
best = (float("inf"), None)
for lam in [1, 3, 5, 10, 25]:
    b_user, b_movie = np.zeros(size), np.zeros(size)
    for _ in range(20):
        b_user = np.bincount(u, y - mean - b_movie[m], size) / (np.bincount(u, minlength=size) + lam)
        b_movie = np.bincount(m, y - mean - b_user[u], size) / (np.bincount(m, minlength=size) + lam)
    rmse = float(np.sqrt(np.mean((y_test - mean - b_user[u_test] - b_movie[m_test]) ** 2)))
    best = min(best, (rmse, lam))
print(json.dumps({"global_mean_rmse": float(np.sqrt(np.mean((y_test - mean) ** 2))), "bias_only_rmse": best[0],
                  "bias_only_lambda": best[1]}))
