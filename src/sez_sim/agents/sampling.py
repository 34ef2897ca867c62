"""Turning expected flows into whole agents: stochastic rounding, controlled rounding, picking members.

An agent rule gives expected numbers: movers on each route, entrants into each province, exits. How those become
integers decides the noise of the model. Two modes (``agents.sampling``):

- ``independent``: every count is an independent binomial/multinomial draw, exactly as if each agent decided on
  its own; the noise is Poisson-like and accumulates as a random walk.
- ``controlled`` (default): counts are rounded with a carried remainder (the part not yet realised is owed to the
  next step), and route counts are rounded so that each origin's and each destination's totals are their rounded
  expectations, less the few units that find no room after three draws and are owed to the next step (about 2%
  of a step's movers; :func:`controlled_matrix`). Realised cumulative flows then stay within a few agents per
  group of their expectation, and each route's within a few per cent. *Which* agents move, enter or exit stays
  random. This is the alignment technique of dynamic
  microsimulation; it removes sampling noise that is an artefact of representing 1,000 people by one agent.
"""

from __future__ import annotations

import itertools
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


def sinkhorn(
    x: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    iterations: int = 100,
    tol: float = 1e-6,
    relax: float = 1.0,
    warmup: int = 10,
) -> np.ndarray:
    """Scale the non-negative matrix ``x`` so its row and column sums approach ``rows`` and ``cols``.

    The result is ``diag(r) x diag(c)``; only the scaling vectors are iterated (two matrix-vector products a round
    instead of rescaling the matrix). A round multiplies ``r`` by ``(rows / row sums)^w`` and then ``c`` by
    ``(cols / column sums)^w``: ``w = 1`` is the textbook algorithm, which ``relax`` > 1 over-relaxes after
    ``warmup`` plain rounds (Thibault, Chizat, Dossal & Papadakis 2021, Algorithms 14(5):143; Lehmann, von Renesse,
    Sambale & Uschmajew 2022, Optimization Letters, doi:10.1007/s11590-021-01830-0, give a range of ``w``, which
    depends on the matrix, where it converges globally and faster). Its gap
    to the margins may rise for a few rounds before it falls (up to 2.5-fold on the GMS's flow matrices); should it
    grow :data:`DIVERGED`-fold from where over-relaxation started (far from a solution, or where the margins cannot
    be met), or a scale overflows, the rounds since are undone and the remaining ones are the textbook's; and it
    never returns farther from the margins than where over-relaxation began. Stops when
    every row sum is within ``tol`` (relative, at least ``tol``) of its target, and every column sum too while
    over-relaxed (a plain column half-step meets them exactly), or after ``iterations`` rounds;
    callers that need exact integer margins repair the remainder (see :func:`controlled_matrix`).
    """
    allowed, col_allowed = tol * np.maximum(rows, 1.0), tol * np.maximum(cols, 1.0)
    r, c = np.ones(x.shape[0]), np.ones(x.shape[1])
    xc = x @ c
    # The rounds reuse these: on small matrices, allocation counts.
    gap, col_work = np.empty_like(xc), np.empty(x.shape[1])
    w, start, begun = 1.0, np.inf, None  # begun: the scales where over-relaxation began
    with np.errstate(over="ignore", invalid="ignore"):  # an over-relaxation that diverges is caught below
        for round_ in range(1, iterations + 1):
            _step(r, xc, rows, w, gap)
            xr = r @ x
            _step(c, xr, cols, w, col_work)
            xc = x @ c
            np.multiply(r, xc, out=gap)
            gap -= rows
            np.abs(gap, out=gap)
            if w != 1.0 and not gap.max() <= DIVERGED * start:  # also when a scale overflowed (not finite)
                r, c, w = begun[0].copy(), begun[1].copy(), 1.0
                xc = x @ c
                continue
            # The column half-step meets the columns exactly only when it is not over-relaxed.
            if (gap <= allowed).all() and (w == 1.0 or (np.abs(c * xr - cols) <= col_allowed).all()):
                break
            if round_ == warmup and relax != 1.0:
                w, start, begun = relax, gap.max(), (r.copy(), c.copy())
    if begun is not None and not gap.max() <= start:  # out of rounds farther from the margins than where it began
        r, c = begun
    scaled = r[:, None] * x
    scaled *= c[None, :]
    return scaled


