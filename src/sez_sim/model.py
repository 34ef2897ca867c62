"""SEZModel: assembles geography, economy, firms, workers, provinces and policies into one Mesa model."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from sez_sim.agents.firms import Firms, productivity_grid
from sez_sim.agents.province import ACCOUNTS, Province
from sez_sim.agents.sampling import SAMPLING_MODES
from sez_sim.agents.workers import M_SECTOR, Workers
from sez_sim.economy.calibration import (
    InitialFirms,
    allocate,
    calibrate,
    draw_owners,
    owner_cdfs,
)
from sez_sim.economy.equilibrium import Equilibrium, FirmBlock, Labour, solve
from sez_sim.economy.presets import PRESETS, core_periphery, textbook_market
from sez_sim.geography import Geography, load_gms, two_region
from sez_sim.params import defaults, per_country, per_pair
from sez_sim.policies.zones import ZoneTable, existing_zones
from sez_sim.results import Recorder

STREAMS = ("init", "firms", "workers", "policies", "mesa")
"""Named random streams spawned from one SeedSequence per run."""

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
    out = defaults()
    for layer in (PRESET_DEFAULTS[preset], overrides or {}):
        for section, values in layer.items():
            out.setdefault(section, {}).update(values)
    return out


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
        policies: policy instruments (objects with ``setup(model)`` and ``step(model)``).
        existing_zones: open the dataset's zones that operate by the start year (calibrated models only).
    """

    preset: str = "gms"
    geography: Geography | Callable[[], Geography] | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=lambda: resolve_params("gms"))
    persons_per_agent: float = 1000.0
    sampling: str = "controlled"
    textbook_agents: int = 1000
    initial_shares: tuple[float, ...] | None = None
    start_year: int = 2019
    steps_per_year: int = 4
    seed: int = 0
    policies: list[Any] = field(default_factory=list)
    existing_zones: bool = True


