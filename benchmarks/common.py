"""Shared helpers for the benchmarks: one thread, timing, peak memory, a results table."""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # "on one core": no BLAS threads
# Benchmarks time the work: a model restored from the construction cache would time the cache instead. Those that
# measure the cache (side_by_side.py, bench_sobol.py) give each measurement a cache folder of its own.
os.environ.setdefault("SEZ_SIM_CACHE", "off")

import compileall  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

RESULTS = Path(__file__).resolve().parent.parent / "results" / "benchmarks"


def byte_compile(src: Path) -> None:
    """Write the bytecode of every module under ``src``, as installing a package does.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (it is on the project's build machines), nothing else writes it, and
    every new process would compile sez-sim's sources again: about 0.1 s of each command timed end to end, which
    no installed copy pays.
    """
    compileall.compile_dir(src, quiet=1)


byte_compile(Path(__file__).resolve().parent.parent / "src")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn, *args, **kwargs):
    """Run ``fn`` once; return (seconds, result)."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def report(name: str, rows: list[dict], targets: dict[str, str] | None = None) -> None:
    """Print a table and write it to results/benchmarks/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps({"rows": rows, "targets": targets or {}}, indent=2))
    print(f"\n== {name} ==")
    if rows:
        keys = list(dict.fromkeys(k for row in rows for k in row))  # a summary row may have fewer columns
        print(" | ".join(keys))
        for row in rows:
            print(" | ".join(f"{row[k]:.4g}" if isinstance(row.get(k), float) else str(row.get(k, "")) for k in keys))
    for key, text in (targets or {}).items():
        print(f"target {key}: {text}")
