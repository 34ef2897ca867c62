"""The short-run equilibrium of the spatial economy (docs/ODD.md 7.2).

Given where firms are (with productivity, ownership, tax status), where workers live and work, and the trade
costs, :func:`solve` finds wages, price indices, expenditure, revenues, profits and incomes that are mutually
consistent. Notation (per province i; the rest of the world W is reached through ports):

    P_i        = c * w_i ** (1 - sigma)(1 - alpha) * Z_i           supply capacity, c = (sigma/(sigma-1))**(1-sigma)
    G_j^(1-s)  = sum_i phi_ij P_i + phi_jW S_W                     price index (S_W: the world's supply)
    MA_i       = sum_j phi_ij E_j G_j^(sigma-1)                    domestic market access
    R_f        = c w_i^(1-s)(1-alpha) e_f (MA_i + phi_iW a_f D_W)  firm revenue (D_W = E_W G_W^(sigma-1))
    L^M_i(w)   = sum_f F_f + (1-alpha)(sigma-1)/sigma * R_i(w) / w modern labour demand
    w_i        = max(floor_i, w*_i),  L^M_i(w*_i) = labour_i       dual labour market (floor = max(psi a_i, minwage))
    pi_f       = R_f / sigma - w_i F_f;  tax_f = t_f max(pi_f, 0)
    rent_f     = alpha (sigma-1)/sigma * R_f                       the firm's capital rent
    Y_i        = wages of residents + a_i * traditional workers + after-tax profits and capital rents owned by
                 residents + the country's tax revenue returned per capita;  foreign owners' leave the region
    E_i        = mu Y_i
    a_i - s_i  = (a0_i - s_i) (L^A_i / L^A0_i) ** -beta            traditional earnings (labour-market mechanism)

Here ``e_f = (A_i b_f z_f)^(sigma-1)`` is the firm's efficiency (province TFP ``A_i``, zone bonus ``b_f``,
productivity ``z_f``). Variable inputs are labour and capital, Cobb-Douglas with capital's share ``alpha`` of their
cost (the capital mechanism's ``capital_share``; 0 otherwise), capital rented at a user cost the world capital
market fixes (normalised to 1; its level is absorbed by TFP), so the marginal cost is ``w^(1-alpha)`` and a modern
job's revenue ``sigma / ((sigma - 1)(1 - alpha))`` wages rather than ``sigma / (sigma - 1)``. Everything per firm is
a handful of vector operations; firms are aggregated per province (:func:`~sez_sim.tally.tally`) and the rest is N x
N algebra. The fixed point in (w, E) is found by iteration in logs with Anderson acceleration (falling back to
damped steps when the residual grows), warm-started from the previous solution; it raises
:class:`~sez_sim.errors.ConvergenceError` naming the provinces that did not settle.

With the labour-market mechanism (``land_elasticity`` beta > 0, :mod:`sez_sim.economy.mechanisms`) traditional
earnings above subsistence ``s_i`` (``min(subsistence, a0_i)``) are the marginal product of labour on land: where
earnings are near subsistence, labour is in surplus and earnings hardly move; where they are far above it they
rise as workers leave. Each iteration first finds the earnings that clear each province's labour market at its
current market access: the root of ``h(x_i) = x_i - log(a0_i - s_i) + beta log(L^A_i / L^A0_i)`` in ``x_i = log(a_i
- s_i)``, where traditional employment ``L^A_i`` rises with ``a_i`` wherever the floor ``psi a_i`` binds (modern
jobs fall with the floor). ``h`` is increasing, so the root is unique; it is found by Newton steps from the last
earnings, with the slope ``1 + beta theta (L^M_var / L^A) (a_i - s_i) / a_i`` (``theta = sigma - (sigma - 1)
alpha``, minus the wage elasticity of variable labour demand) where the floor binds and 1
elsewhere (:meth:`_Accounts.traditional_earnings`). The plain update would oscillate instead: its slope is beyond
-1 in the Thai provinces. Wages and expenditure stay the fixed point's only unknowns.

Free entry (the core-periphery preset): firms enter until profits are zero, so a province's firm mass is
``labour_i / (sigma F)`` and its wage solves ``w^sigma = c A^(sigma-1) MA_i / (sigma F)``. It is the same solver
with the firm block built from the labour force.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sez_sim.errors import ConvergenceError
from sez_sim.tally import tally

MIN_TRADITIONAL_SHARE = 0.01
"""Traditional employment counts as at least this share of its calibrated level when earnings are set: a province
emptied of traditional workers pays at most ``MIN_TRADITIONAL_SHARE ** -land_elasticity`` times its calibrated
earnings (without the bound they would be infinite)."""

EARNINGS_STEPS = 8
"""Most steps for the traditional earnings within one iteration of the solver. Two or three Newton steps usually
settle them; where they do not (a province at a kink, bisecting), the next iteration starts from where these
stopped, and the solver converges only once wages and expenditure, and with them the earnings, have settled."""

EARNINGS_TOLERANCE = 1e-12
"""The steps stop when no province's labour-market gap (in logs) is larger."""

