"""Issue 10: the command line answers ``--version`` and ``--help`` at once (it imports no model, mesa or scipy).

Wall time of a fresh ``python -m sez_sim`` process, median of several starts (Python's own start-up included).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import common  # noqa: F401
from common import report

STARTS = 7


def wall(*args: str) -> float:
    times = []
    for _ in range(STARTS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sez_sim", *args], capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = [{"command": f"sez-sim {flag}", "median_s": wall(flag)} for flag in ("--version", "--help")]
    report("cli", rows, {"sez-sim --version": "<= 0.3 s", "sez-sim --help": "<= 0.3 s"})


if __name__ == "__main__":
    main()
