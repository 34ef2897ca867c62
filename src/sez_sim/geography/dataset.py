"""Reading and validating a geographic dataset: a folder of CSV files with the GMS schema.

The built-in GMS dataset (``sez_sim/data/gms``) and any custom folder go through the same code: every column is
parsed to its type, every reference is resolved, and every problem is reported with the file, the line and the
column, all at once (a :class:`~sez_sim.errors.DataError` with one line per problem).

Files (``*`` = required):

- ``provinces.csv*``: one row per province (id, name, country, lat, lon, population, gdp_usd_m, area_km2, ...).
- ``links.csv*``: undirected road links (a, b, distance_km, ...); international links name their crossing.
- ``crossings.csv``: official border crossings (name, province_a, province_b, ...).
- ``corridors.csv``: corridor branches as ordered province sequences (corridor, branch, seq, province_id).
- ``zones.csv``: economic zones (name, kind, province_id, year_established, status, partner_zone, ...).
- ``ports.csv``: provinces with a major seaport (province_id, port, ...).
- ``national_totals.csv``: per country (or Chinese province, by ``parent``) population and GDP of one base year;
  when present, provinces are rescaled to these totals (see :func:`normalise`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from sez_sim.errors import DataError, Problem
from sez_sim.io import check_path

ZONE_KINDS = ("SEZ", "BEZ", "CBEZ", "BECZ")
ZONE_STATUS = ("operating", "planned", "stalled")
CONFIDENCE = ("high", "medium", "low")


@dataclass(frozen=True)
class Column:
    """One column of a dataset file: its type and constraints."""

    name: str
    kind: str = "str"  # str | int | float | flag (0/1)
    required: bool = True
    nonempty: bool = True
    positive: bool = False
    choices: tuple[str, ...] | None = None
    default: Any = None
    bounds: tuple[float, float] | None = None

    def describe(self) -> str:
        """Say what values the column allows, for error messages."""
        what = {
            "str": "text",
            "int": "an integer",
            "float": "a number",
            "flag": "0 or 1",
        }[self.kind]
        if self.positive:
            what = f"a positive {what.removeprefix('a ').removeprefix('an ')}"
        if self.bounds:
            what += f" in [{self.bounds[0]:g}, {self.bounds[1]:g}]"
        if self.choices:
            what = "one of " + ", ".join(self.choices)
        if not self.nonempty:
            what += " or empty"
        return what


@dataclass(frozen=True)
class FileSchema:
    """The columns of one CSV file of a dataset."""

    filename: str
    columns: tuple[Column, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return next(c for c in self.columns if c.name == name)


PLAUSIBLE = {"population": 2e9, "gdp_usd_m": 1e8, "area_km2": 2e7, "distance_km": 4e4}
"""Upper bounds no real province or link exceeds (a larger value is a unit or typing mistake): more people than
China or India, more GDP than the world (US$ 100 trillion), more area than Russia, a road longer than the equator."""

_SOURCE = Column("source", required=False, nonempty=False, default="")
_CONFIDENCE = Column("confidence", required=False, nonempty=False, choices=CONFIDENCE, default="medium")

SCHEMAS: dict[str, FileSchema] = {
    s.filename: s
    for s in (
        FileSchema(
            "provinces.csv",
            (
                Column("id"),
                Column("name"),
                Column("country"),
                Column("lat", "float", bounds=(-90.0, 90.0)),
                Column("lon", "float", bounds=(-180.0, 180.0)),
                Column("population", "float", positive=True, bounds=(0.0, PLAUSIBLE["population"])),
                Column("gdp_usd_m", "float", positive=True, bounds=(0.0, PLAUSIBLE["gdp_usd_m"])),
                Column("area_km2", "float", positive=True, bounds=(0.0, PLAUSIBLE["area_km2"])),
                Column("parent", required=False, nonempty=False, default=""),
                Column("population_year", "int", required=False, nonempty=False, default=0),
                Column("gdp_year", "int", required=False, nonempty=False, default=0),
                Column("is_national_capital", "flag", required=False, default=0),
                _SOURCE,
                _CONFIDENCE,
            ),
        ),
        FileSchema(
            "links.csv",
            (
                Column("a"),
                Column("b"),
                Column("distance_km", "float", positive=True, bounds=(0.0, PLAUSIBLE["distance_km"])),
                Column("international", "flag", required=False, nonempty=False, default=None),
                Column("crossing", required=False, nonempty=False, default=""),
                Column("corridor", required=False, nonempty=False, default=""),
                Column("distance_source", required=False, nonempty=False, default=""),
                Column("basis", required=False, nonempty=False, default=""),
            ),
        ),
        FileSchema(
            "crossings.csv",
            (
                Column("name"),
                Column("province_a"),
                Column("province_b"),
                Column("country_a", required=False, nonempty=False, default=""),
                Column("country_b", required=False, nonempty=False, default=""),
                Column("corridor", required=False, nonempty=False, default=""),
                _CONFIDENCE,
                _SOURCE,
            ),
            required=False,
        ),
        FileSchema(
            "corridors.csv",
            (
                Column("corridor"),
                Column("branch"),
                Column("seq", "int", positive=True),
                Column("province_id"),
                _CONFIDENCE,
                _SOURCE,
            ),
            required=False,
        ),
        FileSchema(
            "zones.csv",
            (
                Column("name"),
                Column("kind", choices=ZONE_KINDS),
                Column("province_id"),
                Column("country", required=False, nonempty=False, default=""),
                Column("year_established", "int", required=False, nonempty=False, default=0),
                Column("status", required=False, choices=ZONE_STATUS, default="operating"),
                Column("partner_zone", required=False, nonempty=False, default=""),
                _CONFIDENCE,
                _SOURCE,
            ),
            required=False,
        ),
        FileSchema(
            "ports.csv",
            (
                Column("province_id"),
                Column("port", required=False, nonempty=False, default=""),
                _CONFIDENCE,
                _SOURCE,
            ),
            required=False,
        ),
        FileSchema(
            "national_totals.csv",
            (
                Column("unit"),
                Column("year", "int"),
                Column("population", "float", positive=True, bounds=(0.0, PLAUSIBLE["population"])),
                Column("gdp_usd_m", "float", positive=True),
                Column(
                    "industry_employment_share",
                    "float",
                    required=False,
                    nonempty=False,
                    positive=True,
                    bounds=(0.0, 1.0),
                    default=math.nan,
                ),
                _CONFIDENCE,
                _SOURCE,
            ),
            required=False,
        ),
    )
}


@dataclass
class _Collector:
    """Gathers problems so that one run reports all of them."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, filename: str, where: str, message: str) -> None:
        self.problems.append(Problem(str(self.folder / filename), where, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataError(self.problems)


def _line(row: int) -> str:
    """Name a data row by its line in the file (the header is line 1)."""
    return f"line {row + 2}"


def _parse_column(raw: pd.Series, col: Column, filename: str, issues: _Collector) -> pd.Series:
    text = raw.astype(str).str.strip()
    empty = text == ""
    bad_rows: list[tuple[int, str]] = []
    if col.nonempty:
        bad_rows += [(int(i), "") for i in np.flatnonzero(empty.to_numpy())]
    if col.kind == "str":
        values: pd.Series = text
        if col.choices:
            bad = ~empty & ~text.isin(col.choices)
            bad_rows += [(int(i), text.iloc[i]) for i in np.flatnonzero(bad.to_numpy())]
    else:
        numbers = pd.to_numeric(text.where(~empty), errors="coerce")
        bad = ~empty & (numbers.isna() | ~np.isfinite(numbers.fillna(0.0)))
        numbers = numbers.where(np.isfinite(numbers.fillna(0.0)))
        if col.kind in ("int", "flag"):
            finite = numbers.notna()
            bad |= finite & (numbers != np.round(numbers))
        if col.kind == "flag":
            bad |= numbers.notna() & ~numbers.isin([0, 1])
        if col.positive:
            bad |= numbers.notna() & (numbers <= 0)
        if col.bounds:
            bad |= numbers.notna() & ((numbers < col.bounds[0]) | (numbers > col.bounds[1]))
        bad_rows += [(int(i), text.iloc[i]) for i in np.flatnonzero(bad.to_numpy())]
        values = numbers
        if col.default is not None:
            values = values.fillna(col.default)
        if col.kind in ("int", "flag") and not values.isna().any():
            values = values.astype(np.int64)
    for row, got in sorted(set(bad_rows))[:20]:
        shown = repr(got) if got else "an empty cell"
        issues.add(filename, f"{_line(row)}, column '{col.name}'", f"expected {col.describe()}, got {shown}")
    return values


def _read_file(folder: Path, schema: FileSchema, issues: _Collector) -> pd.DataFrame | None:
    path = folder / schema.filename
    if not path.exists():
        if schema.required:
            issues.add(schema.filename, "", "file not found (a dataset folder needs provinces.csv and links.csv)")
        return None
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        issues.add(schema.filename, "", "not UTF-8 text")
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        issues.add(schema.filename, "", f"not a readable CSV file ({str(exc).strip().splitlines()[0]})")
        return None
    raw.columns = [str(c).strip() for c in raw.columns]
    out = {}
    for col in schema.columns:
        if col.name not in raw.columns:
            if col.required:
                allowed = ", ".join(c.name for c in schema.columns if c.required)
                issues.add(schema.filename, f"column '{col.name}'", f"missing (required columns: {allowed})")
            else:
                out[col.name] = pd.Series([col.default] * len(raw), dtype=object)
            continue
        out[col.name] = _parse_column(raw[col.name], col, schema.filename, issues)
    return pd.DataFrame(out, index=pd.RangeIndex(len(raw)))


def _check_unique(df: pd.DataFrame, column: str, filename: str, issues: _Collector) -> None:
    dup = df[column].duplicated(keep="first")
    for row in np.flatnonzero(dup.to_numpy())[:20]:
        issues.add(filename, f"{_line(row)}, column '{column}'", f"duplicate value {df[column].iloc[row]!r}")


def _check_refs(
    df: pd.DataFrame,
    column: str,
    known: set[str],
    filename: str,
    issues: _Collector,
    what: str = "province id",
) -> None:
    bad = ~df[column].isin(known) & (df[column] != "")
    for row in np.flatnonzero(bad.to_numpy())[:20]:
        issues.add(filename, f"{_line(row)}, column '{column}'", f"unknown {what} {df[column].iloc[row]!r}")


@dataclass
class Dataset:
    """The validated tables of a dataset folder, before normalisation and graph building."""

    folder: Path
    provinces: pd.DataFrame
    links: pd.DataFrame
    crossings: pd.DataFrame
    corridors: pd.DataFrame
    zones: pd.DataFrame
    ports: pd.DataFrame
    national_totals: pd.DataFrame | None


def dataset_digest(folder: str | Path) -> str:
    """SHA-256 of a dataset folder's files (names and bytes): what results computed from it depend on."""
    h = hashlib.sha256()
    for name in sorted(SCHEMAS):
        path = Path(folder) / name
        if path.is_file():
            h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _empty(schema: FileSchema) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=object) for c in schema.columns})


