"""The GMS economy: calibration round trip, solver behaviour, parameter registry."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sez_sim.cli import app
from sez_sim.economy import solve
from sez_sim.economy.calibration import (
    InitialFirms,
    allocate,
    calibrate,
    modern_shares,
    pareto,
    relative_modern,
    wages_from_gdp,
)
from sez_sim.economy.equilibrium import MAX_LEAP_RATIO, Anderson, solve_aggregates
from sez_sim.errors import ConvergenceError
from sez_sim.geography import load_gms, random_planar
from sez_sim.params import defaults, registry


def _calibrate(geo, capital_share=0.0, **econ_overrides):
    econ = defaults()["economy"] | econ_overrides
    rng = np.random.default_rng(7)
    return calibrate(
        geo,
        econ,
        n_firms=max(20 * geo.n, 3000),
        min_firms=10,
        allocation_elasticity=0.5,
        foreign_share=0.3,
        productivity=lambda p: pareto(rng, 10.0, len(p)),
        rng=rng,
        capital_share=capital_share,
    )


@pytest.fixture(scope="module")
def gms_cal():
    return _calibrate(load_gms())


def test_calibration_round_trip_reproduces_the_data(gms_cal):
    """Invert the GMS data, solve forward from scratch, recover the data."""
    cal = gms_cal
    cold = solve(cal.market, cal.labour, cal.block)  # no warm start
    np.testing.assert_allclose(cold.gdp / cal.labour.population, cal.gdp_per_capita, rtol=1e-8)
    np.testing.assert_allclose(cal.labour.population, cal.population)
    geo = load_gms()
    np.testing.assert_allclose(cal.gdp_per_capita, geo.provinces["gdp_per_capita"])
    np.testing.assert_allclose(cold.employment_m / cal.population, cal.modern_share, rtol=1e-8)
    np.testing.assert_allclose(cold.exports_world.sum() / cold.revenue.sum(), 0.30, rtol=1e-8)
    # Every province sits on its wage floor at t = 0 (labour demand below the labour force).
    np.testing.assert_allclose(cold.wage, cal.market.wage_floor, rtol=1e-10)
    assert np.all(cold.employment_m < cal.labour.workers)


@pytest.mark.parametrize(
    "overrides",
    [
        {"sigma": 3.5, "mu": 0.3},
        {"sigma": 8.0, "mu": 0.55, "kappa": 1e-3},
        {"export_share": 0.0},
        {"trade_balance": -0.1, "modern_share_elasticity": 0.3, "fixed_labour_share": 0.25},
        {"modern_wage_premium": 1.0, "trade_balance": 0.2},
        {"capital_share": 0.4, "sigma": 3.5, "fixed_labour_share": 0.2},
        {"capital_share": 0.6, "trade_balance": -0.1},
    ],
)
def test_calibration_round_trip_across_parameters(overrides):
    geo = random_planar(80, seed=2, countries=3)
    cal = _calibrate(geo, **overrides)
    eq = solve(cal.market, cal.labour, cal.block)
    np.testing.assert_allclose(eq.gdp / cal.population, cal.gdp_per_capita, rtol=1e-8)


CYCLING_LEVEL = {
    "crossing_cost_km": 1447.3868388826788,
    "export_share": 0.3758670085964204,
    "fixed_labour_share": 0.026303377528441745,
    "kappa": 2.941867688021533e-05,
    "modern_share_elasticity": 0.4457228079356009,
    "modern_wage_premium": 2.880168162179096,
    "mu": 0.8137773524827229,
    "sea_cost_km": 9180.7292674026,
    "sigma": 8.732087843391415,
    "trade_balance": 0.056998010741149185,
    "traditional_floor": 0.2447487384164554,
}
"""The economy parameters of draw 25 of the robustness design of ``experiments/claims/promotion_raises_zone_jobs.yaml``:
most spending on modern goods, a high modern wage premium, hardly any trade costs."""


def test_calibration_moves_the_level_by_less_where_the_full_step_cycles():
    """Spending responds so strongly to the modern sector's level that moving the level by the full closure ratio
    overshoots: it cycled for 10,000 iterations (gap 0.42) and the draw built no model. After a stall the level moves
    by a smaller power of the ratio (``LEVEL_STEPS``), and the calibration reproduces the data."""
    cal = _calibrate(load_gms(), **CYCLING_LEVEL)
    assert cal.gap < 1e-9
    eq = solve(cal.market, cal.labour, cal.block)
    np.testing.assert_allclose(eq.gdp / cal.population, cal.gdp_per_capita, rtol=1e-8)


@pytest.mark.parametrize("overrides", [{}, {"sigma": 3.5, "mu": 0.3}, {"export_share": 0.0}, {"trade_balance": -0.1}])
def test_a_warm_calibration_reaches_the_cold_one_in_fewer_iterations(overrides):
    """Recalibrating around a partly redrawn stock from the last calibration (as the steady-state rounds do) finds
    the fixed point a calibration from equal market access finds, in fewer iterations."""
    geo = random_planar(60, seed=4, countries=3)
    econ = defaults()["economy"] | overrides
    first = _calibrate(geo, **overrides)
    rng = np.random.default_rng(11)
    z = first.firms.productivity.copy()
    redrawn = rng.random(len(z)) < 0.3
    z[redrawn] = pareto(rng, 10.0, int(redrawn.sum()))
    stock = InitialFirms(first.firms.province, z, first.firms.owner, first.firms.fixed_labour)

    def around(warm):
        return calibrate(
            geo, econ, n_firms=0, min_firms=0, allocation_elasticity=0.0, foreign_share=0.0,
            productivity=lambda p: p, rng=rng, stock=stock, warm=warm,
        )  # fmt: skip

    cold, warm = around(None), around(first)
    assert warm.iterations < cold.iterations
    for cal in (cold, warm):
        eq = solve(cal.market, cal.labour, cal.block)
        np.testing.assert_allclose(eq.gdp / cal.population, cal.gdp_per_capita, rtol=1e-8)
    np.testing.assert_allclose(warm.market.tfp, cold.market.tfp, rtol=1e-8)
    assert warm.level == pytest.approx(cold.level, rel=1e-8)


def unit_means(values: np.ndarray, code: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.bincount(code, weights=values * weights) / np.bincount(code, weights=weights)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    units=st.integers(1, 6),
    elasticity=st.floats(0.0, 2.0),
    weight=st.floats(0.0, 1.0),
)
def test_the_modern_spread_follows_income_within_units_and_the_survey_across_them(seed, units, elasticity, weight):
    rng = np.random.default_rng(seed)
    n = 40
    y = rng.lognormal(8.0, 0.8, n)
    pop = rng.uniform(1e4, 5e6, n)
    code = np.r_[np.arange(units), rng.integers(0, units, n - units)]
    survey = rng.uniform(0.05, 0.35, units)[code]
    income = relative_modern(y, pop, elasticity)
    mean = np.sum(y * pop) / np.sum(pop)
    np.testing.assert_allclose(income, (y / mean) ** elasticity, rtol=1e-12)
    spread = relative_modern(y, pop, elasticity, code.astype(str), survey, weight)
    # Within a unit the ratio to the GMS-wide rule is one number: the gradient by income is untouched.
    ratio = spread / income
    np.testing.assert_allclose(ratio, unit_means(ratio, code, np.ones(n))[code], rtol=1e-10)
    # Across units the means are the survey's to the power w times the income rule's to the power 1 - w.
    by_income = unit_means(income, code, pop)
    wanted = unit_means(survey, code, pop) ** weight * by_income ** (1 - weight)
    got = unit_means(spread, code, pop)
    np.testing.assert_allclose(got / wanted, (got / wanted)[0], rtol=1e-10)
    if weight in (0.0, 1.0):  # on the income rule's scale: the same population-weighted mean
        assert np.sum(spread * pop) == pytest.approx(np.sum(income * pop), rel=1e-10)
    np.testing.assert_array_equal(relative_modern(y, pop, elasticity, code.astype(str), survey, 0.0), income)


def test_the_gms_calibration_gives_each_country_its_surveys_industrial_level():
    """Countries' modern shares stand to each other as their surveys' industry shares (up to the minimum wage's cap
    and the clipping of the poorest and richest provinces), and not as their incomes."""
    geo = load_gms()
    p = geo.provinces
    people = p.groupby("unit")["population"].sum()
    survey = p.groupby("unit")["industry_employment_share"].first()
    for weight, follows in ((1.0, survey), (0.0, None)):
        cal = _calibrate(geo, modern_share_survey_weight=weight)
        modern = (cal.modern_share * p["population"]).groupby(p["unit"]).sum() / people
        if follows is not None:
            relative = (modern / modern["THA"]) / (follows / follows["THA"])
            assert relative.between(0.8, 1.25).all(), relative.to_dict()
        else:  # one rule by income: richer units have larger modern sectors
            income = (p["gdp_usd_m"].groupby(p["unit"]).sum() * 1e6 / people).sort_values()
            assert modern[income.index[-1]] > 2 * modern[income.index[0]]
    assert survey["KHM"] > survey["THA"] > survey["LAO"]  # what makes the two settings differ


def test_wage_inversion_identity():
    rng = np.random.default_rng(0)
    y = rng.uniform(500, 40000, 200)
    m = modern_shares(relative_modern(y, np.ones(200), 0.8), 0.25)
    mw = rng.choice([0.0, 800.0, 1500.0], 200)
    a, w, m2 = wages_from_gdp(y, m, mw, 5.0, 0.1, 0.3, 2.0)
    k = 5.0 / 4.0 * 0.9
    np.testing.assert_allclose(k * w * m2 + a * (1 - m2), y, rtol=1e-12)
    assert np.all(w >= mw) and np.all(w >= a) and np.all(a >= 0.3 * y - 1e-9) and np.all(m2 <= m)


def test_allocate_is_exact_and_respects_minimum():
    out = allocate(1000, np.array([5.0, 1.0, 0.0, 3.0]), 10)
    assert out.sum() == 1000 and out.min() >= 10
    assert out[0] > out[3] > out[1] >= out[2]


def test_warm_start_converges_faster_after_a_shock(gms_cal):
    cal = gms_cal
    shocked = cal.labour.workers * np.random.default_rng(3).uniform(0.98, 1.02, len(cal.labour.workers))
    labour = type(cal.labour)(workers=shocked, farmers=cal.labour.farmers)
    cold = solve(cal.market, labour, cal.block)
    warm = solve(cal.market, labour, cal.block, cal.equilibrium)
    assert warm.iterations < cold.iterations
    np.testing.assert_allclose(warm.gdp, cold.gdp, rtol=1e-8)


@pytest.mark.parametrize("shock", [0.0, 0.02, 0.1])
@pytest.mark.parametrize("warm", [False, True])
def test_the_calibrations_totals_are_the_full_solutions(gms_cal, shock, warm):
    """solve_aggregates gives the calibration exactly what solve's equilibrium holds, cold or warm-started."""
    cal = gms_cal
    scale = np.random.default_rng(5).uniform(1.0 - shock, 1.0 + shock, len(cal.labour.workers))
    labour = type(cal.labour)(workers=cal.labour.workers * scale, farmers=cal.labour.farmers)
    guess = cal.equilibrium if warm else None
    totals, full = solve_aggregates(cal.market, labour, cal.block, guess), solve(cal.market, labour, cal.block, guess)
    for name in ("wage", "traditional_wage", "expenditure", "revenue", "exports_world", "imports_world"):
        np.testing.assert_array_equal(getattr(totals, name), getattr(full, name), err_msg=name)
    assert solve(cal.market, labour, cal.block, totals).iterations <= 2  # a warm start as good as the solution


