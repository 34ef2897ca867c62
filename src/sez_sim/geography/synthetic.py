"""Synthetic geographies for teaching, validation and scaling benchmarks.

- :func:`two_region`: two provinces whose trade freeness phi is given directly (the textbook NEG setting).
- :func:`line`: a corridor of n provinces with a border crossing in the middle (two countries, A and B).
- :func:`ring`: n provinces evenly spaced around a circle, one country: Krugman's racetrack economy (Fujita,
  Krugman & Venables 1999, ch. 6), where no place is central.
- :func:`random_planar`: n random provinces joined by a Delaunay triangulation (planar, connected), split into
  countries, with international links only at a few crossings; up to thousands of provinces.

All return a :class:`~sez_sim.geography.network.Geography` with the same tables as the GMS data, a fresh object on
every call (geographies of up to :data:`KEPT_PROVINCES` provinces are built once per process and copied).
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import Delaunay

from sez_sim.geography.network import DEFAULT_CROSSING_COST_KM, Geography

KM_PER_DEGREE = 111.0

KEPT_PROVINCES = 500
"""Synthetic geographies of up to this many provinces are built once per process and handed out as copies."""

KEPT = 16
"""How many such geographies a process keeps (the oldest is let go first)."""

_kept: dict[tuple, Geography] = {}
_keeping = threading.Lock()


def _key(value: Any) -> Any:
    """``value`` as part of a cache key: equal keys for equal arguments of the same types, or TypeError."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, list | tuple | range):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if isinstance(value, float):  # -0.0 == 0.0, but a table holding one is not the same bytes as one holding the other
        return (type(value).__qualname__, value.hex())
    hash(value)  # TypeError for anything else that cannot be a key
    return (type(value).__qualname__, value)


def _reused(builder: Callable[..., Geography]) -> Callable[..., Geography]:
    """``builder`` building each geography once per process, every call getting a copy of the one built.

    Runs of a teaching scenario (a batch worker's every run, the app's sessions) and root finders over a two-region
    economy ask for the same few geographies again and again: a copy takes 0.4-1 ms, a build 13-23 ms (pandas
    making the tables). A scenario's checks, its warnings and its model each ask for one: the builds were about a
    seventh of a one-year teaching run. Larger geographies (more than :data:`KEPT_PROVINCES` provinces) are built
    every time: their matrices would be held twice.
    """
    signature = inspect.signature(builder)

    @functools.wraps(builder)
    def fresh(*args: Any, **kwargs: Any) -> Geography:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        try:
            key = (builder.__name__, *(_key(v) for v in bound.arguments.values()))
        except TypeError:  # an argument that cannot be a key: built as asked
            return builder(*args, **kwargs)
        with _keeping:  # the app's sessions start in threads of their own
            geo = _kept.get(key)
        if geo is None:
            geo = builder(*args, **kwargs)
            if geo.n > KEPT_PROVINCES:
                return geo
            with _keeping:
                while len(_kept) >= KEPT:
                    del _kept[next(iter(_kept))]
                _kept[key] = geo
        return copy.deepcopy(geo)  # the one kept is never handed out

    return fresh


def _provinces(
    ids: Sequence[str],
    countries: Sequence[str],
    lon: np.ndarray,
    lat: np.ndarray,
    population: np.ndarray,
    gdp_per_capita: np.ndarray,
    area_km2: np.ndarray,
    ports: Sequence[int] = (),
) -> pd.DataFrame:
    n = len(ids)
    df = pd.DataFrame(
        {
            "id": list(ids),
            "name": list(ids),
            "country": list(countries),
            "parent": "",
            "lat": lat,
            "lon": lon,
            "population": population.astype(float),
            "gdp_usd_m": population * gdp_per_capita / 1e6,
            "area_km2": area_km2.astype(float),
            "population_year": 0,
            "gdp_year": 0,
            "is_national_capital": 0,
            "source": "synthetic",
            "confidence": "high",
        }
    )
    df["population_raw"] = df["population"]
    df["gdp_usd_m_raw"] = df["gdp_usd_m"]
    df["population_scale"] = 1.0
    df["gdp_scale"] = 1.0
    df["base_year"] = 0
    df["gdp_per_capita"] = np.asarray(gdp_per_capita, float) * np.ones(n)
    df["is_port"] = np.isin(np.arange(n), list(ports))
    df["port"] = np.where(df["is_port"], "synthetic port", "")
    return df


def _links(pairs: list[tuple[str, str]], km: np.ndarray, crossing: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [p[0] for p in pairs],
            "b": [p[1] for p in pairs],
            "distance_km": np.asarray(km, float),
            "crossing": crossing,
            "corridor": "",
            "distance_source": "synthetic",
            "basis": "synthetic",
        }
    )


