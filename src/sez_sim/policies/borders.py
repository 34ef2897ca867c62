"""Border facilitation: cheaper, faster crossings for goods at named crossings or all of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, PrivateAttr

from sez_sim.params import declare
from sez_sim.policies.base import Instrument, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

BORDER = declare(
    "border",
    (
        "factor",
        0.5,
        "multiplier",
        (0.0, 1.0),
        "Cost of a facilitated crossing relative to before (single window, longer hours, CBTA).",
        "ADB CBTA monitoring reports clearance time cuts of about half at pilot crossings (author's summary).",
        "lever",
    ),
)


class BorderFacilitation(Instrument):
    """Lower the cost of crossing at the listed crossings, or all of them."""

    kind: ClassVar[str] = "border_facilitation"
    type: Literal["border_facilitation"] = "border_facilitation"
    crossings: list[str] | Literal["all"] = Field(default="all", description="Crossing names, or 'all'.")
    factor: float = param_field(BORDER["factor"])

    _rows: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0, np.int64))
    _base: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0))

    def check(self, geo: Geography) -> None:
        if self.crossings != "all":
            for k, name in enumerate(self.crossings):
                self.lookup(f"crossings[{k}]", geo.crossing_of, name)

    def setup(self, model: SEZModel) -> None:
        geo = model.geo
        names = list(geo.crossings["name"]) if self.crossings == "all" else self.crossings
        self._rows = np.array([geo.crossing_of(n) for n in names], dtype=np.int64)
        self._base = geo.crossings["cost_km"].to_numpy()[self._rows].copy()

    def apply(self, model: SEZModel, intensity: float) -> None:
        model.geo.set_crossing_cost(self._rows, self._base * (1.0 - intensity * (1.0 - self.factor)))
        model.geography_changed()