def test_non_convergence_raises_a_clear_error(gms_cal):
    market = dataclasses.replace(gms_cal.market, max_iterations=2, tolerance=1e-14)
    labour = type(gms_cal.labour)(workers=gms_cal.labour.workers * 1.3, farmers=gms_cal.labour.farmers)
    with pytest.raises(ConvergenceError, match=r"did not converge in 2 iterations.*provinces"):
        solve(market, labour, gms_cal.block)


def anderson_iterations(g, x: np.ndarray, limit: int = 200) -> tuple[int, np.ndarray]:
    """Iterations of Anderson-accelerated ``x = g(x)`` to a gap of 1e-10, and where it ended."""
    mixer = Anderson(memory=5, max_leap_ratio=MAX_LEAP_RATIO)  # as the short-run solver has it
    for iteration in range(1, limit + 1):  # noqa: B007 (returned)
        image = g(x)
        if np.max(np.abs(image - x)) < 1e-10:
            break
        step = mixer.next(x, image)
        assert np.isfinite(step).all()
        assert np.max(np.abs(step - image)) <= MAX_LEAP_RATIO * np.max(np.abs(image - x)) + 1e-12
        x = step
    return iteration, x


@pytest.mark.parametrize("factor", [0.6, 0.85, 0.95])
def test_anderson_accelerates_a_slow_contraction(factor):
    rng = np.random.default_rng(3)
    target = rng.normal(size=6)
    rates = factor * rng.uniform(0.5, 1.0, 6)
    iterations, x = anderson_iterations(lambda x: target + rates * (x - target), np.zeros(6))
    plain = int(np.ceil(np.log(1e-10 / np.max(np.abs(target))) / np.log(rates.max())))
    assert np.allclose(x, target, atol=1e-9)
    assert iterations < plain / 3


