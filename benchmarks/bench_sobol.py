"""Issue 15: a Sobol design of the default GMS scenario over 20 years on 2 workers, and worker memory over many runs.

Two measurements:

- **design**: a Saltelli sample of the main uncertainties of the default scenario, 20-year runs on 2 local
  workers, at two sizes, with an empty construction cache as a new design has. Every run has its own parameters;
  the runs that differ from an earlier one only in the two workers' factors (read only by the set-up after the
  calibration) restore its calibrated steady state, the others are calibrated afresh. Reports runs per minute,
  the minutes a 1,000-run design takes at that pace, and the batch layer's overhead (wall time x workers - the
  runs' own times) as a share of the runs' own time; the two sizes split the overhead into a fixed part (starting
  workers, the last run's idle partner, figures, the tables) and a part per run, which project a 1,000-run design
  (the last row);
- **memory**: many one-year runs of the same kind on 2 workers; each run records its worker's resident memory
  afterwards (``runs/<key>.json``); reports each worker's growth from its first runs to its last.

``--quick`` runs fewer (for a look, not for the numbers in benchmarks/README.md).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

import common  # noqa: F401
from common import report, timed

from sez_sim.experiments import load_experiment, run_batch

ROOT = Path(__file__).resolve().parent.parent
FACTORS = [
    {"key": "economy.kappa", "range": [2.0e-4, 8.0e-4]},
    {"key": "economy.crossing_cost_km", "range": [100, 600]},
    {"key": "economy.modern_wage_premium", "range": [1.5, 3.0]},
    {"key": "firms.entry_logit_scale", "range": [1.0, 6.0]},
    {"key": "workers.real_income_elasticity", "range": [0.5, 3.0]},
    {"key": "workers.congestion", "range": [0.1, 0.6]},
]
RUNS_PER_SAMPLE = len(FACTORS) + 2  # Saltelli's first-order design


def experiment(samples: int, years: float, name: str):
    spec = {
        "name": name,
        "base": str(ROOT / "scenarios/gms_baseline.yaml"),
        "factors": FACTORS,
        "design": "sobol",
        "samples": samples,
        "years": years,
        "outcomes": [{"name": "theil_between", "column": "theil_t_between"}],
    }
    return load_experiment(spec)


def design(samples: int) -> dict:
    runs = samples * RUNS_PER_SAMPLE
    with tempfile.TemporaryDirectory() as tmp:
        wall, result = timed(run_batch, experiment(samples, 20, "sobol_speed"), Path(tmp) / "b", workers=2)
    own = float(result.runs["seconds"].sum())
    return {
        "runs": runs,
        "years": 20,
        "wall_s": wall,
        "mean_run_s": own / runs,
        "runs_per_minute": 60 * runs / wall,
        "minutes_for_1000": 1000 * wall / runs / 60,
        "overhead_s": 2 * wall - own,
        "overhead_share": (2 * wall - own) / own,
    }


def memory(samples: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        result = run_batch(experiment(samples, 1, "sobol_memory"), Path(tmp) / "b", workers=2)
        records = [json.loads(p.read_text()) for p in sorted((Path(tmp) / "b" / "runs").glob("*.json"))]
    # Tasks are handed out in design order, so a worker's runs in design order are its runs in time order.
    order = {key: i for i, key in enumerate(result.runs["key"])}
    by_worker: dict[int, list[float]] = {}
    for record in sorted(records, key=lambda r: order[r["key"]]):
        by_worker.setdefault(record["worker"], []).append(record["worker_rss_mb"])
    growth = []
    for readings in by_worker.values():
        tenth = max(len(readings) // 10, 1)
        growth.append(statistics.median(readings[-tenth:]) - statistics.median(readings[:tenth]))
    return {
        "runs": len(records),
        "workers": len(by_worker),
        "runs_per_worker": min(len(r) for r in by_worker.values()),
        "rss_first_mb": min(statistics.median(r[: max(len(r) // 10, 1)]) for r in by_worker.values()),
        "rss_growth_mb": max(growth),
    }


def projection(small: dict, large: dict) -> dict:
    """The batch overhead split into a fixed part and a part per run (from two sizes), and a 1,000-run design."""
    # Below the run-to-run noise the slope can come out negative: a run costs the batch nothing measurable then.
    per_run = max((large["overhead_s"] - small["overhead_s"]) / (large["runs"] - small["runs"]), 0.0)
    fixed = small["overhead_s"] - per_run * small["runs"]
    own = 1000 * large["mean_run_s"]
    return {
        "runs": 1000,
        "years": 20,
        "wall_s": (own + fixed + 1000 * per_run) / 2,
        "mean_run_s": large["mean_run_s"],
        "runs_per_minute": 60 * 1000 / ((own + fixed + 1000 * per_run) / 2),
        "minutes_for_1000": (own + fixed + 1000 * per_run) / 2 / 60,
        "overhead_s": fixed + 1000 * per_run,
        "overhead_share": (fixed + 1000 * per_run) / own,
    }


def main() -> None:
    quick = "--quick" in sys.argv
    cache_folder = tempfile.TemporaryDirectory()
    os.environ["SEZ_SIM_CACHE"] = cache_folder.name  # as users run batches: every new model is stored
    rows = [design(samples) for samples in ((1, 2) if quick else (2, 8))]
    rows.append(projection(*rows))
    report(
        "sobol",
        rows,
        {
            "minutes_for_1000": "<= 30 minutes on 2 cores (issue 15); the last row projects 1,000 runs",
            "overhead_share": "<= 2% of the runs' own time",
        },
    )
    # A Sobol design takes a power of two: 32 base samples are 256 runs, the 200 or more the target is over.
    target = {"rss_growth_mb": "<= 50 MB over 200 runs or more (issue 15)"}
    report("worker_memory", [memory(4 if quick else 32)], target)


if __name__ == "__main__":
    main()
