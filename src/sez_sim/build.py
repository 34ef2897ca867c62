"""Constructing a model: the calibrated GMS steady state and the two textbook presets (docs/ODD.md section 5).

A preset's builder (``build_*``, or the stages of :data:`CACHED_PRESETS`) fills a freshly created
:class:`~sez_sim.model.SEZModel` (populations, zones, levers and geography already in place) with its economy, its
firm and worker stocks and their calibration. The order for the ``gms`` preset:

1. workers per province from the population; economy calibrated by inversion (:mod:`sez_sim.economy.calibration`);
2. the dataset's operating zones open, full (:func:`open_dataset_zones`), and the economy is recalibrated with
   their incentives in place; entry costs are measured in the local mean profit;
3. steady state of firms in :data:`STEADY_STATE_ROUNDS` damped rounds: calibrate entry, redraw the stock from the
   entrants of each firm's own option, recalibrate the economy; then calibrate entry once more. Redrawing selects
   more productive firms, which lowers the revenue per unit of productivity that reproduces a province's data and
   so raises the productivity an entrant needs there; where that leaves too few potential entrants able to
   profit (small stocks drawn above the average, costly entry, fast turnover), entry can no longer balance exit.
   Such a round is redone from the last stock whose entry calibration converged with half as many firms redrawn
   (:data:`REDRAW_RETRIES` times), and the rounds then stop at that stock (:func:`steady_state`);
4. the approval queue of the steady state; jobs; amenities and the moving cost (workers' steady state); a
   dataset zone's capacity in jobs grows to hold its members' jobs where they are larger than its slots assumed;
5. the newcomer cost of untried zones, from the FDI a new zone brings its host (:func:`calibrate_newcomer_cost`).

Steps 1-3 (:func:`calibrate_gms`) and steps 4-5 (:func:`set_up_gms`) are the two stages :func:`build` caches.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sez_sim import cache
from sez_sim.agents.firms import FirmRule
from sez_sim.agents.workers import MobilityRule
from sez_sim.economy.calibration import Calibration, InitialFirms, allocate, calibrate, draw_owners, owner_cdfs
from sez_sim.economy.equilibrium import FirmBlock, solve
from sez_sim.economy.presets import core_periphery, textbook_market
from sez_sim.errors import ConvergenceError, Problem, ScenarioError
from sez_sim.params import STAGES, Stage, param, registry
from sez_sim.zones import ZoneTable, dataset_zones, incentives, slots, with_ossc

if TYPE_CHECKING:
    from sez_sim.agents.location_choice import Alternatives
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

STEADY_STATE_ROUNDS = 5
"""Rounds of (calibrate entry, redraw the stock, recalibrate the economy) that make stock and entrants agree."""

FIRST_REDRAW_SHARE = 1.0
"""Share of the stock redrawn from the entrants in the first round (all of it)."""

LATER_REDRAW_SHARE = 0.5
"""Share redrawn in later rounds. The ownership mix feeds back on itself with a negative sign (foreign profits
leave the region, lowering demand where foreign firms are), so a full redraw would oscillate: a damped fixed
point. The last round redraws only the firms making losses at the recalibrated equilibrium."""

REDRAW_RETRIES = 3
"""Times a round whose entry calibration fails is redone from the last stock whose calibration converged, each time
redrawing half as many firms (in that round and the later ones) before the rounds stop there. Redrawing the whole
stock at once can move the economy so far that entry no longer calibrates (``firms.hazard`` at 0.12 and above on the
GMS data, where entrants replace the stock fast): half of it, then the rest over the later rounds, does."""

ROUND_TOLERANCE = 1e-7
"""Calibration tolerance of the intermediate rounds (the stock is redrawn afterwards anyway)."""

FINAL_TOLERANCE = 1e-10
"""Calibration tolerance of the last round: the baseline reproduces the data to about this."""

ZONE_HOST_SHARE = 0.5
"""A dataset zone starts with at most this share of its host's firm agents."""


BYTES_PER_CELL = 8 * 24
"""Memory per (province, province) cell: the float64 matrices a model holds at once (distances and freeness, the
solver's trade flows, migration's destination values and expected flows, the year's flows), with temporaries."""