def _step(scale: np.ndarray, products: np.ndarray, target: np.ndarray, w: float, work: np.ndarray) -> None:
    """One half-round: ``scale *= (target / (scale * products))^w`` where the line has mass, else ``scale = 0``.

    ``scale * products`` are the current line sums; a line without mass (or without a target) gets scale 0, as in
    the textbook algorithm.
    """
    np.multiply(scale, products, out=work)
    if work.all():  # the usual case: no line is empty, and the division needs no mask
        np.divide(target, work, out=work)
    else:
        np.divide(target, work, out=work, where=work > 0)
        work[~(scale * products > 0)] = 0.0
    if w != 1.0:
        np.power(work, w, out=work)
    scale *= work


DIVERGED = 10.0
"""How far Sinkhorn's gap to the margins may grow under over-relaxation before the textbook's rounds take over."""

DRAWS = 3
"""How many times migration's controlled rounding lets a unit draw a destination before it waits a step (the
first draw and two more after losing a full destination); :func:`controlled_matrix` says why."""

RELAX = 1.7
"""Sinkhorn's over-relaxation in migration's controlled rounding.

On the GMS's flow matrices (about 220 origin groups x 220 destinations, a thousand movers a step) the plain
algorithm's error falls about 5% a round and needs about 300 rounds to reach 1e-6 of an agent; over-relaxed at
1.5, 1.6, 1.7 and 1.8 it needs about 105, 74, 46 and 72 (medians over 40 steps).
"""


def _trim(k: np.ndarray, left: np.ndarray, axis: int) -> None:
    """Remove units from the largest cells of lines whose floors overshoot their margin (``left`` < 0)."""
    for line in np.flatnonzero(left < 0):
        cells = k[line] if axis == 0 else k[:, line]
        while left[line] < 0:
            j = int(np.argmax(cells))
            cells[j] -= 1
            left[line] += 1


def controlled_matrix(
    x: np.ndarray, rows: np.ndarray, cols: np.ndarray, rng: np.random.Generator, draws: int | None = DRAWS
) -> np.ndarray:
    """An integer matrix with row sums up to ``rows`` and column sums up to ``cols`` that follows ``x`` closely.

    ``x`` is scaled to the margins (Sinkhorn, on the rows and columns with a positive margin only), floored, and
    the remaining units are placed by systematic sampling on the fractional parts (:func:`place_remainders`): in
    the first draw each cell receives a unit with probability equal to its fractional part, and a unit that loses
    a full column draws again among the columns with room, at most ``draws`` times in all. The units still
    unplaced then are left out: row and column sums fall short of their margins by the same total, which callers
    carry to the next step (as migration's ledgers do).

    Why a limit: each draw again among the columns with room favours cells that the row weighs little, and the last
    rows in need often have room left only there. Drawing until every unit is placed (``draws=None``, which also
    places what is left by the rows' weights in ``x`` and then on any column with room, so that both margins hold
    exactly) gives the GMS's smallest routes (under 0.002 scaled movers) about 34% more movers than their scaled
    flows and the routes between countries 30% more. With three draws, on the GMS and on a 500-province planar
    network, every size band of routes and the routes between countries get within 2.5% of their scaled flows
    times the share placed, and 1.6-2% of the units wait for the next step (two draws under-place the small routes
    by up to 8%, four over-place them by up to 8%; ``benchmarks/rounding_bias.py``).
    """
    out = np.zeros(x.shape, dtype=np.int64)
    row, col, units = controlled_cells(x, rows, cols, rng, draws)
    out[row, col] = units
    return out


