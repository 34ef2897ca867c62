"""One-stop service centres: faster investment approval and less red tape, in provinces or whole countries."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from sez_sim.params import declare
from sez_sim.policies.base import Instrument, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

OSSC = declare(
    "ossc",
    (
        "approval_days",
        15.0,
        "days",
        (0.0, 1000.0),
        "Days from investment decision to approval where an OSSC operates.",
        "MODEL.md section 10: Savannakhet cut approval from 65 to 15 days with its OSSC, Phnom Penh SEZ from 28 to 3.",
        "lever",
    ),
    (
        "red_tape_factor",
        0.3,
        "multiplier",
        (0.0, 1.0),
        "Red-tape cost of an entrant with an OSSC relative to without.",
        "Author's assumption: a single window removes most separate licences and visits.",
        "lever",
    ),
)


class OSSCInstrument(Instrument):
    """One-stop service centres in the listed provinces and/or every province of the listed countries."""

    kind: ClassVar[str] = "ossc"
    type: Literal["ossc"] = "ossc"
    provinces: list[str] = Field(default_factory=list, description="Provinces (ids or exact names).")
    countries: list[str] = Field(default_factory=list, description="Countries (codes such as LAO).")
    approval_days: float = param_field(OSSC["approval_days"])
    red_tape_factor: float = param_field(OSSC["red_tape_factor"])

    _rows: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0, np.int64))
    _days: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0))
    _tape: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0))

    @model_validator(mode="after")
    def _where(self) -> OSSCInstrument:
        if not self.provinces and not self.countries:
            raise ValueError("give provinces, countries or both")
        return self

    def check(self, geo: Geography) -> None:
        for k, province in enumerate(self.provinces):
            self.lookup(f"provinces[{k}]", geo.index_of, province)
        for k, code in enumerate(self.countries):
            self.country_index(f"countries[{k}]", code, geo.country_names())

    def setup(self, model: SEZModel) -> None:
        rows = {model.geo.index_of(p) for p in self.provinces}
        for c in self.countries:
            rows |= set(np.flatnonzero(model.geo.provinces["country"].to_numpy() == c).tolist())
        self._rows = np.array(sorted(rows), dtype=np.int64)
        self._days = model.firms.approval_days[self._rows].copy()
        self._tape = model.firms.red_tape[self._rows].copy()

    def apply(self, model: SEZModel, intensity: float) -> None:
        model.firms.approval_days[self._rows] = self._days + intensity * (self.approval_days - self._days)
        model.firms.red_tape[self._rows] = self._tape * (1.0 - intensity * (1.0 - self.red_tape_factor))
