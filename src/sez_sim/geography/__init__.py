"""Geography: dataset loading (built-in GMS, custom CSV folder, synthetic), the network, trade costs.

>>> from sez_sim.geography import load_gms
>>> geo = load_gms()
>>> geo.n, geo.distance.shape
(228, (228, 228))
"""

from __future__ import annotations

import copy
import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sez_sim import cache
from sez_sim.errors import DataError
from sez_sim.geography.dataset import SCHEMAS, Dataset, normalise, read_dataset
from sez_sim.geography.network import DEFAULT_CROSSING_COST_KM, Geography
from sez_sim.geography.synthetic import line, random_planar, ring, two_region
from sez_sim.io import check_path

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


def _dataset_geography(name: str, folder: Path, crossing_cost_km: float) -> Geography:
    """The geography of a dataset folder: restored from the disk cache, or built (and stored) from its tables.

    It is restored (:mod:`sez_sim.cache`) when it was built from the same files by the same code and libraries.
    Reading and checking the CSV files and building the network take about 0.1 s of every process that loads the
    GMS data (a run, a check, each batch worker) and of every load of a custom dataset, against about 3 ms to
    restore it. The key covers the bytes of each file the reader reads (an edited file, or one added or removed,
    misses), the crossing cost, the name and the package's code; a dataset with problems raises before anything is
    stored, so each load names them again. A geography at a crossing cost not seen before (designs draw it) is built
    from the tables read at another (:func:`_tables`).
    """
    check_path(folder, "dataset folder", DataError)
    contents = _contents(folder)
    if contents is None:  # not a folder, or a file that cannot be read: the reader names the problem
        return _build(name, read_dataset(folder), crossing_cost_km)
    key = cache.key("geography", name, crossing_cost_km, dict(contents), np.__version__, pd.__version__, pa.__version__)
    found = cache.load(key)
    if found.hit:
        return found.value
    geo = _build(name, _tables(folder, contents), crossing_cost_km)
    cache.store(key, geo)
    return geo


def _contents(folder: Path) -> tuple[tuple[str, str | None], ...] | None:
    """Each file the reader reads and the SHA-256 of its bytes (None if absent); None where a file cannot be read."""
    try:
        files = {f: (folder / f).read_bytes() if (folder / f).is_file() else None for f in SCHEMAS}
    except OSError:
        return None
    return tuple((f, None if data is None else hashlib.sha256(data).hexdigest()) for f, data in files.items())


@lru_cache(maxsize=4)
def _tables(folder: Path, contents: tuple[tuple[str, str | None], ...] | None) -> Dataset:
    """A dataset folder's validated tables, read once per process for each content of its files (:func:`_contents`).

    Files that cannot be read (``contents`` None) are named by the reader's error, which is not kept.

    A design that draws the crossing cost builds a geography at every draw; from the tables, that takes a fifth of
    reading and checking the files again (about 0.04 s against 0.2 s for the GMS data). Geographies never change
    the tables they are built from.
    """
    return read_dataset(folder)


@lru_cache(maxsize=1)
def gms_dataset() -> Dataset:
    """The validated tables of the built-in GMS dataset (read once per process)."""
    return _tables(GMS_DATA, _contents(GMS_DATA))


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
    return _dataset_geography("gms", GMS_DATA, crossing_cost_km)


def load_folder(folder: str | Path, crossing_cost_km: float = DEFAULT_CROSSING_COST_KM) -> Geography:
    """Load a custom dataset: a folder of CSV files with the GMS schema (see :mod:`sez_sim.geography.dataset`).

    Read and checked once: loads after that restore it from the disk cache until one of its files changes.

    Raises:
        DataError: naming the file, line and column of every problem.
    """
    folder = Path(folder)
    return _dataset_geography(folder.name or str(folder), folder, crossing_cost_km)