def read_dataset(folder: str | Path) -> Dataset:
    """Read and validate every CSV file of a dataset folder.

    Args:
        folder: the folder holding ``provinces.csv``, ``links.csv`` and the optional files.

    Returns:
        The validated tables.

    Raises:
        DataError: listing every problem found, each naming the file, the line and the column.
    """
    check_path(folder, "dataset folder", DataError)
    folder = Path(folder)
    issues = _Collector(folder)
    if not folder.is_dir():
        issues.add("", "", "is a file, not a dataset folder" if folder.exists() else "dataset folder not found")
        issues.raise_if_any()
    tables = {name: _read_file(folder, schema, issues) for name, schema in SCHEMAS.items()}
    issues.raise_if_any()
    prov = tables["provinces.csv"]
    links = tables["links.csv"]
    assert prov is not None and links is not None
    tables = {k: (v if v is not None else _empty(SCHEMAS[k])) for k, v in tables.items()}

    _check_unique(prov, "id", "provinces.csv", issues)
    _check_unique(prov, "name", "provinces.csv", issues)  # scenarios name provinces by name
    if len(prov) < 2:
        issues.add("provinces.csv", "", f"needs at least 2 provinces, found {len(prov)}")
    ids = set(prov["id"])
    country = dict(zip(prov["id"], prov["country"], strict=False))

    crossings = tables["crossings.csv"]
    _check_unique(crossings, "name", "crossings.csv", issues)
    for side in "ab":
        _check_refs(crossings, f"province_{side}", ids, "crossings.csv", issues)
        given = crossings[f"country_{side}"]
        actual = crossings[f"province_{side}"].map(country)
        bad = (given != "") & actual.notna() & (given != actual)
        for row in np.flatnonzero(bad.to_numpy()):
            issues.add(
                "crossings.csv",
                f"{_line(row)}, column 'country_{side}'",
                f"{given.iloc[row]!r} does not match the country of {crossings[f'province_{side}'].iloc[row]}"
                f" ({actual.iloc[row]})",
            )
    same = crossings["province_a"].map(country) == crossings["province_b"].map(country)
    for row in np.flatnonzero(same.to_numpy()):
        issues.add("crossings.csv", _line(row), "a crossing must join provinces of two different countries")

    _check_refs(links, "a", ids, "links.csv", issues)
    _check_refs(links, "b", ids, "links.csv", issues)
    crossing_names = set(crossings["name"])
    pair_seen: dict[frozenset, int] = {}
    for row, (a, b, intl_flag, cross) in enumerate(
        zip(links["a"], links["b"], links["international"], links["crossing"], strict=False)
    ):
        if a == b:
            issues.add("links.csv", f"{_line(row)}, column 'b'", f"a link from {a!r} to itself")
            continue
        key = frozenset((a, b))
        if key in pair_seen:
            issues.add("links.csv", _line(row), f"duplicate link {a}-{b} (first on {_line(pair_seen[key])})")
        pair_seen.setdefault(key, row)
        if a not in country or b not in country:
            continue
        intl = country[a] != country[b]
        given = None if intl_flag is None or (isinstance(intl_flag, float) and math.isnan(intl_flag)) else intl_flag
        if given is not None and int(given) != int(intl):
            issues.add(
                "links.csv",
                f"{_line(row)}, column 'international'",
                f"says {int(given)} but {a} ({country[a]}) and {b} ({country[b]}) are "
                f"{'in different countries' if intl else 'in the same country'}",
            )
        names = [n for n in str(cross).split(";") if n]
        if intl and len(crossings) and not names:
            issues.add(
                "links.csv",
                f"{_line(row)}, column 'crossing'",
                "an international link must name its crossing from crossings.csv",
            )
        if not intl and names:
            issues.add("links.csv", f"{_line(row)}, column 'crossing'", "a domestic link cannot name a crossing")
        for n in names:
            if n not in crossing_names:
                issues.add("links.csv", f"{_line(row)}, column 'crossing'", f"unknown crossing {n!r}")
    for row, (name, a, b) in enumerate(
        zip(crossings["name"], crossings["province_a"], crossings["province_b"], strict=False)
    ):
        if frozenset((a, b)) not in pair_seen:
            issues.add("crossings.csv", _line(row), f"crossing {name!r} has no link {a}-{b} in links.csv")

    corridors = tables["corridors.csv"]
    _check_refs(corridors, "province_id", ids, "corridors.csv", issues)
    for (corr, branch), grp in corridors.groupby(["corridor", "branch"], sort=False):
        grp = grp.sort_values("seq")
        if list(grp["seq"]) != list(range(1, len(grp) + 1)):
            issues.add(
                "corridors.csv",
                f"{_line(int(grp.index[0]))}, column 'seq'",
                f"branch {corr}/{branch}: seq must run 1..{len(grp)}",
            )
        seq = list(grp["province_id"])
        for (row, p), q in zip(grp["province_id"].items(), seq[1:], strict=False):
            if frozenset((p, q)) not in pair_seen and p in ids and q in ids:
                issues.add(
                    "corridors.csv",
                    f"{_line(int(row))}, column 'province_id'",
                    f"branch {corr}/{branch}: consecutive provinces {p} and {q} have no link in links.csv",
                )

    zones = tables["zones.csv"]
    _check_unique(zones, "name", "zones.csv", issues)
    _check_refs(zones, "province_id", ids, "zones.csv", issues)
    _check_refs(zones, "partner_zone", set(zones["name"]), "zones.csv", issues, what="zone")
    zc = zones["province_id"].map(country)
    bad = (zones["country"] != "") & zc.notna() & (zones["country"] != zc)
    for row in np.flatnonzero(bad.to_numpy()):
        issues.add(
            "zones.csv",
            f"{_line(row)}, column 'country'",
            f"{zones['country'].iloc[row]!r} does not match the country of {zones['province_id'].iloc[row]}",
        )

    ports = tables["ports.csv"]
    _check_refs(ports, "province_id", ids, "ports.csv", issues)
    _check_unique(ports, "province_id", "ports.csv", issues)

    totals = tables["national_totals.csv"]
    if len(totals):
        _check_unique(totals, "unit", "national_totals.csv", issues)
        units = set(prov["country"]) | set(prov["parent"][prov["parent"] != ""])
        _check_refs(totals, "unit", units, "national_totals.csv", issues, what="country or parent unit")
        _check_survey(prov, totals, issues)

    if not issues.problems:
        g = nx.Graph()
        g.add_nodes_from(prov["id"])
        g.add_edges_from(zip(links["a"], links["b"], strict=False))
        if not nx.is_connected(g):
            parts = sorted(nx.connected_components(g), key=len)
            smallest = ", ".join(sorted(parts[0])[:8])
            issues.add(
                "links.csv",
                "",
                f"the network is disconnected: {len(parts)} components; the smallest holds {smallest}"
                " (every province must be reachable by links)",
            )
    issues.raise_if_any()
    return Dataset(
        folder=folder,
        provinces=prov,
        links=links,
        crossings=crossings,
        corridors=corridors,
        zones=zones,
        ports=ports,
        national_totals=totals if len(totals) else None,
    )