BYTES_PER_AGENT = 120
"""Memory per worker agent: its arrays with room to grow and the temporaries of a step's rules."""

BYTES_PER_FIRM = 500
"""Memory per firm agent at its peak, in the calibration's redraws of the stock: 470 bytes measured (the GMS model's
peak resident memory with 300,000 firm agents against 30,000, a quarter-year run)."""

SMALLEST_PROVINCE = 0.5
"""A province must have at least this many agents' worth of people (fewer would be rounded up to one agent)."""


def memory_limit() -> float:
    """Bytes a model may plan to use: 80% of this machine's physical memory."""
    try:
        return 0.8 * os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def memory_estimate(provinces: int, agents: float, firms: float = 0.0) -> float:
    """Bytes a model of ``provinces`` provinces, ``agents`` worker and ``firms`` firm agents needs (see above)."""
    return provinces * provinces * BYTES_PER_CELL + agents * BYTES_PER_AGENT + firms * BYTES_PER_FIRM


def resolution_problems(
    geo: Geography, persons_per_agent: float, firms: int = 0, min_per_province: int = 0
) -> list[tuple[str, str]]:
    """What makes a calibrated model of ``geo`` impossible at this resolution.

    Provinces far below one agent, fewer firm agents than the minimum every province is given, or a size beyond
    this machine's memory. Returns (scenario path, message) pairs; empty when all is well.
    """
    pop = geo.provinces["population"].to_numpy(float)
    out = []
    if firms < min_per_province * geo.n:
        out.append(
            (
                "agents.firms.count",
                f"{firms:,} firm agents cannot give each of the {geo.n:,} provinces its "
                f"agents.firms.min_per_province ({min_per_province:,}): give at least {min_per_province * geo.n:,}, "
                "or a smaller minimum",
            )
        )
    small = np.flatnonzero(pop < SMALLEST_PROVINCE * persons_per_agent)
    if small.size:
        i = small[np.argmin(pop[small])]
        out.append(
            (
                "agents.persons_per_agent",
                f"{small.size} province(s) have fewer than {SMALLEST_PROVINCE:g} agent's worth of people (the "
                f"smallest, {geo.provinces['name'].iat[i]}, has {pop[i]:,.0f}); give at most "
                f"{pop.min() / SMALLEST_PROVINCE:,.0f}",
            )
        )
    agents = pop.sum() / persons_per_agent
    need, limit = memory_estimate(geo.n, agents, firms), memory_limit()
    if need > limit:
        # Name the setting that takes most of it.
        key = "agents.firms.count" if firms * BYTES_PER_FIRM > agents * BYTES_PER_AGENT else "agents.persons_per_agent"
        out.append(
            (
                key,
                f"{agents:,.0f} worker agents and {firms:,} firm agents on {geo.n:,} provinces need about "
                f"{need / 2**30:,.1f} GiB; this machine allows {limit / 2**30:.1f} GiB (raise "
                "agents.persons_per_agent, lower agents.firms.count or use fewer provinces)",
            )
        )
    return out


def worker_counts(model: SEZModel) -> np.ndarray:
    """Worker agents per province: population / persons_per_agent, at least one.

    Rounded by largest remainder, so each province is within about half an agent of its population.
    """
    pop = model.geo.provinces["population"].to_numpy(float)
    return np.maximum(allocate(int(round(pop.sum() / model.persons_per_agent)), pop, 0), 1)


