"""BLAS threads for a run: one unless the user asks for more (``SEZ_SIM_BLAS_THREADS``).

The model's matrices are small (228 x 228 on the GMS data), so BLAS threads only contend: with OpenBLAS at its
default of one thread per core and one other busy process, building the GMS model took 14-16 s instead of 3.9 s on
2 cores (numpy and scipy each load their own OpenBLAS). Runs therefore limit BLAS to one thread while they build
and step the model; batch workers are single-threaded the same way (:mod:`sez_sim.experiments.executors`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from threadpoolctl import threadpool_limits

from sez_sim.errors import Problem, ScenarioError

ENV = "SEZ_SIM_BLAS_THREADS"
"""Environment variable: BLAS threads a run may use (a positive number, or ``auto`` for the libraries' default)."""


def blas_threads() -> int | None:
    """The BLAS threads a run may use: ``SEZ_SIM_BLAS_THREADS`` (default 1); None for the libraries' default.

    Raises:
        ScenarioError: when the variable is neither a positive whole number nor ``auto``.
    """
    value = os.environ.get(ENV, "1").strip()
    if value.lower() == "auto":
        return None
    if not value.isdigit() or int(value) < 1:
        raise ScenarioError([Problem(f"environment variable {ENV}", "", f"{value!r}: give a positive number or auto")])
    return int(value)


@contextlib.contextmanager
def limited_blas() -> Iterator[int | None]:
    """Limit BLAS threads (:func:`blas_threads`) inside the block; yields the limit (None: unlimited)."""
    threads = blas_threads()
    with threadpool_limits(limits=threads, user_api="blas") if threads else contextlib.nullcontext():
        yield threads
