"""Calibration by inversion: recover the unobserved from the observed (docs/ODD.md section 5).

Observed per province: population ``L_i`` and GDP per capita ``y_i`` (normalised to 2019). Recovered:

1. the **modern employment share** ``m_i = level * c_u * g_i`` (clipped to [0.005, 0.9]) of province ``i`` in unit
   ``u`` (its country, or Yunnan and Guangxi): within a unit it rises with GDP per capita,
   ``g_i = (y_i / y_mean) ** modern_share_elasticity`` over that power's population-weighted mean in the unit;
   across units ``c_u = s_u ** w * r_u ** (1 - w)``, ``w = modern_share_survey_weight``, where ``r_u`` is that mean
   (one GMS-wide rule: ``w = 0`` gives ``m_i = level * (y_i / y_mean) ** modern_share_elasticity``) and ``s_u``
   the unit's industry share of employment in its labour force surveys, scaled to the same population-weighted
   mean (the dataset's ``national_totals.csv``; without it ``c_u = r_u``). The level is not free: modern revenue
   must equal modern spending over ``1 - trade_balance`` (the rest of the world buys the surplus), so it is solved
   for;
2. the **traditional wage** ``a_i`` and modern wage ``w_i = max(psi a_i, minimum wage)`` from the GDP identity
   ``y_i = k w_i m_i + a_i (1 - m_i)`` with ``k = sigma/(sigma-1) (1 - fixed_labour_share) / (1 - alpha)`` (the
   modern sector's value added per worker over its wage; ``alpha`` is capital's share of the variable inputs' cost
   under the capital mechanism, else 0: the same GDP then needs fewer modern workers). Where the minimum wage
   binds, ``m_i`` is capped so that
   ``a_i >= traditional_floor * y_i``;
3. the **firm stock**: ``n_firms`` firm agents allocated to provinces in proportion to modern revenue raised to
   ``allocation_elasticity`` (at least ``min_firms`` each), fixed labour ``F_i = fixed_labour_share * m_i L_i / n_i``,
   productivities from the Pareto sampler, owners (foreign with probability ``foreign_share``, else a resident
   of the same country drawn in proportion to population);
4. **province TFP** ``A_i`` and the world's demand ``D_W`` and supply ``S_W`` by the fixed point
   ``A_i <- A_i (R_i^target / R_i^model) ** (1/(sigma-1))``, ``D_W`` scaled to hit the export share and ``S_W``
   the import share that the trade balance implies (``imports = exports - trade_balance * sum R``), re-solving the
   equilibrium (warm-started) until revenues match to 1e-10. TFP has no natural unit, so its geometric mean is
   pinned to 1. Without a rest of the world (no port, or ``export_share = 0``) the trade balance is 0.

Because modern labour demand is below the labour force everywhere at t = 0, every province sits on its wage floor
and the solved equilibrium reproduces ``y_i`` and ``L_i`` exactly (up to the solver tolerance). The steady-state
part (amenities so that expected migration nets to zero; entry rates that balance exit) belongs to the agent rules
and is done by :mod:`sez_sim.agents` with the equilibrium found here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sez_sim.economy.equilibrium import Anderson, Equilibrium, FirmBlock, Labour, Market, solve, solve_aggregates
from sez_sim.errors import ConvergenceError, ScenarioError
from sez_sim.geography import Geography
from sez_sim.params import per_country

ACCEPTABLE_GAP = 1e-4
"""A calibration that has not reached its tolerance when its gap stops falling (the short-run solver's own
tolerance limits how far the outer fixed point can go, and a province that sells mostly to itself responds little
to its own TFP) or its iterations run out (far corners of the parameter space converge slowly) is accepted below
this: revenues reproduced to a hundredth of a per cent, far finer than the data. The gap reached is recorded
(:attr:`Calibration.gap`, the run manifest's ``calibration.gap``); at the defaults it is below 1e-10."""

STALL_ITERATIONS = 25
"""Iterations without a new smallest gap that count as stalled."""

LEVEL_STEPS = (1.0, 0.5, 0.25, 0.125)
"""Powers of the closure ratio by which the modern sector's level moves an iteration, one after the other: the full
ratio first; each time the calibration stalls short of :data:`ACCEPTABLE_GAP`, the next. Where spending responds
strongly to the modern sector's level (``mu`` 0.81 with a modern wage premium of 2.9), the full step overshoots and
the level cycles (between 0.42 and 0.70, the gap between 0.17 and 0.78, for 10,000 iterations); half the step
converges."""

MAX_LEAP = 0.1
"""Largest change in log TFP, world demand, world supply or level that an extrapolated step may add to the plain
one; a bigger leap is refused and the history forgotten."""

PLAIN_ITERATIONS = 100
"""Iterations of the plain fixed point before Anderson acceleration joins in. The GMS calibration at the defaults
converges in about 40; with high trade costs or a large modern sector the plain iteration contracts by only a few per
cent an iteration (560 iterations at ``kappa`` 0.002; 2,000-5,000 on a synthetic 40-province map with sea and
crossing costs of 2,000-6,500 km, which is why ``calibrate`` allows 10,000)."""


@dataclass
class InitialFirms:
    """The firm stock at t = 0 (one entry per firm agent)."""

    province: np.ndarray
    productivity: np.ndarray
    owner: np.ndarray
    fixed_labour: np.ndarray

    def __len__(self) -> int:
        return len(self.province)


@dataclass
class Calibration:
    """The calibrated economy at t = 0.

    Attributes:
        market: the market with calibrated TFP, traditional wages, world demand and supply.
        labour: residents (all of them modern-eligible workers in the GMS model).
        firms: the initial firm stock.
        block: the producing firms as the solver sees them.
        equilibrium: the t = 0 equilibrium; it reproduces the data.
        modern_share: the modern employment share targeted per province.
        fixed_labour: F_i per province.
        gdp_per_capita, population: the targets.
        iterations: outer iterations of the TFP fixed point.
        gap: the largest log gap between a province's modern revenue and its target that was reached.
        level: the level of the modern employment shares (step 1 of the module docstring).
    """

    market: Market
    labour: Labour
    firms: InitialFirms
    block: FirmBlock
    equilibrium: Equilibrium
    modern_share: np.ndarray
    fixed_labour: np.ndarray
    gdp_per_capita: np.ndarray
    population: np.ndarray
    iterations: int
    gap: float
    level: float


MODERN_SHARES = (0.005, 0.9)
"""The smallest and largest modern employment share of a province."""


def relative_modern(
    gdp_per_capita: np.ndarray,
    population: np.ndarray,
    elasticity: float,
    unit: np.ndarray | None = None,
    survey: np.ndarray | None = None,
    survey_weight: float = 1.0,
) -> np.ndarray:
    """Each province's modern employment share relative to the level: ``c_u * g_i`` (step 1 of the module docstring).

    Args:
        gdp_per_capita: ``y_i``.
        population: ``L_i``, the weights of every mean.
        elasticity: how the share rises with GDP per capita within a unit.
        unit: each province's unit (a label); None or without ``survey``: one GMS-wide rule.
        survey: each province's unit's industry share of employment (the same for a unit's provinces).
        survey_weight: ``w``, how far the units' levels follow the survey (1) rather than income (0).

    Returns:
        ``(y / mean y) ** elasticity`` rescaled unit by unit so that the units' population-weighted means are
        ``s_u ** w * r_u ** (1 - w)``; with ``w = 0`` or no survey, ``(y / mean y) ** elasticity`` itself.
    """
    mean = float(np.sum(gdp_per_capita * population) / np.sum(population))
    income = (gdp_per_capita / mean) ** elasticity
    if unit is None or survey is None or survey_weight == 0.0:
        return income
    _, code = np.unique(unit, return_inverse=True)
    people = np.bincount(code, weights=population)
    by_income = np.bincount(code, weights=income * population) / people
    by_survey = np.bincount(code, weights=survey * population) / people
    # The survey's levels on the income rule's scale: the same population-weighted mean, so the solved level (and
    # the clipping bounds it moves between) means the same whatever the weight.
    by_survey *= np.sum(by_income * people) / np.sum(by_survey * people)
    level = by_survey**survey_weight * by_income ** (1.0 - survey_weight)
    return income * (level / by_income)[code]


def modern_shares(relative: np.ndarray, share: float) -> np.ndarray:
    """Modern employment share per province: ``share * relative``, clipped to [0.005, 0.9]."""
    return np.clip(share * relative, *MODERN_SHARES)


def survey_shares(geo: Geography) -> tuple[np.ndarray, np.ndarray] | None:
    """Each province's unit and its industry share of employment, or None where the dataset gives no shares."""
    provinces = geo.provinces
    if "industry_employment_share" not in provinces:
        return None
    survey = provinces["industry_employment_share"].to_numpy(float)
    if np.isnan(survey).any():
        return None
    return provinces["unit"].to_numpy(), survey


def modern_value_added(sigma: float, fixed_share: float, capital_share: float = 0.0) -> float:
    """A modern worker's value added over the wage: ``sigma / (sigma - 1) (1 - fixed_share) / (1 - capital_share)``.

    Revenue is the variable wage bill over ``(sigma - 1) / sigma (1 - capital_share)``, and the variable jobs are the
    share ``1 - fixed_share`` of all.
    """
    return sigma / (sigma - 1.0) * (1.0 - fixed_share) / (1.0 - capital_share)


def wages_from_gdp(
    y: np.ndarray,
    m: np.ndarray,
    minimum_wage: np.ndarray,
    sigma: float,
    fixed_share: float,
    floor_share: float,
    premium: float = 1.0,
    capital_share: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Invert ``y = k w m + a (1 - m)`` for the traditional wage ``a`` and modern wage ``w = max(psi a, mw)``.

    ``k = sigma / (sigma - 1) (1 - fixed_share) / (1 - capital_share)``: a modern worker's value added over the wage.

    Returns:
        ``(a, w, m)`` with ``m`` capped where the minimum wage would push ``a`` below ``floor_share * y``.
    """
    k = modern_value_added(sigma, fixed_share, capital_share)
    a_free = y / (k * premium * m + 1.0 - m)
    binds = premium * a_free < minimum_wage
    denominator = k * minimum_wage - floor_share * y
    cap = np.where(denominator > 0, y * (1.0 - floor_share) / np.maximum(denominator, 1e-300), np.inf)
    m = np.where(binds, np.minimum(m, cap), m)
    a = np.where(binds, (y - k * minimum_wage * m) / (1.0 - m), a_free)
    return a, np.maximum(premium * a, minimum_wage), m


def allocate(total: int, weights: np.ndarray, minimum: int) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), at least ``minimum`` each."""
    n = len(weights)
    base = np.full(n, minimum, dtype=np.int64)
    rest = total - base.sum()
    if rest < 0:
        raise ValueError(f"{total} firms cannot give {minimum} to each of {n} provinces")
    quota = rest * weights / weights.sum()
    out = base + np.floor(quota).astype(np.int64)
    short = total - out.sum()
    out[np.argsort(-(quota - np.floor(quota)), kind="stable")[:short]] += 1
    return out


def pareto(rng: np.random.Generator, shape: float, size: int) -> np.ndarray:
    """Pareto(shape) draws with minimum 1 (inverse CDF, so the same uniforms give the same firms)."""
    return (1.0 - rng.random(size)) ** (-1.0 / shape)


def gms_market(geo: Geography, econ: dict[str, Any], capital_share: float = 0.0) -> Market:
    """The GMS market before calibration: trade costs, world access, minimum wages; unit TFP and world.

    ``capital_share`` is capital's share of the variable inputs' cost in force (the capital mechanism's).
    """
    sigma, kappa = econ["sigma"], econ["kappa"]
    countries = geo.country_names()
    code = geo.countries()
    phi_world = np.exp(-kappa * (sigma - 1.0) * geo.port_distance(econ["sea_cost_km"]))
    minimum = np.asarray(per_country(econ["minimum_wage"], countries))[code] * econ["employment_rate"]
    return Market(
        sigma=sigma,
        mu=econ["mu"],
        phi=geo.freeness(sigma, kappa),
        phi_world=np.nan_to_num(phi_world, nan=0.0),
        world_demand=1.0,
        world_supply=1.0,
        country=code,
        traditional_wage=np.ones(geo.n),
        minimum_wage=minimum,
        tfp=np.ones(geo.n),
        dual=True,
        modern_premium=econ["modern_wage_premium"],
        capital_share=capital_share,
        tolerance=econ["solver_tolerance"],
        max_iterations=int(econ["solver_max_iterations"]),
    )


def calibrate(
    geo: Geography,
    econ: dict[str, Any],
    *,
    n_firms: int,
    min_firms: int,
    allocation_elasticity: float,
    foreign_share: float | np.ndarray,
    productivity: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    population: np.ndarray | None = None,
    stock: InitialFirms | None = None,
    make_block: Callable[[InitialFirms], FirmBlock] | None = None,
    tolerance: float = 1e-10,
    max_iterations: int = 10_000,
    warm: Calibration | None = None,
    capital_share: float = 0.0,
) -> Calibration:
    """Calibrate the GMS economy so that its t = 0 equilibrium reproduces population and GDP per capita.

    Args:
        geo: the geography (population and GDP per capita are the targets).
        econ: the ``economy`` parameter section.
        n_firms: firm agents in total.
        min_firms: firm agents at least per province.
        allocation_elasticity: firms per province grow with modern revenue to this power.
        foreign_share: probability that an initial firm is foreign-owned (a number or one per province).
        productivity: draws productivities ``z`` for firms in the given provinces.
        rng: the initialisation stream (owners).
        population: residents per province (default: the geography's); GDP per capita stays the target.
        stock: an existing firm stock (provinces, productivities, owners) to calibrate around instead of drawing
            one; ``n_firms``, ``min_firms``, ``allocation_elasticity``, ``foreign_share`` and ``productivity`` are
            then not used.
        make_block: builds the solver's firm block from the stock (the model passes one that applies zone
            incentives and tax rates); by default every firm pays its country's corporate tax.
        tolerance: stop when every province's modern revenue is within this relative distance of its target.
        max_iterations: give up after this many TFP updates.
        warm: a calibration of the same geography and parameters to start from (its TFP, world demand and supply,
            level and equilibrium) instead of equal market access: the model's steady-state rounds recalibrate
            after changing part of the stock, and start near the answer.
        capital_share: capital's share of the modern sector's variable inputs' cost (the capital mechanism's, or 0).

    Raises:
        ConvergenceError: when the TFP fixed point does not converge.
    """
    sigma = econ["sigma"]
    pop = geo.provinces["population"].to_numpy(float) if population is None else np.asarray(population, float)
    y = geo.provinces["gdp_per_capita"].to_numpy(float)
    market = gms_market(geo, econ, capital_share)
    export_share = econ["export_share"]
    has_world = bool(np.any(market.phi_world > 0)) and export_share > 0
    balance = econ["trade_balance"] if has_world else 0.0
    if has_world and balance >= export_share:
        raise ScenarioError(
            f"economy.trade_balance ({balance}) must be below economy.export_share ({export_share}): imports "
            "would be zero or negative"
        )
    k = modern_value_added(sigma, econ["fixed_labour_share"], capital_share)

    units = survey_shares(geo)
    relative = relative_modern(
        y, pop, econ["modern_share_elasticity"], *(units or (None, None)), econ["modern_share_survey_weight"]
    )

    def targets(level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, w, m = wages_from_gdp(
            y,
            modern_shares(relative, level),
            market.minimum_wage,
            sigma,
            econ["fixed_labour_share"],
            econ["traditional_floor"],
            econ["modern_wage_premium"],
            capital_share,
        )
        return a, m, k * w * m * pop

    def revenue_for_gdp(a: np.ndarray, fixed: np.ndarray) -> np.ndarray:
        """Modern revenue that gives GDP ``y L`` with the fixed labour the firms actually use.

        Zone infrastructure lowers fixed labour, so the revenue comes from ``GDP = R + a (L - F - l R / w)``, ``l`` the
        variable wage bill's share of revenue (:attr:`Market.labour_cost_share`).
        """
        w = market.wage_floor
        return (y * pop - a * (pop - fixed)) / (1.0 - market.labour_cost_share * a / w)

    # Outside these levels every province's share is clipped and the level changes nothing; early iterations (TFP
    # and the world still far off) would overshoot there and crawl back for hundreds of iterations.
    levels = (MODERN_SHARES[0] / relative.max(), MODERN_SHARES[1] / relative.min())
    level = 0.25 if warm is None else warm.level
    a, m, target = targets(level)
    market.traditional_wage = a
    if stock is None:
        counts = allocate(n_firms, target**allocation_elasticity, min_firms)
        province = np.repeat(np.arange(geo.n), counts)
        z = productivity(province)
        share = np.broadcast_to(np.asarray(foreign_share, float), (geo.n,))[province]
        owner = draw_owners(market.country, pop, province, share, rng)
    else:
        province, z, owner = stock.province, stock.productivity, stock.owner
        counts = np.bincount(province, minlength=geo.n)
    tax = np.asarray(per_country(econ["corporate_tax"], geo.country_names()))[market.country]

    def default_block(firms: InitialFirms) -> FirmBlock:
        return FirmBlock(
            province=firms.province,
            efficiency=firms.productivity ** (sigma - 1.0),
            world_access=np.ones(len(firms)),
            fixed_labour=firms.fixed_labour,
            tax=tax[firms.province],
            owner=firms.owner,
        )

    build = make_block or default_block
    firms = InitialFirms(province, z, owner, (econ["fixed_labour_share"] * m * pop / counts)[province])
    block = build(firms)
    target = revenue_for_gdp(a, np.bincount(block.province, block.fixed_labour, minlength=geo.n))
    labour = Labour(workers=pop.copy(), farmers=np.zeros(geo.n))

    # Start from TFP that would hit the targets if market access were equal everywhere.
    z_sum = np.bincount(province, block.efficiency, minlength=geo.n)
    # Revenue is proportional to A^(sigma-1) w^((1-sigma)(1-alpha)); without capital the floor divides exactly.
    unit_cost = market.wage_floor ** (1.0 - capital_share) if capital_share else market.wage_floor
    market.tfp = (target / z_sum) ** (1.0 / (sigma - 1.0)) / unit_cost
    market.tfp /= np.exp(np.mean(np.log(market.tfp)))
    if not has_world:
        market.world_demand = market.world_supply = 0.0
    eq = None
    if warm is not None:
        market.tfp = warm.market.tfp.copy()
        market.world_demand, market.world_supply = warm.market.world_demand, warm.market.world_supply
        eq = warm.equilibrium
    exact, error = market.tolerance, 1.0
    best, best_iteration = np.inf, 0

    def retarget(new_level: float) -> tuple[FirmBlock, np.ndarray]:
        """Targets at a level of the modern sector: traditional wages, fixed labour, the block, revenues."""
        nonlocal a, m
        a, m, _ = targets(new_level)
        market.traditional_wage = a
        firms.fixed_labour = (econ["fixed_labour_share"] * m * pop / counts)[province]
        new_block = build(firms)
        return new_block, revenue_for_gdp(a, np.bincount(new_block.province, new_block.fixed_labour, minlength=geo.n))

    def state() -> np.ndarray:
        world = [market.world_demand, market.world_supply] if has_world else []
        return np.log(np.concatenate([market.tfp, world, [level]]))

    mixer = Anderson(memory=5, max_leap=MAX_LEAP)
    previous = np.inf
    steps = iter(LEVEL_STEPS)
    level_step = next(steps)
    for iteration in range(1, max_iterations + 1):
        before = state()
        # Far from the fixed point the inner solve need not be exact: tighten it as the outer gap closes.
        market.tolerance = max(exact, min(1e-4, 1e-3 * error))
        eq = solve_aggregates(market, labour, block, eq)  # the totals below; the full accounts once, at the end
        gap = target / eq.revenue
        error = float(np.max(np.abs(np.log(gap))))
        # Modern revenue is spending over (1 - trade balance): rescale the level of m_i (and with it a_i, F_i and
        # the targets) until the two agree.
        closure = eq.expenditure.sum() / ((1.0 - balance) * target.sum())
        error = max(error, abs(np.log(closure)))
        wanted = level * closure**level_step
        level = float(np.clip(wanted, *levels))
        block, target = retarget(level)
        if has_world:
            exports = export_share * target.sum()
            ratio_x = exports / eq.exports_world.sum()
            ratio_m = (exports - balance * target.sum()) / eq.imports_world.sum()
            error = max(error, abs(np.log(ratio_x)), abs(np.log(ratio_m)))
            market.world_demand *= ratio_x
            market.world_supply *= ratio_m
        if error < best:
            best, best_iteration = error, iteration
        stalled = iteration - best_iteration >= STALL_ITERATIONS
        if error < tolerance or (error < ACCEPTABLE_GAP and stalled):
            break
        if stalled and not levels[0] <= wanted <= levels[1]:
            break  # spending cannot be matched by any modern sector the shares allow: reported below
        if stalled and (smaller := next(steps, None)) is not None:
            level_step, best_iteration = smaller, iteration  # the level overshoots: move it by less
            mixer.reset()
        market.tfp = market.tfp * gap ** (1.0 / (sigma - 1.0))
        # TFP has no natural unit: scaling every A_i^(sigma-1) by k, S_W by k and D_W by 1/k leaves the
        # equilibrium unchanged. Pin the geometric mean of A_i to 1 so the iteration cannot drift along that line.
        scale = np.exp((sigma - 1.0) * np.mean(np.log(market.tfp)))
        market.tfp = market.tfp / scale ** (1.0 / (sigma - 1.0))
        market.world_supply /= scale
        market.world_demand *= scale
        if iteration > PLAIN_ITERATIONS:  # still crawling: extrapolate from the last few iterations
            if error > previous:
                mixer.reset()
            plain = state()
            extrapolated = mixer.next(before, plain)
            after = np.exp(extrapolated)
            market.tfp = after[: geo.n]
            if has_world:
                market.world_demand, market.world_supply = after[geo.n], after[geo.n + 1]
            level = float(np.clip(after[-1], *levels))
            block, target = retarget(level)
        previous = error
    if error >= ACCEPTABLE_GAP:
        bound = ""
        if wanted > levels[1]:
            bound = (
                f": modern spending exceeds the revenue of a modern sector employing {MODERN_SHARES[1]:.0%} of "
                "every province's workers (lower economy.mu or trade_balance, or raise modern_wage_premium)"
            )
        elif wanted < levels[0]:
            bound = (
                f": modern spending falls short of the revenue of a modern sector employing {MODERN_SHARES[0]:.1%} "
                "of every province's workers (raise economy.mu or lower modern_wage_premium)"
            )
        raise ConvergenceError(
            f"calibration did not converge in {iteration} iterations (largest log gap {error:.3g}){bound}",
            (
                "economy.mu",
                "economy.modern_wage_premium",
                "economy.kappa",
                "economy.export_share",
                "economy.trade_balance",
                "economy.sigma",
            ),
        )
    market.tolerance = exact
    eq = solve(market, labour, block, eq)
    return Calibration(
        market=market,
        labour=labour,
        firms=firms,
        block=block,
        equilibrium=eq,
        modern_share=m,
        fixed_labour=econ["fixed_labour_share"] * m * pop / counts,
        gdp_per_capita=y,
        population=pop,
        iterations=iteration,
        gap=error,
        level=level,
    )


def owner_cdfs(country: np.ndarray, population: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per country: its provinces and the cumulative population shares (to draw domestic owners)."""
    out = []
    for c in range(int(country.max()) + 1):
        members = np.flatnonzero(country == c)
        out.append((members, np.cumsum(population[members]) / max(population[members].sum(), 1e-300)))
    return out


def draw_owners(
    country: np.ndarray,
    population: np.ndarray,
    province: np.ndarray,
    foreign_share: float | np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Owner province per firm.

    Foreign (-1) with probability ``foreign_share`` (a number, or one per firm), else a resident of the firm's
    country drawn in proportion to population, so that domestic profits are spread across the country's people.
    """
    share = np.broadcast_to(np.asarray(foreign_share, float), province.shape)
    foreign = rng.random(len(province)) < share
    owner = np.full(len(province), -1, dtype=np.int64)
    u = rng.random(len(province))
    for c, (members, cdf) in enumerate(owner_cdfs(country, population)):
        rows = np.flatnonzero(~foreign & (country[province] == c))
        owner[rows] = members[np.minimum(np.searchsorted(cdf, u[rows], side="right"), len(members) - 1)]
    return owner