def units(provinces: pd.DataFrame, listed: set[str]) -> np.ndarray:
    """Each province's unit: its parent where ``listed`` (the national totals' units) names it, else its country."""
    return np.where(provinces["parent"].isin(listed), provinces["parent"], provinces["country"])


def _check_survey(prov: pd.DataFrame, totals: pd.DataFrame, issues: _Collector) -> None:
    """Industry's share of employment is given for every unit with provinces, or for none.

    The calibration spreads the modern sector over countries by these shares (:mod:`sez_sim.economy.calibration`);
    a unit without one would have no level to compare with the others.
    """
    share = totals["industry_employment_share"].astype(float)
    if share.isna().all():
        return
    for row in np.flatnonzero(share.isna().to_numpy())[:20]:
        issues.add(
            "national_totals.csv",
            f"{_line(row)}, column 'industry_employment_share'",
            "empty, but other units give one: give every unit a share in (0, 1], or leave the column out",
        )
    listed = set(totals["unit"])
    missing = sorted(set(units(prov, listed)) - listed)
    if missing:
        issues.add(
            "national_totals.csv",
            "column 'industry_employment_share'",
            f"no row for {', '.join(missing[:8])}, which provinces.csv names: with industry employment shares given, "
            "every country (or parent unit) of provinces.csv needs a row",
        )


