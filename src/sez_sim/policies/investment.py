"""Corporate tax rates per country or province and the inflow of foreign direct investment."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from sez_sim.agents.firms import PARAMS as FIRMS
from sez_sim.economy.params import ECONOMY
from sez_sim.levers import Effect
from sez_sim.policies.base import Instrument, Regional, param_field

if TYPE_CHECKING:
    from sez_sim.model import SEZModel


class CorporateTax(Regional):
    """Set the profit-tax rate of a country's firms, or of the listed provinces' (a regional rate or subsidy).

    Zone firms pay their zone's rate (the holiday's, then ``sez.tax_rate_after``) unless the province's is lower.
    """

    sections: ClassVar[tuple[str, ...]] = ()
    type: Literal["corporate_tax"] = "corporate_tax"
    rate: float = param_field(
        ECONOMY["corporate_tax"], required=True, description="Tax rate on operating profit (negative = subsidy)"
    )

    def setup(self, model: SEZModel) -> list[Effect]:
        return [Effect("corporate_tax", self.rows(model.geo), "move", self.rate)]


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
