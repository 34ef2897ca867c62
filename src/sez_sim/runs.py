"""Running a scenario end to end: build, simulate, collect the tables, write them with a manifest.

>>> from sez_sim import run_scenario
>>> result = run_scenario("scenarios/gms_baseline.yaml", seed=1, overrides={"run.years": 2})  # doctest: +SKIP
>>> result.summary[["year", "gdp", "gini"]]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sez_sim import cache
from sez_sim.allocator import tune_allocator
from sez_sim.blas import limited_blas
from sez_sim.io import output_folder
from sez_sim.results import ledger, zone_summary
from sez_sim.scenario import Scenario, load_scenario
from sez_sim.version import __version__

DEPENDENCIES = ("mesa", "numpy", "scipy", "networkx", "pandas", "pyarrow", "pydantic", "matplotlib", "pyyaml")


@dataclass
class RunResult:
    """What one run produced.

    Attributes:
        provinces: the province panel (one row per province per step).
        summary: per-step aggregates.
        migration: origin-destination migration flows per year (persons).
        zones: per zone and step, capacity and firms inside.
        manifest: versions, platform, scenario, seeds, timings.
        folder: where the outputs were written (None when nothing was written).
    """

    provinces: pd.DataFrame
    summary: pd.DataFrame
    migration: pd.DataFrame
    zones: pd.DataFrame
    manifest: dict[str, Any]
    scenario: Scenario
    folder: Path | None = None
    model: Any = field(default=None, repr=False)


def _git(*args: str) -> str | None:
    """What ``git ARGS`` prints in the package's folder, or None outside a checkout (or without git)."""
    try:
        out = subprocess.run(
            ["git", *args], cwd=Path(__file__).resolve().parent, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@functools.cache
def git_commit() -> str | None:
    """The commit of the package's git checkout, or None outside one.

    Read once a process: the code it runs is what it imported.
    """
    return _git("rev-parse", "HEAD") or None


@functools.cache
def git_dirty() -> bool | None:
    """Whether the package's tracked sources differ from :func:`git_commit`, or None outside a checkout.

    A manifest that names a commit its code does not match (edits not yet committed) says so. Read once a process,
    as the commit is.
    """
    status = _git("status", "--porcelain", "--untracked-files=no", "--", ".")
    return None if status is None else bool(status)


@functools.cache
def _versions() -> dict[str, str]:
    # Read once a process (16 ms: every run of a batch paid it); installed versions do not change under it.
    out = {"sez-sim": __version__, "python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def now() -> str:
    """The time now, as manifests record it (UTC, ISO 8601, to the second)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def provenance(started: str) -> dict[str, Any]:
    """What every manifest opens with: the package, its commit and whether its sources differ, when, the command.

    Then the versions and the platform.
    """
    return {
        "sez_sim_version": __version__,
        "started": started,
        "finished": now(),
        "command": sys.argv,
        "git_commit": git_commit(),
        "git_dirty": git_dirty(),
        "versions": dict(_versions()),  # a copy: the cached one is shared
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "processor": platform.processor(),
            "cpus": os.cpu_count(),
        },
    }


def scenario_record(scenario: Scenario) -> dict[str, Any]:
    """A scenario as manifests record it: its file, the hash of its resolved content, and that content."""
    return {
        "scenario_file": str(scenario.source) if scenario.source else None,
        "scenario_hash": scenario.digest(),
        "scenario": scenario.resolved(),
    }


def manifest(
    scenario: Scenario, seed: int, timings: Mapping[str, float], started: str, model: Any = None
) -> dict[str, Any]:
    """The run's manifest: enough to know exactly what produced the outputs and to reproduce them."""
    from sez_sim.build import STEADY_STATE_ROUNDS  # the model is imported with the first run, not with this module
    from sez_sim.model import STREAMS

    return {
        **provenance(started),
        **scenario_record(scenario),
        "seed": seed,
        "random_streams": {"seed_sequence_entropy": seed, "spawned": list(STREAMS)},
        "timings_seconds": dict(timings),
        "mechanisms": asdict(model.mechanisms) if hasattr(model, "mechanisms") else None,
        "calibration": {
            "steady_state_rounds": getattr(model, "steady_state_rounds", None),
            "steady_state_rounds_planned": STEADY_STATE_ROUNDS,
            "gap": getattr(model, "calibration_gap", None),
            "cache": _cache_record(getattr(model, "build_cache", None), getattr(model, "restored_stage", None)),
        },
    }


def _cache_record(lookup: Any, restored_stage: str | None) -> dict[str, Any] | None:
    """How the model's construction was obtained: from the disk cache (``hit``) or built (and why).

    ``restored_stage`` is the last stage restored (``calibration``: the steady state, with the set-up run afresh).
    """
    if lookup is None:
        return None
    return {
        "key": lookup.key,
        "hit": lookup.hit,
        "missed_because": lookup.reason or None,
        "restored_stage": restored_stage,
        "folder": cache.location(),
    }


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    years: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Build and run the scenario's model; return its tables (nothing is written).

    Args:
        scenario: a validated scenario.
        seed: the run's seed (default: the scenario's ``run.seed``; validated as ``run.seed`` is).
        years: years to run (default: the scenario's ``run.years``; validated as ``run.years`` is).
        progress: called as ``progress(step, total_steps)`` after each step.

    BLAS is limited to one thread while the model is built and run (:mod:`sez_sim.blas`; ``SEZ_SIM_BLAS_THREADS``
    asks for more), and the limit is in the manifest's timings.

    Raises:
        ScenarioError: for a seed or length of run the scenario would refuse (or a bad ``SEZ_SIM_BLAS_THREADS`` or
            ``SEZ_SIM_ALLOCATOR``).
    """
    started = now()
    scenario = scenario.with_changes(options={"run.seed": ("seed", seed), "run.years": ("years", years)})
    seed, years = scenario.run.seed, scenario.run.years
    allocator = tune_allocator()  # here, not first in SEZModel: a bad SEZ_SIM_ALLOCATOR is the environment's fault
    with limited_blas() as threads:
        t0 = time.perf_counter()
        model = scenario.model(seed)
        t1 = time.perf_counter()
        total = model.calendar.steps(years)
        for step in range(1, total + 1):
            model.step()
            if progress is not None:
                progress(step, total)
        t2 = time.perf_counter()
    rec = model.recorder
    timings = {
        "build": t1 - t0,
        "simulate": t2 - t1,
        "steps": total,
        "blas_threads": threads or "auto",
        "allocator": allocator,
    }
    return RunResult(
        provinces=rec.provinces(),
        summary=rec.summary_frame(),
        migration=rec.migration_frame(),
        zones=rec.zones_frame(),
        manifest=manifest(scenario, seed, timings, started, model),
        scenario=scenario,
        model=model,
    )


def default_folder(scenario: Scenario, seed: int, root: str | Path = "results") -> Path:
    """A new, empty folder ``results/<scenario name>/<timestamp>-s<seed>``, claimed by creating it.

    Creating it is atomic, so two runs started in the same second get different folders (``-2``, ``-3``, ...).
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    parent = Path(root) / scenario.name
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        folder = parent / (f"{stamp}-s{seed}" if n == 1 else f"{stamp}-{n}-s{seed}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise OSError(f"no free folder name under {parent}")


def load_writers(figures: bool = True) -> None:
    """Import now what writing a run's outputs needs: pyarrow's Parquet writer, and matplotlib for figures.

    Call it before a run whose outputs will be written. A Ctrl-C that arrives while a C extension initialises
    aborts the interpreter instead of raising ``KeyboardInterrupt`` (seen with matplotlib's ``ft2font`` when the
    interrupt came as the figures module was first imported), which leaves the run's temporary folder behind.
    """
    import pyarrow.parquet  # noqa: F401

    if figures:
        import sez_sim.viz.figures  # noqa: F401


def write_into(result: RunResult, tmp: Path, figures: bool = True) -> None:
    """Write a run's outputs into ``tmp`` (a folder :func:`~sez_sim.io.output_folder` swaps in when complete)."""
    t0 = time.perf_counter()
    result.provinces.to_parquet(tmp / "provinces.parquet", index=False)
    result.summary.to_parquet(tmp / "summary.parquet", index=False)
    result.migration.to_parquet(tmp / "migration.parquet", index=False)
    result.zones.to_parquet(tmp / "zones.parquet", index=False)
    zone_summary(result.zones).to_csv(tmp / "zones_summary.csv", index=False)
    ledger(result.zones).to_csv(tmp / "ledger.csv", index=False)
    if figures:
        from sez_sim.viz.figures import run_figures

        run_figures(result, tmp / "figures")
    result.manifest["timings_seconds"]["write"] = time.perf_counter() - t0
    (tmp / "manifest.json").write_text(json.dumps(result.manifest, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in the manifest")


def run_scenario(
    path_or_scenario: str | Path | Scenario | Mapping[str, Any],
    seed: int | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    out: str | Path | None = None,
    *,
    years: float | None = None,
    figures: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run a scenario and return its tables; write them to ``out`` when given.

    Args:
        path_or_scenario: a scenario file, a loaded :class:`Scenario`, or a mapping with a scenario's content.
        seed: the run's seed (default: the scenario's ``run.seed``).
        overrides: dotted-key overrides, as a dict (``{"economy.sigma": 4}``) or ``["economy.sigma=4"]``.
        out: folder to write to; ``None`` writes nothing.
        years: years to run (default: the scenario's).
        figures: write figures (default: the scenario's ``outputs.figures``).
        progress: called as ``progress(step, total_steps)`` after each step.

    Returns:
        The :class:`RunResult` (``.provinces``, ``.summary``, ``.migration``, ``.manifest``).

    Raises:
        ScenarioError: for any problem with the scenario or the overrides.
    """
    options = {"run.seed": ("seed", seed), "run.years": ("years", years)}
    if isinstance(path_or_scenario, Scenario):
        scenario = path_or_scenario.with_changes(overrides, options)
    else:
        scenario = load_scenario(path_or_scenario, overrides, options=options)
    draw = scenario.outputs.figures if figures is None else figures
    if out is None:
        return simulate(scenario, progress=progress)
    # The folder exists under a temporary name from the start: a run killed part-way leaves only that behind.
    with output_folder(out, "run") as tmp:
        result = simulate(scenario, progress=progress)
        write_into(result, tmp, draw)
    result.folder = Path(out)
    return result