MAX_LEAP_RATIO = 10.0
"""The farthest the short-run solver's Anderson extrapolation may land beyond the plain iterate, in plain steps (see
:class:`Anderson`)."""


@dataclass
class Market:
    """What a solve holds fixed: preferences, trade costs, the world, the labour-market regime, productivity.

    Attributes:
        sigma: elasticity of substitution.
        mu: expenditure share of modern goods.
        phi: (N, N) freeness, ``phi[i, j]`` for goods from i sold in j.
        phi_world: (N,) freeness between each province and the rest of the world (0 = no access).
        world_demand: ``D_W = E_W G_W^(sigma-1)``, the world's demand shifter.
        world_supply: ``S_W = G_W^(1-sigma)``, the world's supply into GMS price indices.
        country: (N,) integer country of each province (tax revenue is returned within the country).
        traditional_wage: (N,) earnings per person in the traditional sector, ``a_i`` (with the labour-market
            mechanism: ``a0_i``, their level at the calibrated traditional employment).
        minimum_wage: (N,) modern-sector wage floor per person (0 = none).
        tfp: (N,) province TFP ``A_i``.
        dual: when True, modern-eligible workers fall back on the traditional sector at ``a_i`` (Lewis floor);
            when False they work only in the modern sector and the wage clears that market (core-periphery).
        modern_premium: the modern wage floor is ``max(modern_premium * a_i, minimum wage)`` in a dual economy.
        free_entry_fixed_labour: when set, firms enter until profits are zero (core-periphery); the firm block
            passed to :func:`solve` is then ignored.
        land_elasticity: the labour-market mechanism's beta: traditional earnings are ``s_i + (a0_i - s_i) (L^A_i /
            L^A0_i) ** -beta`` (0 = fixed earnings).
        subsistence: (N,) subsistence earnings per person (``s_i`` is the smaller of it and ``a0_i``; None = 0).
        traditional_employment: (N,) ``L^A0``, the traditional employment at which earnings are ``a0`` (needed
            when ``land_elasticity`` > 0).
        capital_share: ``alpha``, capital's share of the cost of the modern sector's variable inputs (0 = labour
            alone).
        tolerance: convergence tolerance on log changes of wages and expenditure.
        max_iterations: iterations before giving up.
    """

    sigma: float
    mu: float
    phi: np.ndarray
    phi_world: np.ndarray
    world_demand: float
    world_supply: float
    country: np.ndarray
    traditional_wage: np.ndarray
    minimum_wage: np.ndarray
    tfp: np.ndarray
    dual: bool = True
    modern_premium: float = 1.0
    free_entry_fixed_labour: float | None = None
    land_elasticity: float = 0.0
    subsistence: np.ndarray | None = None
    traditional_employment: np.ndarray | None = None
    capital_share: float = 0.0
    tolerance: float = 1e-10
    max_iterations: int = 2000

    @property
    def n(self) -> int:
        """Number of provinces."""
        return len(self.tfp)

    @property
    def price_constant(self) -> float:
        """``(sigma / (sigma - 1)) ** (1 - sigma)``: the mark-up term of the CES price."""
        s = self.sigma
        return (s / (s - 1.0)) ** (1.0 - s)

    @property
    def wage_exponent(self) -> float:
        """``(1 - sigma)(1 - alpha)``: modern revenue is proportional to the wage to this power."""
        return (1.0 - self.sigma) * (1.0 - self.capital_share)

    @property
    def labour_cost_share(self) -> float:
        """``(1 - alpha)(sigma - 1) / sigma``: the variable wage bill over revenue."""
        return (self.sigma - 1.0) / self.sigma * (1.0 - self.capital_share)

    @property
    def labour_demand_elasticity(self) -> float:
        """``sigma - (sigma - 1) alpha``: minus the elasticity of variable labour demand with respect to the wage.

        Written so that it is ``sigma`` to the last bit without capital.
        """
        return self.sigma - (self.sigma - 1.0) * self.capital_share

    @property
    def tight(self) -> bool:
        """Whether traditional earnings respond to traditional employment (the labour-market mechanism)."""
        return self.dual and self.land_elasticity > 0.0

    @property
    def wage_floor(self) -> np.ndarray:
        """The modern-sector wage floor at the calibrated traditional earnings (see :meth:`floor_at`)."""
        return self.floor_at(self.traditional_wage)

    def floor_at(self, traditional: np.ndarray) -> np.ndarray:
        """The modern-sector wage floor ``max(premium * a_i, minimum wage)`` in a dual economy, else none."""
        if not self.dual:
            return np.zeros(self.n)
        return np.maximum(self.modern_premium * traditional, self.minimum_wage)


