"""Economic zones as model state: the zone table the firms see, the standard incentive package, the dataset's zones.

A zone is a location alternative inside its host province with its own incentives: a profit-tax holiday and a
reduced rate after it, a productivity bonus for duty-free inputs, zone infrastructure (lower fixed cost), in-zone
customs (better access to ports and the world), its own approval time and red tape (an OSSC inside), and a
capacity in firm slots that grows over the build-out years. Capacity is given in jobs and converted to firm slots
with the host province's mean firm size at t = 0. A full zone admits no one. The twin zones of a CBEZ also name
the partner province whose residents may commute into their jobs.

**Management.** Rules are what a zone promises; its management capacity ``m`` in [0, 1] decides how much of it
investors get (Farole 2011: utilities and actual customs clearance times, not incentives, go with zone exports and
jobs). With the effects of :class:`Management`:

- approval time and red tape inside the zone are ``1 + delay (1 - m)`` times what its rules (its OSSC, or the
  host's) promise;
- unreliable utilities cost its firms the productivity share ``outage_loss (1 - m)``;
- the zone becomes known to investors at the rate ``awareness_rate * m`` a year: its **awareness** ``a``, the share
  of potential entrants who consider it, follows ``da/dt = awareness_rate m (1 + p) (1 - a)`` while it is active.

A promotion programme (``p`` > 0) brings the zone before more investors: ``(1 + p) a`` of the potential entrants'
stream consider it, and it becomes known faster. A zone's weight in its province's nest of the entry choice is its
consideration ``(1 + p) a`` (:attr:`ZoneTable.consideration`). The zones of ``zones.csv`` are known (``a = 1``);
a new zone starts unknown. The twins of a CBEZ with a joint committee both work at the better side's management.

**Track record.** Investors charge an untried zone the **newcomer cost** ``c`` (utility, for everything its package
promises that it has not shown yet: tenants, working utilities, a customs post that clears) times the share of its
track record still missing: a zone's option is worth ``c (1 - r)`` less, ``r`` being the largest share of its
planned slots its firms have filled (:attr:`ZoneTable.unproven`), or the share a credibility programme vouches
for (a reputed developer, an anchor investor's commitment, a state guarantee), whichever is larger. The dataset's
zones operate full (``r = 1``); a new zone starts at ``r = 0``, so its first tenants make it easier to fill (the
anchor-tenant effect: Manhattan SEZ had 3 factories after five years, about 15 after eight, later 36,000 workers),
and a zone that attracts none stays empty. ``c`` is calibrated when the model is built
(:func:`sez_sim.build.calibrate_newcomer_cost`): a standard new zone, known to all and empty, raises its host's
foreign entrants by ``sez.fdi_uplift`` on average (Wang 2013: +58% FDI per capita in municipalities with an SEZ).
Without it the package alone would make a new zone worth so much more than its province outside it that every zone
filled as fast as it was built.

The zones of ``zones.csv`` that operate by the start year are part of the baseline (:func:`dataset_zones`); the
SEZ and CBEZ policy instruments (:mod:`sez_sim.policies.zones`) add zones of their own. The ``sez`` registry
section declared here is the standard package both use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from sez_sim.geography import Geography
from sez_sim.params import Param, declare, per_country

SEZ = declare(
    "sez",
    Param(
        name="capacity_jobs",
        default=20000.0,
        unit="jobs",
        bounds=(0.0, 2_000_000.0),
        description="Jobs the zone can hold when fully built (converted to firm slots with the host's mean firm size).",
        source="Author's assumption: large GMS zones employ 10,000-30,000 (Phnom Penh SEZ, Savan-Seno, Thilawa).",
        kind="lever",
    ),
    Param(
        name="buildout_years",
        default=5.0,
        unit="years",
        bounds=(0.0, 50.0),
        description="Years over which capacity grows linearly to its full size (the SEZ's default phase-in).",
        source="Author's assumption; GMS zones are built in phases over several years.",
        kind="lever",
        construction=None,
    ),
    Param(
        name="tax_holiday_years",
        default={"THA": 8.0, "VNM": 4.0, "KHM": 6.0, "LAO": 10.0, "MMR": 7.0, "CHN": 5.0, "*": 5.0},
        unit="years",
        bounds=(0.0, 50.0),
        description="Profit-tax holiday of a zone firm after it starts producing, by host country.",
        source="Zone and investment laws around 2019 (author's knowledge, not re-read): Thai BOI up to 8 years; Viet "
        "Nam 4 years exemption; Cambodia QIP 3-9 years; Lao SEZ up to 10; Myanmar SEZ law 7.",
        kind="lever",
        per="country",
    ),
    Param(
        name="holiday_rate",
        default=0.0,
        unit="share of profit",
        bounds=(0.0, 0.9),
        description="Profit-tax rate during the holiday.",
        source="Zone laws grant full exemption during the holiday.",
        kind="lever",
    ),
    Param(
        name="tax_rate_after",
        default={"VNM": 0.10, "THA": 0.10, "*": 0.10},
        unit="share of profit",
        bounds=(0.0, 0.9),
        description="Profit-tax rate of zone firms after the holiday, by host country.",
        source="Reduced zone rates (Viet Nam economic zones 10%; Thai BOI 50% reduction after the exemption); author's "
        "assumption elsewhere.",
        kind="lever",
        per="country",
    ),
    Param(
        name="duty_bonus",
        default=0.05,
        unit="productivity share",
        bounds=(0.0, 0.5),
        description="Productivity bonus of zone firms from duty-free imported inputs (b = 1 + bonus).",
        source="Author's assumption: duties on intermediate inputs of 5-10% on a share of costs. The bound keeps "
        "the dataset's operating zones (which have the standard package) in a steady state the entry calibration "
        "can find: at 0.8 there is none on the GMS data (xi and the zones' queue costs climb together without bound: "
        "nearly every potential investor could profit only inside a zone), 0.7 calibrated in three seeds of three; "
        "with another parameter at its bound the edge is lower (0.6 fails with firms.foreign_share 0, and with an "
        "access of 3; 0.5 calibrates with foreign_share 0 or 1, zone_choice_scale 0.01 or entry_logit_scale 8).",
        kind="lever",
    ),
    Param(
        name="infrastructure_factor",
        default=0.7,
        unit="multiplier",
        bounds=(0.05, 1.0),
        description="Fixed labour of a zone firm relative to outside (serviced land, utilities, security).",
        source="Author's assumption.",
        kind="lever",
    ),
    Param(
        name="construction_cost_per_job",
        default=5000.0,
        unit="US$ per job of capacity",
        bounds=(0.0, 100_000.0),
        description="Public cost of building a zone (land, roads, utilities, buildings), per job of capacity added; "
        "spent as capacity grows.",
        source="Savan-Seno (Lao PDR): about US$ 24 m of infrastructure on 234 ha for 4,681 jobs (US$ 5,100 a job); "
        "Phnom Penh SEZ: US$ 92 m at founding for 21,717 jobs in 2019 (US$ 4,200); docs/policies.md.",
        kind="uncertainty",
        construction=None,
    ),
    Param(
        name="operation_cost_share",
        default=0.03,
        unit="share of construction cost a year",
        bounds=(0.0, 0.5),
        description="Public cost of running an active zone (zone authority, one-stop service, maintenance) a year, "
        "as a share of what its capacity cost to build.",
        source="Author's assumption: maintenance of public infrastructure at 2-4% of its cost a year.",
        kind="uncertainty",
        construction=None,
    ),
    Param(
        name="social_discount_rate",
        default=0.09,
        unit="per year",
        bounds=(0.0, 0.3),
        description="Discount rate of the public ledger's net present value (GDP gain less public cost).",
        source="ADB, Guidelines for the Economic Analysis of Projects (2017): 9% a year in real terms (6% for "
        "social-sector and poverty-targeted projects).",
        kind="setting",
        construction=None,
    ),
    Param(
        name="customs_access",
        default=1.3,
        unit="multiplier",
        bounds=(1.0, 10.0),
        description="Freeness to the world of a zone firm relative to its province (in-zone customs clearance).",
        source="Author's assumption: on-site customs cut a day or more from port clearance.",
        kind="lever",
    ),
    Param(
        name="management",
        default={"THA": 0.65, "VNM": 0.55, "CHN": 0.7, "KHM": 0.2, "LAO": 0.2, "MMR": 0.1, "*": 0.5},
        unit="index 0-1",
        bounds=(0.0, 1.0),
        description="Management capacity of a zone authority (approval time and red tape inside the zone, "
        "reliability of utilities, how fast investors get to know the zone), by host country.",
        source="World Bank, Worldwide Governance Indicators: Government Effectiveness, percentile rank around 2019 / "
        "100, rounded to 0.05 (approximate, author's reading, not re-verified). Farole (2011, ch. 4): zone "
        "performance follows implementation more than incentives (docs/policies.md).",
        kind="uncertainty",
        per="country",
    ),
    Param(
        name="management_delay",
        default=1.0,
        unit="multiplier",
        bounds=(0.0, 10.0),
        description="Approval time and red tape inside a zone with management 0 are (1 + this) times what its rules "
        "promise (1 at management 1, in proportion between).",
        source="Author's assumption; Farole (2011, ch. 4): actual customs clearance time, not the stated one, goes "
        "with zone investment, exports and jobs.",
        kind="uncertainty",
    ),
    Param(
        name="outage_loss",
        default=0.05,
        unit="productivity share",
        bounds=(0.0, 0.5),
        description="Productivity a zone firm loses to unreliable power, water and services at management 0 (none at "
        "management 1, in proportion between).",
        source="Author's assumption: World Bank Enterprise Surveys report sales lost to power outages of a few per "
        "cent in the GMS's lower-income economies (not re-verified); Farole (2011): poor utilities are highly "
        "correlated with lower zone exports and jobs.",
        kind="uncertainty",
    ),
    Param(
        name="awareness_rate",
        default=0.5,
        unit="per year",
        bounds=(0.0, 20.0),
        description="Rate at which a new, active zone becomes known to potential investors, at management 1 "
        "(times the management capacity).",
        source="Author's assumption: a well-run zone is known to half the investors within about 1.4 years, a zone at "
        "management 0.2 within 7 (Savan-Seno saw 'little progress' for years; Manhattan SEZ took 5-8 years to reach "
        "15 factories; docs/policies.md).",
        kind="uncertainty",
    ),
    Param(
        name="fdi_uplift",
        default=0.58,
        unit="relative change",
        bounds=(0.05, 5.0),
        description="How much a new standard zone with the default package, known to all and still empty, raises "
        "its host's foreign entrants on average across the region's provinces (sets the newcomer cost investors "
        "charge an untried zone; a zone with a better or worse package draws more or fewer).",
        source="Wang (2013, J. Dev. Econ. 101; the 2009 working paper's estimate): municipalities with an SEZ have "
        "58% more FDI per capita; ADB (2015, Asian Economic Integration Report): SEZs go with 82% more FDI in "
        "developing Asia. Frick, Rodriguez-Pose & Wong (2019): incentives are not structurally correlated with zone "
        "performance (docs/policies.md).",
        kind="uncertainty",
        construction="setup",
    ),
)


@dataclass(frozen=True)
class Management:
    """How management capacity acts in a zone (the ``sez`` parameters of the same names; module docstring).

    The defaults (no effects) leave zones as their rules say: textbook models and tables built by hand.
    """

    delay: float = 0.0
    outage_loss: float = 0.0
    awareness_rate: float = 0.0

    @classmethod
    def of(cls, sez: dict[str, Any]) -> Management:
        """The effects of the ``sez`` parameter section."""
        return cls(sez["management_delay"], sez["outage_loss"], sez["awareness_rate"])


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
        commuter_home: the province whose residents may commute into the zone's jobs (-1: none; CBEZ twins).
        jobs_per_slot: jobs (workers) a firm slot stands for, the host's mean firm size when the zone was added:
            ``capacity * jobs_per_slot`` is the capacity in jobs.
        active: whether the zone admits and supports firms.
        management: the zone authority's own management capacity in [0, 1].
        committee: the twin zone whose management this one shares (a CBEZ's joint committee; -1: none).
        awareness: share of potential entrants who know the zone, in [0, 1].
        promotion: extra investors a promotion programme brings, relative to those who know the zone.
        planned: the firm slots the zone is being built to (its track record is measured against them).
        record: the zone's track record, the largest share of its planned slots its firms have filled, in [0, 1]
            (1 for the dataset's zones, which operate full).
        credibility: the share of its track record investors take as shown whatever its firms have shown (a
            credibility programme, :mod:`sez_sim.policies.programmes`; 0 otherwise).
        learns: whether the zone's firms learn over their first years (zones opened by policies, under the learning
            mechanism; the dataset's zones are calibrated as they operate, learning included).

    Besides the arrays, ``name``, ``kind`` (SEZ, CBEZ, or the dataset's kind) and ``origin`` (``dataset``: a zone
    of zones.csv operating at the start; ``policy``: opened by an instrument) are lists over zones; ``effects``
    says how management acts (:class:`Management`) and ``newcomer_cost`` what an untried zone costs investors
    (module docstring).
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
        "commuter_home": (np.int64, -1),
        "jobs_per_slot": (np.float64, np.nan),
        "active": (np.bool_, False),
        "management": (np.float64, 1.0),
        "committee": (np.int64, -1),
        "awareness": (np.float64, 1.0),
        "promotion": (np.float64, 0.0),
        "planned": (np.float64, 0.0),
        "record": (np.float64, 1.0),
        "credibility": (np.float64, 0.0),
        "learns": (np.bool_, False),
    }

    def __init__(self, effects: Management | None = None) -> None:
        self.effects = effects or Management()
        self.newcomer_cost = 0.0
        self.name: list[str] = []
        self.kind: list[str] = []
        self.origin: list[str] = []
        for attr, (dtype, _) in self.DEFAULTS.items():
            setattr(self, attr, np.zeros(0, dtype=dtype))

    def __len__(self) -> int:
        return len(self.name)

    def add(self, name: str, kind: str = "SEZ", origin: str = "policy", **values: Any) -> int:
        """Append a zone; attributes not given take their defaults (inactive, no incentives). Returns its index."""
        self.extend([name], kind, origin, **values)
        return len(self.name) - 1

    def extend(self, names: list[str], kind: str = "SEZ", origin: str = "policy", **values: Any) -> None:
        """Append a zone for each of ``names`` (as :meth:`add`); an attribute is one value for all or one for each."""
        unknown = set(values) - set(self.DEFAULTS)
        if unknown:
            raise KeyError(f"unknown zone attribute(s) {sorted(unknown)}")
        # Every column is formed before any is changed: a value that does not fit leaves the table as it was.
        added = {
            attr: np.broadcast_to(np.asarray(values.get(attr, default), dtype=dtype), (len(names),))
            for attr, (dtype, default) in self.DEFAULTS.items()
        }
        for attr, column in added.items():
            setattr(self, attr, np.concatenate([getattr(self, attr), column]))
        self.name += names
        self.kind += [kind] * len(names)
        self.origin += [origin] * len(names)

    def hosts(self) -> dict[str, int]:
        """Each zone's host province, by zone name."""
        return dict(zip(self.name, self.province.tolist(), strict=True))

    @property
    def capacity_jobs(self) -> np.ndarray:
        """Capacity in jobs (workers) now."""
        return self.capacity * self.jobs_per_slot

    @property
    def managed(self) -> np.ndarray:
        """The management capacity each zone works at: its own, or its joint committee's better side."""
        partner = np.maximum(self.committee, 0)
        return np.where(self.committee >= 0, np.maximum(self.management, self.management[partner]), self.management)

    @property
    def delay(self) -> np.ndarray:
        """Approval time and red tape inside each zone relative to what its rules promise."""
        return 1.0 + self.effects.delay * (1.0 - self.managed)

    @property
    def productivity(self) -> np.ndarray:
        """Productivity factor of each zone's firms: the duty bonus, less what unreliable utilities cost."""
        return self.productivity_bonus * (1.0 - self.effects.outage_loss * (1.0 - self.managed))

    @property
    def consideration(self) -> np.ndarray:
        """Potential entrants who consider each zone, relative to a province's options: ``(1 + p) a``."""
        return (1.0 + self.promotion) * self.awareness

    @property
    def unproven(self) -> np.ndarray:
        """Utility investors deduct from each zone for what its track record has not shown yet (or been vouched for)."""
        return self.newcomer_cost * (1.0 - np.maximum(self.record, self.credibility))

    def prove(self, occupancy: np.ndarray) -> None:
        """Raise each zone's track record to the share of its planned slots that ``occupancy`` firms fill."""
        filled = np.divide(occupancy, self.planned, out=np.ones(len(self)), where=self.planned > 0)
        self.record = np.maximum(self.record, np.minimum(filled, 1.0))

    def become_known(self, years: float) -> None:
        """Active zones become better known to investors over ``years`` (exactly, for constant rates)."""
        rate = self.effects.awareness_rate * self.managed * (1.0 + self.promotion)
        unknown = (1.0 - self.awareness) * np.exp(-rate * years)
        self.awareness = np.where(self.active, 1.0 - unknown, self.awareness)