def controlled_cells(
    x: np.ndarray, rows: np.ndarray, cols: np.ndarray, rng: np.random.Generator, draws: int | None = DRAWS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`controlled_matrix` as its cells with units: ``(row, col, units)``, in row-major order.

    Migration reads these: a step's movers fill few of its (groups x provinces) cells (at 2,000 provinces, about
    9,000 units in 5 million cells), and a dense matrix costs more to write and add up than the rounding itself.
    """
    if rows.sum() != cols.sum():
        raise ValueError("row and column totals differ")
    ri, ci = np.flatnonzero(rows > 0), np.flatnonzero(cols > 0)
    if not ri.size:
        return ri, ri, np.zeros(0, np.int64)
    sub = x[np.ix_(ri, ci)]
    y = sinkhorn(sub, rows[ri].astype(float), cols[ci].astype(float), relax=RELAX)
    k = np.add(y, 1e-9)
    k = np.floor(k, out=k).astype(np.int64)
    row_left = rows[ri] - k.sum(axis=1)
    _trim(k, row_left, 0)
    col_left = cols[ci] - k.sum(axis=0)
    if np.any(col_left < 0):
        _trim(k, col_left, 1)
        row_left = rows[ri] - k.sum(axis=1)
    y -= k
    frac = np.clip(y, 0.0, None, out=y)
    place_remainders(k, frac, row_left, col_left, rng, draws)
    if draws is None:
        for weights in (sub, None):  # None: any column with room, once a row's flows point nowhere with room
            place_remainders(k, weights, row_left, col_left, rng)
    i, j = np.nonzero(k)
    return ri[i], ci[j], k[i, j]


def place_remainders(
    k: np.ndarray,
    weights: np.ndarray | None,
    need: np.ndarray,
    room: np.ndarray,
    rng: np.random.Generator,
    draws: int | None = None,
) -> None:
    """Add ``need[i]`` units to row ``i`` of ``k`` in columns with ``room``, in proportion to ``weights`` (in place).

    All rows draw at once, by systematic sampling on their weights over the columns with room left: row ``i``'s
    units fall at ``(u_i + m) / need_i``, m = 0 .. need_i - 1, of its cumulative weight, so a cell receives a unit
    with probability ``need_i w_ij / sum_j w_ij`` (its fractional part when ``weights`` are the fractional parts,
    which sum to ``need_i``) and several only when that exceeds one. A column drawn more often than it has room
    keeps the units of the rows first in a random order of rows; the others draw again among the columns still
    open, until every unit is placed, the rows still in need have no weight on an open column, or the units have
    drawn ``draws`` times (None: no limit). ``need`` and ``room`` are updated; ``weights=None`` weighs every column
    with room alike.

    Each round fills at least one column or places every unit, so there are at most as many rounds as columns; on
    the GMS's migration matrices five to eight, the later ones over the few rows still in need. All rows in one
    vectorised pass a round instead of one row at a time: the sequential version took 2.5 ms a step, most of it
    Python's per-row overhead.
    """
    rank = np.empty(k.shape[0], np.int64)
    rank[rng.permutation(k.shape[0])] = np.arange(k.shape[0])
    for _ in itertools.count() if draws is None else range(draws):
        open_ = np.flatnonzero(room > 0)
        active = np.flatnonzero(need > 0)
        if not active.size or not open_.size:
            return
        n_cols = open_.size
        w = np.ones((active.size, n_cols)) if weights is None else weights[np.ix_(active, open_)]
        cum = np.cumsum(w, axis=1, dtype=float, out=w)  # w is this round's own copy
        total = cum[:, -1].copy()
        drawing = total > 0
        if not drawing.all():
            active, cum, total = active[drawing], cum[drawing], total[drawing]
            if not active.size:
                return
        cum /= total[:, None]
        cum += np.arange(active.size)[:, None]  # row j's cumulative weight runs from j to j + 1: one sorted array
        units = need[active]
        row = np.repeat(np.arange(active.size), units)
        within = np.arange(row.size) - np.repeat(np.cumsum(units) - units, units)
        at = row + (rng.random(active.size)[row] + within) / units[row]
        col = np.searchsorted(cum.ravel(), at, side="right") - row * n_cols
        np.clip(col, 0, n_cols - 1, out=col)  # at the top of a row's range, rounding may step past its last column
        col = open_[col]
        # A column keeps as many units as it has room for, those of the rows first in the random order.
        order = np.lexsort((rank[active[row]], col))
        col, row = col[order], active[row[order]]
        taken = np.arange(col.size) - np.searchsorted(col, col, side="left") < room[col]
        if not taken.any():
            return
        row, col = row[taken], col[taken]
        np.add.at(k, (row, col), 1)
        need -= np.bincount(row, minlength=need.size)
        room -= np.bincount(col, minlength=room.size)
        if taken.all():
            return


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
