"""Scenario files: the pydantic v2 schema; reading, ``extends`` and overrides are :mod:`sez_sim.yamlio`'s.

A scenario is a YAML mapping with the sections ``name``, ``description``, ``extends``, ``geography``, ``economy``,
``mechanisms``, ``agents``, ``policy_defaults``, ``initial``, ``policies``, ``run`` and ``outputs``. Unknown keys are
rejected. Parameters default to the registry (``sez-sim params``). Every user mistake becomes a
:class:`~sez_sim.errors.ScenarioError` listing each problem as ``file: yaml.path: what is wrong (what is allowed)``.

>>> from sez_sim.scenario import load_scenario
>>> scenario = load_scenario("scenarios/gms_baseline.yaml", overrides=["run.years=5"])  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, PrivateAttr, create_model, field_validator, model_validator

from sez_sim import yamlio
from sez_sim.agents.workers import MOVERS_SHARE
from sez_sim.economy.mechanisms import Mechanisms
from sez_sim.errors import DataError, Problem, RuleError, ScenarioError, UserError
from sez_sim.io import check_path
from sez_sim.params import Param, defaults, layered, registry
from sez_sim.policies import MODEL_SECTIONS, POLICY_SECTIONS, Policy
from sez_sim.policies.base import Places
from sez_sim.yamlio import Strict, aliased, deep_merge, dotted, parse_overrides
from sez_sim.zones import operating_zones

MIN_SIZE_TAIL = 1.5
"""Smallest Pareto shape of firm sizes, ``pareto_shape / (sigma - 1)``: plant-level estimates are 1.1-2 and firm
agents aggregate plants; below 1.5 the largest of a province's few dozen agents dominates it and entry calibration
fails (measured on a synthetic geography at 1.22)."""

MAX_TRADE_DECAY = 0.01
"""Largest ``(sigma - 1) * kappa`` per km, the rate at which trade falls with distance. The GMS calibration
converges at 0.008 (the bounds of either with the other at its default) and failed from 0.017."""

MAX_MODERN_REVENUE = 0.95
"""Largest modern revenue as a share of income, ``mu / (1 - trade_balance)``: the GMS calibration converges at
0.947 (``mu`` at its bound) and failed at 0.973 on a synthetic geography."""

DECAY_KM = 500.0
"""The distance at which the message states what the decay means."""


def sha256(data: Any) -> str:
    """SHA-256 of plain data as canonical JSON (sorted keys; what JSON cannot hold, as text)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def folder_name(value: str) -> str:
    """Check the name of a scenario or experiment: it names a folder under results/.

    Letters, digits, ``_ . -`` only, and not only dots (``..`` would escape results/).
    """
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", value) or not value.strip("."):
        raise ValueError(f"{value!r} cannot name a folder: use letters, digits, _ . - (and not only dots)")
    return value


def _section_model(name: str, section: str, doc: str) -> type[BaseModel]:
    """A pydantic model with one optional field per registry parameter of ``section``."""
    fields: dict[str, Any] = {}
    for p in registry().values():
        if p.section != section:
            continue
        desc = f"{p.description} [{p.unit}; default {p.default}; {p.kind}]"
        if p.per:
            fields[p.name] = (dict[str, float] | None, Field(default=None, description=desc))
        elif p.integer:
            fields[p.name] = (int | None, Field(default=None, ge=p.bounds[0], le=p.bounds[1], description=desc))
        else:
            fields[p.name] = (float | None, Field(default=None, ge=p.bounds[0], le=p.bounds[1], description=desc))

    def mappings(values: BaseModel) -> BaseModel:
        """Per-country and per-pair values within their parameter's bounds."""
        reg = registry()
        for key, value in values.model_dump(exclude_none=True).items():
            param = reg.get(f"{section}.{key}")
            if param and param.per and (problems := param.check(value)):
                raise ValueError(f"{key}: {'; '.join(problems)}")
        return values

    validators = {"_mappings": model_validator(mode="after")(mappings)}
    return create_model(name, __base__=Strict, __doc__=doc, __validators__=validators, **fields)


EconomyParams = _section_model("EconomyParams", "economy", "Economic parameters (registry section 'economy').")
FirmsParams = _section_model("FirmsParams", "firms", "Firm parameters (registry section 'firms').")
WorkersParams = _section_model("WorkersParams", "workers", "Worker parameters (registry section 'workers').")
PolicyDefaults = create_model(
    "PolicyDefaults",
    __base__=Strict,
    __doc__="Defaults of the policy instruments' parameters, per registry section.",
    **{
        s: (_section_model(f"{s.title()}Defaults", s, f"Registry section '{s}'.") | None, Field(default=None))
        for s in POLICY_SECTIONS
    },
)


RANDOM_PLANAR_N = 200
"""Provinces of a ``random_planar`` geography that gives no ``n``."""


SYNTHETIC_KEYS = {
    "two_region": ("freeness", "population_shares"),
    "line": ("n", "spacing_km"),
    "ring": ("n", "spacing_km"),
    "random_planar": ("n", "seed", "countries"),
}
"""The keys each kind of synthetic geography reads (one it does not read is refused rather than ignored)."""


