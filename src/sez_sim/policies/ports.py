"""Ports: a new seaport or dry port in a province, or a cheaper sea leg at an existing one.

Firms reach world markets through the port that is nearest to them counting its sea leg (the market's world access
``phi_W = exp(-kappa (sigma - 1) (d_port + sea leg))``, docs/ODD.md 7.1), so a port lowers the trade cost to the world
of its province and of every province for which it becomes the cheapest way out. A deep-sea port (Dawei,
Kyaukphyu) has the sea leg of the dataset's ports (``economy.sea_cost_km``); a dry port, an inland container depot
with customs clearance and a rail or road link to a seaport (the GMS countries' Intergovernmental Agreement on Dry
Ports, UNESCAP 2013), has a longer one: the sea leg plus the cost of that link. A port opens fully in its start year
(ships call or they do not); ``end_year`` closes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sez_sim.economy.params import ECONOMY
from sez_sim.levers import Effect
from sez_sim.policies.base import Instrument, Places, param_field

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel


class PortInstrument(Instrument):
    """Open a port in a province (a seaport, or a dry port with a longer sea leg), or change an existing port's leg."""

    sections: ClassVar[tuple[str, ...]] = ()
    channel: ClassVar[str | None] = "world"
    type: Literal["port"] = "port"
    phase_in: float | None = Field(default=0.0, description="0: a port opens in its start year.")
    province: str = Field(description="Province id or name.")
    sea_cost_km: float | None = param_field(
        ECONOMY["sea_cost_km"],
        optional=True,
        description="Cost of this port's sea leg to world markets: a dry port's includes its link to a seaport "
        "(default: economy.sea_cost_km, the leg of the dataset's ports)",
    )

    @model_validator(mode="after")
    def _opens_at_once(self) -> PortInstrument:
        if self.phase_in:
            raise ValueError("a port opens in its start year: phase_in must be 0")
        return self

    def inert(self, economy: Mapping[str, Any], geo: Geography) -> str | None:
        if economy["export_share"] == 0:
            return (
                "economy.export_share is 0: the calibrated economy sells nothing to the rest of the world, so this "
                "port changes nothing"
            )
        return None

    def check(self, geo: Geography) -> None:
        if not geo.provinces["is_port"].any():
            raise self.error(
                "province",
                "this geography has no port, so its calibrated economy sells nothing to the rest of the world and a "
                "port would change nothing",
            )
        i = self.lookup("province", geo.index_of, self.province)
        port = geo.provinces["port"].iloc[i] if bool(geo.provinces["is_port"].iloc[i]) else ""
        if port and self.sea_cost_km is None:
            name = geo.provinces["name"].iloc[i]
            raise self.error(
                "province",
                f"{name} already has a port ({port}) with the sea leg of economy.sea_cost_km; give sea_cost_km to "
                "change its leg",
            )

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        return Places(ports=(geo.index_of(self.province),))

    def setup(self, model: SEZModel) -> list[Effect]:
        leg = model.params["economy"]["sea_cost_km"] if self.sea_cost_km is None else self.sea_cost_km
        return [Effect("sea_leg", np.array([model.geo.index_of(self.province)], np.int64), "switch", leg)]
