"""Known answers: the solver reproduces the textbook NEG models across ranges of parameters (docs/ODD.md, pattern 1).

Grids: sigma in [3, 8], mu in [0.2, 0.6] with mu < rho, phi in (0, 1), s_E in (0.5, 1).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq, fsolve

from sez_sim.economy import solve
from sez_sim.economy.closed_forms import (
    break_point,
    full_relocation_subsidy,
    home_market_share,
    source_subsidy_share,
    sustain_point,
)
from sez_sim.economy.presets import core_periphery, footloose_capital
from sez_sim.geography import two_region
from sez_sim.runs import run_scenario

SIGMAS = [3.0, 4.0, 5.0, 6.5, 8.0]
MUS = [0.2, 0.3, 0.4, 0.5, 0.6]
CP_GRID = [(s, m) for s, m in itertools.product(SIGMAS, MUS) if m < (s - 1) / s - 0.02]


def cp_solution(sigma, mu, phi, lam):
    market, labour = core_periphery(two_region(phi), sigma, mu, [lam, 1 - lam])
    return solve(market, labour, None)


def omega_gap(sigma, mu, phi, lam):
    eq = cp_solution(sigma, mu, phi, lam)
    return eq.real_wage[0] - eq.real_wage[1]


# ------------------------------------------------------------------ the two-region equations themselves
def fkv_wages(sigma, mu, phi, lam):
    """FKV (1999) eqs. 5.1-5.3 in their normalisation, solved independently with scipy."""

    def residual(w):
        w1, w2 = w
        y1, y2 = mu * lam * w1 + (1 - mu) / 2, mu * (1 - lam) * w2 + (1 - mu) / 2
        g1 = (lam * w1 ** (1 - sigma) + (1 - lam) * phi * w2 ** (1 - sigma)) ** (1 / (1 - sigma))
        g2 = (lam * phi * w1 ** (1 - sigma) + (1 - lam) * w2 ** (1 - sigma)) ** (1 / (1 - sigma))
        return [
            (y1 * g1 ** (sigma - 1) + phi * y2 * g2 ** (sigma - 1)) ** (1 / sigma) - w1,
            (phi * y1 * g1 ** (sigma - 1) + y2 * g2 ** (sigma - 1)) ** (1 / sigma) - w2,
        ]

    w = fsolve(residual, [1.0, 1.0], xtol=1e-12)
    g = [
        (lam * w[0] ** (1 - sigma) + (1 - lam) * phi * w[1] ** (1 - sigma)) ** (1 / (1 - sigma)),
        (lam * phi * w[0] ** (1 - sigma) + (1 - lam) * w[1] ** (1 - sigma)) ** (1 / (1 - sigma)),
    ]
    return np.array(w), np.array(g)


@pytest.mark.parametrize(("sigma", "mu"), CP_GRID)
def test_two_region_solution_satisfies_the_analytic_wage_and_price_equations(sigma, mu):
    for phi, lam in itertools.product([0.05, 0.2, 0.5, 0.85], [0.3, 0.5, 0.62, 0.9]):
        eq = cp_solution(sigma, mu, phi, lam)
        w, G = eq.wage, eq.price_index
        # Our own equations, written out for two regions (normalisation-free ratios).
        L = np.array([lam, 1 - lam])
        y = eq.expenditure / mu
        np.testing.assert_allclose(y, w * L + (1 - mu) / mu / 2, rtol=1e-9)
        ratio_g = (L[0] * w[0] ** (1 - sigma) + phi * L[1] * w[1] ** (1 - sigma)) / (
            phi * L[0] * w[0] ** (1 - sigma) + L[1] * w[1] ** (1 - sigma)
        )
        assert (G[0] / G[1]) ** (1 - sigma) == pytest.approx(ratio_g, rel=1e-9)
        ratio_w = (y[0] * G[0] ** (sigma - 1) + phi * y[1] * G[1] ** (sigma - 1)) / (
            phi * y[0] * G[0] ** (sigma - 1) + y[1] * G[1] ** (sigma - 1)
        )
        assert (w[0] / w[1]) ** sigma == pytest.approx(ratio_w, rel=1e-9)
        # And FKV's normalised system, solved independently: same wages, same relative real wage.
        w_fkv, g_fkv = fkv_wages(sigma, mu, phi, lam)
        np.testing.assert_allclose(w, w_fkv, rtol=1e-7)
        omega_fkv = w_fkv / g_fkv**mu
        assert eq.real_wage[0] / eq.real_wage[1] == pytest.approx(omega_fkv[0] / omega_fkv[1], rel=1e-7)


@pytest.mark.parametrize(("freeness", "shares"), [(0.08, [0.55, 0.45]), (0.2, [0.7, 0.3]), (0.5, [0.4, 0.6])])
def test_the_runs_real_wages_are_fkvs_relative_real_wage_at_its_workers_split(freeness, shares):
    """The core-periphery scenario with agents: at every step the province panel's real wages (``real_wage_m``)
    stand in FKV's ratio omega_1 / omega_2 for the split of mobile workers the panel records."""
    scenario = Path(__file__).resolve().parent.parent / "scenarios/textbook/core_periphery.yaml"
    changes = {"geography.synthetic.freeness": freeness, "initial.shares": shares}
    panel = run_scenario(scenario, overrides=changes, years=2).provinces
    for step in (0, panel["step"].max()):
        rows = panel[panel["step"] == step]
        workers, real = rows["workers_m"].to_numpy(), rows["real_wage_m"].to_numpy()
        w, g = fkv_wages(5.0, 0.4, freeness, workers[0] / workers.sum())
        omega = w / g**0.4
        assert real[0] / real[1] == pytest.approx(omega[0] / omega[1], rel=1e-6), step


