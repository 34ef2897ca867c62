"""Figures of experiments: paired comparisons with bands, batch outcomes, sensitivity indices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sez_sim.viz.axes import year_axis  # noqa: E402
from sez_sim.viz.save import save_png  # noqa: E402

if TYPE_CHECKING:
    from sez_sim.experiments.compare import Comparison
    from sez_sim.experiments.spec import Experiment

TRAJECTORIES = [
    ("gdp", "GDP (US$ m)"),
    ("gini", "Gini of GDP per capita"),
    ("theil_t_between", "Theil T between countries"),
    ("theil_t_within", "Theil T within countries"),
    ("capital_gdp_share", "capitals' share of GDP"),
    ("border_gdp_share", "border provinces' share of GDP"),
]


def comparison_figure(result: Comparison, path: Path) -> None:
    """Both scenarios' trajectories: mean over paired replicates with a 95% band."""
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    s = result.series
    for ax, (column, label) in zip(axes.ravel(), TRAJECTORIES, strict=True):
        for scenario, colour in (("A", "#4e79a7"), ("B", "#e15759")):
            grouped = s[s["scenario"] == scenario].groupby("year")[column]
            mean, sem, n = grouped.mean(), grouped.sem(), grouped.count()
            half = 1.96 * sem.fillna(0.0) if n.min() > 1 else 0.0 * mean
            name = result.names[0 if scenario == "A" else 1]
            ax.plot(mean.index, mean, color=colour, label=f"{scenario}: {name}")
            ax.fill_between(mean.index, mean - half, mean + half, color=colour, alpha=0.2)
        ax.set_title(label, fontsize=10)
        year_axis(ax)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    replicates = int(result.runs["replicate"].nunique())
    fig.suptitle(
        f"{result.names[1]} (B) against {result.names[0]} (A): mean of {replicates} paired replicates, "
        "band = 95% interval of the mean"
    )
    fig.tight_layout()
    save_png(fig, path)


def batch_figures(
    experiment: Experiment, design: pd.DataFrame, runs: pd.DataFrame, sensitivity: pd.DataFrame | None, folder: Path
) -> None:
    """Outcomes across the design, and sensitivity indices when the design has them."""
    outcomes = [o.name for o in experiment.outcomes]
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        return
    columns = min(3, len(outcomes))
    rows = int(np.ceil(len(outcomes) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.6 * rows), squeeze=False)
    first = f"factor:{experiment.factors[0].key}" if experiment.factors else None
    numeric = first is not None and pd.api.types.is_numeric_dtype(ok[first])
    for ax, name in zip(axes.ravel(), outcomes, strict=False):
        if numeric:
            ax.scatter(ok[first], ok[name], s=12, alpha=0.6)
            ax.set_xlabel(experiment.factors[0].key)
        else:
            by_point = ok.groupby("point")[name]
            ax.errorbar(
                by_point.mean().index, by_point.mean(), yerr=1.96 * by_point.sem().fillna(0), fmt="o", capsize=3
            )
            ax.set_xlabel("design point" + (f" ({experiment.factors[0].key})" if experiment.factors else ""))
            if first is not None:
                labels = ok.groupby("point")[first].first().astype(str).str.slice(0, 14)
                ax.set_xticks(labels.index, labels, rotation=45, ha="right", fontsize=7)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(outcomes) :]:
        ax.set_visible(False)
    fig.suptitle(f"{experiment.name}: outcomes across the design ({len(ok)} runs)")
    fig.tight_layout()
    save_png(fig, folder / "outcomes.png")
    if sensitivity is None or sensitivity.empty:
        return
    sobol = "ST" in sensitivity.columns
    names = list(dict.fromkeys(sensitivity["outcome"]))
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 2.6 * len(names)), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=True):
        part = sensitivity[sensitivity["outcome"] == name]
        y = np.arange(len(part))
        if sobol:
            ax.barh(y - 0.2, part["S1"], 0.4, xerr=part["S1_conf"], label="S1 (first order)")
            ax.barh(y + 0.2, part["ST"], 0.4, xerr=part["ST_conf"], label="ST (total)")
        else:
            ax.barh(y, part["mu_star"], 0.5, xerr=part["mu_star_conf"], label="mu* (mean |elementary effect|)")
            ax.plot(part["sigma"], y, "k|", markersize=12, label="sigma")
        ax.set_yticks(y, part["factor"], fontsize=8)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3, axis="x")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"{experiment.name}: {'Sobol' if sobol else 'Morris'} sensitivity (95% intervals)")
    fig.tight_layout()
    save_png(fig, folder / "sensitivity.png")
