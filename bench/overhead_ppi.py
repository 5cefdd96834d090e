"""ppi-python's side of bench/overhead.R: median time of ppi_mean_ci
(PPI++ mean, power-tuned lambda), or of ppi_ols_ci (PPI++ OLS on an
intercept and x), on the data R wrote, and its interval.

Usage: python3 overhead_ppi.py data.csv reps [mean|ols] [warm-up calls]  ->  prints JSON."""
import json
import sys
import time

import numpy as np
from ppi_py import ppi_mean_ci, ppi_ols_ci

path, reps = sys.argv[1], int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "mean"
warm_up = int(sys.argv[4]) if len(sys.argv) > 4 else 200
d = np.genfromtxt(path, delimiter=",", names=True)
lab = d["labeled"] == 1
if mode == "mean":
    args = (d["y"][lab], d["y_llm"][lab], d["y_llm"][~lab])
    fit = ppi_mean_ci
else:
    X = np.column_stack([np.ones(len(d)), d["x"]])
    args = (X[lab], d["y_ols"][lab], d["y_ols_llm"][lab], X[~lab], d["y_ols_llm"][~lab])
    fit = ppi_ols_ci
for _ in range(warm_up):
    fit(*args, alpha=0.1)
times = []
cpu0 = time.process_time()
for _ in range(reps):
    t0 = time.perf_counter()
    ci = fit(*args, alpha=0.1)
    times.append(time.perf_counter() - t0)
cpu = (time.process_time() - cpu0) / reps
low, high = np.ravel(ci[0]), np.ravel(ci[1])
out = {"median_ms": 1000 * float(np.median(times)), "median_cpu_ms": 1000 * cpu,
       "conf_low": float(low[0]), "conf_high": float(high[0]), "numpy": np.__version__}
if len(low) > 1:
    out.update({"conf_low_slope": float(low[1]), "conf_high_slope": float(high[1])})
print(json.dumps(out))
