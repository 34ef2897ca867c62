"""Closed-form results of the textbook models the engine nests (docs/ODD.md 7.7).

Core-periphery (Krugman 1991; Fujita, Krugman & Venables 1999, ch. 5) and its racetrack of many regions (FKV
ch. 6), and footloose capital (Martin & Rogers 1995; Baldwin et al. 2003, ch. 3). Used by the validation tests and
the docs; the engine never calls them.
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


def break_z(sigma: float, mu: float) -> float:
    """The break point in the normalised trade cost ``Z = (1 - phi) / (1 + phi)``.

    ``Z_B = mu (1 + rho) / (mu^2 + rho)``: the even spread is unstable where Z is below it (FKV ch. 5: at symmetry,
    d omega / d lambda has the sign of ``mu (1 + rho) - Z (mu^2 + rho)``); ``phi_B = (1 - Z_B) / (1 + Z_B)``.
    """
    rho = _check_cp(sigma, mu)
    return mu * (1.0 + rho) / (mu**2 + rho)


def racetrack_modes(phi: np.ndarray) -> np.ndarray:
    """The normalised trade costs ``Z_nu`` of the racetrack's Fourier modes, nu = 1 .. R // 2.

    ``Z_nu = sum_k phi_0k cos(2 pi nu k / R) / sum_k phi_0k`` over the freeness from one region of a ring of R to
    the others (every region's row is the same, turned). Linearised at the even spread, the racetrack's dynamics
    fall apart into these modes, each behaving as the two-region model with ``Z_nu`` for Z (FKV ch. 6): a pattern
    of nu equally spaced agglomerations grows where ``Z_nu < Z_B``. Two regions have the one mode
    ``Z_1 = (1 - phi) / (1 + phi)``.

    Args:
        phi: the freeness matrix (R x R) of a ring, or its first row.
    """
    row = np.atleast_2d(np.asarray(phi, float))[0]
    k = np.arange(len(row))
    nu = np.arange(1, len(row) // 2 + 1)
    return np.cos(2 * np.pi * np.outer(nu, k) / len(row)) @ row / row.sum()


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