@dataclass
class Labour:
    """Where people live and work (persons).

    Attributes:
        workers: (N,) residents who can work in the modern sector (and in the traditional one if dual).
        farmers: (N,) residents who work only in the traditional sector (the immobile farmers of CP).
        commute_home, commute_work, commute_persons: (K,) commuting flows into modern jobs (CBEZ).
    """

    workers: np.ndarray
    farmers: np.ndarray
    commute_home: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    commute_work: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    commute_persons: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def population(self) -> np.ndarray:
        """Residents per province."""
        return self.workers + self.farmers

    def commuters(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Persons commuting out of and into each province."""
        out = np.bincount(self.commute_home, self.commute_persons, minlength=n)
        into = np.bincount(self.commute_work, self.commute_persons, minlength=n)
        return out, into


@dataclass
class FirmBlock:
    """The producing firms, one entry each (arrays of equal length).

    Attributes:
        province: where each firm produces.
        efficiency: ``(b_f z_f) ** (sigma - 1)``, without the province TFP.
        world_access: multiplier on the province's freeness to the world (in-zone customs raise it above 1).
        fixed_labour: fixed labour ``F_f`` (persons).
        tax: profit-tax rate ``t_f``.
        owner: province of the owner, or -1 for foreign owners (their profits leave the region).
    """

    province: np.ndarray
    efficiency: np.ndarray
    world_access: np.ndarray
    fixed_labour: np.ndarray
    tax: np.ndarray
    owner: np.ndarray

    @classmethod
    def empty(cls) -> FirmBlock:
        """No firms."""
        z = np.zeros(0)
        i = np.zeros(0, np.int64)
        return cls(i, z, z, z, z, i)

    def __len__(self) -> int:
        return len(self.province)


@dataclass
class Equilibrium:
    """A solved short-run equilibrium. Per-province arrays have length N, per-firm arrays the firm count.

    ``cost_of_living`` is ``price_index ** mu``: the manufactures' price index to their share of spending, the rest
    of the basket at a price of 1. Real wages and real income are deflated by it. ``tax_revenue`` is the profit tax
    of each province's firms, ``taxable_profit`` the profit it is levied on (each firm's, where positive).
    """

    wage: np.ndarray
    traditional_wage: np.ndarray
    price_index: np.ndarray
    cost_of_living: np.ndarray
    expenditure: np.ndarray
    income: np.ndarray
    market_access: np.ndarray
    revenue: np.ndarray
    employment_m: np.ndarray
    employment_a: np.ndarray
    gdp: np.ndarray
    labour_income: np.ndarray
    profits_owned: np.ndarray
    transfers: np.ndarray
    tax_revenue: np.ndarray
    taxable_profit: np.ndarray
    exports_world: np.ndarray
    imports_world: np.ndarray
    real_wage: np.ndarray
    expected_real_wage: np.ndarray
    real_income: np.ndarray
    firm_mass: np.ndarray
    firm_revenue: np.ndarray
    firm_profit: np.ndarray
    firm_net_profit: np.ndarray
    firm_exports: np.ndarray
    profits_abroad: float
    iterations: int
    residual: float


def free_entry_block(market: Market, labour: Labour) -> FirmBlock:
    """The firm block implied by free entry: mass ``L / (sigma F)`` per province, all locally owned, untaxed."""
    F = float(market.free_entry_fixed_labour)
    out, into = labour.commuters(market.n)
    work = labour.workers - out + into
    # A province without workers keeps a vanishing firm mass so its (potential) zero-profit wage is defined.
    mass = np.maximum(work, 1e-12 * max(float(work.mean()), 1.0)) / (market.sigma * F)
    n = market.n
    return FirmBlock(
        province=np.arange(n),
        efficiency=mass,
        world_access=np.ones(n),
        fixed_labour=mass * F,
        tax=np.zeros(n),
        owner=np.arange(n),
    )


@dataclass
class Aggregates:
    """What the economy's calibration reads of an equilibrium in its iterations (:func:`solve_aggregates`).

    The solver's state (``wage``, ``traditional_wage``, ``expenditure``: a warm start for :func:`solve`) and per
    province the modern revenue and the trade with the world; each the same number as in the full
    :class:`Equilibrium`.
    """

    wage: np.ndarray
    traditional_wage: np.ndarray
    expenditure: np.ndarray
    revenue: np.ndarray
    exports_world: np.ndarray
    imports_world: np.ndarray


def solve_aggregates(
    market: Market, labour: Labour, firms: FirmBlock, guess: Equilibrium | Aggregates | None = None
) -> Aggregates:
    """Solve the short-run equilibrium as :func:`solve` does, without its per-firm and income accounts.

    The calibration solves the economy a hundred times or more on its way to the data and reads only these totals;
    forming every firm's accounts at each solution took a fifth of a solve.
    """
    fixed = _fixed_point(market, labour, firms, guess)
    unit, revenue = fixed.accounts.revenue(fixed.wage, fixed.market_access)
    return Aggregates(
        wage=fixed.wage,
        traditional_wage=np.array(fixed.traditional_wage, dtype=float),
        expenditure=fixed.expenditure,
        revenue=revenue,
        exports_world=fixed.accounts.exports(unit),
        imports_world=fixed.imports_world(),
    )


@dataclass
class _Solution:
    """The short-run fixed point: wages, expenditure and traditional earnings, and what the accounts are made of."""

    market: Market
    accounts: _Accounts
    wage: np.ndarray
    expenditure: np.ndarray
    traditional_wage: np.ndarray
    inverse_price: np.ndarray  # G^(1-sigma) per province
    market_access: np.ndarray
    iterations: int
    residual: float

    def imports_world(self) -> np.ndarray:
        """Each province's imports from the world."""
        return self.expenditure * self.market.phi_world * self.market.world_supply / self.inverse_price