class Synthetic(Strict):
    """A synthetic geography (see docs/data.md)."""

    kind: Literal["two_region", "line", "ring", "random_planar"] = Field(description="Which synthetic geography.")
    freeness: float | None = Field(default=None, gt=0, le=1, description="two_region: phi between the regions.")
    population_shares: list[float] | None = Field(
        default=None, min_length=2, max_length=2, description="two_region: the immobile population's split."
    )
    n: int | None = Field(default=None, ge=2, le=20000, description="line / ring / random_planar: number of provinces.")
    spacing_km: float | None = Field(default=None, gt=0, description="line / ring: distance between neighbours (km).")
    seed: int = Field(default=0, ge=0, description="random_planar: the network's seed.")
    countries: int = Field(default=5, ge=1, le=50, description="random_planar: number of countries.")

    @field_validator("population_shares")
    @classmethod
    def _positive(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and any(x <= 0 for x in v):
            raise ValueError("shares must be positive")
        return v

    @model_validator(mode="after")
    def _needs(self) -> Synthetic:
        from sez_sim.build import memory_estimate, memory_limit

        if self.kind == "two_region" and self.freeness is None:
            raise ValueError("two_region needs freeness (phi in (0, 1])")
        reads = SYNTHETIC_KEYS[self.kind]
        fields = type(self).model_fields
        # Differing from its default, not merely present: a resolved scenario dumps every key and is loaded again.
        if unread := [k for k in fields if k not in ("kind", *reads) and getattr(self, k) != fields[k].default]:
            raise ValueError(
                f"{unread[0]}: a {self.kind} geography does not read it (it reads {', '.join(reads)})"
                + ("; its freeness comes from its distances and economy.kappa" if unread[0] == "freeness" else "")
            )
        if self.kind == "ring" and self.n is not None and self.n < 3:
            raise ValueError(f"n: a ring needs at least 3 provinces, not {self.n}")
        if self.kind == "random_planar" and self.n is not None and self.n < 3:
            raise ValueError(f"n: random_planar needs at least 3 provinces (a triangle), not {self.n}")
        if self.kind == "random_planar" and self.countries > (self.n or RANDOM_PLANAR_N):
            raise ValueError(
                f"countries ({self.countries}) must be at most n ({self.n or RANDOM_PLANAR_N} provinces): each "
                "country has at least one province"
            )
        need, limit = memory_estimate(self.n or 0, 0), memory_limit()
        if need > limit:
            raise ValueError(
                f"n: {self.n:,} provinces need about {need / 2**30:,.1f} GiB for their distance and trade matrices; "
                f"this machine allows {limit / 2**30:.1f} GiB"
            )
        return self


class GeographySpec(Strict):
    """Where the provinces come from: the built-in GMS data, a folder of CSV files, or a synthetic geography."""

    dataset: Literal["gms"] | None = Field(default=None, description="The built-in dataset (the default).")
    folder: str | None = Field(default=None, description="A dataset folder (relative to the scenario file).")
    synthetic: Synthetic | None = Field(default=None, description="A synthetic geography.")
    existing_zones: bool = Field(
        default=True, description="Operate the dataset's zones that exist by the start year (zones.csv)."
    )

    @model_validator(mode="after")
    def _one(self) -> GeographySpec:
        given = [k for k in ("dataset", "folder", "synthetic") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give only one of dataset, folder, synthetic (got {', '.join(given)})")
        return self


class EconomySpec(EconomyParams):  # type: ignore[misc, valid-type]
    """The preset and the economic parameters (any ``economy.*`` registry entry)."""

    preset: Literal["gms", "core_periphery", "footloose_capital"] = Field(
        default="gms", description="gms (calibrated agent model), core_periphery or footloose_capital."
    )


class FirmsSpec(FirmsParams):  # type: ignore[misc, valid-type]
    """Firm parameters (any ``firms.*`` registry entry)."""


class WorkersSpec(WorkersParams):  # type: ignore[misc, valid-type]
    """Worker parameters (any ``workers.*`` registry entry)."""


class MechanismsSpec(Strict):
    """The growth mechanisms (:mod:`sez_sim.economy.mechanisms`, docs/ODD.md 7.9), switched on here.

    They are off unless switched on (``mechanisms: {labour_market: true, ...}``, or ``all: true``); the textbook
    presets have none.
    """

    all: bool = Field(default=False, description="Switch on every mechanism not switched off below.")
    labour_market: bool | None = Field(
        default=None, description="Traditional earnings above subsistence rise as workers leave the sector."
    )
    agglomeration: bool | None = Field(
        default=None, description="TFP rises with the modern employment within reach (own and neighbours')."
    )
    capital: bool | None = Field(default=None, description="TFP rises with the capital stock that investment builds.")
    learning: bool | None = Field(default=None, description="Zone firms' productivity rises over their first years.")

    def resolve(self) -> Mechanisms:
        """The switches in force: those given, the rest as ``all`` says."""
        given = self.model_dump(exclude={"all"})
        return Mechanisms(**{k: self.all if v is None else v for k, v in given.items()})


class AgentsSpec(Strict):
    """Agent resolution and sampling, plus firm and worker parameters."""

    persons_per_agent: float = Field(default=1000.0, gt=0, le=1e7, description="People per worker agent.")
    sampling: Literal["controlled", "independent"] = Field(
        default="controlled",
        description="How expected flows become whole agents: `controlled` rounds counts with a carried "
        "remainder and migration's routes to both margins, a unit that finds no room after three draws waiting a "
        "step; `independent` draws every count (docs/ODD.md 7.5).",
    )
    textbook_agents: int = Field(
        default=1000, ge=10, le=10_000_000, description="Textbook presets: mobile workers (CP) or firms (FC)."
    )
    firms: FirmsSpec = Field(default_factory=FirmsSpec)
    workers: WorkersSpec = Field(default_factory=WorkersSpec)


class InitialSpec(Strict):
    """Starting state of the textbook presets."""

    shares: list[float] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="Region 1 and 2 shares at the start: mobile workers (CP) or firms (FC).",
    )

    @field_validator("shares")
    @classmethod
    def _positive(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and (any(x < 0 for x in v) or sum(v) <= 0):
            raise ValueError("shares must be non-negative with a positive sum")
        return v


class RunSpec(Strict):
    """The calendar and the seed."""

    start_year: int = Field(default=2019, ge=1900, le=2200, description="Calendar year of step 0.")
    years: float = Field(default=20.0, gt=0, le=500, description="Years to simulate (at least one step).")
    steps_per_year: int = Field(default=4, ge=1, le=52, description="Steps per year (4 = quarters).")
    seed: int = Field(default=0, ge=0, le=2**63 - 1, description="Seed of the run's SeedSequence.")

    @model_validator(mode="after")
    def _a_step_at_least(self) -> RunSpec:
        if round(self.years * self.steps_per_year) < 1:
            raise ValueError(
                f"years: {self.years:g} years is no whole step at {self.steps_per_year} steps a year; give at least "
                f"{1 / self.steps_per_year:g}"
            )
        return self


class OutputsSpec(Strict):
    """What a run writes besides the tables and the manifest."""

    figures: bool = Field(default=True, description="Write the figures.")


def _check_calibration(
    econ: Mapping[str, Any], firms: Mapping[str, Any], workers: Mapping[str, Any], capital_share: float
) -> None:
    """Refuse parameter combinations the calibrated (``gms``) economy cannot have; each message says what to change.

    The textbook presets take neither the productivity pool, the trade balance, entry costs nor a migration target.
    ``capital_share`` is capital's share of the variable inputs' cost in force (0 without the capital mechanism).
    """
    from sez_sim.agents.location_choice import overhead_share

    tail = firms["pareto_shape"] / (econ["sigma"] - 1.0)
    if tail < MIN_SIZE_TAIL:
        raise RuleError(
            "firm-size tail",
            f"agents.firms.pareto_shape ({firms['pareto_shape']:g}) must be at least {MIN_SIZE_TAIL:g} x "
            f"(economy.sigma - 1) = {MIN_SIZE_TAIL * (econ['sigma'] - 1.0):g}: firm sizes follow a Pareto tail "
            f"of shape {tail:.3g}, so heavy that a few firm agents would carry a province (at 1 or below their "
            "mean is infinite)",
        )
    decay = (econ["sigma"] - 1.0) * econ["kappa"]
    if decay > MAX_TRADE_DECAY:
        raise RuleError(
            "trade decay",
            f"(economy.sigma - 1) x economy.kappa = {decay:.3g} per km: trade with a province "
            f"{DECAY_KM:g} km away would be {math.exp(-decay * DECAY_KM):.1%} of trade at home, so provinces would "
            f"be almost closed economies whose data cannot be reproduced; keep it at most {MAX_TRADE_DECAY:g}",
        )
    if firms["hazard"] + firms["discount_rate"] <= 0.0:
        raise RuleError(
            "no discounting",
            "agents.firms.discount_rate and agents.firms.hazard are both 0: investors who neither discount nor "
            "expect to exit value every location without limit; give one of them a positive value",
        )
    surplus = econ["trade_balance"] if econ["export_share"] > 0 else 0.0  # with no exports there is no world
    modern = econ["mu"] / (1.0 - surplus)
    if modern > MAX_MODERN_REVENUE:
        raise RuleError(
            "modern revenue",
            f"economy.mu / (1 - economy.trade_balance) = {modern:.3g}: modern revenue (spending on modern goods "
            f"plus the trade surplus) would be more than {MAX_MODERN_REVENUE:.0%} of income, leaving too little "
            "to the traditional sector to reproduce the data; lower one of them",
        )
    if 0 < econ["export_share"] <= econ["trade_balance"]:
        raise RuleError(
            "trade balance",
            f"economy.trade_balance ({econ['trade_balance']:g}) must be below economy.export_share "
            f"({econ['export_share']:g}): imports would be zero or negative",
        )
    if workers["migration_rate"] > MOVERS_SHARE * workers["reconsider"]:
        raise RuleError(
            "migration rate",
            f"agents.workers.migration_rate ({workers['migration_rate']:g} a year) must be at most "
            f"{MOVERS_SHARE:g} x agents.workers.reconsider ({workers['reconsider']:g} a year): only those who "
            "reconsider can move, and some of them stay",
        )
    overhead = overhead_share(econ["sigma"], econ["fixed_labour_share"], capital_share)
    if overhead >= 1.0:
        raise RuleError(
            "fixed costs",
            f"economy.fixed_labour_share ({econ['fixed_labour_share']:g}) with economy.sigma "
            f"({econ['sigma']:g})"
            + (f" and economy.capital_share ({capital_share:g})" if capital_share else "")
            + f": the mean firm's fixed costs would be {overhead:.0%} of its operating surplus, so it could make no "
            "profit; lower one of them",
        )
    _check_entry_viable(econ, firms, capital_share)


def _check_entry_viable(econ: Mapping[str, Any], firms: Mapping[str, Any], capital_share: float) -> None:
    """Refuse entry so costly that too few potential entrants could profit for a steady state of entry and exit.

    Evaluated for each country the per-country keys name (and ``*``), at its tax, approval days and red tape.
    """
    from sez_sim.agents.location_choice import VIABLE_RATIO, viable_share

    tables = (econ["corporate_tax"], firms["approval_days"], firms["red_tape"])
    shares = {}
    for country in sorted({key for table in tables for key in table}):
        tax, days, tape = (table.get(country, table.get("*", 0.0)) for table in tables)
        shares[country] = viable_share(
            econ["sigma"],
            econ["fixed_labour_share"],
            firms["pareto_shape"],
            firms["pareto_top"],
            firms["entry_cost"] + tape,
            firms["hazard"],
            firms["discount_rate"],
            days,
            tax,
            capital_share,
        )
    country = min(shares, key=shares.get)
    entering = 1.0 - firms["outside_share"]
    if shares[country] < VIABLE_RATIO * entering:
        place = "countries without a value of their own (*)" if country == "*" else country
        raise RuleError(
            "entry viability",
            f"only {shares[country]:.0%} of potential entrants could earn back the cost of entering a province of "
            f"average firms in {place} (its tax, approval days and red tape), while {entering:.0%} of them must enter "
            f"for entry to balance exit (1 - agents.firms.outside_share); calibration needs at least "
            f"{VIABLE_RATIO:.0%} of that: lower agents.firms.entry_cost, discount_rate, hazard or red_tape, "
            f"economy.fixed_labour_share or sigma, raise agents.firms.pareto_shape or outside_share "
            "(docs/ODD.md section 5)",
        )


class Scenario(Strict):
    """A scenario file."""

    name: Annotated[str, AfterValidator(folder_name)] = Field(
        max_length=100, description="Names the results folder (letters, digits, _ . -)."
    )
    description: str = Field(default="", description="What the scenario illustrates.")
    extends: str | None = Field(default=None, description="A parent scenario file, deep-merged under this one.")
    geography: GeographySpec = Field(default_factory=GeographySpec)
    economy: EconomySpec = Field(default_factory=EconomySpec)
    mechanisms: MechanismsSpec = Field(default_factory=MechanismsSpec)
    agents: AgentsSpec = Field(default_factory=AgentsSpec)
    policy_defaults: PolicyDefaults = Field(default_factory=PolicyDefaults)  # type: ignore[valid-type]
    initial: InitialSpec = Field(default_factory=InitialSpec)
    policies: list[Policy] = Field(default_factory=list, description="Policy instruments (see docs/scenarios.md).")
    run: RunSpec = Field(default_factory=RunSpec)
    outputs: OutputsSpec = Field(default_factory=OutputsSpec)

    _source: Path | None = None
    _replaced: list[Problem] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        """Rules across sections: what the calibrated economy can have, and what a preset needs."""
        textbook = self.economy.preset != "gms"
        if not textbook:
            values = layered(defaults(["economy", "firms", "workers"]), self.parameter_overrides())
            capital = values["economy"]["capital_share"] * self.mechanisms.resolve().capital
            _check_calibration(values["economy"], values["firms"], values["workers"], capital)
        if textbook and (on := self.mechanisms.resolve().on()):
            raise ValueError(
                f"mechanisms: the {self.economy.preset} preset has no growth mechanisms (its closed forms assume "
                f"none); switch off {', '.join(on)}"
            )
        if textbook and self.geography.synthetic is None:
            raise ValueError(
                f"economy.preset {self.economy.preset} needs a synthetic geography (geography.synthetic: {{kind: "
                "two_region, freeness: ...}}): its closed forms are for regions, not for a dataset"
            )
        if self.initial.shares is not None and not (
            textbook and self.geography.synthetic is not None and self.geography.synthetic.kind == "two_region"
        ):
            raise ValueError("initial.shares sets the two regions of a textbook preset on a two_region geography")
        for k, policy in enumerate(self.policies):
            if idle := policy.idle(self.economy.preset):
                raise ValueError(f"policies[{k}]: {idle}")
            if policy.end_year is not None and policy.end_year <= self.run.start_year:
                raise ValueError(
                    f"policies[{k}] ends in {policy.end_year:g}, before the run starts ({self.run.start_year}): "
                    "it would never act"
                )
        return self

    @property
    def source(self) -> Path | None:
        """The file the scenario was loaded from."""
        return self._source

    def warnings(self) -> list[Problem]:
        """What is allowed but probably not meant.

        A length of run that is no whole number of steps (it is rounded to the nearest), a policy that starts after
        the run ends or changes nothing at the scenario's parameters (a port with nothing exported, a factor of no
        minimum wage), a file's policies that replace those of the scenario it extends, and the textbook presets'
        number of agents set for the calibrated economy, which does not read it.
        """
        where = str(self._source or "<scenario>")
        run = self.run
        steps = round(run.years * run.steps_per_year)
        end = run.start_year + steps / run.steps_per_year
        found = list(self._replaced)
        if abs(steps / run.steps_per_year - run.years) > 1e-9:
            found.append(
                Problem(
                    where,
                    "run.years",
                    f"{run.years:g} years is no whole number of steps at {run.steps_per_year} a year: the run takes "
                    f"{steps} step{'s' * (steps != 1)} ({steps / run.steps_per_year:g} years) and ends in {end:g}",
                )
            )
        found += [
            Problem(
                where,
                f"policies[{k}].start_year",
                f"{p.start_year:g} is not before the run ends ({end:g}): it never acts",
            )
            for k, p in enumerate(self.policies)
            if p.start_year is not None and p.start_year >= end
        ]
        if self.policies:
            economy, geo = layered(defaults(["economy"]), self.parameter_overrides())["economy"], self.build_geography()
            found += [
                Problem(where, f"policies[{k}]", inert)
                for k, p in enumerate(self.policies)
                if (inert := p.inert(economy, geo))
            ]
        unread = AgentsSpec.model_fields["textbook_agents"].default
        if self.economy.preset == "gms" and self.agents.textbook_agents != unread:
            message = (
                f"{self.agents.textbook_agents} is the textbook presets' number of agents; the gms preset does not "
                "read it (its agents follow agents.persons_per_agent and agents.firms.count)"
            )
            found.append(Problem(where, "agents.textbook_agents", message))
        return found

    def resolved(self) -> dict[str, Any]:
        """The fully resolved scenario as plain data (what the manifest stores and the hash covers)."""
        return self.model_dump(mode="json", exclude={"extends"})

    def with_changes(
        self,
        overrides: Iterable[str] | Mapping[str, Any] | None = None,
        options: Mapping[str, tuple[str, Any]] | None = None,
    ) -> Scenario:
        """A validated copy with dotted overrides and options applied (see :func:`load_scenario`).

        The copy keeps this scenario's source file, so paths in it resolve as before.

        Raises:
            ScenarioError: naming the override or option a bad value came from.
        """
        if not overrides and all(value is None for _, value in (options or {}).values()):
            return self
        where = str(self._source or "<scenario>")
        scenario, _ = yamlio.load(
            Scenario,
            self.resolved(),
            overrides,
            options=options,
            where=where,
            aliases=SECTION_PATHS,
            split=override_leaves,
        )
        scenario._source = self._source
        if overrides:
            scenario.check_references()
        return scenario

    def digest(self) -> str:
        """SHA-256 of the resolved scenario (canonical JSON)."""
        return sha256(self.resolved())

    def inputs_digest(self) -> str:
        """SHA-256 of everything a run's results depend on besides the code and the seed.

        That is the resolved scenario without the ``policy_defaults`` sections only instruments it does not have read
        (:meth:`idle_sections`), the registry's defaults of the parameters the scenario can read (not those of
        :meth:`inert_parameters`: a parameter added to a mechanism the scenario leaves off, or a new instrument's
        section, changes no result) and the dataset's files (for dataset geographies).
        """
        from sez_sim.geography import GMS_DATA
        from sez_sim.geography.dataset import dataset_digest

        g = self.geography
        inert = self.inert_parameters()
        folder = None
        if g.folder is not None:
            folder = ((self._source.parent if self._source else Path.cwd()) / g.folder).resolve()
        elif g.synthetic is None:
            folder = GMS_DATA
        idle, read = self.idle_sections(), self.resolved()
        read["policy_defaults"] = {k: v for k, v in read["policy_defaults"].items() if k not in idle}
        blob = {
            "scenario": sha256(read),
            "defaults": {k: p.default for k, p in sorted(registry().items()) if k not in inert},
            "dataset": dataset_digest(folder) if folder is not None else None,
        }
        return sha256(blob)

    def inert_parameters(self) -> set[str]:
        """Registry keys of the parameters that cannot change this scenario's results.

        Those of the growth mechanisms it leaves off (:data:`~sez_sim.economy.mechanisms.ACTS_ONLY_THROUGH`) and of
        the policy sections that only instruments it does not have read (all but
        :data:`~sez_sim.policies.MODEL_SECTIONS`). A robustness design that varies them spends its draws on
        nothing, and a scenario discovery may find a "box" in them that is pure noise.
        """
        idle = self.idle_sections()
        return self.mechanisms.resolve().inert() | {k for k in registry() if k.split(".")[0] in idle}

    def idle_sections(self) -> set[str]:
        """The ``policy_defaults`` sections that no instrument of this scenario reads.

        The model itself reads :data:`~sez_sim.policies.MODEL_SECTIONS`, whatever the instruments.
        """
        used = set(MODEL_SECTIONS).union(*(policy.sections for policy in self.policies))
        return set(POLICY_SECTIONS) - used

    def parameter_overrides(self) -> dict[str, dict[str, Any]]:
        """Registry sections -> values the scenario sets (everything else stays at the defaults)."""
        out = {"economy": self.economy.model_dump(exclude_none=True, exclude={"preset"})}
        out["firms"] = self.agents.firms.model_dump(exclude_none=True)
        out["workers"] = self.agents.workers.model_dump(exclude_none=True)
        for section in POLICY_SECTIONS:
            values = getattr(self.policy_defaults, section)
            if values is not None:
                out[section] = values.model_dump(exclude_none=True)
        return {k: v for k, v in out.items() if v}

    def build_geography(self):
        """The geography this scenario runs on (a fresh object each call)."""
        from sez_sim.geography import line, load_folder, load_gms, random_planar, ring, two_region

        crossing = self.economy.crossing_cost_km
        if crossing is None:  # not "or": a crossing that costs nothing (0) is a value, not a missing one
            crossing = defaults(["economy"])["economy"]["crossing_cost_km"]
        g = self.geography
        if g.folder is not None:
            base = self._source.parent if self._source else Path.cwd()
            check_path(g.folder, "dataset folder", DataError)
            return load_folder((base / g.folder).resolve(), crossing_cost_km=crossing)
        if g.synthetic is not None:
            s = g.synthetic
            if s.kind == "two_region":
                return two_region(s.freeness, s.population_shares or (0.5, 0.5))
            if s.kind == "line":
                return line(s.n or 10, spacing_km=s.spacing_km or 100.0, crossing_cost_km=crossing)
            if s.kind == "ring":
                return ring(s.n or 12, spacing_km=s.spacing_km or 100.0)
            return random_planar(s.n or RANDOM_PLANAR_N, seed=s.seed, countries=s.countries, crossing_cost_km=crossing)
        return load_gms(crossing_cost_km=crossing)

    def zone_names(self, geo=None, *, dataset: bool = True) -> list[str]:
        """The zones a run of this scenario has: the dataset's operating at the start, then those its policies open.

        Policies are assumed to resolve (:meth:`check_references`); one that does not adds no zone.

        Args:
            geo: its geography (built when not given).
            dataset: include the dataset's zones (False: only those its policies open).
        """
        geo = geo or self.build_geography()
        starting = list(self._starting_zones(geo))
        names = list(starting)
        for policy in self.policies:
            try:
                names += [name for name in policy.zones_added(geo) if name not in names]
            except UserError:
                continue
        return names if dataset else [name for name in names if name not in starting]

    def policy_places(self, geo=None, unlike: Scenario | None = None) -> list[tuple[str, Places]]:
        """Each policy's type and where it acts (:meth:`Instrument.places`), the zones growing as the model adds them.

        Args:
            geo: the geography (default: the scenario's).
            unlike: leave out the policies this scenario has too, with the same settings
                (:meth:`Instrument.identity`): what a comparison against it changes.

        Raises:
            UserError: for a place the geography does not have (:meth:`check_references` names them all).
        """
        geo = geo or self.build_geography()
        shared = {p.identity(geo) for p in unlike.policies} if unlike is not None else set()
        zones = self._starting_zones(geo)
        out = []
        for policy in self.policies:
            if policy.identity(geo) not in shared:
                out.append((policy.tag(), policy.places(geo, zones)))
            zones = zones | policy.zones_added(geo)
        return out

    def policy_changes(self, paired: Scenario, geo=None) -> dict[str, list[tuple[str, Places]]]:
        """What this scenario's policies change against a paired scenario's, as a map marks it.

        Returns:
            ``policies``: this scenario's that ``paired`` does not have with the same settings; ``dropped``:
            ``paired``'s that this one does not have (each a type and :class:`~sez_sim.policies.base.Places`).
        """
        geo = geo or self.build_geography()
        return {"policies": self.policy_places(geo, unlike=paired), "dropped": paired.policy_places(geo, unlike=self)}

    def opens_dataset_zones(self) -> bool:
        """Whether a run starts with the dataset's operating zones: not for a textbook preset or without them."""
        return self.economy.preset == "gms" and self.geography.existing_zones

    def _starting_zones(self, geo) -> dict[str, int]:
        """The dataset's zones a run starts with (name -> host province)."""
        return operating_zones(geo, self.run.start_year) if self.opens_dataset_zones() else {}

    def check_references(self, geo=None) -> None:
        """Resolve every province, crossing, corridor and country the policies name against the geography.

        Raises:
            ScenarioError: one line per unknown reference, with a close-match suggestion.
        """
        geo = geo or self.build_geography()
        source = str(self._source or "<scenario>")
        problems = []
        seen: dict[str, int] = {}
        zones = self._starting_zones(geo)  # the zones there are, policy by policy
        dataset_zones = self.opens_dataset_zones()
        for i, policy in enumerate(self.policies):
            try:
                policy.check(geo)
                policy.check_zones(geo, zones, dataset_zones)
                zones = zones | policy.zones_added(geo)
            except UserError as exc:
                for p in exc.problems:
                    where = f"policies[{i}]" + (f".{p.where}" if p.where else "")
                    problems.append(Problem(source, where, p.message))
                continue
            identity = policy.identity(geo)
            if identity in seen:
                message = f"repeats policies[{seen[identity]}]: the same instrument in the same place at the same time"
                problems.append(Problem(source, f"policies[{i}]", message))
            seen.setdefault(identity, i)
        problems += [Problem(source, where, message) for where, message in self._country_key_problems(geo)]
        if self.economy.preset == "gms":
            from sez_sim.build import resolution_problems

            firms = layered(defaults(["firms"]), self.parameter_overrides())["firms"]
            resolution = resolution_problems(
                geo, self.agents.persons_per_agent, int(firms["count"]), int(firms["min_per_province"])
            )
            problems += [Problem(source, w, m) for w, m in resolution]
        if problems:
            raise ScenarioError(problems)

    def _country_key_problems(self, geo) -> list[tuple[str, str]]:
        """Per-country keys must be this geography's countries (or ``*``); per-pair keys two different ones."""
        known = geo.country_names()
        out = []
        reg = registry()
        for section, values in self.parameter_overrides().items():
            for name, value in values.items():
                param = reg.get(f"{section}.{name}")
                if param is None or not param.per or not isinstance(value, dict):
                    continue
                for key in value:
                    parts = [key] if param.per == "country" else key.split("-")
                    ok = key == "*" or (
                        all(p in known for p in parts)
                        and (param.per == "country" or len(set(parts)) == len(parts) == 2)
                    )
                    if not ok:
                        kind = "a country" if param.per == "country" else "a pair of two different countries (A-B)"
                        out.append(
                            (
                                f"{registry_path(param)}[{key}]",
                                f"not {kind} of this geography ({', '.join(known)}, or *)",
                            )
                        )
        return out

    def config(self, seed: int | None = None):
        """A :class:`~sez_sim.model.ModelConfig` for one run of this scenario."""
        from sez_sim.model import ModelConfig, resolve_params

        return ModelConfig(
            preset=self.economy.preset,
            geography=self.build_geography,
            params=resolve_params(self.economy.preset, self.parameter_overrides()),
            persons_per_agent=self.agents.persons_per_agent,
            sampling=self.agents.sampling,
            textbook_agents=self.agents.textbook_agents,
            initial_shares=tuple(self.initial.shares) if self.initial.shares else None,
            start_year=self.run.start_year,
            steps_per_year=self.run.steps_per_year,
            seed=self.run.seed if seed is None else seed,
            policies=list(self.policies),
            existing_zones=self.geography.existing_zones,
            mechanisms=self.mechanisms.resolve(),
        )

    def model(self, seed: int | None = None):
        """Build the model of this scenario (policies included)."""
        from sez_sim.model import SEZModel

        try:
            return SEZModel(self.config(seed))
        except UserError as exc:
            raise ScenarioError(
                [Problem(str(self._source or "<scenario>"), p.where, p.message) for p in exc.problems]
            ) from None


def load_scenario(
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    *,
    check_references: bool = True,
    options: Mapping[str, tuple[str, Any]] | None = None,
    relative_to: str | Path | None = None,
) -> Scenario:
    """Load, merge, override and validate a scenario.

    Args:
        source: a YAML file, or a mapping with the same content.
        overrides: ``["key.path=value", ...]`` (values parsed as YAML) or ``{"key.path": value}``.
        check_references: also resolve provinces, crossings, corridors and countries against the geography.
        options: overrides from command-line flags or function arguments, ``{"run.years": ("--years", 5)}``: the
            same validation, with errors naming the option (None values are left out).
        relative_to: for a mapping, the scenario file its relative paths (``geography.folder``) resolve from.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: listing every problem (file, YAML path, what is wrong, what is allowed).
    """
    name = Path(source).stem if not isinstance(source, Mapping) else "scenario"
    # A mapping's problems name the file it came from when there is one (a batch's runs: the base scenario's).
    shown = str(relative_to) if isinstance(source, Mapping) and relative_to else None
    scenario, path = yamlio.load(
        Scenario,
        source,
        overrides,
        kind="scenario",
        defaults={"name": name},
        options=options,
        where=shown,
        aliases=SECTION_PATHS,
        split=override_leaves,
    )
    scenario._source = path or (Path(relative_to).resolve() if relative_to else None)
    if path is not None and "policies" not in parse_overrides(overrides):
        scenario._replaced = yamlio.replaced_policies(yamlio.read_chain(path))
    where = str(source) if path else shown or "<scenario>"
    if check_references:
        try:
            scenario.check_references()
        except UserError as exc:
            if isinstance(exc, ScenarioError):
                raise
            raise ScenarioError([Problem(where, "geography", str(p)) for p in exc.problems]) from None
    return scenario


def pairing_problems(
    a: Scenario, b: Scenario, years_option: str, names: tuple[str, str] = ("A", "B")
) -> list[tuple[str, str]]:
    """What makes paired runs of ``a`` and ``b`` differences between unlike things: ``(b's YAML path, message)``.

    A paired comparison subtracts A's outcomes from B's, seed by seed, at the same dates. That needs the same
    economy (preset), the same provinces and the same calendar (start year, steps a year, years run); anything else,
    agent resolution included, may differ. A geography whose links or data differ over the same provinces (a dataset
    with a road added) is a comparison people make on purpose.

    Args:
        a: the reference scenario.
        b: the scenario compared with it.
        years_option: how the caller sets both runs' length (``--years``), for the hint when they differ.
        names: what the caller calls ``a`` and ``b``.
    """
    first, second = names
    problems = []
    if a.economy.preset != b.economy.preset:
        problems.append(
            (
                "economy.preset",
                f"{b.economy.preset}, against {a.economy.preset} in {first}: a comparison needs one economy",
            )
        )
    for key, hint in (("start_year", ""), ("steps_per_year", ""), ("years", f"; give {years_option} for both")):
        mine, theirs = getattr(b.run, key), getattr(a.run, key)
        if mine != theirs:
            problems.append(
                (f"run.{key}", f"{mine:g}, against {theirs:g} in {first}: paired runs need one calendar{hint}")
            )
    ids = [set(s.build_geography().provinces["id"]) for s in (a, b)]
    if ids[0] != ids[1]:
        extra, missing = sorted(ids[1] - ids[0]), sorted(ids[0] - ids[1])
        what = "; ".join(
            f"{who} has {len(x)} province(s) {other} lacks ({', '.join(map(str, x[:3]))}{', ...' * (len(x) > 3)})"
            for x, who, other in ((extra, second, first), (missing, first, second))
            if x
        )
        problems.append(("geography", f"{what}: paired runs need the same provinces"))
    return problems


SECTION_PATHS = {
    "firms": "agents.firms",
    "workers": "agents.workers",
    **{s: f"policy_defaults.{s}" for s in POLICY_SECTIONS},
}
"""Registry sections whose parameters a scenario holds under another path. Overrides may use either
(``--set sez.fdi_uplift=2`` is ``--set policy_defaults.sez.fdi_uplift=2``): the sections are no scenario keys."""


def point_to_overrides(exc: ScenarioError) -> ScenarioError:
    """``exc`` with a hint on each unknown top-level key of an experiment or claim that is a scenario's.

    Both kinds set their scenarios' keys under ``overrides``; ``--set economy.kappa=0.001`` on them is otherwise
    told only which of their own keys exist.
    """
    heads = set(Scenario.model_fields) | set(SECTION_PATHS)

    def hinted(p: Problem) -> Problem:
        if not (p.message.startswith("unknown key") and p.where in heads):
            return p
        given = p.source.removeprefix("--set ")
        where = f"--set overrides.{given}=..." if given != p.source else f"overrides: {{{p.where}: ...}}"
        return Problem(p.source, p.where, f"{p.message}; a scenario's key goes under overrides ({where})", p.rule)

    return ScenarioError([hinted(p) for p in exc.problems])


def registry_path(param: Param) -> str:
    """The scenario path that sets a registry parameter (``firms.hazard`` -> ``agents.firms.hazard``)."""
    return f"{SECTION_PATHS.get(param.section, param.section)}.{param.name}"


def override_leaves(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides as dotted keys, each set on its own: nested mappings are the sections they name.

    ``{policy_defaults: {sez: {capacity_jobs: 5000}}}`` sets ``policy_defaults.sez.capacity_jobs`` and keeps the
    section's other keys, as a scenario extending the base would; so does ``{"run": {"years": 5}}`` from Python or
    ``--set 'run={years: 5}'`` (the run keeps its seed), and a list entry's (``policies.0: {provinces: [Tak]}``
    keeps the first policy's other keys). A per-country or per-pair parameter's mapping is its value, not a section
    (``economy.corporate_tax: {"*": 0.2}`` gives every country 0.2).
    """
    mappings = {registry_path(p) for p in registry().values() if p.per}
    out: dict[str, Any] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, Mapping) and aliased(dotted(path), SECTION_PATHS) not in mappings:
                walk(value, f"{path}.")
            else:
                out[path] = value

    walk(overrides, "")
    return out


__all__ = [
    "Scenario",
    "deep_merge",
    "load_scenario",
    "override_leaves",
    "parse_overrides",
    "point_to_overrides",
    "registry_path",
]
