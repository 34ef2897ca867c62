"""Experimental designs: full grids, and Latin hypercube, Sobol and Morris samples from SALib.

A design is a table with one row per design point and one column per factor. Sampled designs draw the
uncertainties (the SALib ``problem`` they were drawn for, which the analysis needs) and cross the sample with
every combination of the levers: the levers' first combination at every sample point, then the next, so each
combination is compared on the same draws and the sensitivity indices are computed for each.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import latin, morris, sobol

from sez_sim.experiments.spec import Experiment, Factor


def problem(experiment: Experiment) -> dict[str, Any]:
    """The SALib problem: the sampled factors' names and bounds."""
    factors = experiment.sampled()
    return {
        "num_vars": len(factors),
        "names": [f.key for f in factors],
        "bounds": [list(f.bounds) for f in factors],
    }


def grid(factors: list[Factor]) -> pd.DataFrame:
    """Every combination of the factors' values (or evenly spaced levels across their ranges), the last fastest."""
    axes = []
    for f in factors:
        if f.values is not None:
            axes.append(list(f.values))
        else:
            lo, hi = f.bounds
            points = np.linspace(lo, hi, f.levels)
            axes.append([int(round(x)) if f.param is not None and f.param.integer else float(x) for x in points])
    rows = list(itertools.product(*axes)) if axes else [()]
    return pd.DataFrame(rows, columns=[f.key for f in factors])


def sample(experiment: Experiment) -> pd.DataFrame:
    """The design table of an experiment (one row per design point, one column per factor in the file's order)."""
    if experiment.design == "grid":
        return grid(experiment.factors)
    spec = problem(experiment)
    n, seed = experiment.samples, experiment.seed
    if experiment.design == "lhs":
        values = latin.sample(spec, n, seed=seed)
    elif experiment.design == "sobol":
        values = sobol.sample(spec, n, calc_second_order=False, seed=seed)
    else:
        values = morris.sample(spec, n, num_levels=4, seed=seed)
    frame = pd.DataFrame(values, columns=spec["names"])
    for f in experiment.sampled():
        if f.param is not None and f.param.integer:
            frame[f.key] = frame[f.key].round().astype(int)
    levers = experiment.crossed()
    if levers:
        frame = grid(levers).merge(frame, how="cross")
    return frame[[f.key for f in experiment.factors]]


def lever_settings(experiment: Experiment, design: pd.DataFrame) -> list[tuple[dict[str, Any], np.ndarray]]:
    """A sampled design's combinations of lever values, each with its design points (in sample order).

    One combination holding every point when the design has no levers.
    """
    keys = [f.key for f in experiment.crossed()]
    size = len(design) // max(len(grid(experiment.crossed())), 1)
    return [
        ({k: design[k].iloc[start] for k in keys}, np.arange(start, start + size))
        for start in range(0, len(design), max(size, 1))
    ]


def setting_text(setting: dict[str, Any]) -> str:
    """A lever setting in words, ``key = value, ...`` (lists and mappings as JSON, as ``runs.parquet`` holds them)."""
    return ", ".join(f"{k} = {json.dumps(v) if isinstance(v, list | dict) else v}" for k, v in setting.items())
