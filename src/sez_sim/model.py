"""SEZModel: assembles geography, economy, firms, workers, zones, levers, provinces and policies into one Mesa model."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sez_sim import metrics
from sez_sim.agents.firms import ZONE_OUTPUT, FirmRule, Firms
from sez_sim.agents.location_choice import Alternatives
from sez_sim.agents.province import ACCOUNTS, Province
from sez_sim.agents.sampling import Sampling
from sez_sim.agents.workers import Workers
from sez_sim.allocator import tune_allocator
from sez_sim.build import build
from sez_sim.clock import Calendar
from sez_sim.economy.calibration import owner_cdfs
from sez_sim.economy.equilibrium import Equilibrium, FirmBlock, Labour, solve
from sez_sim.economy.mechanisms import (
    Agglomeration,
    Capital,
    Mechanisms,
    spillover_weights,
)
from sez_sim.economy.presets import PRESETS
from sez_sim.errors import ConvergenceError, Problem, ScenarioError, UserError
from sez_sim.geography import Geography, load_gms, two_region
from sez_sim.levers import Levers
from sez_sim.mesa_import import AgentSet, Model, Network
from sez_sim.params import defaults, layered, per_country, per_pair
from sez_sim.policies.base import Instrument
from sez_sim.results import Recorder
from sez_sim.tally import tally
from sez_sim.zones import Management, ZoneTable, jobs_per_slot

STREAMS = ("init", "firms", "workers", "policies", "mesa")
"""Named random streams spawned from one SeedSequence per run."""

CROWD_OUT_ROUNDS = 20
"""Most rounds of (move a full zone's newest firms out, solve again) in a step; one or two suffice in practice."""

PRESET_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "gms": {},
    "core_periphery": {
        "workers": {"reconsider": 0.5, "response_scale": 0.02},
    },
    "footloose_capital": {
        "economy": {"corporate_tax": {"*": 0.0}, "modern_wage_premium": 1.0},
        "firms": {"relocation": 0.5, "response_scale": 0.2, "hazard": 0.0},
    },
}
"""Parameter values a preset changes from the registry defaults (users may still override them)."""


