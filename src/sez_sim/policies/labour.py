"""Minimum wages per country (the modern-sector wage floor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from sez_sim.params import per_country
from sez_sim.policies.base import Instrument

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel


class MinimumWage(Instrument):
    """Set a country's statutory minimum wage (US$ per worker-year), or scale it by a factor."""

    kind: ClassVar[str] = "minimum_wage"
    type: Literal["minimum_wage"] = "minimum_wage"
    country: str = Field(description="Country code, e.g. KHM.")
    value: float | None = Field(default=None, ge=0, description="New minimum wage, US$ per worker-year.")
    factor: float | None = Field(default=None, ge=0, description="Or: multiply the current minimum wage by this.")

    _base: float = PrivateAttr(default=0.0)

    @model_validator(mode="after")
    def _one(self) -> MinimumWage:
        if (self.value is None) == (self.factor is None):
            raise ValueError("give exactly one of value or factor")
        return self

    def check(self, geo: Geography) -> None:
        self.country_index("country", self.country, geo.country_names())

    def setup(self, model: SEZModel) -> None:
        self._base = per_country(model.params["economy"]["minimum_wage"], [self.country])[0]

    def apply(self, model: SEZModel, intensity: float) -> None:
        target = self.value if self.value is not None else self._base * self.factor
        model.params["economy"]["minimum_wage"][self.country] = self._base + intensity * (target - self._base)
        model.refresh_levers()
