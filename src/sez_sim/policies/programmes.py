"""Programmes for zones that exist: capacity building for their management, investment promotion, credibility.

Each targets zones by name, every zone of the listed provinces (twin provinces such as Khammouane and Nakhon
Phanom) or every zone of the listed countries: the dataset's operating zones and those added by the policies listed
before the programme. Each costs a sum per target zone and year from its start until its end, which the public
ledger books as the zone's programme cost.

- **Capacity building** trains a zone authority's staff: its management capacity (:mod:`sez_sim.zones`) closes the
  share ``gain`` of its gap to 1 along a learning curve. Nothing changes until the first trained staff are in
  post (``lag_years``); then the gain grows as ``1 - exp(-t / learning_years)``.
- **Investment promotion** (business-to-business meetings, investor missions, a zone's own marketing) brings the
  zone before more potential investors: ``uplift`` more of the entrants' stream consider it than know it, and it
  becomes known faster (:attr:`~sez_sim.zones.ZoneTable.consideration`).
- **Credibility** (a reputed developer, an anchor investor's commitment, a state guarantee of the promised
  utilities and customs) makes investors take the share ``credibility`` of an untried zone's track record as shown:
  they deduct the newcomer cost only for what is missing beyond it, ``c (1 - max(r, credibility))``
  (:attr:`~sez_sim.zones.ZoneTable.unproven`). It changes nothing for a proven zone (the dataset's zones, ``r = 1``).
"""

from __future__ import annotations

import difflib
import math
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, PrivateAttr, model_validator

from sez_sim.levers import Effect
from sez_sim.params import Param, declare
from sez_sim.policies.base import Instrument, Places, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

CAPACITY_BUILDING = declare(
    "capacity_building",
    Param(
        name="gain",
        default=0.5,
        unit="share of the gap to 1",
        bounds=(0.0, 1.0),
        description="Share of a zone authority's management gap (1 - management) that training closes in full.",
        source="Author's assumption: a programme brings a weak authority about half way to good practice.",
        kind="lever",
        construction=None,
    ),
    Param(
        name="lag_years",
        default=1.0,
        unit="years",
        bounds=(0.0, 20.0),
        description="Years from the programme's start until the first trained staff are in post (no effect before).",
        source="Author's assumption: the first training cycle of a technical-cooperation project takes about a year.",
        kind="lever",
        construction=None,
    ),
    Param(
        name="learning_years",
        default=3.0,
        unit="years",
        bounds=(0.01, 50.0),
        description="Time constant of the learning curve after the lag: 63% of the gain after this long.",
        source="Author's assumption: technical-cooperation projects for zone authorities run 3-5 years (for example "
        "JICA's support to Cambodia's CDC and to the Thilawa SEZ Management Committee).",
        kind="lever",
        construction=None,
    ),
    Param(
        name="cost_per_year",
        default=0.5,
        unit="US$ m per zone a year",
        bounds=(0.0, 1000.0),
        description="Public cost of the programme per target zone and year while it runs.",
        source="Author's assumption: technical-cooperation projects of a few US$ million over 3-5 years.",
        kind="uncertainty",
        construction=None,
    ),
)

INVESTMENT_PROMOTION = declare(
    "investment_promotion",
    Param(
        name="uplift",
        default=0.5,
        unit="share",
        bounds=(0.0, 10.0),
        description="Extra potential investors who consider a promoted zone, relative to those who know it (and the "
        "extra speed at which it becomes known).",
        source="Harding & Javorcik (2011, Economic Journal 121): sectors targeted by national investment promotion "
        "agencies received markedly more FDI afterwards, about twice as much in developing countries (author's "
        "reading, not re-verified); a zone's own promotion reaches fewer investors, hence 0.5.",
        kind="lever",
        construction=None,
    ),
    Param(
        name="cost_per_year",
        default=0.3,
        unit="US$ m per zone a year",
        bounds=(0.0, 1000.0),
        description="Public cost of promotion (meetings, missions, marketing) per target zone and year.",
        source="Author's assumption: a few investor missions and matching events a year.",
        kind="uncertainty",
        construction=None,
    ),
)


