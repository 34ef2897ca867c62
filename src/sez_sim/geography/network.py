"""The corridor network: provinces, links, border crossings, and generalised distances (docs/ODD.md 7.1).

Edge cost (km-equivalent) is ``length_km * quality`` plus, on an international link, the cost of its border
crossing. The generalised distance ``d_ij`` is the shortest path over these costs (scipy.sparse.csgraph), with the
internal distance ``(2/3) sqrt(area / pi)`` on the diagonal. Policies change link quality (corridor upgrades) and
crossing costs (facilitation, CBEZ joint customs); :class:`Geography` then updates only what it must: a cost cut
is folded into the matrix exactly in O(N^2) per link, and a cost rise recomputes only the rows whose shortest
paths used that link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sez_sim.errors import ScenarioError, did_you_mean

DEFAULT_CROSSING_COST_KM = 250.0
"""Default cost of one border crossing, in km-equivalent (see the ``geography.crossing_cost_km`` parameter)."""


EARTH_RADIUS_KM = 6371.0
"""Mean radius of the Earth (km), for great-circle distances between province seats."""


class Geography:
    """Provinces on a network with trade costs.

    Attributes:
        name: a short label ("gms", a folder name, "two_region", ...).
        provinces: one row per province; the row position is the province's integer node id.
        links: one row per undirected link, with integer endpoints ``ia``/``ib`` and the current ``quality``.
        crossings: border crossings with integer endpoints and the current ``cost_km``.
        corridors: corridor branches as ordered province sequences (integer ``province`` column added).
        zones: economic zones with an integer ``province`` column.
        graph: networkx graph with integer nodes carrying name, id, country, lon and lat.
    """

    def __init__(
        self,
        name: str,
        provinces: pd.DataFrame,
        links: pd.DataFrame,
        crossings: pd.DataFrame | None = None,
        corridors: pd.DataFrame | None = None,
        zones: pd.DataFrame | None = None,
        *,
        crossing_cost_km: float = DEFAULT_CROSSING_COST_KM,
        freeness_override: np.ndarray | None = None,
    ):
        self.name = name
        self.provinces = provinces.reset_index(drop=True).copy()
        if "is_port" not in self.provinces:
            self.provinces["is_port"] = False
        self._index = {pid: i for i, pid in enumerate(self.provinces["id"])}
        self._by_name = {n: i for i, n in enumerate(self.provinces["name"])}

        self.links = links.reset_index(drop=True).copy()
        self.links["ia"] = self.links["a"].map(self._index).astype(np.int64)
        self.links["ib"] = self.links["b"].map(self._index).astype(np.int64)
        if "quality" not in self.links:
            self.links["quality"] = 1.0
        country = self.provinces["country"].to_numpy()
        self.links["international"] = country[self.links["ia"]] != country[self.links["ib"]]

        none = pd.DataFrame(columns=["name", "province_a", "province_b"])
        self.crossings = (crossings if crossings is not None else none).reset_index(drop=True)
        self.crossings["ia"] = self.crossings["province_a"].map(self._index).astype(np.int64)
        self.crossings["ib"] = self.crossings["province_b"].map(self._index).astype(np.int64)
        self.crossings["cost_km"] = float(crossing_cost_km)
        self._crossing_index = {n: i for i, n in enumerate(self.crossings["name"])}
        # The crossing each link passes (-1 for a domestic link).
        first = self.links.get("crossing", pd.Series([""] * len(self.links))).fillna("").str.split(";").str[0]
        self.links["crossing_id"] = first.map(self._crossing_index).fillna(-1).astype(np.int64)

        self.corridors = (corridors if corridors is not None else pd.DataFrame(columns=["province_id"])).copy()
        self.corridors["province"] = self.corridors["province_id"].map(self._index)
        self.zones = (zones if zones is not None else pd.DataFrame(columns=["province_id"])).copy()
        self.zones["province"] = self.zones["province_id"].map(self._index)

        self.freeness_override = freeness_override
        self._weights = self._edge_weights()
        self._network_distance = self._all_pairs(self._weights)
        self._distance: np.ndarray | None = None

    # ------------------------------------------------------------------ lookup
    @property
    def n(self) -> int:
        """Number of provinces."""
        return len(self.provinces)

    def index_of(self, ref: str | int) -> int:
        """Return the integer node id of a province given by id, exact name, or integer id.

        Raises:
            ScenarioError: for an unknown province, with the closest matches as a suggestion.
        """
        if isinstance(ref, int | np.integer) and not isinstance(ref, bool):
            if 0 <= int(ref) < self.n:
                return int(ref)
            raise ScenarioError(f"province index {ref} is out of range 0..{self.n - 1}")
        found = self.find_province(str(ref))
        if found is not None:
            return found
        hint = _suggest(str(ref), [*self._index, *self._by_name], list(self._index))
        raise ScenarioError(f"unknown province {ref!r}{hint}")

    def find_province(self, ref: str) -> int | None:
        """The node id of a province given by id or exact name, or None (without :meth:`index_of`'s suggestion)."""
        return self._index.get(ref, self._by_name.get(ref))

    def crossing_of(self, ref: str) -> int:
        """Return the row of a crossing given by name.

        The exact name, or the name without its parenthetical note, with its two sides in either order
        (``Mohan-Boten`` finds ``Boten-Mohan``; ``Mukdahan-Savannakhet`` finds the 2nd Friendship Bridge), as long
        as that picks one crossing.

        Raises:
            ScenarioError: for an unknown or ambiguous crossing, with the closest names as a suggestion.
        """
        hits = self._crossings_named(ref)
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            names = " or ".join(repr(self.crossings["name"].iat[i]) for i in hits)
            raise ScenarioError(f"crossing {ref!r} is ambiguous: {names}")
        raise ScenarioError(f"unknown crossing {ref!r}{_suggest(ref, list(self._crossing_index))}")

    def find_crossing(self, ref: str) -> int | None:
        """The row of the one crossing :meth:`crossing_of` finds, or None (unknown or ambiguous, without a message)."""
        hits = self._crossings_named(ref)
        return hits[0] if len(hits) == 1 else None

    def _crossings_named(self, ref: str) -> list[int]:
        if ref in self._crossing_index:
            return [self._crossing_index[ref]]
        wanted = _crossing_key(ref)
        return [i for name, i in self._crossing_index.items() if _crossing_key(name) == wanted]

    def corridor_links(self, corridor: str) -> np.ndarray:
        """Return the link rows along a corridor (``EWEC``) or one branch (``EWEC/main_Mawlamyine-DaNang``).

        Raises:
            ScenarioError: for an unknown corridor or branch.
        """
        corr, _, branch = corridor.partition("/")
        rows = self.corridors[self.corridors["corridor"] == corr]
        if branch:
            rows = rows[rows["branch"] == branch]
        if rows.empty:
            names = sorted(set(self.corridors["corridor"])) + sorted(
                f"{c}/{b}" for c, b in set(zip(self.corridors["corridor"], self.corridors["branch"], strict=False))
            )
            raise ScenarioError(f"unknown corridor {corridor!r}{_suggest(corridor, names)}")
        pairs = set()
        for _, grp in rows.groupby(["corridor", "branch"], sort=False):
            seq = grp.sort_values("seq")["province"].to_numpy()
            pairs |= {frozenset((int(p), int(q))) for p, q in zip(seq, seq[1:], strict=False)}
        keys = [frozenset((a, b)) for a, b in zip(self.links["ia"], self.links["ib"], strict=False)]
        return np.array([i for i, k in enumerate(keys) if k in pairs], dtype=np.int64)

    def link_of(self, a: str | int, b: str | int) -> int:
        """Return the link row joining two provinces.

        Raises:
            ScenarioError: when the two provinces are not linked.
        """
        ia, ib = self.index_of(a), self.index_of(b)
        hit = np.flatnonzero(
            ((self.links["ia"] == ia) & (self.links["ib"] == ib))
            | ((self.links["ia"] == ib) & (self.links["ib"] == ia))
        )
        if not hit.size:
            raise ScenarioError(f"no link between {a!r} and {b!r}")
        return int(hit[0])

    # --------------------------------------------------------------- distances
    @property
    def distance(self) -> np.ndarray:
        """The N x N generalised distance (km-equivalent), internal distance on the diagonal. Read-only."""
        if self._distance is None:
            d = self._network_distance.copy()
            np.fill_diagonal(d, self.internal_distance)
            d.setflags(write=False)
            self._distance = d
        return self._distance

    @property
    def internal_distance(self) -> np.ndarray:
        """Average distance within each province, ``(2/3) sqrt(area / pi)`` km."""
        return (2.0 / 3.0) * np.sqrt(self.provinces["area_km2"].to_numpy(float) / np.pi)

    def seat_km(self, centres: Sequence[int]) -> np.ndarray:
        """Great-circle km from each province's seat (its ``lon``, ``lat``) to the nearest seat of ``centres``.

        The straight-line distance studies of zones' surroundings use (rings of 10-50 km round a zone), not the
        network's: haversine on a sphere of :data:`EARTH_RADIUS_KM`.
        """
        lon, lat = (np.radians(self.provinces[c].to_numpy(float)) for c in ("lon", "lat"))
        at = np.asarray(centres, dtype=np.int64)
        half = (
            np.sin((lat[:, None] - lat[at]) / 2.0) ** 2
            + np.cos(lat[:, None]) * np.cos(lat[at]) * np.sin((lon[:, None] - lon[at]) / 2.0) ** 2
        )
        return (2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0)))).min(axis=1)

    def freeness(self, sigma: float, kappa: float) -> np.ndarray:
        """Trade freeness ``phi_ij = tau_ij ** (1 - sigma)`` with ``tau_ij = exp(kappa * d_ij)``.

        Synthetic textbook geographies give phi directly; it is returned as it is.
        """
        if self.freeness_override is not None:
            return self.freeness_override
        return np.exp(-kappa * (sigma - 1.0) * self.distance)

    def sea_legs(self, sea_cost_km: float) -> np.ndarray:
        """The sea leg of each province's port: ``sea_cost_km`` where it has one, ``inf`` where it has none."""
        return np.where(self.provinces["is_port"].to_numpy(bool), float(sea_cost_km), np.inf)

    def port_distance(self, sea_cost_km: float | np.ndarray) -> np.ndarray:
        """Distance from each province to the rest of the world: to a port, plus that port's sea leg, at the least.

        Args:
            sea_cost_km: the sea leg of every port of the geography, or one per province (:meth:`sea_legs`; ``inf``
                where a province has no port), as port instruments set them.

        Returns:
            ``inf`` everywhere when there is no port.
        """
        legs = self.sea_legs(sea_cost_km) if np.ndim(sea_cost_km) == 0 else np.asarray(sea_cost_km, float)
        ports = np.flatnonzero(np.isfinite(legs))
        if not ports.size:
            return np.full(self.n, np.inf)
        # Rounding is monotone, so with one leg for all this is the nearest port's distance plus the leg, exactly.
        return (self.distance[:, ports] + legs[ports]).min(axis=1)

    def set_link_quality(self, links: Iterable[int], quality: float | Sequence[float]) -> None:
        """Set the quality factor of links (cost per km = length * quality; upgrades lower it below 1)."""
        rows = np.asarray(list(links), dtype=np.int64)
        q = np.broadcast_to(np.asarray(quality, float), rows.shape)
        if np.any(q <= 0):
            raise ValueError("link quality must be positive")
        self.links.loc[rows, "quality"] = q
        self._update()

    def set_crossing_cost(self, crossings: Iterable[int], cost_km: float | Sequence[float]) -> None:
        """Set the cost of border crossings (km-equivalent; facilitation and joint customs lower it)."""
        rows = np.asarray(list(crossings), dtype=np.int64)
        c = np.broadcast_to(np.asarray(cost_km, float), rows.shape)
        if np.any(c < 0):
            raise ValueError("crossing cost cannot be negative")
        self.crossings.loc[rows, "cost_km"] = c
        self._update()

    def _edge_weights(self) -> np.ndarray:
        w = self.links["distance_km"].to_numpy(float) * self.links["quality"].to_numpy(float)
        cid = self.links["crossing_id"].to_numpy()
        intl = cid >= 0
        w[intl] += self.crossings["cost_km"].to_numpy(float)[cid[intl]]
        return w

    def _csr(self, weights: np.ndarray) -> csr_matrix:
        ia = self.links["ia"].to_numpy()
        ib = self.links["ib"].to_numpy()
        return csr_matrix((weights, (ia, ib)), shape=(self.n, self.n))

    def _all_pairs(self, weights: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        return dijkstra(self._csr(weights), directed=False, indices=rows)

    def _update(self) -> None:
        """Bring the distance matrix up to date with the current link and crossing costs."""
        new = self._edge_weights()
        old = self._weights
        changed = np.flatnonzero(new != old)
        if not changed.size:
            return
        D = self._network_distance
        ia = self.links["ia"].to_numpy()
        ib = self.links["ib"].to_numpy()
        rises = changed[new[changed] > old[changed]]
        if rises.size:
            affected = np.zeros(self.n, dtype=bool)
            for e in rises:
                u, v, w = ia[e], ib[e], old[e]
                via_uv = D[:, [u]] + w + D[[v], :]
                via_vu = D[:, [v]] + w + D[[u], :]
                tol = 1e-9 * np.maximum(D, 1.0)
                affected |= np.any((np.abs(via_uv - D) <= tol) | (np.abs(via_vu - D) <= tol), axis=1)
            staged = old.copy()
            staged[rises] = new[rises]
            rows = np.flatnonzero(affected)
            if rows.size:
                sub = self._all_pairs(staged, rows)
                D[rows, :] = sub
                D[:, rows] = sub.T
        for e in changed[new[changed] < old[changed]]:
            u, v, w = ia[e], ib[e], new[e]
            np.minimum(D, D[:, [u]] + w + D[[v], :], out=D)
            np.minimum(D, D[:, [v]] + w + D[[u], :], out=D)
        self._weights = new
        self._distance = None

    def recompute(self) -> np.ndarray:
        """Recompute all pairs from scratch (reference for the incremental update); returns the matrix."""
        self._network_distance = self._all_pairs(self._weights)
        self._distance = None
        return self.distance

    # ------------------------------------------------------------------- graph
    @cached_property
    def graph(self) -> nx.Graph:
        """The network for Mesa's network space: a node per province, an edge per link.

        Nodes are the provinces' integer ids with their name, id, country, lon and lat; an edge carries its link's
        row, length, corridor and crossing. Built on first use: only a model reads it, while loading and validating a
        scenario build and copy its geography several times.
        """
        g = nx.Graph(name=self.name)
        p = self.provinces
        g.add_nodes_from(
            (i, {"id": pid, "name": name, "country": country, "lon": float(lon), "lat": float(lat)})
            for i, (pid, name, country, lon, lat) in enumerate(
                zip(*(p[c].tolist() for c in ("id", "name", "country", "lon", "lat")), strict=True)
            )
        )
        links = self.links
        blank = [""] * len(links)
        corridor = links["corridor"].tolist() if "corridor" in links else blank
        crossing = links["crossing"].tolist() if "crossing" in links else blank
        g.add_edges_from(
            (int(a), int(b), {"link": e, "length_km": float(km), "corridor": str(c or ""), "crossing": str(x or "")})
            for e, (a, b, km, c, x) in enumerate(
                zip(
                    links["ia"].tolist(),
                    links["ib"].tolist(),
                    links["distance_km"].tolist(),
                    corridor,
                    crossing,
                    strict=True,
                )
            )
        )
        return g

    def layout(self) -> dict[int, tuple[float, float]]:
        """Node positions (lon, lat) for drawing and for Mesa's Network space."""
        return {
            i: (float(x), float(y))
            for i, (x, y) in enumerate(zip(self.provinces["lon"], self.provinces["lat"], strict=False))
        }

    def countries(self) -> np.ndarray:
        """Integer country code per province (index into :meth:`country_names`)."""
        return pd.Categorical(self.provinces["country"], categories=self.country_names()).codes.astype(np.int64)

    def country_names(self) -> list[str]:
        """Country codes in order of first appearance."""
        return list(dict.fromkeys(self.provinces["country"]))

    def digest(self) -> str:
        """SHA-256 of the geography's current content.

        That is its tables (link qualities and crossing costs included) and any freeness override: two geographies
        with the same digest give the same model.
        """
        h = hashlib.sha256(self.name.encode())
        for table in (self.provinces, self.links, self.crossings, self.corridors, self.zones):
            for name, column in [("index", table.index), *table.items()]:
                values = column.to_numpy()
                h.update(f"\x1e{name}\x1f{column.dtype}\x1f{len(values)}\x1f".encode())
                if values.dtype.kind in "biuf":  # numbers as their bytes: a table as text took 40 ms to hash
                    h.update(np.ascontiguousarray(values).tobytes())
                else:  # repr keeps texts apart whatever they hold, and None apart from "None"
                    h.update(repr(values.tolist()).encode())
        if self.freeness_override is not None:
            h.update(np.ascontiguousarray(self.freeness_override, float).tobytes())
        return h.hexdigest()

    def __repr__(self) -> str:
        return (
            f"Geography({self.name!r}: {self.n} provinces, {len(self.links)} links, "
            f"{len(self.crossings)} crossings, {len(self.zones)} zones)"
        )


def _crossing_key(name: str) -> frozenset[str]:
    """The two sides of a crossing name, without notes in parentheses, case-insensitive."""
    base = name.split("(")[0].strip().lower()
    return frozenset(part.strip() for part in base.split("-", 1))


def _suggest(word: str, options: Iterable[str], listed: Sequence[str] | None = None) -> str:
    """The closest of ``options`` to ``word``; without one, what there is (``listed``, default ``options``)."""
    options = list(options)
    if hint := did_you_mean(word, options):
        return f" ({hint})"
    listed = options if listed is None else listed
    if not listed:
        return " (this geography has none)"
    shown = listed if len(listed) <= 8 else [*listed[:3], "...", listed[-1]]
    return f" (this geography has {len(listed)}: {', '.join(shown)})"
