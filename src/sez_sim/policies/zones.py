"""The SEZ and CBEZ policy instruments: new zones with the standard package, and twin zones across a crossing.

The zone table, the standard incentive package and the dataset's zones are model state (:mod:`sez_sim.zones`).
An instrument adds its zones at setup, inactive, empty, unknown to investors and untried, managed at the host country's
``sez.management`` unless it says otherwise; its effects then grow their capacity (in firm slots) over the
build-out years and switch them on; a CBEZ also cuts the cost of its crossing (joint customs), opens each twin's
jobs to commuters from the partner province, and with a joint committee runs both twins at the better side's
management.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from sez_sim.levers import Effect
from sez_sim.params import Param, declare, per_country
from sez_sim.policies.base import Instrument, Places, param_field
from sez_sim.zones import SEZ, incentives, slots, with_ossc

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

CBEZ = declare(
    "cbez",
    Param(
        name="joint_customs_factor",
        default=0.4,
        unit="multiplier",
        bounds=(0.0, 1.0),
        description="Cost of the twins' crossing with joint customs (single-stop inspection) relative to before.",
        source="ADB GMS Cross-Border Transport Agreement single-window pilots cut clearance times by half or more.",
        kind="lever",
        construction=None,
    ),
    Param(
        name="commuting_share",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of each twin zone's jobs that residents of the partner province may fill without migrating.",
        source="Author's assumption; daily border passes let workers commute into Mae Sot, Savannakhet and Ruili.",
        kind="lever",
        construction=None,
    ),
)


class ZoneInstrument(Instrument):
    """Fields shared by the SEZ and CBEZ instruments (defaults from the ``sez`` and ``ossc`` registry sections)."""

    sections: ClassVar[tuple[str, ...]] = ("sez", "ossc")
    channel: ClassVar[str | None] = "entry"
    capacity_jobs: float | None = param_field(SEZ["capacity_jobs"])
    phase_in: float | None = param_field(SEZ["buildout_years"])
    tax_holiday_years: float | None = param_field(
        SEZ["tax_holiday_years"], description="Tax holiday in years (default: the host country's)"
    )
    tax_rate_after: float | None = param_field(
        SEZ["tax_rate_after"], description="Tax rate after the holiday (default: the host country's)"
    )
    duty_exemption: bool = Field(default=True, description="Duty-free inputs (productivity bonus sez.duty_bonus).")
    infrastructure: bool = Field(
        default=True, description="Zone infrastructure (fixed cost sez.infrastructure_factor)."
    )
    customs: bool = Field(default=True, description="In-zone customs (world access sez.customs_access).")
    ossc: bool = Field(default=True, description="A one-stop service centre inside the zone (ossc.* parameters).")
    management: float | None = param_field(
        SEZ["management"], description="Management capacity of the zone authority (default: the host country's)"
    )

    def _package(self, model: SEZModel, country: str, holiday: float | None, after: float | None) -> dict[str, Any]:
        """The zone's incentives: the standard package of ``country``, less what this instrument switches off."""
        attrs = incentives(model.params["sez"], country, holiday=holiday, after=after)
        if not self.duty_exemption:
            attrs["productivity_bonus"] = 1.0
        if not self.infrastructure:
            attrs["fixed_cost_factor"] = 1.0
        if not self.customs:
            attrs["world_access"] = 1.0
        if self.management is not None:
            attrs["management"] = self.management
        return attrs

    def _open(self, model: SEZModel, name: str, province: int, attrs: dict[str, Any]) -> int:
        """Add one zone: inactive, empty, unknown, untried and planned to its capacity in slots.

        An OSSC inside sets the zone's own approval time and red tape.
        """
        if self.ossc:
            attrs = with_ossc(attrs, model.params["ossc"], model.levers.baseline["red_tape"][province])
        planned = slots(self.capacity_jobs, model.jobs_per_firm[province], model.params["economy"]["employment_rate"])
        return model.add_zone(
            name, province, kind=self.type.upper(), awareness=0.0, planned=planned, record=0.0, learns=True, **attrs
        )

    def _growth(self, model: SEZModel, zones: list[int]) -> list[Effect]:
        """Effects that build the zones to their planned capacity over the phase-in and switch them on."""
        cells = np.asarray(zones, dtype=np.int64)
        return [
            Effect("zone_capacity", cells, "move", model.zones.planned[cells]),
            Effect("zone_active", cells, "switch", 1.0),
        ]


