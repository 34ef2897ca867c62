"""What every policy instrument shares: a schedule, registry-backed parameters, and the check/setup protocol.

An instrument is a pydantic model (scenario files validate it, ``sez-sim schema`` documents it). The model calls
``check(geography)`` and ``check_zones(geography, zones)`` (resolve names of places and of the zones that exist
before it; raise a clear error if one is unknown), then ``resolved(params)`` (fill the fields left to the policy
defaults) and ``setup(model)`` once, which may add zones and returns the instrument's
**effects** on the model's levers (:mod:`sez_sim.levers`). From then on the instrument only has an *intensity* in
[0, 1] at each step: 0 before ``start_year``, rising linearly over ``phase_in`` years, 1 once phased in, and 0
again from ``end_year``. The model puts the effects in force at that intensity, relative to the levers'
baselines; an instrument never writes the model's state or parameters itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field, model_validator

from sez_sim.economy.presets import CHANNELS, PRESET_CHANNELS
from sez_sim.errors import Problem, ScenarioError, UserError
from sez_sim.params import Param
from sez_sim.yamlio import Strict

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sez_sim.geography import Geography
    from sez_sim.levers import Effect
    from sez_sim.model import SEZModel

PHASE_IN_LIMIT = 100.0
"""Longest phase-in of an instrument, in years."""

FREENESS_GIVEN = (
    "this geography gives the freeness of trade between its regions directly, so no link or crossing cost enters "
    "it; change geography.synthetic.freeness instead"
)
"""Why a link or crossing instrument cannot act on two regions (``Geography.freeness_override``)."""

REGISTRY_KEY = "registry"
"""Key of a field's ``json_schema_extra`` naming the registry parameter it defaults to."""


def param_field(
    param: Param, *, required: bool = False, optional: bool = False, description: str | None = None, **extra: Any
) -> Any:
    """A pydantic field with the bounds, unit and description of the registry entry ``param``.

    Args:
        param: the registry entry.
        required: the field has no default (its bounds still come from the registry).
        optional: the field defaults to None, meaning "not given" (the instrument decides what that means).
        description: what the field means for this instrument (default: the parameter's description).
        extra: more ``Field`` arguments.

    Returns:
        A required field, an optional one, or by default one that defaults to None meaning "the policy default",
        which :meth:`Instrument.resolved` replaces with the scenario's value of ``param`` (its registry default
        unless ``policy_defaults`` sets it). Per-country parameters are resolved by the instrument for its host.
    """
    lo, hi = param.bounds
    text = f"{description or param.description} [{param.unit}]"
    if required:
        return Field(ge=lo, le=hi, description=text, **extra)
    if optional:
        return Field(default=None, ge=lo, le=hi, description=text, **extra)
    default = ", ".join(f"{k}: {v:g}" for k, v in param.default.items()) if param.per else f"{param.default}"
    return Field(
        default=None,
        ge=lo,
        le=hi,
        description=f"{text} (default: {param.key} = {default})",
        json_schema_extra={REGISTRY_KEY: param.key},
        **extra,
    )


@dataclass(frozen=True)
class Places:
    """Where an instrument acts: what a map marks, and the provinces the workshop app calls targeted.

    Provinces are node ids, links rows of the link table, crossings rows of the crossing table.

    Attributes:
        zones: the hosts of the zones it opens.
        served: the hosts of the zones a programme serves.
        provinces: provinces with a measure of their own (an OSSC, a regional tax rate or minimum wage).
        ports: provinces where it opens a port or changes a port's sea leg.
        links: the links it upgrades.
        crossings: the crossings it makes cheaper (border facilitation, a CBEZ's joint customs).
        countries: the countries it covers whole (an OSSC roll-out, a tax, a minimum wage).
        border: the two countries between which it changes the barrier to migration.
    """

    zones: tuple[int, ...] = ()
    served: tuple[int, ...] = ()
    provinces: tuple[int, ...] = ()
    ports: tuple[int, ...] = ()
    links: tuple[int, ...] = ()
    crossings: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    border: tuple[str, ...] = ()

    def targeted(self, geo: Geography) -> list[int]:
        """The provinces it aims at, sorted.

        Its places' provinces, the ends of its links and crossings, and every province of the countries it covers
        (not of a border's two countries: a border is not a place).
        """
        ends = [
            table[["ia", "ib"]].to_numpy(int)[list(rows)].ravel()
            for table, rows in ((geo.links, self.links), (geo.crossings, self.crossings))
        ]
        country = geo.provinces["country"].to_numpy()
        whole = np.flatnonzero(np.isin(country, list(self.countries)))
        out = {*self.zones, *self.served, *self.provinces, *self.ports, *np.concatenate([*ends, whole]).tolist()}
        return sorted(int(i) for i in out)