def incentives(
    params: Mapping[str, Any], country: str, *, holiday: float | None = None, after: float | None = None
) -> dict[str, Any]:
    """The standard zone package of a host country: incentives and the country's management capacity.

    Returns ZoneTable attributes (without capacity and activity).

    Args:
        params: the ``sez`` parameter section.
        country: the host country's code.
        holiday: the tax holiday in years (default: the country's ``sez.tax_holiday_years``).
        after: the tax rate after the holiday (default: the country's ``sez.tax_rate_after``).
    """
    return {
        "productivity_bonus": 1.0 + params["duty_bonus"],
        "world_access": params["customs_access"],
        "fixed_cost_factor": params["infrastructure_factor"],
        "holiday_years": per_country(params["tax_holiday_years"], [country])[0] if holiday is None else holiday,
        "holiday_rate": params["holiday_rate"],
        "after_rate": per_country(params["tax_rate_after"], [country])[0] if after is None else after,
        "management": per_country(params["management"], [country])[0],
    }


def with_ossc(attrs: dict[str, Any], ossc: Mapping[str, Any], red_tape: float) -> dict[str, Any]:
    """A zone's attributes with a one-stop service centre inside: its approval time, and its cut of ``red_tape``.

    Args:
        attrs: the zone's attributes.
        ossc: the ``ossc`` parameter section.
        red_tape: the host province's red tape at baseline.
    """
    return attrs | {"approval_days": ossc["approval_days"], "red_tape_years": red_tape * ossc["red_tape_factor"]}


