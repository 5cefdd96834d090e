"""Reference values from ppi-python 0.2.3 for synthinfer's PPI / PPI++ tests.

Run from the package root:  python3 tools/reference/ppi_python_reference.py
(needs `pip install ppi-python==0.2.3`). Writes, for each data set, the data
(tests/testthat/fixtures/ppi_<name>_data.csv: one row per unit, `y` missing on
unlabeled rows, `y_llm` the prediction on every row, covariates) and the
intervals ppi-python returns (tests/testthat/fixtures/ppi_reference.csv) for
the power-tuned lambda (PPI++) and lambda = 1 (PPI), two-sided, alpha = 0.1.
The tests read only these CSV files, never Python.
"""
import csv
import os
import sys

import numpy as np
import ppi_py

assert ppi_py.__version__ if hasattr(ppi_py, "__version__") else True
from ppi_py import ppi_mean_ci, ppi_ols_ci, ppi_logistic_ci, ppi_poisson_ci

OUT = os.path.join("tests", "testthat", "fixtures")
ALPHA = 0.1
rng = np.random.default_rng(20231101)


def write_data(name, X, Y, Yhat, X_unl, Yhat_unl, covnames):
    """One CSV with labeled rows first; X's intercept column is not written."""
    path = os.path.join(OUT, f"ppi_{name}_data.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["y", "y_llm"] + covnames)
        for i in range(Y.shape[0]):
            w.writerow([repr(float(Y[i])), repr(float(Yhat[i]))] + [repr(float(v)) for v in X[i, 1:]])
        for i in range(Yhat_unl.shape[0]):
            w.writerow(["NA", repr(float(Yhat_unl[i]))] + [repr(float(v)) for v in X_unl[i, 1:]])


rows = []


def record(name, method, terms, ci):
    lo, hi = np.atleast_1d(ci[0]), np.atleast_1d(ci[1])
    for t, l, h in zip(terms, lo, hi):
        rows.append([name, method, t, repr(float(l)), repr(float(h))])


# 1. Mean: n = 150 labeled, N = 1200 unlabeled; biased, noisy prediction.
n, N = 150, 1200
Y_all = rng.normal(2.0, 1.5, n + N)
Yhat_all = 0.3 + 0.8 * Y_all + rng.normal(0, 0.9, n + N)
Y, Yhat, Yhat_unl = Y_all[:n], Yhat_all[:n], Yhat_all[n:]
ones = np.ones((n + N, 1))
write_data("mean", ones[:n], Y, Yhat, ones[n:], Yhat_unl, [])
record("mean", "ppi++", ["(Intercept)"], ppi_mean_ci(Y, Yhat, Yhat_unl, alpha=ALPHA))
record("mean", "ppi", ["(Intercept)"], ppi_mean_ci(Y, Yhat, Yhat_unl, alpha=ALPHA, lam=1))

# 2. OLS with two covariates: n = 250, N = 2000.
n, N = 250, 2000
Z = rng.normal(size=(n + N, 2))
X_all = np.column_stack([np.ones(n + N), Z])
Y_all = 1.0 + 0.7 * Z[:, 0] - 0.4 * Z[:, 1] + rng.normal(0, 1.0, n + N)
Yhat_all = 0.9 * Y_all + 0.2 * Z[:, 1] + rng.normal(0, 0.6, n + N)
X, X_unl = X_all[:n], X_all[n:]
Y, Yhat, Yhat_unl = Y_all[:n], Yhat_all[:n], Yhat_all[n:]
write_data("ols", X, Y, Yhat, X_unl, Yhat_unl, ["x1", "x2"])
terms = ["(Intercept)", "x1", "x2"]
record("ols", "ppi++", terms, ppi_ols_ci(X, Y, Yhat, X_unl, Yhat_unl, alpha=ALPHA))
record("ols", "ppi", terms, ppi_ols_ci(X, Y, Yhat, X_unl, Yhat_unl, alpha=ALPHA, lam=1))

# 3. Logistic with one covariate: n = 400, N = 3000; prediction flips 15%.
n, N = 400, 3000
z = rng.normal(size=n + N)
X_all = np.column_stack([np.ones(n + N), z])
Y_all = rng.binomial(1, 1 / (1 + np.exp(-(-0.3 + 1.1 * z)))).astype(float)
flip = rng.uniform(size=n + N) < 0.15
Yhat_all = np.where(flip, 1 - Y_all, Y_all)
X, X_unl = X_all[:n], X_all[n:]
Y, Yhat, Yhat_unl = Y_all[:n], Yhat_all[:n], Yhat_all[n:]
write_data("logistic", X, Y, Yhat, X_unl, Yhat_unl, ["x1"])
terms = ["(Intercept)", "x1"]
record("logistic", "ppi++", terms, ppi_logistic_ci(X, Y, Yhat, X_unl, Yhat_unl, alpha=ALPHA))
record("logistic", "ppi", terms, ppi_logistic_ci(X, Y, Yhat, X_unl, Yhat_unl, alpha=ALPHA, lam=1))

# 4. Poisson with one covariate: n = 300, N = 2500; prediction = noisy count.
n, N = 300, 2500
z = rng.uniform(-1, 1, size=n + N)
X_all = np.column_stack([np.ones(n + N), z])
mu = np.exp(0.5 + 0.8 * z)
Y_all = rng.poisson(mu).astype(float)
Yhat_all = rng.poisson(0.6 * Y_all + 0.5 * mu).astype(float)
X, X_unl = X_all[:n], X_all[n:]
Y, Yhat, Yhat_unl = Y_all[:n], Yhat_all[:n], Yhat_all[n:]
write_data("poisson", X, Y, Yhat, X_unl, Yhat_unl, ["x1"])
record("poisson", "ppi++", terms, ppi_poisson_ci(X, Y, Yhat, X_unl, Yhat_unl, alpha=ALPHA))
record("poisson", "ppi", terms, ppi_poisson_ci(X, Y, Yhat, X_unl, Yhat_unl, alpha=ALPHA, lam=1))

with open(os.path.join(OUT, "ppi_reference.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["dataset", "method", "term", "conf.low", "conf.high"])
    w.writerows(rows)
print(f"wrote {len(rows)} reference intervals to {OUT}", file=sys.stderr)
