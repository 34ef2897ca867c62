"""Recording a run: the province panel, per-step aggregates and migration flows as tidy tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sez_sim import metrics
from sez_sim.agents.province import ACCOUNTS

if TYPE_CHECKING:
    from sez_sim.model import SEZModel

PANEL_COLUMNS = ("step", "year", "province_id", "name", "country", *ACCOUNTS)
"""Columns of ``provinces.parquet``: one row per province per step. Units: persons, firm agents, US$ per
worker-year (wages), US$ m (GDP, FDI stock), US$ per person (GDP per capita), model units (real income)."""

SUMMARY_COLUMNS = (
    "step",
    "year",
    "population",
    "gdp",
    "gini",
    "theil_t",
    "theil_t_between",
    "theil_t_within",
    "theil_l",
    "williamson",
    "capital_gdp_share",
    "border_gdp_share",
    "modern_hhi",
    "firms",
    "firms_foreign",
    "entrants",
    "exits",
    "migrants",
    "cross_border_migrants",
    "commuters",
    "zone_firms",
)
"""Columns of ``summary.parquet``: one row per step; inequality measures are over provinces' GDP per capita,
population-weighted, with the Theil split between and within countries."""


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
        self.panel: dict[str, list[np.ndarray]] = {c: [] for c in ("step", "year", *ACCOUNTS)}
        self.summary: list[dict[str, float]] = []
        self.migration: list[pd.DataFrame] = []
        self.zones: list[pd.DataFrame] = []
        self._year_flows = np.zeros((geo.n, geo.n))
        self._ids_before = model.firms["id"].copy()

    def collect(self, model: SEZModel) -> None:
        """Store the province accounts and aggregates of the current step."""
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
        zones = model.zones
        if len(zones):
            self.zones.append(
                pd.DataFrame(
                    {
                        "step": step,
                        "year": year,
                        "zone": zones.name,
                        "province_id": self.static["province_id"][zones.province],
                        "active": zones.active.copy(),
                        "capacity": zones.capacity.copy(),
                        "firms": model.firms.zone_occupancy(len(zones)),
                    }
                )
            )
        ids = model.firms["id"]
        entrants = int(np.setdiff1d(ids, self._ids_before, assume_unique=True).size) if step else 0
        exits = int(np.setdiff1d(self._ids_before, ids, assume_unique=True).size) if step else 0
        self._ids_before = ids.copy()
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
                "capital_gdp_share": metrics.share(acc["gdp"], self.capital),
                "border_gdp_share": metrics.share(acc["gdp"], self.border),
                "modern_hhi": metrics.hhi(acc["workers_m"]),
                "firms": float(acc["firms"].sum()),
                "firms_foreign": float(acc["firms_foreign"].sum()),
                "entrants": entrants,
                "exits": exits,
                "migrants": 0.0,
                "cross_border_migrants": 0.0,
                "commuters": float(acc["commuters_in"].sum()),
                "zone_firms": float(acc["firms_in_zone"].sum()),
            }
        )

    def add_flows(self, model: SEZModel, persons: np.ndarray) -> None:
        """Add the step's migration (persons, origin x destination) to its record and to the year's flows."""
        self.panel["migrants_in"][-1] = persons.sum(axis=0)
        self.panel["migrants_out"][-1] = persons.sum(axis=1)
        cross = self.country[:, None] != self.country[None, :]
        self.summary[-1]["migrants"] = float(persons.sum())
        self.summary[-1]["cross_border_migrants"] = float(persons[cross].sum())
        self._year_flows += persons
        if model.steps % model.steps_per_year == 0:
            self._close_year(model.config.start_year + model.steps // model.steps_per_year - 1)

    def _close_year(self, year: int) -> None:
        origin, destination = np.nonzero(self._year_flows)
        if origin.size:
            self.migration.append(
                pd.DataFrame(
                    {
                        "year": np.full(origin.size, year, dtype=np.int64),
                        "origin_id": self.static["province_id"][origin],
                        "destination_id": self.static["province_id"][destination],
                        "origin_country": self.static["country"][origin],
                        "destination_country": self.static["country"][destination],
                        "persons": self._year_flows[origin, destination],
                    }
                )
            )
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
        """Per zone and step: capacity (firm slots) and firm agents inside."""
        if not self.zones:
            return pd.DataFrame(columns=["step", "year", "zone", "province_id", "active", "capacity", "firms"])
        return pd.concat(self.zones, ignore_index=True)

    def migration_frame(self) -> pd.DataFrame:
        """Origin-destination migration flows per calendar year (persons; complete years only)."""
        columns = ["year", "origin_id", "destination_id", "origin_country", "destination_country", "persons"]
        if not self.migration:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "year" else object) for c in columns}).astype(
                {"persons": float}
            )
        return pd.concat(self.migration, ignore_index=True)