def normalise(provinces: pd.DataFrame, totals: pd.DataFrame | None) -> pd.DataFrame:
    """Rescale population and GDP to one base year, per country (or per parent unit where one is listed).

    The raw columns mix years (2014-2022 in the GMS data). For each unit in ``totals`` (a country code, or a
    parent code such as ``CN-YN`` that takes precedence over its country), population and GDP of its provinces
    are multiplied by ``total / sum``, which keeps every province's share of its unit and makes the unit add up
    to its national (or provincial) total of the base year. The raw values are kept as ``population_raw`` and
    ``gdp_usd_m_raw``; ``population_scale`` and ``gdp_scale`` record the factors. ``unit`` names each province's
    unit (its country where no total lists its parent) and ``industry_employment_share`` its unit's share (NaN where
    the totals give none).

    Args:
        provinces: the validated provinces table.
        totals: the national totals table, or None to leave values as they are.

    Returns:
        A copy with normalised ``population``, ``gdp_usd_m`` and derived ``gdp_per_capita`` (US$ per person).
    """
    out = provinces.copy()
    out["population_raw"] = out["population"].astype(float)
    out["gdp_usd_m_raw"] = out["gdp_usd_m"].astype(float)
    out["population_scale"] = 1.0
    out["gdp_scale"] = 1.0
    out["base_year"] = 0
    out["unit"] = out["country"]
    out["industry_employment_share"] = math.nan
    if totals is not None:
        unit = units(out, set(totals["unit"]))
        out["unit"] = unit
        survey = dict(zip(totals["unit"], totals["industry_employment_share"].astype(float), strict=True))
        out["industry_employment_share"] = [survey.get(u, math.nan) for u in unit]
        for _, t in totals.iterrows():
            rows = unit == t["unit"]
            if not rows.any():
                continue
            pop_scale = t["population"] / out.loc[rows, "population_raw"].sum()
            gdp_scale = t["gdp_usd_m"] / out.loc[rows, "gdp_usd_m_raw"].sum()
            out.loc[rows, "population_scale"] = pop_scale
            out.loc[rows, "gdp_scale"] = gdp_scale
            out.loc[rows, "base_year"] = int(t["year"])
        out["population"] = out["population_raw"] * out["population_scale"]
        out["gdp_usd_m"] = out["gdp_usd_m_raw"] * out["gdp_scale"]
    out["gdp_per_capita"] = out["gdp_usd_m"] * 1e6 / out["population"]
    return out
