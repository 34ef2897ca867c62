"""Draw docs/figures/zone_fillup.png: how the model's new zones fill, beside observed zones (not fitted to them).

Run from the repository root: ``.venv/bin/python docs/figures/zone_fillup.py`` (about 20 seconds). The model's
curves are the six EWEC border SEZs of ``scenarios/ewec_border_sezs.yaml`` (20,000 jobs each, built over five years
from 2020), seed 1; the observed points are from ../shared/design/EVIDENCE.md.
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


def main() -> None:
    """Run the scenario and draw the figure."""
    result = simulate(load_scenario(ROOT / "scenarios/ewec_border_sezs.yaml", {"run.years": 15}))
    zones = result.zones
    new = zones[zones["kind"] == "SEZ"].groupby("zone").filter(lambda z: z["jobs"].iloc[0] == 0)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for name, z in new.groupby("zone"):
        since = z["year"] - z.loc[z["active"], "year"].min()
        ax.plot(since, z["jobs"] / 1e3, lw=1.2, label=f"model: {name}")
    ax.plot(since, z["capacity_jobs"] / 1e3, color="grey", ls="--", lw=0.8)  # the same for every zone
    for k, (label, years, jobs) in enumerate(OBSERVED):
        ax.scatter(years, jobs / 1e3, marker="*s^"[k], s=90, color="black", zorder=3, label=f"observed: {label}")
    ax.set_xlabel("years after the zone opened")
    ax.set_ylabel("thousand jobs")
    ax.set_title("Zone fill-up: model (20,000-job zones, dashed: capacity) and observed zones")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(Path(__file__).with_suffix(".png"), dpi=110)


if __name__ == "__main__":
    main()
