"""Minimum wages per country or province (the modern-sector wage floor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import model_validator

from sez_sim.economy.params import ECONOMY
from sez_sim.levers import Effect
from sez_sim.params import Param, declare, per_country
from sez_sim.policies.base import Regional, param_field

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


class MinimumWage(Regional):
    """Set the statutory minimum wage (US$ per worker-year) of a country or of the listed provinces, or scale it."""

    sections: ClassVar[tuple[str, ...]] = ("minimum_wage",)
    channel: ClassVar[str | None] = "wage_floor"
    type: Literal["minimum_wage"] = "minimum_wage"
    value: float | None = param_field(
        ECONOMY["minimum_wage"], optional=True, description="New minimum wage (or give a factor)"
    )
    factor: float | None = param_field(MINIMUM_WAGE["factor"])

    @model_validator(mode="after")
    def _one(self) -> MinimumWage:
        if self.value is not None and self.factor is not None:
            raise ValueError("give value or factor, not both")
        return self

    def inert(self, economy: Mapping[str, Any], geo: Geography) -> str | None:
        if self.value is not None:
            return None
        countries = sorted(set(geo.provinces["country"].to_numpy()[self.rows(geo)]))
        if any(per_country(economy["minimum_wage"], countries)):
            return None
        return (
            f"{', '.join(countries)} {'has' if len(countries) == 1 else 'have'} no minimum wage (economy.minimum_wage "
            "gives 0), so a factor changes nothing; give a value to set one"
        )

    def setup(self, model: SEZModel) -> list[Effect]:
        rows = self.rows(model.geo)
        if self.value is not None:
            return [Effect("minimum_wage", rows, "move", self.value)]
        return [Effect("minimum_wage", rows, "scale", self.factor)]
