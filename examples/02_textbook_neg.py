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
# # Textbook new economic geography with agents
#
# Krugman's core-periphery model (Fujita, Krugman & Venables 1999, ch. 5) runs on the same solver, agents and
# step loop as the GMS model. With sigma = 5 and mu = 0.4 theory puts the break point at phi_B = 1/7 and the
# sustain point at phi_S = 0.094. Here 1,000 worker agents, starting 55/45, move towards the higher real wage at
# freeness levels around them; where do they agglomerate?

# %% tags=["parameters"]
YEARS = 40
FREENESS = [0.06, 0.09, 0.12, 0.14, 0.15, 0.18, 0.22]

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sez_sim import run_scenario
from sez_sim.economy.closed_forms import break_point, sustain_point

ROOT = Path.cwd() if Path("scenarios").is_dir() else Path.cwd().parent
os.chdir(ROOT)
phi_b, phi_s = break_point(5.0, 0.4), sustain_point(5.0, 0.4)
print(f"phi_B = {phi_b:.4f}, phi_S = {phi_s:.4f}")


# %%
def concentration(freeness: float, shares: tuple[float, float]) -> float:
    """The larger region's share of mobile workers at the end of a run."""
    result = run_scenario(
        "scenarios/textbook/core_periphery.yaml",
        seed=1,
        overrides={"geography.synthetic.freeness": freeness, "initial.shares": list(shares), "run.years": YEARS},
    )
    last = result.provinces.query("step == step.max()")
    return float(last["population"].max() / last["population"].sum())


rows = [
    {"phi": phi, "start": f"{round(100 * a)}/{round(100 * (1 - a))}", "concentration": concentration(phi, (a, 1 - a))}
    for phi in FREENESS
    for a in (0.55, 0.8)
]
table = pd.DataFrame(rows).pivot(index="phi", columns="start", values="concentration")
table

# %% [markdown]
# Population counts workers and farmers; the farmers are immobile and split evenly, so full agglomeration of the
# mobile workers shows as the larger region's share of everyone reaching its maximum, and an even split as 0.5.

# %%
ax = table.plot(marker="o", figsize=(6, 3.5))
ax.axvline(phi_s, color="grey", ls=":", label="phi_S")
ax.axvline(phi_b, color="grey", ls="--", label="phi_B")
ax.set_xlabel("freeness of trade phi")
ax.set_ylabel("larger region's share")
ax.legend()
plt.show()
