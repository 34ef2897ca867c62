"""Sums per group over agent arrays whose equal keys come in runs: ``bincount`` without the chain through memory.

Agents are stored in the order they were made, and the model makes them province by province, so in the worker
and firm arrays most neighbours share their province (94-95% on the GMS data). ``np.bincount`` adds each entry
into its bin in array order; when consecutive entries hit the same bin, each add waits for the one before it to be
stored. :func:`tally` spreads consecutive entries over :data:`LANES` copies of the bins (entry ``k`` goes to copy
``k mod LANES``) and adds the copies up. On the GMS populations (fastest of repeated timings) it takes half the
time for the firms' 30,000 entries (0.10 -> 0.05 ms) and 0.7-0.8 of it for the workers' 340,000 (0.56-0.67 ->
0.46 ms).

Counts are integers, so they are the same whatever the order of the adds; a weighted sum adds the same numbers in
another order, so it differs from ``np.bincount`` only in rounding (the tests compare both).
"""

from __future__ import annotations

import threading

import numpy as np

LANES = 8
"""Copies of the bins: consecutive entries in the same bin are this many adds apart (8 and 16 time alike)."""

SHORT = 2048
"""Below this many entries a plain ``bincount`` is as fast (the copies' extra bins cost more than the chain)."""

_offsets: dict[int, np.ndarray] = {}
_lock = threading.Lock()


def _lane_offsets(length: int, bins: int) -> np.ndarray:
    """``(arange(length) % LANES) * bins``: the first bin of each entry's copy (kept per ``bins``, grown as needed)."""
    offsets = _offsets.get(bins)
    if offsets is None or len(offsets) < length:
        with _lock:
            size = max(length, 2 * (0 if offsets is None else len(offsets)))
            offsets = (np.arange(size, dtype=np.int64) % LANES) * bins
            _offsets[bins] = offsets
    return offsets[:length]


def tally(keys: np.ndarray, bins: int, weights: np.ndarray | None = None) -> np.ndarray:
    """``np.bincount(keys, weights, minlength=bins)`` for keys in ``0 .. bins - 1``, fast when keys come in runs.

    Args:
        keys: integers (any integer dtype) in ``0 .. bins - 1``.
        bins: number of groups.
        weights: a value per entry to sum (default: count the entries).

    Returns:
        Per group, the count (int64) or the sum of the weights (float64), length ``bins``.

    Raises:
        ValueError: when a key is negative or not below ``bins``.
    """
    keys = np.asarray(keys)
    # A key outside 0..bins-1 would be counted in another copy's bins. As unsigned integers the negative keys are
    # the largest, so one pass finds both kinds.
    if len(keys) and keys.view(f"u{keys.dtype.itemsize}").max() >= bins:
        raise ValueError(f"keys must be in 0..{bins - 1}: one is {keys.min() if keys.min() < 0 else keys.max()}")
    if len(keys) < SHORT:
        return np.bincount(keys, weights, minlength=bins)
    spread = np.bincount(keys + _lane_offsets(len(keys), bins), weights, minlength=LANES * bins)
    return spread.reshape(LANES, bins).sum(axis=0)
