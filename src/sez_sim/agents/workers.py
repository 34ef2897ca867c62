"""Workers: a struct-of-arrays population with vectorised jobs, migration and commuting (docs/ODD.md 7.4).

A worker agent stands for ``persons_per_agent`` people. Each step:

- **jobs**: modern employment per province comes from the equilibrium; incumbents keep their jobs, vacancies go
  to random local traditional-sector workers, lay-offs are random. Commuters (CBEZ) hold modern jobs in their
  work province and live in their home province;
- **migration**: workers reconsider at rate ``reconsider`` a year (modern-sector workers at ``employed_mobility``
  times that). Workers are grouped by (province, origin country); a group's destination values are

      V_ij = beta ln(omega_j) + ln(u_j) - congestion ln(L_j / L_j0) - delta ln(1 + d_ij) - m [j != i]
             - border(c_i, c_j) + gamma ln(1 + diaspora_oj)

  with ``omega_j`` the expected real labour income (modern wage times the chance of a modern job plus the
  traditional wage otherwise, over the price index), ``u_j`` calibrated amenities, ``d_ij`` the generalised
  distance, ``m`` a moving cost calibrated to the observed gross migration rate, ``border`` the country pair's
  barrier (migration regime) and ``diaspora_oj`` the share of j's residents from the worker's origin country.
  Gumbel tastes make the choice a logit, staying included. The core-periphery preset moves workers towards
  higher real wages by the gain instead (:mod:`sez_sim.agents.response`). Movers leave their modern jobs.

Only group-level arithmetic touches the N destinations; per-worker work is a few vector operations. The counts a
step reads (residents, workers by province, origin and sector) and each worker's cell key are kept up to date as
the rules change workers (:meth:`Workers._change`) rather than recounted over every worker at each use.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import numpy as np

from sez_sim.agents.population import Population
from sez_sim.agents.response import toward_gains
from sez_sim.agents.sampling import Ledger, Sampling, controlled_cells, pick_per_group
from sez_sim.errors import ConvergenceError
from sez_sim.params import Param, declare
from sez_sim.tally import tally

PARAMS = declare(
    "workers",
    Param(
        name="reconsider",
        default=0.25,
        unit="per year",
        bounds=(0.0, 12.0),
        description="Rate at which a worker reconsiders where to live (traditional-sector workers; see "
        "employed_mobility).",
        source="Author's assumption; the calibrated moving cost makes the resulting gross flows match migration_rate.",
        kind="setting",
        construction="setup",
    ),
    Param(
        name="migration_rate",
        default=0.012,
        unit="per year",
        bounds=(0.0, 0.05),
        description="Calibration target: gross inter-provincial migration at t = 0, as a share of the population.",
        source="Viet Nam 2019 census: 6.4 m people moved province in the previous five years (about 1.3% a year); "
        "Thailand's migration surveys give similar rates.",
        kind="uncertainty",
        construction="setup",
    ),
    Param(
        name="real_income_elasticity",
        default=1.5,
        unit="elasticity",
        bounds=(0.0, 5.0),
        description="beta: weight of log expected real labour income in destination choice.",
        source="Tombe & Zhu (2019, AER) estimate a migration elasticity of about 1.5 for China.",
        kind="uncertainty",
        construction="setup",
    ),
    Param(
        name="distance_elasticity",
        default=1.0,
        unit="elasticity",
        bounds=(0.0, 3.0),
        description="delta: weight of log(1 + distance in km-equivalent) in destination choice.",
        source="Gravity estimates of internal migration put the distance elasticity near 1 (author's assumption).",
        kind="uncertainty",
    ),
    Param(
        name="border_barrier",
        default={"*": 3.0},
        unit="utility",
        bounds=(0.0, 50.0),
        description="Barrier to moving between two countries (legal status, cost), per country pair (A-B, either "
        "order).",
        source="Author's assumption: with the default, cross-border moves are a few percent of all moves; MOUs on "
        "labour migration (Thailand with Myanmar, Cambodia and Lao PDR) lower it.",
        kind="lever",
        per="country_pair",
    ),
    Param(
        name="diaspora",
        default=1.5,
        unit="utility",
        bounds=(0.0, 5.0),
        description="gamma: pull of people from one's own country already living at the destination (ln(1 + share)).",
        source="Network effects in migration (Beine, Docquier & Ozden 2011); author's assumption.",
        kind="uncertainty",
        construction="setup",
    ),
    Param(
        name="congestion",
        default=0.3,
        unit="elasticity",
        bounds=(0.0, 5.0),
        description="Amenities fall with population relative to t = 0 (housing, crowding): the dispersion force.",
        source="Housing share of spending of about 0.2-0.3 (Redding 2016; Allen & Arkolakis 2014).",
        kind="uncertainty",
        construction="setup",
    ),
    Param(
        name="employed_mobility",
        default=0.5,
        unit="ratio",
        bounds=(0.0, 1.0),
        description="Reconsider rate of modern-sector workers relative to traditional-sector ones.",
        source="Author's assumption: a job ties people down.",
        kind="uncertainty",
        construction="setup",
    ),
    Param(
        name="response_scale",
        default=0.02,
        unit="relative gain",
        bounds=(0.0, 1.0),
        description="Core-periphery preset: a share gain / response_scale of reconsidering workers moves to each "
        "province with a higher real wage (at most all of them; 0: all move, split by gain).",
        source="Numerical setting for the textbook presets (docs/ODD.md 7.7).",
        kind="setting",
        construction=None,
    ),
)

A_SECTOR, M_SECTOR = 0, 1


class MobilityRule(StrEnum):
    """How workers choose where to live."""

    LOGIT = "logit"
    """Destination choice by logit over calibrated utilities (the GMS model)."""
    BEST_RESPONSE = "best_response"
    """Moves towards higher real wages in proportion to the gain (the core-periphery preset; :mod:`.response`)."""
    NONE = "none"
    """Workers do not move (the footloose-capital preset)."""


MOVERS_SHARE = 0.5
"""Gross migration is validated up to this share of ``reconsider``, the rate at which workers reconsider where to
live (calibration then checks it against those who actually reconsider: employed modern workers do so at
``employed_mobility`` times the rate)."""

AMENITY_STEP = 5.0
"""Largest change of any amenity in one Newton step of the calibration (utility units). The GMS calibration's
steps are at most 2.5; weak income responses (``real_income_elasticity`` near 0) can make the Jacobian nearly
singular and a full step leap by 10^5, after which no province's choice probability is representable."""