def jobs_per_slot(jobs_per_firm: float, employment_rate: float) -> float:
    """Jobs (workers) in a firm slot of a host whose mean firm employs ``jobs_per_firm`` persons."""
    return max(jobs_per_firm, 1e-9) * employment_rate


def slots(jobs: float, jobs_per_firm: float, employment_rate: float) -> float:
    """Firm slots holding ``jobs`` jobs (workers) at a mean firm size of ``jobs_per_firm`` persons (at least one).

    Labour in the model is counted in persons (a worker supports 1 / employment_rate people).
    """
    return max(1.0, jobs / jobs_per_slot(jobs_per_firm, employment_rate))


@dataclass(frozen=True)
class DatasetZone:
    """A zone of ``zones.csv`` that operates at the start of a run: where it is and its standard package."""

    name: str
    kind: str
    province: int
    incentives: dict[str, Any]


def operating_zones(geo: Geography, start_year: float) -> dict[str, int]:
    """The dataset's zones with status 'operating' established by ``start_year``: name -> host province."""
    zones = geo.zones
    if not len(zones):
        return {}
    year = zones["year_established"].fillna(0).astype(int)
    rows = zones[(zones["status"] == "operating").to_numpy() & (year <= start_year).to_numpy()]
    return dict(zip(rows["name"].astype(str), rows["province"].astype(int), strict=True))


def dataset_zones(geo: Geography, params: dict[str, Any], start_year: int) -> list[DatasetZone]:
    """The zones of the dataset with status 'operating' established by ``start_year``, with their host's package.

    Args:
        geo: the geography (its ``zones`` table).
        params: the ``sez`` parameter section.
        start_year: the run's start year.
    """
    out = []
    kinds = (
        dict(zip(geo.zones["name"].astype(str), geo.zones["kind"].astype(str), strict=True)) if len(geo.zones) else {}
    )
    for name, province in operating_zones(geo, start_year).items():
        country = geo.provinces["country"].iat[province]
        out.append(DatasetZone(name, kinds[name], province, incentives(params, country)))
    return out
