"""Time ppi-python 0.2.3's PPI++ intervals on a case written by bench_data.R.

Usage: python3 ppi_anchor.py CASE_DIR REPS

Prints one line `RESULT seconds=<median wall time of the fit>`; writes the
interval to CASE_DIR/ppi_python_ci.txt (lower then upper, one number a line)
so run.R can check that both sides agree. Data loading is not timed.
"""
import os
import sys
import time

import numpy as np
import ppi_py


def read_meta(case):
    with open(os.path.join(case, "meta.txt")) as fh:
        pairs = (line.split(" ", 1) for line in fh.read().splitlines())
        return {k: v for k, v in pairs}


def read_array(case, name, ncol=1):
    x = np.fromfile(os.path.join(case, name + ".bin"), dtype="<f8")
    # R writes matrices column-major.
    return x.reshape((ncol, -1)).T if ncol > 1 else x


def main():
    case, reps = sys.argv[1], int(sys.argv[2])
    meta = read_meta(case)
    kind, p = meta["kind"], int(meta["p"])
    Y = read_array(case, "Y_lab")
    Yhat = read_array(case, "Yhat_lab")
    Yhat_unl = read_array(case, "Yhat_unl")
    if kind == "mean":
        fit = lambda: ppi_py.ppi_mean_ci(Y, Yhat, Yhat_unl, alpha=0.1)
    else:
        X = read_array(case, "X_lab", p)
        X_unl = read_array(case, "X_unl", p)
        if X.ndim == 1:
            X, X_unl = X[:, None], X_unl[:, None]
        ci_fun = ppi_py.ppi_ols_ci if kind == "ols" else ppi_py.ppi_logistic_ci
        fit = lambda: ci_fun(X, Y, Yhat, X_unl, Yhat_unl, alpha=0.1)
    fit()  # warm-up: numba compilation and imports are not part of the fit
    times = []
    # At least `reps` timed fits, more (up to 15) while they take under a
    # second in all: the same rule as worker.R's timed().
    while len(times) < reps or (len(times) < 15 and sum(times) < 1.0):
        t0 = time.perf_counter()
        lo, hi = fit()
        times.append(time.perf_counter() - t0)
    with open(os.path.join(case, "ppi_python_ci.txt"), "w") as fh:
        fh.write("\n".join(repr(float(v)) for v in np.concatenate([np.ravel(lo), np.ravel(hi)])) + "\n")
    print("RESULT seconds=%.6f" % float(np.median(times)))


if __name__ == "__main__":
    main()
