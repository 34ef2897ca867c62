"""Struct-of-arrays agent populations (Starsim/Covasim style).

Agents are rows; each attribute is one numpy array. Rules are vectorised over ``pop[field]`` (the live rows only).
Capacity grows by amortised doubling, so adding agents is O(1) amortised. Removing agents moves the last live rows
into the holes, so the live rows stay contiguous and removed agents cost nothing on later steps. Every agent keeps
a unique ``id`` for inspection: ``pop.view(id)`` and ``pop.to_frame()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from sez_sim.tally import tally


class Population:
    """A population of agents stored as parallel arrays.

    Subclasses declare ``fields = {name: (dtype, default)}``. Reading ``pop["name"]`` returns a view of the live
    rows (writes go through to the population).
    """

    fields: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int = 16):
        self._n = 0
        self._next_id = 0
        capacity = max(int(capacity), 1)
        self._data: dict[str, np.ndarray] = {"id": np.zeros(capacity, dtype=np.int64)}
        for name, (dtype, default) in self.fields.items():
            self._data[name] = np.full(capacity, default, dtype=dtype)

    def __len__(self) -> int:
        return self._n

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the spare rows, which are never read (a third of a cached GMS model's bytes)."""
        state = self.__dict__.copy()
        state["_data"] = {name: arr[: self._n] for name, arr in self._data.items()}
        state["_capacity"] = self.capacity
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        capacity = state.pop("_capacity")
        self.__dict__.update(state)
        self._data = {}
        for name, live in state["_data"].items():
            arr = np.full(capacity, self.fields[name][1] if name in self.fields else 0, dtype=live.dtype)
            arr[: len(live)] = live
            self._data[name] = arr

    @property
    def capacity(self) -> int:
        """Allocated rows (live and spare)."""
        return len(self._data["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][: self._n]

    def __setitem__(self, name: str, value: Any) -> None:
        self._data[name][: self._n] = value

    def _grow(self, needed: int) -> None:
        capacity = self.capacity
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for name, arr in self._data.items():
            default = self.fields[name][1] if name in self.fields else 0
            bigger = np.full(capacity, default, dtype=arr.dtype)
            bigger[: self._n] = arr[: self._n]
            self._data[name] = bigger

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` agents; attributes not given take their defaults.

        Returns:
            The row indices of the new agents.
        """
        unknown = set(values) - set(self.fields)
        if unknown:
            raise KeyError(f"unknown field(s) {sorted(unknown)}; known: {sorted(self.fields)}")
        start = self._n
        self._grow(start + count)
        rows = np.arange(start, start + count)
        self._data["id"][rows] = np.arange(self._next_id, self._next_id + count)
        self._next_id += count
        for name, (_, default) in self.fields.items():
            self._data[name][rows] = values.get(name, default)
        self._n += count
        return rows

    def remove(self, rows: np.ndarray) -> None:
        """Remove the agents at ``rows`` (indices or a boolean mask over the live rows).

        The last live agents move into the freed rows; row indices of other agents may change, ids do not.
        """
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        if not rows.size:
            return
        n = self._n
        keep = np.ones(n, dtype=bool)
        keep[rows] = False
        new_n = n - rows.size
        holes = np.flatnonzero(~keep[:new_n])
        movers = np.flatnonzero(keep[new_n:]) + new_n
        for arr in self._data.values():
            arr[holes] = arr[movers]
        self._n = new_n

    def rows_of(self, ids: np.ndarray | int) -> np.ndarray:
        """Current row of each agent id (-1 for agents that are gone)."""
        ids = np.atleast_1d(np.asarray(ids))
        live = self["id"]
        order = np.argsort(live, kind="stable")
        pos = np.searchsorted(live[order], ids)
        pos = np.minimum(pos, len(live) - 1) if len(live) else pos
        found = (len(live) > 0) & (live[order][pos] == ids) if len(live) else np.zeros(ids.shape, bool)
        return np.where(found, order[pos] if len(live) else -1, -1)

    def view(self, agent_id: int) -> dict[str, Any]:
        """One agent's attributes as a dict (for inspection and teaching).

        Raises:
            KeyError: when there is no live agent with that id.
        """
        row = int(self.rows_of(agent_id)[0])
        if row < 0:
            raise KeyError(f"no live agent with id {agent_id}")
        return {name: arr[row].item() for name, arr in self._data.items()}

    def to_frame(self) -> pd.DataFrame:
        """All live agents as a DataFrame, one row each, indexed by id."""
        return pd.DataFrame({name: arr[: self._n].copy() for name, arr in self._data.items()}).set_index("id")

    def counts(self, field: str, n: int, weights: np.ndarray | None = None) -> np.ndarray:
        """Number (or weighted sum) of live agents per value of an integer field, whose values are 0..n-1."""
        return tally(self[field], n, weights).astype(float)

    def snapshot(self) -> Mapping[str, np.ndarray]:
        """Copies of the live arrays (used to compare runs bit for bit)."""
        return {name: arr[: self._n].copy() for name, arr in self._data.items()}
