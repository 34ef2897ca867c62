"""Corporate tax rates per country and the inflow of foreign direct investment."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, PrivateAttr

from sez_sim.params import per_country
from sez_sim.policies.base import Instrument

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel


class CorporateTax(Instrument):
    """Set a country's corporate income tax rate."""

    kind: ClassVar[str] = "corporate_tax"
    type: Literal["corporate_tax"] = "corporate_tax"
    country: str = Field(description="Country code, e.g. LAO.")
    rate: float = Field(ge=-1.0, le=0.9, description="Tax rate on operating profit (negative = subsidy).")

    _base: float = PrivateAttr(default=0.0)

    def check(self, geo: Geography) -> None:
        self.country_index("country", self.country, geo.country_names())

    def setup(self, model: SEZModel) -> None:
        self._base = per_country(model.params["economy"]["corporate_tax"], [self.country])[0]

    def apply(self, model: SEZModel, intensity: float) -> None:
        model.params["economy"]["corporate_tax"][self.country] = self._base + intensity * (self.rate - self._base)
        model.refresh_levers()


class FDIInflow(Instrument):
    """Scale the stream of potential foreign investors (FDI promotion, or a global FDI shock)."""

    kind: ClassVar[str] = "fdi_inflow"
    type: Literal["fdi_inflow"] = "fdi_inflow"
    multiplier: float = Field(ge=0.0, le=20.0, description="Potential foreign entrants relative to the baseline.")

    _base: float = PrivateAttr(default=1.0)

    def setup(self, model: SEZModel) -> None:
        self._base = model.params["firms"]["fdi_inflow"]

    def apply(self, model: SEZModel, intensity: float) -> None:
        model.params["firms"]["fdi_inflow"] = self._base + intensity * (self.multiplier - self._base)