def calibrate_gms(model: SEZModel) -> None:
    """The economy's calibration and the firms' steady state (the module's steps 1-3).

    Raises:
        ScenarioError: when the geography cannot be represented at the model's resolution.
    """
    problems = resolution_problems(model.geo, model.persons_per_agent)
    if problems:
        raise ScenarioError([Problem("model", where, message) for where, message in problems])
    econ, fp = model.params["economy"], model.params["firms"]
    rng = model.streams["init"]
    firms, choice = model.firms, model.firms.choice
    counts = worker_counts(model)
    population = counts * model.persons_per_agent
    grid = choice.grid()
    cal = calibrate(
        model.geo,
        econ,
        n_firms=int(fp["count"]),
        min_firms=int(fp["min_per_province"]),
        allocation_elasticity=fp["allocation_elasticity"],
        foreign_share=fp["foreign_share"],
        productivity=lambda p: rng.choice(grid, len(p)),
        rng=rng,
        population=population,
        capital_share=model.strength["capital_share"],
    )
    choice.fixed_labour = cal.fixed_labour
    load_stock(model, cal.firms)
    model.market, model.equilibrium = cal.market, cal.equilibrium
    model.jobs_per_firm = cal.equilibrium.employment_m / np.maximum(firms.per_province(), 1)
    model.workers.populate(counts, model.country, rng)
    if model.config.existing_zones:
        open_dataset_zones(model, rng)
    cal = recalibrate(model, population, cal)
    choice.profit_unit = mean_profit(model)
    model.steady_state_rounds = steady_state(model, population, rng, cal)


def set_up_gms(model: SEZModel) -> None:
    """What follows the steady state: approval queue, jobs, workers' moving costs, zones (steps 4-5)."""
    rng = model.streams["init"]
    firms = model.firms
    firms.start(model.streams["firms"])
    fill_approval_queue(model, rng)
    model.workers.allocate_jobs(model.equilibrium.employment_m / model.persons_per_agent, rng)
    model.workers.calibrate(model.equilibrium.expected_real_wage)
    fit_dataset_zones(model)
    calibrate_newcomer_cost(model)
    firms.rule = FirmRule.ENTRY_EXIT


def build_core_periphery(model: SEZModel) -> None:
    """Core-periphery: mobile workers split by ``initial_shares``, immobile farmers, free entry of firms."""
    econ = model.params["economy"]
    n_agents = int(model.config.textbook_agents)
    shares = np.asarray(model.config.initial_shares or (0.5,) * model.geo.n, float)
    counts = allocate(n_agents, shares / shares.sum(), 0)
    total = n_agents * model.persons_per_agent
    model.market, labour = core_periphery(
        model.geo, econ["sigma"], econ["mu"], counts / n_agents, workers=total, kappa=econ["kappa"]
    )
    model.farmers = labour.farmers
    model.workers.populate(counts, model.country, model.streams["init"])
    model.workers.rule = MobilityRule.BEST_RESPONSE
    model.equilibrium = solve(model.market, labour, FirmBlock.empty())
    model.workers.allocate_jobs(model.equilibrium.employment_m / model.persons_per_agent, model.streams["init"])
    model.firms.rule = FirmRule.FREE_ENTRY


def build_footloose_capital(model: SEZModel) -> None:
    """Footloose capital: firm agents split by ``initial_shares``, owned at home, immobile workers."""
    econ = model.params["economy"]
    rng = model.streams["init"]
    n_firms = int(model.config.textbook_agents)
    shares = np.asarray(model.config.initial_shares or (0.5,) * model.geo.n, float)
    province = np.repeat(np.arange(model.geo.n), allocate(n_firms, shares / shares.sum(), 0))
    pop = model.geo.provinces["population"].to_numpy(float)
    model.market = textbook_market(model.geo, econ["sigma"], econ["mu"], econ["kappa"], free_entry=False)
    owner = draw_owners(model.country, pop, province, 0.0, rng)
    model.firms.add(len(province), province=province, owner=owner)
    model.workers.populate(worker_counts(model), model.country, rng)
    model.workers.rule = MobilityRule.NONE
    model.firms.start(model.streams["firms"])
    model.equilibrium = model.solve()
    model.firms.choice.profit_unit = np.full(model.geo.n, float(np.mean(model.equilibrium.firm_profit)) or 1.0)
    model.workers.allocate_jobs(model.equilibrium.employment_m / model.persons_per_agent, rng)
    model.firms.rule = FirmRule.RELOCATION


BUILDERS = {"core_periphery": build_core_periphery, "footloose_capital": build_footloose_capital}
"""The builder of each preset that is not cached (they build in milliseconds)."""

