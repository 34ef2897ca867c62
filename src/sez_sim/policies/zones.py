"""Economic zones: the zone table the firms see, the SEZ and CBEZ instruments, and the zones of zones.csv.

A zone is a location alternative inside its host province with its own incentives: a profit-tax holiday and a
reduced rate after it, a productivity bonus for duty-free inputs, zone infrastructure (lower fixed cost), in-zone
customs (better access to ports and the world), its own approval time (an OSSC inside), and a capacity in firm
slots that grows over the build-out years. Capacity is given in jobs and converted to firm slots with the host
province's mean firm size at t = 0. A full zone admits no one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, PrivateAttr

from sez_sim.params import declare, per_country
from sez_sim.policies.base import Instrument, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

SEZ = declare(
    "sez",
    (
        "capacity_jobs",
        20000.0,
        "jobs",
        (0.0, 2_000_000.0),
        "Jobs the zone can hold when fully built (converted to firm slots with the host's mean firm size).",
        "Author's assumption: large GMS zones employ 10,000-30,000 (Phnom Penh SEZ, Savan-Seno, Thilawa).",
        "lever",
    ),
    (
        "buildout_years",
        5.0,
        "years",
        (0.0, 50.0),
        "Years over which capacity grows linearly to its full size (the SEZ's default phase-in).",
        "Author's assumption; GMS zones are built in phases over several years.",
        "lever",
    ),
    (
        "tax_holiday_years",
        {"THA": 8.0, "VNM": 4.0, "KHM": 6.0, "LAO": 10.0, "MMR": 7.0, "CHN": 5.0, "*": 5.0},
        "years",
        (0.0, 50.0),
        "Profit-tax holiday of a zone firm after it starts producing, by host country.",
        "Zone and investment laws around 2019 (author's knowledge, not re-read): Thai BOI up to 8 years; Viet Nam "
        "4 years exemption; Cambodia QIP 3-9 years; Lao SEZ up to 10; Myanmar SEZ law 7.",
        "lever",
        "country",
    ),
    (
        "holiday_rate",
        0.0,
        "share of profit",
        (0.0, 0.9),
        "Profit-tax rate during the holiday.",
        "Zone laws grant full exemption during the holiday.",
        "lever",
    ),
    (
        "tax_rate_after",
        {"VNM": 0.10, "THA": 0.10, "*": 0.10},
        "share of profit",
        (0.0, 0.9),
        "Profit-tax rate of zone firms after the holiday, by host country.",
        "Reduced zone rates (Viet Nam economic zones 10%; Thai BOI 50% reduction after the exemption); author's "
        "assumption elsewhere.",
        "lever",
        "country",
    ),
    (
        "duty_bonus",
        0.05,
        "productivity share",
        (0.0, 1.0),
        "Productivity bonus of zone firms from duty-free imported inputs (b = 1 + bonus).",
        "Author's assumption: duties on intermediate inputs of 5-10% on a share of costs.",
        "lever",
    ),
    (
        "infrastructure_factor",
        0.7,
        "multiplier",
        (0.05, 1.0),
        "Fixed labour of a zone firm relative to outside (serviced land, utilities, security).",
        "Author's assumption.",
        "lever",
    ),
    (
        "customs_access",
        1.3,
        "multiplier",
        (1.0, 10.0),
        "Freeness to the world of a zone firm relative to its province (in-zone customs clearance).",
        "Author's assumption: on-site customs cut a day or more from port clearance.",
        "lever",
    ),
)

CBEZ = declare(
    "cbez",
    (
        "joint_customs_factor",
        0.4,
        "multiplier",
        (0.0, 1.0),
        "Cost of the twins' crossing with joint customs (single-stop inspection) relative to before.",
        "ADB GMS Cross-Border Transport Agreement single-window pilots cut clearance times by half or more.",
        "lever",
    ),
    (
        "commuting_share",
        0.3,
        "share",
        (0.0, 1.0),
        "Share of each twin zone's jobs that residents of the partner province may fill without migrating.",
        "Author's assumption; daily border passes let workers commute into Mae Sot, Savannakhet and Ruili.",
        "lever",
    ),
)


class ZoneTable:
    """Zones as parallel arrays: one entry per zone, never removed (``active`` switches a zone on and off).

    Attributes (arrays over zones):
        province: host province.
        capacity: firm slots now (grows over the build-out years).
        productivity_bonus: ``b`` >= 1, multiplies a zone firm's productivity (duty-free inputs for exporters).
        world_access: multiplier >= 1 on the host's freeness to the world (in-zone customs).
        fixed_cost_factor: <= 1, multiplies a zone firm's fixed labour (zone infrastructure).
        holiday_years: profit-tax holiday after a firm starts producing.
        holiday_rate: tax rate during the holiday.
        after_rate: tax rate after the holiday (NaN: the country's corporate tax).
        approval_days: approval delay inside the zone (NaN: the province's).
        red_tape_years: red-tape cost inside the zone (NaN: the province's).
        active: whether the zone admits and supports firms.
    """

    DEFAULTS: ClassVar[dict[str, tuple[type, object]]] = {
        "province": (np.int64, 0),
        "capacity": (np.float64, 0.0),
        "productivity_bonus": (np.float64, 1.0),
        "world_access": (np.float64, 1.0),
        "fixed_cost_factor": (np.float64, 1.0),
        "holiday_years": (np.float64, 0.0),
        "holiday_rate": (np.float64, 0.0),
        "after_rate": (np.float64, np.nan),
        "approval_days": (np.float64, np.nan),
        "red_tape_years": (np.float64, np.nan),
        "active": (np.bool_, False),
    }

    def __init__(self) -> None:
        self.name: list[str] = []
        for attr, (dtype, _) in self.DEFAULTS.items():
            setattr(self, attr, np.zeros(0, dtype=dtype))

    def __len__(self) -> int:
        return len(self.name)

    def add(self, name: str, **values: Any) -> int:
        """Append a zone; attributes not given take their defaults (inactive, no incentives). Returns its index."""
        unknown = set(values) - set(self.DEFAULTS)
        if unknown:
            raise KeyError(f"unknown zone attribute(s) {sorted(unknown)}")
        for attr, (dtype, default) in self.DEFAULTS.items():
            setattr(self, attr, np.append(getattr(self, attr), np.asarray(values.get(attr, default), dtype=dtype)))
        self.name.append(name)
        return len(self.name) - 1

    def set(self, index: int, **values: Any) -> None:
        """Change attributes of zone ``index``."""
        for attr, value in values.items():
            getattr(self, attr)[index] = value


def incentives(params: dict[str, Any], country: str, *, holiday: float | None = None, after: float | None = None):
    """The zone incentive package for a host country: ZoneTable attributes (without capacity and activity)."""
    return {
        "productivity_bonus": 1.0 + params["duty_bonus"],
        "world_access": params["customs_access"],
        "fixed_cost_factor": params["infrastructure_factor"],
        "holiday_years": per_country(params["tax_holiday_years"], [country])[0] if holiday is None else holiday,
        "holiday_rate": params["holiday_rate"],
        "after_rate": per_country(params["tax_rate_after"], [country])[0] if after is None else after,
    }


def _slots(model: SEZModel, province: int, jobs: float) -> float:
    """Firm slots holding ``jobs`` jobs (workers) at the host province's mean firm size at t = 0.

    Labour in the model is counted in persons (a worker supports 1 / employment_rate people).
    """
    persons = jobs / model.params["economy"]["employment_rate"]
    return max(1.0, persons / max(model.jobs_per_firm[province], 1e-9))


class ZoneInstrument(Instrument):
    """Fields shared by the SEZ and CBEZ instruments (defaults from the ``sez`` registry section)."""

    capacity_jobs: float = param_field(SEZ["capacity_jobs"])
    phase_in: float = param_field(SEZ["buildout_years"])
    tax_holiday_years: float | None = Field(
        default=None,
        ge=0,
        le=50,
        description="Tax holiday in years (default: the host country's, sez.tax_holiday_years).",
    )
    tax_rate_after: float | None = Field(
        default=None, ge=0, le=0.9, description="Tax rate after the holiday (default: sez.tax_rate_after)."
    )
    duty_exemption: bool = Field(default=True, description="Duty-free inputs (productivity bonus sez.duty_bonus).")
    infrastructure: bool = Field(
        default=True, description="Zone infrastructure (fixed cost sez.infrastructure_factor)."
    )
    customs: bool = Field(default=True, description="In-zone customs (world access sez.customs_access).")
    ossc: bool = Field(default=True, description="A one-stop service centre inside the zone (ossc.* parameters).")

    _zones: list[int] = PrivateAttr(default_factory=list)
    _slots: list[float] = PrivateAttr(default_factory=list)

    def _package(self, model: SEZModel, country: str, holiday: float | None = None, after: float | None = None):
        p = model.params["sez"]
        attrs = incentives(
            p,
            country,
            holiday=self.tax_holiday_years if holiday is None else holiday,
            after=self.tax_rate_after if after is None else after,
        )
        if not self.duty_exemption:
            attrs["productivity_bonus"] = 1.0
        if not self.infrastructure:
            attrs["fixed_cost_factor"] = 1.0
        if not self.customs:
            attrs["world_access"] = 1.0
        if self.ossc:
            o = model.params["ossc"]
            attrs["approval_days"] = o["approval_days"]
        return attrs

    def _open(self, model: SEZModel, name: str, province: int, attrs: dict[str, Any]) -> None:
        if self.ossc:
            attrs["red_tape_years"] = model.firms.red_tape[province] * model.params["ossc"]["red_tape_factor"]
        self._zones.append(model.add_zone(name, province, **attrs))
        self._slots.append(_slots(model, province, self.capacity_jobs))

    def apply(self, model: SEZModel, intensity: float) -> None:
        for zone, slots in zip(self._zones, self._slots, strict=True):
            model.zones.set(zone, active=intensity > 0, capacity=intensity * slots)


class SEZInstrument(ZoneInstrument):
    """A special economic zone in one province."""

    kind: ClassVar[str] = "sez"
    type: Literal["sez"] = "sez"
    province: str = Field(description="Host province: id (TH-63) or exact name (Tak).")
    name: str | None = Field(default=None, description="Zone name (default: '<province> SEZ').")

    def check(self, geo: Geography) -> None:
        self.lookup("province", geo.index_of, self.province)

    def setup(self, model: SEZModel) -> None:
        i = model.geo.index_of(self.province)
        country = model.geo.provinces["country"].iat[i]
        self._open(model, self.name or f"{model.geo.provinces['name'].iat[i]} SEZ", i, self._package(model, country))


class CBEZInstrument(ZoneInstrument):
    """A cross-border economic zone: twin zones on the two sides of a border crossing."""

    kind: ClassVar[str] = "cbez"
    type: Literal["cbez"] = "cbez"
    crossing: str = Field(description="The crossing, by exact name from crossings.csv (e.g. 'Mohan-Boten').")
    joint_customs: bool = Field(default=True, description="Joint customs at the crossing (cbez.joint_customs_factor).")
    joint_customs_factor: float = param_field(CBEZ["joint_customs_factor"])
    commuting: bool = Field(default=True, description="Partner-province residents may commute into zone jobs.")
    commuting_share: float = param_field(CBEZ["commuting_share"])
    harmonised: bool = Field(
        default=True, description="Both twins offer the more generous of the two countries' tax incentives."
    )

    _crossing: int = PrivateAttr(default=-1)
    _base_cost: float = PrivateAttr(default=0.0)
    _pair: tuple[int, int] = PrivateAttr(default=(-1, -1))

    def check(self, geo: Geography) -> None:
        self.lookup("crossing", geo.crossing_of, self.crossing)

    def setup(self, model: SEZModel) -> None:
        geo = model.geo
        x = geo.crossing_of(self.crossing)
        self._crossing = x
        self._base_cost = float(geo.crossings["cost_km"].iat[x])
        a, b = int(geo.crossings["ia"].iat[x]), int(geo.crossings["ib"].iat[x])
        self._pair = (a, b)
        countries = [geo.provinces["country"].iat[a], geo.provinces["country"].iat[b]]
        p = model.params["sez"]
        holiday = after = None
        if self.harmonised:
            holiday = self.tax_holiday_years
            if holiday is None:
                holiday = max(per_country(p["tax_holiday_years"], countries))
            after = self.tax_rate_after
            if after is None:
                after = min(per_country(p["tax_rate_after"], countries))
        for side, country in zip((a, b), countries, strict=True):
            self._open(
                model,
                f"{self.crossing} CBEZ ({geo.provinces['name'].iat[side]})",
                side,
                self._package(model, country, holiday, after),
            )

    def apply(self, model: SEZModel, intensity: float) -> None:
        super().apply(model, intensity)
        if self.joint_customs:
            factor = 1.0 - intensity * (1.0 - self.joint_customs_factor)
            model.geo.set_crossing_cost([self._crossing], self._base_cost * factor)
            model.geography_changed()
        if self.commuting:
            a, b = self._pair
            share = self.commuting_share if intensity > 0 else 0.0
            model.workers.commuting_rules[(b, a)] = (self._zones[0], share)
            model.workers.commuting_rules[(a, b)] = (self._zones[1], share)


def existing_zones(model: SEZModel, start_year: int) -> list[int]:
    """Open the zones of the dataset that operate by ``start_year`` (status 'operating'); returns their indices.

    They get the standard package of their host country and ``sez.capacity_jobs`` of capacity; the model fills
    them at t = 0 (see ``SEZModel._open_existing_zones``).
    """
    zones = model.geo.zones
    opened = []
    if not len(zones):
        return opened
    p = model.params["sez"]
    year = zones["year_established"].fillna(0).astype(int)
    for row in np.flatnonzero((zones["status"] == "operating").to_numpy() & (year <= start_year).to_numpy()):
        z = zones.iloc[row]
        province = int(z["province"])
        country = model.geo.provinces["country"].iat[province]
        attrs = incentives(p, country)
        slots = _slots(model, province, p["capacity_jobs"])
        opened.append(model.add_zone(str(z["name"]), province, active=True, capacity=slots, **attrs))
    return opened
