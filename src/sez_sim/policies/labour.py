"""Minimum wages per country (the modern-sector wage floor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sez_sim.economy.params import ECONOMY
from sez_sim.levers import Effect
from sez_sim.params import Param, declare, per_country
from sez_sim.policies.base import Instrument, Places, param_field

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

MINIMUM_WAGE = declare(
    "minimum_wage",
    Param(
        name="factor",
        default=1.0,
        unit="multiplier",
        bounds=(0.0, 10.0),
        description="Minimum wage relative to the baseline where a minimum-wage instrument gives no value (1 = "
        "unchanged).",
        source="A lever; for scale, Cambodia's garment-sector minimum wage roughly tripled from 2007 to 2020 (author's "
        "summary of the Labour Advisory Committee's decisions).",
        kind="lever",
        construction=None,
    ),
)


class MinimumWage(Instrument):
    """Set a country's statutory minimum wage (US$ per worker-year), or scale it by a factor."""

    sections: ClassVar[tuple[str, ...]] = ("minimum_wage",)
    channel: ClassVar[str | None] = "wage_floor"
    type: Literal["minimum_wage"] = "minimum_wage"
    country: str = Field(description="Country code, e.g. KHM.")
    value: float | None = param_field(
        ECONOMY["minimum_wage"], optional=True, description="New minimum wage (or give a factor)"
    )
    factor: float | None = param_field(MINIMUM_WAGE["factor"])

    @model_validator(mode="after")
    def _one(self) -> MinimumWage:
        if self.value is not None and self.factor is not None:
            raise ValueError("give value or factor, not both")
        return self

    def inert(self, economy: Mapping[str, Any]) -> str | None:
        if self.value is None and per_country(economy["minimum_wage"], [self.country])[0] == 0:
            return (
                f"{self.country} has no minimum wage (economy.minimum_wage gives it 0), so a factor changes nothing; "
                "give a value to set one"
            )
        return None

    def check(self, geo: Geography) -> None:
        self.country_index("country", self.country, geo.country_names())

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        return Places(countries=(self.country,))

    def setup(self, model: SEZModel) -> list[Effect]:
        rows = np.flatnonzero(model.geo.provinces["country"].to_numpy() == self.country)
        if self.value is not None:
            return [Effect("minimum_wage", rows, "move", self.value)]
        return [Effect("minimum_wage", rows, "scale", self.factor)]
