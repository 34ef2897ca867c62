"""Draw docs/figures/zone_fillup.png: how the library's new zones fill, beside observed zones (not fitted to them).

Run from the repository root: ``.venv/bin/python docs/figures/zone_fillup.py`` (about a minute). The model's curves
are the new zones of three library scenarios (20,000 jobs each, built over five years from 2020, 19 years, seed 1):
the six EWEC border SEZs, the four CBEZ pairs (eight twin zones) and the same six SEZs next to the capitals. The
observed points are from ../shared/design/EVIDENCE.md. It prints, per zone, when it first held half its capacity
and its jobs at the end, the numbers docs/policies.md quotes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sez_sim.runs import simulate  # noqa: E402
from sez_sim.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OBSERVED = [
    # zone, years after opening, jobs
    ("Savan-Seno (2008): Jan 2015", 7, 2_000),
    ("Thilawa (2015): May 2022, 40,000 planned", 7, 13_300),
    ("Phnom Penh SEZ (2006): 2019", 13, 21_717),
]
PANELS = {
    "ewec_border_sezs.yaml": "six border SEZs on the EWEC",
    "cbez_pairs.yaml": "four CBEZ pairs (eight twin zones)",
    "capital_sezs.yaml": "the same six SEZs next to the capitals",
}


def main() -> None:
    """Run the three scenarios and draw the figure."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 6.4), sharey=True)
    for ax, (scenario, title) in zip(axes, PANELS.items(), strict=True):
        zones = simulate(load_scenario(ROOT / "scenarios" / scenario, {"run.years": 19}), seed=1).zones
        new = zones.groupby("zone").filter(lambda z: z["jobs"].iloc[0] == 0 and z["active"].any())
        for name, z in new.groupby("zone"):
            since = z["year"] - z.loc[z["active"], "year"].min()
            half = since[z["jobs"] >= z["capacity_jobs"].max() / 2]
            print(
                f"{name}: half full after {half.min() if len(half) else '-'} years, "
                f"{z['jobs'].iloc[-1]:,.0f} jobs after {since.iloc[-1]:.0f}"
            )
            ax.plot(
                since, z["jobs"] / 1e3, lw=1.4, label=name.replace(" CBEZ ", " ").replace("Autonomous Prefecture", "AP")
            )
        ax.plot(since, z["capacity_jobs"] / 1e3, color="grey", ls="--", lw=0.8, label="capacity")
        for k, (label, years, jobs) in enumerate(OBSERVED):
            ax.scatter(years, jobs / 1e3, marker="*s^"[k], s=90, color="black", zorder=3, label=f"observed: {label}")
        ax.set_xlabel("years after the zone opened")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    axes[0].set_ylabel("thousand jobs")
    fig.suptitle(
        "Zone fill-up: the library's new zones (20,000 jobs each; default parameters, seed 1) and observed zones"
    )
    fig.tight_layout()
    fig.savefig(Path(__file__).with_suffix(".png"), dpi=110)


if __name__ == "__main__":
    main()