CACHED_PRESETS: dict[str, tuple[tuple[Stage, Callable[[SEZModel], None]], ...]] = {
    "gms": (("calibration", calibrate_gms), ("setup", set_up_gms)),
}
"""Presets whose construction is cached (:func:`build`), as the stages that build them, in order."""

BUILD_STATE = (
    "firms",
    "workers",
    "zones",
    "levers",
    "farmers",
    "jobs_per_firm",
    "zone_output",
    "_capacity_built",
    "market",
    "equilibrium",
    "steady_state_rounds",
    "calibration_gap",
)
"""The model attributes a builder sets; with the random streams' states they are the whole of a built model."""


def build(model: SEZModel) -> cache.Lookup | None:
    """Fill ``model`` by its preset's builder, or restore the same result from the cache (:mod:`sez_sim.cache`).

    A cached preset is built in stages (:data:`CACHED_PRESETS`), each stored as an entry of its own: the result of
    the latest stage found in the cache is restored and the stages after it are run (and stored). A stage's key
    covers everything it and the stages before it read: the geography's content, the parameters they read
    (:attr:`~sez_sim.params.Param.construction`), the resolution, sampling, calendar, seed, dataset zones and
    mechanisms, the versions of numpy and scipy, and the package's code. The restored state refers to this model's
    parameter sections (the populations keep their section to read in the steps), so parameters that construction
    does not read take this run's values.
    A restored model is bit-identical to a freshly built one, random streams included, so runs do not depend on
    whether the cache was used. ``model.restored_stage`` names the stage restored (None: built from scratch).

    Returns:
        The lookup of the whole construction (hit or miss, and why), or None for presets that are not cached.
    """
    preset = model.config.preset
    model.restored_stage = None
    if preset not in CACHED_PRESETS:
        BUILDERS[preset](model)
        return None
    stages = CACHED_PRESETS[preset]
    sections = {f"params.{name}": section for name, section in model.params.items()}
    lookups: dict[str, cache.Lookup] = {}
    start = 0
    geography = model.geo.digest()  # once for all the stages' keys
    for k in reversed(range(len(stages))):
        stage = stages[k][0]
        lookups[stage] = cache.load(build_key(model, stage, geography), sections)
        if lookups[stage].hit:
            _restore(model, lookups[stage].value)
            model.restored_stage, start = stage, k + 1
            break
    for stage, run in stages[start:]:
        run(model)
        cache.store(lookups[stage].key, _snapshot(model), sections)
    return lookups[stages[-1][0]]


def _snapshot(model: SEZModel) -> tuple[dict, dict]:
    """What a stage leaves: the :data:`BUILD_STATE` attributes and the random streams' states."""
    state = {name: getattr(model, name) for name in BUILD_STATE}
    return state, {name: g.bit_generator.state for name, g in model.streams.items()}


def _restore(model: SEZModel, snapshot: tuple[dict, dict]) -> None:
    state, streams = snapshot
    for name in BUILD_STATE:
        setattr(model, name, state[name])
    for name, generator in model.streams.items():
        generator.bit_generator.state = streams[name]


def build_key(model: SEZModel, stage: Stage = "setup", geography: str | None = None) -> str:
    """The cache key of ``model``'s construction up to the end of ``stage`` (see :func:`build`).

    ``geography`` is ``model.geo.digest()``, when the caller has it.
    """
    import scipy

    config = model.config
    read = STAGES[: STAGES.index(stage) + 1]
    inputs = {
        "stage": stage,
        "geography": model.geo.digest() if geography is None else geography,
        "params": construction_params(config.params, read),
        "preset": config.preset,
        "persons_per_agent": config.persons_per_agent,
        "sampling": str(config.sampling),
        "calendar": [config.start_year, config.steps_per_year],
        "seed": config.seed,
        "existing_zones": config.existing_zones,
        "mechanisms": model.mechanisms.on(),
        "libraries": [np.__version__, scipy.__version__],
    }
    return cache.key("build", inputs)