def solve(
    market: Market, labour: Labour, firms: FirmBlock, guess: Equilibrium | Aggregates | None = None
) -> Equilibrium:
    """Solve the short-run equilibrium.

    Args:
        market: preferences, trade costs, world, labour-market regime and TFP.
        labour: residents and commuters per province.
        firms: the producing firms (ignored under free entry).
        guess: a previous equilibrium to start from (warm start); wages and expenditure are reused.

    Returns:
        The equilibrium.

    Raises:
        ConvergenceError: when wages or expenditure do not settle within ``market.max_iterations``.
    """
    fixed = _fixed_point(market, labour, firms, guess)
    s, mu, accounts = market.sigma, market.mu, fixed.accounts
    w, E, a, ma = fixed.wage, fixed.expenditure, fixed.traditional_wage, fixed.market_access
    inv_G = fixed.inverse_price
    acc = accounts.full(w, ma, a)
    G = inv_G ** (1.0 / (1.0 - s))
    price = G**mu
    workers = labour.workers
    # An empty province (everyone has left) offers a newcomer the wage it would be paid there.
    per_worker = np.where(workers > 1e-9, 0.0, w if not market.dual else np.maximum(a, 0.0))
    np.divide(acc["labour_income_workers"], workers, out=per_worker, where=workers > 1e-9)
    pop = labour.population
    income_per_person = np.divide(acc["income"], pop, out=np.zeros_like(pop, dtype=float), where=pop > 0)
    return Equilibrium(
        wage=w,
        traditional_wage=np.array(a, dtype=float),
        price_index=G,
        cost_of_living=price,
        expenditure=E,
        income=acc["income"],
        market_access=ma,
        revenue=acc["revenue"],
        employment_m=acc["employment_m"],
        employment_a=acc["employment_a"],
        gdp=acc["revenue"] + a * acc["employment_a"],
        labour_income=acc["labour_income"],
        profits_owned=acc["profits_owned"],
        transfers=acc["transfers"],
        tax_revenue=acc["tax_revenue"],
        taxable_profit=acc["taxable_profit"],
        exports_world=acc["exports_world"],
        imports_world=fixed.imports_world(),
        real_wage=w / price,
        expected_real_wage=per_worker / price,
        real_income=income_per_person / price,
        firm_mass=accounts.Z / np.maximum(market.tfp ** (s - 1.0), 1e-300),
        firm_revenue=acc["firm_revenue"],
        firm_profit=acc["firm_profit"],
        firm_net_profit=acc["firm_net_profit"],
        firm_exports=acc["firm_exports"],
        profits_abroad=acc["profits_abroad"],
        iterations=fixed.iterations,
        residual=fixed.residual,
    )


