"""Firms: a struct-of-arrays population with vectorised entry, approval, exit and relocation (MODEL.md section 4).

Location alternatives are the N provinces (outside any zone) followed by the zones of the zone table. Each step:

- **approvals**: firms waiting for approval count down; when it completes they start producing;
- **exit**: a producing firm with an after-tax loss for ``exit_patience`` years exits, and every firm faces an
  exogenous hazard;
- **entry**: potential entrants arrive in streams (domestic ones per country, owned by residents of that country;
  foreign ones, whose profits leave the region). An entrant with productivity ``z`` values alternative ``a`` at
  ``lambda ln(NPV_a(z) / profit_unit_i) + xi_a`` (+ a preference for zones if foreign) where ``NPV`` is the
  discounted after-tax operating profit from the current equilibrium, starting after the approval delay and
  counting any tax holiday, minus the sunk entry cost and red tape; the outside option has value 0 and Gumbel
  tastes make the choice a multinomial logit. Domestic entrants choose within their country, foreign ones
  anywhere; full zones admit no one. ``xi_a`` is calibrated so that entry balances exit at t = 0;
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


def pareto_quantiles(shape: float, size: int = POOL_SIZE) -> np.ndarray:
    """Stratified Pareto quantiles (deterministic pool for calibration)."""
    u = (np.arange(size) + 0.5) / size
    return (1.0 - u) ** (-1.0 / shape)


@dataclass
class Alternatives:
    """What each location alternative offers an entrant right now (arrays over alternatives)."""

    province: np.ndarray
    zone: np.ndarray  # -1 outside any zone
    revenue_unit: np.ndarray  # revenue per unit of z^(sigma-1) per year
    fixed_cost: np.ndarray  # w_i F_a per year
    annuity: np.ndarray  # discounted after-tax years of profit, after the approval wait
    sunk: np.ndarray  # entry cost + red tape (money)
    approval_steps: np.ndarray
    holiday_years: np.ndarray
    free_slots: np.ndarray  # inf outside zones
    open: np.ndarray  # admits entrants (zones: active with free slots)


class Firms(Population):
    """The firm population and its rules.

    Attributes (beyond the arrays):
        params: the ``firms`` parameter section.
        base_fixed_labour: calibrated fixed labour per firm, per province (F_i).
        approval_days, red_tape: per province (OSSCs change them).
        profit_unit: mean operating profit per firm at t = 0, per province (the unit of entry costs).
        xi: calibrated attractiveness per alternative (provinces, then zones).
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

    def zone_occupancy(self, n_zones: int) -> np.ndarray:
        """Firms (producing or waiting) in each zone."""
        zone = self["zone"]
        return np.bincount(zone[zone >= 0], minlength=n_zones)[:n_zones].astype(float)

    def alternative_of(self, n_provinces: int) -> np.ndarray:
        """Each firm's location alternative: its province, or ``n_provinces + zone`` inside a zone."""
        zone = self["zone"]
        return np.where(zone >= 0, n_provinces + zone, self["province"]).astype(np.int64)

    # ------------------------------------------------------------------ the economics of alternatives
    def alternatives(
        self,
        market: Market,
        eq: Equilibrium,
        zones: ZoneTable,
        country_tax: np.ndarray,
        steps_per_year: int,
    ) -> Alternatives:
        """Evaluate every location alternative at the current equilibrium."""
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
        days = np.concatenate(
            [
                self.approval_days,
                np.where(np.isnan(zones.approval_days), self.approval_days[zones.province], zones.approval_days),
            ]
        )
        tape = np.concatenate(
            [
                self.red_tape,
                np.where(np.isnan(zones.red_tape_years), self.red_tape[zones.province], zones.red_tape_years),
            ]
        )
        base_tax = country_tax[province]
        after = np.concatenate(
            [country_tax, np.where(np.isnan(zones.after_rate), country_tax[zones.province], zones.after_rate)]
        )
        holiday_years = np.concatenate([np.zeros(n), zones.holiday_years])
        holiday_rate = np.concatenate([base_tax[:n], zones.holiday_rate])
        beta = (1.0 - p["hazard"]) / (1.0 + p["discount_rate"])
        wait = days / 365.0
        forever = 1.0 / (1.0 - beta)
        after_holiday = beta**holiday_years
        annuity = beta**wait * forever * ((1.0 - holiday_rate) * (1.0 - after_holiday) + (1.0 - after) * after_holiday)
        sunk = (p["entry_cost"] + tape) * self.profit_unit[province]
        free = np.concatenate([np.full(n, np.inf), np.floor(zones.capacity - self.zone_occupancy(nz))])
        open_ = np.concatenate([np.ones(n, bool), zones.active]) & (free >= 1.0)
        return Alternatives(
            province=province,
            zone=zone,
            revenue_unit=revenue_unit,
            fixed_cost=fixed_cost,
            annuity=annuity,
            sunk=sunk,
            approval_steps=np.ceil(wait * steps_per_year - 1e-9).astype(np.int64),
            holiday_years=holiday_years,
            free_slots=free,
            open=open_,
        )

    def entry_values(self, alts: Alternatives, z: np.ndarray, sigma: float) -> np.ndarray:
        """``lambda ln(NPV / profit_unit)`` for each pool productivity (rows) and alternative (columns).

        Minus infinity where the NPV is not positive or the alternative admits no one.
        """
        profit = (z[:, None] ** (sigma - 1.0)) * alts.revenue_unit[None, :] / sigma - alts.fixed_cost[None, :]
        npv = profit * alts.annuity[None, :] - alts.sunk[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.params["entry_logit_scale"] * np.log(npv / self.profit_unit[alts.province][None, :])
        return np.where((npv > 0) & alts.open[None, :], value, -np.inf)

    def stream_probabilities(
        self, values: np.ndarray, alts: Alternatives, country: np.ndarray, xi: np.ndarray | None = None
    ) -> np.ndarray:
        """Logit choice probabilities per stream, shape (streams, pool, alternatives).

        Domestic streams choose among their country's alternatives, the foreign stream among all, with its zone
        preference; the outside option (value 0) takes the rest of each row.
        """
        xi = self.xi if xi is None else xi
        in_zone = alts.zone >= 0
        out = np.zeros((len(self.stream_country), values.shape[0], values.shape[1]))
        for s_idx, c in enumerate(self.stream_country):
            cols = np.flatnonzero(country[alts.province] == c) if c >= 0 else np.arange(values.shape[1])
            v = values[:, cols] + xi[cols]
            if c < 0:
                v = v + self.params["foreign_zone_preference"] * in_zone[cols]
            top = np.maximum(v.max(axis=1, keepdims=True), 0.0)
            ev = np.exp(v - top)
            out[s_idx][:, cols] = ev / (np.exp(-top) + ev.sum(axis=1, keepdims=True))
        return out

    def choice_probabilities(
        self, alts: Alternatives, z: np.ndarray, sigma: float, country: np.ndarray, xi: np.ndarray | None = None
    ) -> np.ndarray:
        """Logit choice probabilities per stream for the productivities ``z``: (streams, pool, alternatives)."""
        return self.stream_probabilities(self.entry_values(alts, z, sigma), alts, country, xi)

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
        n_countries: int,
        steps_per_year: int,
        tolerance: float = 1e-10,
        max_iterations: int = 100,
    ) -> None:
        """Set stream rates and ``xi`` so that expected entry equals expected exit in every alternative.

        Newton's method on ``ln E_a(xi) = ln target_a`` with the analytic Jacobian of the logit
        ``d ln E_a / d xi_b = delta_ab - (1/E_a) sum_s sum_z Q_sza P_szb``.

        Raises:
            ConvergenceError: when the expected entry cannot be matched.
        """
        p = self.params
        h = p["hazard"] / steps_per_year
        stock = np.bincount(self.alternative_of(len(self.base_fixed_labour)), minlength=len(alts.province))
        target = h * stock.astype(float)
        exits_by_country = np.bincount(country[alts.province], target, minlength=n_countries)
        total = target.sum() / (1.0 - p["outside_share"])
        self.stream_country = np.concatenate([np.arange(n_countries), [-1]])
        self.stream_rate = np.concatenate(
            [
                (1.0 - p["foreign_share"]) * total * exits_by_country / max(target.sum(), 1e-300),
                [p["foreign_share"] * total],
            ]
        )
        z = pareto_quantiles(p["pareto_shape"])
        values = self.entry_values(alts, z, sigma)
        ok = np.flatnonzero(target > 0)
        self.xi = np.full(len(target), -np.inf)
        self.xi[ok] = 0.0
        weight = self.stream_rate[:, None, None] / len(z)
        previous = np.inf
        for _ in range(max_iterations):
            prob = self.stream_probabilities(values, alts, country)
            q = weight * prob
            expected = q.sum(axis=(0, 1))
            gap = np.log(np.maximum(expected[ok], 1e-300) / target[ok])
            error = float(np.max(np.abs(gap)))
            if error < tolerance:
                return
            cross = np.einsum("sza,szb->ab", q[:, :, ok], prob[:, :, ok])
            jacobian = np.eye(ok.size) - cross / np.maximum(expected[ok], 1e-300)[:, None]
            step = np.linalg.solve(jacobian, gap)
            if error > previous:  # guard against overshooting far from the solution
                step *= 0.5
            previous = error
            self.xi[ok] -= step
        raise ConvergenceError(f"entry calibration did not converge (largest log gap {error:.3g})")

    # ------------------------------------------------------------------ rules
    def start(self, rng: np.random.Generator, n_alternatives: int, n_provinces: int) -> None:
        """Create the ledgers used by controlled sampling."""
        self._entry_ledgers = [Ledger(n_alternatives, rng) for _ in self.stream_country]
        self._exit_ledger = Ledger(n_alternatives, rng)
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
        """Remove firms after sustained losses and by the exogenous hazard; returns how many left."""
        patience = max(1, round(self.params["exit_patience"] * steps_per_year))
        losers = self["loss_streak"] >= patience
        alt = self.alternative_of(n_provinces)
        n_alt = len(self._exit_ledger.carry)
        alive = np.bincount(alt[~losers], minlength=n_alt).astype(float)
        expected = self.params["hazard"] / steps_per_year * alive
        counts = realise(expected, mode, rng, self._exit_ledger, slice(0, n_alt))
        candidates = np.flatnonzero(~losers)
        hit = candidates[pick_per_group(alt[candidates], counts, rng)]
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
        """Potential entrants choose locations; chosen entrants join the approval queue. Returns entrants."""
        p = self.params
        n_alt = len(alts.province)
        for ledger in self._entry_ledgers:
            ledger.resize(n_alt, rng)
        if len(self.xi) < n_alt:  # zones added since calibration start unattractive until policies set xi
            self.xi = np.concatenate([self.xi, np.zeros(n_alt - len(self.xi))])
        z = (1.0 - rng.random(POOL_SIZE)) ** (-1.0 / p["pareto_shape"])
        prob = self.choice_probabilities(alts, z, market.sigma, country)
        rates = self.stream_rates()
        entered = 0
        free = np.where(alts.open, alts.free_slots, 0.0)
        for s_idx, c in enumerate(self.stream_country):
            expected = rates[s_idx] * prob[s_idx].mean(axis=0)
            counts = realise(expected, mode, rng, self._entry_ledgers[s_idx], slice(0, n_alt))
            counts = np.minimum(counts, np.maximum(free, 0)).astype(np.int64)
            total = int(counts.sum())
            if not total:
                continue
            free -= counts
            choice = np.repeat(np.arange(n_alt), counts)
            weights = prob[s_idx][:, choice]  # pool x entrants
            cdf = np.cumsum(weights, axis=0)
            cdf /= cdf[-1]
            pick = (cdf < rng.random(total)[None, :]).sum(axis=0)
            productivity = z[np.minimum(pick, POOL_SIZE - 1)]
            if c >= 0:
                members, cum = owner_cdf[c]
                owner = members[np.minimum(np.searchsorted(cum, rng.random(total), side="right"), len(members) - 1)]
            else:
                owner = np.full(total, -1)
            province = alts.province[choice]
            wait = alts.approval_steps[choice]
            self.add(
                total,
                province=province,
                productivity=productivity,
                owner=owner,
                zone=alts.zone[choice],
                fixed_labour=self.base_fixed_labour[province],
                approval_left=wait,
                born=step,
                holiday_until=step + wait + np.round(alts.holiday_years[choice] * steps_per_year).astype(np.int64),
            )
            entered += total
        return entered

    def relocate(
        self, alts: Alternatives, country_tax: np.ndarray, rng: np.random.Generator, mode: str, steps_per_year: int
    ) -> int:
        """Footloose capital: reconsidering firms move towards the highest after-tax profit (smoothed best response).

        Returns the number of firms that moved.
        """
        p = self.params
        n = len(self.base_fixed_labour)
        provinces = np.arange(n)
        net_unit = alts.revenue_unit[:n] * (1.0 - country_tax)
        best = int(np.argmax(net_unit))
        gain = net_unit[best] / np.maximum(net_unit, 1e-300) - 1.0
        scale = p["response_scale"]
        moving_share = np.ones(n) if scale == 0 else np.minimum(1.0, gain / scale)
        moving_share[best] = 0.0
        here = np.bincount(self["province"], minlength=n).astype(float)
        expected = p["relocation"] / steps_per_year * here * moving_share
        counts = realise(expected, mode, rng, self._move_ledger, provinces)
        movers = pick_per_group(self["province"].astype(np.int64), counts, rng)
        self["province"][movers] = best
        return int(movers.size)