def construction_params(params: dict[str, dict[str, Any]], stages: tuple[Stage, ...]) -> dict[str, dict[str, Any]]:
    """The parameter values the given stages of construction may read (:attr:`~sez_sim.params.Param.construction`).

    A parameter the registry does not know is kept (it may be read).
    """
    known = registry()
    return {
        section: {
            name: value
            for name, value in values.items()
            if f"{section}.{name}" not in known or known[f"{section}.{name}"].construction in stages
        }
        for section, values in params.items()
    }


# ---------------------------------------------------------------------------------------------------- steps
def load_stock(model: SEZModel, stock: InitialFirms) -> None:
    """Replace the firm population by ``stock``."""
    firms = model.firms
    firms.remove(np.arange(len(firms)))
    firms.add(
        len(stock),
        province=stock.province,
        productivity=stock.productivity,
        owner=stock.owner,
        fixed_labour=stock.fixed_labour,
    )


def recalibrate(
    model: SEZModel, population: np.ndarray, warm: Calibration, tolerance: float = FINAL_TOLERANCE
) -> Calibration:
    """Calibrate the economy around the current firm stock, zone incentives and taxes included.

    The stock changed only in part since ``warm`` (zones opened, some firms redrawn): the calibration starts from
    its TFP, world and level, in about half the iterations of a start from equal market access.
    """
    f = model.firms
    stock = InitialFirms(f["province"].copy(), f["productivity"].copy(), f["owner"].copy(), f["fixed_labour"].copy())
    block = model.firm_block()  # the model's firms, incentives and taxes stay as they are while the economy calibrates
    cal = calibrate(
        model.geo,
        model.params["economy"],
        n_firms=0,
        min_firms=0,
        allocation_elasticity=0.0,
        foreign_share=0.0,
        productivity=lambda p: p,
        rng=model.streams["init"],
        population=population,
        stock=stock,
        make_block=lambda _: block,
        tolerance=tolerance,
        warm=warm,
        capital_share=model.strength["capital_share"],
    )
    model.market, model.equilibrium, model.calibration_gap = cal.market, cal.equilibrium, cal.gap
    return cal


def open_dataset_zones(model: SEZModel, rng: np.random.Generator) -> None:
    """Open the dataset's operating zones, full: each takes its capacity's worth of the host's firm agents.

    A zone holds at most :data:`ZONE_HOST_SHARE` of its host's firm agents. Members are part-way through their
    tax holiday, as firms of a steady state would be (ages drawn from the exit hazard). Starting full keeps the
    baseline a steady state: slots freed by exits are refilled by entrants, who prefer the zone.
    """
    sez = model.params["sez"]
    rate = model.params["economy"]["employment_rate"]
    hazard = model.params["firms"]["hazard"] / model.steps_per_year
    firms = model.firms
    for zone in dataset_zones(model.geo, sez, model.config.start_year):
        i = zone.province
        free = np.flatnonzero((firms["province"] == i) & (firms["zone"] < 0))
        here = int(np.sum(firms["province"] == i))
        capacity = slots(sez["capacity_jobs"], model.jobs_per_firm[i], rate)
        members = rng.permutation(free)[: int(min(capacity, ZONE_HOST_SHARE * here))]
        z = model.add_zone(
            zone.name,
            i,
            kind=zone.kind,
            origin="dataset",
            capacity=members.size,
            planned=members.size,
            active=True,
            **zone.incentives,
        )
        firms["zone"][members] = z
        age = rng.geometric(max(hazard, 1e-9), size=members.size) - 1
        holiday = int(round(model.zones.holiday_years[z] * model.steps_per_year))
        firms["holiday_until"][members] = holiday - age


def fit_dataset_zones(model: SEZModel) -> None:
    """A dataset zone's capacity in jobs is at least the jobs its members have in the steady state.

    Its slots were sized with the host's mean firm size, but members are redrawn from the entrants who choose the
    zone; where they are larger, the capacity in jobs grows to hold them (the zone is full, not over-full).
    """
    zones = model.zones
    if not len(zones):
        return
    jobs = model.firms.zone_production(
        model.equilibrium, zones, model.market.labour_cost_share, model.levers["corporate_tax"]
    )
    workers = jobs["jobs"] * model.employment_rate
    needed = np.divide(workers, zones.capacity, out=np.zeros(len(zones)), where=zones.capacity > 0)
    zones.jobs_per_slot = np.maximum(zones.jobs_per_slot, needed)
    model.reset_built_capacity()


