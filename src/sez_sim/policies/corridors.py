"""Corridor upgrades: better roads along a corridor, a branch, or listed links (lower cost per km)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sez_sim.levers import Effect
from sez_sim.params import Param, declare
from sez_sim.policies.base import FREENESS_GIVEN, PHASE_IN_LIMIT, Instrument, Places, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

CORRIDOR = declare(
    "corridor",
    Param(
        name="quality",
        default=0.7,
        unit="cost per km, relative",
        bounds=(0.05, 1.0),
        description="Cost per km of an upgraded link relative to before (1 = no change).",
        source="Author's assumption: GMS corridor projects cut travel times by a quarter to a half (ADB evaluations of "
        "the EWEC and NSEC road projects).",
        kind="lever",
        construction=None,
    ),
)


class CorridorUpgrade(Instrument):
    """Upgrade a named corridor (EWEC, NSEC, SEC), one branch (EWEC/main_Mawlamyine-DaNang) or listed links."""

    sections: ClassVar[tuple[str, ...]] = ("corridor",)
    type: Literal["corridor_upgrade"] = "corridor_upgrade"
    corridor: str | None = Field(default=None, description="Corridor or corridor/branch from corridors.csv.")
    links: list[tuple[str, str]] = Field(default_factory=list, description="Links as [province, province] pairs.")
    quality: float | None = param_field(CORRIDOR["quality"])
    completion_year: float | None = Field(
        default=None, description="Year the upgrade is complete (it phases in linearly from start_year)."
    )

    @model_validator(mode="after")
    def _what(self) -> CorridorUpgrade:
        if not self.corridor and not self.links:
            raise ValueError("give a corridor, links or both")
        if self.completion_year is not None:
            if self.start_year is None:
                raise ValueError("completion_year needs start_year")
            if self.completion_year < self.start_year:
                raise ValueError("completion_year is before start_year")
            if self.completion_year - self.start_year > PHASE_IN_LIMIT:
                raise ValueError(f"completion_year is more than {PHASE_IN_LIMIT:g} years after start_year")
            self.phase_in = self.completion_year - self.start_year
        return self

    def check(self, geo: Geography) -> None:
        if geo.freeness_override is not None:
            raise self.error("type", FREENESS_GIVEN)
        if self.corridor:
            self.lookup("corridor", geo.corridor_links, self.corridor)
        for k, (a, b) in enumerate(self.links):
            self.lookup(f"links[{k}]", lambda pair: geo.link_of(*pair), (a, b))

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        rows = set(geo.corridor_links(self.corridor).tolist()) if self.corridor else set()
        rows |= {geo.link_of(a, b) for a, b in self.links}
        return Places(links=tuple(sorted(int(r) for r in rows)))

    def setup(self, model: SEZModel) -> list[Effect]:
        rows = np.array(self.places(model.geo, {}).links, dtype=np.int64)
        return [Effect("link_quality", rows, "scale", self.quality)]