def resolve_params(preset: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, dict]:
    """Registry defaults, then the preset's defaults, then ``overrides`` (section -> name -> value)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
    return layered(defaults(), PRESET_DEFAULTS[preset], overrides or {})


@dataclass
class ModelConfig:
    """Everything a model needs; scenario files resolve to one of these (the model knows nothing of YAML).

    Attributes:
        preset: ``gms`` (calibrated agents on a geography), ``core_periphery`` or ``footloose_capital``.
        geography: the geography, or a factory for one; default: the GMS data (gms) or two regions (textbook).
        params: resolved parameters by section (see :func:`resolve_params`).
        persons_per_agent: people per worker agent.
        sampling: ``controlled`` or ``independent`` (see :mod:`sez_sim.agents.sampling`).
        textbook_agents: worker agents (core-periphery) or firm agents (footloose capital) in the textbook presets.
        initial_shares: the textbook presets' starting split (mobile workers in CP, firms in FC) of region 1 and 2.
        start_year, steps_per_year: calendar of the run.
        seed: the run's seed.
        policies: policy instruments (:class:`~sez_sim.policies.base.Instrument`).
        existing_zones: open the dataset's zones that operate by the start year (calibrated models only).
        mechanisms: the growth mechanisms switched on (:mod:`sez_sim.economy.mechanisms`); default: none (the
            textbook presets allow none).
    """

    preset: str = "gms"
    geography: Geography | Callable[[], Geography] | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=lambda: resolve_params("gms"))
    persons_per_agent: float = 1000.0
    sampling: str = Sampling.CONTROLLED
    textbook_agents: int = 1000
    initial_shares: tuple[float, ...] | None = None
    start_year: int = 2019
    steps_per_year: int = 4
    seed: int = 0
    policies: list[Instrument] = field(default_factory=list)
    existing_zones: bool = True
    mechanisms: Mechanisms | None = None


class SEZModel(Model):
    """The sez-sim agent-based model.

    One step (a quarter by default) runs, in this order:

    0. **productivity** (:meth:`update_productivity`): each province's TFP is its calibrated level times the
       agglomeration factor of the modern employment within reach at the last equilibrium and the capital factor
       of its capital stock (:mod:`sez_sim.economy.mechanisms`; 1 where the mechanisms are off);
    1. **policies** (:meth:`apply_policies`): each instrument's intensity for the year at the start of the step
       is put in force on the levers (taxes, minimum wages, approval times, red tape, barriers and quotas, link
       and crossing costs, ports' sea legs, zone capacity, activity, management and promotion, commuting into
       CBEZ zones), relative to their baselines; active zones become better known to investors (their awareness
       grows with their management and promotion, :mod:`sez_sim.zones`) and their track records grow with the
       share of their planned slots their firms fill;
    2. **migration** (:meth:`Workers.migrate <sez_sim.agents.workers.Workers.migrate>`): workers reconsider where
       to live, comparing expected real incomes at the last equilibrium (logit, or best response in the
       textbook presets); movers leave their modern jobs;
    3. **approvals** (:meth:`Firms.approvals <sez_sim.agents.firms.Firms.approvals>`): firms waiting for
       investment approval count down; approved firms start producing;
    4. **equilibrium** (:meth:`solve_within_capacity`): the short-run equilibrium (with traditional earnings,
       under the labour-market mechanism) is solved for the producing firms (zone firms at the productivity they
       have learned), the residents and the commuters, warm-started from the previous step; if a zone's firms
       have grown beyond its capacity in jobs, its newest firms move out to wait for room and it is solved again;
    5. **firms** (:meth:`firm_dynamics`): loss streaks are updated from after-tax profits; firms exit after
       sustained losses and by the hazard; under footloose capital a share relocate; potential entrants choose a
       location (or stay out) and join the approval queue; entrants' investment and reinvested profits add to
       the capital stocks, which depreciate and which exits scrap (:meth:`accumulate_capital`);
    6. **jobs** (:meth:`match_jobs`): CBEZ commuters take their share of the zones' jobs, then modern jobs from
       the equilibrium are matched to residents;
    7. **accounts** (:meth:`update_accounts`): the accounts of the step (stocks at its end, flows during it) are
       computed once; the province agents (Mesa) and the recorder both read them.

    Random numbers come from one ``SeedSequence`` per run, spawned into the streams named in :data:`STREAMS`,
    so paired runs with the same seed share the noise of each part (common random numbers). The first model built
    in a process sets the memory allocator's thresholds (:mod:`sez_sim.allocator`), which changes its speed, not
    its results.

    Attributes:
        config: the configuration.
        calendar: the calendar years of the steps.
        geo: the geography.
        market: the solver's market (trade costs, world, wage floors, TFP).
        equilibrium: the latest short-run equilibrium.
        firms, workers: the populations.
        zones: the zone table.
        levers: the quantities policies change, with their baselines (:mod:`sez_sim.levers`).
        policies: the instruments, in the order their effects apply.
        provinces: the Province agents (an AgentSet, in node order).
        space: the Mesa Network of provinces.
        accounts: this step's accounts per province (:data:`~sez_sim.agents.province.ACCOUNTS`).
        flows: this step's migration, persons, origin x destination.
        recorder: the collected outputs.
        steady_state_rounds: rounds of the firm stock's steady-state refinement completed when the model was
            built (gms preset; fewer than :data:`~sez_sim.build.STEADY_STATE_ROUNDS` when entry could not balance
            exit after more, see :func:`~sez_sim.build.steady_state`); None for the textbook presets.
        calibration_gap: the largest log gap between a province's modern revenue and its data that the economy's
            calibration left (gms preset; below 1e-10 at the defaults); None for the textbook presets.
        build_cache: whether construction was restored from the disk cache (:func:`sez_sim.build.build`; its key,
            hit, and why it missed); None for the textbook presets, which are not cached.
        restored_stage: the last stage of construction restored from the cache (``"setup"``: all of it,
            ``"calibration"``: the steady state, the set-up run afresh; None: nothing).
        mechanisms: the growth mechanisms switched on; ``strength`` holds their elasticities in force.
        tfp_base: the calibrated TFP, on which the agglomeration and capital factors act.
        agglomeration: the agglomeration mechanism's state (None when it is off).
        capital: the capital stocks (accounted in every preset; they raise TFP only under the capital mechanism).
    """

    def __init__(self, config: ModelConfig | None = None, **changes: Any):
        tune_allocator()
        config = config or ModelConfig()
        if changes:
            config = ModelConfig(**{**config.__dict__, **changes})
        try:
            self.sampling = Sampling(config.sampling)
        except ValueError:
            raise ValueError(
                f"sampling must be one of {[s.value for s in Sampling]}, got {config.sampling!r}"
            ) from None
        self.config = config
        children = np.random.SeedSequence(config.seed).spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}
        super().__init__(rng=self.streams["mesa"])
        self.params = config.params
        self.calendar = Calendar(config.start_year, config.steps_per_year)
        self.steps_per_year = config.steps_per_year
        self.persons_per_agent = float(config.persons_per_agent)
        self.preset = config.preset
        self.mechanisms = config.mechanisms or Mechanisms.none()
        if self.preset != "gms" and self.mechanisms.on():
            raise ValueError(
                f"the {self.preset} preset has no growth mechanisms (its closed forms assume none); switch off "
                f"{', '.join(self.mechanisms.on())}"
            )
        self.strength = self.mechanisms.elasticities(self.params["economy"])

        geo = config.geography() if callable(config.geography) else config.geography
        if geo is None:
            crossing = self.params["economy"]["crossing_cost_km"]
            geo = load_gms(crossing_cost_km=crossing) if config.preset == "gms" else two_region(0.5)
        self.geo = geo
        self.country = geo.countries()
        self.country_names = geo.country_names()
        self.firms = Firms(self.params["firms"], geo.n)
        econ = self.params["economy"]
        self.firms.choice.expect_learning(self.strength["learning_gain"], econ["learning_years"], econ["sigma"])
        self.workers = Workers(self.params["workers"])
        self.zones = ZoneTable(Management.of(self.params["sez"]))
        self.levers = self._baseline_levers()
        self.sea_leg = self.levers.baseline["sea_leg"].copy()  # the sea legs in force (the market's world access)
        self.farmers = np.zeros(geo.n)
        self.jobs_per_firm = np.ones(geo.n)
        self.zone_output = {k: np.zeros(0) for k in ZONE_OUTPUT}
        self.zone_accounts: dict[str, np.ndarray] = {}
        self._capacity_built = np.zeros(0)  # the most capacity (jobs) each zone has had: built, and paid for
        self.market = None
        self.equilibrium = None
        self.steady_state_rounds: int | None = None
        self.calibration_gap: float | None = None
        self.push_levers(list(self.levers.baseline))
        self.build_cache = build(self)
        self.push_levers(list(self.levers.baseline))
        self.install_mechanisms()

        self.space = Network(geo.graph, layout=geo.layout(), random=self.random)
        self.provinces = AgentSet(
            [
                Province(self, i, row.id, row.name, row.country)
                for i, row in enumerate(geo.provinces[["id", "name", "country"]].itertuples(index=False))
            ],
            random=self.random,
        )
        self.policies: list[Instrument] = []
        self._handles: list[int] = []
        for policy in config.policies:
            self._install(policy)
        self.recorder = Recorder(self)
        self.flows = np.zeros((geo.n, geo.n))
        self.zone_output = self.measure_zones()
        self.update_accounts(np.zeros(geo.n), np.zeros(geo.n))

    # ---------------------------------------------------------------------------------------- levers, policies
    def _baseline_levers(self) -> Levers:
        """The levers with their baselines from the parameters and the data (zones are added as they open)."""
        econ, firms, workers = self.params["economy"], self.params["firms"], self.params["workers"]
        names, k = self.country_names, len(self.country_names)
        levers = Levers()
        levers.define("corporate_tax", np.asarray(per_country(econ["corporate_tax"], names))[self.country])
        levers.define("minimum_wage", np.asarray(per_country(econ["minimum_wage"], names))[self.country])
        levers.define("approval_days", np.asarray(per_country(firms["approval_days"], names))[self.country])
        levers.define("red_tape", np.asarray(per_country(firms["red_tape"], names))[self.country])
        levers.define("fdi_inflow", firms["fdi_inflow"])
        levers.define("border_barrier", np.asarray(per_pair(workers["border_barrier"], names)))
        levers.define("migration_quota", np.full((k, k), np.inf))
        levers.define("link_quality", self.geo.links["quality"].to_numpy(float))
        levers.define("crossing_cost", self.geo.crossings["cost_km"].to_numpy(float))
        levers.define("sea_leg", self.geo.sea_legs(econ["sea_cost_km"]))
        for name in (
            "zone_capacity",
            "zone_active",
            "commuting_share",
            "zone_management",
            "zone_promotion",
            "zone_credibility",
        ):
            levers.define(name, np.zeros(0))
        return levers

    def push_levers(self, names: list[str]) -> None:
        """Bring the parts of the model that hold a copy of a lever up to date with its current value.

        The corporate tax, the zones' capacity and activity and the commuting shares are read from the levers
        where they are used; the rest live in the populations, the market and the geography.
        """
        levers, geography = self.levers, False
        for name in names:
            value = levers[name]
            match name:
                case "approval_days":
                    self.firms.choice.approval_days = value.copy()
                case "red_tape":
                    self.firms.choice.red_tape = value.copy()
                case "fdi_inflow":
                    self.firms.choice.fdi_inflow = float(value[0])
                case "minimum_wage" if self.market is not None and self.market.dual and self.preset == "gms":
                    self.market.minimum_wage = value * self.params["economy"]["employment_rate"]
                case "border_barrier":
                    self.workers.static_costs(self.geo.distance, self.country, value)
                case "migration_quota":
                    finite = np.argwhere(np.isfinite(value))
                    self.workers.quotas = {(a, b): value[a, b] / self.persons_per_agent for a, b in finite}
                case "link_quality":
                    rows = np.flatnonzero(value != self.geo.links["quality"].to_numpy(float))
                    if rows.size:
                        self.geo.set_link_quality(rows, value[rows])
                        geography = True
                case "crossing_cost":
                    rows = np.flatnonzero(value != self.geo.crossings["cost_km"].to_numpy(float))
                    if rows.size:
                        self.geo.set_crossing_cost(rows, value[rows])
                        geography = True
                case "sea_leg":
                    if not np.array_equal(value, self.sea_leg):
                        self.sea_leg = value.copy()
                        geography = True
                case "zone_capacity":
                    self.zones.capacity = value.copy()
                case "zone_active":
                    self.zones.active = value > 0
                case "zone_management":
                    self.zones.management = value.copy()
                case "zone_promotion":
                    self.zones.promotion = value.copy()
                case "zone_credibility":
                    self.zones.credibility = value.copy()
        if geography:
            self.geography_changed()

    def add_zone(
        self,
        name: str,
        province: int,
        *,
        kind: str = "SEZ",
        origin: str = "policy",
        capacity: float = 0.0,
        active: bool = False,
        **attrs: Any,
    ) -> int:
        """Add a zone to the zone table (and its cells to the zone levers); returns its index.

        A slot of its capacity stands for the host's mean firm size in jobs now (unless ``jobs_per_slot`` is given).
        """
        self.levers.extend("zone_capacity", capacity)
        self.levers.extend("zone_active", float(active))
        self.levers.extend("commuting_share", 0.0)
        self.levers.extend("zone_management", attrs.get("management", ZoneTable.DEFAULTS["management"][1]))
        self.levers.extend("zone_promotion", 0.0)
        self.levers.extend("zone_credibility", 0.0)
        self.zone_output = {k: np.append(v, 0.0) for k, v in self.zone_output.items()}
        attrs.setdefault("jobs_per_slot", jobs_per_slot(self.jobs_per_firm[province], self.employment_rate))
        z = self.zones.add(name, kind, origin, province=province, capacity=capacity, active=active, **attrs)
        # A zone is built to the capacity it opens with (the dataset's, before the run); growth is built later.
        self._capacity_built = np.append(self._capacity_built, self.zones.capacity_jobs[z])
        return z

    def reset_built_capacity(self) -> None:
        """Count every zone as built to its capacity now (the state before the run; what is added later is paid)."""
        self._capacity_built = self.zones.capacity_jobs.copy()

    @property
    def employment_rate(self) -> float:
        """Workers per person of labour (the calibrated model counts labour in persons; the textbook presets, 1)."""
        return self.params["economy"]["employment_rate"] if self.preset == "gms" else 1.0

    def _install(self, policy: Instrument) -> None:
        if idle := policy.idle(self.preset):
            raise policy.error("type", idle)
        policy = policy.resolved(self.params)
        policy.check(self.geo)
        policy.check_zones(self.geo, self.zones.hosts(), self.config.existing_zones and self.preset == "gms")
        self._handles.append(self.levers.register(policy.setup(self)))
        self.policies.append(policy)

    def add_policy(self, policy: Instrument) -> Instrument:
        """Add a policy instrument to the running model, in force from the next step on.

        The result is the same as that of a scenario listing the instrument last, with the same start year. An
        instrument without a start year starts with the next step.

        Args:
            policy: the instrument (it is copied; the model's copy is returned).

        Raises:
            ScenarioError: when it names a place this geography does not have, or starts before the next step.
        """
        year = self.calendar.end(self.steps)
        source = f"add_policy({policy.tag()})"
        if policy.start_year is None:
            policy = policy.model_copy(update={"start_year": year}, deep=True)
        elif policy.start_year < year:
            raise ScenarioError(
                [Problem(source, "start_year", f"{policy.start_year:g} is before the model's next step ({year:g})")]
            )
        try:
            self._install(policy)
        except UserError as exc:
            raise ScenarioError([Problem(source, p.where, p.message) for p in exc.problems]) from None
        return self.policies[-1]

    def apply_policies(self, year: float | None = None) -> None:
        """Step 1: put each instrument's effects in force at its intensity for ``year``.

        Args:
            year: the calendar year (default: the year the current step starts).
        """
        year = self.calendar.start(self.steps) if year is None else year
        start = self.config.start_year
        changed = self.levers.set_intensities(
            {handle: policy.intensity(year, start) for policy, handle in zip(self.policies, self._handles, strict=True)}
        )
        if changed:
            self.push_levers(changed)

    def geography_changed(self) -> None:
        """Refresh everything that depends on trade costs after links or crossings changed."""
        econ = self.params["economy"]
        if self.market is not None and self.geo.freeness_override is None:
            sigma, kappa = self.market.sigma, econ["kappa"]
            self.market.phi = self.geo.freeness(sigma, kappa)
            if self.preset == "gms":
                world = np.exp(-kappa * (sigma - 1.0) * self.geo.port_distance(self.sea_leg))
                self.market.phi_world = np.nan_to_num(world, nan=0.0)
        self.workers.static_costs(self.geo.distance, self.country, self.levers["border_barrier"])

    # ---------------------------------------------------------------------------------------- mechanisms
    def install_mechanisms(self) -> None:
        """Put the growth mechanisms in place around the built steady state, where each of their factors is 1.

        The calibrated traditional employment, modern employment within reach and capital stocks become the
        levels the factors are measured against (:mod:`sez_sim.economy.mechanisms`). The capital stocks are the
        steady state of the calibrated flows: entrants balance exits (the hazard times the firms), each investing
        the entry cost in its province's mean profits, and a share of after-tax profits is reinvested.
        """
        econ, eq, market, strength = self.params["economy"], self.equilibrium, self.market, self.strength
        self.tfp_base = market.tfp.copy()
        if market.dual:
            market.land_elasticity = strength["land_elasticity"]
            market.subsistence = np.full(self.geo.n, econ["subsistence"] * self.employment_rate)
            market.traditional_employment = np.maximum(eq.employment_a, 1e-9 * max(float(eq.employment_a.mean()), 1.0))
        self.agglomeration = None
        if strength["agglomeration_elasticity"] > 0:
            lon, lat, area = (self.geo.provinces[c].to_numpy(float) for c in ("lon", "lat", "area_km2"))
            weights = spillover_weights(lon, lat, area, econ["spillover_km"])
            self.agglomeration = Agglomeration.calibrated(
                weights, eq.employment_m, strength["agglomeration_elasticity"]
            )
        firms, hazard = self.firms, self.params["firms"]["hazard"]
        turnover = hazard / self.steps_per_year
        entrants = turnover * firms.per_province(), turnover * firms.per_province(np.flatnonzero(firms.foreign))
        investment, foreign_investment = self.investment(entrants, self.reinvestable_profits(), econ["reinvestment"])
        self.capital = Capital.steady(
            investment,
            foreign_investment,
            econ["depreciation"],
            hazard,
            econ["reinvestment"],
            strength["capital_elasticity"],
            self.steps_per_year,
        )

    def investment(
        self, entrants: tuple[np.ndarray, np.ndarray], profits: tuple[np.ndarray, np.ndarray], reinvestment: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Investment in a step by province, of all owners and of foreign owners.

        Args:
            entrants: entrants in the step, all and foreign-owned; each invests the entry cost in its province's
                mean profits.
            profits: after-tax profits (annual rate), all and foreign-owned; ``reinvestment`` of them is invested.
            reinvestment: the share of profits reinvested.
        """
        cost = self.params["firms"]["entry_cost"] * self.firms.choice.profit_unit
        return tuple(
            Capital.investment(e, cost, p, reinvestment, self.steps_per_year)
            for e, p in zip(entrants, profits, strict=True)
        )

    def reinvestable_profits(self) -> tuple[np.ndarray, np.ndarray]:
        """After-tax profits (annual rate, losses as 0) of the producing firms by province: all, and foreign-owned.

        Zeros under free entry (core-periphery), where firms are a mass in the equilibrium, not agents.
        """
        rows, n = self.firms.block_rows, self.geo.n
        if len(rows) != len(self.equilibrium.firm_net_profit):
            return np.zeros(n), np.zeros(n)
        profit = np.maximum(self.equilibrium.firm_net_profit, 0.0)
        province = self.firms["province"][rows]
        foreign = self.firms.foreign[rows]
        return tally(province, n, profit), tally(province[foreign], n, profit[foreign])

    def update_productivity(self) -> None:
        """Step 0: TFP is the calibrated level times the agglomeration and capital factors (when they are on)."""
        if self.agglomeration is None and not self.capital.elasticity:
            return
        factor = self.capital.factor()
        if self.agglomeration is not None:
            factor = factor * self.agglomeration.factor(self.equilibrium.employment_m)
        self.market.tfp = self.tfp_base * factor

    def accumulate_capital(self, profits: tuple[np.ndarray, np.ndarray], exits: np.ndarray) -> None:
        """Step 5 (end): exits scrap their capital, entrants invest, a share of ``profits`` is reinvested.

        Args:
            profits: after-tax profits by province at this step's equilibrium: all, and foreign-owned.
            exits: exits by province in this step.
        """
        firms = self.firms
        new = firms["born"] == self.steps
        entrants = firms.per_province(np.flatnonzero(new)), firms.per_province(np.flatnonzero(new & firms.foreign))
        before = firms.per_province() - entrants[0] + exits
        survival = np.divide(before - exits, before, out=np.ones(self.geo.n), where=before > 0)
        self.capital.accumulate(*self.investment(entrants, profits, self.capital.reinvestment), survival)

    # ---------------------------------------------------------------------------------------- the step
    def step(self) -> None:
        """Advance one step in the order stated in the class docstring."""
        self.update_productivity()
        self.apply_policies()
        self.zones.become_known(1.0 / self.steps_per_year)
        self.zones.prove(self.firms.zone_occupancy(len(self.zones)))
        self.migrate()
        self.firms.approvals()
        self.equilibrium = self.solve_within_capacity()
        self.zone_output = self.measure_zones()
        profits = self.reinvestable_profits()
        entrants, exits = self.firm_dynamics()
        self.accumulate_capital(profits, exits)
        heads = self.match_jobs()
        self.update_accounts(entrants, exits, heads)

    def measure_zones(self) -> dict[str, np.ndarray]:
        """Jobs, exports and profit tax of each zone's firms at the current equilibrium (model units)."""
        return self.firms.zone_production(
            self.equilibrium, self.zones, self.market.labour_cost_share, self.levers["corporate_tax"]
        )

    def migrate(self) -> None:
        """Step 2: workers reconsider where to live; the realised flows are this step's migration."""
        flows = self.workers.migrate(
            self.equilibrium.expected_real_wage,
            self.streams["workers"],
            self.sampling,
            self.steps_per_year,
            self.calendar.opens_year(self.steps),
        )
        self.workers.age()
        self.flows = flows * self.persons_per_agent

    def labour(self) -> Labour:
        """Where people live and work now, as the solver sees it."""
        ppa = self.persons_per_agent
        home, work, agents = self.workers.commuting()
        return Labour(
            workers=self.workers.residents() * ppa,
            farmers=self.farmers,
            commute_home=home,
            commute_work=work,
            commute_persons=agents * ppa,
        )

    def firm_block(self) -> FirmBlock:
        """The producing firms as the solver sees them (zone incentives and tax rates applied)."""
        return self.firms.block(
            self.market.sigma,
            self.levers["corporate_tax"],
            self.zones,
            self.steps,
            learning=(self.strength["learning_gain"], self.params["economy"]["learning_years"], self.steps_per_year),
        )

    def solve(self) -> Equilibrium:
        """Step 4: the short-run equilibrium now, warm-started from the last one."""
        return solve(self.market, self.labour(), self.firm_block(), self.equilibrium)

    def solve_within_capacity(self) -> Equilibrium:
        """Step 4: the equilibrium, with no zone's jobs above its capacity in jobs.

        Zone firms grow with demand; when a zone's jobs outgrow its capacity, its newest firms move out to wait for
        room (:meth:`Firms.crowd_out <sez_sim.agents.firms.Firms.crowd_out>`) and the equilibrium is solved again.
        """
        eq = self.solve()
        for _ in range(CROWD_OUT_ROUNDS):
            if not self.firms.crowd_out(eq, self.zones, self.zone_capacity(), self.market.labour_cost_share):
                return eq
            self.equilibrium = eq
            eq = self.solve()
        raise ConvergenceError(f"zone jobs still above capacity after {CROWD_OUT_ROUNDS} rounds of crowding out", ())

    def zone_capacity(self) -> np.ndarray:
        """Each zone's capacity in jobs, in the model's labour units (persons)."""
        return self.zones.capacity_jobs / self.employment_rate

    def alternatives(self) -> Alternatives:
        """The location options an entrant faces at the current equilibrium (zones' room for jobs included)."""
        return self.firms.alternatives(
            self.market,
            self.equilibrium,
            self.zones,
            self.levers["corporate_tax"],
            self.steps_per_year,
            self.zone_capacity(),
        )

    def firm_dynamics(self) -> tuple[np.ndarray, np.ndarray]:
        """Step 5: losses, exit, relocation or entry, by the firm rule; returns entrants and exits per province."""
        n, rng = self.geo.n, self.streams["firms"]
        none = np.zeros(n)
        if self.firms.rule == FirmRule.FREE_ENTRY:
            return none, none
        self.firms.record_losses(self.equilibrium)
        if self.firms.rule == FirmRule.RELOCATION:
            tax = self.levers["corporate_tax"]
            self.firms.relocate(self.alternatives(), tax, rng, self.sampling, self.steps_per_year)
            return none, none
        exits = self.firms.exit(rng, self.sampling, self.steps_per_year)
        owners = owner_cdfs(self.country, self.workers.residents())
        entrants = self.firms.enter(
            self.alternatives(), self.market, self.country, owners, rng, self.sampling, self.steps, self.steps_per_year
        )
        return entrants, exits

    def match_jobs(self) -> dict[str, np.ndarray]:
        """Step 6: commuters into CBEZ zones first, then the equilibrium's modern jobs to residents.

        Returns:
            The workers' head counts after matching (:meth:`Workers.head_counts
            <sez_sim.agents.workers.Workers.head_counts>`).
        """
        if (self.zones.commuter_home >= 0).any():
            self.workers.commute(self.commuting_targets(), self.streams["workers"])
        return self.workers.allocate_jobs(
            self.equilibrium.employment_m / self.persons_per_agent, self.streams["workers"]
        )

    def commuting_targets(self) -> dict[tuple[int, int], float]:
        """Commuter agents wanted on each (home, work) route: a share of each twin zone's jobs, if worth it.

        A zone with a partner province opens the ``commuting_share`` lever's share of its jobs to the partner's
        residents, who take them when the zone's wage beats their traditional earnings.
        """
        eq = self.equilibrium
        a = eq.traditional_wage
        share = self.levers["commuting_share"]
        out: dict[tuple[int, int], float] = {}
        for z in np.flatnonzero(self.zones.commuter_home >= 0):
            home, work = int(self.zones.commuter_home[z]), int(self.zones.province[z])
            jobs = self.zone_output["jobs"][z]
            wanted = share[z] * jobs / self.persons_per_agent if eq.wage[work] > a[home] else 0.0
            out[(home, work)] = out.get((home, work), 0.0) + wanted
        return out

    def run(self, years: float | None = None, steps: int | None = None) -> SEZModel:
        """Run for ``years`` (calendar years) or ``steps``; returns the model."""
        for _ in range(steps if steps is not None else self.calendar.steps(years or 0)):
            self.step()
        return self

    @property
    def year(self) -> float:
        """Calendar year at the end of the current step (the year of its record)."""
        return self.calendar.end(self.steps)

    # ---------------------------------------------------------------------------------------- accounts
    def update_accounts(
        self, entrants: np.ndarray, exits: np.ndarray, heads: dict[str, np.ndarray] | None = None
    ) -> None:
        """Step 7: this step's accounts, once; then the province agents and the recorder read them.

        Stocks are measured at the end of the step (residents after migration, the equilibrium, the firms after
        entry and exit, jobs after matching); flows are what happened during it (migrants, entrants, exits).
        ``heads`` are the workers' head counts when the caller has them (the step's job matching counts them).
        """
        n, ppa, eq = self.geo.n, self.persons_per_agent, self.equilibrium
        heads = self.workers.head_counts() if heads is None else heads
        population = heads["residents"] * ppa + self.farmers
        firms = self.firms
        foreign = firms.foreign
        rate = self.employment_rate
        in_zone = np.zeros(n)
        if len(self.zones):
            np.add.at(in_zone, self.zones.province, firms.zone_occupancy(len(self.zones)))
        foreign_firms = firms.per_province(np.flatnonzero(foreign))
        modern, traditional = heads["modern"] * ppa, heads["traditional"] * ppa + self.farmers
        wage_m, wage_a = eq.wage / rate, eq.traditional_wage / rate
        self.accounts = {
            "population": population,
            "workers_m": modern,
            "workers_a": traditional,
            "firms": firms.per_province(),
            "firms_foreign": foreign_firms,
            "firms_in_zone": in_zone,
            "entrants": np.asarray(entrants, float),
            "exits": np.asarray(exits, float),
            "wage_m": wage_m,
            "wage_a": wage_a,
            "real_wage_m": wage_m / eq.cost_of_living,
            "real_wage_a": wage_a / eq.cost_of_living,
            "earnings_gini": metrics.two_class_gini(modern, traditional, eq.wage, eq.traditional_wage),
            "gdp": eq.gdp / 1e6,
            "gdp_per_capita": np.divide(eq.gdp, population, out=np.zeros(n), where=population > 0),
            "real_income": eq.real_income,
            "fdi_stock": self.capital.foreign / 1e6,
            "capital_stock": self.capital.stock / 1e6,
            "domestic_stock": (self.capital.stock - self.capital.foreign) / 1e6,
            # Annual rates at the step's equilibrium, over the step (nothing at the start, a moment).
            "profit_tax": eq.tax_revenue * (1.0 if self.steps else 0.0) / (1e6 * self.steps_per_year),
            "taxable_profit": eq.taxable_profit * (1.0 if self.steps else 0.0) / (1e6 * self.steps_per_year),
            "migrants_in": self.flows.sum(axis=0),
            "migrants_out": self.flows.sum(axis=1),
            "commuters_in": heads["commuters_in"] * ppa,
        }
        assert self.accounts.keys() == ACCOUNTS.keys()
        self.zone_accounts = self.account_zones()
        self.recorder.collect(self)

    def account_zones(self) -> dict[str, np.ndarray]:
        """Per zone, this step: the columns of :data:`sez_sim.results.ZONE_COLUMNS`.

        Capacity and jobs are in jobs (workers); a foreign entrant invests the entry cost in the host's mean profits
        (as in ``fdi_stock``); exports and profit tax paid and forgone are a year's at the step's equilibrium (US$ m).
        """
        zones, out, sez = self.zones, self.zone_output, self.params["sez"]
        counts = self.firms.zone_counts(len(zones), self.steps)
        capacity = zones.capacity_jobs
        construction = np.maximum(capacity - self._capacity_built, 0.0) * sez["construction_cost_per_job"] / 1e6
        self._capacity_built = np.maximum(capacity, self._capacity_built)
        operation = (
            zones.active * self._capacity_built * sez["construction_cost_per_job"] * sez["operation_cost_share"]
        ) / (1e6 * self.steps_per_year)
        programme = np.zeros(len(zones))
        for policy in self.policies:
            targets, cost = policy.spending(self.calendar.start(self.steps), self.config.start_year)
            np.add.at(programme, targets, cost / self.steps_per_year)
        jobs = out["jobs"] * self.employment_rate
        invested = self.params["firms"]["entry_cost"] * self.firms.choice.profit_unit[zones.province]
        year = 1e6 * self.steps_per_year  # annual rates in model currency -> US$ m in the step
        span = 1.0 if self.steps else 0.0  # the start (step 0) is a moment: no flows
        construction, operation, programme = construction * span, operation * span, programme * span
        return {
            "active": zones.active.copy(),
            "management": zones.managed,
            "awareness": zones.awareness.copy(),
            "record": zones.record.copy(),
            "credibility": zones.credibility.copy(),
            "prospects": self.prospects(),
            "capacity_slots": zones.capacity.copy(),
            "capacity_jobs": capacity,
            "jobs": jobs,
            "firms": counts["firms"],
            "firms_foreign": counts["firms_foreign"],
            "waiting": counts["waiting"],
            "occupancy": np.divide(jobs, capacity, out=np.full(len(zones), np.nan), where=capacity > 0),
            "investment": span * counts["foreign_entrants"] * invested / 1e6,
            "exports": out["exports"] / 1e6,
            "tax_revenue": span * out["tax_revenue"] / year,
            "tax_forgone": span * out["tax_forgone"] / year,
            "construction": construction,
            "operation": operation,
            "programme": programme,
            "public_cost": construction + operation + programme,
        }

    def prospects(self) -> np.ndarray:
        """Potential entrants a year who consider each active zone: its consideration times the streams that reach it.

        The streams that may choose a zone are its host country's domestic stream and the foreign stream.
        """
        choice, zones = self.firms.choice, self.zones
        if not len(zones) or not len(choice.stream_country):
            return np.zeros(len(zones))
        rates = choice.stream_rates()
        foreign = rates[choice.stream_country < 0].sum()
        domestic = np.bincount(
            choice.stream_country[choice.stream_country >= 0],
            rates[choice.stream_country >= 0],
            minlength=len(self.country_names),
        )
        reach = domestic[self.country[zones.province]] + foreign
        return zones.active * zones.consideration * reach * self.steps_per_year

    def state(self) -> dict[str, np.ndarray]:
        """Copies of every agent array and the equilibrium (used to compare runs bit for bit)."""
        out = {f"workers.{k}": v for k, v in self.workers.snapshot().items()}
        out |= {f"firms.{k}": v for k, v in self.firms.snapshot().items()}
        out |= {f"eq.{k}": np.asarray(v) for k, v in self.equilibrium.__dict__.items() if isinstance(v, np.ndarray)}
        return out