# --------------------------------------------------------------------------------- break and sustain
def slope_at_symmetry(phi, sigma, mu, h=1e-4):
    return (omega_gap(sigma, mu, phi, 0.5 + h) - omega_gap(sigma, mu, phi, 0.5 - h)) / (2 * h)


@pytest.mark.parametrize(("sigma", "mu"), CP_GRID)
def test_break_point_sign_of_slope_flips_at_phi_b(sigma, mu):
    phi_b = break_point(sigma, mu)
    assert slope_at_symmetry(phi_b * 0.97, sigma, mu) < 0 < slope_at_symmetry(phi_b * 1.03, sigma, mu)
    found = brentq(slope_at_symmetry, phi_b * 0.8, min(phi_b * 1.2, 0.999), args=(sigma, mu), xtol=1e-10)
    assert found == pytest.approx(phi_b, rel=2e-4)


def relative_real_wage_of_empty_region(phi, sigma, mu):
    eq = cp_solution(sigma, mu, phi, 1.0)
    return eq.real_wage[1] / eq.real_wage[0] - 1.0


@pytest.mark.parametrize(("sigma", "mu"), CP_GRID)
def test_sustain_point_relative_real_wage_crosses_one_at_phi_s(sigma, mu):
    phi_s = sustain_point(sigma, mu)
    assert phi_s < break_point(sigma, mu)
    assert relative_real_wage_of_empty_region(phi_s * 0.98, sigma, mu) > 0
    assert relative_real_wage_of_empty_region(phi_s * 1.02, sigma, mu) < 0
    found = brentq(relative_real_wage_of_empty_region, phi_s * 0.9, phi_s * 1.1, args=(sigma, mu))
    assert found == pytest.approx(phi_s, rel=1e-8)


def test_textbook_example_values():
    assert break_point(5, 0.4) == pytest.approx(1 / 7)
    assert sustain_point(5, 0.4) == pytest.approx(0.093727, abs=5e-7)
    assert home_market_share(0.55, 0.3) == pytest.approx(0.592857, abs=5e-7)


# --------------------------------------------------------------------------- footloose capital
FC_GRID = list(itertools.product([3.0, 5.0, 8.0], [0.2, 0.4]))


def fc_profit_gap(s_n, sigma, mu, phi, s_e, theta=1.0):
    geo = two_region(phi, population_shares=(s_e, 1 - s_e))
    market, labour, firms = footloose_capital(geo, sigma, mu, [s_n, 1 - s_n], tax=[1 - theta, 0.0])
    eq = solve(market, labour, firms)
    assert np.all(eq.employment_a > 0)  # the traditional sector stays in both regions (the FC assumption)
    net = np.bincount(firms.province, eq.firm_net_profit) / np.bincount(firms.province, firms.efficiency)
    return net[0] - net[1]


@pytest.mark.parametrize(("sigma", "mu"), FC_GRID)
def test_home_market_effect_share_equalises_profits(sigma, mu):
    for phi, s_e in itertools.product([0.1, 0.3, 0.5, 0.7], [0.52, 0.55, 0.6, 0.7]):
        expected = home_market_share(s_e, phi)
        if expected < 1:
            found = brentq(fc_profit_gap, 0.3, 0.999999, args=(sigma, mu, phi, s_e), xtol=1e-12)
            assert found == pytest.approx(expected, abs=1e-7), (phi, s_e)
        else:
            assert fc_profit_gap(0.999999, sigma, mu, phi, s_e) > 0  # full agglomeration: the core pays more


@pytest.mark.parametrize(("sigma", "mu"), FC_GRID)
def test_home_market_effect_source_subsidy(sigma, mu):
    for phi in [0.2, 0.4, 0.6]:
        theta_full = full_relocation_subsidy(phi)
        for theta in np.linspace(1.0, theta_full, 5)[:-1]:
            expected = source_subsidy_share(theta, phi)
            found = brentq(fc_profit_gap, 0.3, 0.999999, args=(sigma, mu, phi, 0.5, theta), xtol=1e-12)
            assert found == pytest.approx(expected, abs=1e-7), (phi, theta)
        # At theta = (1 + phi^2) / (2 phi) all capital moves: profits are equal with every firm in region 1.
        assert source_subsidy_share(theta_full, phi) == pytest.approx(1.0)
        assert fc_profit_gap(1.0 - 1e-9, sigma, mu, phi, 0.5, theta_full) == pytest.approx(0.0, abs=1e-6)
        assert fc_profit_gap(1.0 - 1e-9, sigma, mu, phi, 0.5, theta_full * 1.05) > 0
