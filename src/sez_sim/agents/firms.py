"""Firms: a struct-of-arrays population with vectorised approval, exit, entry and relocation (docs/ODD.md 7.3).

Each step:

- **approvals** (:meth:`Firms.approvals`): firms waiting for approval count down; then they start producing;
- **exit** (:meth:`Firms.exit`): a producing firm with an after-tax loss for ``exit_patience`` years exits, and
  every producing firm faces an exogenous hazard;
- **entry** (:meth:`Firms.enter`): potential entrants choose a province and an option in it, or stay out, by the
  nested logit of :mod:`sez_sim.agents.location_choice`; they join the approval queue. A zone admits entrants up
  to its free slots; the rest set up outside the zone and move in, longest waiting first, as plots free up
  (entrants plan on a full zone's turnover, so a random demand above the free slots is no loss to its host);
- **relocation** (:meth:`Firms.relocate`, footloose-capital preset): a share of firms reconsider each year and
  move towards higher after-tax profit, to each better province by the gain (:mod:`sez_sim.agents.response`;
  between two regions the smoothed best response, near-deterministic as the textbook model requires).

Expected numbers of entrants and exits become whole firms through :mod:`sez_sim.agents.sampling`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np

from sez_sim.agents.location_choice import POOL_SIZE, Alternatives, LocationChoice
from sez_sim.agents.population import Population
from sez_sim.agents.response import split, toward_gains
from sez_sim.agents.sampling import Ledger, Sampling, pick_per_group, realise
from sez_sim.economy import mechanisms
from sez_sim.economy.equilibrium import Equilibrium, FirmBlock, Market
from sez_sim.params import Param, declare
from sez_sim.tally import tally
from sez_sim.zones import ZoneTable

PARAMS = declare(
    "firms",
    Param(
        name="count",
        default=30000,
        unit="firm agents",
        bounds=(10, 10_000_000),
        description="Firm agents at t = 0 in a calibrated (GMS-type) model; each stands for a group of plants.",
        source="Issue 4 sizing: about 30,000 firm agents for the GMS.",
        kind="setting",
        integer=True,
    ),
    Param(
        name="min_per_province",
        default=10,
        unit="firm agents",
        bounds=(1, 10000),
        description="At least this many firm agents per province at t = 0.",
        source="Numerical setting: keeps the modern sector of small provinces from hanging on one or two agents.",
        kind="setting",
        integer=True,
    ),
    Param(
        name="allocation_elasticity",
        default=0.5,
        unit="elasticity",
        bounds=(0.0, 1.0),
        description="Firm agents per province grow with modern revenue to this power (1 = equal-sized agents "
        "everywhere).",
        source="Numerical setting: 0.5 gives provinces with small modern sectors enough agents to average out entry "
        "and exit while big provinces have bigger agents.",
        kind="setting",
    ),
    Param(
        name="pareto_shape",
        default=10.0,
        unit="shape",
        bounds=(1.0, 50.0),
        description="Shape k of the Pareto distribution of firm productivity z (must exceed sigma - 1).",
        source="Firm agents aggregate plants, so their dispersion is lower than the plant-level k/(sigma-1) of 1.1-2 "
        "(Melitz-Chaney estimates); k = 10 with sigma = 5 gives k/(sigma-1) = 2.5.",
        kind="uncertainty",
    ),
    Param(
        name="pareto_top",
        default=0.999,
        unit="quantile",
        bounds=(0.5, 0.999999),
        description="Productivity is Pareto truncated at this quantile (firm agents bundle plants, so extremes are "
        "implausible).",
        source="Numerical setting; 0.999 cuts the top 0.1% of the Pareto.",
        kind="setting",
    ),
    Param(
        name="foreign_share",
        default=0.3,
        unit="share",
        bounds=(0.0, 1.0),
        description="Share of potential entrants (and of the initial firm stock) that are foreign-owned (FDI).",
        source="Author's assumption: foreign-invested firms account for roughly a quarter to a half of manufacturing "
        "in Viet Nam, Cambodia and Thailand, less in Myanmar, Lao PDR and inland China.",
        kind="uncertainty",
    ),
    Param(
        name="fdi_inflow",
        default=1.0,
        unit="multiplier",
        bounds=(0.0, 20.0),
        description="Multiplier on the foreign stream of potential entrants (1 = the calibrated baseline).",
        source="Lever for FDI promotion or a global FDI shock; 1 reproduces the baseline.",
        kind="lever",
    ),
    Param(
        name="hazard",
        default=0.03,
        unit="per year",
        bounds=(0.0, 0.15),
        description="Exogenous exit hazard of every firm agent.",
        source="Plant exit rates are 5-10% a year in manufacturing surveys; firm agents aggregate plants, so lower.",
        kind="uncertainty",
    ),
    Param(
        name="exit_patience",
        default=1.0,
        unit="years",
        bounds=(0.0, 20.0),
        description="A producing firm exits after this long with an after-tax loss.",
        source="Author's assumption (see docs/ODD.md 7.3).",
        kind="uncertainty",
        construction=None,
    ),
    Param(
        name="entry_logit_scale",
        default=3.0,
        unit="1/log-profit",
        bounds=(0.1, 8.0),
        description="Sensitivity of location choice to log expected profit (lambda); larger = more footloose entrants.",
        source="Conditional-logit location studies find elasticities of FDI location to market potential and costs of "
        "1-3 (Head & Mayer 2004); author's assumption.",
        kind="uncertainty",
    ),
    Param(
        name="outside_share",
        default=0.5,
        unit="share",
        bounds=(0.01, 0.99),
        description="Share of potential entrants that choose not to enter at t = 0 (sets how much a policy creates new "
        "entry rather than diverting it).",
        source="Author's assumption.",
        kind="uncertainty",
    ),
    Param(
        name="discount_rate",
        default=0.10,
        unit="per year",
        bounds=(0.0, 0.25),
        description="Discount rate of investors (on top of the exit hazard).",
        source="Hurdle rates of 10-15% are typical for FDI in emerging Asia; author's assumption.",
        kind="uncertainty",
    ),
    Param(
        name="entry_cost",
        default=2.0,
        unit="years of mean firm profit",
        bounds=(0.0, 4.0),
        description="Sunk cost of setting up, in years of the operating profit of the host province's mean firm at t = "
        "0 (firm agents bundle more plants where the modern sector is bigger, so costs scale with them).",
        source="Author's assumption.",
        kind="uncertainty",
    ),
    Param(
        name="red_tape",
        default={"*": 0.2},
        unit="years of mean firm profit",
        bounds=(0.0, 20.0),
        description="Cost of red tape for an entrant (licences, informal payments), per country.",
        source="Author's assumption; an OSSC cuts it.",
        kind="lever",
        per="country",
    ),
    Param(
        name="approval_days",
        default={"THA": 40.0, "VNM": 45.0, "KHM": 28.0, "LAO": 65.0, "MMR": 90.0, "CHN": 30.0, "*": 45.0},
        unit="days",
        bounds=(0.0, 1000.0),
        description="Days from an investment decision to approval (the firm waits without producing), per country.",
        source="Cambodia: Phnom Penh SEZ's proposals took 'at least 28 days' before its OSSC (Phnom Penh Post, 2 Sep "
        "2008); Lao PDR: 65 days at Savannakhet before its OSSC, as given in the project's design brief (not verified "
        "against a published source); the other countries are the author's assumptions.",
        kind="lever",
        per="country",
    ),
    Param(
        name="foreign_zone_preference",
        default=1.0,
        unit="utility",
        bounds=(0.0, 10.0),
        description="Extra value foreign entrants place on locating inside a zone (serviced land, security, one "
        "address).",
        source="Author's assumption; FDI concentrates in zones across the GMS.",
        kind="uncertainty",
    ),
    Param(
        name="zone_choice_scale",
        default=0.25,
        unit="utility",
        bounds=(0.01, 5.0),
        description="Scale of the choice between a province's zones and its outside-zone option (small = take the "
        "best).",
        source="Numerical setting of the nested logit: smooth enough that identical zones share demand.",
        kind="setting",
    ),
    Param(
        name="relocation",
        default=0.0,
        unit="per year",
        bounds=(0.0, 50.0),
        description="Share of firms that reconsider their location each year (used by the footloose-capital preset).",
        source="Footloose-capital preset (docs/ODD.md 7.7); 0 in the GMS model.",
        kind="setting",
        construction=None,
    ),
    Param(
        name="response_scale",
        default=0.02,
        unit="relative gain",
        bounds=(0.0, 1.0),
        description="Smoothing of the footloose firms' moves: a share gain / response_scale of those reconsidering "
        "moves to each province with a higher profit (at most all of them), so small gains move few firms (0: all "
        "move, split by gain).",
        source="Numerical setting for the textbook presets (docs/ODD.md 7.7).",
        kind="setting",
        construction=None,
    ),
)


ZONE_OUTPUT = ("jobs", "exports", "tax_revenue", "tax_forgone")
"""What :meth:`Firms.zone_production` measures per zone at an equilibrium."""


def admit(jobs: np.ndarray, free: np.ndarray, room: np.ndarray, option: int) -> int:
    """How many of a queue of firms with these ``jobs`` a zone option admits, in order.

    It admits them while it has a free slot and room for their jobs; its ``free`` slots and ``room`` are reduced by
    what those admitted take.
    """
    admitted = int(min(np.sum(np.cumsum(jobs) <= room[option]), max(free[option], 0)))
    free[option] -= admitted
    room[option] -= jobs[:admitted].sum()
    return admitted


class FirmRule(StrEnum):
    """How the firm population changes: the calibrated model's entry and exit, or a textbook preset's rule."""

    ENTRY_EXIT = "entry_exit"
    """Entry by the nested logit, exit by losses and the hazard (the GMS model)."""
    FREE_ENTRY = "free_entry"
    """Zero profits at every step; the firm mass is part of the equilibrium (core-periphery)."""
    RELOCATION = "relocation"
    """A fixed stock of firms moves towards higher profit (footloose capital)."""


class Firms(Population):
    """The firm population and its rules.

    Attributes (beyond the arrays):
        params: the ``firms`` parameter section.
        rule: how the population changes (:class:`FirmRule`).
        choice: the entry model (:class:`~sez_sim.agents.location_choice.LocationChoice`) and its state.
        block_rows: the rows of the firms in the last block given to the solver (the producing firms then).
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
        "waiting_for": (np.int32, -1),
    }

    def __init__(self, params: dict[str, Any], n_provinces: int, capacity: int = 1024):
        super().__init__(capacity)
        self.params = params
        self.n_provinces = n_provinces
        self.rule = FirmRule.ENTRY_EXIT
        self.choice = LocationChoice(params, n_provinces)
        self.block_rows = np.zeros(0, np.int64)
        self._entry_ledgers: list[Ledger] = []
        self._exit_ledger: Ledger | None = None
        self._move_ledger: Ledger | None = None

    # ------------------------------------------------------------------ views
    @property
    def foreign(self) -> np.ndarray:
        """True for foreign-owned firms."""
        return self["owner"] < 0

    def producing(self) -> np.ndarray:
        """Rows of firms whose approval is complete."""
        return np.flatnonzero(self["approval_left"] <= 0)

    def per_province(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Firm agents per province (all of them, or those at ``rows``)."""
        province = self["province"] if rows is None else self["province"][rows]
        return tally(province, self.n_provinces).astype(float)

    def tax_rates(self, country_tax: np.ndarray, zones: ZoneTable, step: int) -> np.ndarray:
        """Profit-tax rate of every firm: its province's, or its zone's holiday/after rate where that is lower.

        A zone's terms are a concession on the law outside it, so a province's own lower rate (a regional rate
        or subsidy) reaches its zone firms too.
        """
        rate = country_tax[self["province"]].copy()
        zone = self["zone"]
        inz = np.flatnonzero(zone >= 0)
        if inz.size:
            z = zone[inz]
            after = np.where(np.isnan(zones.after_rate[z]), rate[inz], zones.after_rate[z])
            on_holiday = step < self["holiday_until"][inz]
            rate[inz] = np.minimum(np.where(on_holiday, zones.holiday_rate[z], after), rate[inz])
        return rate

    def block(
        self,
        sigma: float,
        country_tax: np.ndarray,
        zones: ZoneTable,
        step: int,
        learning: tuple[float, float, int] = (0.0, 1.0, 1),
    ) -> FirmBlock:
        """The producing firms as the equilibrium solver sees them (remembered as :attr:`block_rows`).

        Args:
            sigma: elasticity of substitution.
            country_tax: profit-tax rate per province.
            zones: the zone table (incentives of zone firms).
            step: the current step (tax holidays, ages).
            learning: ``(gain, years, steps_per_year)`` of the firms in zones that learn (``ZoneTable.learns``,
                :func:`~sez_sim.economy.mechanisms.learning`); a gain of 0 is none.
        """
        rows = self.producing()
        self.block_rows = rows
        zone = self["zone"][rows]
        inz = zone >= 0
        bonus = np.ones(rows.size)
        access = np.ones(rows.size)
        fixed_factor = np.ones(rows.size)
        if inz.any():
            bonus[inz] = zones.productivity[zone[inz]]
            gain, years, steps_per_year = learning
            learns = np.flatnonzero(inz)[zones.learns[zone[inz]]]
            if gain and learns.size:
                age = (step - self["born"][rows[learns]]) / steps_per_year
                bonus[learns] *= mechanisms.learning(age, gain, years)
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

    def option_of(self) -> np.ndarray:
        """Each firm's location option: its province (outside zones), or ``n_provinces + zone``."""
        zone = self["zone"]
        return np.where(zone >= 0, self.n_provinces + zone, self["province"]).astype(np.int64)

    def zone_occupancy(self, n_zones: int) -> np.ndarray:
        """Firms (producing or waiting) in each zone."""
        zone = self["zone"]
        return np.bincount(zone[zone >= 0], minlength=n_zones)[:n_zones].astype(float)

    def zone_production(
        self, eq: Equilibrium, zones: ZoneTable, labour_share: float, country_tax: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Per zone at ``eq``, the equilibrium solved for the last :meth:`block`.

        Modern jobs (persons), and the zone firms' exports to the world, profit tax paid and tax forgone (the
        country's rate less the zone's, on positive profits), in model currency a year. Zeros when the firms have
        changed since that block. ``labour_share`` is the variable wage bill's share of revenue
        (:attr:`~sez_sim.economy.equilibrium.Market.labour_cost_share`).
        """
        nz = len(zones)
        rows = self.block_rows
        if not nz or len(rows) != len(eq.firm_revenue):
            return {k: np.zeros(nz) for k in ZONE_OUTPUT}
        zone = self["zone"][rows]
        inz = zone >= 0
        z, province = zone[inz], self["province"][rows[inz]]
        profit = eq.firm_profit[inz]
        paid = profit - eq.firm_net_profit[inz]
        return {
            "jobs": np.bincount(z, self.block_jobs(eq, zones, labour_share, np.flatnonzero(inz)), minlength=nz),
            "exports": np.bincount(z, eq.firm_exports[inz], minlength=nz),
            "tax_revenue": np.bincount(z, paid, minlength=nz),
            "tax_forgone": np.bincount(z, country_tax[province] * np.maximum(profit, 0.0) - paid, minlength=nz),
        }

    def block_jobs(self, eq: Equilibrium, zones: ZoneTable, labour_share: float, which: np.ndarray) -> np.ndarray:
        """Jobs (persons) at ``eq`` of the firms at positions ``which`` of the last :meth:`block`.

        Fixed labour plus variable labour; the callers need only the zones' few firms.
        """
        rows = self.block_rows[which]
        zone = self["zone"][rows]
        fixed = self["fixed_labour"][rows] * np.where(zone >= 0, zones.fixed_cost_factor[zone], 1.0)
        return fixed + labour_share * eq.firm_revenue[which] / eq.wage[self["province"][rows]]

    def zone_counts(self, n_zones: int, step: int) -> dict[str, np.ndarray]:
        """Per zone: its firm agents, foreign ones, foreign entrants at ``step``, and those waiting for a plot.

        Firm agents count those producing or waiting for approval; the waiting are outside it (:meth:`queued`).
        """
        zone = self["zone"]
        foreign = (zone >= 0) & self.foreign
        arrived = foreign & (self["born"] == step)
        return {
            "firms": self.zone_occupancy(n_zones),
            "firms_foreign": np.bincount(zone[foreign], minlength=n_zones)[:n_zones].astype(float),
            "foreign_entrants": np.bincount(zone[arrived], minlength=n_zones)[:n_zones].astype(float),
            "waiting": self.queued(n_zones),
        }

    def queued(self, n_zones: int) -> np.ndarray:
        """Firms outside each zone waiting for a plot in it (they take its next free slots)."""
        waiting = self["waiting_for"]
        return np.bincount(waiting[waiting >= 0], minlength=n_zones)[:n_zones].astype(float)

    def alternatives(
        self,
        market: Market,
        eq: Equilibrium,
        zones: ZoneTable,
        country_tax: np.ndarray,
        steps_per_year: int,
        capacity: np.ndarray | None = None,
    ) -> Alternatives:
        """The location options an entrant faces now (see :meth:`LocationChoice.alternatives`).

        Args:
            market: the solver's market.
            eq: the current equilibrium.
            zones: the zone table.
            country_tax: the profit-tax rate of each province.
            steps_per_year: steps per year.
            capacity: each zone's capacity in jobs (persons); the options' ``room`` is what its members leave of it,
                at their jobs at ``eq`` (those waiting for approval at the jobs they will have). Default: no limit.
        """
        nz = len(zones)
        occupancy = self.zone_occupancy(nz)
        queued = self.queued(nz)
        alts = self.choice.alternatives(market, eq, zones, country_tax, occupancy, steps_per_year, queued)
        if capacity is not None and nz:
            n = self.n_provinces
            members = np.flatnonzero(self["zone"] >= 0)
            zone = self["zone"][members]
            jobs = np.bincount(
                zone, self.expected_jobs(alts, n + zone, self["productivity"][members], market.sigma), minlength=nz
            )
            alts.room[n:] = capacity - jobs
            # A free slot without room for a member's jobs is no slot: it opens when its members outgrow the
            # zone's jobs and move out to wait (crowd_out), and entrants who planned on it would only join them.
            with np.errstate(divide="ignore", invalid="ignore"):
                afforded = np.where(occupancy > 0, np.floor(np.maximum(alts.room[n:], 0.0) * occupancy / jobs), np.inf)
            short = afforded < alts.free_slots[n:]
            if short.any():
                usable = np.minimum(alts.free_slots[n:], afforded)
                self.choice.plan(alts, usable, occupancy, zones.active, steps_per_year, queued)
        return alts

    @staticmethod
    def expected_jobs(alts: Alternatives, option: np.ndarray, productivity: np.ndarray, sigma: float) -> np.ndarray:
        """Jobs (persons) of firms of ``productivity`` at ``option`` at the equilibrium of ``alts``."""
        return alts.fixed_jobs[option] + alts.jobs_unit[option] * productivity ** (sigma - 1.0)

    # ------------------------------------------------------------------ rules
    def start(self, rng: np.random.Generator) -> None:
        """Create the ledgers used by controlled sampling (once the entry streams are known)."""
        self._entry_ledgers = [Ledger(self.n_provinces, rng) for _ in self.choice.stream_country]
        self._exit_ledger = Ledger(self.n_provinces, rng)
        self._move_ledger = Ledger(self.n_provinces, rng)

    def approvals(self) -> None:
        """Advance the approval queue by one step."""
        waiting = self["approval_left"] > 0
        self["approval_left"][waiting] -= 1

    def record_losses(self, eq: Equilibrium) -> None:
        """Update loss streaks of the producing firms from the equilibrium's after-tax profits."""
        rows = self.block_rows
        streak = self["loss_streak"]
        streak[rows] = np.where(eq.firm_net_profit < 0, streak[rows] + 1, 0)

    def exit(self, rng: np.random.Generator, mode: Sampling, steps_per_year: int) -> np.ndarray:
        """Remove producing firms after sustained losses and by the exogenous hazard.

        Firms still waiting for approval do not exit (their investment is committed).

        Returns:
            Exits per province.
        """
        patience = max(1, round(self.params["exit_patience"] * steps_per_year))
        losers = self["loss_streak"] >= patience
        province = self["province"]
        at_risk = ~losers & (self["approval_left"] <= 0)
        alive = self.per_province(np.flatnonzero(at_risk))
        counts = realise(self.params["hazard"] / steps_per_year * alive, mode, rng, self._exit_ledger, slice(None))
        candidates = np.flatnonzero(at_risk)
        hit = candidates[pick_per_group(province[candidates], counts, rng)]
        gone = np.union1d(np.flatnonzero(losers), hit)
        exits = self.per_province(gone)
        self.remove(gone)
        return exits

    def enter(
        self,
        alts: Alternatives,
        market: Market,
        country: np.ndarray,
        owner_cdf: list[tuple[np.ndarray, np.ndarray]],
        rng: np.random.Generator,
        mode: Sampling,
        step: int,
        steps_per_year: int,
    ) -> np.ndarray:
        """Potential entrants choose a province and the best open option in it; they join the approval queue.

        An entrant whose chosen zone has filled up this step sets up outside it, in the same province (or stays out
        if that is not profitable), and waits for a plot (:meth:`move_into_zones`).

        Returns:
            Entrants per province.
        """
        n = self.n_provinces
        choice = self.choice
        z = choice.grid()
        values = choice.option_values(alts, z, market.sigma)
        free, room = alts.free_slots.copy(), alts.room.copy()
        self.move_into_zones(alts, free, room, market.sigma, step, steps_per_year)
        choice.clear_zones(values, alts, country, alts.choice_slots[n:], rounds=2, tolerance=0.1)
        prob, share = choice.stream_probabilities(values, alts, country)
        rates = choice.stream_rates()
        entered = np.zeros(n)
        for s_idx, c in enumerate(choice.stream_country):
            expected = rates[s_idx] * prob[s_idx].mean(axis=0)
            counts = realise(expected, mode, rng, self._entry_ledgers[s_idx], slice(None))
            total = int(counts.sum())
            if not total:
                continue
            province = np.repeat(np.arange(n), counts)
            cdf = np.cumsum(prob[s_idx].T[province], axis=1)  # an entrant's row: its province's pool
            pick = np.minimum((cdf < rng.random(total)[:, None] * cdf[:, -1:]).sum(axis=1), POOL_SIZE - 1)
            chosen = choice.within(province, share[s_idx][pick], alts, rng)
            # Zones admit entrants (in random order) while they have free slots and room for their jobs; the rest
            # set up outside the zone and wait for a plot.
            waiting_for = np.full(total, -1)
            for o in np.unique(chosen[chosen >= n]):
                rows = rng.permutation(np.flatnonzero(chosen == o))
                jobs = self.expected_jobs(alts, np.full(rows.size, o), z[pick[rows]], market.sigma)
                overflow = rows[admit(jobs, free, room, o) :]
                chosen[overflow] = province[overflow]
                waiting_for[overflow] = o - n
            keep = values[pick, chosen] > -np.inf
            province, chosen, pick, waiting_for = province[keep], chosen[keep], pick[keep], waiting_for[keep]
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
                fixed_labour=choice.fixed_labour[province],
                approval_left=wait,
                born=step,
                holiday_until=step + wait + np.round(alts.holiday_years[chosen] * steps_per_year).astype(np.int64),
                waiting_for=waiting_for,
            )
            entered += np.bincount(province, minlength=n)
        return entered

    def move_into_zones(
        self, alts: Alternatives, free: np.ndarray, room: np.ndarray, sigma: float, step: int, steps_per_year: int
    ) -> None:
        """Firms waiting outside a full zone move in, longest waiting first, while it has free slots and room.

        ``free`` and ``room`` (per option) are reduced by what the movers take. Movers start the zone's tax holiday.
        """
        n = self.n_provinces
        waiting = np.flatnonzero(self["waiting_for"] >= 0)
        if not waiting.size:
            return
        waiting = waiting[np.argsort(self["born"][waiting], kind="stable")]
        zone = self["waiting_for"][waiting]
        for z in np.unique(zone):
            o = n + z
            queue = waiting[zone == z]
            jobs = self.expected_jobs(alts, np.full(queue.size, o), self["productivity"][queue], sigma)
            movers = queue[: admit(jobs, free, room, o)]
            self["zone"][movers] = z
            self["waiting_for"][movers] = -1
            self["holiday_until"][movers] = step + round(alts.holiday_years[o] * steps_per_year)

    def crowd_out(self, eq: Equilibrium, zones: ZoneTable, capacity: np.ndarray, labour_share: float) -> bool:
        """Move the newest producing firms out of each zone whose jobs at ``eq`` exceed ``capacity`` (persons).

        The fewest newest firms whose leaving brings the zone's jobs within its capacity set up outside it, in the
        same province, and wait to move back in. Returns whether any firm moved (the equilibrium is then stale).
        """
        rows = self.block_rows
        if not len(zones) or len(rows) != len(eq.firm_revenue):
            return False
        zone = self["zone"][rows]
        inside = np.flatnonzero(zone >= 0)
        own = np.zeros(len(rows))
        own[inside] = self.block_jobs(eq, zones, labour_share, inside)
        jobs = np.bincount(zone[inside], own[inside], minlength=len(zones))
        over = np.flatnonzero(jobs > capacity)
        for z in over:
            members = np.flatnonzero(zone == z)
            newest = members[np.lexsort((-rows[members], -self["born"][rows[members]]))]
            leaving = newest[: int(np.sum(jobs[z] - np.cumsum(own[newest]) > capacity[z])) + 1]
            self["zone"][rows[leaving]] = -1
            self["waiting_for"][rows[leaving]] = z
        return bool(over.size)

    def relocate(
        self, alts: Alternatives, country_tax: np.ndarray, rng: np.random.Generator, mode: Sampling, steps_per_year: int
    ) -> None:
        """Footloose capital: reconsidering firms move towards each higher after-tax profit by the gain.

        Each province's movers (:mod:`.response`) are drawn at random and split over the provinces that pay more
        in proportion to their shares (largest remainder: with two regions, all go to the other one).
        """
        p = self.params
        n = self.n_provinces
        net_unit = alts.revenue_unit[:n] * (1.0 - country_tax)
        share = toward_gains(net_unit, np.arange(n), p["response_scale"])
        expected = p["relocation"] / steps_per_year * self.per_province() * share.sum(axis=1)
        counts = realise(expected, mode, rng, self._move_ledger, slice(None))
        movers = pick_per_group(self["province"], counts, rng)  # grouped by province, in ascending order
        moved = split(np.bincount(self["province"][movers], minlength=n), share)
        self["province"][movers] = np.repeat(np.tile(np.arange(n), n), moved.ravel())