def _corridor(name: str, ids: Sequence[str]) -> pd.DataFrame:
    """One corridor with a single branch through ``ids`` in order."""
    return pd.DataFrame(
        {
            "corridor": name,
            "branch": "main",
            "seq": np.arange(1, len(ids) + 1),
            "province_id": list(ids),
            "confidence": "high",
            "source": "synthetic",
        }
    )


@_reused
def two_region(
    freeness: float,
    population_shares: Sequence[float] = (0.5, 0.5),
    population: float = 1_000_000,
    gdp_per_capita: float = 1.0,
) -> Geography:
    """Two provinces of one country with trade freeness ``phi`` between them (1 inside each).

    Args:
        freeness: phi in (0, 1]: ``tau ** (1 - sigma)`` between the regions, given directly.
        population_shares: the two regions' shares of the (immobile) population.
        population: total population.
        gdp_per_capita: GDP per person used as calibration target (textbook units).
    """
    if not 0 < freeness <= 1:
        raise ValueError(f"freeness must be in (0, 1], got {freeness}")
    shares = np.asarray(population_shares, float)
    if shares.shape != (2,) or np.any(shares <= 0):
        raise ValueError("population_shares must be two positive numbers")
    shares = shares / shares.sum()
    prov = _provinces(
        ["R1", "R2"],
        ["A", "A"],
        np.array([100.0, 101.0]),
        np.array([15.0, 15.0]),
        shares * population,
        np.full(2, gdp_per_capita),
        np.full(2, 1000.0),
    )
    links = _links([("R1", "R2")], np.array([KM_PER_DEGREE]), [""])
    phi = np.array([[1.0, freeness], [freeness, 1.0]])
    return Geography("two_region", prov, links, freeness_override=phi)


@_reused
def line(
    n: int = 10,
    spacing_km: float = 100.0,
    population: float = 500_000,
    gdp_per_capita: float = 2000.0,
    crossing_cost_km: float = DEFAULT_CROSSING_COST_KM,
    ports: Sequence[int] = (0,),
) -> Geography:
    """A corridor of ``n`` provinces in a row, country A on the left half and B on the right.

    The link in the middle is the only border crossing (``A-B``); the whole line is corridor ``LINE``.

    Args:
        n: number of provinces (at least 2).
        spacing_km: distance between neighbouring provinces.
        population: population of each province.
        gdp_per_capita: GDP per person of each province (US$).
        crossing_cost_km: cost of the crossing, km-equivalent.
        ports: provinces with a seaport (default: the left end).
    """
    if n < 2:
        raise ValueError("a line needs at least 2 provinces")
    ids = [f"P{i:02d}" for i in range(n)]
    half = n // 2
    countries = ["A" if i < half else "B" for i in range(n)]
    lon = 100.0 + np.arange(n) * spacing_km / KM_PER_DEGREE
    prov = _provinces(
        ids,
        countries,
        lon,
        np.full(n, 15.0),
        np.full(n, float(population)),
        np.full(n, float(gdp_per_capita)),
        np.full(n, (0.75 * spacing_km) ** 2),
        ports,
    )
    pairs = [(ids[i], ids[i + 1]) for i in range(n - 1)]
    crossing = ["A-B" if i == half - 1 else "" for i in range(n - 1)]
    links = _links(pairs, np.full(n - 1, spacing_km), crossing)
    links["corridor"] = "LINE"
    crossings = pd.DataFrame(
        {
            "name": ["A-B"],
            "province_a": [ids[half - 1]],
            "province_b": [ids[half]],
            "country_a": ["A"],
            "country_b": ["B"],
            "corridor": ["LINE"],
            "confidence": ["high"],
            "source": ["synthetic"],
        }
    )
    return Geography("line", prov, links, crossings, _corridor("LINE", ids), crossing_cost_km=crossing_cost_km)


@_reused
def ring(
    n: int = 12, spacing_km: float = 100.0, population: float = 500_000, gdp_per_capita: float = 2000.0
) -> Geography:
    """The racetrack: ``n`` equal provinces of country A around a circle, each linked to its two neighbours.

    Every province sees the same distances to the others (``spacing_km`` times the steps the short way round), so
    the even spread is an equilibrium of any model on it, and where activity gathers is the model's own doing. No
    port: a world market would single out the province that has it. The circle is corridor ``RING``.

    Args:
        n: number of provinces (at least 3).
        spacing_km: distance between neighbouring provinces.
        population: population of each province.
        gdp_per_capita: GDP per person of each province (US$).
    """
    if n < 3:
        raise ValueError("a ring needs at least 3 provinces")
    ids = [f"P{i:02d}" for i in range(n)]
    angle = 2 * np.pi * np.arange(n) / n
    radius_deg = n * spacing_km / (2 * np.pi) / KM_PER_DEGREE
    prov = _provinces(
        ids,
        ["A"] * n,
        100.0 + radius_deg * np.cos(angle),
        15.0 + radius_deg * np.sin(angle),
        np.full(n, float(population)),
        np.full(n, float(gdp_per_capita)),
        np.full(n, (0.75 * spacing_km) ** 2),
    )
    links = _links([(ids[i], ids[(i + 1) % n]) for i in range(n)], np.full(n, spacing_km), [""] * n)
    links["corridor"] = "RING"
    return Geography("ring", prov, links, corridors=_corridor("RING", ids))


