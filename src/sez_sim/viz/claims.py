"""Figures of a claim's answer: the effect over the draws, the box where it fails, the effect over time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from sez_sim.viz.save import save_png  # noqa: E402

if TYPE_CHECKING:
    from sez_sim.experiments.claims import Claim


def claim_figures(claim: Claim, answer: dict[str, Any], runs: pd.DataFrame, series: pd.DataFrame, folder: Path):
    """Draw ``effects.png``, ``box.png`` (when PRIM found a box) and ``over_time.png`` (summary outcomes)."""
    folder.mkdir(parents=True, exist_ok=True)
    m, d = answer["threshold"], answer["defaults"]
    sign = 1.0 if claim.expect == "increase" else -1.0
    sampled = runs[runs["point"] >= 0]

    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    if len(sampled):
        ax.hist(sampled["effect"].dropna(), bins=max(5, min(30, len(sampled) // 2)), color="#7a9cc6", label="draws")
    ax.axvspan(d["ci_low"], d["ci_high"], color="orange", alpha=0.35, label="95% interval at the defaults")
    ax.axvline(sign * m, color="black", ls="--", lw=1, label=f"smallest effect that counts ({claim.expect})")
    ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_xlabel(f"effect on {claim.outcome.name} (treatment - baseline)")
    ax.set_ylabel("draws")
    ax.set_title(f"{claim.name}: {d['verdict']} at the defaults", fontsize=10)
    ax.legend(fontsize=7)
    save_png(fig, folder / "effects.png")

    hinge = answer.get("hinges_on") or {}
    box = hinge.get("box")
    if box:
        ranked = [k for k in hinge["importance"] if k in box["restrictions"]] + [
            k for k in hinge["importance"] if k not in box["restrictions"]
        ]
        x, y = ranked[:2] if len(ranked) > 1 else (ranked[0], ranked[0])
        holds = sign * sampled["effect"] > m
        fig, ax = plt.subplots(figsize=(5.5, 4.5))
        ax.scatter(sampled.loc[holds, x], sampled.loc[holds, y], s=14, color="#2b7bba", label="claim holds")
        ax.scatter(sampled.loc[~holds, x], sampled.loc[~holds, y], s=14, color="#d7301f", label="claim fails")
        lim = {
            k: (box["restrictions"][k]["low"], box["restrictions"][k]["high"])
            if k in box["restrictions"]
            else (sampled[k].min(), sampled[k].max())
            for k in (x, y)
        }
        ax.add_patch(
            Rectangle(
                (lim[x][0], lim[y][0]), lim[x][1] - lim[x][0], lim[y][1] - lim[y][0], fill=False, ec="black", lw=1.2
            )
        )
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        note = "" if box["reproducible"] else " (not reproducible)"
        ax.set_title(f"PRIM box{note}: coverage {box['coverage']:.2f}, density {box['density']:.2f}", fontsize=10)
        ax.legend(fontsize=7)
        save_png(fig, folder / "box.png")

    column = claim.outcome.column
    if claim.outcome.table == "summary" and column in series.columns:
        wide = series.pivot_table(index=["year", "replicate"], columns="arm", values=column).reset_index()
        wide["effect"] = wide["treatment"] - wide["baseline"]
        band = wide.groupby("year")["effect"].agg(["mean", "min", "max"])
        fig, ax = plt.subplots(figsize=(6.5, 3.4))
        ax.fill_between(band.index, band["min"], band["max"], alpha=0.3, label="replicates' range")
        ax.plot(band.index, band["mean"], lw=1.5, label="mean effect")
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_xlabel("year")
        ax.set_ylabel(f"{column}: treatment - baseline")
        ax.set_title("the effect over time, at the default parameters", fontsize=10)
        ax.legend(fontsize=7)
        save_png(fig, folder / "over_time.png")
