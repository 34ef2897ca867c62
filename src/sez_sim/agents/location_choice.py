"""Where potential entrants locate: location options, a nested logit, zone queue costs and their calibration.

Location options are the N provinces (outside any zone) followed by the zones of the zone table. Potential
entrants arrive in streams: one domestic stream per country (owned by residents of that country, choosing among
its provinces) and one foreign stream (choosing anywhere; its profits leave the region), scaled by the
``fdi_inflow`` lever. An entrant with productivity ``z`` values option ``o`` at

    v_o(z) = lambda ln(NPV_o(z) / pi_i)  (+ foreign_zone_preference for foreign entrants in zones, - queue_o,
                                          - the zone's newcomer cost for its unproven track record)

where ``NPV`` is the discounted after-tax operating profit from the current equilibrium, starting after the
approval delay and counting any tax holiday, minus the sunk entry cost and red tape, and ``pi_i`` is the host's
mean firm profit at t = 0. Within a province the entrant picks among the outside-zone option and the province's
open zones by a logit of the small scale ``zone_choice_scale`` (close to taking the best, but smooth, so identical
zones share their demand), each zone in the choice set of the share of potential entrants who know it (its
awareness; a promoted zone brings more investors to its province, :meth:`LocationChoice.nests`); a province is
worth ``xi_i`` plus that inclusive value; the province (or staying out, value 0) is chosen by a logit. Choosing
among provinces rather than among options keeps a new zone from counting its host twice (the logit's
red-bus/blue-bus problem).

A zone's **queue cost** is the shadow price of its scarce serviced land: zero while it has room, otherwise just
enough that expected demand equals its free slots. **Calibration** sets the stream rates and ``xi`` so that
expected entry balances exit in every province at t = 0, jointly with the queue costs that make a full zone's
expected entrants equal the slots its exits free (:meth:`LocationChoice.calibrate`).

Productivity is Pareto truncated at a top quantile, represented by :data:`POOL_SIZE` quantile midpoints
(:func:`productivity_grid`) used identically by calibration, entry and the initial stock.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sez_sim.economy.equilibrium import Equilibrium, Market
from sez_sim.economy.mechanisms import anticipated_learning
from sez_sim.errors import ConvergenceError
from sez_sim.zones import ZoneTable

POOL_SIZE = 256

STAGNATION_TOLERANCE = 1e-5
"""Entry calibration aims at 1e-9 in log expected entry; when Newton steps stall above that (rounding, a
near-singular Jacobian), a gap below this is accepted: 0.001% of a province's expected entrants."""


STALLED_GAP = 1e-4
"""When neither Newton nor the contraction followed by Newton reaches :data:`STAGNATION_TOLERANCE`, the best point
Newton reached is kept if its gap is below this: 0.01% of a province's expected entrants (zone demand is solved to
the same). Near a zone that is just full, Newton can cycle between points whose set of rationing zones differs,
with a nearly singular Jacobian at one of them (condition 1e8)."""

CONTRACTION_GAP = 0.1
"""Entry calibration's fallback contraction stops once no province's log gap is larger (Newton takes over)."""

CONTRACTION_ROUNDS = 600
"""Most rounds of the fallback contraction (each one evaluation of the entry shares, about 3 ms on the GMS). Near
the solution it shrinks the gaps by about the outside share a round, 1% at the bound of ``firms.outside_share``:
some 500 rounds from a log gap of 15; the claims' failed draws needed up to 350 (a province whose entry saturates
for a while holds it back). Where a province's target exceeds every potential entrant able to profit there, its
xi climbs for ever: the rounds run out and calibration fails as before."""

QUEUE_STEP = 2.0
"""The most a round of :meth:`LocationChoice.clear_zones` moves a queue cost, in utility (the province logit's scale
is 1): farther than about that, the logit's slope at the current costs no longer says where demand goes."""

RATION_GAPS = (CONTRACTION_GAP, 1e-2, 1e-3)
"""The gaps the rationing contraction brings entry and zone demand within before Newton tries again, in turn."""

RATION_ROUNDS = 30
"""Most rounds of :meth:`LocationChoice.clear_zones` in each round of the rationing contraction (warm-started, it
needs one or two once the contraction settles)."""