@_reused
def random_planar(
    n: int = 500,
    seed: int = 0,
    countries: int = 5,
    extent_km: float | None = None,
    crossing_share: float = 0.15,
    crossing_cost_km: float = DEFAULT_CROSSING_COST_KM,
    ports: int | None = None,
) -> Geography:
    """Random provinces on a plane, linked by a Delaunay triangulation and split into countries.

    Countries are the Voronoi cells of ``countries`` provinces drawn at random (each has at least its own).
    International links are kept only at crossings: for each pair of neighbouring countries the shortest link plus
    a random ``crossing_share`` of the others; the network stays connected. Populations and GDP per capita are
    log-normal.

    Args:
        n: number of provinces (3 or more; 5,000 builds in about a second).
        seed: random seed; the same seed gives the same geography.
        countries: number of countries (at most ``n``).
        extent_km: side of the square; by default about 60 km per province side.
        crossing_share: share of the other international links kept as crossings.
        crossing_cost_km: cost of each crossing, km-equivalent.
        ports: number of port provinces (the ones nearest the southern edge); default about n / 50, at least 1.
    """
    if n < 3:
        raise ValueError("a random planar network needs at least 3 provinces")
    rng = np.random.default_rng(seed)
    side = extent_km or 60.0 * np.sqrt(n)
    xy = rng.uniform(0.0, side, size=(n, 2))
    # Each country's seed point is a province of its own, so every country has at least that one (random points
    # in the square left some countries without a province: 2 of 4 at 40 provinces).
    centres = xy[rng.choice(n, size=min(max(1, countries), n), replace=False)]
    owner = np.argmin(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
    names = np.array([f"C{k}" for k in range(len(centres))])
    country = names[owner]
    tri = Delaunay(xy)
    simplices = tri.simplices
    edges = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    edges = np.unique(np.sort(edges, axis=1), axis=0)
    length = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1) * 1.3
    intl = owner[edges[:, 0]] != owner[edges[:, 1]]
    keep = ~intl
    key = np.sort(np.stack([owner[edges[:, 0]], owner[edges[:, 1]]], axis=1), axis=1)
    for pair in np.unique(key[intl], axis=0):
        rows = np.flatnonzero(intl & (key[:, 0] == pair[0]) & (key[:, 1] == pair[1]))
        keep[rows[np.argmin(length[rows])]] = True
        keep[rows[rng.random(rows.size) < crossing_share]] = True
    # Reconnect any piece cut off by dropping international links (shortest dropped link first).
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges[keep]:
        parent[find(a)] = find(b)
    for e in np.flatnonzero(~keep)[np.argsort(length[~keep])]:
        ra, rb = find(edges[e, 0]), find(edges[e, 1])
        if ra != rb:
            parent[ra] = rb
            keep[e] = True
    edges, length, intl = edges[keep], length[keep], intl[keep]

    ids = [f"N{i:04d}" for i in range(n)]
    population = np.exp(rng.normal(np.log(400_000), 0.8, n))
    gdp_pc = np.exp(rng.normal(np.log(3000), 0.6, n))
    n_ports = ports if ports is not None else max(1, n // 50)
    port_rows = np.argsort(xy[:, 1])[:n_ports]
    prov = _provinces(
        ids,
        country,
        100.0 + xy[:, 0] / KM_PER_DEGREE,
        10.0 + xy[:, 1] / KM_PER_DEGREE,
        population,
        gdp_pc,
        np.full(n, side**2 / n),
        port_rows,
    )
    crossing_names = [f"X{k:04d}" for k in range(int(intl.sum()))]
    crossing = np.array([""] * len(edges), dtype=object)
    crossing[intl] = crossing_names
    pairs = [(ids[a], ids[b]) for a, b in edges]
    links = _links(pairs, length, list(crossing))
    xrows = edges[intl]
    crossings = pd.DataFrame(
        {
            "name": crossing_names,
            "province_a": [ids[a] for a in xrows[:, 0]],
            "province_b": [ids[b] for b in xrows[:, 1]],
            "country_a": country[xrows[:, 0]],
            "country_b": country[xrows[:, 1]],
            "corridor": "",
            "confidence": "high",
            "source": "synthetic",
        }
    )
    return Geography(f"random_planar_{n}", prov, links, crossings, crossing_cost_km=crossing_cost_km)