def test_anderson_takes_plain_steps_when_its_history_carries_no_information():
    """A map homogeneous of degree one shifts every log value by the same amount each iteration; the residuals are
    equal up to rounding, so the least squares of their differences is noise and its extrapolation would leap to
    overflow (the short-run solver diverged so at sigma 1.5, mu 0.9 before the leap was bounded)."""
    rng = np.random.default_rng(5)
    floor = 1.0

    def g(x: np.ndarray) -> np.ndarray:  # a uniform fall until the floor binds, with rounding noise
        return np.maximum(x - 0.07, floor) + 1e-15 * rng.normal(size=x.size)

    iterations, x = anderson_iterations(g, np.full(8, 5.0))
    assert np.allclose(x, floor, atol=1e-9)


@pytest.mark.parametrize("capital_share", [0.25, 0.6])
def test_with_capital_a_modern_job_carries_its_rent_and_the_data_need_fewer_of_them(gms_cal, capital_share):
    """Capital's share alpha (the capital mechanism) is in the calibration: the same GDP per capita and population,
    with each variable job's revenue sigma / ((sigma - 1)(1 - alpha)) wages, so fewer modern jobs (the modern
    sector's size is set by spending on it); the capital's rent goes to the firm's owner."""
    cal = _calibrate(load_gms(), capital_share=capital_share)
    eq = solve(cal.market, cal.labour, cal.block)
    np.testing.assert_allclose(eq.gdp / cal.labour.population, cal.gdp_per_capita, rtol=1e-8)
    sigma, n = cal.market.sigma, len(eq.wage)
    variable = eq.employment_m - np.bincount(cal.block.province, cal.block.fixed_labour, minlength=n)
    np.testing.assert_allclose(
        eq.revenue / (eq.wage * variable), sigma / ((sigma - 1.0) * (1.0 - capital_share)), rtol=1e-9
    )
    jobs = eq.employment_m.sum() / gms_cal.equilibrium.employment_m.sum()
    assert jobs == pytest.approx(1.0 - capital_share, abs=0.05)
    # GDP is everyone's income: wages, traditional earnings, profits, rents and taxes, here or abroad.
    assert eq.income.sum() + eq.profits_abroad == pytest.approx(eq.gdp.sum(), rel=1e-9)
    rents = capital_share * (sigma - 1.0) / sigma * eq.revenue.sum()
    profits = eq.firm_profit.sum() - eq.tax_revenue.sum()
    assert eq.profits_owned.sum() + eq.profits_abroad == pytest.approx(profits + rents, rel=1e-9)


def test_accounts_add_up(gms_cal):
    cal = gms_cal
    eq = cal.equilibrium
    # Income = GDP - profits paid abroad - fixed-labour... : wages + profits + transfers = value added - foreign profits
    value_added = eq.gdp.sum()
    income = eq.income.sum()
    assert income == pytest.approx(value_added - eq.profits_abroad, rel=1e-9)
    assert eq.tax_revenue.sum() == pytest.approx(eq.transfers.sum(), rel=1e-9)
    np.testing.assert_allclose(eq.employment_m + eq.employment_a, cal.labour.population, rtol=1e-9)


# ---------------------------------------------------------------------------------------- registry
def test_registry_entries_are_complete():
    reg = registry()
    assert {"economy.sigma", "economy.mu", "economy.kappa", "economy.minimum_wage"} <= set(reg)
    for key, p in reg.items():
        assert p.unit and p.description and p.source, key
        assert p.kind in {"uncertainty", "lever", "setting"}
        assert not p.check(p.default), key
    assert reg["economy.sigma"].default == 5.0 and reg["economy.mu"].default == 0.4


def test_params_command_prints_the_table():
    result = CliRunner().invoke(app, ["params"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "economy.sigma" in result.output and "uncertainty" in result.output and "lever" in result.output
