"""Issue 10: the command line answers ``--version`` and ``--help`` at once (it imports no model, mesa or scipy).

Wall time of a fresh ``python -m sez_sim`` process, median of several starts (Python's own start-up included).
Beside them, for issue 15's end-to-end target (a 20-year run in 3 s), a fresh process that only imports the
libraries ``sez-sim run`` needs: no run can start sooner.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import common  # noqa: F401
from common import report

STARTS = 7


LIBRARIES = "numpy, pandas, pyarrow.parquet, scipy.sparse, networkx, pydantic, mesa, matplotlib.pyplot"
"""What a run imports besides sez-sim itself (mesa brings scipy.spatial; the figures need pyplot's Agg backend)."""

FLOOR = f"import gc, {LIBRARIES}; gc.freeze()"
"""Importing them and exiting as ``sez-sim`` does (:func:`sez_sim.cli.main` freezes what is left, so the exit does
not collect it)."""


def wall(*args: str) -> float:
    times = []
    for _ in range(STARTS):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = [{"command": f"sez-sim {flag}", "median_s": wall("-m", "sez_sim", flag)} for flag in ("--version", "--help")]
    rows.append({"command": f"import {LIBRARIES}", "median_s": wall("-c", FLOOR)})
    report(
        "cli",
        rows,
        {
            "sez-sim --version": "<= 0.3 s",
            "sez-sim --help": "<= 0.3 s",
            "import": "the floor under `sez-sim run` end to end (issue 15: <= 3 s with 80 steps and the outputs)",
        },
    )


if __name__ == "__main__":
    main()