ZONE_CREDIBILITY = declare(
    "zone_credibility",
    Param(
        name="credibility",
        default=1.0,
        unit="share of the track record",
        bounds=(0.0, 1.0),
        description="Share of an untried zone's track record investors take as shown: the newcomer cost is deducted "
        "only for what is missing beyond it (1: the zone counts as proven from the start).",
        source="Author's assumption, to ask what the untried-zone risk costs: the newcomer cost is calibrated to the "
        "average effect of a new zone (sez.fdi_uplift) and no study measures how much of it an anchor investor or a "
        "developer's name removes (Farole 2011 on private developers and anchor tenants; Thilawa's Japanese "
        "consortium held 13,300 jobs after seven years, Manhattan SEZ's first five years brought 3 factories).",
        kind="lever",
        construction=None,
    ),
    Param(
        name="cost_per_year",
        default=1.0,
        unit="US$ m per zone a year",
        bounds=(0.0, 1000.0),
        description="Public cost per target zone and year while it runs (an anchor investor's incentives, a "
        "guarantee's expected calls).",
        source="Author's assumption, of the order of the other zone programmes; no published figure: set it to the "
        "deal in question.",
        kind="uncertainty",
        construction=None,
    ),
)


class ZoneProgramme(Instrument):
    """Fields and targeting shared by the zone programmes."""

    channel: ClassVar[str | None] = "entry"

    zones: list[str] = Field(default_factory=list, description="Zones by exact name (e.g. 'Tak SEZ').")
    provinces: list[str] = Field(default_factory=list, description="Every zone of these provinces (ids or names).")
    countries: list[str] = Field(default_factory=list, description="Every zone of these countries (codes).")
    _targets: np.ndarray = PrivateAttr(default_factory=lambda: np.zeros(0, np.int64))

    @model_validator(mode="after")
    def _where(self) -> ZoneProgramme:
        if not (self.zones or self.provinces or self.countries):
            raise ValueError("give zones, provinces, countries or a combination")
        return self

    def check(self, geo: Geography) -> None:
        self.check_places(geo, self.provinces, self.countries)

    def check_zones(self, geo: Geography, zones: dict[str, int], dataset_zones: bool) -> None:
        self.targets(geo, zones, dataset_zones)

    def targets(self, geo: Geography, zones: dict[str, int], dataset_zones: bool = True) -> list[str]:
        """The names of the target zones among ``zones`` (name -> host province), in their order there.

        Args:
            geo: the geography.
            zones: the zones that exist before this instrument.
            dataset_zones: whether the run started with the dataset's operating zones (for the errors).

        Raises:
            ScenarioError: naming the field of a zone that does not exist, or a province or country without one.
        """
        if dataset_zones:
            where = " (the dataset's operating zones and those of the policies listed before this one)"
        elif len(geo.zones):
            where = (
                " (those of the policies listed before this one: with geography.existing_zones false the run starts "
                "without the dataset's zones)"
            )
        else:
            where = " (those of the policies listed before this one)"
        chosen = set()
        for k, name in enumerate(self.zones):
            if name not in zones:
                hint = _hint(geo, name, zones, dataset_zones)
                raise self.error(f"zones[{k}]", f"no zone {name!r} exists before this policy{where}{hint}")
            chosen.add(name)
        country = geo.provinces["country"].to_numpy()
        for field, places, hosts in (
            ("provinces", self.provinces, lambda p: {geo.index_of(p)}),
            ("countries", self.countries, lambda c: set(np.flatnonzero(country == c).tolist())),
        ):
            for k, place in enumerate(places):
                inside = [name for name, host in zones.items() if host in hosts(place)]
                if not inside:
                    raise self.error(f"{field}[{k}]", f"{place} has no zone before this policy{where}")
                chosen.update(inside)
        return [name for name in zones if name in chosen]

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        return Places(served=tuple(sorted({zones[name] for name in self.targets(geo, zones)})))

    def target_zones(self, model: SEZModel) -> np.ndarray:
        """Resolve the targets against the model's zone table (at setup); remembered for :meth:`spending`."""
        names = self.targets(model.geo, model.zones.hosts())
        self._targets = np.array([model.zones.name.index(n) for n in names], dtype=np.int64)
        return self._targets

    def spending(self, year: float, start_default: float) -> tuple[np.ndarray, float]:
        start = start_default if self.start_year is None else self.start_year
        running = start <= year and (self.end_year is None or year < self.end_year)
        return (self._targets, self.cost_per_year) if running else (np.zeros(0, np.int64), 0.0)


