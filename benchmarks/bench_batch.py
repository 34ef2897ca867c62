"""Issue 7: runs per minute of the default GMS scenario with 2 local workers, and the batch layer's overhead.

Overhead = wall time x workers - sum of the runs' own times: what the batch layer (starting workers, shipping
tasks, storing each result, assembling the tables, drawing figures) costs on top of the runs. It has a fixed part
(start-up, figures), so it is measured on a small and a larger batch.

A batch on one worker runs in this process, after whatever the process holds (its libraries, a notebook's
objects): its overhead is measured on the students' guide's exercise 7, 64 runs of the teaching corridor, where
each run is short and what is done between runs weighs most.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import common  # noqa: F401
from common import report, timed

from sez_sim.experiments import load_experiment, run_batch

ROOT = Path(__file__).resolve().parent.parent


def batch(runs: int) -> tuple[float, float]:
    """Wall time and the sum of the runs' own times of a batch of ``runs`` baseline runs on 2 workers."""
    experiment = load_experiment(ROOT / "experiments/replicates_baseline.yaml", [f"replicates={runs}"])
    with tempfile.TemporaryDirectory() as tmp:
        wall, result = timed(run_batch, experiment, Path(tmp) / "batch", workers=2)
    return wall, float(result.runs["seconds"].sum())


def serial(years: float) -> tuple[float, float]:
    """Wall time and the sum of the runs' own times of exercise 7's batch on one worker (in this process)."""
    experiment = load_experiment(ROOT / "experiments/exercises/07_levers.yaml", [f"years={years:g}"])
    with tempfile.TemporaryDirectory() as tmp:
        wall, result = timed(run_batch, experiment, Path(tmp) / "batch", workers=1)
    return wall, float(result.runs["seconds"].sum())


def main() -> None:
    rows = []
    for runs in (2, 6) if "--quick" in sys.argv else (4, 12):
        wall, own = batch(runs)
        rows.append(
            {
                "runs": runs,
                "years_per_run": 20,
                "workers": 2,
                "wall_s": wall,
                "mean_run_s": own / runs,
                "runs_per_minute": 60 * runs / wall,
                "overhead_s": 2 * wall - own,
                "overhead_share": (2 * wall - own) / own,
            }
        )
    report("batch", rows, {"overhead_share": "<= 5% of the runs' own time (fixed start-up weighs on small batches)"})
    years = 2 if "--quick" in sys.argv else 10
    wall, own = serial(years)
    row = {"runs": 64, "years_per_run": years, "workers": 1, "wall_s": wall, "mean_run_s": own / 64}
    report("batch_serial", [row | {"overhead_s": wall - own, "overhead_share": (wall - own) / own}])


if __name__ == "__main__":
    main()