class SEZInstrument(ZoneInstrument):
    """A special economic zone in one province."""

    type: Literal["sez"] = "sez"
    province: str = Field(description="Host province: id (TH-63) or exact name (Tak).")
    name: str | None = Field(default=None, description="Zone name (default: '<province> SEZ').")

    def check(self, geo: Geography) -> None:
        self.lookup("province", geo.index_of, self.province)

    def zones_added(self, geo: Geography) -> dict[str, int]:
        i = geo.index_of(self.province)
        return {self.name or f"{geo.provinces['name'].iat[i]} SEZ": i}

    def setup(self, model: SEZModel) -> list[Effect]:
        ((name, i),) = self.zones_added(model.geo).items()
        country = model.geo.provinces["country"].iat[i]
        zone = self._open(model, name, i, self._package(model, country, self.tax_holiday_years, self.tax_rate_after))
        return self._growth(model, [zone])


class CBEZInstrument(ZoneInstrument):
    """A cross-border economic zone: twin zones on the two sides of a border crossing."""

    sections: ClassVar[tuple[str, ...]] = ("sez", "ossc", "cbez")
    type: Literal["cbez"] = "cbez"
    crossing: str = Field(description="The crossing, by exact name from crossings.csv (e.g. 'Mohan-Boten').")
    joint_customs: bool = Field(default=True, description="Joint customs at the crossing (cbez.joint_customs_factor).")
    joint_customs_factor: float | None = param_field(CBEZ["joint_customs_factor"])
    commuting: bool = Field(default=True, description="Partner-province residents may commute into zone jobs.")
    commuting_share: float | None = param_field(CBEZ["commuting_share"])
    harmonised: bool = Field(
        default=True, description="Both twins offer the more generous of the two countries' tax incentives."
    )
    joint_committee: bool = Field(
        default=True, description="A joint management committee runs both twins at the better side's management."
    )

    def needs(self) -> dict[str, str]:
        # Its joint customs would still cut the crossing's cost: say which instrument does that alone.
        return {"entry": "this cbez's twin zones (for the joint customs alone, use border_facilitation)"}

    def check(self, geo: Geography) -> None:
        self.lookup("crossing", geo.crossing_of, self.crossing)

    def zones_added(self, geo: Geography) -> dict[str, int]:
        x = geo.crossing_of(self.crossing)
        sides = int(geo.crossings["ia"].iat[x]), int(geo.crossings["ib"].iat[x])
        return {f"{self.crossing} CBEZ ({geo.provinces['name'].iat[side]})": side for side in sides}

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        crossings = (geo.crossing_of(self.crossing),) if self.joint_customs else ()
        return Places(zones=tuple(sorted(self.zones_added(geo).values())), crossings=crossings)

    def setup(self, model: SEZModel) -> list[Effect]:
        geo = model.geo
        x = geo.crossing_of(self.crossing)
        named = self.zones_added(geo)
        sides = tuple(named.values())
        countries = [geo.provinces["country"].iat[i] for i in sides]
        p = model.params["sez"]
        holiday, after = self.tax_holiday_years, self.tax_rate_after
        if self.harmonised:
            holiday = max(per_country(p["tax_holiday_years"], countries)) if holiday is None else holiday
            after = min(per_country(p["tax_rate_after"], countries)) if after is None else after
        zones = []
        for name, side, partner, country in zip(named, sides, sides[::-1], countries, strict=True):
            attrs = self._package(model, country, holiday, after) | {"commuter_home": partner}
            zones.append(self._open(model, name, side, attrs))
        if self.joint_committee:
            model.zones.committee[zones] = zones[::-1]
        effects = self._growth(model, zones)
        if self.joint_customs:
            effects.append(Effect("crossing_cost", np.array([x]), "scale", self.joint_customs_factor))
        if self.commuting:
            effects.append(Effect("commuting_share", np.asarray(zones), "switch", self.commuting_share))
        return effects
