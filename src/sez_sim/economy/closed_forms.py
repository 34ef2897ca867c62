"""Closed-form results of the textbook models the engine nests (docs/ODD.md 7.7).

Core-periphery (Krugman 1991; Fujita, Krugman & Venables 1999, ch. 5) and footloose capital (Martin & Rogers
1995; Baldwin et al. 2003, ch. 3). Used by the validation tests and the docs; the engine never calls them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq


def _check_cp(sigma: float, mu: float) -> float:
    rho = (sigma - 1.0) / sigma
    if not 0 < mu < rho:
        raise ValueError(f"the no-black-hole condition mu < (sigma-1)/sigma fails: mu={mu}, sigma={sigma}")
    return rho


def break_point(sigma: float, mu: float) -> float:
    """Freeness at which the symmetric core-periphery equilibrium turns unstable.

    ``phi_B = [(rho - mu) / (rho + mu)] * [(1 - mu) / (1 + mu)]`` with ``rho = (sigma - 1) / sigma``.
    """
    rho = _check_cp(sigma, mu)
    return (rho - mu) / (rho + mu) * (1.0 - mu) / (1.0 + mu)


def sustain_point(sigma: float, mu: float) -> float:
    """Freeness above which full agglomeration is sustainable.

    The root in (0, 1) of ``phi^(mu sigma/(sigma-1)) [(1 + mu) phi / 2 + (1 - mu) / (2 phi)] = 1``
    (the relative real wage of a worker in the empty region).
    """
    _check_cp(sigma, mu)

    def f(phi: float) -> float:
        return phi ** (mu * sigma / (sigma - 1.0)) * ((1 + mu) * phi / 2 + (1 - mu) / (2 * phi)) - 1.0

    # f is negative just above the sustain point and below 1; it tends to +inf as phi -> 0.
    return brentq(f, 1e-12, 1.0 - 1e-12, xtol=1e-14)


def home_market_share(s_e: float, phi: float) -> float:
    """Footloose capital: region 1's share of firms when profits are equal (clamped to [0, 1]).

    ``s_n = 1/2 + [(1 + phi) / (1 - phi)] (s_E - 1/2)``.
    """
    return float(np.clip(0.5 + (1 + phi) / (1 - phi) * (s_e - 0.5), 0.0, 1.0))


def source_subsidy_share(theta: float, phi: float) -> float:
    """Footloose capital with a source subsidy: region 1's firm share at ``s_E = 1/2`` (clamped to [0, 1]).

    ``theta`` multiplies the net return to capital in region 1:
    ``s_n = [theta (1 + phi^2) - 2 phi] / [(1 + theta) (1 - phi)^2]``.
    """
    return float(np.clip((theta * (1 + phi**2) - 2 * phi) / ((1 + theta) * (1 - phi) ** 2), 0.0, 1.0))


def full_relocation_subsidy(phi: float) -> float:
    """The source subsidy at which all capital moves to region 1: ``theta = (1 + phi^2) / (2 phi)``."""
    return (1 + phi**2) / (2 * phi)