class EvidencePackage(Mapping):
    """A parameter section read with its levers at the registry's defaults and everything else as given.

    The zones the evidence on ``sez.fdi_uplift`` describes have the default package (incentives, customs, services,
    management, the OSSC's approval time); a scenario or experiment that sets a lever otherwise asks what a
    different package does, which the calibration must not undo. Values are looked up one by one, so a lever's
    value in force is never read (the construction cache keys the set-up by what it reads).
    """

    def __init__(self, values: Mapping[str, Any], section: str):
        self._values, self._section = values, section

    def __getitem__(self, name: str) -> Any:
        declared = param(f"{self._section}.{name}")
        return declared.default if declared is not None and declared.kind == "lever" else self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def standard_sites(model: SEZModel) -> tuple[np.ndarray, Alternatives, np.ndarray]:
    """The entry model's option values now, its options, and the values of a standard new zone in each province.

    A standard zone is the SEZ instrument's at the evidence's package (:class:`EvidencePackage`): the host country's
    default incentives with an OSSC inside, at the country's default management, active and with room. Its firms do
    not learn: under the learning mechanism the newcomer cost is the one without it, so what entrants expect to learn
    in a new zone adds to its pull (calibrating the uplift with learning included raised the newcomer cost by as
    much as learning adds, and well-run zones that fill without learning stayed empty with it).

    Returns:
        ``(values, alternatives, site)``: (pool, options), the options, and (pool, N) site values.
    """
    geo, choice, params = model.geo, model.firms.choice, model.params
    sites = ZoneTable(model.zones.effects)
    red_tape = model.levers.baseline["red_tape"]
    sez, ossc = EvidencePackage(params["sez"], "sez"), EvidencePackage(params["ossc"], "ossc")
    packages = [with_ossc(incentives(sez, c), ossc, red_tape[i]) for i, c in enumerate(geo.provinces["country"])]
    columns = {attr: [package[attr] for package in packages] for attr in packages[0]}
    sites.extend(["site"] * geo.n, province=np.arange(geo.n), capacity=1.0, active=True, **columns)
    tax, sigma, grid = model.levers["corporate_tax"], model.market.sigma, choice.grid()
    site_alts = choice.alternatives(model.market, model.equilibrium, sites, tax, np.zeros(geo.n), model.steps_per_year)
    alts = model.alternatives()
    return choice.option_values(alts, grid, sigma), alts, choice.option_values(site_alts, grid, sigma)[:, geo.n :]


def calibrate_newcomer_cost(model: SEZModel) -> None:
    """Set the cost investors charge an untried zone (``ZoneTable.newcomer_cost``, :mod:`sez_sim.zones`).

    A standard zone (:func:`standard_sites`) is placed, known to all, in each province in turn; the cost is the one
    at which such a zone raises its host's expected foreign entrants by ``sez.fdi_uplift`` on average
    (:meth:`LocationChoice.zone_discount <sez_sim.agents.location_choice.LocationChoice.zone_discount>`). Every
    place keeps what the model says about it (market access, ports, wages, the default incentives and management):
    the calibration sets only the level. Zones with a package better or worse than the default draw more or fewer
    investors than the evidence's (until this version a package set for all zones was calibrated away: in-zone
    customs at twice the world access raised the cost from 6.6 to 8.4 and left new zones' pull where it was).
    """
    values, alts, site = standard_sites(model)
    model.zones.newcomer_cost = model.firms.choice.zone_discount(values, alts, site, model.params["sez"]["fdi_uplift"])


def mean_profit(model: SEZModel) -> np.ndarray:
    """Mean operating profit per firm agent in each province at t = 0 (the unit of entry costs)."""
    province = model.firms["province"]
    total = np.bincount(province, model.equilibrium.firm_profit, minlength=model.geo.n)
    return total / np.maximum(model.firms.per_province(), 1)


