"""Provinces: Mesa agents fixed to the cells of the corridor network, holding the accounts users read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sez_sim.mesa_import import FixedAgent

if TYPE_CHECKING:
    from sez_sim.model import SEZModel

ACCOUNTS: dict[str, str] = {
    "population": "persons",
    "workers_m": "persons",
    "workers_a": "persons",
    "firms": "firm agents",
    "firms_foreign": "firm agents",
    "firms_in_zone": "firm agents",
    "entrants": "firm agents",
    "exits": "firm agents",
    "wage_m": "US$ per worker-year",
    "wage_a": "US$ per worker-year",
    "real_wage_m": "model units",
    "real_wage_a": "model units",
    "earnings_gini": "index",
    "gdp": "US$ m",
    "gdp_per_capita": "US$ per person",
    "real_income": "model units",
    "fdi_stock": "US$ m",
    "capital_stock": "US$ m",
    "domestic_stock": "US$ m",
    "profit_tax": "US$ m in the step",
    "taxable_profit": "US$ m in the step",
    "migrants_in": "persons",
    "migrants_out": "persons",
    "commuters_in": "persons",
}
"""The accounts each province holds, with their units. Stocks are measured at the end of a step (population,
workers in the modern and traditional sectors by workplace, firm agents: all, foreign-owned, in zones; wages, and
the same wages over the province's cost of living ``G**mu`` (real wages: whether wages rise by more than the prices
of what their earners buy, docs/ODD.md 7.2; in model units, so compared as ratios), the
Gini of the earnings of the province's workers (each earning its sector's wage: the dual economy's inequality within
the province, :func:`sez_sim.metrics.two_class_gini`), GDP, real income, capital stocks of foreign owners, of all
owners and of domestic owners (all less foreign), commuters by workplace); flows happened during it (entrants and
exits of firm agents, migrants in and out, the profit tax paid by the firms producing there, zone firms included,
at the step's equilibrium: negative where a subsidy, and the profit it is levied on, each firm's where positive), so
``population`` of one step plus ``migrants_in - migrants_out`` of the next is the next step's ``population``."""


class Province(FixedAgent):
    """One province (a Mesa ``FixedAgent`` on the network cell with the same integer id).

    Its accounts (see :data:`ACCOUNTS`) are read from its row of the model's accounts of the last step when asked
    for, so a step costs the provinces nothing and an agent never holds a stale copy.

    Attributes:
        index: integer node id (row in the geography and in every per-province array).
        province_id, name, country: from the dataset.
        population ... commuters_in: the accounts of the last step (see :data:`ACCOUNTS`).
    """

    def __init__(self, model: SEZModel, index: int, province_id: str, name: str, country: str):
        super().__init__(model)
        self.index = index
        self.province_id = province_id
        self.name = name
        self.country = country
        self.cell = model.space[index]

    def account(self, name: str) -> float:
        """This province's value of the account ``name`` at the end of the last step."""
        return float(self.model.accounts[name][self.index])

    def __repr__(self) -> str:
        return f"Province({self.index}, {self.name!r}, {self.country}, population={self.population:,.0f})"


def _account_property(name: str) -> property:
    return property(lambda self: self.account(name), doc=f"{name} ({ACCOUNTS[name]}) at the end of the last step.")


for _name in ACCOUNTS:
    setattr(Province, _name, _account_property(_name))