class Instrument(Strict):
    """Base of all policy instruments: the schedule and the check/setup protocol.

    Attributes:
        sections: registry sections whose values (``policy_defaults.<section>``) are this instrument's defaults.
        channel: what of the model it acts through when a preset may lack it (``presets.CHANNELS``); None for
            trade costs and profits, which every preset has.
    """

    sections: ClassVar[tuple[str, ...]] = ()
    channel: ClassVar[str | None] = None

    label: str | None = Field(default=None, description="A name for this instrument (kept in the manifest).")
    start_year: float | None = Field(
        default=None, description="Year the instrument takes effect (default: the run's start year)."
    )
    end_year: float | None = Field(default=None, description="Year the instrument stops (default: never).")
    phase_in: float | None = Field(
        default=0.0, ge=0.0, le=PHASE_IN_LIMIT, description="Years over which the effect ramps up."
    )

    @model_validator(mode="after")
    def _schedule(self) -> Instrument:
        if self.start_year is not None and self.end_year is not None and self.end_year <= self.start_year:
            raise ValueError(f"end_year ({self.end_year:g}) must be after start_year ({self.start_year:g})")
        return self

    @classmethod
    def tag(cls) -> str:
        """The ``type`` that selects this instrument in a scenario file."""
        return cls.model_fields["type"].default

    def intensity(self, year: float, start_default: float) -> float:
        """Share of the full effect in force at ``year`` (the start of the current step)."""
        start = start_default if self.start_year is None else self.start_year
        if year < start or (self.end_year is not None and year >= self.end_year):
            return 0.0
        if not self.phase_in:
            return 1.0
        return min(1.0, (year - start) / self.phase_in + 1e-12)

    def needs(self) -> dict[str, str]:
        """The channels it acts through, each with what of it acts there (for :meth:`idle`)."""
        return {self.channel: f"this {self.tag()}"} if self.channel else {}

    def idle(self, preset: str) -> str | None:
        """Why it could never act in ``preset`` (an error), or None.

        Asked before its fields are resolved: a default filled in is not a choice made.
        """
        for channel, what in self.needs().items():
            if channel not in PRESET_CHANNELS[preset]:
                return f"the {preset} preset has no {CHANNELS[channel]}, so {what} would change nothing"
        return None

    def inert(self, economy: Mapping[str, Any], geo: Geography) -> str | None:
        """Why it changes nothing at these ``economy.*`` parameters on ``geo``, or None.

        A warning, not an error: a sweep's end point may mean it.
        """
        return None

    def resolved(self, params: dict[str, dict[str, Any]]) -> Instrument:
        """A copy with every field left to the policy default set from ``params`` (scalar parameters only)."""
        update = {}
        for name, info in type(self).model_fields.items():
            extra = info.json_schema_extra
            key = extra.get(REGISTRY_KEY) if isinstance(extra, dict) else None
            if key is None or getattr(self, name) is not None:
                continue
            section, param = key.split(".")
            value = params[section][param]
            if not isinstance(value, dict):
                update[name] = value
        return self.model_copy(update=update, deep=True)

    @staticmethod
    def lookup(field: str, resolve: Callable[[Any], Any], value: Any) -> Any:
        """Resolve ``value`` with ``resolve``; a failure names this instrument's ``field``."""
        try:
            return resolve(value)
        except UserError as exc:
            raise ScenarioError([Problem("", field, p.message) for p in exc.problems]) from None

    @staticmethod
    def error(field: str, message: str) -> ScenarioError:
        """An error about this instrument's ``field``."""
        return ScenarioError([Problem("", field, message)])

    @classmethod
    def country_index(cls, field: str, code: str, known: list[str]) -> int:
        """The index of a country code; an unknown code names ``field`` and lists the known codes."""
        if code not in known:
            raise cls.error(field, f"unknown country {code!r} (this geography has {', '.join(known)})")
        return known.index(code)

    def check_places(self, geo: Geography, provinces: list[str], countries: list[str]) -> None:
        """Resolve lists of provinces and countries (``provinces[k]``, ``countries[k]`` name an unknown one)."""
        for k, province in enumerate(provinces):
            self.lookup(f"provinces[{k}]", geo.index_of, province)
        for k, code in enumerate(countries):
            self.country_index(f"countries[{k}]", code, geo.country_names())

    def identity(self, geo: Geography) -> str:
        """What makes two instruments the same: type, parameters, schedule and places; the label does not count.

        Places are resolved: a province named by id or by name, a crossing in either order, a list in any order.
        """

        def place(value: Any) -> Any:
            if isinstance(value, str):
                for kind, find in (("province", geo.find_province), ("crossing", geo.find_crossing)):
                    found = find(value)
                    if found is not None:
                        return f"{kind}:{found}"
                return value
            if isinstance(value, list | tuple):
                return sorted((place(v) for v in value), key=repr)
            return value

        return repr(sorted((k, place(v)) for k, v in self.model_dump(exclude={"label"}).items()))

    def zones_added(self, geo: Geography) -> dict[str, int]:
        """The zones this instrument adds: name -> host province."""
        return {}

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        """Where this instrument acts, given the ``zones`` (name -> host) that exist before it.

        By default the hosts of the zones it adds; an instrument acting elsewhere says where.
        """
        return Places(zones=tuple(sorted(set(self.zones_added(geo).values()))))

    def spending(self, year: float, start_default: float) -> tuple[np.ndarray, float]:
        """The zones whose programme this instrument pays for in ``year``, and the cost per zone (US$ m a year)."""
        return np.zeros(0, np.int64), 0.0

    # The model calls these, in this order.
    def check(self, geo: Geography) -> None:
        """Resolve the provinces, crossings, corridors and countries this instrument names (raise if unknown)."""

    def check_zones(self, geo: Geography, zones: dict[str, int], dataset_zones: bool) -> None:
        """Resolve the zones this instrument names among ``zones`` (name -> host), those that exist before it.

        ``dataset_zones`` says whether the run started with the dataset's operating zones (errors say why a zone the
        dataset lists is missing).
        """

    def setup(self, model: SEZModel) -> list[Effect]:
        """Resolve references against the model, add any zones, and return the effects at full intensity."""
        raise NotImplementedError


