"""Firms: a struct-of-arrays population with vectorised entry, approval, exit and relocation (MODEL.md section 4).

Location options are the N provinces (outside any zone) followed by the zones of the zone table. Each step:

- **approvals**: firms waiting for approval count down; when it completes they start producing;
- **exit**: a producing firm with an after-tax loss for ``exit_patience`` years exits, and every firm faces an
  exogenous hazard;
- **entry**: potential entrants arrive in streams (domestic ones per country, owned by residents of that country;
  foreign ones, whose profits leave the region). An entrant with productivity ``z`` values an option ``o`` (a
  province outside zones, or a zone) at ``lambda ln(NPV_o(z) / profit_unit_i)`` (+ a preference for zones if
  foreign), where ``NPV`` is the discounted after-tax operating profit from the current equilibrium, starting after
  the approval delay and counting any tax holiday, minus the sunk entry cost and red tape. A province is worth
  ``xi_i`` plus its best open option; the entrant chooses a province, or stays out (value 0), by multinomial logit
  (Gumbel tastes), then takes that best option. Domestic entrants choose within their country, foreign ones
  anywhere; a full zone admits no one, so its would-be entrants locate outside it. Choosing among provinces rather
  than among options keeps a new zone from counting its host twice (the logit's red-bus/blue-bus problem).
  ``xi_i`` is calibrated so that entry balances exit at t = 0;
- **relocation** (footloose-capital preset): a share of firms reconsider each year and move towards higher
  after-tax profit (a smoothed best response, near-deterministic as the textbook model requires).

The expected numbers of entrants and exits become whole firms through :mod:`sez_sim.agents.sampling`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sez_sim.agents.population import Population
from sez_sim.agents.sampling import Ledger, pick_per_group, realise
from sez_sim.economy.equilibrium import Equilibrium, FirmBlock, Market
from sez_sim.errors import ConvergenceError
from sez_sim.params import declare
from sez_sim.policies.zones import ZoneTable

PARAMS = declare(
    "firms",
    (
        "count",
        30000,
        "firm agents",
        (10, 10_000_000),
        "Firm agents at t = 0 in a calibrated (GMS-type) model; each stands for a group of plants.",
        "Issue 4 sizing: about 30,000 firm agents for the GMS.",
        "setting",
        None,
        True,
    ),
    (
        "min_per_province",
        10,
        "firm agents",
        (1, 10000),
        "At least this many firm agents per province at t = 0.",
        "Numerical setting: keeps the modern sector of small provinces from hanging on one or two agents.",
        "setting",
        None,
        True,
    ),
    (
        "allocation_elasticity",
        0.5,
        "elasticity",
        (0.0, 1.0),
        "Firm agents per province grow with modern revenue to this power (1 = equal-sized agents everywhere).",
        "Numerical setting: 0.5 gives provinces with small modern sectors enough agents to average out entry "
        "and exit while big provinces have bigger agents.",
        "setting",
    ),
    (
        "pareto_shape",
        10.0,
        "shape",
        (1.0, 50.0),
        "Shape k of the Pareto distribution of firm productivity z (must exceed sigma - 1).",
        "Firm agents aggregate plants, so their dispersion is lower than the plant-level k/(sigma-1) of 1.1-2 "
        "(Melitz-Chaney estimates); k = 10 with sigma = 5 gives k/(sigma-1) = 2.5.",
        "uncertainty",
    ),
    (
        "pareto_top",
        0.999,
        "quantile",
        (0.5, 0.999999),
        "Productivity is Pareto truncated at this quantile (firm agents bundle plants, so extremes are implausible).",
        "Numerical setting; 0.999 cuts the top 0.1% of the Pareto.",
        "setting",
    ),
    (
        "foreign_share",
        0.3,
        "share",
        (0.0, 1.0),
        "Share of potential entrants (and of the initial firm stock) that are foreign-owned (FDI).",
        "Author's assumption: foreign-invested firms account for roughly a quarter to a half of manufacturing "
        "in Viet Nam, Cambodia and Thailand, less in Myanmar, Lao PDR and inland China.",
        "uncertainty",
    ),
    (
        "fdi_inflow",
        1.0,
        "multiplier",
        (0.0, 20.0),
        "Multiplier on the foreign stream of potential entrants (1 = the calibrated baseline).",
        "Lever for FDI promotion or a global FDI shock; 1 reproduces the baseline.",
        "lever",
    ),
    (
        "hazard",
        0.03,
        "per year",
        (0.0, 0.5),
        "Exogenous exit hazard of every firm agent.",
        "Plant exit rates are 5-10% a year in manufacturing surveys; firm agents aggregate plants, so lower.",
        "uncertainty",
    ),
    (
        "exit_patience",
        1.0,
        "years",
        (0.0, 20.0),
        "A producing firm exits after this long with an after-tax loss.",
        "MODEL.md section 4 (exit_patience); author's assumption.",
        "uncertainty",
    ),
    (
        "entry_logit_scale",
        3.0,
        "1/log-profit",
        (0.1, 50.0),
        "Sensitivity of location choice to log expected profit (lambda); larger = more footloose entrants.",
        "Conditional-logit location studies find elasticities of FDI location to market potential and costs of "
        "1-3 (Head & Mayer 2004); author's assumption.",
        "uncertainty",
    ),
    (
        "outside_share",
        0.5,
        "share",
        (0.01, 0.99),
        "Share of potential entrants that choose not to enter at t = 0 (sets how much a policy creates new "
        "entry rather than diverting it).",
        "Author's assumption.",
        "uncertainty",
    ),
    (
        "discount_rate",
        0.10,
        "per year",
        (0.0, 1.0),
        "Discount rate of investors (on top of the exit hazard).",
        "Hurdle rates of 10-15% are typical for FDI in emerging Asia; author's assumption.",
        "uncertainty",
    ),
    (
        "entry_cost",
        2.0,
        "years of mean firm profit",
        (0.0, 50.0),
        "Sunk cost of setting up, in years of the operating profit of the host province's mean firm at t = 0 "
        "(firm agents bundle more plants where the modern sector is bigger, so costs scale with them).",
        "Author's assumption.",
        "uncertainty",
    ),
    (
        "red_tape",
        {"*": 0.2},
        "years of mean firm profit",
        (0.0, 20.0),
        "Cost of red tape for an entrant (licences, informal payments), per country.",
        "Author's assumption; an OSSC cuts it.",
        "lever",
        "country",
    ),
    (
        "approval_days",
        {"THA": 40.0, "VNM": 45.0, "KHM": 28.0, "LAO": 65.0, "MMR": 90.0, "CHN": 30.0, "*": 45.0},
        "days",
        (0.0, 1000.0),
        "Days from an investment decision to approval (the firm waits without producing), per country.",
        "MODEL.md section 10: 65 days in Savannakhet before its OSSC and 28 in Phnom Penh SEZ before its own "
        "(OSSCs cut them to 15 and 3); the other countries are the author's assumptions.",
        "lever",
        "country",
    ),
    (
        "foreign_zone_preference",
        1.0,
        "utility",
        (0.0, 10.0),
        "Extra value foreign entrants place on locating inside a zone (serviced land, security, one address).",
        "Author's assumption; FDI concentrates in zones across the GMS.",
        "uncertainty",
    ),
    (
        "zone_choice_scale",
        0.25,
        "utility",
        (0.01, 5.0),
        "Scale of the choice between a province's zones and its outside-zone option (small = take the best).",
        "Numerical setting of the nested logit: smooth enough that identical zones share demand.",
        "setting",
    ),
    (
        "relocation",
        0.0,
        "per year",
        (0.0, 50.0),
        "Share of firms that reconsider their location each year (used by the footloose-capital preset).",
        "MODEL.md section 4; 0 in the GMS model.",
        "setting",
    ),
    (
        "response_scale",
        0.02,
        "relative gain",
        (0.0, 1.0),
        "Smoothing of best responses: a firm reconsidering moves with probability gain / response_scale (capped "
        "at 1), so small gains move few firms (0 = pure best response).",
        "Numerical setting for the textbook presets (MODEL.md section 8).",
        "setting",
    ),
)

POOL_SIZE = 256


def productivity_grid(shape: float, top: float, size: int = POOL_SIZE) -> np.ndarray:
    """The productivities potential entrants draw from: quantile midpoints of a Pareto truncated at ``top``.

    Calibration, entry and the initial stock all use this one grid, so entrants come from exactly the distribution
    the steady state was calibrated on (each entrant's ``z`` is one of ``size`` values, weighted by its choice
    probability). Truncation keeps the upper tail, which the entry choice tilts towards, finite.
    """
    u = (np.arange(size) + 0.5) / size * top
    return (1.0 - u) ** (-1.0 / shape)


@dataclass
class Alternatives:
    """What each location option offers an entrant right now: provinces outside zones, then zones."""

    province: np.ndarray
    zone: np.ndarray  # -1 outside any zone
    revenue_unit: np.ndarray  # revenue per unit of z^(sigma-1) per year
    fixed_cost: np.ndarray  # w_i F_a per year
    annuity: np.ndarray  # discounted after-tax years of profit, after the approval wait
    sunk: np.ndarray  # entry cost + red tape (money)
    approval_steps: np.ndarray
    holiday_years: np.ndarray
    free_slots: np.ndarray  # whole slots free now (inf outside zones): what the zone can admit this step
    choice_slots: np.ndarray  # what entrants plan on: free slots, or the slots a full zone's exits free on average
    open: np.ndarray  # entrants may choose it (zones: active, with room now or soon)


class Firms(Population):
    """The firm population and its rules.

    Attributes (beyond the arrays):
        params: the ``firms`` parameter section.
        base_fixed_labour: calibrated fixed labour per firm, per province (F_i).
        approval_days, red_tape: per province (OSSCs change them).
        profit_unit: mean operating profit per firm at t = 0, per province (the unit of entry costs).
        xi: calibrated attractiveness per province.
        queue: queue cost per zone (the shadow price that keeps expected zone entry within its free slots).
        stream_rate: potential entrants per step per stream (countries, then foreign).
    """

    fields = {
        "province": (np.int64, 0),
        "productivity": (np.float64, 1.0),
        "owner": (np.int32, -1),
        "zone": (np.int32, -1),
        "fixed_labour": (np.float64, 0.0),
        "approval_left": (np.int32, 0),
        "loss_streak": (np.int32, 0),
        "born": (np.int32, 0),
        "holiday_until": (np.int32, 0),
    }

    def __init__(self, params: dict[str, Any], capacity: int = 1024):
        super().__init__(capacity)
        self.params = params
        self.base_fixed_labour = np.zeros(0)
        self.approval_days = np.zeros(0)
        self.red_tape = np.zeros(0)
        self.profit_unit = np.zeros(0)
        self.xi = np.zeros(0)
        self.queue = np.zeros(0)
        self.stream_rate = np.zeros(0)
        self.stream_country = np.zeros(0, np.int64)
        self._entry_ledgers: list[Ledger] = []
        self._exit_ledger: Ledger | None = None
        self._move_ledger: Ledger | None = None
        self._block_rows = np.zeros(0, np.int64)

    # ------------------------------------------------------------------ views for the solver
    @property
    def foreign(self) -> np.ndarray:
        """True for foreign-owned firms."""
        return self["owner"] < 0

    def producing(self) -> np.ndarray:
        """Rows of firms whose approval is complete."""
        return np.flatnonzero(self["approval_left"] <= 0)

    def tax_rates(self, country_tax: np.ndarray, zones: ZoneTable, step: int) -> np.ndarray:
        """Profit-tax rate of every firm: the country's, or its zone's holiday/after rates."""
        rate = country_tax[self["province"]].copy()
        zone = self["zone"]
        inz = np.flatnonzero(zone >= 0)
        if inz.size:
            z = zone[inz]
            after = np.where(np.isnan(zones.after_rate[z]), rate[inz], zones.after_rate[z])
            on_holiday = step < self["holiday_until"][inz]
            rate[inz] = np.where(on_holiday, zones.holiday_rate[z], after)
        return rate

    def block(self, sigma: float, country_tax: np.ndarray, zones: ZoneTable, step: int) -> FirmBlock:
        """The producing firms as the equilibrium solver sees them (remembers which rows they are)."""
        rows = self.producing()
        self._block_rows = rows
        zone = self["zone"][rows]
        inz = zone >= 0
        bonus = np.ones(rows.size)
        access = np.ones(rows.size)
        fixed_factor = np.ones(rows.size)
        if inz.any():
            bonus[inz] = zones.productivity_bonus[zone[inz]]
            access[inz] = zones.world_access[zone[inz]]
            fixed_factor[inz] = zones.fixed_cost_factor[zone[inz]]
        return FirmBlock(
            province=self["province"][rows].astype(np.int64),
            efficiency=(bonus * self["productivity"][rows]) ** (sigma - 1.0),
            world_access=access,
            fixed_labour=self["fixed_labour"][rows] * fixed_factor,
            tax=self.tax_rates(country_tax, zones, step)[rows],
            owner=self["owner"][rows].astype(np.int64),
        )

    def option_of(self, n_provinces: int) -> np.ndarray:
        """Each firm's location option: its province (outside zones), or ``n_provinces + zone``."""
        zone = self["zone"]
        return np.where(zone >= 0, n_provinces + zone, self["province"]).astype(np.int64)

    def zone_occupancy(self, n_zones: int) -> np.ndarray:
        """Firms (producing or waiting) in each zone."""
        zone = self["zone"]
        return np.bincount(zone[zone >= 0], minlength=n_zones)[:n_zones].astype(float)

    # ------------------------------------------------------------------ the economics of locations
    def alternatives(
        self,
        market: Market,
        eq: Equilibrium,
        zones: ZoneTable,
        country_tax: np.ndarray,
        steps_per_year: int,
    ) -> Alternatives:
        """Evaluate every location option (each province outside zones, then each zone) at the equilibrium."""
        p = self.params
        s = market.sigma
        n = market.n
        unit = market.price_constant * eq.wage ** (1.0 - s) * market.tfp ** (s - 1.0)
        dom = unit * eq.market_access
        world = unit * market.phi_world * market.world_demand
        nz = len(zones)
        province = np.concatenate([np.arange(n), zones.province]).astype(np.int64)
        zone = np.concatenate([np.full(n, -1), np.arange(nz)]).astype(np.int64)
        bonus = np.concatenate([np.ones(n), zones.productivity_bonus]) ** (s - 1.0)
        access = np.concatenate([np.ones(n), zones.world_access])
        revenue_unit = bonus * (dom[province] + access * world[province])
        fixed_factor = np.concatenate([np.ones(n), zones.fixed_cost_factor])
        fixed_cost = eq.wage[province] * self.base_fixed_labour[province] * fixed_factor
        in_zone = lambda values, own: np.where(np.isnan(values), own[zones.province], values)  # noqa: E731
        days = np.concatenate([self.approval_days, in_zone(zones.approval_days, self.approval_days)])
        tape = np.concatenate([self.red_tape, in_zone(zones.red_tape_years, self.red_tape)])
        after = np.concatenate([country_tax, in_zone(zones.after_rate, country_tax)])
        holiday_years = np.concatenate([np.zeros(n), zones.holiday_years])
        holiday_rate = np.concatenate([country_tax, zones.holiday_rate])
        beta = (1.0 - p["hazard"]) / (1.0 + p["discount_rate"])
        wait = days / 365.0
        after_holiday = beta**holiday_years
        annuity = (
            beta**wait / (1.0 - beta) * ((1.0 - holiday_rate) * (1.0 - after_holiday) + (1.0 - after) * after_holiday)
        )
        occupancy = self.zone_occupancy(nz)
        free = np.concatenate([np.full(n, np.inf), np.floor(zones.capacity - occupancy)])
        # A full zone frees the slots of its exiting firms; entrants plan on that turnover (as the steady state
        # was calibrated), and those who find no slot this step locate outside the zone.
        turnover = np.concatenate([np.zeros(n), p["hazard"] / steps_per_year * occupancy])
        choice = np.maximum(free, turnover)
        return Alternatives(
            province=province,
            zone=zone,
            revenue_unit=revenue_unit,
            fixed_cost=fixed_cost,
            annuity=annuity,
            sunk=(p["entry_cost"] + tape) * self.profit_unit[province],
            approval_steps=np.ceil(wait * steps_per_year - 1e-9).astype(np.int64),
            holiday_years=holiday_years,
            free_slots=free,
            choice_slots=choice,
            open=np.concatenate([np.ones(n, bool), zones.active]) & (choice > 0),
        )

    def option_values(self, alts: Alternatives, z: np.ndarray, sigma: float) -> np.ndarray:
        """``lambda ln(NPV / profit_unit)`` for each pool productivity (rows) and location option (columns).

        Minus infinity where the NPV is not positive or the option admits no one.
        """
        profit = (z[:, None] ** (sigma - 1.0)) * alts.revenue_unit[None, :] / sigma - alts.fixed_cost[None, :]
        npv = profit * alts.annuity[None, :] - alts.sunk[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.params["entry_logit_scale"] * np.log(npv / self.profit_unit[alts.province][None, :])
        return np.where((npv > 0) & alts.open[None, :], value, -np.inf)

    def nests(self, values: np.ndarray, alts: Alternatives, foreign: bool) -> tuple[np.ndarray, np.ndarray]:
        """Each province's inclusive value and the within-province shares of its zone options.

        Within a province an entrant picks among the outside-zone option and the province's open zones by a
        logit with the small scale ``zone_choice_scale`` (close to taking the best, but smooth, so identical zones
        share their demand and queue costs settle). Foreign entrants add their zone preference; every zone option
        carries its queue cost.

        Returns:
            ``(inclusive, zone_share)``: (pool, N) province values and (pool, zones) shares of each zone within
            its province.
        """
        n = len(self.base_fixed_labour)
        scale = self.params["zone_choice_scale"]
        outside = values[:, :n]
        if values.shape[1] == n:
            return outside, np.zeros((values.shape[0], 0))
        bonus = self.params["foreign_zone_preference"] if foreign else 0.0
        zone_values = values[:, n:] + bonus - self.queue_cost(values.shape[1] - n)
        host = alts.province[n:]
        top = outside.copy()
        for z, i in enumerate(host):  # a few dozen zones: a loop of column operations
            top[:, i] = np.maximum(top[:, i], zone_values[:, z])
        top = np.where(np.isfinite(top), top, 0.0)
        weight_zone = np.exp((zone_values - top[:, host]) / scale)
        total = np.exp((outside - top) / scale) + weight_zone @ self._host_matrix(host, n)
        with np.errstate(divide="ignore"):
            inclusive = top + scale * np.log(total)
        share = np.divide(weight_zone, total[:, host], out=np.zeros_like(weight_zone), where=total[:, host] > 0)
        return inclusive, share

    @staticmethod
    def _host_matrix(host: np.ndarray, n: int) -> np.ndarray:
        """(zones, provinces) indicator of each zone's host."""
        out = np.zeros((len(host), n))
        out[np.arange(len(host)), host] = 1.0
        return out

    def stream_probabilities(
        self, values: np.ndarray, alts: Alternatives, country: np.ndarray, xi: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Logit choice of a province per stream, and the within-province shares of the zones.

        Domestic streams choose among their country's provinces, the foreign stream among all; a province is worth
        ``xi_i`` plus its inclusive value; the outside option (value 0) takes the rest of each row.

        Returns:
            ``(probabilities, zone_share)``: (streams, pool, provinces) and (streams, pool, zones).
        """
        xi = self.xi if xi is None else xi
        n = len(xi)
        prob = np.zeros((len(self.stream_country), values.shape[0], n))
        share = np.zeros((len(self.stream_country), values.shape[0], values.shape[1] - n))
        nests = {False: None, True: None}  # domestic streams share theirs; the foreign one adds its zone preference
        for s_idx, c in enumerate(self.stream_country):
            if nests[c < 0] is None:
                nests[c < 0] = self.nests(values, alts, foreign=c < 0)
            inclusive, share[s_idx] = nests[c < 0]
            cols = np.flatnonzero(country == c) if c >= 0 else np.arange(n)
            v = inclusive[:, cols] + xi[cols]
            top = np.maximum(v.max(axis=1, keepdims=True), 0.0)
            ev = np.exp(v - top)
            prob[s_idx][:, cols] = ev / (np.exp(-top) + ev.sum(axis=1, keepdims=True))
        return prob, share

    def queue_cost(self, n_zones: int) -> np.ndarray:
        """The current queue cost of each zone (grown to ``n_zones`` entries, new zones at zero)."""
        if len(self.queue) < n_zones:
            self.queue = np.concatenate([self.queue, np.zeros(n_zones - len(self.queue))])
        return self.queue

    def zone_demand(
        self, values: np.ndarray, alts: Alternatives, country: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expected entrants per step who would take each zone, at the current queue costs.

        Returns:
            ``(demand, within, province_share)``: per zone, its expected entrants, their share of its province's
            expected entrants, and the province's share of all potential entrants (for the queue update).
        """
        n = len(self.base_fixed_labour)
        prob, share = self.stream_probabilities(values, alts, country)
        host = alts.province[n:]
        rates = self.stream_rates()[:, None, None]
        weight = rates * prob[:, :, host] * share
        demand = weight.sum(axis=(0, 1)) / values.shape[0]
        province = (rates * prob).sum(axis=(0, 1))[host] / values.shape[0]
        within = np.divide(demand, province, out=np.zeros_like(demand), where=province > 0)
        return demand, within, province / rates.sum()

    def clear_zones(
        self,
        values: np.ndarray,
        alts: Alternatives,
        country: np.ndarray,
        free: np.ndarray,
        rounds: int = 30,
        tolerance: float = 0.02,
    ) -> None:
        """Set the queue costs so that no open zone is expected to take more entrants than it has free slots.

        A zone's queue cost is the shadow price of its scarce serviced land: zero while it has room; otherwise the
        value entrants give up by waiting, just enough that expected demand equals the free slots. Without it a
        nearly full zone would make its whole province look attractive and then turn the entrants away. The
        update is a Newton step on log demand, with the slope measured between rounds (secant) or, in the first
        round, estimated as ``(1 - w) / scale + w (1 - p)`` with ``w`` the zone's share of its province's entrants
        and ``p`` the province's share of all.
        """
        n = len(self.base_fixed_labour)
        queue = self.queue_cost(values.shape[1] - n)  # closed zones keep theirs: a warm start when they reopen
        zones = np.flatnonzero(alts.open[n:])
        if not zones.size:
            return
        scale = self.params["zone_choice_scale"]
        last_queue = last_log = None
        for _ in range(rounds):
            demand, within, province = (x[zones] for x in self.zone_demand(values, alts, country))
            log_demand = np.log(np.maximum(demand, 1e-300))
            gap = np.clip(log_demand - np.log(np.maximum(free[zones], 1e-12)), -5.0, 5.0)
            binding = (queue[zones] > 0) | (gap > 0)
            if np.all(~binding | (np.abs(gap) < tolerance)):
                return
            # Newton on log demand; the slope is measured (secant) once two rounds exist, else estimated.
            slope = (1.0 - within) / scale + within * (1.0 - province)
            if last_queue is not None:
                moved = queue[zones] - last_queue
                measured = np.divide(last_log - log_demand, moved, out=np.zeros_like(moved), where=np.abs(moved) > 1e-9)
                slope = np.where(measured > 0.05, measured, slope)
            last_queue, last_log = queue[zones].copy(), log_demand
            queue[zones] = np.maximum(queue[zones] + binding * gap / np.maximum(slope, 0.05), 0.0)

    def stream_rates(self) -> np.ndarray:
        """Potential entrants per step per stream, with the FDI-inflow lever applied to the foreign stream."""
        rate = self.stream_rate.copy()
        rate[self.stream_country < 0] *= self.params["fdi_inflow"]
        return rate

    # ------------------------------------------------------------------ calibration (steady state)
    def calibrate_entry(
        self,
        alts: Alternatives,
        sigma: float,
        country: np.ndarray,
        steps_per_year: int,
        tolerance: float = 1e-9,
        max_iterations: int = 50,
    ) -> None:
        """Set stream rates and ``xi`` so that expected entry equals expected exit in every province.

        Newton's method on ``ln E_i(xi) = ln target_i`` with the analytic Jacobian of the logit
        ``d ln E_i / d xi_j = delta_ij - (1/E_i) sum_s sum_z Q_szi P_szj``, solved jointly with the zones' queue
        costs, which make each zone's expected entrants equal the slots that its exits free in a steady state.

        Raises:
            ConvergenceError: when the expected entry cannot be matched.
        """
        p = self.params
        n = len(self.base_fixed_labour)
        n_countries = int(country.max()) + 1
        target = p["hazard"] / steps_per_year * np.bincount(self["province"], minlength=n).astype(float)
        exits_by_country = np.bincount(country, target, minlength=n_countries)
        total = target.sum() / (1.0 - p["outside_share"])
        self.stream_country = np.concatenate([np.arange(n_countries), [-1]])
        self.stream_rate = np.concatenate(
            [
                (1.0 - p["foreign_share"]) * total * exits_by_country / max(target.sum(), 1e-300),
                [p["foreign_share"] * total],
            ]
        )
        z = productivity_grid(p["pareto_shape"], p["pareto_top"])
        # In the steady state a zone frees the slots of its exiting firms every step and refills them.
        n_zones = len(alts.province) - n
        zone_rows = np.flatnonzero(alts.zone >= 0)
        turnover = p["hazard"] / steps_per_year * np.bincount(self["zone"][self["zone"] >= 0], minlength=n_zones)
        steady = Alternatives(**{**alts.__dict__, "open": alts.open.copy(), "choice_slots": alts.choice_slots.copy()})
        steady.choice_slots[zone_rows] = turnover
        steady.open[zone_rows] = alts.open[zone_rows] | (turnover > 0)
        values = self.option_values(steady, z, sigma)
        ok = np.flatnonzero(target > 0)
        warm = len(self.xi) == n and np.all(np.isfinite(self.xi[ok]))  # recalibrating: start from the last solution
        self.queue = self.queue if warm and len(self.queue) == n_zones else np.zeros(n_zones)
        self.xi = np.where(target > 0, self.xi if warm else 0.0, -np.inf)
        weight = self.stream_rate[:, None, None] / len(z)
        free = steady.choice_slots[n:]
        host = steady.province[n:]
        scale = p["zone_choice_scale"]
        same = host[:, None] == host[None, :]

        def residual():
            prob, share = self.stream_probabilities(values, steady, country)
            q = (weight * prob).reshape(-1, n)  # (stream, pool) x provinces, entrants per step
            w = share.reshape(prob.shape[0] * prob.shape[1], n_zones)
            expected = q.sum(axis=0)
            v = q[:, host] * w  # entrants taking each zone
            demand = v.sum(axis=0)
            zones = np.flatnonzero((free > 0) & ((self.queue > 0) | (demand > free)))
            gap = np.concatenate(
                [
                    np.log(np.maximum(expected[ok], 1e-300) / target[ok]),
                    np.log(np.maximum(demand[zones], 1e-300) / free[zones]),
                ]
            )
            return gap, zones, (q, prob.reshape(-1, n), w, expected, v, demand)

        gap, zones, parts = residual()
        error = float(np.max(np.abs(gap)))
        for _ in range(max_iterations):
            if error < tolerance:
                return
            q, pk, w, expected, v, demand = parts
            # Jacobian of (ln E, ln D) in (xi, queue): the logit's derivatives, with a zone's queue cost lowering
            # its host's inclusive value by its within-province share.
            a = np.eye(ok.size) - (q[:, ok].T @ pk[:, ok]) / expected[ok, None]
            pw = pk[:, host[zones]] * w[:, zones]
            hosted = (np.arange(n)[ok, None] == host[zones][None, :]) * demand[zones][None, :]
            b = -(hosted - q[:, ok].T @ pw) / expected[ok, None]
            c = (
                (host[zones][:, None] == np.arange(n)[None, ok]) * demand[zones][:, None] - v[:, zones].T @ pk[:, ok]
            ) / demand[zones, None]
            vw = v[:, zones].T @ w[:, zones]
            d = (
                same[np.ix_(zones, zones)] * vw * (1.0 / scale - 1.0)
                - np.diag(demand[zones]) / scale
                + v[:, zones].T @ pw
            ) / demand[zones, None]
            step = np.linalg.solve(np.block([[a, b], [c, d]]), gap)
            step *= min(1.0, 3.0 / max(float(np.max(np.abs(step))), 1e-300))  # no leaps far from the solution
            xi, queue = self.xi.copy(), self.queue.copy()
            for _ in range(8):  # backtrack until the residual falls
                self.xi[ok] = xi[ok] - step[: ok.size]
                self.queue[zones] = np.maximum(queue[zones] - step[ok.size :], 0.0)
                new_gap, new_zones, new_parts = residual()
                new_error = float(np.max(np.abs(new_gap)))
                if new_error < error:
                    break
                step *= 0.5
            gap, zones, parts, error = new_gap, new_zones, new_parts, new_error
        raise ConvergenceError(f"entry calibration did not converge (largest log gap {error:.3g})")

    # ------------------------------------------------------------------ rules
    def start(self, rng: np.random.Generator, n_provinces: int) -> None:
        """Create the ledgers used by controlled sampling."""
        self._entry_ledgers = [Ledger(n_provinces, rng) for _ in self.stream_country]
        self._exit_ledger = Ledger(n_provinces, rng)
        self._move_ledger = Ledger(n_provinces, rng)

    def approvals(self) -> None:
        """Advance the approval queue by one step."""
        waiting = self["approval_left"] > 0
        self["approval_left"][waiting] -= 1

    def record_losses(self, eq: Equilibrium) -> None:
        """Update loss streaks of producing firms from the equilibrium's after-tax profits."""
        rows = self._block_rows
        streak = self["loss_streak"]
        losing = eq.firm_net_profit < 0
        streak[rows] = np.where(losing, streak[rows] + 1, 0)

    def exit(self, rng: np.random.Generator, mode: str, steps_per_year: int, n_provinces: int) -> int:
        """Remove producing firms after sustained losses and by the exogenous hazard; returns how many left.

        Firms still waiting for approval do not exit (their investment is committed).
        """
        patience = max(1, round(self.params["exit_patience"] * steps_per_year))
        losers = self["loss_streak"] >= patience
        province = self["province"]
        at_risk = ~losers & (self["approval_left"] <= 0)
        alive = np.bincount(province[at_risk], minlength=n_provinces).astype(float)
        counts = realise(self.params["hazard"] / steps_per_year * alive, mode, rng, self._exit_ledger, slice(None))
        candidates = np.flatnonzero(at_risk)
        hit = candidates[pick_per_group(province[candidates], counts, rng)]
        gone = np.union1d(np.flatnonzero(losers), hit)
        self.remove(gone)
        return int(gone.size)

    def enter(
        self,
        alts: Alternatives,
        market: Market,
        country: np.ndarray,
        owner_cdf: list[tuple[np.ndarray, np.ndarray]],
        rng: np.random.Generator,
        mode: str,
        step: int,
        steps_per_year: int,
    ) -> int:
        """Potential entrants choose a province and the best open option in it; they join the approval queue.

        An entrant whose chosen zone has filled up this step takes the province's option outside the zone (or
        stays out if that is not profitable). Returns the number of entrants.
        """
        p = self.params
        n = len(self.base_fixed_labour)
        z = productivity_grid(p["pareto_shape"], p["pareto_top"])
        values = self.option_values(alts, z, market.sigma)
        free = alts.free_slots.copy()
        self.clear_zones(values, alts, country, alts.choice_slots[n:], rounds=2, tolerance=0.1)
        prob, share = self.stream_probabilities(values, alts, country)
        rates = self.stream_rates()
        entered = 0
        for s_idx, c in enumerate(self.stream_country):
            expected = rates[s_idx] * prob[s_idx].mean(axis=0)
            counts = realise(expected, mode, rng, self._entry_ledgers[s_idx], slice(None))
            total = int(counts.sum())
            if not total:
                continue
            province = np.repeat(np.arange(n), counts)
            cdf = np.cumsum(prob[s_idx][:, province], axis=0)
            pick = np.minimum((cdf < rng.random(total)[None, :] * cdf[-1]).sum(axis=0), POOL_SIZE - 1)
            chosen = self._within(province, share[s_idx][pick], alts, rng)
            # Zones admit entrants up to their free slots (in random order); the rest locate outside the zone.
            for o in np.unique(chosen[chosen >= n]):
                rows = rng.permutation(np.flatnonzero(chosen == o))
                overflow = rows[int(max(free[o], 0)) :]
                free[o] -= rows.size - overflow.size
                chosen[overflow] = province[overflow]
            keep = values[pick, chosen] > -np.inf
            province, chosen, pick = province[keep], chosen[keep], pick[keep]
            total = int(keep.sum())
            if c >= 0:
                members, cum = owner_cdf[c]
                owner = members[np.minimum(np.searchsorted(cum, rng.random(total), side="right"), len(members) - 1)]
            else:
                owner = np.full(total, -1)
            wait = alts.approval_steps[chosen]
            self.add(
                total,
                province=province,
                productivity=z[pick],
                owner=owner,
                zone=alts.zone[chosen],
                fixed_labour=self.base_fixed_labour[province],
                approval_left=wait,
                born=step,
                holiday_until=step + wait + np.round(alts.holiday_years[chosen] * steps_per_year).astype(np.int64),
            )
            entered += total
        return entered

    @staticmethod
    def _within(province: np.ndarray, share: np.ndarray, alts: Alternatives, rng: np.random.Generator) -> np.ndarray:
        """Draw each entrant's option inside its province: a zone with its within-province share, else outside."""
        n = len(alts.province) - share.shape[1]
        chosen = province.copy()
        if not share.shape[1]:
            return chosen
        host = alts.province[n:]
        mine = np.where(host[None, :] == province[:, None], share, 0.0)
        cum = np.cumsum(mine, axis=1)
        u = rng.random(len(province))
        inside = u < cum[:, -1]
        zone = (cum < u[:, None]).sum(axis=1)
        chosen[inside] = n + zone[inside]
        return chosen

    def relocate(
        self, alts: Alternatives, country_tax: np.ndarray, rng: np.random.Generator, mode: str, steps_per_year: int
    ) -> int:
        """Footloose capital: reconsidering firms move towards the highest after-tax profit (smoothed best response).

        Returns the number of firms that moved.
        """
        p = self.params
        n = len(self.base_fixed_labour)
        net_unit = alts.revenue_unit[:n] * (1.0 - country_tax)
        best = int(np.argmax(net_unit))
        gain = net_unit[best] / np.maximum(net_unit, 1e-300) - 1.0
        scale = p["response_scale"]
        moving_share = np.ones(n) if scale == 0 else np.minimum(1.0, gain / scale)
        moving_share[best] = 0.0
        here = np.bincount(self["province"], minlength=n).astype(float)
        expected = p["relocation"] / steps_per_year * here * moving_share
        counts = realise(expected, mode, rng, self._move_ledger, slice(None))
        movers = pick_per_group(self["province"], counts, rng)
        self["province"][movers] = best
        return int(movers.size)