LEAP = 10.0
"""A Newton step that multiplies the largest gap by more than this is halved until it does not (the path of the
GMS calibration rises at most 4.6-fold on its way to the solution, so it is unaffected)."""


def _census(by_home: np.ndarray, out: np.ndarray, into: np.ndarray) -> dict[str, np.ndarray]:
    """:meth:`Workers.head_counts` from workers by (home, sector) and commuters by home and by workplace."""
    return {
        "residents": by_home.sum(axis=1).astype(float),
        "modern": (by_home[:, 1] - out + into).astype(float),
        "traditional": by_home[:, 0].astype(float),
        "commuters_in": into.astype(float),
    }


def _sums(line: np.ndarray, units: np.ndarray, size: int) -> np.ndarray:
    """Units of the routes ``(line, units)`` summed per line (rows or columns of the routes' matrix), as int64."""
    return np.bincount(line, units, minlength=size).astype(np.int64)


class Workers(Population):
    """The worker population and its rules.

    Attributes (beyond the arrays):
        params: the ``workers`` parameter section.
        amenity: calibrated log amenities per province.
        moving_cost: calibrated moving cost.
        base_population: residents per province at t = 0 (agents), the congestion reference.
        rule: how workers choose where to live (:class:`MobilityRule`).
        quotas: (origin country, destination country) -> most movers per year (agents), set by the model from the
            ``migration_quota`` lever.
    """

    fields = {
        "province": (np.int64, 0),
        "origin": (np.int16, 0),
        "sector": (np.int8, A_SECTOR),
        "workplace": (np.int64, -1),
        "tenure": (np.int32, 0),
    }

    def __init__(self, params: dict[str, Any], capacity: int = 1024):
        super().__init__(capacity)
        self.params = params
        self.rule = MobilityRule.LOGIT
        self.amenity = np.zeros(0)
        self.moving_cost = 0.0
        self.base_population = np.zeros(0)
        self.n_provinces = 0
        self.n_countries = 0
        self._job_offset = np.zeros(0)
        self._out_ledger: Ledger | None = None
        self._in_ledger: Ledger | None = None
        self._moves_static: np.ndarray | None = None
        self.province_country = np.zeros(0, np.int64)
        self.quotas: dict[tuple[int, int], float] = {}
        self._quota_used: dict[tuple[int, int], int] = {}
        self._cell_counts: np.ndarray | None = None
        self._keys: np.ndarray | None = None

    # ----------------------------------------------------------------------------- set-up
    def populate(self, counts: np.ndarray, country: np.ndarray, rng: np.random.Generator) -> None:
        """Create ``counts[i]`` workers in each province, natives of its country."""
        province = np.repeat(np.arange(len(counts)), counts)
        self.add(int(counts.sum()), province=province, origin=country[province])
        self.n_provinces = len(counts)
        self.n_countries = int(country.max()) + 1
        self.province_country = np.asarray(country, np.int64)
        self.base_population = counts.astype(float)
        self.amenity = np.zeros(len(counts))  # until calibrated
        self._job_offset = rng.random(len(counts))
        n_groups = self.n_provinces * self.n_countries
        self._out_ledger = Ledger(n_groups * 2, rng)
        self._in_ledger = Ledger(self.n_provinces, rng)

    def residents(self) -> np.ndarray:
        """Worker agents living in each province."""
        return self._by_home().sum(axis=1).astype(float)

    def head_counts(self) -> dict[str, np.ndarray]:
        """Worker agents per province.

        Returns:
            ``residents``; ``modern`` workers by workplace (commuters where they work); ``traditional`` workers
            (all work where they live); ``commuters_in`` by workplace.
        """
        n = self.n_provinces
        commuters = np.flatnonzero(self["workplace"] >= 0)
        into = np.bincount(self["workplace"][commuters], minlength=n)
        return _census(self._by_home(), np.bincount(self["province"][commuters], minlength=n), into)

    def member_keys(self) -> np.ndarray:
        """Each worker's (province, origin country, sector) cell as one integer.

        Kept like the counts by cell (:meth:`_counts`), as migration reads every worker's each step. The array is
        a read-only view that follows the workers as they change.
        """
        if self._keys is None:
            self._keys = self._cell_of(slice(None))
        keys = self._keys.view()
        keys.flags.writeable = False
        return keys

    def _cell_of(self, rows: np.ndarray | slice) -> np.ndarray:
        """:meth:`member_keys` of the workers at ``rows``, from their fields."""
        province, origin, sector = self["province"][rows], self["origin"][rows], self["sector"][rows]
        return (province.astype(np.int64) * self.n_countries + origin) * 2 + (sector == M_SECTOR)

    def composition(self) -> np.ndarray:
        """Worker agents by (province, origin country, sector): shape (provinces, countries, 2)."""
        return self._counts().reshape(self.n_provinces, self.n_countries, 2).astype(float)

    def _counts(self) -> np.ndarray:
        """Worker agents in each cell of :meth:`member_keys` (int64).

        A step reads them several times (migration, the solver's residents, owners of new firms, job matching),
        and each count is a pass over every worker: they are counted once and then kept up to date by
        :meth:`_change`, the only way the rules change a worker's cell. Adding or removing workers counts again.
        """
        if self._cell_counts is None:
            self._cell_counts = tally(self.member_keys(), self.n_provinces * self.n_countries * 2)
        return self._cell_counts

    def _by_home(self) -> np.ndarray:
        """Worker agents by (province of residence, sector): shape (provinces, 2), int64."""
        return self._counts().reshape(self.n_provinces, self.n_countries, 2).sum(axis=1)

    def _change(self, rows: np.ndarray, **values: Any) -> None:
        """Set fields of the (distinct) workers at ``rows``, keeping their cells and the counts by cell up to date."""
        before = self._cell_of(rows)
        for name, value in values.items():
            self[name][rows] = value
        after = self._cell_of(rows)
        if self._keys is not None:
            self._keys[rows] = after
        if self._cell_counts is not None:
            size = len(self._cell_counts)
            self._cell_counts += np.bincount(after, minlength=size) - np.bincount(before, minlength=size)

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append workers (:meth:`Population.add`); cells and their counts are made again when next read."""
        self._cell_counts = self._keys = None
        return super().add(count, **values)

    def remove(self, rows: np.ndarray) -> None:
        """Remove workers (:meth:`Population.remove`); cells and their counts are made again when next read."""
        self._cell_counts = self._keys = None
        super().remove(rows)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the cells, which take as many bytes as a field and are made again when next read."""
        return super().__getstate__() | {"_keys": None}

    def commuting(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(home, work, agents) for every commuting pair."""
        wp = self["workplace"]
        c = wp >= 0
        if not c.any():
            z = np.zeros(0, np.int64)
            return z, z, np.zeros(0)
        key = self["province"][c].astype(np.int64) * self.n_provinces + wp[c]
        keys, agents = np.unique(key, return_counts=True)
        return keys // self.n_provinces, keys % self.n_provinces, agents.astype(float)

    @staticmethod
    def diaspora(composition: np.ndarray) -> np.ndarray:
        """Share of each province's residents from each origin country, (countries, provinces)."""
        by = composition.sum(axis=2).T
        return by / np.maximum(by.sum(axis=0, keepdims=True), 1.0)

    # ----------------------------------------------------------------------------- jobs
    def allocate_jobs(self, modern_jobs: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Match modern-sector jobs (agents per province, from the equilibrium) to workers.

        Commuters into a province hold modern jobs there; the rest go to its residents. Incumbents keep their jobs;
        vacancies are filled by random local traditional-sector workers; lay-offs are random.

        Returns:
            The head counts after matching, as :meth:`head_counts` gives them.
        """
        n = self.n_provinces
        target = np.floor(modern_jobs + self._job_offset).astype(np.int64)  # dithered rounding, stable over time
        province, workplace, sector = self["province"], self["workplace"], self["sector"]
        commuters = np.flatnonzero(workplace >= 0)
        # Commuters by home and sector, from the few commuters; the rest of each province's workers are local.
        commuting = np.bincount(province[commuters] * 2 + (sector[commuters] == M_SECTOR), minlength=2 * n)
        local = self._by_home() - commuting.reshape(n, 2)
        traditional, held = local[:, 0], local[:, 1]
        into = np.bincount(workplace[commuters], minlength=n)
        need = target - into - held
        # Only a few provinces change their modern employment in a step: draw among their workers only. Hires and
        # lay-offs are in different provinces, so the sectors before either are those each needs.
        modern, local = sector == M_SECTOR, workplace < 0
        for wanted, sector_to, members in ((need, M_SECTOR, traditional), (-need, A_SECTOR, held)):
            if (wanted > 0).any():
                candidates = (modern if sector_to == A_SECTOR else ~modern) & local
                there = np.flatnonzero(candidates & (wanted > 0)[province])
                chosen = there[pick_per_group(province[there], np.maximum(wanted, 0), rng, members)]
                self._change(chosen, sector=sector_to)
        return _census(self._by_home(), commuting.reshape(n, 2).sum(axis=1), into)

    def commute(self, targets: dict[tuple[int, int], float], rng: np.random.Generator) -> None:
        """Bring the number of commuters on each (home, work) route to its target (agents, rounded down).

        New commuters are random traditional-sector residents of the home province; they take modern jobs in the
        work province and keep living at home. Surplus commuters are released at random.
        """
        province, workplace = self["province"], self["workplace"]
        for (home, work), target in targets.items():
            current = np.flatnonzero((province == home) & (workplace == work))
            want = int(target)
            if want > current.size:
                pool = np.flatnonzero((province == home) & (workplace < 0) & (self["sector"] == A_SECTOR))
                hired = rng.permutation(pool)[: want - current.size]
                self._change(hired, workplace=work, sector=M_SECTOR)
            elif want < current.size:
                released = rng.permutation(current)[: current.size - want]
                self._change(released, workplace=-1, sector=A_SECTOR)

    # ----------------------------------------------------------------------------- migration
    def static_costs(self, distance: np.ndarray, country: np.ndarray, barrier: np.ndarray) -> None:
        """Precompute ``-delta ln(1 + d_ij) - m [j != i] - border(c_i, c_j)`` (redo when a policy changes them)."""
        p = self.params
        cost = -p["distance_elasticity"] * np.log1p(distance) - barrier[country[:, None], country[None, :]]
        self._distance_term = cost
        self._moves_static = cost - self.moving_cost * (1.0 - np.eye(len(country)))

    def destination_values(
        self, groups_province: np.ndarray, groups_origin: np.ndarray, omega: np.ndarray, composition: np.ndarray
    ) -> np.ndarray:
        """Deterministic part of V for each group (rows) and destination (columns)."""
        p = self.params
        population = composition.sum(axis=(1, 2))
        base = (
            p["real_income_elasticity"] * np.log(np.maximum(omega, 1e-300))
            + self.amenity
            - p["congestion"] * np.log(np.maximum(population, 1e-9) / np.maximum(self.base_population, 1e-9))
        )
        pull = p["diaspora"] * np.log1p(self.diaspora(composition))  # per origin country: gathered for the groups
        # Summed in place, in the order of the formula: at 2,000 provinces each temporary is tens of megabytes.
        values = self._moves_static[groups_province]
        values += base[None, :]
        values += pull[groups_origin]
        return values

    def expected_flows(
        self, omega: np.ndarray, steps_per_year: int, composition: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Expected movers per (group, destination) this step, with the groups' keys and sector split.

        Args:
            omega: expected real labour income per province.
            steps_per_year: steps per year (rates are per year).
            composition: workers by (province, origin, sector); computed when not given.

        Returns:
            ``(keys, flows, modern_share)``: keys of the non-empty groups (province * countries + origin), a
            (groups, N) matrix of expected movers (zero on the home column), and each group's share of movers
            who are modern-sector workers.
        """
        composition = self.composition() if composition is None else composition
        keys, gp, mass, modern_share = self._reconsidering(composition, steps_per_year)
        if self.rule == MobilityRule.BEST_RESPONSE:
            flows = self._best_response_flows(gp, omega, mass)
        else:
            flows = self.choice_probabilities(keys, omega, composition)
            flows *= mass[:, None]
        flows[np.arange(len(gp)), gp] = 0.0
        for (a, b), per_year in self.quotas.items():
            rows = self.province_country[gp] == a
            cols = self.province_country == b
            expected = flows[np.ix_(rows, cols)].sum()
            cap = per_year / steps_per_year
            if expected > cap:
                flows[np.ix_(rows, cols)] *= cap / expected
        return keys, flows, modern_share

    def _reconsidering(
        self, composition: np.ndarray, steps_per_year: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Non-empty groups: keys, provinces, reconsidering workers per step, and the modern share among them."""
        p = self.params
        by = composition.reshape(-1, 2)
        keys = np.flatnonzero(by.sum(axis=1) > 0)
        by = by[keys]
        rate = p["reconsider"] / steps_per_year
        mass = rate * (by[:, A_SECTOR] + p["employed_mobility"] * by[:, M_SECTOR])
        modern_share = np.divide(
            rate * p["employed_mobility"] * by[:, M_SECTOR], mass, out=np.zeros_like(mass), where=mass > 0
        )
        return keys, keys // self.n_countries, mass, modern_share

    def choice_probabilities(self, keys: np.ndarray, omega: np.ndarray, composition: np.ndarray) -> np.ndarray:
        """Logit destination probabilities (staying included) of the groups ``keys``: (groups, N)."""
        v = self.destination_values(keys // self.n_countries, keys % self.n_countries, omega, composition)
        v -= v.max(axis=1, keepdims=True)
        prob = np.exp(v, out=v)
        prob /= prob.sum(axis=1, keepdims=True)
        return prob

    def _best_response_flows(self, gp: np.ndarray, omega: np.ndarray, mass: np.ndarray) -> np.ndarray:
        """Textbook rule: reconsidering workers move towards each higher real wage by the gain (:mod:`.response`)."""
        return mass[:, None] * toward_gains(omega, gp, self.params["response_scale"])

    def migrate(
        self, omega: np.ndarray, rng: np.random.Generator, mode: Sampling, steps_per_year: int, new_year: bool
    ) -> np.ndarray:
        """One step of migration; movers become traditional workers at their destination.

        Args:
            omega: expected real labour income per province (at the last equilibrium).
            rng: the workers' stream.
            mode: how expected flows become whole movers.
            steps_per_year: steps per year (rates are per year).
            new_year: the step opens a calendar year (quota tallies start again).

        Returns:
            The realised flows (N x N agents, origin province x destination).
        """
        n = self.n_provinces
        flows = np.zeros((n, n))
        if new_year:
            self._quota_used = {}
        if self.rule == MobilityRule.NONE or len(self) == 0:
            return flows
        member_key = self.member_keys()
        composition = self.composition()
        if mode == Sampling.CONTROLLED:
            keys, expected, modern_share = self.expected_flows(omega, steps_per_year, composition)
            movers, dest = self._controlled_moves(member_key, composition, keys, expected, modern_share, rng)
        else:
            movers, dest = self._independent_moves(member_key, composition, omega, rng, steps_per_year)
        if not movers.size:
            return flows
        np.add.at(flows, (self["province"][movers], dest), 1.0)
        self._change(movers, province=dest, sector=A_SECTOR, workplace=-1, tenure=0)
        return flows

    def _independent_moves(
        self,
        member_key: np.ndarray,
        composition: np.ndarray,
        omega: np.ndarray,
        rng: np.random.Generator,
        spy: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every worker decides on its own: reconsider with its rate, then draw a destination (staying included)."""
        p, n = self.params, self.n_provinces
        rate = p["reconsider"] / spy
        u = rng.random(len(member_key), dtype=np.float32)
        candidates = np.flatnonzero(u < rate)  # modern workers reconsider less: thin them out below
        modern = (member_key[candidates] & 1).astype(bool)
        reconsider = candidates[~modern | (u[candidates] < rate * p["employed_mobility"])]
        if not reconsider.size:
            return reconsider, reconsider
        # Destination probabilities only for the groups someone in is reconsidering this step.
        keys, row = np.unique(member_key[reconsider] // 2, return_inverse=True)
        if self.rule == MobilityRule.BEST_RESPONSE:
            gp = keys // self.n_countries
            share = self._best_response_flows(gp, omega, np.ones(len(keys)))
            share[np.arange(len(keys)), gp] = 1.0 - share.sum(axis=1)
        else:
            share = self.choice_probabilities(keys, omega, composition)
        cumulative = np.cumsum(share, axis=1)
        cumulative /= cumulative[:, -1:]
        flat = (cumulative + np.arange(len(keys))[:, None]).ravel()
        dest = np.searchsorted(flat, row + rng.random(reconsider.size), side="right") - row * n
        dest = np.clip(dest, 0, n - 1)
        moved = dest != self["province"][reconsider]
        movers, dest = reconsider[moved], dest[moved]
        keep = self._within_quotas(self["province"][movers], dest, rng)
        return movers[keep], dest[keep]

    def _controlled_moves(
        self,
        member_key: np.ndarray,
        composition: np.ndarray,
        keys: np.ndarray,
        flows: np.ndarray,
        modern_share: np.ndarray,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Route counts by controlled rounding, then random movers in each (province, origin) group."""
        n = self.n_provinces
        size = composition.sum(axis=2).reshape(-1)[keys].astype(np.int64)
        rows = np.minimum(self._out_ledger.draw(flows.sum(axis=1), keys), size)
        cols = self._in_ledger.draw(flows.sum(axis=0))
        # Balance the two totals by realising the most-owed units a step early.
        diff = int(rows.sum() - cols.sum())
        if diff > 0:
            pick = np.argsort(-self._in_ledger.carry, kind="stable")[:diff]
            cols[pick] += 1
            self._in_ledger.carry[pick] -= 1.0
        elif diff < 0:
            owed = np.where(rows < size, self._out_ledger.carry[keys], -np.inf)
            pick = np.argsort(-owed, kind="stable")[:-diff]
            rows[pick] += 1
            self._out_ledger.carry[keys[pick]] -= 1.0
        row, col, units = controlled_cells(flows, rows, cols, rng)
        # Units the rounding left unplaced (no room after their draws) or placed in the group's own province are no
        # moves: they stay, and are owed to the next step on both margins.
        away = col != keys[row] // self.n_countries
        row, col, units = row[away], col[away], units[away]
        self._out_ledger.carry[keys] += rows - _sums(row, units, len(keys))
        self._in_ledger.carry += cols - _sums(col, units, n)
        self._enforce_quotas(row, col, units, keys, rng)
        out = _sums(row, units, len(keys))
        if not out.any():
            empty = np.zeros(0, np.int64)
            return empty, empty
        # Split each group's movers between its traditional and modern workers.
        modern_out = rng.binomial(out, modern_share)
        want = np.zeros(n * self.n_countries * 2, np.int64)
        want[keys * 2] = out - modern_out
        want[keys * 2 + 1] = modern_out
        have = composition.reshape(-1).astype(np.int64)
        excess = np.maximum(want - have, 0)  # a sector short of movers hands them to the other one
        want -= excess
        want[keys * 2] += excess[keys * 2 + 1]
        want[keys * 2 + 1] += excess[keys * 2]
        want = np.minimum(want, have)
        movers = pick_per_group(member_key, want, rng, have)
        group_of = member_key[movers] // 2
        # Destinations: each group's cells, in the order of their provinces, dealt to its movers in random order.
        order = np.lexsort((rng.random(movers.size), group_of))
        movers, group_of = movers[order], group_of[order]
        row_of_key = np.full(n * self.n_countries, -1)
        row_of_key[keys] = np.arange(len(keys))
        dealt = np.isin(row, row_of_key[group_of])
        return movers, np.repeat(col[dealt], units[dealt])

    def _enforce_quotas(
        self, row: np.ndarray, col: np.ndarray, units: np.ndarray, keys: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Cancel realised moves beyond a quota's allowance for the year (``units`` in place; the agents stay put).

        ``(row, col, units)`` are the step's routes with movers (:func:`controlled_cells`, a row per group of
        ``keys``). The cancelled movers are drawn without replacement from the quota's movers, listed route by route
        in row-major order of the quota's groups and destinations.
        """
        home = self.province_country[keys // self.n_countries]
        for (a, b), per_year in self.quotas.items():
            inside = np.flatnonzero((home[row] == a) & (self.province_country[col] == b))
            used = self._quota_used.get((a, b), 0)
            excess = int(units[inside].sum()) - max(int(per_year) - used, 0)
            if excess > 0:
                groups, destinations = np.flatnonzero(home == a), np.flatnonzero(self.province_country == b)
                i, j = np.searchsorted(groups, row[inside]), np.searchsorted(destinations, col[inside])
                cell = i * destinations.size + j  # each route's place in the quota's block, row by row
                picked = rng.choice(np.repeat(cell, units[inside]), excess, replace=False)
                units[inside] -= np.bincount(np.searchsorted(cell, picked), minlength=inside.size)
            self._quota_used[(a, b)] = used + int(units[inside].sum())

    def _within_quotas(self, origin: np.ndarray, dest: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Which of these moves a quota still allows this year (the rest are cancelled at random)."""
        keep = np.ones(len(origin), dtype=bool)
        for (a, b), per_year in self.quotas.items():
            crossing = np.flatnonzero((self.province_country[origin] == a) & (self.province_country[dest] == b))
            used = self._quota_used.get((a, b), 0)
            allowed = max(int(per_year) - used, 0)
            if crossing.size > allowed:
                keep[rng.permutation(crossing)[allowed:]] = False
            self._quota_used[(a, b)] = used + min(crossing.size, allowed)
        return keep

    def age(self) -> None:
        """One more step in the current province."""
        self["tenure"] += 1

    # ----------------------------------------------------------------------------- calibration
    def calibrate(self, omega: np.ndarray, tolerance: float = 1e-10, max_iterations: int = 1000) -> None:
        """Set amenities and the moving cost so that migration nets to zero and matches the gross migration rate.

        At the t = 0 equilibrium, the expected number of reconsidering workers choosing each province (staying
        included) equals the number reconsidering there, so expected inflows equal outflows everywhere; and the
        gross migration rate equals ``migration_rate``. Amenities are found by Newton's method with the logit's
        analytic Jacobian (a simple fixed point crawls, because a whole country's amenity level is tied to the
        rest only through small cross-border flows); the moving cost by a log update around it, which contracts by
        only a few per cent an iteration where about half of those who reconsider move (hence the 1000 iterations
        allowed; the defaults need a handful).

        Raises:
            ConvergenceError: when the balance cannot be reached.
        """
        p = self.params
        n = self.n_provinces
        self.amenity = np.zeros(n)
        target_rate = p["migration_rate"]
        self.moving_cost = 8.0 if target_rate > 0 else 0.0
        composition = self.composition()
        residents = composition.sum()
        off_diagonal = 1.0 - np.eye(n)
        reconsidering = self._reconsidering(composition, 1)[2].sum() / max(residents, 1e-300)
        if target_rate >= reconsidering:
            raise ConvergenceError(
                f"gross migration of {target_rate:g} a year (workers.migration_rate) cannot be calibrated: only "
                f"{reconsidering:.3g} of residents reconsider where to live each year (workers.reconsider, and "
                f"employed modern workers at workers.employed_mobility = {p['employed_mobility']:g} times that rate), "
                "and only they can move; lower migration_rate or raise reconsider or employed_mobility",
                ("workers.migration_rate", "workers.reconsider", "workers.employed_mobility"),
            )

        def residual() -> tuple[np.ndarray, float, tuple[np.ndarray, np.ndarray, np.ndarray]]:
            self._moves_static = self._distance_term - self.moving_cost * off_diagonal
            keys, gp, mass, _ = self._reconsidering(composition, 1)
            prob = self.choice_probabilities(keys, omega, composition)
            chosen = mass @ prob  # reconsidering workers choosing each province, staying included
            moving = mass @ (1.0 - prob[np.arange(len(gp)), gp])
            there = np.bincount(gp, mass, minlength=n)
            gap = np.where(there > 0, np.log(np.maximum(chosen, 1e-300) / np.maximum(there, 1e-300)), 0.0)
            step_m = float(np.log(moving / residents / target_rate)) if target_rate > 0 else 0.0
            return gap, step_m, (prob, mass, chosen)

        gap, step_m, (prob, mass, chosen) = residual()
        error = float(np.max(np.abs(gap)))
        for _ in range(max_iterations):
            if error < tolerance and abs(step_m) < tolerance:
                break
            cross = prob.T @ (mass[:, None] * prob)
            jacobian = np.eye(n) - cross / np.maximum(chosen, 1e-300)[:, None] + 1.0 / n  # + pins the mean
            try:
                step = np.linalg.solve(jacobian, gap)
            except np.linalg.LinAlgError:
                break  # a singular Jacobian: reported below with the gap reached
            step *= min(1.0, AMENITY_STEP / max(float(np.max(np.abs(step))), 1e-300))
            amenity, moving_cost = self.amenity, self.moving_cost + step_m
            for _ in range(20):  # halve a leap that multiplies the gap (the logit left its linear range)
                self.amenity = amenity - step
                self.amenity -= self.amenity.mean()
                self.moving_cost = moving_cost
                gap, step_m, (prob, mass, chosen) = residual()
                trial = float(np.max(np.abs(gap)))
                if trial <= max(LEAP * error, tolerance):
                    break
                step *= 0.5
            error = trial
        if not (error < tolerance and abs(step_m) < tolerance):
            raise ConvergenceError(
                f"amenity calibration did not converge (largest log gap {error:.3g})",
                ("workers.migration_rate", "workers.real_income_elasticity", "workers.congestion", "workers.diaspora"),
            )
        self._moves_static = self._distance_term - self.moving_cost * off_diagonal
