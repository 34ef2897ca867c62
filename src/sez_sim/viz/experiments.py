"""Figures of experiments: paired comparisons with bands, batch outcomes, sensitivity indices."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from sez_sim.viz.axes import year_axis  # noqa: E402
from sez_sim.viz.save import save_png  # noqa: E402

if TYPE_CHECKING:
    from sez_sim.experiments.compare import Comparison
    from sez_sim.experiments.spec import Experiment

PLACE_FIELDS = ("province", "crossing", "corridor", "country", "countries", "provinces", "zones", "crossings")
MAX_SCATTER_FACTORS = 8  # columns of the scatter of a sampled design; more factors are in runs.parquet

TRAJECTORIES = [
    ("gdp", "GDP (US$ m)"),
    ("gini", "Gini of GDP per capita"),
    ("theil_t_between", "Theil T between countries"),
    ("theil_t_within", "Theil T within countries"),
    ("capital_gdp_share", "capitals' share of GDP"),
    ("border_gdp_share", "border provinces' share of GDP"),
]


def comparison_figure(result: Comparison, path: Path) -> None:
    """Both scenarios' trajectories: mean over paired replicates with a 95% band.

    The legend is the figure's, under the panels: in a panel, long scenario names ran over the panel's tick labels.
    """
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5), layout="constrained")
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
    replicates = int(result.runs["replicate"].nunique())
    title = (
        f"{result.names[1]} (B) against {result.names[0]} (A): mean of {replicates} paired replicates, "
        "band = 95% interval of the mean"
    )
    fig.suptitle(textwrap.fill(title, 130))
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=9)
    save_png(fig, path)


MAPPED = {"gdp_per_capita": "GDP per capita", "workers_m": "modern workers"}
"""The province effects a comparison maps (figures/effect_map.png and workers_map.png), with their names."""


def effect_map(result: Comparison, path: Path, outcome: str = "gdp_per_capita") -> None:
    """B's ``outcome`` against A's in each province at the end, the mean over paired replicates, on the map.

    A province where the change is undefined (none in A, some in B) is left uncoloured and unlabelled.
    """
    from sez_sim.viz.figures import change_map

    effect = result.provinces[result.provinces["outcome"] == outcome]
    end = result.series["year"].max()
    replicates = int(effect["replicates"].iat[0])
    name = MAPPED[outcome]
    change_map(
        result.geography,
        effect["relative"].to_numpy() * 100.0,
        f"{result.names[1]} against {result.names[0]}: {name} in {end:.0f}, mean of {replicates} paired "
        "replicate" + ("s" if replicates > 1 else ""),
        f"{name[0].upper()}{name[1:]} against {result.names[0]} (%)",
        path,
        beyond_noise=effect["beyond_noise"].to_numpy(),
        discovered=effect["beyond_noise_fdr"].to_numpy(),
        policies=result.policies,
        dropped=result.dropped,
        names=result.names,
    )


def batch_figures(
    experiment: Experiment, design: pd.DataFrame, runs: pd.DataFrame, sensitivity: pd.DataFrame | None, folder: Path
) -> None:
    """Outcomes across the design, and sensitivity indices when the design has them.

    A sampled design (LHS, Sobol, Morris) is drawn as a scatter of every outcome against every numeric uncertainty,
    one row per outcome, one column per uncertainty, a colour per combination of the levers crossed with the
    sample: a factor that matters shows as a trend, one that does not as a cloud. A grid is drawn as the mean of
    each design point with its 95% interval over the replicates, against the factor's value when a single numeric
    factor spans it, else against design points labelled by every factor.
    """
    outcomes = [o.name for o in experiment.outcomes]
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        return
    keys = [f.key for f in experiment.factors]
    drawn = [f.key for f in experiment.sampled()]
    numeric = [k for k in drawn if pd.api.types.is_numeric_dtype(ok[f"factor:{k}"])]
    if numeric:
        fig = _scatter(ok, outcomes, numeric[:MAX_SCATTER_FACTORS], [f.key for f in experiment.crossed()])
    else:
        fig = _grid(ok, outcomes, keys)
    fig.suptitle(f"{experiment.name}: outcomes across the design ({len(ok)} runs)")
    save_png(fig, folder / "outcomes.png")
    _sensitivity(experiment, sensitivity, folder)


def _scatter(ok: pd.DataFrame, outcomes: list[str], keys: list[str], levers: list[str]) -> plt.Figure:
    settings = [part for _, part in ok.groupby([f"factor:{k}" for k in levers], sort=False)] if levers else [ok]
    labels = [setting_label(part.iloc[0], levers) for part in settings] if levers else [None]
    fig, axes = plt.subplots(
        len(outcomes),
        len(keys),
        figsize=(3.2 * len(keys) + 0.6, 2.6 * len(outcomes)),
        squeeze=False,
        sharex="col",
        sharey="row",
        layout="constrained",
    )
    for row, name in enumerate(outcomes):
        for col, key in enumerate(keys):
            ax = axes[row, col]
            for part, label in zip(settings, labels, strict=True):
                ax.scatter(part[f"factor:{key}"], part[name], s=8, alpha=0.5, label=label)
            ax.ticklabel_format(useOffset=False, style="plain")
            ax.grid(alpha=0.3)
            if row == len(outcomes) - 1:
                ax.set_xlabel(key, fontsize=8)
            if col == 0:
                ax.set_ylabel(name, fontsize=8)
            ax.tick_params(labelsize=7)
    if levers:
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3), fontsize=8)
    return fig


def _grid(ok: pd.DataFrame, outcomes: list[str], keys: list[str]) -> plt.Figure:
    points = ok.groupby("point")
    first = points.first()
    n = points[outcomes[0]].count().to_numpy()
    # Student's t, not 1.96: a grid usually has few replicates a point. With two, t is 12.7 and the bars would
    # swamp the runs they summarise, so intervals are drawn from three runs on; the runs are always drawn.
    t = np.where(n >= 3, stats.t.ppf(0.975, np.maximum(n - 1, 1)), 0.0)
    summary = "mean, 95% interval" if (n >= 3).any() else "mean"
    single = len(keys) == 1 and pd.api.types.is_numeric_dtype(ok[f"factor:{keys[0]}"])
    columns = min(3, len(outcomes))
    rows = int(np.ceil(len(outcomes) / columns))
    if single:
        # One numeric factor: its values on the x axis, in order (a file may list them in any order).
        values = first[f"factor:{keys[0]}"].to_numpy()
        order = np.argsort(values, kind="stable")
        fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.6 * rows), squeeze=False, layout="constrained")
    else:
        # Several factors (or none): one row per design point, labelled by its factor values, read across.
        order = np.arange(len(first))[::-1]  # the first point at the top
        labels = [setting_label(first.loc[p], keys) for p in first.index[order]] if keys else ["all runs"] * len(order)
        height = max(2.2, 1.2 + 0.24 * len(first))
        fig, axes = plt.subplots(
            rows, columns, figsize=(4.2 * columns + 2.5, height * rows), squeeze=False, layout="constrained"
        )
    # Where each point's mean and each run go on the factor's axis: its value, or the point's row.
    at = values[order] if single else np.arange(len(order))
    rows_of = pd.Series(np.arange(len(order)), index=first.index[order])
    runs = ok[f"factor:{keys[0]}"] if single else rows_of.loc[ok["point"]].to_numpy()
    for k, (ax, name) in enumerate(zip(axes.ravel(), outcomes, strict=False)):
        mean, half = points[name].mean().to_numpy()[order], (t * points[name].sem().fillna(0.0)).to_numpy()[order]
        if single:
            ax.scatter(runs, ok[name], s=10, color="0.6", zorder=1, label="runs")
            ax.errorbar(at, mean, yerr=half, fmt="o-", capsize=3, markersize=4, zorder=2, label=summary)
            ax.set_xlabel(keys[0])
            ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        else:
            ax.ticklabel_format(axis="x", useOffset=False, style="plain")
            ax.scatter(ok[name], runs, s=10, color="0.6", zorder=1, label="runs")
            ax.errorbar(mean, at, xerr=half, fmt="o", capsize=3, markersize=4, zorder=2, label=summary)
            ax.set_yticks(at, labels if k % columns == 0 else [], fontsize=7)
            ax.set_ylim(-0.6, len(order) - 0.4)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    for ax in axes.ravel()[len(outcomes) :]:
        ax.set_visible(False)
    return fig


def setting_label(row: pd.Series, keys: list[str]) -> str:
    """The values of ``keys`` in a row of ``runs.parquet`` (``factor:<key>`` columns), each key cut to its last part.

    ``labour_market=True``; a list of policies is summarised (``policies=sez P03``, ``policies=6 sez``,
    ``policies=none``): its text would fill the axis.
    """
    return ", ".join(f"{key.rsplit('.', 1)[-1]}={factor_text(row[f'factor:{key}'])}" for key in keys)


def factor_text(value: Any) -> str:
    """A factor's value as labels show it: numbers short (``0.1``), a list of policies summarised (``describe``)."""
    if isinstance(value, str) and value[:1] in "[{":
        return describe(json.loads(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(value: Any) -> str:
    """A short name for a list of policies (or any other list or mapping a factor takes)."""
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        if not value:
            return "none"
        if len(value) == 1:
            policy = value[0]
            place = next((policy[k] for k in PLACE_FIELDS if k in policy), "")
            where = ",".join(map(str, place)) if isinstance(place, list) else str(place)
            return textwrap.shorten(f"{policy.get('type', '?')} {where}".strip(), 32, placeholder="…")
        kinds = Counter(str(v.get("type", "?")) for v in value)
        return " + ".join(f"{count} {kind}" for kind, count in kinds.items())
    return textwrap.shorten(json.dumps(value), 32, placeholder="…")


def _sensitivity(experiment: Experiment, sensitivity: pd.DataFrame | None, folder: Path) -> None:
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
        ax.set_yticks(y, _sensitivity_labels(part), fontsize=8)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3, axis="x")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"{experiment.name}: {'Sobol' if sobol else 'Morris'} sensitivity (95% intervals)")
    fig.tight_layout()
    save_png(fig, folder / "sensitivity.png")