def _tiers(nest: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The zones of each nest in zone order, dealt out in tiers: the first zone of every nest, then the second, ...

    Returns:
        Per tier, its zones and their nests (each nest at most once), so a tier is one column operation and the
        tiers in order visit each nest's zones in zone order.
    """
    order = np.argsort(nest, kind="stable")
    sorted_nest = nest[order]
    rank = np.arange(nest.size) - np.searchsorted(sorted_nest, sorted_nest, side="left")
    return [(order[rank == r], sorted_nest[rank == r]) for r in range(int(rank.max(initial=-1)) + 1)]


ENUMERATED_ZONES = 8
"""Most partly known zones of one province whose choice sets are enumerated (2**8 sets); beyond them the rest are
lumped (:func:`partly_known_nest`). Every scenario of the library has at most three in a province; with every set
enumerated, twelve in a GMS province took about 4 s a step and each more doubled it."""


def partly_known_nest_reference(
    total: np.ndarray, weight: np.ndarray, known: np.ndarray, aware: np.ndarray, boost: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """One province's nest, every choice set of its partly known zones visited in turn (reference).

    The definition :func:`partly_known_nest` computes, kept to test it against; its cost doubles with each partly
    known zone.

    Args:
        total: (pool,) the nest's sum of ``exp(v / s)`` over the outside option and the zones known to all.
        weight: (pool, zones) each of the province's zones' ``exp(v / s)`` (same scaling as ``total``).
        known: which zones are known to all.
        aware: each zone's awareness (a zone known to no one is in no choice set).
        boost: each zone's ``1 + promotion``.
        scale: the zone choice's scale ``s``.

    Returns:
        ``(mass, zone_mass)``: (pool,) the chance-weighted sum of ``prod(boost) * t_S**s`` over the choice sets and
        (pool, zones) each zone's part of it (``mass * share``).
    """
    zones = np.arange(weight.shape[1])
    sure, unsure = zones[known], zones[~known & (aware > 0)]
    mass = np.zeros(len(total))
    zone_mass = np.zeros(weight.shape)
    for bits in itertools.product((False, True), repeat=unsure.size):
        inside = unsure[np.array(bits, dtype=bool)]
        chance = np.prod(aware[inside]) * np.prod(1.0 - aware[np.setdiff1d(unsure, inside)])
        members = np.concatenate([sure, inside])
        t = total.copy()
        for z in inside:
            t += weight[:, z]
        m = chance * np.prod(boost[members]) * t**scale
        mass += m
        for z in members:
            zone_mass[:, z] += np.divide(m * weight[:, z], t, out=np.zeros_like(t), where=t > 0)
    return mass, zone_mass


def partly_known_nest(
    total: np.ndarray, weight: np.ndarray, known: np.ndarray, aware: np.ndarray, boost: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """One province's nest when some of its zones are known to only some investors, or promoted.

    Entrants who know just the set ``S`` of the province's partly known zones (chance
    ``c_S = prod_{u in S} a_u prod_{u not in S} (1 - a_u)``) face the nest of the outside option, the zones known to
    all and ``S``, whose total is ``t_S = total + sum_{u in S} w_u``. The province's mass is
    ``sum_S c_S B_S t_S**s``, ``B_S`` the product of the boosts of the nest's zones, and a zone's part of it is
    ``sum_S c_S B_S t_S**s w_z / t_S`` over the sets whose nest holds it.

    Up to :data:`ENUMERATED_ZONES` partly known zones, every set is evaluated at once, with the arithmetic of
    :func:`partly_known_nest_reference` in its order (the same numbers, bit for bit). Beyond them, the sets are
    enumerated over the zones that spread the total most (the largest ``a' (1 - a') w**2`` relative to the nest's
    size) and the others are lumped. Their boosts are folded into their chances: with ``a' = a b / (1 - a + a b)``,
    summing over their sets is ``G = prod (1 - a + a b)`` times the expectation over independent ``X_r`` known with
    chances ``a'``, and their part of the total, ``Y = sum X_r w_r``, is replaced by one zone of size
    ``mu + v / mu`` known with chance ``mu**2 / (mu**2 + v)``, which has ``Y``'s mean ``mu`` and variance ``v``
    (per pool productivity). That is exact for one lumped zone and otherwise misses only the third and higher
    moments of ``Y``; a lumped zone's own part is found the same way, in the sets that hold it, and the parts are
    scaled to add up, with the outside option's, to the mass.

    Args and returns as :func:`partly_known_nest_reference`.
    """
    mass, zone_mass = partly_known_nests(
        total[:, None], weight[:, None, :], known[None], aware[None], boost[None], scale
    )
    return mass[:, 0], zone_mass[:, 0, :]


SETS_AT_ONCE = 4096
"""Most choice sets (summed over provinces) :func:`partly_known_nests` evaluates in one batch: each batch holds
arrays of sets x pool x provinces (8 MB at the GMS's pool)."""


def partly_known_nests(
    total: np.ndarray, weight: np.ndarray, known: np.ndarray, aware: np.ndarray, boost: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`partly_known_nest` for several provinces at once, those with as many partly known zones together.

    A step nests every host of a new zone this way several times; a province at a time, the twenty hosts of
    Cambodia's declared zones took about a quarter of a step. Each province's numbers are those of
    :func:`partly_known_nest` alone, bit for bit: the provinces are only side by side in the arrays.

    Args:
        total: (pool, provinces) each nest's total (:func:`partly_known_nest_reference`).
        weight: (pool, provinces, zones) the zones of each province, padded with zones known to no one.
        known: (provinces, zones) which zones are known to all.
        aware: (provinces, zones) awareness.
        boost: (provinces, zones) ``1 + promotion`` (1 for padding).
        scale: the zone choice's scale ``s``.

    Returns:
        ``(mass, zone_mass)``: (pool, provinces) and (pool, provinces, zones).
    """
    unsure = ~known & (aware > 0)
    count = unsure.sum(axis=1)
    mass, zone_mass = np.zeros(total.shape), np.zeros(weight.shape)
    for u in np.unique(count):
        group = np.flatnonzero(count == u)
        if u > ENUMERATED_ZONES:
            for g in group:
                mass[:, g], zone_mass[:, g] = _lumped_nest(
                    total[:, g], weight[:, g], known[g], aware[g], boost[g], scale, np.flatnonzero(unsure[g])
                )
            continue
        for part in np.array_split(group, -(-group.size * 2**u // SETS_AT_ONCE)):
            enumerated = np.nonzero(unsure[part])[1].reshape(part.size, u)
            args = total[:, part], weight[:, part], known[part], aware[part], boost[part]
            mass[:, part], zone_mass[:, part] = _enumerated_nests(*args, scale, enumerated)
    return mass, zone_mass


def _choice_sets(
    total: np.ndarray,
    weight: np.ndarray,
    known: np.ndarray,
    aware: np.ndarray,
    boost: np.ndarray,
    enumerated: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every set of the ``enumerated`` zones (positions, (provinces, u), ascending) of each province's nest.

    Returns:
        ``(sets, of_set, t)``: (sets, u) which zones each set holds, in :func:`itertools.product`'s order;
        (sets, provinces) each set's chance times the boosts of the zones in its nest; (sets, pool, provinces) the
        nest's total. The products and sums are taken in the reference's order (the same numbers).
    """
    provinces = np.arange(len(enumerated))
    u = enumerated.shape[1]
    sets = ((np.arange(2**u)[:, None] >> np.arange(u)[::-1]) & 1).astype(bool)
    boosted = np.ones(len(provinces))
    for column in range(known.shape[1]):  # the zones known to all, in zone order (times 1 for the others)
        boosted = boosted * np.where(known[:, column], boost[:, column], 1.0)
    chance_in, chance_out = np.ones((len(sets), len(provinces))), np.ones((len(sets), len(provinces)))
    boosted = np.repeat(boosted[None, :], len(sets), axis=0)
    t = np.repeat(total[None], len(sets), axis=0)
    for j in range(u):
        held, zone = sets[:, j], enumerated[:, j]
        a = aware[provinces, zone]
        chance_in[held] *= a
        chance_out[~held] *= 1.0 - a
        boosted[held] *= boost[provinces, zone]
        t[held] += weight[:, provinces, zone]
    return sets, chance_in * chance_out * boosted, t


def _enumerated_nests(
    total: np.ndarray,
    weight: np.ndarray,
    known: np.ndarray,
    aware: np.ndarray,
    boost: np.ndarray,
    scale: float,
    enumerated: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`partly_known_nests` for provinces whose partly known zones are all ``enumerated``."""
    sets, of_set, t = _choice_sets(total, weight, known, aware, boost, enumerated)
    m = of_set[:, None, :] * t**scale
    zone_mass = np.zeros(weight.shape)
    for column in range(weight.shape[2]):
        position = enumerated == column
        member = np.repeat(known[None, :, column], len(sets), axis=0)
        if position.any():
            member |= sets[:, position.argmax(axis=1)] & position.any(axis=1)
        has = np.flatnonzero(member.any(axis=0))  # the provinces with a zone in this column (not padding)
        if has.size:
            m_has, t_has = m[:, :, has], t[:, :, has]
            # Only in the sets that hold the zone: in the others its weight need not be part of the total.
            held = member[:, None, has] & (t_has > 0)
            part = np.divide(m_has * weight[None, :, has, column], t_has, out=np.zeros_like(t_has), where=held)
            zone_mass[:, has, column] = part.sum(axis=0)
    return m.sum(axis=0), zone_mass


def _lumped_nest(
    total: np.ndarray,
    weight: np.ndarray,
    known: np.ndarray,
    aware: np.ndarray,
    boost: np.ndarray,
    scale: float,
    unsure: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`partly_known_nest` for one province with more partly known zones (``unsure``) than are enumerated."""
    sure = np.flatnonzero(known)
    tilted = aware * boost / (1.0 - aware + aware * boost)
    candidates = weight[:, unsure]
    size = total + candidates @ tilted[unsure]
    relative = np.divide(candidates, size[:, None], out=np.zeros_like(candidates), where=size[:, None] > 0)
    spread = tilted[unsure] * (1.0 - tilted[unsure]) * (relative**2).sum(axis=0)
    ranked = unsure[np.argsort(-spread, kind="stable")]
    enumerated, lumped = np.sort(ranked[:ENUMERATED_ZONES]), np.sort(ranked[ENUMERATED_ZONES:])
    sets, of_set, t = _choice_sets(
        total[:, None], weight[:, None, :], known[None], aware[None], boost[None], enumerated[None]
    )
    t = t[:, :, 0]
    a, w = tilted[lumped], weight[:, lumped]
    mean, variance = w @ a, (w**2) @ (a * (1.0 - a))
    of_set = of_set * np.prod(1.0 - aware[lumped] + aware[lumped] * boost[lumped])
    mass = (of_set * _lumped_power(t, scale, mean, variance)).sum(axis=0)
    per_weight = of_set * _lumped_power(t, scale - 1.0, mean, variance)
    zone_mass = np.zeros(weight.shape)
    zone_mass[:, sure] = per_weight.sum(axis=0)[:, None] * weight[:, sure]
    for j, z in enumerate(enumerated):
        zone_mass[:, z] = (per_weight[sets[:, j]] * weight[:, z]).sum(axis=0)
    for r, a_r in zip(lumped, a, strict=True):
        others = mean - a_r * weight[:, r], np.maximum(variance - a_r * (1.0 - a_r) * weight[:, r] ** 2, 0.0)
        zone_mass[:, r] = a_r * weight[:, r] * (of_set * _lumped_power(t + weight[:, r], scale - 1.0, *others)).sum(0)
    # The parts, the outside option's with them, are approximated one by one; scaled to add up to the mass, the
    # shares of the province's entrants add up to one as they do with every set enumerated.
    outside = per_weight.sum(axis=0) * np.maximum(total - weight[:, sure].sum(axis=1), 0.0)
    parts = outside + zone_mass[:, known | (aware > 0)].sum(axis=1)  # not the padding (partly_known_nests)
    zone_mass *= np.divide(mass, parts, out=np.zeros_like(mass), where=parts > 0)[:, None]
    return mass, zone_mass


def _lumped_power(base: np.ndarray, power: float, mean: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """``E[(base + Y)**power]`` for the lumped zones' part ``Y`` of the total (:func:`partly_known_nest`).

    ``Y`` is zero or ``mean + variance / mean``, with the chances that give it that mean and variance; a total of zero
    counts zero.
    """
    spread = mean**2 + variance
    chance = np.divide(mean**2, spread, out=np.zeros_like(mean), where=spread > 0)
    size = mean + np.divide(variance, mean, out=np.zeros_like(mean), where=mean > 0)
    return (1.0 - chance) * _power(base, power) + chance * _power(base + size, power)


def _power(x: np.ndarray, power: float) -> np.ndarray:
    """``x**power`` where ``x`` is positive, else 0."""
    return np.power(x, power, out=np.zeros_like(x), where=x > 0)


def stream_products(
    left: np.ndarray, right: np.ndarray, columns: list[np.ndarray], by_province: tuple[bool, bool]
) -> np.ndarray:
    """``left.T @ right`` for factors whose rows are (stream, pool) pairs, each stream's block on its own.

    A factor with provinces on its columns is zero outside each stream's provinces (a domestic stream chooses among
    its country's provinces only), so each stream's product is taken over its provinces (``columns[s]``): the
    domestic streams' blocks together are a few per cent of the dense products.

    Args:
        left: the left factor, (streams x pool, k).
        right: the right factor, (streams x pool, k').
        columns: the provinces of each stream.
        by_province: whether ``left`` and ``right`` have provinces on their columns.
    """
    out = np.zeros((left.shape[1], right.shape[1]))
    pool = left.shape[0] // len(columns)
    left, right = (x.reshape(len(columns), pool, x.shape[1]) for x in (left, right))
    for s, cols in enumerate(columns):
        rows = cols if by_province[0] else np.arange(out.shape[0])
        cells = cols if by_province[1] else np.arange(out.shape[1])
        out[np.ix_(rows, cells)] += left[s][:, rows].T @ right[s][:, cells]
    return out


def solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a x = b``, or the least-squares ``x`` where ``a`` is singular."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(a, b, rcond=None)[0]


def productivity_grid(shape: float, top: float, size: int = POOL_SIZE) -> np.ndarray:
    """The productivities potential entrants draw from: quantile midpoints of a Pareto truncated at ``top``.

    Calibration, entry and the initial stock all use this one grid, so entrants come from exactly the distribution
    the steady state was calibrated on (each entrant's ``z`` is one of ``size`` values, weighted by its choice
    probability). Truncation keeps the upper tail, which the entry choice tilts towards, finite.
    """
    u = (np.arange(size) + 0.5) / size * top
    return (1.0 - u) ** (-1.0 / shape)


VIABLE_RATIO = 0.7
"""Fewest potential entrants able to profit in a province of average firms (:func:`viable_share`), relative to the
share of them that enters in the calibrated steady state (``1 - outside_share``), for entry calibration to be
possible. The share is an index (entrants who pick the best province, zone incentives and a stock that differs
from the average make more of them able to profit): on the GMS data, calibration failed at ratios of 0.55-0.63 and
converged at 0.70 and above (sigma 7 or 8, Pareto shape 5, entry costs of 4 or 6 years, hazard 0.15 or 0.2, fixed
labour share 0.15 or 0.2, outside share 0.01; and a synthetic corner at 0.61)."""


def overhead_share(sigma: float, fixed_labour_share: float, capital_share: float = 0.0) -> float:
    """The mean firm's fixed cost as a share of its operating surplus, ``f = (sigma - 1)(1 - alpha) s_F / (1 - s_F)``.

    Fixed labour is the share ``s_F`` of the mean firm's workforce, whose variable part earns ``(sigma - 1) / sigma
    (1 - alpha)`` of its revenue ``r`` (``alpha`` capital's share of the variable inputs' cost); the operating surplus
    is ``r / sigma``.
    """
    return (sigma - 1.0) * fixed_labour_share / (1.0 - fixed_labour_share) * (1.0 - capital_share)


def viable_share(
    sigma: float,
    fixed_labour_share: float,
    pareto_shape: float,
    pareto_top: float,
    entry_years: float,
    hazard: float,
    discount_rate: float,
    approval_days: float,
    tax: float,
    capital_share: float = 0.0,
) -> float:
    """The share of potential entrants whose entry pays in a province whose firm agents are draws from the pool.

    In such a province with revenue ``r`` per firm agent, the mean firm's fixed cost is ``w F = f r / sigma`` with
    ``f`` from :func:`overhead_share`, its operating profit ``pi = (1 - f) r / sigma``, and an entrant
    of productivity ``z`` earns the revenue ``r z^(sigma-1) / m``, ``m`` the pool's mean of ``z^(sigma-1)``. Entry
    pays when the discounted after-tax profit exceeds the sunk cost of ``entry_years`` years of ``pi``:

        z^(sigma-1) / m > f + entry_years (1 - f) / A,   A = (1 - tax) beta^wait / (1 - beta),
        beta = (1 - hazard) / (1 + discount_rate),

    ``A`` being the after-tax years of profit the entrant can expect after waiting ``approval_days``. Calibration
    redraws the stock from the entrants, who are more productive than the pool, so the share only falls from here;
    when it is small no choice of location values can make entry balance exit (:data:`VIABLE_RATIO`).

    Args:
        sigma: elasticity of substitution.
        fixed_labour_share: ``economy.fixed_labour_share``.
        pareto_shape: ``firms.pareto_shape``.
        pareto_top: ``firms.pareto_top``.
        entry_years: sunk cost in years of the mean firm's profit (``firms.entry_cost`` plus red tape).
        hazard: ``firms.hazard``.
        discount_rate: ``firms.discount_rate``.
        approval_days: days waiting for approval.
        tax: the corporate tax rate.
        capital_share: capital's share of the variable inputs' cost in force.
    """
    f = overhead_share(sigma, fixed_labour_share, capital_share)
    beta = (1.0 - hazard) / (1.0 + discount_rate)
    if tax >= 1.0:
        return 0.0
    # Without discounting or exit (beta = 1) profits last for ever and any sunk cost is earned back.
    payback = entry_years * (1.0 - beta) / ((1.0 - tax) * beta ** (approval_days / 365.0))
    efficiency = productivity_grid(pareto_shape, pareto_top) ** (sigma - 1.0)
    threshold = f + payback * (1.0 - f)
    return float(np.mean(efficiency > threshold * efficiency.mean()))


@dataclass
class Alternatives:
    """What each location option offers an entrant right now: provinces outside zones, then zones.

    Attributes:
        province: host province of each option.
        zone: zone of each option (-1 outside any zone).
        revenue_unit: revenue per unit of ``z^(sigma-1)`` per year.
        fixed_cost: ``w_i F_i`` (times the zone's fixed-cost factor) per year.
        annuity: discounted after-tax years of profit, after the approval wait.
        sunk: entry cost plus red tape (money).
        fixed_jobs, jobs_unit: an entrant's jobs (persons) at the equilibrium: ``fixed_jobs + jobs_unit z^(sigma-1)``.
        room: jobs (persons) a zone's capacity leaves to entrants (inf outside zones; set by the firm population).
        approval_steps: steps an entrant waits before producing.
        holiday_years: the option's tax holiday.
        free_slots: whole slots free now (inf outside zones): what the zone can admit this step.
        choice_slots: what entrants plan on: the free slots (those with room for a member's jobs), or the slots a
            full zone's exits free on average, less those the firms waiting for a plot will take.
        awareness: share of potential entrants who know the option (1 outside zones).
        promotion: extra investors a promotion programme brings to the option (0 outside zones).
        unproven: utility investors deduct for the option's unproven track record (0 outside zones).
        open: entrants may choose it (zones: active, with room now or soon).
    """

    province: np.ndarray
    zone: np.ndarray
    revenue_unit: np.ndarray
    fixed_cost: np.ndarray
    annuity: np.ndarray
    sunk: np.ndarray
    fixed_jobs: np.ndarray
    jobs_unit: np.ndarray
    room: np.ndarray
    approval_steps: np.ndarray
    holiday_years: np.ndarray
    free_slots: np.ndarray
    choice_slots: np.ndarray
    awareness: np.ndarray
    promotion: np.ndarray
    unproven: np.ndarray
    open: np.ndarray


class LocationChoice:
    """The entry model of the firm population and the state it owns.

    Attributes:
        params: the ``firms`` parameter section.
        fixed_labour: fixed labour of a new firm, per province (F_i, calibrated).
        approval_days, red_tape: per province (levers; OSSCs change them).
        profit_unit: mean operating profit per firm at t = 0, per province (the unit of entry costs).
        fdi_inflow: multiplier on the foreign stream (lever).
        xi: calibrated attractiveness per province.
        queue: queue cost per zone.
        stream_rate: potential entrants per step per stream (countries, then foreign), before ``fdi_inflow``.
        stream_country: each stream's country (-1 for the foreign stream).
        learning: the revenue factor entrants expect from learning over their life in a zone that learns (1 = none;
            :func:`~sez_sim.economy.mechanisms.anticipated_learning`).
    """

    def __init__(self, params: dict[str, Any], n_provinces: int):
        self.params = params
        self.n = n_provinces
        self.fixed_labour = np.zeros(n_provinces)
        self.approval_days = np.zeros(n_provinces)
        self.red_tape = np.zeros(n_provinces)
        self.profit_unit = np.zeros(n_provinces)
        self.fdi_inflow = 1.0
        self.xi = np.zeros(0)
        self.queue = np.zeros(0)
        self.stream_rate = np.zeros(0)
        self.stream_country = np.zeros(0, np.int64)
        self.learning = 1.0
        self._nesting: tuple[tuple[str, bytes] | None, tuple] = (None, ())

    @property
    def discount_factor(self) -> float:
        """An entrant's yearly discount factor: survival (one less the hazard) over interest."""
        return (1.0 - self.params["hazard"]) / (1.0 + self.params["discount_rate"])

    def expect_learning(self, gain: float, years: float, sigma: float) -> None:
        """Set :attr:`learning`, what entrants expect to learn in a zone that learns, at this discount factor."""
        self.learning = anticipated_learning(gain, years, sigma, self.discount_factor)

    def grid(self) -> np.ndarray:
        """The productivity grid of the current parameters."""
        return productivity_grid(self.params["pareto_shape"], self.params["pareto_top"])

    # ------------------------------------------------------------------ the economics of locations
    def alternatives(
        self,
        market: Market,
        eq: Equilibrium,
        zones: ZoneTable,
        country_tax: np.ndarray,
        occupancy: np.ndarray,
        steps_per_year: int,
        waiting: np.ndarray | None = None,
    ) -> Alternatives:
        """Evaluate every location option (each province outside zones, then each zone) at the equilibrium.

        Args:
            market: the solver's market.
            eq: the current equilibrium.
            zones: the zone table.
            country_tax: the profit-tax rate of each province.
            occupancy: firms (producing or waiting) in each zone.
            steps_per_year: steps per year.
            waiting: firms outside each zone waiting for a plot in it (default none); they take its next slots.
        """
        p = self.params
        s = market.sigma
        n = self.n
        unit = market.price_constant * eq.wage**market.wage_exponent * market.tfp ** (s - 1.0)
        dom = unit * eq.market_access
        world = unit * market.phi_world * market.world_demand
        nz = len(zones)
        province = np.concatenate([np.arange(n), zones.province]).astype(np.int64)
        zone = np.concatenate([np.full(n, -1), np.arange(nz)]).astype(np.int64)
        bonus = np.concatenate(
            [np.ones(n), zones.productivity ** (s - 1.0) * np.where(zones.learns, self.learning, 1.0)]
        )
        access = np.concatenate([np.ones(n), zones.world_access])
        revenue_unit = bonus * (dom[province] + access * world[province])
        fixed_factor = np.concatenate([np.ones(n), zones.fixed_cost_factor])
        fixed_cost = eq.wage[province] * self.fixed_labour[province] * fixed_factor

        def own_or_province(values: np.ndarray, province_values: np.ndarray) -> np.ndarray:
            return np.where(np.isnan(values), province_values[zones.province], values)

        # What a zone's rules promise, as its management delivers it.
        delay = zones.delay
        days = np.concatenate([self.approval_days, own_or_province(zones.approval_days, self.approval_days) * delay])
        tape = np.concatenate([self.red_tape, own_or_province(zones.red_tape_years, self.red_tape) * delay])
        # A zone's tax terms never exceed its province's rate (Firms.tax_rates).
        outside = country_tax[zones.province]
        after = np.concatenate([country_tax, np.minimum(own_or_province(zones.after_rate, country_tax), outside)])
        holiday_years = np.concatenate([np.zeros(n), zones.holiday_years])
        holiday_rate = np.concatenate([country_tax, np.minimum(zones.holiday_rate, outside)])
        beta = self.discount_factor
        wait = days / 365.0
        after_holiday = beta**holiday_years
        annuity = (
            beta**wait / (1.0 - beta) * ((1.0 - holiday_rate) * (1.0 - after_holiday) + (1.0 - after) * after_holiday)
        )
        free = np.concatenate([np.full(n, np.inf), np.floor(zones.capacity - occupancy)])
        alts = Alternatives(
            province=province,
            zone=zone,
            revenue_unit=revenue_unit,
            fixed_cost=fixed_cost,
            fixed_jobs=fixed_cost / eq.wage[province],
            jobs_unit=market.labour_cost_share * revenue_unit / eq.wage[province],
            room=np.full(n + nz, np.inf),
            annuity=annuity,
            sunk=(p["entry_cost"] + tape) * self.profit_unit[province],
            approval_steps=np.ceil(wait * steps_per_year - 1e-9).astype(np.int64),
            holiday_years=holiday_years,
            free_slots=free,
            choice_slots=np.full(n + nz, np.inf),
            awareness=np.concatenate([np.ones(n), zones.awareness]),
            promotion=np.concatenate([np.zeros(n), zones.promotion]),
            unproven=np.concatenate([np.zeros(n), zones.unproven]),
            open=np.ones(n + nz, bool),
        )
        self.plan(alts, free[n:], occupancy, zones.active, steps_per_year, waiting)
        return alts

    def plan(
        self,
        alts: Alternatives,
        free: np.ndarray,
        occupancy: np.ndarray,
        active: np.ndarray,
        steps_per_year: int,
        waiting: np.ndarray | None = None,
    ) -> None:
        """Set the zones' planned slots and which zones are open (the one place the rule is stated).

        Args:
            alts: the options, changed in place (their zone rows).
            free: slots each zone can admit now (:meth:`planned_slots`).
            occupancy: firms (producing or waiting for approval) in each zone.
            active: which zones are active; an open zone is active with a slot planned.
            steps_per_year: steps per year.
            waiting: firms outside each zone waiting for a plot in it (default none).
        """
        n = self.n
        alts.choice_slots[n:] = self.planned_slots(free, occupancy, steps_per_year, waiting)
        alts.open[n:] = active & (alts.choice_slots[n:] > 0)

    def planned_slots(
        self, free: np.ndarray, occupancy: np.ndarray, steps_per_year: int, waiting: np.ndarray | None = None
    ) -> np.ndarray:
        """The slots of each zone that entrants plan on this step (``Alternatives.choice_slots``).

        A full zone frees the slots of its exiting firms; entrants plan on that turnover (as the steady state was
        calibrated), and those who find no slot this step locate outside the zone. Firms already waiting take the
        next slots first: entrants who did not count them would keep the queue critical (as many arrivals as
        slots on average), and a random walk that only exits drain grows without bound.

        Args:
            free: slots free now that an entrant could fill (whole slots).
            occupancy: firms (producing or waiting for approval) in each zone.
            steps_per_year: steps per year.
            waiting: firms outside each zone waiting for a plot in it (default none).
        """
        turnover = self.params["hazard"] / steps_per_year * occupancy
        return np.maximum(np.maximum(free, turnover) - (0.0 if waiting is None else waiting), 0.0)

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

        Foreign entrants add their zone preference; every zone option carries its queue cost and its newcomer cost
        for an unproven record. A zone known to only
        the share ``a`` of potential entrants (its awareness) is in the choice set of that share: for each set
        ``S`` of its province's partly known zones, entrants who know just those (chance ``prod a prod (1 - a)``)
        face the nest of the outside option, the zones everyone knows and ``S``. The province is worth the log of
        the chance-weighted sum of ``exp(IV_S)``, each term times ``1 + p`` for every promoted zone in it (more
        investors consider the province with that zone), and a zone's share is its chance-weighted share over the
        sets that hold it. A zone nobody knows takes no one; with every zone known and none promoted this is the
        plain nested logit.

        Returns:
            ``(inclusive, zone_share)``: (pool, N) province values and (pool, zones) shares of each zone within
            its province.
        """
        n = self.n
        scale = self.params["zone_choice_scale"]
        outside = values[:, :n]
        if values.shape[1] == n:
            return outside, np.zeros((values.shape[0], 0))
        bonus = self.params["foreign_zone_preference"] if foreign else 0.0
        zone_values = values[:, n:] + bonus - self.queue_cost(values.shape[1] - n) - alts.unproven[n:]
        # A province without zones is worth its outside option; the nests are formed in the hosts' columns only.
        hosts, nest, tiers = self.nesting(alts.province[n:])
        aware, boost = alts.awareness[n:], 1.0 + alts.promotion[n:]
        top = outside[:, hosts]
        for zones, nests in tiers:
            top[:, nests] = np.maximum(top[:, nests], zone_values[:, zones])
        top = np.where(np.isfinite(top), top, 0.0)
        weight_zone = np.exp((zone_values - top[:, nest]) / scale)
        known = aware >= 1.0
        total = np.exp((outside[:, hosts] - top) / scale)
        # Zones known to all are added to their host's total one after the other, in zone order: a zone that admits
        # no one adds exactly zero, so an inactive zone changes no other number.
        counted = np.where(known, weight_zone, 0.0)
        for zones, nests in tiers:
            total[:, nests] += counted[:, zones]
        inclusive = outside.copy()
        with np.errstate(divide="ignore"):
            inclusive[:, hosts] = top + scale * np.log(total)
        share = np.divide(
            weight_zone, total[:, nest], out=np.zeros_like(weight_zone), where=known & (total[:, nest] > 0)
        )
        mixed = (~known & (aware > 0)) | (boost != 1.0)  # zones known to only some, or promoted
        if mixed.any():
            ks = np.unique(nest[mixed])
            row_of = np.full(hosts.size, -1)
            row_of[ks] = np.arange(ks.size)
            padded = np.full((ks.size, len(tiers)), -1)  # each province's zones in zone order: its tiers
            for r, (zones, nests) in enumerate(tiers):
                rows = row_of[nests]
                padded[rows[rows >= 0], r] = zones[rows >= 0]
            width = (padded >= 0).sum(axis=1).max()  # the most zones of a province nested here
            padded = padded[:, :width]
            real = padded >= 0
            zone = np.where(real, padded, 0)  # the padding: zones known to no one, of weight 0
            mass, zone_mass = partly_known_nests(
                total[:, ks],
                np.where(real, weight_zone[:, zone], 0.0),
                known[zone] & real,
                np.where(real, aware[zone], 0.0),
                np.where(real, boost[zone], 1.0),
                scale,
            )
            with np.errstate(divide="ignore"):
                inclusive[:, hosts[ks]] = top[:, ks] + np.log(mass)
            zone_share = np.divide(
                zone_mass, mass[:, :, None], out=np.zeros_like(zone_mass), where=mass[:, :, None] > 0
            )
            share[:, padded[real]] = zone_share[:, real]
        return inclusive, share

    def nesting(self, host: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """The provinces hosting zones, each zone's nest among them, and the nests' tiers (:func:`_tiers`).

        The same zones are nested several times a step (each round of :meth:`clear_zones`, both kinds of stream):
        the last answer is kept for the zones' hosts it was found for.
        """
        key = (host.dtype.str, host.tobytes())
        if self._nesting[0] != key:
            hosts, nest = np.unique(host, return_inverse=True)
            self._nesting = (key, (hosts, nest, _tiers(nest)))
        return self._nesting[1]

    def host_uplift(self, values: np.ndarray, alts: Alternatives, site: np.ndarray, discount: float) -> np.ndarray:
        """Per province, the foreign stream's expected entrants with one more zone there over those without it.

        The added zone (a "site") is known to all, has room, and is worth ``site[:, i]`` to an entrant in province
        ``i``, plus the foreign zone preference, less ``discount``. Adding it to a province's nest raises its
        inclusive value to ``s ln(exp(IV_i / s) + exp(V_i / s))`` (``s`` the zone choice scale); the province's
        logit share of the foreign stream then follows with every other province unchanged.

        Args:
            values: option values of the current options (:meth:`option_values`).
            alts: the current options.
            site: (pool, N) values of the added zone in each province (:meth:`option_values` of a zone table with
                one zone per province).
            discount: utility deducted from the added zone.

        Returns:
            The ratio per province (NaN where no foreign entrant comes now).
        """
        return self._uplift(self.nests(values, alts, foreign=True)[0], site, discount)

    def _uplift(self, inclusive: np.ndarray, site: np.ndarray, discount: float) -> np.ndarray:
        """:meth:`host_uplift` from the provinces' inclusive values for the foreign stream."""
        scale = self.params["zone_choice_scale"]
        zone = site + self.params["foreign_zone_preference"] - discount
        with np.errstate(invalid="ignore", divide="ignore"):
            now = inclusive + self.xi
            added = self.xi + scale * np.logaddexp(inclusive / scale, zone / scale)
            top = np.maximum(np.max(np.where(np.isfinite(now), now, -np.inf), axis=1, keepdims=True), 0.0)
            weight = np.where(np.isfinite(now), np.exp(now - top), 0.0)
            rest = np.exp(-top) + weight.sum(axis=1, keepdims=True) - weight  # everything but the province itself
            before = weight / (rest + weight)
            after = np.where(np.isfinite(added), 1.0 / (1.0 + rest * np.exp(top - added)), 0.0)
        base = before.sum(axis=0)
        return np.divide(after.sum(axis=0), base, out=np.full(self.n, np.nan), where=base > 0)

    def zone_discount(self, values: np.ndarray, alts: Alternatives, site: np.ndarray, uplift: float) -> float:
        """The discount at which a new zone raises its host's foreign entrants by ``uplift`` on average.

        Solves ``mean_i ln H_i(d) = ln(1 + uplift)`` over the provinces foreign entrants come to, ``H_i`` from
        :meth:`host_uplift`; the mean falls monotonically from the undiscounted zone's value towards 0 as ``d``
        grows, so the root is bracketed by doubling and found by Brent's method.

        Returns 0 when no foreign entrant comes to any province (nothing to calibrate on).

        Raises:
            ConvergenceError: when no discount reaches the target (the undiscounted zone falls short of it by
                more than a discount of -100 can make up).
        """
        target = np.log1p(uplift)
        inclusive = self.nests(values, alts, foreign=True)[0]  # the current options do not depend on the discount
        if not np.isfinite(self._uplift(inclusive, site, 0.0)).any():
            return 0.0  # no foreign entrant comes anywhere: nothing to calibrate on

        def gap(discount: float) -> float:
            ratio = self._uplift(inclusive, site, discount)
            return float(np.mean(np.log(ratio[np.isfinite(ratio)]))) - target

        low, high = -1.0, 1.0
        while gap(high) > 0.0 and high < 1e3:
            low, high = high, 2.0 * high
        while gap(low) < 0.0 and low > -100.0:
            low, high = 2.0 * low, low
        if gap(low) < 0.0 or gap(high) > 0.0:
            raise ConvergenceError(
                f"no new-zone discount makes a zone raise its host's foreign entrants by {uplift:.3g} on average",
                ("sez.fdi_uplift", "firms.foreign_zone_preference", "firms.entry_logit_scale"),
            )
        # scipy.optimize takes about 0.1 s to import, and only this calibration needs it: a run whose set-up is
        # restored from the construction cache never does.
        from scipy.optimize import brentq

        return float(brentq(gap, low, high, xtol=1e-10))

    def stream_probabilities(
        self,
        values: np.ndarray,
        alts: Alternatives,
        country: np.ndarray,
        xi: np.ndarray | None = None,
        columns: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Logit choice of a province per stream, and the within-province shares of the zones.

        Domestic streams choose among their country's provinces, the foreign stream among all; a province is worth
        ``xi_i`` plus its inclusive value; the outside option (value 0) takes the rest of each row.

        Args:
            values: option values (:meth:`option_values`).
            alts: the options.
            country: the country of each province.
            xi: attractiveness per province (default: the calibrated :attr:`xi`).
            columns: the provinces whose probabilities are returned, in this order (default all); zone demand needs
                only its hosts'. Each is the same number as in the full array.

        Returns:
            ``(probabilities, zone_share)``: (streams, pool, provinces or ``columns``) and (streams, pool, zones).
        """
        xi = self.xi if xi is None else xi
        n = self.n
        columns = np.arange(n) if columns is None else columns
        prob = np.zeros((len(self.stream_country), values.shape[0], len(columns)))
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
            wanted = np.flatnonzero(country[columns] == c) if c >= 0 else np.arange(len(columns))
            prob[s_idx][:, wanted] = ev[:, np.searchsorted(cols, columns[wanted])] / (
                np.exp(-top) + ev.sum(axis=1, keepdims=True)
            )
        return prob, share

    def within(
        self, province: np.ndarray, share: np.ndarray, alts: Alternatives, rng: np.random.Generator
    ) -> np.ndarray:
        """Draw each entrant's option inside its province: a zone with its within-province share, else outside."""
        n = self.n
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

    def queue_cost(self, n_zones: int) -> np.ndarray:
        """The current queue cost of each zone (grown to ``n_zones`` entries, new zones at zero)."""
        if len(self.queue) < n_zones:
            self.queue = np.concatenate([self.queue, np.zeros(n_zones - len(self.queue))])
        return self.queue

    def stream_rates(self) -> np.ndarray:
        """Potential entrants per step per stream, with the FDI-inflow lever applied to the foreign stream."""
        rate = self.stream_rate.copy()
        rate[self.stream_country < 0] *= self.fdi_inflow
        return rate

    def zone_demand(self, values: np.ndarray, alts: Alternatives, country: np.ndarray) -> np.ndarray:
        """Expected entrants per step who would take each zone, at the current queue costs."""
        return self._takers(values, alts, country, np.arange(values.shape[1] - self.n))[0].sum(axis=0)

    def _takers(
        self, values: np.ndarray, alts: Alternatives, country: np.ndarray, zones: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What each component of entry (a stream and a pool productivity) brings to each zone of ``zones``.

        Returns:
            ``(taken, share, prob)``, each (components, zones): expected entrants per step who would take the zone
            (a column sums to the zone's demand), the zone's share of its province's entrants, and the province's
            choice probability.
        """
        host = alts.province[self.n + zones]
        prob, share = self.stream_probabilities(values, alts, country, columns=host)  # only the hosts' are needed
        components = prob.shape[0] * prob.shape[1]
        prob, share = prob.reshape(components, zones.size), share[:, :, zones].reshape(components, zones.size)
        rates = np.repeat(self.stream_rates(), values.shape[0])[:, None] / values.shape[0]
        return rates * prob * share, share, prob

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

        Each zone's queue cost ``q_z`` solves ``ln D_z(q) = ln free_z`` (or is zero if demand is below the free slots
        at zero). The zones of one province share its entrants, so each round takes a Newton step for all the
        rationing zones at once, with the nested logit's derivatives summed over the streams and the productivity
        pool (components ``k``, each with its host's choice probability ``p_k`` and its zones' shares ``w_zk``):

            d ln D_z / d q_j = -delta_zj / s + sum_k D_zk w_jk (1 / s - (1 - p_k)) / D_z   (j in z's province)

        with ``s`` the zone choice's scale and ``D_zk`` the component's entrants taking zone z. A step for each zone
        alone would ignore that the others move too: two zones lowered together each gain less than either would
        alone, and the next step overshoots to a queue cost of zero and a flood of entrants who find no slot. Zones
        in other provinces act only through the province logit, which is left to the next round. The slope at the
        current costs says little beyond about one unit of utility (where a zone that takes all its province's
        entrants turns to taking few, it is nearly flat and Newton would leap past the turn), so a round moves a
        queue cost by at most :data:`QUEUE_STEP`, and a zone nobody would take at its cost (no slope at all) comes
        down by that much.
        """
        queue = self.queue_cost(values.shape[1] - self.n)  # closed zones keep theirs: a warm start when they reopen
        zones = np.flatnonzero(alts.open[self.n :])
        if not zones.size:
            return
        scale = self.params["zone_choice_scale"]
        host = alts.province[self.n + zones]
        first, second = np.nonzero(host[:, None] == host[None, :])  # pairs of open zones in one province
        for _ in range(rounds):
            taken, share, prob = self._takers(values, alts, country, zones)
            demand = taken.sum(axis=0)
            gap = np.log(np.maximum(demand, 1e-300)) - np.log(np.maximum(free[zones], 1e-12))
            q = queue[zones]
            binding = (q > 0) | (gap > 0)
            if np.all(~binding | (np.abs(gap) < tolerance)):
                return
            pull = share * (1.0 / scale - 1.0 + prob)
            slope = np.eye(zones.size) / scale  # minus d ln D / d q, for pairs of zones in one province
            with np.errstate(divide="ignore", invalid="ignore"):  # zones nobody takes have no slope (not used)
                slope[first, second] -= np.einsum("ki,ki->i", taken[:, first], pull[:, second]) / demand[first]
            b = np.flatnonzero(binding & (demand > 0))
            step = np.full(zones.size, -QUEUE_STEP)  # nobody would take the zone at its cost: no slope to follow
            if b.size:
                step[b] = solve(slope[np.ix_(b, b)], gap[b])
            queue[zones] = np.where(binding, np.maximum(q + np.clip(step, -QUEUE_STEP, QUEUE_STEP), 0.0), q)

    # ------------------------------------------------------------------ calibration (steady state)
    def calibrate(
        self,
        alts: Alternatives,
        sigma: float,
        country: np.ndarray,
        firms_per_province: np.ndarray,
        firms_per_zone: np.ndarray,
        steps_per_year: int,
        tolerance: float = 1e-9,
        max_iterations: int = 50,
    ) -> None:
        """Set stream rates and ``xi`` so that expected entry equals expected exit in every province.

        Newton's method on ``ln E_i(xi) = ln target_i`` with the analytic Jacobian of the logit
        ``d ln E_i / d xi_j = delta_ij - (1/E_i) sum_s sum_z Q_szi P_szj``, solved jointly with the zones' queue
        costs, which make each zone's expected entrants equal the slots that its exits free in a steady state.
        Where Newton does not converge from the start it is given, it starts again from there after Berry's
        contraction has brought ``xi`` near the solution (the contraction's docstring says why).

        Args:
            alts: the options at the calibrated equilibrium.
            sigma: the elasticity of substitution.
            country: the country of each province.
            firms_per_province: firm agents in each province (exits are the hazard times these).
            firms_per_zone: firm agents in each zone.
            steps_per_year: steps per year.
            tolerance: largest log gap accepted.
            max_iterations: Newton steps before giving up.

        Raises:
            ConvergenceError: when the expected entry cannot be matched.
        """
        p = self.params
        n = self.n
        n_countries = int(country.max()) + 1
        target = p["hazard"] / steps_per_year * np.asarray(firms_per_province, float)
        exits_by_country = np.bincount(country, target, minlength=n_countries)
        total = target.sum() / (1.0 - p["outside_share"])
        self.stream_country = np.concatenate([np.arange(n_countries), [-1]])
        self.stream_rate = np.concatenate(
            [
                (1.0 - p["foreign_share"]) * total * exits_by_country / max(target.sum(), 1e-300),
                [p["foreign_share"] * total],
            ]
        )
        n_zones = len(alts.province) - n
        if not target.any():  # no exits (hazard 0): a steady state needs no entrants
            self.stream_rate[:] = 0.0
            self.xi = np.full(n, -np.inf)
            self.queue = np.zeros(n_zones)
            return
        z = self.grid()
        # In the steady state a zone frees the slots of its exiting firms every step and refills them.
        zone_rows = np.flatnonzero(alts.zone >= 0)
        turnover = p["hazard"] / steps_per_year * np.asarray(firms_per_zone, float)
        steady = replace(alts, open=alts.open.copy(), choice_slots=alts.choice_slots.copy())
        steady.choice_slots[zone_rows] = turnover
        steady.open[zone_rows] = alts.open[zone_rows] | (turnover > 0)
        values = self.option_values(steady, z, sigma)
        ok = np.flatnonzero(target > 0)
        columns = [np.flatnonzero(country == c) if c >= 0 else np.arange(n) for c in self.stream_country]
        warm = len(self.xi) == n and np.all(np.isfinite(self.xi[ok]))  # recalibrating: start from the last solution
        self.queue = self.queue if warm and len(self.queue) == n_zones else np.zeros(n_zones)
        self.xi = np.where(target > 0, self.xi if warm else 0.0, -np.inf)
        weight = self.stream_rate[:, None, None] / len(z)
        free = steady.choice_slots[n:]
        host = steady.province[n:]
        scale = p["zone_choice_scale"]
        same = host[:, None] == host[None, :]

        def residual():
            while True:
                prob, share = self.stream_probabilities(values, steady, country)
                q = (weight * prob).reshape(-1, n)  # (stream, pool) x provinces, entrants per step
                w = share.reshape(prob.shape[0] * prob.shape[1], n_zones)
                expected = q.sum(axis=0)
                v = q[:, host] * w  # entrants taking each zone
                demand = v.sum(axis=0)
                priced_out = (self.queue > 0) & (demand <= 0)
                if not priced_out.any():
                    break
                # A queue cost that turns every investor away rations no one (and its log demand has no slope): a
                # start carried over from an earlier economy, or a step too far. Such zones start again from zero.
                self.queue[priced_out] = 0.0
            zones = np.flatnonzero((free > 0) & ((self.queue > 0) | (demand > free)))
            gap = np.concatenate(
                [
                    np.log(np.maximum(expected[ok], 1e-300) / target[ok]),
                    np.log(np.maximum(demand[zones], 1e-300) / free[zones]),
                ]
            )
            return gap, zones, (q, prob.reshape(-1, n), w, expected, v, demand)

        best = [np.inf, self.xi, self.queue]  # the smallest gap Newton reached, with its point

        def reached(error: float) -> float:
            if error < best[0]:
                best[:] = error, self.xi.copy(), self.queue.copy()
            return error

        def newton() -> float:
            """Newton steps from the current ``xi`` and queue costs; returns the largest log gap reached."""
            gap, zones, parts = residual()
            error = reached(float(np.max(np.abs(gap))))
            for _ in range(max_iterations):
                if error < tolerance:
                    return error
                q, pk, w, expected, v, demand = parts
                pw, vz = pk[:, host[zones]] * w[:, zones], v[:, zones]
                # Jacobian of (ln E, ln D) in (xi, queue): the logit's derivatives, with a zone's queue cost lowering
                # its host's inclusive value by its within-province share.
                with np.errstate(divide="ignore", invalid="ignore"):  # a province or zone nobody enters: no slope
                    gram = stream_products(q, pk, columns, (True, True))[np.ix_(ok, ok)]
                    a = np.eye(ok.size) - gram / expected[ok, None]
                    hosted = (np.arange(n)[ok, None] == host[zones][None, :]) * demand[zones][None, :]
                    b = -(hosted - stream_products(q, pw, columns, (True, False))[ok]) / expected[ok, None]
                    c = (hosted.T - stream_products(vz, pk, columns, (False, True))[:, ok]) / demand[zones, None]
                    vw = vz.T @ w[:, zones]
                    d = (
                        same[np.ix_(zones, zones)] * vw * (1.0 / scale - 1.0)
                        - np.diag(demand[zones]) / scale
                        + vz.T @ pw
                    ) / demand[zones, None]
                    jacobian = np.block([[a, b], [c, d]])
                if not np.isfinite(jacobian).all():
                    break
                try:
                    step = np.linalg.solve(jacobian, gap)
                except np.linalg.LinAlgError:
                    break  # a singular Jacobian: reported below with the gap reached
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
                gap, zones, parts, error = new_gap, new_zones, new_parts, reached(new_error)
            return error

        def contract(limit: float = CONTRACTION_GAP, ration: bool = False) -> bool:
            """Berry's contraction ``xi <- xi - ln(E / target)`` until no province's log gap exceeds ``limit``.

            Entry shares are a mixture of logits with an outside option, for which the mapping is a contraction
            (Berry 1994, RAND J. Econ. 25(2); Berry, Levinsohn & Pakes 1995, Econometrica 63(4)): it converges from
            any start, slowly, so it only brings Newton within reach. Returns whether it did: where a province's
            target exceeds every potential entrant able to profit there, its xi climbs for ever and the gap stays.

            Without ``ration`` the queue costs are set to zero first and stay there. With it, each round first
            clears the zones at that round's xi (:meth:`clear_zones`: the queue costs that hold each zone's expected
            entrants to its free slots), from the queue costs there are, until no rationing zone's gap exceeds
            ``limit`` either. Where zones are far better than the rest of their provinces (large zone bonuses,
            near-deterministic choices between a zone and the outside option), their queue costs are far from zero,
            xi contracted with the queues at zero is far from its solution too, and Newton does not get there from
            it; rationing as it goes, the contraction does.
            """
            if not ration:
                self.queue = np.zeros(n_zones)
            for _ in range(CONTRACTION_ROUNDS):
                if ration:
                    self.clear_zones(values, steady, country, free, rounds=RATION_ROUNDS, tolerance=limit / 10)
                gap = residual()[0]
                if np.max(np.abs(gap if ration else gap[: ok.size])) < limit:
                    return True
                self.xi[ok] -= gap[: ok.size]
            return False

        start = self.xi.copy()
        error = newton()
        if not error < STAGNATION_TOLERANCE:  # NaN included
            # Far from the solution the Jacobian can be nearly singular (a common shift of xi barely moves entry
            # while hardly anyone stays out) and the damped steps stall: contract from the start, then Newton again.
            self.xi = start.copy()
            if contract():
                error = newton()
        if not error < STAGNATION_TOLERANCE and not best[0] < STALLED_GAP:
            # Zones that must ration hard: contract with their queue costs cleared at every round, from the start,
            # then each time closer from where Newton stopped, until Newton finishes (or the contraction cannot).
            self.xi, self.queue = start.copy(), np.zeros(n_zones)
            for limit in RATION_GAPS:
                contracted = contract(limit, ration=True)
                error = newton()
                if error < STAGNATION_TOLERANCE or best[0] < STALLED_GAP or not contracted:
                    break
        if error < STAGNATION_TOLERANCE:
            return  # converged, or Newton has stalled at rounding level: as good as the arithmetic allows
        if best[0] < STALLED_GAP:
            _, self.xi, self.queue = best  # Newton cycled (STALLED_GAP says where) after coming this close
            return
        zone_defaults = ("sez.duty_bonus", "sez.customs_access", "sez.infrastructure_factor") if n_zones else ()
        raise ConvergenceError(
            f"entry calibration did not converge (largest log gap {error:.3g})",
            ("firms.entry_logit_scale", "firms.outside_share", "firms.foreign_share", "firms.zone_choice_scale")
            + zone_defaults,
        )

    def entrant_draws(
        self, alts: Alternatives, sigma: float, country: np.ndarray, option: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw, for firms in the given options, a productivity and ownership from the entrants who take that option.

        Used to build the steady-state stock: entry and exit sustain, at each location, the distribution of the
        entrants who choose it.

        Args:
            alts: the options.
            sigma: the elasticity of substitution.
            country: the country of each province.
            option: each firm's option (its province outside zones, or ``n + zone``).
            rng: the initialisation stream.

        Returns:
            ``(z, foreign)``: a productivity from the grid and whether the entrant is foreign, per firm.
        """
        n = self.n
        z = self.grid()
        prob, share = self.stream_probabilities(self.option_values(alts, z, sigma), alts, country)
        host = alts.province[n:]
        arrivals = prob * self.stream_rates()[:, None, None]  # streams x pool x provinces
        inside = arrivals[:, :, host] * share  # ... who take each zone
        outside = arrivals.copy()
        np.subtract.at(outside, (slice(None), slice(None), host), inside)
        weight = np.concatenate([outside, inside], axis=2).reshape(-1, n + len(host))  # (stream, pool) x options
        cdf = np.cumsum(np.maximum(weight.T, 0.0), axis=1)  # options x (stream, pool): each option's in a row
        u = rng.random(len(option))
        pick = np.zeros(len(option), dtype=np.int64)
        order = np.argsort(option, kind="stable")  # each option's firms in one slice, not a pass per option
        options, starts = np.unique(option[order], return_index=True)
        for o, start, end in zip(options, starts, [*starts[1:], len(order)], strict=True):
            rows = order[start:end]
            pick[rows] = np.searchsorted(cdf[o], u[rows] * cdf[o, -1], side="right")
        stream, pool = np.divmod(np.minimum(pick, cdf.shape[1] - 1), len(z))
        return z[pool], self.stream_country[stream] < 0