class Regional(Instrument):
    """An instrument on a lever held per province, for a whole country, for listed provinces, or both.

    Governments in the region set such rates by place as well as by country: China's Western Development policy
    taxes encouraged industries at 15% in its western provinces, Thailand's Board of Investment grants longer tax
    holidays in its twenty lowest-income provinces, and Viet Nam's minimum wage differs among four regions.
    """

    country: str | None = Field(default=None, description="Country code, e.g. LAO: every province of it.")
    provinces: list[str] = Field(
        default_factory=list, description="Provinces (ids or exact names), with the country's or without."
    )

    @model_validator(mode="after")
    def _where(self) -> Regional:
        if self.country is None and not self.provinces:
            raise ValueError("give country, provinces or both")
        return self

    def check(self, geo: Geography) -> None:
        if self.country is not None:
            self.country_index("country", self.country, geo.country_names())
        self.check_places(geo, self.provinces, [])

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        provinces = tuple(sorted({geo.index_of(p) for p in self.provinces}))
        return Places(provinces=provinces, countries=() if self.country is None else (self.country,))

    def rows(self, geo: Geography) -> np.ndarray:
        """The provinces whose rate it sets: the country's and the listed ones."""
        return np.asarray(self.places(geo, {}).targeted(geo), dtype=np.int64)
