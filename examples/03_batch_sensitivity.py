# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A batch and its sensitivity analysis
#
# An experiment file declares factors, a design, replicates and outcomes; `run_batch` runs it on local processes
# (or Dask) and stores each run as it finishes, so a stopped batch resumes. This notebook runs the students'
# Sobol exercise (`experiments/exercises/03_sobol.yaml`: three uncertain parameters of the teaching corridor) and
# reads its Sobol indices.

# %% tags=["parameters"]
SAMPLES = 16  # Saltelli base samples: 16 x 5 = 80 runs
YEARS = 10
WORKERS = 2

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sez_sim.experiments import load_experiment, run_batch

ROOT = Path.cwd() if Path("scenarios").is_dir() else Path.cwd().parent
os.chdir(ROOT)

# %%
experiment = load_experiment(
    "experiments/exercises/03_sobol.yaml", [f"samples={SAMPLES}"], options={"years": ("years", YEARS)}
)
[(factor.key, factor.range) for factor in experiment.factors]

# %%
result = run_batch(experiment, "results/notebook_sobol", workers=WORKERS)
runs = pd.read_parquet("results/notebook_sobol/runs.parquet")
print(len(runs), "runs,", result.failed, "failed")
runs.filter(like="factor:").join(runs[["host_gdp_change", "zone_jobs"]]).describe().round(3)

# %% [markdown]
# First-order (S1) and total (ST) indices with their 95% half-widths (SALib). A total index far above the
# first-order one means the parameter acts through interactions; at small N the intervals are wide.

# %%
sensitivity = pd.read_parquet("results/notebook_sobol/sensitivity.parquet")
sensitivity.round(3)

# %%
pivot = sensitivity.pivot(index="factor", columns="outcome", values="ST")
errors = sensitivity.pivot(index="factor", columns="outcome", values="ST_conf")
ax = pivot.plot.barh(xerr=errors, figsize=(6, 3))
ax.set_xlabel("total Sobol index ST")
plt.show()
