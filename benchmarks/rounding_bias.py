"""How far migration's controlled rounding strays from its expected flows, by route size and across borders.

``controlled_matrix`` scales the expected flows to integer margins (Sinkhorn) and rounds; each route's realised
movers should average its scaled flow. This records the matrices of a GMS baseline run's first steps, rounds each
of them many times with fresh random numbers and prints, per size band of the scaled routes and for the routes
between countries, the realised movers over the scaled flows, and that over the share of units placed (units the
rounding leaves unplaced wait for the next step: 1 = unbiased). docs/ODD.md 7.5 reports it.

Run from the repository root: ``.venv/bin/python benchmarks/rounding_bias.py [STEPS] [DRAWS] [PROVINCES]``
(defaults 12 and 200: about ten seconds); PROVINCES runs a synthetic planar network of that size (as
``bench_scale.py``) instead of the GMS.
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
from bench_scale import synthetic

from sez_sim.agents import sampling, workers
from sez_sim.model import ModelConfig, SEZModel

BANDS = ((0.0, 0.002), (0.002, 0.01), (0.01, 0.05), (0.05, 0.2), (0.2, 1.0), (1.0, np.inf))
"""Scaled movers on a route: the smallest routes are where a biased placement shows."""


def config(provinces: int | None) -> ModelConfig:
    """The GMS baseline, or ``bench_scale.py``'s planar network of ``provinces``."""
    return ModelConfig(seed=11) if provinces is None else dataclasses.replace(synthetic(provinces), seed=11)


def record(steps: int, provinces: int | None = None) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """``(flows, rows, cols, between_countries)`` of each controlled rounding in a baseline run's first steps."""
    recorded, keys = [], {}
    moves, rounding = workers.Workers._controlled_moves, workers.controlled_cells

    def controlled_moves(self, member_key, composition, group_keys, *args):
        home = group_keys // self.n_countries
        keys["between"] = self.province_country[home][:, None] != self.province_country[None, :]
        return moves(self, member_key, composition, group_keys, *args)

    def controlled_cells(x, rows, cols, rng):
        recorded.append((x.copy(), rows.copy(), cols.copy(), keys["between"]))
        return rounding(x, rows, cols, rng)

    workers.Workers._controlled_moves, workers.controlled_cells = controlled_moves, controlled_cells
    try:
        SEZModel(config(provinces)).run(steps=steps)
    finally:
        workers.Workers._controlled_moves, workers.controlled_cells = moves, rounding
    return recorded


def main(steps: int = 12, draws: int = 200, provinces: int | None = None) -> None:
    """Print realised over scaled movers per band, pooled over the recorded steps."""
    rng = np.random.default_rng(1)
    scaled, realised = np.zeros(len(BANDS) + 1), np.zeros(len(BANDS) + 1)
    units = placed = 0.0
    for x, rows, cols, between in record(steps, provinces):
        ri, ci = np.flatnonzero(rows > 0), np.flatnonzero(cols > 0)
        y = np.zeros(x.shape)
        y[np.ix_(ri, ci)] = sampling.sinkhorn(
            x[np.ix_(ri, ci)], rows[ri].astype(float), cols[ci].astype(float), relax=sampling.RELAX
        )
        mean = sum(sampling.controlled_matrix(x, rows, cols, rng) for _ in range(draws)) / draws
        masks = [(y > low) & (y <= high) for low, high in BANDS] + [between]
        scaled += [y[m].sum() for m in masks]
        realised += [mean[m].sum() for m in masks]
        units, placed = units + rows.sum(), placed + mean.sum()
    share = placed / units
    print(f"units placed: {share:.2%} of {units:,.0f} (the rest wait for the next step)")
    for (low, high), s, r in zip(BANDS, scaled, realised, strict=False):
        print(
            f"routes of {low:g}-{high:g} scaled movers: {r:,.1f} realised / {s:,.1f} scaled = {r / s:.3f}, "
            f"over the share placed {r / s / share:.3f}"
        )
    print(
        f"routes between countries: {realised[-1]:,.1f} realised / {scaled[-1]:,.1f} scaled = "
        f"{realised[-1] / scaled[-1]:.3f}, over the share placed {realised[-1] / scaled[-1] / share:.3f}"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
