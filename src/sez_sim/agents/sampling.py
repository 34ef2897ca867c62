"""Turning expected flows into whole agents: stochastic rounding, controlled rounding, picking members.

An agent rule gives expected numbers: movers on each route, entrants into each province, exits. How those become
integers decides the noise of the model. Two modes (``agents.sampling``):

- ``independent``: every count is an independent binomial/multinomial draw, exactly as if each agent decided on
  its own; the noise is Poisson-like and accumulates as a random walk.
- ``controlled`` (default): counts are rounded with a carried remainder (the part not yet realised is owed to the
  next step), and route counts are rounded so that each origin's and each destination's totals are exactly their
  rounded expectations. Realised cumulative flows then never drift more than about one agent per group from their
  expectation. *Which* agents move, enter or exit stays random. This is the alignment technique of dynamic
  microsimulation; it removes sampling noise that is an artefact of representing 1,000 people by one agent.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class Sampling(StrEnum):
    """How expected counts become whole agents (``agents.sampling``)."""

    CONTROLLED = "controlled"
    """Carried rounding and controlled rounding of route counts (the default)."""
    INDEPENDENT = "independent"
    """Independent binomial/multinomial draws, as if each agent decided on its own."""


class Ledger:
    """Integer realisation of expected counts with a carried remainder per key.

    The carry starts uniform in [0, 1) (drawn from the given stream), so the rounding is unbiased.
    """

    def __init__(self, size: int, rng: np.random.Generator):
        self.carry = rng.random(size)

    def resize(self, size: int, rng: np.random.Generator) -> None:
        """Extend the ledger to ``size`` keys (new keys get fresh uniform carries)."""
        if size > len(self.carry):
            self.carry = np.concatenate([self.carry, rng.random(size - len(self.carry))])

    def draw(self, expected: np.ndarray, keys: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Realise expected counts: ``floor(carry + expected)``; the remainder is carried to the next call."""
        total = self.carry[keys] + expected
        counts = np.maximum(np.floor(total), 0.0)  # a unit realised early is repaid before new ones are drawn
        self.carry[keys] = total - counts
        return counts.astype(np.int64)


def realise(
    expected: np.ndarray, mode: Sampling, rng: np.random.Generator, ledger: Ledger | None, keys: np.ndarray | slice
) -> np.ndarray:
    """Expected counts to integers: carried rounding (controlled) or Poisson draws (independent)."""
    if mode == Sampling.CONTROLLED:
        assert ledger is not None
        return ledger.draw(expected, keys)
    return rng.poisson(np.maximum(expected, 0.0))


def _scale(target: np.ndarray, sums: np.ndarray, out: np.ndarray) -> None:
    """``out = target / sums`` where ``sums`` is positive, else 0 (``sums`` is non-negative)."""
    if sums.all():  # the usual case: no line is empty, and the division needs no mask
        np.divide(target, sums, out=out)
    else:
        out.fill(0.0)
        np.divide(target, sums, out=out, where=sums > 0)


def sinkhorn(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = 100, tol: float = 1e-6):
    """Scale the non-negative matrix ``x`` so its row and column sums approach ``rows`` and ``cols``.

    The result is ``diag(r) x diag(c)``; only the scaling vectors are iterated (two matrix-vector products a round
    instead of rescaling the matrix). Stops when every row sum is within ``tol`` (relative) of its target or after
    ``iterations`` rounds; callers that need exact integer margins repair the remainder (see
    :func:`controlled_matrix`).
    """
    allowed = tol * np.maximum(rows, 1.0)
    c = np.ones(x.shape[1])
    xc = x @ c
    r, gap = np.zeros_like(xc), np.empty_like(xc)  # the rounds reuse these: on small matrices, allocation counts
    for _ in range(iterations):
        _scale(rows, xc, r)
        xr = r @ x
        _scale(cols, xr, c)
        xc = x @ c
        np.multiply(r, xc, out=gap)
        gap -= rows
        np.abs(gap, out=gap)
        if (gap <= allowed).all():
            break
    return r[:, None] * x * c[None, :]


def _trim(k: np.ndarray, left: np.ndarray, axis: int) -> None:
    """Remove units from the largest cells of lines whose floors overshoot their margin (``left`` < 0)."""
    for line in np.flatnonzero(left < 0):
        cells = k[line] if axis == 0 else k[:, line]
        while left[line] < 0:
            j = int(np.argmax(cells))
            cells[j] -= 1
            left[line] += 1


