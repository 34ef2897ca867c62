"""Draw docs/figures/zone_fillup.png: how the model's new zones fill, beside observed zones (not fitted to them).

Run from the repository root: ``.venv/bin/python docs/figures/zone_fillup.py`` (about 40 seconds). The model's
curves are the six EWEC border SEZs (20,000 jobs each, built over five years from 2020), seed 1: managed at their
countries' default capacity (``scenarios/ewec_border_sezs.yaml``, left) and with the Lao and Myanmar zone authorities
trained from 2020 (``scenarios/capacity_building.yaml``, right). The observed points are from
../shared/design/EVIDENCE.md.
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
    "ewec_border_sezs.yaml": "management by country (THA 0.65, LAO 0.2, MMR 0.1)",
    "capacity_building.yaml": "Lao and Myanmar zone authorities trained from 2020",
}


def main() -> None:
    """Run the two scenarios and draw the figure."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    for ax, (scenario, title) in zip(axes, PANELS.items(), strict=True):
        zones = simulate(load_scenario(ROOT / "scenarios" / scenario, {"run.years": 15})).zones
        new = zones[zones["kind"] == "SEZ"].groupby("zone").filter(lambda z: z["jobs"].iloc[0] == 0)
        for name, z in new.groupby("zone"):
            since = z["year"] - z.loc[z["active"], "year"].min()
            country = z["country"].iloc[0]
            ax.plot(since, z["jobs"] / 1e3, lw=1.4, ls="-" if country == "THA" else "-.", label=f"{name} ({country})")
        ax.plot(since, z["capacity_jobs"] / 1e3, color="grey", ls="--", lw=0.8, label="capacity")
        for k, (label, years, jobs) in enumerate(OBSERVED):
            ax.scatter(years, jobs / 1e3, marker="*s^"[k], s=90, color="black", zorder=3, label=f"observed: {label}")
        ax.set_xlabel("years after the zone opened")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("thousand jobs")
    axes[1].legend(fontsize=7, loc="lower right")
    fig.suptitle("Zone fill-up: the model's new border SEZs (20,000 jobs each) and observed zones")
    fig.tight_layout()
    fig.savefig(Path(__file__).with_suffix(".png"), dpi=110)


if __name__ == "__main__":
    main()
