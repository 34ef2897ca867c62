"""Levers: the quantities policy instruments change, their baseline, and the one channel instruments act through.

A lever is an array the model reads: a corporate tax rate per province, approval days, a border barrier per
country pair, the cost of each crossing, the capacity of each zone, ... Its **baseline** is recorded when the
model is built (from the parameters and the data). No instrument writes a lever or a parameter. At setup an
instrument declares its **effects** (an :class:`Effect`: which lever, which cells, how, and its full size) and from
then on only reports its **intensity** in [0, 1]. Whenever an intensity changes, every lever it touches is
recomputed from its baseline by applying the effects of all instruments in the order they were added, each at its
instrument's intensity ``i``:

======== ====================================== ===========================================================
op       value after the effect                 used for
======== ====================================== ===========================================================
scale    ``v * (1 - i (1 - factor))``           red tape, link quality, crossing costs, the FDI stream
move     ``v + i (target - v)``                 tax rates, minimum wages, approval days, barriers, capacity,
                                                zone management and promotion
switch   ``target`` if ``i > 0``, else ``v``    migration quotas, zone activity, commuting into CBEZ zones,
                                                ports
======== ====================================== ===========================================================

So an instrument keeps its own effect when others are added: effects on different cells never interact,
scaling effects on the same cells compose multiplicatively in any order, and where two move or switch effects
overlap the later instrument's target applies on top of the earlier one's. An instrument at intensity 0 (before
its start, after its end) contributes nothing, exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

Op = Literal["scale", "move", "switch"]

LEVERS = {
    "corporate_tax": "profit-tax rate per province (share of profit)",
    "minimum_wage": "statutory minimum wage per province (US$ per worker-year)",
    "approval_days": "days from investment decision to approval, per province",
    "red_tape": "red-tape cost of an entrant, per province (years of mean firm profit)",
    "fdi_inflow": "multiplier on the stream of potential foreign entrants (one cell)",
    "border_barrier": "barrier to moving between two countries (country x country, utility)",
    "migration_quota": "most people who may move from one country to another per year (country x country)",
    "link_quality": "cost per km of each link relative to its length",
    "crossing_cost": "cost of each border crossing (km-equivalent)",
    "sea_leg": "cost of the sea leg from each province's port to world markets (km-equivalent; inf: no port)",
    "zone_capacity": "firm slots of each zone",
    "zone_active": "1 where a zone admits and supports firms, else 0",
    "commuting_share": "share of each zone's jobs open to commuters from its partner province",
    "zone_management": "management capacity of each zone's authority (0-1)",
    "zone_promotion": "extra potential investors each zone's promotion brings, relative to those who know it",
    "zone_credibility": "share of each zone's track record investors take as shown, whatever its firms have shown",
}
"""Every lever, with what its cells mean."""


@dataclass(frozen=True)
class Effect:
    """One effect of an instrument on one lever.

    Attributes:
        lever: the lever's name (a key of :data:`LEVERS`).
        cells: flat indices of the cells it changes.
        op: ``scale``, ``move`` or ``switch`` (see the module docstring).
        value: the factor (scale) or target (move, switch) at full intensity: one number or one per cell.
    """

    lever: str
    cells: np.ndarray
    op: Op
    value: np.ndarray | float

    @cached_property
    def values(self) -> np.ndarray:
        """The value at full intensity for each cell."""
        return np.broadcast_to(np.asarray(self.value, float), self.cells.shape)

    def apply(self, flat: np.ndarray, intensity: float) -> None:
        """Apply this effect at ``intensity`` to the flattened lever values (in place)."""
        if intensity <= 0:
            return
        value = self.values
        current = flat[self.cells]
        if self.op == "switch":
            flat[self.cells] = value
        elif self.op == "scale":
            flat[self.cells] = current * (value if intensity >= 1 else 1.0 - intensity * (1.0 - value))
        else:
            flat[self.cells] = value if intensity >= 1 else current + intensity * (value - current)


class Levers:
    """The levers of one model: baselines, the instruments' effects and intensities, the current values.

    Read a lever's current values with ``levers[name]`` and its baseline with ``levers.baseline[name]``.
    """

    def __init__(self) -> None:
        self.baseline: dict[str, np.ndarray] = {}
        self._values: dict[str, np.ndarray] = {}
        self._effects: list[tuple[Effect, ...]] = []
        self._intensity: list[float] = []
        self._on: dict[str, list[tuple[int, Effect]]] = {}  # each lever's effects, in the order they were added

    def __getitem__(self, name: str) -> np.ndarray:
        return self._values[name]

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def define(self, name: str, baseline: np.ndarray | float) -> None:
        """Record a lever's baseline (called once, when the model is built)."""
        if name not in LEVERS:
            raise KeyError(f"unknown lever {name!r}; known: {', '.join(LEVERS)}")
        values = np.array(baseline, dtype=float, ndmin=1)
        self.baseline[name] = values
        self._values[name] = values.copy()

    def extend(self, name: str, baseline: np.ndarray | float) -> None:
        """Append cells with their baseline to a one-dimensional lever (a new zone)."""
        extra = np.array(baseline, dtype=float, ndmin=1)
        self.baseline[name] = np.concatenate([self.baseline[name], extra])
        self._values[name] = np.concatenate([self._values[name], extra])

    def register(self, effects: list[Effect]) -> int:
        """Register an instrument's effects (at intensity 0); returns its handle for :meth:`set_intensity`.

        Raises:
            KeyError: for an undefined lever; IndexError: for a cell outside it.
        """
        for e in effects:
            if e.lever not in self._values:
                raise KeyError(f"lever {e.lever!r} is not defined in this model")
            if e.cells.size and (e.cells.min() < 0 or e.cells.max() >= self._values[e.lever].size):
                raise IndexError(f"effect on {e.lever} names cells outside its {self._values[e.lever].size}")
        handle = len(self._effects)
        self._effects.append(tuple(effects))
        self._intensity.append(0.0)
        for e in effects:
            self._on.setdefault(e.lever, []).append((handle, e))
        return handle

    def intensity(self, handle: int) -> float:
        """The intensity an instrument last reported."""
        return self._intensity[handle]

    def set_intensity(self, handle: int, intensity: float) -> list[str]:
        """Put an instrument's effects in force at ``intensity``; returns the levers whose values changed."""
        return self.set_intensities({handle: intensity})

    def set_intensities(self, intensities: Mapping[int, float]) -> list[str]:
        """Put instruments' effects in force at their intensities (by handle); returns the levers whose values changed.

        Each lever the changed instruments touch is recomputed once, after all of them are set: a step in which
        every one of many zones is being built changes each of their intensities, and recomputing a lever after
        each would cost the square of their number.
        """
        touched: dict[str, None] = {}
        for handle, intensity in intensities.items():
            if intensity != self._intensity[handle]:
                self._intensity[handle] = float(intensity)
                touched.update(dict.fromkeys(e.lever for e in self._effects[handle]))
        changed = []
        for name in touched:
            values = self._recompute(name)
            if not np.array_equal(values, self._values[name]):
                self._values[name] = values
                changed.append(name)
        return changed

    def _recompute(self, name: str) -> np.ndarray:
        values = self.baseline[name].copy()
        flat = values.reshape(-1)
        for handle, effect in self._on.get(name, ()):
            effect.apply(flat, self._intensity[handle])
        return values