def calibrate_entry(model: SEZModel) -> None:
    """Calibrate the entry model so that entry balances exit at the current equilibrium."""
    firms = model.firms
    firms.choice.calibrate(
        model.alternatives(),
        model.market.sigma,
        model.country,
        firms.per_province(),
        firms.zone_occupancy(len(model.zones)),
        model.steps_per_year,
    )


def steady_state(model: SEZModel, population: np.ndarray, rng: np.random.Generator, cal: Calibration) -> int:
    """Make the firm stock and the entrants agree (module docstring, step 3); returns the rounds completed.

    ``cal`` is the economy's calibration around the current stock; each round's recalibration starts from the last.
    A round whose entry calibration fails is redone from the last stock that calibrated, redrawing half as many
    firms then and in the later rounds, up to :data:`REDRAW_RETRIES` times; then the rounds stop at that stock.

    Raises:
        ConvergenceError: when entry cannot balance exit even for the initial stock.
    """
    firms, choice = model.firms, model.firms.choice
    feasible = None  # the last stock (with its economy and entry calibration) whose entry balanced its exits
    damping, retries = 1.0, REDRAW_RETRIES
    done = 0  # rounds completed: redraws whose entry calibration converged
    while True:
        try:
            calibrate_entry(model)
        except ConvergenceError:
            if feasible is None:
                raise
            productivity, owner, model.market, model.equilibrium, model.calibration_gap, choice.xi, choice.queue = (
                feasible
            )
            firms["productivity"][:], firms["owner"][:] = productivity, owner
            calibrate_entry(model)  # already calibrated: restores the stream rates
            done -= 1
            if not retries:
                return done
            retries, damping = retries - 1, damping / 2
        if done == STEADY_STATE_ROUNDS:
            return done
        feasible = (
            firms["productivity"].copy(),
            firms["owner"].copy(),
            model.market,
            model.equilibrium,
            model.calibration_gap,
            choice.xi.copy(),
            choice.queue.copy(),
        )
        last = done == STEADY_STATE_ROUNDS - 1
        losing = model.equilibrium.firm_net_profit < 0
        share = damping * (FIRST_REDRAW_SHARE if done == 0 else LATER_REDRAW_SHARE)
        steady_stock(model, rng, losing if last else share)
        cal = recalibrate(model, population, cal, FINAL_TOLERANCE if last else ROUND_TOLERANCE)
        done += 1


def steady_stock(model: SEZModel, rng: np.random.Generator, redraw: float | np.ndarray) -> None:
    """Redraw productivities and owners from the entrants who take each firm's own option.

    Args:
        model: the model being built.
        rng: the initialisation stream.
        redraw: the firms to redraw (a mask), or the share of firms to redraw at random.
    """
    firms = model.firms
    province = firms["province"]
    z, foreign = firms.choice.entrant_draws(
        model.alternatives(), model.market.sigma, model.country, firms.option_of(), rng
    )
    pop = model.geo.provinces["population"].to_numpy(float)
    owner = draw_owners(model.country, pop, province, foreign.astype(float), rng)
    if not isinstance(redraw, np.ndarray):
        redraw = rng.random(len(province)) < redraw
    firms["productivity"][redraw] = z[redraw]
    firms["owner"][redraw] = owner[redraw]


def fill_approval_queue(model: SEZModel, rng: np.random.Generator) -> None:
    """Put the steady state's approval queue in place: entrants of the last few steps, still waiting.

    Without it production would dip at the start while the first entrants wait for approval.
    """
    firms = model.firms
    alts = model.alternatives()
    owners = owner_cdfs(model.country, model.workers.residents())
    for ago in range(int(alts.approval_steps.max(initial=0))):
        before = len(firms)
        firms.enter(alts, model.market, model.country, owners, rng, model.sampling, -ago, model.steps_per_year)
        waiting = firms["approval_left"][before:] - ago
        firms["approval_left"][before:] = waiting
        firms.remove(before + np.flatnonzero(waiting <= 0))
