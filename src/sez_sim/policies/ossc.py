"""One-stop service centres: faster investment approval and less red tape, in provinces or whole countries."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sez_sim.levers import Effect
from sez_sim.params import Param, declare
from sez_sim.policies.base import Instrument, Places, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

OSSC = declare(
    "ossc",
    Param(
        name="approval_days",
        default=15.0,
        unit="days",
        bounds=(0.0, 1000.0),
        description="Days from investment decision to approval where an OSSC operates.",
        source="Phnom Penh SEZ's OSSC cut proposals that took 'at least 28 days' to 'three days' (Phnom Penh Post, 2 "
        "Sep 2008); Myanmar's investment registration takes 15 days or less (Irrawaddy/Myanmar Times, Oct 2012). 15 "
        "days is the slower of these.",
        kind="lever",
        construction="setup",
    ),
    Param(
        name="red_tape_factor",
        default=0.3,
        unit="multiplier",
        bounds=(0.0, 1.0),
        description="Red-tape cost of an entrant with an OSSC relative to without.",
        source="Author's assumption: a single window removes most separate licences and visits.",
        kind="lever",
        construction="setup",
    ),
)


class OSSCInstrument(Instrument):
    """One-stop service centres in the listed provinces and/or every province of the listed countries."""

    sections: ClassVar[tuple[str, ...]] = ("ossc",)
    channel: ClassVar[str | None] = "entry"
    type: Literal["ossc"] = "ossc"
    provinces: list[str] = Field(default_factory=list, description="Provinces (ids or exact names).")
    countries: list[str] = Field(default_factory=list, description="Countries (codes such as LAO).")
    approval_days: float | None = param_field(OSSC["approval_days"])
    red_tape_factor: float | None = param_field(OSSC["red_tape_factor"])

    @model_validator(mode="after")
    def _where(self) -> OSSCInstrument:
        if not self.provinces and not self.countries:
            raise ValueError("give provinces, countries or both")
        return self

    def check(self, geo: Geography) -> None:
        self.check_places(geo, self.provinces, self.countries)

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        provinces = sorted({geo.index_of(p) for p in self.provinces})
        return Places(provinces=tuple(provinces), countries=tuple(self.countries))

    def setup(self, model: SEZModel) -> list[Effect]:
        cells = np.array(self.places(model.geo, {}).targeted(model.geo), dtype=np.int64)
        return [
            Effect("approval_days", cells, "move", self.approval_days),
            Effect("red_tape", cells, "scale", self.red_tape_factor),
        ]
