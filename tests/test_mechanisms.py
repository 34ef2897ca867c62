"""The growth mechanisms (docs/ODD.md 7.9): their maths, their neutrality at t = 0, their switches, and the
patterns they exist for (zones raising host GDP, wages rising where surplus labour is small)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from sez_sim.economy import solve
from sez_sim.economy.equilibrium import MIN_TRADITIONAL_SHARE
from sez_sim.economy.mechanisms import (
    Agglomeration,
    Capital,
    Mechanisms,
    anticipated_learning,
    learning,
    spillover_weights,
)
from sez_sim.experiments.compare import interval
from sez_sim.geography import load_gms
from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.policies.zones import SEZInstrument
from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)


@pytest.fixture(scope="module")
def model():
    return SEZModel(ModelConfig(seed=3, mechanisms=Mechanisms()))


# ------------------------------------------------------------------------------------------- labour market
def expected_earnings(market, traditional):
    """The labour-market equation, solved for a: s + (a0 - s) (L^A / L^A0) ** -beta (a0 where a0 <= s)."""
    a0, base = market.traditional_wage, market.traditional_employment
    s = np.minimum(market.subsistence, a0)
    ratio = np.maximum(traditional, MIN_TRADITIONAL_SHARE * base) / base
    return s + (a0 - s) * ratio**-market.land_elasticity


@pytest.mark.parametrize("shock", range(4))
def test_labour_market_clears_in_every_province_after_a_shock(model, shock):
    rng = np.random.default_rng(shock)
    labour = model.labour()
    labour.workers = labour.workers * rng.uniform(0.6, 1.4, len(labour.workers))
    eq = solve(model.market, labour, model.firm_block(), model.equilibrium)
    np.testing.assert_allclose(eq.traditional_wage, expected_earnings(model.market, eq.employment_a), rtol=1e-8)
    floor = model.market.floor_at(eq.traditional_wage)
    assert np.all(eq.wage >= floor * (1 - 1e-12))
    # fewer traditional workers than calibrated: earnings rise; more: they fall (never below subsistence)
    fewer = eq.employment_a < model.market.traditional_employment * (1 - 1e-6)
    assert np.all(eq.traditional_wage[fewer] >= model.market.traditional_wage[fewer])
    assert np.all(eq.traditional_wage >= np.minimum(model.market.subsistence, model.market.traditional_wage))


def test_a_cold_solve_finds_the_same_labour_market_as_a_warm_one(model):
    labour = model.labour()
    labour.workers = labour.workers * 0.8
    warm = solve(model.market, labour, model.firm_block(), model.equilibrium)
    cold = solve(model.market, labour, model.firm_block())
    np.testing.assert_allclose(cold.traditional_wage, warm.traditional_wage, rtol=1e-8)
    np.testing.assert_allclose(cold.wage, warm.wage, rtol=1e-8)


def test_earnings_at_subsistence_do_not_move(model):
    market = dataclasses.replace(model.market, subsistence=model.market.traditional_wage * 2.0)
    labour = model.labour()
    labour.workers = labour.workers * 0.7
    eq = solve(market, labour, model.firm_block(), model.equilibrium)
    np.testing.assert_array_equal(eq.traditional_wage, market.traditional_wage)


def test_without_the_labour_market_earnings_are_the_calibrated_ones(model):
    market = dataclasses.replace(model.market, land_elasticity=0.0)
    labour = model.labour()
    labour.workers = labour.workers * 0.7
    eq = solve(market, labour, model.firm_block(), model.equilibrium)
    np.testing.assert_array_equal(eq.traditional_wage, market.traditional_wage)


def test_every_factor_is_one_at_the_start(model):
    eq, market = model.equilibrium, model.market
    np.testing.assert_allclose(eq.traditional_wage, market.traditional_wage, rtol=1e-9)
    np.testing.assert_array_equal(model.agglomeration.factor(eq.employment_m), np.ones(model.geo.n))
    assert SEZModel(ModelConfig(seed=3)).agglomeration is None  # off: not even its weights are computed
    np.testing.assert_array_equal(model.capital.factor(), np.ones(model.geo.n))
    np.testing.assert_array_equal(market.tfp, model.tfp_base)


# --------------------------------------------------------------------------------------------- switches
COMBINATIONS = [Mechanisms.none(), Mechanisms()] + [
    Mechanisms(**{name: name in pair for name in Mechanisms.names()})
    for pair in itertools.combinations(Mechanisms.names(), 2)
]


@pytest.mark.parametrize("mechanisms", COMBINATIONS, ids=lambda m: "+".join(m.on()) or "none")
def test_every_combination_starts_from_the_data_and_switches_off_what_is_off(mechanisms):
    geo = load_gms()
    model = SEZModel(ModelConfig(seed=5, mechanisms=mechanisms))
    accounts = model.accounts
    np.testing.assert_allclose(accounts["gdp_per_capita"], geo.provinces["gdp_per_capita"], rtol=0.01)
    strength = model.strength
    assert (strength["land_elasticity"] > 0) == mechanisms.labour_market
    assert (strength["agglomeration_elasticity"] > 0) == mechanisms.agglomeration
    assert (strength["capital_elasticity"] > 0) == mechanisms.capital
    assert (model.market.capital_share > 0) == mechanisms.capital == (strength["capital_share"] > 0)
    assert (strength["learning_gain"] > 0) == mechanisms.learning
    model.run(years=2)
    if not mechanisms.labour_market:
        np.testing.assert_array_equal(model.equilibrium.traditional_wage, model.market.traditional_wage)
    if not (mechanisms.agglomeration or mechanisms.capital):
        np.testing.assert_array_equal(model.market.tfp, model.tfp_base)
    drift = model.accounts["gdp_per_capita"] / accounts["gdp_per_capita"] - 1
    assert np.median(np.abs(drift)) < 0.01


def test_with_every_mechanism_the_baseline_stays_a_steady_state_over_20_years():
    """test_model.py's steady-state test with every mechanism on (mean drift over three seeds).

    The bounds are the same: population-weighted mean 1%, no province 5% (measured: at most 2.9%).
    """
    drifts, weight = [], None
    for seed in (11, 12, 13):
        model = SEZModel(ModelConfig(seed=seed, mechanisms=Mechanisms()))
        start = model.accounts["gdp_per_capita"].copy()
        population = model.accounts["population"].copy()
        model.run(years=20)
        drifts.append(np.stack([model.accounts["gdp_per_capita"] / start, model.accounts["population"] / population]))
        weight = population / population.sum()
    drift = np.abs(np.mean(drifts, axis=0) - 1)
    assert np.sum(weight * drift[0]) <= 0.01 and np.sum(weight * drift[1]) <= 0.01
    assert drift.max() <= 0.05


def test_textbook_presets_have_no_mechanisms():
    cp = SEZModel(ModelConfig(preset="core_periphery", params=resolve_params("core_periphery")))
    assert cp.mechanisms == Mechanisms.none() and cp.market.land_elasticity == 0.0
    with pytest.raises(ValueError, match="no growth mechanisms"):
        SEZModel(ModelConfig(preset="core_periphery", mechanisms=Mechanisms(), params=resolve_params("core_periphery")))


def test_scenarios_switch_mechanisms_and_textbook_scenarios_refuse_them():
    def mechanisms(*changes, path="scenarios/gms_baseline.yaml"):
        return load_scenario(path, list(changes)).config().mechanisms

    assert mechanisms() == Mechanisms.none()
    assert mechanisms("mechanisms.all=true") == Mechanisms()
    assert mechanisms("mechanisms.all=true", "mechanisms.capital=false") == Mechanisms(capital=False)
    assert mechanisms("mechanisms.capital=true") == Mechanisms(
        **{**dataclasses.asdict(Mechanisms.none()), "capital": True}
    )
    assert mechanisms("mechanisms.learning=true", path="scenarios/growth_mechanisms.yaml") == Mechanisms()
    assert mechanisms(path="scenarios/textbook/core_periphery.yaml") == Mechanisms.none()
    with pytest.raises(Exception, match="mechanisms: the core_periphery preset has no growth mechanisms"):
        load_scenario("scenarios/textbook/core_periphery.yaml", ["mechanisms.agglomeration=true"])
    with pytest.raises(Exception, match="mechanisms.capital"):
        load_scenario("scenarios/gms_baseline.yaml", ["mechanisms.capital=often"])


# ------------------------------------------------------------------------------------ agglomeration maths
def reference_weights(lon, lat, area, decay, points=200_000, seed=0):
    """Monte Carlo over each receiving province's disk, on the same flat map: the reference for the fast path.

    200,000 points put its own error near 0.2% of a weight, well inside the tolerance below.
    """
    rng = np.random.default_rng(seed)
    r = np.sqrt(rng.random(points))
    theta = 2 * np.pi * rng.random(points)
    radius = np.sqrt(area / np.pi)
    east, north = radius[:, None] * r * np.cos(theta), radius[:, None] * r * np.sin(theta)
    cos_lat = np.cos(np.radians((lat[:, None] + lat[None, :]) / 2))
    dx = (lon[:, None] - lon[None, :]) * 111.2 * cos_lat
    dy = (lat[:, None] - lat[None, :]) * 111.2
    return np.array(
        [
            [np.exp(-np.hypot(dx[i, j] + east[i], dy[i, j] + north[i]) / decay).mean() for j in range(len(lon))]
            for i in range(len(lon))
        ]
    )


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), decay=st.floats(20.0, 300.0))
@example(seed=3136, decay=20.0)  # the disk's sampling 4.9% off: its worst case found
def test_spillover_weights_agree_with_a_monte_carlo_reference(seed, decay):
    """Within the accuracy spillover_weights states: 6% where a province's radius is four decay lengths."""
    rng = np.random.default_rng(seed)
    n = 5
    lon, lat = 100 + rng.uniform(0, 3, n), 15 + rng.uniform(0, 3, n)
    area = rng.uniform(500, 20000, n)
    fast = spillover_weights(lon, lat, area, decay)
    np.testing.assert_allclose(fast, reference_weights(lon, lat, area, decay), rtol=0.06, atol=2e-4)


