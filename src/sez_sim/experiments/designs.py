"""Experimental designs: full grids, and Latin hypercube, Sobol and Morris samples from SALib.

A design is a table with one row per design point and one column per factor. Sampled designs come with the
SALib ``problem`` they were drawn for, which the analysis needs.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import latin, morris, sobol

from sez_sim.experiments.spec import Experiment


def problem(experiment: Experiment) -> dict[str, Any]:
    """The SALib problem: factor names and bounds."""
    return {
        "num_vars": len(experiment.factors),
        "names": [f.key for f in experiment.factors],
        "bounds": [list(f.bounds) for f in experiment.factors],
    }


def grid(experiment: Experiment) -> pd.DataFrame:
    """Every combination of the factors' values (or evenly spaced levels across their ranges)."""
    axes = []
    for f in experiment.factors:
        if f.values is not None:
            axes.append(list(f.values))
        else:
            lo, hi = f.bounds
            points = np.linspace(lo, hi, f.levels)
            axes.append([int(round(x)) if f.param is not None and f.param.integer else float(x) for x in points])
    rows = list(itertools.product(*axes)) if axes else [()]
    return pd.DataFrame(rows, columns=[f.key for f in experiment.factors])


def sample(experiment: Experiment) -> pd.DataFrame:
    """The design table of an experiment (one row per design point)."""
    if experiment.design == "grid":
        return grid(experiment)
    spec = problem(experiment)
    n, seed = experiment.samples, experiment.seed
    if experiment.design == "lhs":
        values = latin.sample(spec, n, seed=seed)
    elif experiment.design == "sobol":
        values = sobol.sample(spec, n, calc_second_order=False, seed=seed)
    else:
        values = morris.sample(spec, n, num_levels=4, seed=seed)
    frame = pd.DataFrame(values, columns=spec["names"])
    for f in experiment.factors:
        if f.param is not None and f.param.integer:
            frame[f.key] = frame[f.key].round().astype(int)
    return frame