def controlled_matrix(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An integer matrix with row sums ``rows`` and column sums ``cols`` that follows ``x`` as closely as it can.

    ``x`` is scaled to the margins (Sinkhorn, on the rows and columns with a positive margin only), floored, and
    the remaining units are placed one row at a time (rows in random order) by systematic sampling on the
    fractional parts, so each cell receives a unit with probability equal to its fractional part. Cells where
    ``x`` is zero receive units only when a row has nowhere else to go.
    """
    if rows.sum() != cols.sum():
        raise ValueError("row and column totals differ")
    out = np.zeros(x.shape, dtype=np.int64)
    ri, ci = np.flatnonzero(rows > 0), np.flatnonzero(cols > 0)
    if not ri.size:
        return out
    sub = x[np.ix_(ri, ci)]
    r, c = rows[ri].astype(float), cols[ci].astype(float)
    y = sinkhorn(sub, r, c)
    k = np.floor(y + 1e-9).astype(np.int64)
    row_left = rows[ri] - k.sum(axis=1)
    _trim(k, row_left, 0)
    col_left = cols[ci] - k.sum(axis=0)
    if np.any(col_left < 0):
        _trim(k, col_left, 1)
        row_left = rows[ri] - k.sum(axis=1)
    frac = np.clip(y - k, 0.0, None)
    last = k.shape[1] - 1
    has_room = col_left > 0
    room = col_left.tolist()  # the units are placed one at a time: Python integers, not numpy scalars
    offsets = np.arange(int(row_left.max(initial=0)))
    placed: list[int] = []  # flat cells of k that receive a unit
    for i in rng.permutation(np.flatnonzero(row_left > 0)).tolist():
        need = int(row_left[i])
        for weights in (frac[i], sub[i]):
            if need == 0:
                break
            w = weights * has_room
            total = w.sum()
            if total <= 0:
                continue
            # Systematic sampling: each cell's chance of a unit is its (rescaled) fractional part.
            cum = w.cumsum()
            cum *= need / total
            picks = cum.searchsorted(rng.random() + offsets[:need], side="right")
            # A row takes a handful of units: one by one, each while its column has room left.
            for j in picks.tolist():
                j = min(j, last)
                if room[j] > 0:
                    placed.append(i * (last + 1) + j)
                    room[j] -= 1
                    if not room[j]:
                        has_room[j] = False
                    need -= 1
        while need > 0:  # nowhere this row's flows point to has room left: any open column will do
            candidates = np.flatnonzero(has_room)
            chosen = rng.choice(candidates, min(need, candidates.size), replace=False).tolist()
            for j in chosen:
                placed.append(i * (last + 1) + j)
                room[j] -= 1
                if not room[j]:
                    has_room[j] = False
            need -= len(chosen)
    k += np.bincount(np.asarray(placed, dtype=np.int64), minlength=k.size).reshape(k.shape)
    out[np.ix_(ri, ci)] = k
    return out


def pick_per_group(
    groups: np.ndarray, counts: np.ndarray, rng: np.random.Generator, sizes: np.ndarray | None = None
) -> np.ndarray:
    """Choose ``counts[g]`` distinct random members of each group ``g`` (fewer if the group is smaller).

    Args:
        groups: group index of each candidate (candidates are positions 0..len(groups)-1).
        counts: how many to choose in each group.
        rng: the stream to draw from.
        sizes: members per group, when the caller already knows them.

    Returns:
        Positions of the chosen candidates.
    """
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    counts = np.asarray(counts)
    if sizes is None:
        sizes = np.bincount(groups, minlength=len(counts))
    # Pre-select a random superset of about 1.5x what each group needs, then rank only that (a uniformly random
    # subset of a uniformly random subset is uniformly random); groups whose superset came out too small are
    # ranked in full.
    p = (np.minimum(1.0, (1.5 * counts + 8.0) / np.maximum(sizes, 1)) * (counts > 0)).astype(np.float32)
    passed = rng.random(len(groups), dtype=np.float32) < p[groups]
    idx = np.flatnonzero(passed)
    short = np.bincount(groups[idx], minlength=len(counts)) < np.minimum(counts, sizes)
    if short.any():
        idx = np.flatnonzero(passed | short[groups])
    if not idx.size:
        return idx
    key = rng.random(idx.size)
    order = np.lexsort((key, groups[idx]))
    g_sorted = groups[idx][order]
    starts = np.searchsorted(g_sorted, g_sorted, side="left")
    rank = np.arange(idx.size) - starts
    return idx[order[rank < counts[g_sorted]]]