def _fixed_point(market: Market, labour: Labour, firms: FirmBlock, guess: Equilibrium | Aggregates | None) -> _Solution:
    """Wages and expenditure at which every market clears (:func:`solve`'s iterations)."""
    if market.free_entry_fixed_labour is not None:
        firms = free_entry_block(market, labour)
    s, mu, n = market.sigma, market.mu, market.n
    cp = market.price_constant
    phi, phi_w = market.phi, market.phi_world
    c_out, c_in = labour.commuters(n)
    accounts = _Accounts(market, labour, firms, c_out, c_in)
    Z, ZW, fixed = accounts.Z, accounts.ZW, accounts.fixed
    work = labour.workers - c_out + c_in
    if market.free_entry_fixed_labour is not None:
        # Zero profit: variable labour is (sigma - 1) times fixed labour, also in a province about to empty.
        available = fixed * (s - 1.0)
    else:
        # Guard for fixed labour alone exceeding the labour force: firms then make losses and exit.
        available = np.maximum(work - fixed, 1e-3 * np.maximum(work, 1e-12))
    has_firms = Z > 0
    tight = market.tight
    warm = guess is not None and len(guess.wage) == n
    a = guess.traditional_wage.copy() if tight and warm else market.traditional_wage
    floor = market.floor_at(a)

    if warm:
        w, E = guess.wage.copy(), guess.expenditure.copy()
    else:
        w = np.maximum(floor, np.where(floor > 0, floor, 1.0))
        E = mu * (np.maximum(market.traditional_wage, w) * labour.population + 1e-12)
    E = np.maximum(E, 1e-300)
    step, residual, previous = 1.0, np.inf, np.inf
    mixer = Anderson(memory=5, max_leap_ratio=MAX_LEAP_RATIO)
    for iteration in range(1, market.max_iterations + 1):  # noqa: B007 (reported after the loop)
        supply = cp * w**market.wage_exponent * Z
        inv_G = phi.T @ supply + phi_w * market.world_supply  # G^(1-sigma)
        demand = E / inv_G  # E_j G_j^(sigma-1)
        ma = phi @ demand
        reach = Z * ma + ZW * market.world_demand
        w_star = (market.labour_cost_share * cp * reach / available) ** (1.0 / market.labour_demand_elasticity)
        if tight:
            a = accounts.traditional_earnings(a, w_star, cp * reach)
            floor = market.floor_at(a)
        w_new = np.where(has_firms, np.maximum(floor, w_star), np.maximum(floor, w))
        E_new = np.maximum(mu * accounts.income(w_new, ma, a), 1e-300)
        x = np.concatenate([np.log(w), np.log(E)])
        g = np.concatenate([np.log(w_new), np.log(E_new)])
        residual = float(np.max(np.abs(g - x)))
        if residual < market.tolerance:
            w, E = w_new, E_new
            break
        if not np.isfinite(residual):
            raise ConvergenceError(
                f"short-run equilibrium diverged at iteration {iteration}: wages or expenditure left the range of "
                "finite numbers",
                ("economy.sigma", "economy.mu", "economy.fixed_labour_share", "economy.kappa"),
            )
        if residual > previous:  # not contracting: forget the history and take a shorter plain step
            mixer.reset()
            step = max(step * 0.5, 0.05)
            x_next = x + step * (g - x)
        else:
            x_next = mixer.next(x, g)
        previous = residual
        w, E = np.exp(x_next[:n]), np.exp(x_next[n:])
    else:
        bad_w = np.abs(np.log(w_new) - np.log(w)) >= market.tolerance
        bad_e = np.abs(np.log(E_new) - np.log(E)) >= market.tolerance
        where = np.flatnonzero(bad_w | bad_e)[:10]
        raise ConvergenceError(
            f"short-run equilibrium did not converge in {market.max_iterations} iterations: the largest change "
            f"in log wages/expenditure is {residual:.3g} (tolerance {market.tolerance:g}); "
            f"wages unsettled in {int(bad_w.sum())} provinces, expenditure in {int(bad_e.sum())} "
            f"(first: {where.tolist()})",
            (
                "economy.sigma",
                "economy.mu",
                "economy.kappa",
                "economy.modern_wage_premium",
                "economy.solver_max_iterations",
            ),
        )

    supply = cp * w**market.wage_exponent * Z
    inv_G = phi.T @ supply + phi_w * market.world_supply
    demand = E / inv_G
    ma = phi @ demand
    return _Solution(market, accounts, w, E, a, inv_G, ma, iteration, residual)