def _hint(geo: Geography, name: str, zones: dict[str, int], dataset_zones: bool) -> str:
    """What to do about a target zone that does not exist.

    Open a zone the dataset lists but the run does not start with (planned, stalled, established later, or any
    zone when the run starts without the dataset's), or pick one of the names closest to it.
    """
    listed = geo.zones[geo.zones["name"].astype(str) == name] if len(geo.zones) else geo.zones
    if len(listed):
        row = listed.iloc[0]
        province = geo.provinces["id"].iat[int(row["province"])]
        established = float(row["year_established"])
        year = "" if math.isnan(established) else f", established {int(established)}"
        starts = (
            "a run starts with the operating zones established by its start year"
            if dataset_zones
            else "this run starts without the dataset's zones"
        )
        return (
            f"; the dataset lists it as {row['status']}{year}, and {starts}: to open it, list "
            f"{{type: sez, province: {province}, name: {name!r}}} before this policy"
        )
    close = difflib.get_close_matches(name, list(zones), n=3, cutoff=0.4)
    return f"; close: {', '.join(map(repr, close))}" if close else f"; there are {len(zones)}"


class CapacityBuilding(ZoneProgramme):
    """Training for the management of zone authorities: management capacity rises along a learning curve."""

    sections: ClassVar[tuple[str, ...]] = ("capacity_building",)
    type: Literal["capacity_building"] = "capacity_building"
    gain: float | None = param_field(CAPACITY_BUILDING["gain"])
    lag_years: float | None = param_field(CAPACITY_BUILDING["lag_years"])
    learning_years: float | None = param_field(CAPACITY_BUILDING["learning_years"])
    cost_per_year: float | None = param_field(CAPACITY_BUILDING["cost_per_year"])

    @model_validator(mode="after")
    def _no_phase_in(self) -> CapacityBuilding:
        if self.phase_in:
            raise ValueError("capacity_building takes no phase_in: its timing is lag_years and learning_years")
        return self

    def intensity(self, year: float, start_default: float) -> float:
        """0 until the lag has passed, then ``1 - exp(-t / learning_years)``; 0 again from the end year."""
        start = start_default if self.start_year is None else self.start_year
        if self.end_year is not None and year >= self.end_year:
            return 0.0
        learnt = year - start - self.lag_years
        return 0.0 if learnt < 0 else -math.expm1(-learnt / self.learning_years)

    def setup(self, model: SEZModel) -> list[Effect]:
        zones = self.target_zones(model)
        now = model.levers.baseline["zone_management"][zones]
        return [Effect("zone_management", zones, "move", now + self.gain * (1.0 - now))]


class InvestmentPromotion(ZoneProgramme):
    """Promotion of listed zones to investors: more of them consider the zones, which become known faster."""

    sections: ClassVar[tuple[str, ...]] = ("investment_promotion",)
    type: Literal["investment_promotion"] = "investment_promotion"
    uplift: float | None = param_field(INVESTMENT_PROMOTION["uplift"])
    cost_per_year: float | None = param_field(INVESTMENT_PROMOTION["cost_per_year"])

    def setup(self, model: SEZModel) -> list[Effect]:
        return [Effect("zone_promotion", self.target_zones(model), "move", self.uplift)]


class ZoneCredibility(ZoneProgramme):
    """Make the listed zones credible to investors: the share ``credibility`` of their track record counts as shown."""

    sections: ClassVar[tuple[str, ...]] = ("zone_credibility",)
    type: Literal["zone_credibility"] = "zone_credibility"
    credibility: float | None = param_field(ZONE_CREDIBILITY["credibility"])
    cost_per_year: float | None = param_field(ZONE_CREDIBILITY["cost_per_year"])

    def setup(self, model: SEZModel) -> list[Effect]:
        return [Effect("zone_credibility", self.target_zones(model), "move", self.credibility)]
