"""ppi-python's side of bench/overhead.R: median time of ppi_mean_ci
(PPI++ mean, power-tuned lambda) on the data R wrote, and its interval.

Usage: python3 overhead_ppi.py data.csv reps  ->  prints JSON."""
import json
import sys
import time

import numpy as np
from ppi_py import ppi_mean_ci

path, reps = sys.argv[1], int(sys.argv[2])
d = np.genfromtxt(path, delimiter=",", names=True)
lab = d["labeled"] == 1
Y, Yhat, Yhat_unlabeled = d["y"][lab], d["y_llm"][lab], d["y_llm"][~lab]
for _ in range(20):  # warm up
    ppi_mean_ci(Y, Yhat, Yhat_unlabeled, alpha=0.1)
times = []
cpu0 = time.process_time()
for _ in range(reps):
    t0 = time.perf_counter()
    ci = ppi_mean_ci(Y, Yhat, Yhat_unlabeled, alpha=0.1)
    times.append(time.perf_counter() - t0)
cpu = (time.process_time() - cpu0) / reps
print(json.dumps({"median_ms": 1000 * float(np.median(times)), "median_cpu_ms": 1000 * cpu,
                  "conf_low": float(np.ravel(ci[0])[0]), "conf_high": float(np.ravel(ci[1])[0]),
                  "numpy": np.__version__}))
