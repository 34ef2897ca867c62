"""Scenario discovery: the box of uncertain parameter values where the cases of interest concentrate.

PRIM (EMA Workbench 3.x, ``prim.Prim``; Friedman & Fisher 1999, Bryant & Lempert 2010) peels the space of the
uncertainties towards a box that holds the cases (the draws where a claim fails, the runs where an outcome falls
below a threshold). On the peeling trajectory, among the boxes that hold at least :data:`MIN_COVERAGE` of the
cases, the one chosen restricts the fewest parameters while coming within :data:`DENSITY_TOLERANCE` of the highest
density. Each restriction is reported with how often resampling half the cases reproduces it (:data:`RESAMPLES`
resamples) and its quasi-p-value (a one-sided binomial test of whether the box's density needs it); one found in
under :data:`REPRODUCIBLE` of the resamples, or with a quasi-p-value of :data:`SIGNIFICANCE` or more, is marked not
reproducible, and a box with no reproducible restriction says the cases are spread over the uncertainties rather
than in one corner. Extra-trees feature scores (``get_ex_feature_scores``) rank the parameters.

Claims use it on their robustness draws (:mod:`sez_sim.experiments.claims`); :func:`discover` on a finished batch,
``sez-sim discover FOLDER OUTCOME --below X``: the cases are the runs whose outcome is below (or above) a threshold.
A sampled design's box is over its uncertainties, one for each setting of its levers (the levers are what the
batch compares, not what is uncertain); a grid's is over its numeric factors.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sez_sim.errors import Problem, ScenarioError
from sez_sim.experiments.spec import Experiment
from sez_sim.io import atomic_path

MIN_COVERAGE = 0.5
"""The PRIM box reported holds at least this share of the cases."""

DENSITY_TOLERANCE = 0.05
"""Of the boxes within this much of the densest (and holding enough of the cases), the one restricting the fewest
parameters is reported: further restrictions that buy less density mostly fit noise."""

REPRODUCIBLE = 0.5
"""A restriction counts as reproducible when at least this share of the resamples find it (by coverage or density);
a box with none is reported as not reproducible: the cases are spread over the uncertainties."""

RESAMPLES = 10
"""Half-samples PRIM is rerun on to say how reproducible each restriction is."""

SIGNIFICANCE = 0.05
"""A restriction counts only when its quasi-p-value is below this: the chance that the box's density would be as high
without it (a binomial test, Bryant & Lempert 2010). With few cases among many, PRIM boxes noise; a restriction that
is not significant is reported but not counted."""


def prim_box(x: pd.DataFrame, cases: np.ndarray, seed: int) -> dict[str, Any]:
    """PRIM's box of the rows of ``x`` (parameter values) where ``cases`` is true, and the parameters' importance.

    Needs at least one case and one other row. Returns ``{"box": {"restrictions", "reproducible", "coverage",
    "density", "mass"}, "importance": {...}, "note": None}``; each restriction has ``low``, ``high``, ``quasi_p``,
    ``reproduce_coverage``, ``reproduce_density`` and ``reproducible``.
    """
    with warnings.catch_warnings():  # the workbench warns of optional back ends it lacks and of pandas deprecations
        warnings.simplefilter("ignore")
        return _prim(x.reset_index(drop=True).astype(float), np.asarray(cases, bool), seed)


def _prim(x: pd.DataFrame, cases: np.ndarray, seed: int) -> dict[str, Any]:
    from ema_workbench.analysis import feature_scoring, prim

    box = prim.Prim(x, cases).find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= MIN_COVERAGE]
    close = eligible[eligible["density"] >= eligible["density"].max() - DENSITY_TOLERANCE]
    best = close.sort_values(["res_dim", "density"], ascending=[True, False]).index[0]
    box.select(int(best))
    limits = box.box_lims[int(best)]
    restricted = [c for c in x.columns if limits.loc[0, c] > x[c].min() or limits.loc[1, c] < x[c].max()]
    reproduce = box.resample(int(best), iterations=RESAMPLES, rng=seed) if restricted else pd.DataFrame()
    # The workbench's default, a third of the parameters rounded, is 0 for a single one, which scikit-learn refuses.
    features = max(1, round(x.shape[1] / 3))
    scores = feature_scoring.get_ex_feature_scores(x, cases.astype(int), max_features=features, random_state=seed)[0]
    importance = scores.iloc[:, 0].sort_values(ascending=False)
    quasi_p = box.p_values[int(best)]
    restrictions = {
        c: {
            "low": float(limits.loc[0, c]),
            "high": float(limits.loc[1, c]),
            "quasi_p": min((float(v) for v in quasi_p.get(c, []) if v >= 0), default=None),
            "reproduce_coverage": float(reproduce.loc[c, "reproduce coverage"]) / 100 if c in reproduce.index else None,
            "reproduce_density": float(reproduce.loc[c, "reproduce density"]) / 100 if c in reproduce.index else None,
        }
        for c in restricted
    }
    for limits_of in restrictions.values():
        shares = [v for v in (limits_of["reproduce_coverage"], limits_of["reproduce_density"]) if v is not None]
        significant = limits_of["quasi_p"] is not None and limits_of["quasi_p"] < SIGNIFICANCE
        limits_of["reproducible"] = bool(shares) and max(shares) >= REPRODUCIBLE and significant
    return {
        "box": {
            "restrictions": restrictions,
            "reproducible": any(v["reproducible"] for v in restrictions.values()),
            "coverage": float(trajectory.loc[best, "coverage"]),
            "density": float(trajectory.loc[best, "density"]),
            "mass": float(trajectory.loc[best, "mass"]),
        },
        "importance": {k: float(v) for k, v in importance.items()},
        "note": None,
    }


def discover(
    folder: str | Path, outcome: str, below: float | None = None, above: float | None = None
) -> dict[str, Any]:
    """Where in its uncertainties a finished batch's outcome is below (or above) a threshold, per lever setting.

    Reads the batch folder's ``experiment.yaml`` and ``runs.parquet`` (runs that failed are left out) and writes
    ``discovery_<outcome>.json`` and ``figures/discovery_<outcome>.png`` into it.

    Args:
        folder: the batch's output folder.
        outcome: one of the experiment's outcomes.
        below: the runs whose outcome is below this are the cases.
        above: ... or those whose outcome is above this (give one of the two).

    Returns:
        ``{"outcome", "condition", "settings": [{"levers", "runs", "cases", "box", "importance", "note"}, ...]}``.

    Raises:
        ScenarioError: for a folder without a finished batch, an unknown outcome, or not exactly one threshold.
    """
    folder = Path(folder)
    if (below is None) == (above is None):
        raise ScenarioError([Problem("discover", "", "give one threshold: --below X or --above X")])
    try:
        spec = yaml.safe_load((folder / "experiment.yaml").read_text())
        runs = pd.read_parquet(folder / "runs.parquet")
    except (OSError, ValueError) as exc:
        raise ScenarioError(
            [Problem(str(folder), "", f"not the folder of a finished batch (experiment.yaml, runs.parquet): {exc}")]
        ) from None
    experiment = Experiment.model_validate(spec)
    names = [o.name for o in experiment.outcomes]
    if outcome not in names:
        raise ScenarioError([Problem(str(folder), "outcome", f"unknown outcome {outcome!r}; the batch has {names}")])
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        raise ScenarioError([Problem(str(folder), "", "the batch has no finished run (run it again to finish it)")])
    if experiment.design == "grid":
        levers: list[str] = []
        factors = [f.key for f in experiment.factors if pd.api.types.is_numeric_dtype(ok[f"factor:{f.key}"])]
    else:
        levers = [f.key for f in experiment.crossed()]
        factors = [f.key for f in experiment.sampled()]
    if not factors:
        raise ScenarioError([Problem(str(folder), "factors", "no numeric factor to look for a box in")])
    condition = f"below {below:g}" if below is not None else f"above {above:g}"
    settings = []
    groups = ok.groupby([f"factor:{k}" for k in levers], sort=False) if levers else [((), ok)]
    for key, part in groups:
        values = part[outcome].to_numpy(float)
        cases = values < below if below is not None else values > above
        setting = dict(zip(levers, key if isinstance(key, tuple) else (key,), strict=True)) if levers else {}
        found: dict[str, Any] = {"box": None, "importance": None, "note": None}
        if not cases.any() or cases.all():
            found["note"] = f"{'every' if cases.all() else 'no'} run is {condition}"
        else:
            x = part[[f"factor:{k}" for k in factors]].set_axis(factors, axis=1)
            found = prim_box(x, cases, experiment.seed)
        settings.append({"levers": setting, "runs": len(part), "cases": int(cases.sum())} | found)
    answer = {"outcome": outcome, "condition": condition, "factors": factors, "settings": settings}
    with atomic_path(folder / f"discovery_{outcome}.json") as tmp:
        tmp.write_text(json.dumps(answer, indent=2, default=_plain) + "\n")
    from sez_sim.viz.experiments import discovery_figure

    discovery_figure(answer, runs, folder / "figures" / f"discovery_{outcome}.png")
    return answer


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__}")
