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
# # A tour of the Python API
#
# Build the calibrated GMS model, step it, look at its provinces (Mesa agents) and at the firm and worker
# populations (struct-of-arrays) as DataFrames, add a zone while it runs, and plot what changed. Run it from the
# repository root (or from `examples/`); it needs no internet. The test suite runs it with a short horizon.

# %% tags=["parameters"]
YEARS = 10  # years after the zone opens

# %%
import copy
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sez_sim import load_scenario
from sez_sim.policies import SEZInstrument

ROOT = Path.cwd() if Path("scenarios").is_dir() else Path.cwd().parent
os.chdir(ROOT)

# %% [markdown]
# ## Build and step the baseline
#
# A scenario file gives a validated scenario; `.model(seed)` builds a `mesa.Model` in its calibrated steady state
# (a few seconds: the economy is calibrated to reproduce every province's population and GDP per capita).

# %%
baseline = load_scenario("scenarios/gms_baseline.yaml").model(seed=1)
print(type(baseline).__mro__[1], len(baseline.provinces), "provinces,", len(baseline.zones), "zones")
baseline.run(years=1)
print("year", baseline.year)

# %% [markdown]
# ## Provinces are Mesa agents; firms and workers are arrays
#
# Each province agent holds the accounts of the last step. Firms and workers are populations of agents stored
# as parallel arrays (one entry per agent), which makes their rules vectorised.

# %%
provinces = pd.DataFrame(
    [{"name": p.name, "country": p.country, "gdp": p.gdp, "population": p.population} for p in baseline.provinces]
)
provinces.sort_values("gdp", ascending=False).head()

# %%
firms = pd.DataFrame(baseline.firms.snapshot())
workers = pd.DataFrame(baseline.workers.snapshot())
print(len(firms), "firm agents;", len(workers), "worker agents")
firms.head()

# %%
firms.groupby("province").size().describe()

# %% [markdown]
# ## Fork the model and add a zone while it runs
#
# `copy.deepcopy` forks an independent twin with the same random state: the two runs share their random numbers
# until the policy acts (common random numbers), so their difference is the policy's effect.

# %%
policy = copy.deepcopy(baseline)
policy.add_policy(SEZInstrument(province="Nonthaburi", phase_in=0, capacity_jobs=20_000))
for model in (baseline, policy):
    model.run(years=YEARS)

# %%
zones = policy.recorder.zones_frame()
ours = zones[zones["zone"] == "Nonthaburi SEZ"]
ax = ours.plot(x="year", y=["jobs", "capacity_jobs"], figsize=(6, 3))
ax.set_ylabel("jobs")
ax.set_title("Nonthaburi SEZ: jobs against capacity")
plt.show()

# %%
last = {
    label: model.recorder.provinces().query("step == step.max()").set_index("name")["gdp"]
    for label, model in (("baseline", baseline), ("policy", policy))
}
change = (last["policy"] / last["baseline"] - 1).sort_values()
print("GDP change, largest and smallest:")
pd.concat([change.head(3), change.tail(3)]).map("{:+.2%}".format)