class Anderson:
    """Anderson acceleration (type II) of the fixed point x = g(x), with a short memory.

    The next iterate combines the last few ``g`` values with the weights that best cancel the last few residuals
    (least squares); it converges in far fewer iterations than plain iteration on this smooth, mildly contracting
    map. The caller resets it whenever the residual grows.

    An extrapolation is distrusted, and the plain iterate ``g`` taken with the history forgotten, when it is not
    finite or lands farther beyond ``g`` than the caller allows: ``max_leap`` in absolute terms, or
    ``max_leap_ratio`` plain steps ``|g - x|``. The short-run solver allows :data:`MAX_LEAP_RATIO` plain steps:
    leaping farther stands for a contraction factor above 1 - 1/MAX_LEAP_RATIO, which its map does not have (at the
    defaults the leaps are below one plain step). Such leaps come from a history that carries no information, as
    where the map is homogeneous of degree one (every modern wage above its floor and no traditional sector: wages
    and expenditure scale together) and the residuals of successive iterates are equal up to rounding.

    Args:
        memory: the iterates remembered.
        max_leap: the largest leap beyond ``g`` (in every coordinate).
        max_leap_ratio: the largest leap beyond ``g`` in plain steps.
    """

    def __init__(self, memory: int, max_leap: float = np.inf, max_leap_ratio: float = np.inf):
        self.memory = memory
        self.max_leap = max_leap
        self.max_leap_ratio = max_leap_ratio
        self.reset()

    def reset(self) -> None:
        """Forget the history (the next step is a plain one)."""
        self.last: tuple[np.ndarray, np.ndarray] | None = None  # the last residual f = g - x, and g
        self.d_f: list[np.ndarray] = []  # differences of successive residuals, oldest first
        self.d_g: list[np.ndarray] = []  # ... and of successive images

    def next(self, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        """The next iterate, given the current one ``x`` and its image ``g = g(x)``."""
        f = g - x
        last, self.last = self.last, (f, g)
        if last is None:
            return g
        self.d_f.append(f - last[0])
        self.d_g.append(g - last[1])
        if len(self.d_f) > self.memory:
            self.d_f.pop(0)
            self.d_g.pop(0)
        d_f, d_g = np.column_stack(self.d_f), np.column_stack(self.d_g)
        try:
            gamma, *_ = np.linalg.lstsq(d_f, f, rcond=None)
        except np.linalg.LinAlgError:  # the history holds non-finite values: fall back to a plain step
            self.reset()
            return g
        leap = d_g @ gamma
        largest = np.max(np.abs(leap))
        if not largest <= min(self.max_leap, self.max_leap_ratio * np.max(np.abs(f))):  # also catches NaN
            self.reset()
            return g
        return g - leap


class _Accounts:
    """Revenues, employment, profits and incomes of one solve, at given wages and market access.

    Everything that does not change between the solver's iterations (the firms' provinces and owners, fixed labour,
    their sums per province, the country populations, commuting) is gathered once, when the solve starts. The
    iterations need only incomes (:meth:`income`): per firm only its profit (the tax is nonlinear in it), with a
    province's revenue ``c w^(1-sigma) (MA Z + Z_W D_W)`` from its sums. The full accounts (:meth:`full`) are
    computed once, at the solution, with the same arithmetic, and add each firm's revenue and exports.
    """

    def __init__(self, market: Market, labour: Labour, firms: FirmBlock, c_out: np.ndarray, c_in: np.ndarray):
        n = market.n
        p = firms.province
        self.market, self.labour, self.firms, self.c_in = market, labour, firms, c_in
        self.e = (market.tfp ** (market.sigma - 1.0))[p] * firms.efficiency
        ew = self.e * firms.world_access
        self.Z = tally(p, n, self.e)  # the firms' efficiency per province
        self.ZW = tally(p, n, ew) * market.phi_world  # ... times their access to the world
        self.world_weight = ew * market.phi_world[p] * market.world_demand  # world demand per unit of price
        self.world_sum = self.ZW * market.world_demand
        self.fixed = tally(p, n, firms.fixed_labour)
        self.not_commuting = labour.workers - c_out
        self.pop = labour.population
        country = market.country
        self.country_of_firm = country[p]
        self.countries = country.max() + 1
        pop_by_country = np.bincount(country, self.pop, minlength=self.countries)[country]
        self.has_people = pop_by_country > 0
        self.pop_by_country = np.maximum(pop_by_country, 1e-300)
        self.domestic = np.flatnonzero(firms.owner >= 0)
        self.owner = firms.owner[self.domestic]

    def _profits(self, w: np.ndarray, ma: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per province the price term and its revenue; per firm its operating profit, tax, net and owner's income.

        A firm's profit ``R_f / sigma - w F_f`` with ``R_f = c w^((1-sigma)(1-alpha)) (e_f MA + e_f^W D_W)`` is
        formed from per-province factors gathered once each. Its owner receives the after-tax profit and the
        capital rent ``alpha (sigma - 1) / sigma R_f = alpha (sigma - 1) (pi_f + w F_f)``.
        """
        firms, p, s = self.firms, self.firms.province, self.market.sigma
        unit, revenue = self.revenue(w, ma)
        fixed_cost = w[p] * firms.fixed_labour
        profit = (unit * ma / s)[p] * self.e + (unit / s)[p] * self.world_weight - fixed_cost
        tax = firms.tax * np.maximum(profit, 0.0)
        net = profit - tax
        alpha = self.market.capital_share
        owned = net + alpha * (s - 1.0) * (profit + fixed_cost) if alpha else net
        return unit, revenue, profit, tax, net, owned

    def revenue(self, w: np.ndarray, ma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per province the price term ``c w^((1-sigma)(1-alpha))`` and modern revenue ``unit (MA Z + Z_W D_W)``."""
        unit = self.market.price_constant * w**self.market.wage_exponent
        return unit, unit * (ma * self.Z + self.world_sum)

    def exports(self, unit: np.ndarray) -> np.ndarray:
        """Per province the firms' exports to the world, each firm's from its price term (as :meth:`full` has them)."""
        return tally(self.firms.province, self.market.n, unit[self.firms.province] * self.world_weight)

    def _employment(self, w: np.ndarray, revenue: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per province at wages ``w`` and revenue: jobs in M, residents in them, residents in A, variable jobs."""
        variable = np.where(revenue > 0, self.market.labour_cost_share * revenue / w, 0.0)
        employment_m = np.where(revenue > 0, self.fixed + variable, 0.0)
        # Jobs in a province go to its commuters first, then to residents; the rest of the residents work in A.
        resident_m = np.maximum(employment_m - self.c_in, 0.0)
        resident_a = np.maximum(self.not_commuting - resident_m, 0.0)
        return employment_m, resident_m, resident_a, variable

    def _provinces(self, w: np.ndarray, a: np.ndarray, revenue: np.ndarray, tax: np.ndarray, owned: np.ndarray) -> dict:
        """Per province: modern revenue and employment, employment in A, labour income, transfers, profits owned.

        Args:
            w: wages.
            a: traditional earnings.
            revenue: modern revenue per province.
            tax: each firm's profit tax.
            owned: each firm's owner's income from it: after-tax profit and capital rent.
        """
        market, labour, n = self.market, self.labour, self.market.n
        employment_m, resident_m, resident_a, _ = self._employment(w, revenue)
        commute_income = (
            np.bincount(labour.commute_home, w[labour.commute_work] * labour.commute_persons, minlength=n)
            if len(labour.commute_persons)
            else np.zeros(n)
        )
        labour_income_workers = w * resident_m + a * resident_a + commute_income
        labour_income = labour_income_workers + a * labour.farmers
        tax_by_country = tally(self.country_of_firm, self.countries, tax)[market.country]
        transfers = np.where(self.has_people, tax_by_country * self.pop / self.pop_by_country, 0.0)
        profits_owned = np.bincount(self.owner, owned[self.domestic], minlength=n)
        return {
            "revenue": revenue,
            "employment_m": employment_m,
            "employment_a": resident_a + labour.farmers,
            "labour_income": labour_income,
            "labour_income_workers": labour_income_workers,
            "profits_owned": profits_owned,
            "transfers": transfers,
            "income": labour_income + profits_owned + transfers,
        }

    def income(self, w: np.ndarray, ma: np.ndarray, a: np.ndarray) -> np.ndarray:
        """Income per province at wages ``w``, market access ``ma`` and traditional earnings ``a``."""
        _, revenue, _, tax, _, owned = self._profits(w, ma)
        return self._provinces(w, a, revenue, tax, owned)["income"]

    def traditional_earnings(self, a: np.ndarray, w_star: np.ndarray, reach: np.ndarray) -> np.ndarray:
        """The traditional earnings that clear each province's labour market (the module docstring's Newton steps).

        The steps are safeguarded: each evaluation narrows a bracket around the root (``h`` is increasing), and a
        step that would leave the bracket bisects it instead, so the kinks where the floor starts or stops binding
        cannot make the steps cycle.

        Args:
            a: the last earnings (the start).
            w_star: the wages that would employ every worker in the modern sector.
            reach: ``c (Z MA + Z_W D_W)`` per province: modern revenue is ``reach * w ** market.wage_exponent``.
        """
        market = self.market
        base, beta, a0 = market.traditional_employment, market.land_elasticity, market.traditional_wage
        floor_a = np.minimum(market.subsistence, a0) if market.subsistence is not None else np.zeros_like(a0)
        excess0 = a0 - floor_a
        free = excess0 > 0  # earnings at subsistence stay there: their labour is all surplus
        log_excess0 = np.log(np.where(free, excess0, 1.0))
        x = np.log(np.where(free, np.maximum(a - floor_a, 1e-300), 1.0))
        low, high = np.full(len(x), -np.inf), np.full(len(x), np.inf)
        for _ in range(EARNINGS_STEPS):
            a = np.where(free, floor_a + np.exp(x), a0)
            floor = market.floor_at(a)
            w = np.maximum(floor, w_star)
            revenue = reach * w**market.wage_exponent
            _, _, resident_a, variable = self._employment(w, revenue)
            traditional = resident_a + self.labour.farmers
            bounded = np.maximum(traditional, MIN_TRADITIONAL_SHARE * base)
            gap = np.where(free, x - log_excess0 + beta * np.log(bounded / base), 0.0)
            if np.max(np.abs(gap)) < EARNINGS_TOLERANCE:
                break
            low, high = np.where(gap < 0, np.maximum(low, x), low), np.where(gap > 0, np.minimum(high, x), high)
            binding = (floor > w_star) & (floor > market.minimum_wage) & (revenue > 0) & (traditional > bounded * 0.5)
            slope = 1.0 + np.where(
                binding, beta * market.labour_demand_elasticity * variable / bounded * (a - floor_a) / a, 0.0
            )
            step = x - gap / slope
            bracketed = np.isfinite(low) & np.isfinite(high)
            middle = 0.5 * (np.where(bracketed, low, 0.0) + np.where(bracketed, high, 0.0))
            x = np.where(bracketed & ((step <= low) | (step >= high)), middle, step)
        return np.where(free, floor_a + np.exp(x), a0)

    def full(self, w: np.ndarray, ma: np.ndarray, a: np.ndarray) -> dict[str, np.ndarray]:
        """Every account at wages ``w``, market access ``ma`` and traditional earnings ``a``.

        Per province, per firm, and profits sent abroad.
        """
        unit, revenue, profit, tax, net, owned = self._profits(w, ma)
        p, n = self.firms.province, self.market.n
        price = unit[p]
        world = price * self.world_weight
        foreign = np.ones(len(net), bool)
        foreign[self.domestic] = False
        return self._provinces(w, a, revenue, tax, owned) | {
            "tax_revenue": tally(p, n, tax),
            "taxable_profit": tally(p, n, np.maximum(profit, 0.0)),
            "exports_world": tally(p, n, world),
            "firm_revenue": price * self.e * ma[p] + world,
            "firm_profit": profit,
            "firm_net_profit": net,
            "firm_exports": world,
            "profits_abroad": float(owned[foreign].sum()),
        }