INDEX_COLUMNS = {"outcome", "factor", "S1", "S1_conf", "ST", "ST_conf", "mu", "mu_star", "mu_star_conf", "sigma"}


def _sensitivity_labels(part: pd.DataFrame) -> list[str]:
    """Each row's factor, with the levers' values its indices were computed at (a column per lever)."""
    levers = [c for c in part.columns if c not in INDEX_COLUMNS]
    if not levers:
        return list(part["factor"])
    settings = part[levers].rename(columns=lambda k: f"factor:{k}")
    return [f"{row['factor']} ({setting_label(settings.loc[i], levers)})" for i, row in part.iterrows()]


MAX_DISCOVERY_PANELS = 6
"""Lever settings drawn in a discovery figure; the others are in the JSON."""


def discovery_figure(answer: dict[str, Any], runs: pd.DataFrame, path: Path) -> None:
    """Each lever setting's runs on the two factors PRIM finds most important, the cases in red, the box drawn.

    The box's limits on those two factors (the full range where it does not restrict one) show where the cases
    concentrate; a setting with no case, or only cases, has no box.
    """
    settings = answer["settings"][:MAX_DISCOVERY_PANELS]
    factors = answer["factors"]
    columns = min(len(settings), 3)
    rows = -(-len(settings) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.4 * columns, 3.9 * rows), squeeze=False, layout="constrained")
    ok = runs[runs["status"] == "ok"]
    for ax, setting in zip(axes.ravel(), settings, strict=False):
        part = ok
        for key, value in setting["levers"].items():
            part = part[part[f"factor:{key}"] == value]
        ranked = list(setting["importance"] or {}) or factors
        x_key, y_key = (ranked + [f for f in factors if f not in ranked])[:2] if len(factors) > 1 else (factors[0],) * 2
        values = part[answer["outcome"]].to_numpy(float)
        threshold = float(answer["condition"].split()[1])
        cases = values < threshold if answer["condition"].startswith("below") else values > threshold
        x, y = part[f"factor:{x_key}"].to_numpy(float), part[f"factor:{y_key}"].to_numpy(float)
        ax.scatter(x[~cases], y[~cases], s=12, color="0.65", label="other runs")
        ax.scatter(x[cases], y[cases], s=14, color="#e15759", label=f"{answer['outcome']} {answer['condition']}")
        if setting["box"] is not None:
            limits = setting["box"]["restrictions"]
            low_x, high_x = (limits[x_key]["low"], limits[x_key]["high"]) if x_key in limits else (x.min(), x.max())
            low_y, high_y = (limits[y_key]["low"], limits[y_key]["high"]) if y_key in limits else (y.min(), y.max())
            box = setting["box"]
            ax.add_patch(
                plt.Rectangle(
                    (low_x, low_y),
                    high_x - low_x,
                    high_y - low_y,
                    fill=False,
                    lw=1.5,
                    ls="-" if box["reproducible"] else "--",
                    label=f"box: coverage {box['coverage']:.0%}, density {box['density']:.0%}"
                    + ("" if box["reproducible"] else " (not reproducible)"),
                )
            )
        where = ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in setting["levers"].items())
        ax.set_title(f"{where or 'all runs'}: {setting['cases']} of {setting['runs']}", fontsize=9)
        ax.set_xlabel(x_key, fontsize=8)
        ax.set_ylabel(y_key, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.ticklabel_format(useOffset=False, style="plain")
        ax.legend(fontsize=6, loc="best")
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(settings) :]:
        ax.set_visible(False)
    fig.suptitle(f"Where {answer['outcome']} is {answer['condition']} (PRIM)")
    path.parent.mkdir(parents=True, exist_ok=True)
    save_png(fig, path)
