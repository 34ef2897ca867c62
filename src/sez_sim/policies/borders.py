"""Border facilitation: cheaper, faster crossings for goods at named crossings or all of them.

Above a factor of 1 the same instrument makes crossings harder: a closure, fighting nearby, new controls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field

from sez_sim.levers import Effect
from sez_sim.params import Param, declare
from sez_sim.policies.base import FREENESS_GIVEN, Instrument, Places, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

BORDER = declare(
    "border",
    Param(
        name="factor",
        default=0.5,
        unit="multiplier",
        bounds=(0.0, 20.0),
        description="Cost of the crossing relative to before: below 1 facilitated (single window, longer hours, "
        "CBTA), above 1 made harder (a closure, fighting nearby, new controls; 20 puts 5,000 km of road on a crossing "
        "of 250).",
        source="ADB CBTA monitoring reports clearance time cuts of about half at pilot crossings (author's summary). "
        "Crossings also close: fighting around Myawaddy disrupted trade through Mae Sot-Myawaddy, the East-West "
        "Corridor's main Thai-Myanmar crossing, in 2023-24 (press reports; no cost estimate).",
        kind="lever",
        construction=None,
    ),
)


class BorderFacilitation(Instrument):
    """Scale the cost of crossing at the listed crossings, or all of them: lower it, or raise it above 1."""

    sections: ClassVar[tuple[str, ...]] = ("border",)
    type: Literal["border_facilitation"] = "border_facilitation"
    crossings: list[str] | Literal["all"] = Field(default="all", description="Crossing names, or 'all'.")
    factor: float | None = param_field(BORDER["factor"])

    def check(self, geo: Geography) -> None:
        if geo.freeness_override is not None:
            raise self.error("type", FREENESS_GIVEN)
        if not len(geo.crossings):
            raise self.error("crossings", "this geography has no border crossings")
        if self.crossings != "all":
            for k, name in enumerate(self.crossings):
                self.lookup(f"crossings[{k}]", geo.crossing_of, name)

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        names = list(geo.crossings["name"]) if self.crossings == "all" else self.crossings
        return Places(crossings=tuple(sorted({geo.crossing_of(n) for n in names})))

    def setup(self, model: SEZModel) -> list[Effect]:
        rows = np.array(self.places(model.geo, {}).crossings, dtype=np.int64)
        return [Effect("crossing_cost", rows, "scale", self.factor)]
