"""Provinces: Mesa agents fixed to the cells of the corridor network, holding the accounts users read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mesa.discrete_space import FixedAgent

if TYPE_CHECKING:
    from sez_sim.model import SEZModel

ACCOUNTS = (
    "population",
    "workers_m",
    "workers_a",
    "firms",
    "firms_foreign",
    "firms_in_zone",
    "wage_m",
    "wage_a",
    "gdp",
    "gdp_per_capita",
    "real_income",
    "fdi_stock",
    "migrants_in",
    "migrants_out",
    "commuters_in",
    "zone_occupancy",
)
"""The accounts each province holds, in persons, firm agents, US$ (per worker-year for wages) and US$ m (GDP)."""


class Province(FixedAgent):
    """One province (a Mesa ``FixedAgent`` on the network cell with the same integer id).

    Attributes:
        index: integer node id (row in the geography and in every per-province array).
        province_id, name, country: from the dataset.
        population ... zone_occupancy: the accounts (see :data:`ACCOUNTS`), refreshed every step.
    """

    def __init__(self, model: SEZModel, index: int, province_id: str, name: str, country: str):
        super().__init__(model)
        self.index = index
        self.province_id = province_id
        self.name = name
        self.country = country
        self.cell = model.space[index]
        for account in ACCOUNTS:
            setattr(self, account, 0.0)

    def step(self) -> None:
        """Copy this province's row of the model's accounts onto the agent."""
        row = self.model.accounts
        for account in ACCOUNTS:
            setattr(self, account, float(row[account][self.index]))

    def __repr__(self) -> str:
        return f"Province({self.index}, {self.name!r}, {self.country}, population={self.population:,.0f})"
