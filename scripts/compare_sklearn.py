#!/usr/bin/env python3
"""Compare `recon outliers` with scikit-learn's IsolationForest.

For a few datasets with known outliers, runs the built `recon outliers` binary and
scikit-learn's IsolationForest(n_estimators=100, max_samples=256, random_state=0),
prints both ROC-AUCs and timings, and exits 1 if recon's AUC is more than 0.02 below
scikit-learn's on any dataset. With --speed it also times both on the benchmark job:
fit 100 trees and score 100,000 rows of 8 standard normal features.

Usage: python3 scripts/compare_sklearn.py [BINARY] [--speed]
       (BINARY defaults to .build/release/recon; needs numpy and scikit-learn)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import load_breast_cancer, make_blobs, make_moons
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

TOLERANCE = 0.02


def planted_gaussian(rng):
    """2,000 correlated Gaussian inliers in 6-D and 40 points scattered in a wide box."""
    cov = 0.5 * np.ones((6, 6)) + 0.5 * np.eye(6)
    inliers = rng.multivariate_normal(np.zeros(6), cov, size=2000)
    outliers = rng.uniform(-6, 6, size=(40, 6))
    return np.vstack([inliers, outliers]), np.r_[np.zeros(2000), np.ones(40)]


def blobs(rng):
    """Three 2-D clusters of 500 points and 5 % uniform noise around them."""
    inliers, _ = make_blobs(n_samples=1500, centers=[[-5, -5], [0, 4], [6, -2]], cluster_std=1.0, random_state=1)
    outliers = rng.uniform(-12, 12, size=(75, 2))
    return np.vstack([inliers, outliers]), np.r_[np.zeros(1500), np.ones(75)]


def moons(rng):
    """Two interleaved half-moons (a non-convex shape) and 5 % uniform noise."""
    inliers, _ = make_moons(n_samples=1000, noise=0.06, random_state=2)
    outliers = rng.uniform([-1.5, -1.0], [2.5, 1.5], size=(50, 2))
    return np.vstack([inliers, outliers]), np.r_[np.zeros(1000), np.ones(50)]


def heavy_tailed(rng):
    """1,500 log-normal rows in 5-D (skewed, heavy right tails) and 30 rows with one feature far too low."""
    inliers = rng.lognormal(mean=0.0, sigma=0.6, size=(1500, 5))
    outliers = rng.lognormal(mean=0.0, sigma=0.6, size=(30, 5))
    columns = rng.integers(0, 5, size=30)
    outliers[np.arange(30), columns] *= 0.08
    return np.vstack([inliers, outliers]), np.r_[np.zeros(1500), np.ones(30)]


def breast_cancer(rng):
    """scikit-learn's breast cancer data (30 features): all 357 benign and 21 malignant cases as outliers."""
    data = load_breast_cancer()
    benign = data.data[data.target == 1]
    malignant = data.data[data.target == 0]
    chosen = malignant[rng.choice(len(malignant), size=21, replace=False)]
    return np.vstack([benign, chosen]), np.r_[np.zeros(len(benign)), np.ones(21)]


DATASETS = [
    ("planted-gaussian-6d", planted_gaussian),
    ("blobs-2d", blobs),
    ("moons-2d", moons),
    ("lognormal-5d", heavy_tailed),
    ("breast-cancer-30d", breast_cancer),
]


def write_csv(path, X):
    header = ",".join(f"f{i}" for i in range(X.shape[1]))
    np.savetxt(path, X, delimiter=",", header=header, comments="", fmt="%.17g")


def recon_scores(binary, path, seed=0):
    start = time.perf_counter()
    out = subprocess.run(
        [binary, "outliers", "--input", path, "--trees", "100", "--sample", "256", "--seed", str(seed)],
        check=True, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    lines = out.stdout.strip().split("\n")
    if lines[0] != "score":
        raise SystemExit(f"unexpected header from recon: {lines[0]!r}")
    return np.array([float(x) for x in lines[1:]]), elapsed


def sklearn_scores(X, seed=0):
    start = time.perf_counter()
    forest = IsolationForest(n_estimators=100, max_samples=256, random_state=seed).fit(X)
    scores = -forest.score_samples(X)
    return scores, time.perf_counter() - start


def compare(binary, workdir):
    failed = False
    print(f"{'dataset':<22}{'rows':>6}{'cols':>5}  {'recon AUC':>9}  {'sklearn AUC':>11}  "
          f"{'diff':>7}  {'recon 5-seed':>12}  {'sklearn 5-seed':>14}  {'recon s':>8}  {'sklearn s':>9}")
    for name, make in DATASETS:
        rng = np.random.default_rng(20260)
        X, y = make(rng)
        path = os.path.join(workdir, f"{name}.csv")
        write_csv(path, X)
        ours, our_time = recon_scores(binary, path)
        theirs, their_time = sklearn_scores(X)
        if len(ours) != len(X):
            raise SystemExit(f"{name}: recon printed {len(ours)} scores for {len(X)} rows")
        ours_auc, theirs_auc = roc_auc_score(y, ours), roc_auc_score(y, theirs)
        ours_mean = np.mean([roc_auc_score(y, recon_scores(binary, path, s)[0]) for s in range(5)])
        theirs_mean = np.mean([roc_auc_score(y, sklearn_scores(X, s)[0]) for s in range(5)])
        diff = ours_auc - theirs_auc
        verdict = "" if diff >= -TOLERANCE else "  <-- more than 0.02 below"
        failed |= diff < -TOLERANCE
        print(f"{name:<22}{len(X):>6}{X.shape[1]:>5}  {ours_auc:>9.4f}  {theirs_auc:>11.4f}  {diff:>+7.4f}  "
              f"{ours_mean:>12.4f}  {theirs_mean:>14.4f}  {our_time:>8.3f}  {their_time:>9.3f}{verdict}")
    print("recon s: the whole `recon outliers` process (read CSV, fit, score, print);"
          " sklearn s: fit + score_samples in Python.")
    return failed


def speed(binary, workdir, runs=7):
    rng = np.random.default_rng(42)
    X = rng.standard_normal((100_000, 8))
    times = []
    for run in range(runs):
        start = time.perf_counter()
        forest = IsolationForest(n_estimators=100, max_samples=256, random_state=run).fit(X)
        forest.score_samples(X)
        times.append(time.perf_counter() - start)
    times.sort()
    print("scikit-learn speed: fit 100 trees (max_samples=256) + score_samples on 100,000 rows x 8 features,"
          " n_jobs=None (one thread)")
    print(f"  best {times[0]:.3f} s, median {times[len(times) // 2]:.3f} s, worst {times[-1]:.3f} s over {runs} runs")
    path = os.path.join(workdir, "speed.csv")
    write_csv(path, X)
    process = sorted(recon_scores(binary, path, run)[1] for run in range(3))
    print(f"recon outliers, whole process on the same rows as CSV (parse + fit + score + print):"
          f" best {process[0]:.3f} s of 3")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", default=".build/release/recon")
    parser.add_argument("--speed", action="store_true", help="also time the 100,000 x 8 benchmark job")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary} is not an executable; build with `swift build -c release` or pass its path")
    with tempfile.TemporaryDirectory() as workdir:
        failed = compare(args.binary, workdir)
        if args.speed:
            print()
            speed(args.binary, workdir)
    if failed:
        print(f"FAIL: recon's ROC-AUC is more than {TOLERANCE} below scikit-learn's on at least one dataset")
        sys.exit(1)
    print(f"ok: recon's ROC-AUC is within {TOLERANCE} of scikit-learn's (or above) on every dataset")


if __name__ == "__main__":
    main()