def test_spillovers_fall_with_distance_and_reach_neighbours():
    lon = np.array([100.0, 100.5, 101.0, 102.0, 104.0])
    lat = np.full(5, 15.0)
    w = spillover_weights(lon, lat, np.full(5, 3000.0), 50.0)
    assert np.all(np.diff(w[1:, 0]) < 0) and np.all(np.diff(w[0, 1:]) < 0)
    agglomeration = Agglomeration.calibrated(w, np.full(5, 1000.0), 0.05)
    boosted = agglomeration.factor(np.array([2000.0, 1000, 1000, 1000, 1000]))
    assert boosted[0] > boosted[1] > boosted[2] > boosted[3] > boosted[4] > 1.0
    assert Agglomeration.calibrated(w, np.full(5, 1000.0), 0.0).factor(np.full(5, 5000.0)).tolist() == [1.0] * 5


# ------------------------------------------------------------------------------------------ capital maths
@settings(deadline=None, max_examples=50)
@given(
    investment=st.lists(st.floats(0.0, 1e6, allow_subnormal=False), min_size=3, max_size=3),
    depreciation=st.floats(0.01, 0.3),
    steps=st.integers(1, 12),
)
def test_capital_steady_state_stays_put_and_more_investment_converges_higher(investment, depreciation, steps):
    i = np.array(investment)
    exit_rate = 0.03
    survival = np.full(3, 1 - exit_rate / steps)
    capital = Capital.steady(i, 0.5 * i, depreciation, exit_rate, 0.3, 0.08, steps)
    for _ in range(40):
        capital.accumulate(i, 0.5 * i, survival)
    np.testing.assert_allclose(capital.stock, capital.base * (i > 0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(capital.factor()[i > 0], 1.0, rtol=1e-9)
    for _ in range(int(40 * steps / (depreciation + exit_rate))):
        capital.accumulate(2 * i, i, survival)
    np.testing.assert_allclose(capital.stock, 2 * capital.base * (i > 0), rtol=1e-3, atol=1e-9)
    np.testing.assert_allclose(capital.factor()[i > 0], 2**0.08, rtol=1e-3)  # the elasticity given above


# ----------------------------------------------------------------------------------------- learning maths
@given(gain=st.floats(0.01, 1.0), years=st.floats(0.1, 20.0), sigma=st.floats(1.5, 12.0), beta=st.floats(0.5, 0.99))
def test_learning_starts_at_one_rises_to_the_gain_and_entrants_anticipate_part_of_it(gain, years, sigma, beta):
    ages = np.array([-1.0, 0.0, years, 5 * years, 100 * years])
    path = learning(ages, gain, years)
    assert path[0] == path[1] == 1.0
    assert np.all(np.diff(path[1:]) > 0) and path[-1] == pytest.approx(1 + gain)
    expected = anticipated_learning(gain, years, sigma, beta)
    assert 1.0 < expected < (1 + gain) ** (sigma - 1)
    assert anticipated_learning(gain, 2 * years, sigma, beta) < expected  # slower learning is worth less
    assert anticipated_learning(0.0, years, sigma, beta) == 1.0


# --------------------------------------------------------------------------------------------- patterns
HOSTS = {
    "Rayong": "THA",
    "Yangon": "MMR",
    "Mandalay": "MMR",
    "Phnom Penh": "KHM",
    "Kunming": "CHN",
    "Champasak": "LAO",
}
"""Hosts of different countries and sizes (Kunming's modern sector is 14 times Champasak's), whose well-run zones
investors take up (border and many other zones stay empty: test_zone_projects.py)."""

YEARS, SEEDS = 15, (1, 2)


def zone_runs(mechanisms: Mechanisms, seed: int, economy: dict | None = None) -> dict[str, np.ndarray]:
    """A baseline and a run with a well-run SEZ of a third of the host's modern jobs in each host (from 2020).

    ``economy`` overrides economy parameters in both (docs/policies_numbers.py measures their ranges this way).
    """
    params = resolve_params("gms", {"economy": economy or {}})
    base = SEZModel(ModelConfig(seed=seed, mechanisms=mechanisms, params=params))
    rate = base.params["economy"]["employment_rate"]
    hosts = [base.geo.index_of(h) for h in HOSTS]
    zones = [
        SEZInstrument(province=h, capacity_jobs=round(base.accounts["workers_m"][i] * rate / 3, -2), management=1.0)
        for h, i in zip(HOSTS, hosts, strict=True)
    ]
    treat = SEZModel(ModelConfig(seed=seed, mechanisms=mechanisms, policies=zones, params=params))
    base.run(years=YEARS)
    treat.run(years=YEARS)
    b, t = base.accounts, treat.accounts
    p = base.geo.provinces
    east = (
        (p["lon"].to_numpy()[:, None] - p["lon"].to_numpy()[hosts])
        * 111.2
        * np.cos(np.radians(p["lat"].to_numpy()))[:, None]
    )
    north = (p["lat"].to_numpy()[:, None] - p["lat"].to_numpy()[hosts]) * 111.2
    nearest = np.hypot(east, north).min(axis=1)  # km to the nearest host
    per_capita = t["gdp_per_capita"] / b["gdp_per_capita"] - 1
    others = np.ones(base.geo.n, bool)
    others[hosts] = False

    def band(low: float, high: float) -> float:
        inside = others & (nearest >= low) & (nearest < high)
        return float(np.average(per_capita[inside], weights=b["population"][inside]))

    return {
        "gdp": (t["gdp"] / b["gdp"] - 1)[hosts],
        "wage": (t["wage_m"] / b["wage_m"] - 1)[hosts],
        "occupancy": treat.zone_accounts["occupancy"][-len(HOSTS) :],
        "neighbours": np.array([band(0, 75), band(75, 150), band(300, 5000)]),
    }


@pytest.fixture(scope="module")
def zone_effects():
    return {
        "on": [zone_runs(Mechanisms(), seed) for seed in SEEDS],
        "off": [zone_runs(Mechanisms.none(), seed) for seed in SEEDS],
    }


def gain_per_job(run: dict[str, np.ndarray]) -> float:
    """The hosts' GDP effect per job filled, over the zones that filled (60% of their slots or more)."""
    filled = run["occupancy"] >= 0.6
    assert filled.sum() >= 2, run["occupancy"]
    return float((run["gdp"] / run["occupancy"])[filled].mean())


def test_filled_zones_raise_host_gdp_and_the_mechanisms_add_to_it(zone_effects):
    """docs/policies.md sets these beside the evidence (Alder, Shao & Zilibotti 2016: +20% on host GDP).

    Which well-run zones investors take up differs between runs (a zone's first tenants decide whether it gets a
    track record), so the effects are compared per job filled, over the zones that filled. The mechanisms' gain
    per job over none, measured seed by seed (1-4) when the modern sector was spread by income alone, was 1.21 to
    1.74 times (capital's rent carries most of it; with labour the only factor it was 1.10 to 1.43 over seeds 1-8):
    the test takes two seeds' mean and asks for a quarter more.
    """
    for on, off in zip(zone_effects["on"], zone_effects["off"], strict=True):
        filled = on["occupancy"] >= 0.6
        assert np.all((on["gdp"][filled] >= 0.02) & (on["gdp"][filled] <= 0.35)), on["gdp"]
        # Without the labour market only a host whose modern labour runs short bids its wage up, and by less.
        assert np.all(off["wage"] <= np.maximum(on["wage"], 0.01)), (on["wage"], off["wage"])
    with_mechanisms = np.mean([gain_per_job(run) for run in zone_effects["on"]])
    without = np.mean([gain_per_job(run) for run in zone_effects["off"]])
    assert with_mechanisms > 1.25 * without, (with_mechanisms, without)


def test_a_zone_of_a_third_of_the_modern_jobs_raises_host_gdp_by_10_to_30_percent_across_countries(zone_effects):
    """The issue's size pattern (Alder, Shao & Zilibotti 2016: about +20% on the host's GDP), over six hosts of five
    countries: on average over the six, and in hosts of at least three countries (measured: means 11.4% and 11.1%
    in seeds 1 and 2; Rayong, Yangon, Mandalay and Phnom Penh in both, Kunming in seed 2). Champasak, whose modern
    sector is about a fifth of its GDP, gains 5-7% (docs/policies.md: every province as host)."""
    for run in zone_effects["on"]:
        inside = (run["gdp"] >= 0.1) & (run["gdp"] <= 0.3)
        assert 0.1 <= run["gdp"].mean() <= 0.3, run["gdp"]
        assert len({HOSTS[h] for h, yes in zip(HOSTS, inside, strict=True) if yes}) >= 3, run["gdp"]


def test_zones_raise_wages_in_thailand_and_much_less_where_surplus_labour_is_large(zone_effects):
    """The issue's wage pattern in one run of the six zones: Rayong, where little of the traditional sector is
    surplus, against the hosts in Myanmar, Cambodia and Lao PDR, where much of it is (Kunming is neither).

    Measured (seeds 1 and 2): Rayong +3.1-3.2%; Yangon 1.5-1.8%, Mandalay 0.4-0.5%, Phnom Penh 1.7-1.9%, Champasak
    0.4-0.6%. Phnom Penh's zone is a third of a large modern sector and pulls many workers, so its rise is the
    closest; per worker pulled the contrast is the next test's.
    """
    surplus = [list(HOSTS).index(h) for h in ("Yangon", "Mandalay", "Phnom Penh", "Champasak")]
    for run in zone_effects["on"]:
        rayong, others = run["wage"][list(HOSTS).index("Rayong")], run["wage"][surplus]
        assert rayong > 0.02 and np.all(others < rayong) and rayong > 2 * others.mean(), run["wage"]


def test_neighbours_fare_better_the_nearer_they_are(zone_effects):
    within_75, within_150, beyond_300 = np.mean([run["neighbours"] for run in zone_effects["on"]], axis=0)
    assert within_75 > beyond_300 and within_150 > beyond_300


def test_more_modern_jobs_raise_wages_where_surplus_labour_is_small_and_barely_where_it_is_large(model):
    """Modern labour demand rises by about a third in every province at once (firms a third more productive).

    How much a wage rises is how many workers leave the traditional sector times how much each one lifts its
    earnings; surplus labour decides the second. The first is larger where the modern sector is large beside the
    traditional one: Cambodia's, as big as Thailand's in its surveys, loses 3.8% of its farm workers to a third more
    modern demand, Thailand 1.8%, so the rises themselves differ less (medians 0.33% and 0.39%; Myanmar and Lao
    PDR 0.2%). Per worker pulled, Thailand's rise is 2.3 times theirs (1.8 times with the modern sector spread by
    income alone, ``economy.modern_share_survey_weight`` 0).
    """
    market, eq = model.market, model.equilibrium
    block = model.firm_block()
    block.efficiency = block.efficiency * (4.0 / 3.0)
    after = solve(market, model.labour(), block, eq)
    rise = after.wage / eq.wage - 1
    pulled = (after.employment_m - eq.employment_m) / eq.employment_a
    country = model.geo.provinces["country"].to_numpy()
    thai, surplus = country == "THA", np.isin(country, ["KHM", "MMR", "LAO"])
    assert np.all(rise > -1e-9) and np.all(pulled > 0)
    per_worker = rise / pulled
    assert np.median(per_worker[thai]) > 1.5 * np.median(per_worker[surplus])
    # no per-country rule: the rise follows how much of the traditional sector is surplus, in every country
    variable = 1 - np.minimum(market.subsistence, market.traditional_wage) / market.traditional_wage
    assert spearmanr(variable, per_worker).statistic > 0.9
    assert spearmanr(variable * eq.employment_m / eq.employment_a, rise).statistic > 0.7


@pytest.fixture(scope="module")
def inequality_with_mechanisms():
    """The last step's summary of paired runs with every mechanism on (seeds 11-13, 10 years), by scenario."""

    def runs(name: str) -> list:
        scenario = load_scenario(f"scenarios/{name}.yaml", {"mechanisms.all": True})
        return [simulate(scenario, seed=seed, years=10).summary.iloc[-1] for seed in (11, 12, 13)]

    return {name: runs(name) for name in ("gms_baseline", "ewec_border_sezs", "corridor_upgrades")}


def paired_interval(runs: dict, name: str, column: str) -> dict[str, float]:
    return interval(np.array([t[column] - b[column] for t, b in zip(runs[name], runs["gms_baseline"], strict=True)]))


def test_border_zones_and_corridors_move_inequality_beyond_the_noise_with_the_mechanisms(inequality_with_mechanisms):
    """The issue's inequality pattern, as docs/policies.md reports it (three paired replicates, as `sez-sim
    compare` gives them): with every mechanism on, the six EWEC border zones fill, raise the border provinces'
    share of GMS GDP (+0.0007) and lower inequality within countries (-0.0012); corridor upgrades lower it more
    (-0.0041). Without the mechanisms the border zones stay nearly empty and neither moves it beyond the noise."""
    border = paired_interval(inequality_with_mechanisms, "ewec_border_sezs", "border_gdp_share")
    assert border["ci_low"] > 0, border
    for name in ("ewec_border_sezs", "corridor_upgrades"):
        within = paired_interval(inequality_with_mechanisms, name, "theil_t_within")
        assert within["ci_high"] < 0, (name, within)
    corridors = paired_interval(inequality_with_mechanisms, "corridor_upgrades", "theil_t_within")
    zones = paired_interval(inequality_with_mechanisms, "ewec_border_sezs", "theil_t_within")
    assert corridors["mean"] < zones["mean"]
