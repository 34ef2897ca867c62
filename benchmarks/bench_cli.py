"""Issue 10: the command line answers ``--version`` and ``--help`` at once (it imports no model, mesa or scipy).

Wall time of a fresh ``python -m sez_sim`` process, median of several starts (Python's own start-up included).
Beside them, for issue 15's end-to-end target (a 20-year run in 3 s), a fresh process that only imports the
libraries ``sez-sim run`` needs: no run can start sooner; and ``sez-sim validate`` of every file of the library
(scenarios, experiments, exercises and claims: loading and checking, what a claims run or a batch does first).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import common  # noqa: F401
from common import report

STARTS = 7


LIBRARIES = "numpy, pandas, pyarrow.parquet, scipy.sparse, networkx, pydantic, sez_sim.mesa_import, matplotlib.pyplot"
"""What a run imports besides sez-sim itself (Mesa as sez-sim imports it, without its loggers' walk over the stack;
mesa brings scipy.spatial; the figures need pyplot's Agg backend)."""

FLOOR = f"import gc, {LIBRARIES}; gc.freeze()"
"""Importing them and exiting as ``sez-sim`` does (:func:`sez_sim.cli.main` freezes what is left, so the exit does
not collect it)."""


ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ("scenarios/*.yaml", "scenarios/*/*.yaml", "experiments/*.yaml", "experiments/*/*.yaml")


def wall(*args: str, starts: int = STARTS) -> float:
    times = []
    for _ in range(starts):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = [{"command": f"sez-sim {flag}", "median_s": wall("-m", "sez_sim", flag)} for flag in ("--version", "--help")]
    rows.append({"command": f"import {LIBRARIES}", "median_s": wall("-c", FLOOR)})
    files = sorted(str(path) for pattern in LIBRARY for path in ROOT.glob(pattern))
    rows.append(
        {
            "command": f"sez-sim validate ({len(files)} library files)",
            "median_s": wall("-m", "sez_sim", "validate", *files, starts=3),
        }
    )
    report(
        "cli",
        rows,
        {
            "sez-sim --version": "<= 0.3 s",
            "sez-sim --help": "<= 0.3 s",
            "import": "the floor under `sez-sim run` end to end (issue 15: <= 3 s with 80 steps and the outputs)",
            "sez-sim validate": "no target: 25-27 s before session 59, 6.6-7.8 s after, 4.9-5.1 s after session 63",
        },
    )


if __name__ == "__main__":
    main()
