"""The textbook presets' moves: towards every better place, in proportion to the gain.

In the core-periphery preset workers, and in the footloose-capital preset firms, reconsider where to be and move
towards a higher real wage or after-tax profit. Between two regions there is one place to go, and the classic rule
moves a share ``min(1, gain / response_scale)`` of those reconsidering. Over more regions, sending all of them to
the single best place overshoots it: a twelve-region ring at trade costs where the even spread is stable stayed
15% apart in real wages, the best place changing from step to step. Here a share ``gain_ij / response_scale``
moves from i to each j that pays more, all of i's shares scaled down together when they would move more than
everyone: Smith's (1984) pairwise comparison dynamic, whose rest points are exactly the spreads where no one gains
by moving, and which is the classic rule between two regions, number for number.
"""

from __future__ import annotations

import numpy as np


def toward_gains(value: np.ndarray, origin: np.ndarray, scale: float) -> np.ndarray:
    """Shares of the reconsidering movers of each origin that go to each place: (origins, places).

    Args:
        value: what movers compare, per place (real wage, after-tax profit per unit); positive.
        origin: the place each row starts from.
        scale: the relative gain at which everyone moves (0: everyone moves, split by gain).

    Returns:
        Non-negative shares, zero towards a place that pays no more, each row summing to at most 1.
    """
    gain = np.maximum(value[None, :] / np.maximum(value[origin], 1e-300)[:, None] - 1.0, 0.0)
    share = gain / scale if scale else gain
    total = share.sum(axis=1, keepdims=True)
    # A row with one positive share divided by itself is exactly 1: two regions give the capped share as before.
    capped = (total > 1.0) | (scale == 0)
    return np.where(capped, share / np.where(total > 0, total, 1.0), share)


def split(counts: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Split each row's count over the places in proportion to its shares (largest remainder): (rows, places).

    A row without any share keeps its count nowhere (it has no one to split).
    """
    total = share.sum(axis=1, keepdims=True)
    quota = counts[:, None] * np.divide(share, total, out=np.zeros_like(share), where=total > 0)
    whole = np.floor(quota).astype(np.int64)
    left = np.where(total[:, 0] > 0, counts - whole.sum(axis=1), 0)
    order = np.argsort(whole - quota, axis=1, kind="stable")  # largest remainder first
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(share.shape[1])[None, :].repeat(len(share), axis=0), axis=1)
    return whole + (rank < left[:, None])
