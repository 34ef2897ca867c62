"""Textbook presets as configurations of the one solver (docs/ODD.md 7.7).

- **core_periphery** (Krugman 1991; FKV 1999 ch. 5): mobile workers work only in the modern sector, immobile
  farmers (wage 1) only in the traditional one; firms enter freely, so they follow the workers. Built as
  ``dual=False`` (no traditional fallback for workers) and free entry with ``F = mu / sigma`` (FKV's
  normalisation; results do not depend on it).
- **footloose_capital** (Martin & Rogers 1995; Baldwin et al. 2003 ch. 3): workers are immobile and earn 1 in
  the traditional sector, which is present everywhere; each firm uses one unit of capital and no fixed labour;
  capital owners are immobile and spend at home, so a region's expenditure share is its population share.

Both use the two-region geography by default, where the freeness phi is given directly; neither has a
rest of the world.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sez_sim.economy.equilibrium import FirmBlock, Labour, Market
from sez_sim.geography import Geography

PRESETS = ("gms", "core_periphery", "footloose_capital")

CHANNELS = {
    "entry": "entrants choosing where to invest (zones fill, and approvals, promotion and FDI inflows act, only "
    "through them)",
    "wage_floor": "modern wage floor above a traditional sector",
    "world": "world market",
    "migration": "migration (its workers stay where they live)",
    "moving_costs": "moving costs (its workers move towards higher real wages by the gain, which a quota can cap "
    "but no barrier enters)",
}
"""What a policy instrument can act through that a preset may lack; every preset has trade costs and profits."""

PRESET_CHANNELS = {
    "gms": frozenset(CHANNELS),
    "core_periphery": frozenset({"migration"}),
    "footloose_capital": frozenset(),
}
"""The channels each preset has: the textbook models' firms neither enter nor pay a minimum wage, nor sell abroad."""


def textbook_market(geo: Geography, sigma: float, mu: float, kappa: float, *, free_entry: bool) -> Market:
    """The market of a textbook preset on ``geo``: no world, no minimum wage, unit TFP and traditional wage.

    The freeness is the geography's: given directly on two regions, ``exp(-kappa (sigma - 1) d_ij)`` over the
    distances of any other, as the model recomputes it when a policy changes a link or a crossing.
    """
    n = geo.n
    return Market(
        sigma=sigma,
        mu=mu,
        phi=geo.freeness(sigma, kappa),
        phi_world=np.zeros(n),
        world_demand=0.0,
        world_supply=0.0,
        country=geo.countries(),
        traditional_wage=np.ones(n),
        minimum_wage=np.zeros(n),
        tfp=np.ones(n),
        dual=not free_entry,
        free_entry_fixed_labour=mu / sigma if free_entry else None,
    )


def core_periphery(
    geo: Geography,
    sigma: float,
    mu: float,
    worker_shares: Sequence[float],
    workers: float = 1.0,
    kappa: float = 0.0,
) -> tuple[Market, Labour]:
    """Core-periphery: ``workers`` mobile workers split by ``worker_shares``; farmers ``workers (1-mu)/mu``.

    Farmers are split like the population of ``geo`` (evenly in the textbook case), so mobile workers are a
    share ``mu`` of all people, as in FKV. ``kappa`` is the trade cost per km on a geography that does not give the
    freeness directly.
    """
    shares = np.asarray(worker_shares, float)
    pop = geo.provinces["population"].to_numpy(float)
    farmers = workers * (1.0 - mu) / mu * pop / pop.sum()
    return textbook_market(geo, sigma, mu, kappa, free_entry=True), Labour(workers=workers * shares, farmers=farmers)


def footloose_capital(
    geo: Geography,
    sigma: float,
    mu: float,
    firm_shares: Sequence[float],
    owner_shares: Sequence[float] | None = None,
    tax: Sequence[float] | None = None,
    workers: float = 1.0,
    kappa: float = 0.0,
) -> tuple[Market, Labour, FirmBlock]:
    """Footloose capital with firm mass split by ``firm_shares`` and owned by ``owner_shares``.

    Args:
        geo: the geography (its population shares are the immobile workers' split).
        sigma: elasticity of substitution.
        mu: expenditure share of modern goods.
        firm_shares: share of capital (firms) producing in each region.
        owner_shares: share of capital owned by each region's residents (default: the population shares, which
            makes the expenditure share s_E equal the population share).
        tax: profit tax per region (negative = subsidy; the net return multiplier is ``1 - tax``).
        workers: total (immobile) workers.
        kappa: trade cost per km, on a geography that does not give the freeness directly.

    Returns:
        The market, labour and a firm block with one entry per (location, owner) group; a group's efficiency is
        its mass, so profit per firm is ``firm_profit / efficiency``.
    """
    n = geo.n
    pop = geo.provinces["population"].to_numpy(float)
    pop_share = pop / pop.sum()
    owners = np.asarray(owner_shares if owner_shares is not None else pop_share, float)
    firm_share = np.asarray(firm_shares, float)
    tax_rate = np.zeros(n) if tax is None else np.asarray(tax, float)
    # Capital (firm mass) large enough to matter but small enough that labour demand stays below the labour
    # force in every region at full agglomeration (the traditional sector never disappears).
    location = np.repeat(np.arange(n), n)
    owner = np.tile(np.arange(n), n)
    mass = firm_share[location] * owners[owner]
    firms = FirmBlock(
        province=location,
        efficiency=mass,
        world_access=np.ones(n * n),
        fixed_labour=np.zeros(n * n),
        tax=tax_rate[location],
        owner=owner,
    )
    return textbook_market(geo, sigma, mu, kappa, free_entry=False), Labour(workers * pop_share, np.zeros(n)), firms
