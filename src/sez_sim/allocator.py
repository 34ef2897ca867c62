"""The memory allocator's thresholds: a new process reuses freed arrays from its first model on, as a warm one does.

A model makes and drops many arrays of a value per worker or per firm (340,000 workers on the GMS data: 2.7 MB as
float64). glibc's ``malloc`` serves blocks above its mmap threshold (128 kB when a process starts) with pages fresh
from the kernel and gives them back when they are freed, and it trims the heap whenever more than its trim
threshold lies free at the top; every page of such memory costs a page fault when it is next touched. glibc raises
both thresholds as it sees large blocks freed (the mmap threshold up to 32 MB, the trim threshold to twice that),
so a process that has built one model reuses memory, but a new one pays until then. On the GMS data a model built
in a new process took 1.02-1.44 s with about 105,000 page faults, one built a second time in the same process
about 0.96 s, with 41,000.

:func:`tune_allocator` sets the thresholds where glibc's own rule ends (:data:`MMAP_THRESHOLD`,
:data:`TRIM_THRESHOLD`) when the first model is built, so a new process works as a warm one: a first build of
0.85-0.90 s with 41,000 faults, the same peak memory (248-250 MB for a 20-year run) and the same results (the
allocator decides where numbers are stored, never what they are). Up to :data:`TRIM_THRESHOLD` of free memory at
the top of the heap stays with the process instead of going back to the system, as it does in a warm process under
glibc's own rule; the memory targets of ``benchmarks/`` (a run, the workshop app's ten sessions, batch workers over
200 runs) are unchanged.

It acts only on glibc (Linux) and leaves the allocator alone where the user chose: ``SEZ_SIM_ALLOCATOR=default``,
or glibc's own ``MALLOC_*_`` variables or ``GLIBC_TUNABLES`` set. Setting only one of glibc's variables turns its
dynamic rule off and leaves the other threshold at its start value: builds then took twice as long, so set both.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Mapping

from sez_sim.errors import Problem, ScenarioError

ENV = "SEZ_SIM_ALLOCATOR"
"""Environment variable: ``tuned`` (the default) or ``default`` (leave the allocator as the system set it)."""

MMAP_THRESHOLD = 32 * 2**20
"""Blocks at least this large are mapped from the kernel for themselves (glibc's ``DEFAULT_MMAP_THRESHOLD_MAX``
on 64-bit systems, the highest its dynamic rule goes). 16 MB and 64 MB timed the same on the GMS model."""

TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
"""Free memory at the top of the heap kept for reuse before the rest is given back (twice the mmap threshold, as
glibc's dynamic rule sets it)."""

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
"""``mallopt`` parameters (glibc's ``malloc.h``)."""

USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")
"""glibc's environment variables for the thresholds: when the user set any, the allocator is theirs."""

_state: str | None = None
_lock = threading.Lock()


def choice(environ: Mapping[str, str]) -> str | None:
    """Who sets the allocator under ``environ``: the system, the user, or sez-sim.

    Returns:
        ``"default"`` (``SEZ_SIM_ALLOCATOR=default``), ``"user"`` (glibc's own variables are set), or None
        (sez-sim tunes it).

    Raises:
        ScenarioError: when ``SEZ_SIM_ALLOCATOR`` is neither ``tuned`` nor ``default``.
    """
    value = environ.get(ENV, "tuned").strip().lower()
    if value not in ("tuned", "default"):
        # The message names the variable too: a scenario's model() reports its problems as the scenario file's.
        message = f"{ENV}={value!r}: give tuned or default"
        raise ScenarioError([Problem(f"environment variable {ENV}", "", message)])
    if value == "default":
        return "default"
    if any(name in environ for name in USER_SETTINGS) or "glibc.malloc" in environ.get("GLIBC_TUNABLES", ""):
        return "user"
    return None


def tune_allocator() -> str:
    """Set glibc's mmap and trim thresholds, once per process (see the module's docstring); return what holds.

    Returns:
        ``"tuned"`` (the thresholds are set), ``"default"`` (as ``SEZ_SIM_ALLOCATOR`` asks), ``"user"`` (glibc's
        own variables are set) or ``"not glibc"``; the first call decides.

    Raises:
        ScenarioError: for a bad ``SEZ_SIM_ALLOCATOR``.
    """
    global _state
    with _lock:
        if _state is None:
            _state = choice(os.environ) or _apply()
    return _state


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (AttributeError, ValueError, OSError):  # no confstr (Windows), no such name (macOS), or not glibc
        return False


def _apply() -> str:
    if not _glibc():
        return "not glibc"
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    if not (mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)):
        return "default"
    return "tuned"
