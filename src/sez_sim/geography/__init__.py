"""Geography: dataset loading (built-in GMS, custom CSV folder, synthetic), the network, trade costs.

>>> from sez_sim.geography import load_gms
>>> geo = load_gms()
>>> geo.n, geo.distance.shape
(228, (228, 228))
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sez_sim.geography.dataset import Dataset, normalise, read_dataset
from sez_sim.geography.network import DEFAULT_CROSSING_COST_KM, Geography
from sez_sim.geography.synthetic import line, random_planar, ring, two_region

__all__ = [
    "DEFAULT_CROSSING_COST_KM",
    "Geography",
    "GMS_DATA",
    "gms_dataset",
    "line",
    "load_folder",
    "load_gms",
    "random_planar",
    "ring",
    "two_region",
]

GMS_DATA = Path(str(resources.files("sez_sim") / "data" / "gms"))
"""The folder of the built-in GMS dataset (CSV files, SOURCES.md)."""


def _build(name: str, data: Dataset, crossing_cost_km: float) -> Geography:
    provinces = normalise(data.provinces, data.national_totals)
    ports = dict(zip(data.ports["province_id"], data.ports["port"], strict=True))
    provinces["is_port"] = provinces["id"].isin(ports)
    # Not Series.map + fillna(""): without ports.csv the mapped column is float, which pandas will not fill with text.
    provinces["port"] = [ports.get(i, "") for i in provinces["id"]]
    return Geography(
        name,
        provinces,
        data.links,
        data.crossings,
        data.corridors,
        data.zones,
        crossing_cost_km=crossing_cost_km,
    )


@lru_cache(maxsize=1)
def gms_dataset() -> Dataset:
    """The validated tables of the built-in GMS dataset (read once per process)."""
    return read_dataset(GMS_DATA)


def load_gms(crossing_cost_km: float = DEFAULT_CROSSING_COST_KM) -> Geography:
    """Load the built-in GMS dataset: 228 provinces, 514 links, 44 crossings, 13 corridor branches, 59 zones.

    Population and GDP are normalised to 2019 national totals (``national_totals.csv``); the raw values and
    the ``source``/``confidence`` columns stay in ``provinces``.

    Args:
        crossing_cost_km: cost of one border crossing in km-equivalent.

    Returns:
        A fresh :class:`Geography` (policies may change it without affecting other runs).
    """
    # A copy costs a tenth of a build, and loading a scenario checks it against one, its warnings read another
    # and its model runs on a third.
    return copy.deepcopy(_gms(float(crossing_cost_km)))


@lru_cache(maxsize=4)
def _gms(crossing_cost_km: float) -> Geography:
    """The GMS geography at one crossing cost, built once per process; never handed out, only copied."""
    return _build("gms", gms_dataset(), crossing_cost_km)


def load_folder(folder: str | Path, crossing_cost_km: float = DEFAULT_CROSSING_COST_KM) -> Geography:
    """Load a custom dataset: a folder of CSV files with the GMS schema (see :mod:`sez_sim.geography.dataset`).

    Raises:
        DataError: naming the file, line and column of every problem.
    """
    folder = Path(folder)
    return _build(folder.name or str(folder), read_dataset(folder), crossing_cost_km)
