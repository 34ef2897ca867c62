"""Issue 7: runs per minute of the default GMS scenario with 2 local workers, and the batch layer's overhead.

Overhead = wall time x workers - sum of the runs' own times: what the batch layer (starting workers, shipping
tasks, storing each result, assembling the tables, drawing figures) costs on top of the runs. It has a fixed part
(start-up, figures), so it is measured on a small and a larger batch.
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


if __name__ == "__main__":
    main()
