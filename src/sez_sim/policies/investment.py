"""Corporate tax rates per country and the inflow of foreign direct investment."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from sez_sim.agents.firms import PARAMS as FIRMS
from sez_sim.economy.params import ECONOMY
from sez_sim.levers import Effect
from sez_sim.policies.base import Instrument, Places, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel


class CorporateTax(Instrument):
    """Set a country's corporate income tax rate."""

    sections: ClassVar[tuple[str, ...]] = ()
    type: Literal["corporate_tax"] = "corporate_tax"
    country: str = Field(description="Country code, e.g. LAO.")
    rate: float = param_field(
        ECONOMY["corporate_tax"], required=True, description="Tax rate on operating profit (negative = subsidy)"
    )

    def check(self, geo: Geography) -> None:
        self.country_index("country", self.country, geo.country_names())

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        return Places(countries=(self.country,))

    def setup(self, model: SEZModel) -> list[Effect]:
        rows = np.flatnonzero(model.geo.provinces["country"].to_numpy() == self.country)
        return [Effect("corporate_tax", rows, "move", self.rate)]


class FDIInflow(Instrument):
    """Scale the stream of potential foreign investors (FDI promotion, or a global FDI shock)."""

    sections: ClassVar[tuple[str, ...]] = ()
    channel: ClassVar[str | None] = "entry"
    type: Literal["fdi_inflow"] = "fdi_inflow"
    multiplier: float = param_field(
        FIRMS["fdi_inflow"], required=True, description="Potential foreign entrants relative to the baseline"
    )

    def setup(self, model: SEZModel) -> list[Effect]:
        return [Effect("fdi_inflow", np.zeros(1, np.int64), "scale", self.multiplier)]
