"""Recording a run: the province panel, per-step aggregates and migration flows as tidy tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sez_sim import metrics
from sez_sim.agents.province import ACCOUNTS
from sez_sim.clock import Calendar

if TYPE_CHECKING:
    from sez_sim.model import SEZModel

PANEL_COLUMNS = ("step", "year", "province_id", "name", "country", *ACCOUNTS)
"""Columns of ``provinces.parquet``: one row per province per step. Units: persons, firm agents, US$ per
worker-year (wages), US$ m (GDP, FDI stock), US$ per person (GDP per capita), model units (real income)."""

SUMMARY_UNITS: dict[str, str] = {
    "step": "step",
    "year": "year",
    "population": "persons",
    "gdp": "US$ m",
    "gini": "index",
    "theil_t": "index",
    "theil_t_between": "index",
    "theil_t_within": "index",
    "theil_l": "index",
    "williamson": "index",
    "earnings_gini": "index",
    "earnings_theil_t": "index",
    "earnings_theil_t_within": "index",
    "capital_gdp_share": "share",
    "border_gdp_share": "share",
    "modern_hhi": "index",
    "firms": "firm agents",
    "firms_foreign": "firm agents",
    "entrants": "firm agents",
    "exits": "firm agents",
    "migrants": "persons",
    "cross_border_migrants": "persons",
    "commuters": "persons",
    "zone_firms": "firm agents",
    "zone_jobs": "jobs",
    "modern_jobs": "jobs",
    "public_cost": "US$ m in the step",
    "profit_tax": "US$ m in the step",
    "taxable_profit": "US$ m in the step",
}
"""Columns of ``summary.parquet`` and their units: one row per step; inequality measures are over provinces'
GDP per capita, population-weighted, with the Theil split between and within countries, except the ``earnings_``
ones: over the GMS's workers, each earning the wage of its sector (modern or traditional) where it works, with the
Theil T's part within provinces (the dual economy's inequality inside them; the rest is between provinces).
``public_cost`` is the zones' (their ledger, ``zones.parquet``), ``profit_tax`` what every firm paid (the provinces'
``profit_tax``): what tax holidays and rate instruments cost the treasury shows in it, net of the tax base they add;
``taxable_profit`` the profit it is levied on (each firm's where positive), so their ratio is the effective rate."""

SUMMARY_COLUMNS = tuple(SUMMARY_UNITS)

ZONE_UNITS: dict[str, str] = {
    "step": "step",
    "year": "year",
    "zone": "name",
    "province_id": "id",
    "country": "code",
    "kind": "SEZ, CBEZ or the dataset's kind",
    "origin": "dataset (zones.csv, operating at the start) or policy (opened by an instrument)",
    "active": "flag",
    "management": "index 0-1",
    "awareness": "share",
    "record": "share",
    "credibility": "share",
    "prospects": "firm agents a year",
    "capacity_slots": "firm agents",
    "capacity_jobs": "jobs",
    "jobs": "jobs",
    "firms": "firm agents",
    "firms_foreign": "firm agents",
    "waiting": "firm agents",
    "occupancy": "share",
    "investment": "US$ m in the step",
    "exports": "US$ m a year",
    "tax_revenue": "US$ m in the step",
    "tax_forgone": "US$ m in the step",
    "construction": "US$ m in the step",
    "operation": "US$ m in the step",
    "programme": "US$ m in the step",
    "public_cost": "US$ m in the step",
}
"""Columns of ``zones.parquet`` and their units: one row per zone per step. Management is the capacity the zone works at
(its own, or its CBEZ committee's better side), awareness the share of potential entrants who know it, record its
track record (the largest share of its planned slots its firms have filled; investors charge an untried zone the
newcomer cost times 1 - record) and prospects the potential entrants a year who consider it (awareness and promotion
times the streams that may choose it: its country's and the foreign one). Jobs are workers (persons in modern jobs
times ``economy.employment_rate``), the unit of ``capacity_jobs``; a slot stands for the host's mean firm size when
the zone opened. Waiting are the firms set up outside a full zone, in its province, that wait for a plot in it
(they take its next free slots before new entrants, docs/ODD.md 7.3). Investment is the foreign entrants of the
step (each invests the entry cost in the host's mean profits, as in ``fdi_stock``); exports to the world are an
annual rate at the step's equilibrium. The public ledger, in the step: the profit tax the zone's firms pay and what
they would pay more at the country's rate (tax forgone), construction (capacity added during the run times
``sez.construction_cost_per_job``), operation (``sez.operation_cost_share`` of the built capacity's cost a year,
while active) and programmes (capacity building and promotion, their ``cost_per_year`` while they run); public cost
is the three."""

LEDGER_FLOWS = ("construction", "operation", "programme", "public_cost", "tax_revenue", "tax_forgone")
"""The public ledger's flows (US$ m), summed per zone or country and year in ``ledger.csv``."""

ZONE_COLUMNS = tuple(ZONE_UNITS)

ZONE_SUMMARY_UNITS: dict[str, str] = {
    "zone": "name",
    "province_id": "id",
    "country": "code",
    "kind": "SEZ, CBEZ or the dataset's kind",
    "origin": "dataset or policy",
    "capacity_jobs": "jobs (at the end)",
    "jobs_start": "jobs",
    "jobs_end": "jobs",
    "jobs_added": "jobs",
    "occupancy_end": "share",
    "years_to_half_full": "years from the zone's first active step (NaN: never half full)",
    "investment": "US$ m over the run",
    "exports_end": "US$ m a year",
    **{flow: "US$ m over the run" for flow in LEDGER_FLOWS},
}
"""Columns of ``zones_summary.csv``: one row per zone, from ``zones.parquet``."""


def zone_summary(zones: pd.DataFrame) -> pd.DataFrame:
    """One row per zone: jobs at the start and end, how fast it filled, and its flows summed over the run.

    Args:
        zones: the zone frame (``zones.parquet``).
    """
    if not len(zones):
        return pd.DataFrame(columns=list(ZONE_SUMMARY_UNITS))
    ordered = zones.sort_values(["zone", "step"])
    by = ordered.groupby("zone", sort=False)
    first, last = by.first(), by.last()

    def years_to_half(z: pd.DataFrame) -> float:
        active = z[z["active"]]
        half = active[active["occupancy"] >= 0.5]
        if not len(half):
            return float("nan")
        return float(half["year"].iat[0] - active["year"].iat[0])

    out = pd.DataFrame(
        {
            "province_id": last["province_id"],
            "country": last["country"],
            "kind": last["kind"],
            "origin": last["origin"],
            "capacity_jobs": last["capacity_jobs"],
            "jobs_start": first["jobs"],
            "jobs_end": last["jobs"],
            "jobs_added": last["jobs"] - first["jobs"],
            "occupancy_end": last["occupancy"],
            "years_to_half_full": by[["year", "active", "occupancy"]].apply(years_to_half),
            "investment": by["investment"].sum(),
            "exports_end": last["exports"],
            **{flow: by[flow].sum() for flow in LEDGER_FLOWS},
        }
    )
    return out.reset_index()[list(ZONE_SUMMARY_UNITS)]


def ledger(zones: pd.DataFrame) -> pd.DataFrame:
    """The public ledger: each zone's and each country's flows per calendar year (``ledger.csv``).

    Rows have ``level`` (zone or country), ``name`` (the zone, or the country's code), ``country``, ``year`` (the
    calendar year a step falls in) and the flows of :data:`LEDGER_FLOWS`; the country rows are the sums of their
    zones' rows. Step 0 (the start) has no flows and is left out.
    """
    columns = ["level", "name", "country", "year", *LEDGER_FLOWS]
    flows = zones[zones["step"] > 0]
    if not len(flows):
        return pd.DataFrame(columns=columns)
    flows = flows.assign(year=np.ceil(flows["year"]).astype(np.int64) - 1)  # a step ending on 1 Jan closes the year
    by_zone = flows.groupby(["zone", "country", "year"], as_index=False)[list(LEDGER_FLOWS)].sum()
    by_country = by_zone.groupby(["country", "year"], as_index=False)[list(LEDGER_FLOWS)].sum()
    return pd.concat(
        [
            by_zone.rename(columns={"zone": "name"}).assign(level="zone"),
            by_country.assign(level="country", name=by_country["country"]),
        ],
        ignore_index=True,
    )[columns]


UNITS: dict[str, str] = {**ACCOUNTS, **SUMMARY_UNITS}
"""The unit of every column of the province panel and the summary (names they share have the same unit)."""

PER_UNIT = {
    "gdp_per_capita": "population",
    "real_income": "population",
    "wage_m": "workers_m",
    "wage_a": "workers_a",
    "real_wage_m": "workers_m",
    "real_wage_a": "workers_a",
    "earnings_gini": "population",
    "occupancy": "capacity_jobs",
}
"""Panel and zone columns that are per person, per worker or per job of capacity, and the column each is per: over
several provinces or zones they are the mean weighted by it (the group's own GDP per capita, wage or occupancy),
never a sum. A province's earnings Gini is its own index, averaged weighted by population."""

INDICES = frozenset({"management", "awareness", "record", "credibility"})
"""Zone columns that are indices or shares of the zone itself: averaged over several zones, never summed."""

ZONE_VALUES = ZONE_COLUMNS[ZONE_COLUMNS.index("management") :]
"""The zone columns an outcome can report: its numbers (not the step, the zone's name, host, kind, origin or flag)."""

STEP_FLOWS = frozenset(
    {"entrants", "exits", "migrants", "cross_border_migrants", "migrants_in", "migrants_out", "public_cost"}
    | {"profit_tax", "taxable_profit"}
    | {"investment", "tax_revenue", "tax_forgone", "construction", "operation", "programme"}
)
"""Columns of the summary, the province panel and the zone table that count what happened during a step. Nothing
happened before the first, so their row at the start is 0: a change relative to the start is undefined for them."""

RELATIVE = "relative change"
"""The unit of an outcome reported as a change relative to the start of the run."""

_DISPLAY = {
    # unit: (shown as, divide by, decimals at least)
    "US$ m": ("US$ bn", 1e3, 1),
    "index": ("index", 1.0, 4),
    "share": ("share", 1.0, 4),
    "model units": ("model units", 1.0, 4),
    RELATIVE: ("%", 1e-2, 2),
}


def unit_in(unit: str, preset: str) -> str:
    """The unit of a column of ``unit`` in a run of ``preset``: the textbook presets count money in model units."""
    return "model units" if preset != "gms" and "US$" in unit else unit


def display_unit(unit: str) -> str:
    """The unit a value of ``unit`` is shown in (GDP in US$ bn, relative changes in %)."""
    return _DISPLAY.get(unit, (unit, 1.0, 0))[0]


def fixed(value: float, decimals: int, signed: bool = False) -> str:
    """``value`` in fixed point with thousands separators, or ``n/a`` when it is not finite.

    A value that rounds to zero shows as zero: a difference of two sums that differ only by rounding error
    (-1.4e-14) is ``0.00``, not ``-0.00``.
    """
    if not np.isfinite(value):
        return "n/a"
    return f"{round(value, decimals) + 0.0:{'+' if signed else ''},.{decimals}f}"


def by_rule(robustness: dict[str, Any]) -> str:
    """A claim's refused draws by scenario rule, most first (`` (firm-size tail 23, trade decay 15)``), or nothing."""
    counts = robustness.get("refused_by_rule") or {}
    return f" ({', '.join(f'{rule} {n}' for rule, n in counts.items())})" if counts else ""


def significant(value: float, digits: int = 4, signed: bool = False) -> str:
    """``value`` to ``digits`` significant digits, never in scientific notation; ``n/a`` when it is not finite.

    ``+0.00007495``, not ``+7.495e-05``; trailing zeros are dropped (``+0.5``, ``+2``).
    """
    if not np.isfinite(value):
        return "n/a"
    return np.format_float_positional(value, precision=digits, unique=False, fractional=False, trim="-", sign=signed)


def format_values(values: list[float], unit: str, signed: bool = False, extend: bool = True) -> list[str]:
    """Format numbers of one unit alike: fixed point, thousands separators, never scientific notation.

    Counts, persons and money per person are whole numbers; GDP is in US$ bn with one decimal; indices and shares
    have four. More decimals are used (up to six more) when the smallest non-zero value would otherwise show fewer
    than two significant digits, so a small difference is never printed as zero.

    Args:
        values: the numbers.
        unit: their unit (a value of :data:`UNITS`, or :data:`RELATIVE`).
        signed: show an explicit sign (differences).
        extend: add decimals for small values (differences); levels keep the unit's decimals.
    """
    _, scale, decimals = _DISPLAY.get(unit, (unit, 1.0, 0))
    scaled = [v / scale for v in values]
    finite = [abs(v) for v in scaled if np.isfinite(v) and v != 0]
    if finite and extend:
        needed = int(np.ceil(-np.log10(min(finite)))) + 1
        decimals = int(np.clip(needed, decimals, decimals + 6))
    return [fixed(v, decimals, signed) for v in scaled]


class Recorder:
    """Collects the outputs of one run, step by step (arrays in lists; tables built once at the end)."""

    def __init__(self, model: SEZModel):
        geo = model.geo
        self.n = geo.n
        self.static = {
            "province_id": geo.provinces["id"].to_numpy(),
            "name": geo.provinces["name"].to_numpy(),
            "country": geo.provinces["country"].to_numpy(),
        }
        self.capital = geo.provinces["is_national_capital"].to_numpy(int) == 1
        border = np.zeros(geo.n, bool)
        intl = geo.links["international"].to_numpy(bool)
        border[geo.links["ia"].to_numpy()[intl]] = True
        border[geo.links["ib"].to_numpy()[intl]] = True
        self.border = border
        self.country = model.country
        self.calendar: Calendar = model.calendar
        self.panel: dict[str, list[np.ndarray]] = {c: [] for c in ("step", "year", *ACCOUNTS)}
        self.summary: list[dict[str, float]] = []
        self.migration: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []  # year, origin, destination, persons
        self.zones: list[dict[str, np.ndarray]] = []  # a step's columns; one frame is made when asked for
        self._year_flows = np.zeros((geo.n, geo.n))
        self._cross_border = self.country[:, None] != self.country[None, :]
        self._class_province = np.tile(np.arange(geo.n), 2)  # a province's modern workers, then its traditional

    def collect(self, model: SEZModel) -> None:
        """Store the step's province accounts and aggregates, and add its migration to the year's flows."""
        acc = model.accounts
        step, year = model.steps, model.year
        self.panel["step"].append(np.full(self.n, step))
        self.panel["year"].append(np.full(self.n, year))
        for name in ACCOUNTS:
            self.panel[name].append(np.asarray(acc[name], float).copy())
        pop = acc["population"]
        y = acc["gdp_per_capita"]
        live = pop > 0
        total, between, within = metrics.theil_decomposition(y[live], self.country[live], pop[live], "T")
        earning = self._earning(acc)
        zones = model.zones
        if len(zones):
            where = {
                "zone": zones.name,
                "province_id": self.static["province_id"][zones.province],
                "country": self.static["country"][zones.province],
                "kind": zones.kind,
                "origin": zones.origin,
            }
            rows = len(zones)
            columns = {"step": np.full(rows, step, np.int64), "year": np.full(rows, year, float)}
            # Copies: the zone table's names and kinds are lists that grow as zones are added.
            self.zones.append(columns | {k: np.array(v, copy=True) for k, v in (where | model.zone_accounts).items()})
        self.summary.append(
            {
                "step": step,
                "year": year,
                "population": float(pop.sum()),
                "gdp": float(acc["gdp"].sum()),
                "gini": metrics.gini(y[live], pop[live]),
                "theil_t": total,
                "theil_t_between": between,
                "theil_t_within": within,
                "theil_l": metrics.theil_l(y[live], pop[live]) if np.all(y[live] > 0) else float("nan"),
                "williamson": metrics.williamson(y[live], pop[live]),
                **earning,
                "capital_gdp_share": metrics.share(acc["gdp"], self.capital),
                "border_gdp_share": metrics.share(acc["gdp"], self.border),
                "modern_hhi": metrics.hhi(acc["workers_m"]),
                "firms": float(acc["firms"].sum()),
                "firms_foreign": float(acc["firms_foreign"].sum()),
                "entrants": float(acc["entrants"].sum()),
                "exits": float(acc["exits"].sum()),
                "migrants": float(model.flows.sum()),
                "cross_border_migrants": float(model.flows[self._cross_border].sum()),
                "commuters": float(acc["commuters_in"].sum()),
                "zone_firms": float(acc["firms_in_zone"].sum()),
                "zone_jobs": float(model.zone_accounts["jobs"].sum()),
                "modern_jobs": float(acc["workers_m"].sum()) * model.employment_rate,
                "public_cost": float(model.zone_accounts["public_cost"].sum()),
                "profit_tax": float(acc["profit_tax"].sum()),
                "taxable_profit": float(acc["taxable_profit"].sum()),
            }
        )
        self._year_flows += model.flows
        year_done = self.calendar.closes_year(step)
        if year_done is not None:
            self._close_year(year_done)

    def _earning(self, acc: dict[str, np.ndarray]) -> dict[str, float]:
        """Inequality of earnings over every worker: a province's modern and traditional workers are two classes."""
        count = np.concatenate([acc["workers_m"], acc["workers_a"]])
        wage = np.concatenate([acc["wage_m"], acc["wage_a"]])
        held = count > 0
        total, _, within = metrics.theil_decomposition(wage[held], self._class_province[held], count[held], "T")
        return {
            "earnings_gini": metrics.gini(wage[held], count[held]),
            "earnings_theil_t": total,
            "earnings_theil_t_within": within,
        }

    def _close_year(self, year: int) -> None:
        origin, destination = np.nonzero(self._year_flows)
        if origin.size:  # the frame is made once, when asked for (:meth:`migration_frame`)
            self.migration.append((year, origin, destination, self._year_flows[origin, destination]))
        self._year_flows = np.zeros_like(self._year_flows)

    def provinces(self) -> pd.DataFrame:
        """The province panel (one row per province per step)."""
        steps = len(self.panel["step"])
        data = {name: np.concatenate(values) for name, values in self.panel.items()}
        for name, values in self.static.items():
            data[name] = np.tile(values, steps)
        data["step"] = data["step"].astype(np.int64)
        return pd.DataFrame(data)[list(PANEL_COLUMNS)]

    def summary_frame(self) -> pd.DataFrame:
        """Per-step aggregates."""
        frame = pd.DataFrame(self.summary)[list(SUMMARY_COLUMNS)]
        frame["step"] = frame["step"].astype(np.int64)
        return frame

    def zones_frame(self) -> pd.DataFrame:
        """Per zone and step: the columns of :data:`ZONE_COLUMNS`."""
        if not self.zones:
            return pd.DataFrame(columns=list(ZONE_COLUMNS))
        return pd.DataFrame({c: np.concatenate([step[c] for step in self.zones]) for c in ZONE_COLUMNS})

    def migration_frame(self) -> pd.DataFrame:
        """Origin-destination migration flows per calendar year (persons; complete years only)."""
        columns = ["year", "origin_id", "destination_id", "origin_country", "destination_country", "persons"]
        if not self.migration:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "year" else object) for c in columns}).astype(
                {"persons": float}
            )
        years, origin, destination, persons = zip(*self.migration, strict=True)
        origin, destination = np.concatenate(origin), np.concatenate(destination)
        return pd.DataFrame(
            {
                "year": np.repeat(np.array(years, dtype=np.int64), [len(p) for p in persons]),
                "origin_id": self.static["province_id"][origin],
                "destination_id": self.static["province_id"][destination],
                "origin_country": self.static["country"][origin],
                "destination_country": self.static["country"][destination],
                "persons": np.concatenate(persons),
            }
        )
