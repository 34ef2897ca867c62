"""Batches: expand an experiment into runs, execute them anywhere, store each result the moment it finishes, resume.

Output folder (``--out``, default ``results/<experiment name>``):

- ``experiment.yaml`` and ``design.parquet``: what was asked;
- ``runs/<key>.json``: one file per finished run (outcomes, status, seconds, the worker and its resident memory
  after the run), written last and atomically;
- ``timeseries/run=<key>/part-0.parquet``: the run's per-step summary (a partitioned Parquet dataset);
- ``runs.parquet``: one row per run (factor values, replicate, seed, outcomes, status, seconds);
- ``sensitivity.parquet`` and ``figures/``: Sobol S1/ST or Morris mu*/sigma with confidence intervals.

The folder must be new, empty, or an earlier batch of the same experiment (its ``.sez-sim-output.json`` marker
says so); other files there are left alone. A run's key hashes the base scenario's hash, the overrides (fixed
ones and the factor values) and the seed, so rerunning the same command after a crash or a kill skips the runs
that finished and completes the rest. Each record also holds the digest of the package's source code that ran it
(:func:`sez_sim.cache.code_digest`): a run stored by other code (an upgrade or an edit since) is run again, so a
resumed batch never mixes results of two versions of the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sez_sim.cache import code_digest
from sez_sim.errors import Problem, ScenarioError
from sez_sim.experiments import executors
from sez_sim.experiments.designs import lever_settings, problem, sample, setting_text
from sez_sim.experiments.spec import Experiment, dump
from sez_sim.io import atomic_path, check_target, write_marker
from sez_sim.scenario import load_scenario

BATCH_FILES = (
    "experiment.yaml",
    "design.parquet",
    "runs.parquet",
    "sensitivity.parquet",
    "manifest.json",
    "runs/",
    "timeseries/",
    "figures/",
)
"""What a batch writes besides its figures (its marker lists these; other files in the folder are the user's)."""


@dataclass
class BatchResult:
    """What a batch produced.

    ``done`` runs now, ``skipped`` because this code had finished them, ``failed`` among those done, and ``rerun``
    among those done because another version of the code had stored them (run again, not mixed in).
    """

    runs: pd.DataFrame
    sensitivity: pd.DataFrame | None
    folder: Path
    done: int
    skipped: int
    failed: int
    seconds: float
    rerun: int
    unanalysed: dict[str, str]


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def run_key(scenario_hash: str, overrides: dict[str, Any], seed: int, years: float | None) -> str:
    """The storage key of one run: scenario hash + overrides + seed + years."""
    blob = json.dumps(
        {
            "scenario": scenario_hash,
            "overrides": {k: _jsonable(v) for k, v in sorted(overrides.items())},
            "seed": seed,
            "years": years,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def tasks_for(experiment: Experiment):
    """The design table and one task per (design point, replicate)."""
    base = experiment.base_scenario()
    raw = base.resolved()
    design = sample(experiment)
    replicates, years = experiment.replicates, experiment.years
    outcomes = [o.model_dump(mode="json") for o in experiment.outcomes]
    paths = {f.key: f.path for f in experiment.factors}
    tasks = []
    for point, row in enumerate(design.to_dict("records")):
        overrides = {paths[k]: _jsonable(v) for k, v in row.items()}
        for replicate in range(replicates):
            seed = experiment.seed + replicate + (0 if experiment.common_random_numbers else point * replicates)
            tasks.append(
                {
                    "key": run_key(base.digest(), overrides, seed, years),
                    "point": point,
                    "replicate": replicate,
                    "seed": seed,
                    "scenario": raw,
                    "source": str(base.source),
                    "overrides": overrides,
                    "years": years,
                    "outcomes": outcomes,
                }
            )
    return design, tasks


def refused_points(experiment: Experiment, design: pd.DataFrame) -> list[tuple[int, Problem]]:
    """The design points the base scenario refuses, each with the first problem its run would stop at.

    Loading an experiment checks each factor's values and range ends one factor at a time; a combination of
    factors can still break a rule of the calibrated economy (``(sigma - 1) kappa``, the firm-size tail). Each
    point is validated as its run's scenario is, without building the geography (about a millisecond a point).
    """
    base = experiment.base_scenario()
    raw = base.resolved()
    paths = {f.key: f.path for f in experiment.factors}
    out = []
    for point, row in enumerate(design.to_dict("records")):
        try:
            overrides = {paths[k]: _jsonable(v) for k, v in row.items()}
            load_scenario(raw, overrides, check_references=False, relative_to=base.source)
        except ScenarioError as exc:
            out.append((point, exc.problems[0]))
    return out


def check_every_point(experiment: Experiment, design: pd.DataFrame) -> None:
    """Refuse a Sobol or Morris design with a point the scenario refuses: its indices need every point's run.

    Grid and LHS designs are left to fail point by point, with the rule's message in their runs' records.

    Raises:
        ScenarioError: at ``factors``, naming how many points each rule refuses and the first of them.
    """
    if experiment.design not in ("sobol", "morris"):
        return
    refused = refused_points(experiment, design)
    if not refused:
        return
    by_rule: dict[str, list[tuple[int, Problem]]] = {}
    for point, refusal in refused:
        by_rule.setdefault(refusal.rule or refusal.message, []).append((point, refusal))
    where = str(experiment.source or "<experiment>")
    problems = []
    for rule, points in by_rule.items():
        first, refusal = points[0]
        values = ", ".join(
            f"{k}={_jsonable(v):.4g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in design.iloc[first].items()
        )
        name = f"the rule {rule!r}" if refusal.rule else "the scenario"
        problems.append(
            Problem(
                where,
                "factors",
                f"{len(points)} of {len(design)} design points break {name} (the first at {values}: "
                f"{refusal.where + ': ' if refusal.where else ''}{refusal.message}); a {experiment.design} analysis "
                "needs a run at every point: narrow the factors' ranges so that no combination breaks it",
            )
        )
    raise ScenarioError(problems)


def store_run(folder: Path, task: dict[str, Any], result: dict[str, Any]) -> None:
    """Write one run's time series and record (the record last, so it marks a complete run)."""
    key = task["key"]
    if result["summary"] is not None:
        part = folder / "timeseries" / f"run={key}" / "part-0.parquet"
        part.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(part) as tmp:
            result["summary"].assign(point=task["point"], replicate=task["replicate"]).to_parquet(tmp, index=False)
    record = {
        "key": key,
        "point": task["point"],
        "replicate": task["replicate"],
        "seed": task["seed"],
        "overrides": task["overrides"],
        "status": result["status"],
        "error": result["error"],
        "seconds": result["seconds"],
        "worker": result.get("worker"),
        "worker_rss_mb": result.get("worker_rss_mb"),
        "outcomes": {k: _jsonable(v) for k, v in result["outcomes"].items()},
        "code": code_digest(),
    }
    with atomic_path(folder / "runs" / f"{key}.json") as tmp:
        tmp.write_text(json.dumps(record, indent=1))


def finished_runs(folder: Path) -> tuple[set[str], set[str]]:
    """The keys of the runs stored in ``folder`` that finished without error.

    Returns:
        ``(done, other)``: those this code ran, and those other code ran (to be run again).
    """
    done, other, code = set(), set(), code_digest()
    for path in (folder / "runs").glob("*.json"):
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if record.get("status") == "ok":
            (done if record.get("code") == code else other).add(path.stem)
    return done, other


def run_batch(
    experiment: Experiment,
    out: str | Path | None = None,
    *,
    replicates: int | None = None,
    years: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> BatchResult:
    """Run every (design point, replicate) of an experiment, resuming where an earlier attempt stopped.

    Args:
        experiment: the experiment.
        out: output folder (default ``results/<name>``); reuse it to resume.
        replicates: override the experiment's replicates.
        years: override the years per run.
        workers: local worker processes (default: the number of cores); ignored with Dask.
        scheduler: address of an existing Dask scheduler (``tcp://host:port``).
        dask_local: start a Dask LocalCluster with this many workers.
        progress: called as ``progress(done, total, result)`` after each run.
    """
    from sez_sim.runs import now, provenance, scenario_record

    start, started = time.perf_counter(), now()
    experiment = experiment.with_options({"replicates": ("replicates", replicates), "years": ("years", years)})
    folder = Path(out) if out is not None else Path("results") / experiment.name
    check_target(folder, "batch", experiment.name)  # a new or empty folder, or this experiment's earlier batch
    design, tasks = tasks_for(experiment)
    check_every_point(experiment, design)
    run = executors.executor(workers, scheduler, dask_local)  # refused, or connected, before anything is written
    folder.mkdir(parents=True, exist_ok=True)
    write_marker(folder, "batch", experiment.name, set(BATCH_FILES))
    with atomic_path(folder / "experiment.yaml") as tmp:
        tmp.write_text(dump(experiment))
    with atomic_path(folder / "design.parquet") as tmp:
        design.to_parquet(tmp, index=False)
    finished, other_code = finished_runs(folder)
    pending = [t for t in tasks if t["key"] not in finished]
    by_key = {t["key"]: t for t in tasks}
    failed = 0
    for count, result in enumerate(run(pending), start=1):
        store_run(folder, by_key[result["key"]], result)
        failed += result["status"] != "ok"
        if progress is not None:
            progress(len(finished) + count, len(tasks), result)
    runs = collect(folder, experiment, design, tasks)
    with atomic_path(folder / "runs.parquet") as tmp:
        runs.to_parquet(tmp, index=False)
    sensitivity, unanalysed = analyse(experiment, design, runs)
    if sensitivity is not None:
        with atomic_path(folder / "sensitivity.parquet") as tmp:
            sensitivity.to_parquet(tmp, index=False)
    from sez_sim.viz.experiments import batch_figures

    batch_figures(experiment, design, runs, sensitivity, folder / "figures")
    record = provenance(started) | {
        "experiment_file": str(experiment.source) if experiment.source else None,
        "experiment": experiment.model_dump(mode="json"),
        "base": scenario_record(experiment.base_scenario()),  # the experiment's overrides applied
        "seeds": sorted({t["seed"] for t in tasks}),
        "runs": {
            "total": len(tasks),
            "run_now": len(pending),
            "already_finished": len(tasks) - len(pending),
            "failed_now": failed,
            "rerun_for_other_code": sum(t["key"] in other_code for t in pending),
        },
        "code": code_digest(),
        "executor": {"scheduler": scheduler, "dask_local": dask_local}
        if scheduler is not None or dask_local is not None
        else {"processes": workers or os.cpu_count() or 1},
        "timings_seconds": {"total": time.perf_counter() - start},
    }
    with atomic_path(folder / "manifest.json") as tmp:
        tmp.write_text(json.dumps(record, indent=2, default=str) + "\n")
    return BatchResult(
        runs,
        sensitivity,
        folder,
        len(pending) - failed,
        len(tasks) - len(pending),
        failed,
        time.perf_counter() - start,
        sum(t["key"] in other_code for t in pending),
        unanalysed,
    )


def collect(folder: Path, experiment: Experiment, design: pd.DataFrame, tasks: list[dict[str, Any]]) -> pd.DataFrame:
    """``runs.parquet``: one row per run in design order, from the stored records."""
    rows = []
    for task in tasks:
        path = folder / "runs" / f"{task['key']}.json"
        record = (
            json.loads(path.read_text())
            if path.exists()
            else {"status": "missing", "outcomes": {}, "seconds": np.nan, "error": None}
        )
        row = {"key": task["key"], "point": task["point"], "replicate": task["replicate"], "seed": task["seed"]}
        row |= {f"factor:{k}": v for k, v in design.iloc[task["point"]].items()}
        row |= {o.name: record["outcomes"].get(o.name, np.nan) for o in experiment.outcomes}
        row |= {"status": record["status"], "error": record.get("error"), "seconds": record["seconds"]}
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in [c for c in frame.columns if c.startswith("factor:")]:
        if frame[column].map(lambda v: isinstance(v, list | dict)).any():
            frame[column] = frame[column].map(json.dumps)
    return frame


def analyse(
    experiment: Experiment, design: pd.DataFrame, runs: pd.DataFrame
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Sobol S1/ST or Morris mu*/sigma per outcome and uncertainty (replicates averaged per design point).

    With levers, the indices are computed for each combination of their values over its own sample points, and
    each row names the combination (a column per lever).

    Returns:
        The indices (None for designs without them), and the outcomes left without indices with the reason: a
        design point without a finished run (the estimators need every point), or an outcome that does not vary
        over a combination's points (Sobol's indices divide by its variance; every Morris effect would be 0).
    """
    if experiment.design not in ("sobol", "morris"):
        return None, {}
    from SALib.analyze import morris, sobol

    spec = problem(experiment)
    rows, unanalysed = [], {}
    for outcome in experiment.outcomes:
        y_all = runs.groupby("point")[outcome.name].mean().reindex(range(len(design))).to_numpy(float)
        if not np.all(np.isfinite(y_all)):
            missing = int((~np.isfinite(y_all)).sum())
            unanalysed[outcome.name] = f"{missing} of {len(y_all)} design points have no finished run"
            continue
        found = []
        for setting, points in lever_settings(experiment, design):
            y = y_all[points]
            if np.ptp(y) == 0:
                at = f" with {setting_text(setting)}" if setting else ""
                unanalysed[outcome.name] = f"it is {y[0]:.6g} at every design point{at}"
                found = []
                break
            if experiment.design == "sobol":
                res = sobol.analyze(spec, y, calc_second_order=False, seed=experiment.seed)
                indices = ("S1", "S1_conf", "ST", "ST_conf")
            else:
                x = design.iloc[points][spec["names"]].to_numpy(float)
                res = morris.analyze(spec, x, y, seed=experiment.seed)
                indices = ("mu", "mu_star", "mu_star_conf", "sigma")
            lever_columns = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in setting.items()}
            for k, name in enumerate(spec["names"]):
                found.append(
                    {"outcome": outcome.name} | lever_columns | {"factor": name} | {i: res[i][k] for i in indices}
                )
        rows += found
    return pd.DataFrame(rows), unanalysed