class SEZModel(mesa.Model):
    """The sez-sim agent-based model.

    One step (a quarter by default) runs, in this order:

    1. **policies**: instruments whose time has come take effect (zones open and fill their build-out, OSSCs cut
       approval times, corridors and borders change trade costs, regimes change barriers and floors);
    2. **approvals**: firms waiting for investment approval count down; approved firms start producing;
    3. **equilibrium**: the short-run equilibrium is solved for the producing firms, the residents and the
       commuters, warm-started from the previous step;
    4. **firms**: loss streaks are updated from after-tax profits; firms exit after sustained losses and by the
       hazard; under footloose capital a share relocate; potential entrants choose a location (or stay out) by
       logit on expected after-tax profit and join the approval queue;
    5. **jobs**: modern jobs from the equilibrium are matched to workers (commuters first, then residents);
    6. **accounts**: provinces (Mesa agents) refresh their accounts and the recorder stores the province panel
       and the step's aggregates;
    7. **migration**: workers reconsider where to live (logit, or best response in the textbook presets);
       movers leave their modern jobs; the flows are added to the step's record.

    Random numbers come from one ``SeedSequence`` per run, spawned into the streams named in :data:`STREAMS`,
    so paired runs with the same seed share the noise of each part (common random numbers).

    Attributes:
        config: the configuration.
        geo: the geography.
        market: the solver's market (trade costs, world, wage floors, TFP).
        equilibrium: the latest short-run equilibrium.
        firms, workers: the populations.
        zones: the zone table.
        provinces: the Province agents (an AgentSet, in node order).
        space: the Mesa Network of provinces.
        recorder: the collected outputs.
    """

    def __init__(self, config: ModelConfig | None = None, **changes: Any):
        config = config or ModelConfig()
        if changes:
            config = ModelConfig(**{**config.__dict__, **changes})
        if config.sampling not in SAMPLING_MODES:
            raise ValueError(f"sampling must be one of {SAMPLING_MODES}, got {config.sampling!r}")
        self.config = config
        children = np.random.SeedSequence(config.seed).spawn(len(STREAMS))
        self.streams = {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}
        super().__init__(rng=self.streams["mesa"])
        self.params = config.params
        self.steps_per_year = config.steps_per_year
        self.persons_per_agent = float(config.persons_per_agent)
        self.sampling = config.sampling
        self.preset = config.preset

        econ = self.params["economy"]
        geo = config.geography() if callable(config.geography) else config.geography
        if geo is None:
            geo = load_gms(crossing_cost_km=econ["crossing_cost_km"]) if config.preset == "gms" else two_region(0.5)
        self.geo = geo
        self.country = geo.countries()
        self.country_names = geo.country_names()
        self.firms = Firms(self.params["firms"])
        self.workers = Workers(self.params["workers"])
        self.zones = ZoneTable()
        self.farmers = np.zeros(geo.n)
        self.jobs_per_firm = np.ones(geo.n)
        self.zone_jobs = np.zeros(0)
        self.policies = [p.model_copy(deep=True) if hasattr(p, "model_copy") else p for p in config.policies]
        self.refresh_levers()
        builder = {"gms": self._build_gms, "core_periphery": self._build_cp, "footloose_capital": self._build_fc}
        builder[config.preset]()

        self.space = Network(geo.graph, layout=geo.layout(), random=self.random)
        self.provinces = mesa.agent.AgentSet(
            [
                Province(self, i, row.id, row.name, row.country)
                for i, row in enumerate(geo.provinces[["id", "name", "country"]].itertuples(index=False))
            ],
            random=self.random,
        )
        for policy in self.policies:
            policy.check(self.geo)
            policy.setup(self)
        self.recorder = Recorder(self)
        self.flows = np.zeros((geo.n, geo.n))
        self._update_accounts()
        self.recorder.collect(self)

    # ---------------------------------------------------------------------------------------- levers
    def refresh_levers(self) -> None:
        """Re-read the per-country levers (taxes, minimum wages, approval, red tape, barriers) from params."""
        econ, firms, workers = self.params["economy"], self.params["firms"], self.params["workers"]
        names = self.country_names
        self.country_tax = np.asarray(per_country(econ["corporate_tax"], names))[self.country]
        self.firms.approval_days = np.asarray(per_country(firms["approval_days"], names))[self.country]
        self.firms.red_tape = np.asarray(per_country(firms["red_tape"], names))[self.country]
        self.barrier = np.asarray(per_pair(workers["border_barrier"], names))
        if hasattr(self, "market"):
            minimum = np.asarray(per_country(econ["minimum_wage"], names))[self.country] * econ["employment_rate"]
            if self.market.dual and self.preset == "gms":
                self.market.minimum_wage = minimum
            self.workers.static_costs(self.geo.distance, self.country, self.barrier)

    # ---------------------------------------------------------------------------------------- building
    def _worker_counts(self) -> np.ndarray:
        """Worker agents per province: population / persons_per_agent, at least one.

        Rounded by largest remainder, so each province is within about half an agent of its population.
        """
        pop = self.geo.provinces["population"].to_numpy(float)
        return np.maximum(allocate(int(round(pop.sum() / self.persons_per_agent)), pop, 0), 1)

    def _build_gms(self) -> None:
        econ, fp = self.params["economy"], self.params["firms"]
        rng = self.streams["init"]
        counts = self._worker_counts()
        population = counts * self.persons_per_agent
        cal = calibrate(
            self.geo,
            econ,
            n_firms=int(fp["count"]),
            min_firms=int(fp["min_per_province"]),
            allocation_elasticity=fp["allocation_elasticity"],
            foreign_share=fp["foreign_share"],
            productivity=lambda p: rng.choice(productivity_grid(fp["pareto_shape"], fp["pareto_top"]), len(p)),
            rng=rng,
            population=population,
        )
        self.firms.base_fixed_labour = cal.fixed_labour
        self._load_stock(cal.firms)
        self.market, self.equilibrium = cal.market, cal.equilibrium
        self.jobs_per_firm = cal.equilibrium.employment_m / np.maximum(
            np.bincount(cal.firms.province, minlength=self.geo.n), 1
        )
        self.workers.populate(counts, self.country, rng)
        if self.config.existing_zones:
            self._open_existing_zones(rng)
        # Recalibrate with the zones' incentives in place; entry costs are then measured in local mean profits.
        self._recalibrate(population)
        self.firms.profit_unit = self._mean_profit()
        self.refresh_levers()
        # Entry attractiveness for this stock; then redraw productivities and owners from the distribution that
        # entry and exit sustain at each location, recalibrate, and calibrate entry again, until the stock and the
        # entrants agree (a steady state). The composition feeds back on itself with a negative sign (foreign
        # profits leave the region), so after the first round only half the stock is redrawn: a damped fixed point.
        for round_ in range(5):
            alts = self._alternatives()
            self.firms.calibrate_entry(alts, self.market.sigma, self.country, self.steps_per_year)
            # The last round only redraws the firms that make losses at the recalibrated equilibrium (marginal
            # firms left behind when recalibration moved the profitability cutoff).
            losing = self.equilibrium.firm_net_profit < 0
            which = losing if round_ == 4 else (1.0 if round_ == 0 else 0.5)
            self._steady_stock(alts, rng, fraction=which)
            self._recalibrate(population, tolerance=1e-10 if round_ == 4 else 1e-7)
        self.firms.calibrate_entry(self._alternatives(), self.market.sigma, self.country, self.steps_per_year)
        self.firms.start(self.streams["firms"], self.geo.n)
        self._fill_approval_queue(rng)
        self.workers.allocate_jobs(self.equilibrium.employment_m / self.persons_per_agent, rng)
        self.workers.calibrate(self.equilibrium.expected_real_wage)
        self.firm_rule = "entry_exit"

    def _fill_approval_queue(self, rng: np.random.Generator) -> None:
        """Put the steady state's approval queue in place: entrants of the last few steps, still waiting.

        Without it production would dip at the start while the first entrants wait for approval.
        """
        alts = self._alternatives()
        owners = owner_cdfs(self.country, self.workers.residents())
        for ago in range(int(alts.approval_steps.max(initial=0))):
            before = len(self.firms)
            self.firms.enter(alts, self.market, self.country, owners, rng, self.sampling, -ago, self.steps_per_year)
            waiting = self.firms["approval_left"][before:] - ago
            self.firms["approval_left"][before:] = waiting
            self.firms.remove(before + np.flatnonzero(waiting <= 0))

    def _recalibrate(self, population: np.ndarray, tolerance: float = 1e-10) -> None:
        """Calibrate the economy around the current firm stock, zone incentives and taxes included."""
        f = self.firms
        stock = InitialFirms(
            f["province"].copy(), f["productivity"].copy(), f["owner"].copy(), f["fixed_labour"].copy()
        )
        cal = calibrate(
            self.geo,
            self.params["economy"],
            n_firms=0,
            min_firms=0,
            allocation_elasticity=0.0,
            foreign_share=0.0,
            productivity=lambda p: p,
            rng=self.streams["init"],
            population=population,
            stock=stock,
            make_block=lambda _: self._block(),
            tolerance=tolerance,
        )
        self.market, self.equilibrium = cal.market, cal.equilibrium

    def _open_existing_zones(self, rng: np.random.Generator) -> None:
        """Open the dataset's operating zones, full: each takes its capacity's worth of the host's firm agents.

        A zone holds at most half of its host's firm agents. Members are part-way through their tax holiday, as
        firms of a steady state would be (ages drawn from the exit hazard). Starting full keeps the baseline a
        steady state: slots freed by exits are refilled by entrants, who prefer the zone.
        """
        hazard = self.params["firms"]["hazard"] / self.steps_per_year
        for z in existing_zones(self, self.config.start_year):
            i = int(self.zones.province[z])
            free = np.flatnonzero((self.firms["province"] == i) & (self.firms["zone"] < 0))
            here = int(np.sum(self.firms["province"] == i))
            members = rng.permutation(free)[: int(min(self.zones.capacity[z], 0.5 * here))]
            self.zones.capacity[z] = members.size
            self.firms["zone"][members] = z
            age = rng.geometric(max(hazard, 1e-9), size=members.size) - 1
            holiday = int(round(self.zones.holiday_years[z] * self.steps_per_year))
            self.firms["holiday_until"][members] = holiday - age

    def add_zone(self, name: str, province: int, **attrs: Any) -> int:
        """Add a zone (policies and the dataset's zones) to the zone table; returns its index."""
        return self.zones.add(name, province=province, **attrs)

    def geography_changed(self) -> None:
        """Refresh everything that depends on trade costs after a policy changed links or crossings."""
        econ = self.params["economy"]
        if self.geo.freeness_override is None:
            sigma, kappa = self.market.sigma, econ["kappa"]
            self.market.phi = self.geo.freeness(sigma, kappa)
            if self.preset == "gms":
                world = np.exp(-kappa * (sigma - 1.0) * self.geo.port_distance(econ["sea_cost_km"]))
                self.market.phi_world = np.nan_to_num(world, nan=0.0)
        self.workers.static_costs(self.geo.distance, self.country, self.barrier)

    @property
    def step_year(self) -> float:
        """Calendar year at the start of the current step (policies act on it)."""
        return self.config.start_year + max(self.steps - 1, 0) / self.steps_per_year

    def _mean_profit(self) -> np.ndarray:
        """Mean operating profit per firm agent in each province at t = 0 (the unit of entry costs)."""
        province = self.firms["province"]
        total = np.bincount(province, self.equilibrium.firm_profit, minlength=self.geo.n)
        return total / np.maximum(np.bincount(province, minlength=self.geo.n), 1)

    def _load_stock(self, stock: InitialFirms) -> None:
        self.firms.remove(np.arange(len(self.firms)))
        self.firms.add(
            len(stock),
            province=stock.province,
            productivity=stock.productivity,
            owner=stock.owner,
            fixed_labour=stock.fixed_labour,
        )

    def _steady_stock(self, alts: Any, rng: np.random.Generator, fraction: float | np.ndarray = 1.0) -> None:
        """Redraw productivities and owners of (a random ``fraction`` of, or the flagged) firms from the entrants.

        Each firm is redrawn from the entrants who take its own option (outside zones in its province, or its zone).
        """
        p, n = self.params["firms"], self.geo.n
        z = productivity_grid(p["pareto_shape"], p["pareto_top"])
        prob, share = self.firms.stream_probabilities(
            self.firms.option_values(alts, z, self.market.sigma), alts, self.country
        )
        host = alts.province[n:]
        arrivals = prob * self.firms.stream_rates()[:, None, None]  # streams x pool x provinces
        inside = arrivals[:, :, host] * share  # ... who take each zone
        outside = arrivals.copy()
        np.subtract.at(outside, (slice(None), slice(None), host), inside)
        weight = np.concatenate([outside, inside], axis=2).reshape(-1, n + len(host))  # (stream, pool) x options
        cdf = np.cumsum(np.maximum(weight, 0.0), axis=0)
        option = self.firms.option_of(n)
        u = rng.random(len(option))
        pick = np.zeros(len(option), dtype=np.int64)
        for o in np.unique(option):
            rows = np.flatnonzero(option == o)
            pick[rows] = np.searchsorted(cdf[:, o], u[rows] * cdf[-1, o], side="right")
        province = self.firms["province"]
        stream, pool = np.divmod(np.minimum(pick, cdf.shape[0] - 1), len(z))
        foreign = self.firms.stream_country[stream] < 0
        pop = self.geo.provinces["population"].to_numpy(float)
        owner = draw_owners(self.country, pop, province, foreign.astype(float), rng)
        redraw = fraction if isinstance(fraction, np.ndarray) else rng.random(len(province)) < fraction
        self.firms["productivity"][redraw] = z[pool][redraw]
        self.firms["owner"][redraw] = owner[redraw]

    def _build_cp(self) -> None:
        econ = self.params["economy"]
        n_agents = int(self.config.textbook_agents)
        shares = np.asarray(self.config.initial_shares or (0.5,) * self.geo.n, float)
        counts = allocate(n_agents, shares / shares.sum(), 0)
        total = n_agents * self.persons_per_agent
        self.market, labour = core_periphery(self.geo, econ["sigma"], econ["mu"], counts / n_agents, workers=total)
        self.farmers = labour.farmers
        self.workers.populate(counts, self.country, self.streams["init"])
        self.workers.rule = "best_response"
        self.workers.static_costs(self.geo.distance, self.country, self.barrier)
        self.equilibrium = solve(self.market, labour, FirmBlock.empty())
        self.workers.allocate_jobs(self.equilibrium.employment_m / self.persons_per_agent, self.streams["init"])
        self.firms.profit_unit = np.zeros(self.geo.n)
        self.firm_rule = "free_entry"

    def _build_fc(self) -> None:
        econ = self.params["economy"]
        rng = self.streams["init"]
        n_firms = int(self.config.textbook_agents)
        shares = np.asarray(self.config.initial_shares or (0.5,) * self.geo.n, float)
        firm_counts = allocate(n_firms, shares / shares.sum(), 0)
        province = np.repeat(np.arange(self.geo.n), firm_counts)
        pop = self.geo.provinces["population"].to_numpy(float)
        self.market = textbook_market(self.geo, econ["sigma"], econ["mu"], free_entry=False)
        self.firms.base_fixed_labour = np.zeros(self.geo.n)
        owner = draw_owners(self.country, pop, province, 0.0, rng)
        self.firms.add(len(province), province=province, owner=owner)
        counts = self._worker_counts()
        self.workers.populate(counts, self.country, rng)
        self.workers.rule = "none"
        self.workers.static_costs(self.geo.distance, self.country, self.barrier)
        self.firms.stream_country = np.zeros(0, np.int64)
        self.firms.start(self.streams["firms"], self.geo.n)
        self.equilibrium = self._solve()
        self.firms.profit_unit = np.full(self.geo.n, float(np.mean(self.equilibrium.firm_profit)) or 1.0)
        self.workers.allocate_jobs(self.equilibrium.employment_m / self.persons_per_agent, rng)
        self.firm_rule = "relocation"

    # ---------------------------------------------------------------------------------------- the step
    def _labour(self) -> Labour:
        ppa = self.persons_per_agent
        home, work, agents = self.workers.commuting()
        return Labour(
            workers=self.workers.residents() * ppa,
            farmers=self.farmers,
            commute_home=home,
            commute_work=work,
            commute_persons=agents * ppa,
        )

    def _block(self) -> FirmBlock:
        return self.firms.block(self.market.sigma, self.country_tax, self.zones, self.steps)

    def _solve(self) -> Equilibrium:
        guess = getattr(self, "equilibrium", None)
        return solve(self.market, self._labour(), self._block(), guess)

    def _alternatives(self) -> Any:
        return self.firms.alternatives(self.market, self.equilibrium, self.zones, self.country_tax, self.steps_per_year)

    def step(self) -> None:
        """Advance one step in the order stated in the class docstring."""
        for policy in self.policies:
            policy.step(self)
        self.firms.approvals()
        self.equilibrium = self._solve()
        self.zone_jobs = self.zone_employment()
        self._firm_dynamics()
        if self.workers.commuting_rules:
            self.workers.commute(self._commuting_targets(), self.streams["workers"])
        self.workers.allocate_jobs(self.equilibrium.employment_m / self.persons_per_agent, self.streams["workers"])
        self.flows = np.zeros((self.geo.n, self.geo.n))
        self._update_accounts()
        self.recorder.collect(self)
        self.flows = self.workers.migrate(
            self.equilibrium.expected_real_wage, self.streams["workers"], self.sampling, self.steps_per_year
        )
        self.workers.age()
        self.recorder.add_flows(self, self.flows * self.persons_per_agent)

    def _firm_dynamics(self) -> None:
        rng = self.streams["firms"]
        if self.firm_rule == "free_entry":
            return
        self.firms.record_losses(self.equilibrium)
        if self.firm_rule == "relocation":
            self.firms.relocate(self._alternatives(), self.country_tax, rng, self.sampling, self.steps_per_year)
            return
        pop = self.workers.residents()
        self.firms.exit(rng, self.sampling, self.steps_per_year, self.geo.n)
        self.firms.enter(
            self._alternatives(),
            self.market,
            self.country,
            owner_cdfs(self.country, pop),
            rng,
            self.sampling,
            self.steps,
            self.steps_per_year,
        )

    def zone_employment(self) -> np.ndarray:
        """Modern jobs (persons) in each zone at the current equilibrium (call right after solving it)."""
        nz = len(self.zones)
        rows = self.firms._block_rows
        zone = self.firms["zone"][rows] if len(rows) else np.zeros(0, np.int64)
        if not nz or len(zone) != len(self.equilibrium.firm_revenue):
            return np.zeros(nz)
        s = self.market.sigma
        province = self.firms["province"][rows]
        fixed = self.firms["fixed_labour"][rows] * np.where(zone >= 0, self.zones.fixed_cost_factor[zone], 1.0)
        jobs = fixed + (s - 1.0) / s * self.equilibrium.firm_revenue / self.equilibrium.wage[province]
        inz = zone >= 0
        return np.bincount(zone[inz], jobs[inz], minlength=nz)

    def _commuting_targets(self) -> dict[tuple[int, int], float]:
        """Commuter agents wanted on each CBEZ route: a share of the zone's jobs, if they pay more than home."""
        jobs = self.zone_jobs
        eq, a = self.equilibrium, self.market.traditional_wage
        out = {}
        for (home, work), (zone, share) in self.workers.commuting_rules.items():
            worth_it = eq.wage[work] > a[home]
            out[(home, work)] = share * jobs[zone] / self.persons_per_agent if worth_it else 0.0
        return out

    def run(self, years: float | None = None, steps: int | None = None) -> SEZModel:
        """Run for ``years`` (calendar years) or ``steps``; returns the model."""
        total = steps if steps is not None else int(round((years or 0) * self.steps_per_year))
        for _ in range(total):
            self.step()
        return self

    @property
    def year(self) -> float:
        """Calendar year at the current step."""
        return self.config.start_year + self.steps / self.steps_per_year

    # ---------------------------------------------------------------------------------------- accounts
    def _update_accounts(self) -> None:
        n, ppa, eq = self.geo.n, self.persons_per_agent, self.equilibrium
        w = self.workers
        residents = w.residents()
        modern = w["sector"] == M_SECTOR
        workplace = np.where(w["workplace"] >= 0, w["workplace"], w["province"])
        population = residents * ppa + self.farmers
        firms = self.firms
        province = firms["province"]
        foreign = firms.foreign
        rate = self.params["economy"]["employment_rate"] if self.preset == "gms" else 1.0
        nz = len(self.zones)
        in_zone = np.zeros(n)
        if nz:
            np.add.at(in_zone, self.zones.province, firms.zone_occupancy(nz))
        commuting = w["workplace"] >= 0
        self.accounts = {
            "population": population,
            "workers_m": np.bincount(workplace[modern], minlength=n) * ppa,
            "workers_a": np.bincount(w["province"][~modern], minlength=n) * ppa + self.farmers,
            "firms": np.bincount(province, minlength=n).astype(float),
            "firms_foreign": np.bincount(province[foreign], minlength=n).astype(float),
            "firms_in_zone": in_zone,
            "wage_m": eq.wage / rate,
            "wage_a": self.market.traditional_wage / rate,
            "gdp": eq.gdp / 1e6,
            "gdp_per_capita": np.divide(eq.gdp, population, out=np.zeros(n), where=population > 0),
            "real_income": eq.real_income,
            "fdi_stock": np.bincount(province[foreign], minlength=n)
            * self.params["firms"]["entry_cost"]
            * firms.profit_unit
            / 1e6,
            "migrants_in": self.flows.sum(axis=0) * ppa,
            "migrants_out": self.flows.sum(axis=1) * ppa,
            "commuters_in": np.bincount(w["workplace"][commuting], minlength=n) * ppa,
            "zone_occupancy": in_zone,
        }
        assert set(self.accounts) == set(ACCOUNTS)
        self.provinces.do("step")

    def state(self) -> dict[str, np.ndarray]:
        """Copies of every agent array and the equilibrium (used to compare runs bit for bit)."""
        out = {f"workers.{k}": v for k, v in self.workers.snapshot().items()}
        out |= {f"firms.{k}": v for k, v in self.firms.snapshot().items()}
        out |= {f"eq.{k}": np.asarray(v) for k, v in self.equilibrium.__dict__.items() if isinstance(v, np.ndarray)}
        return out
