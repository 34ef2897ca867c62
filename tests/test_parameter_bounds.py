"""Every uncertainty of the registry at each of its bounds, alone and together at corners and Latin-hypercube draws
of its box: a short run is finite and non-negative, or the scenario is refused when it is validated (docs/ODD.md
section 5, "Where the steady state cannot be refined").

The suite runs the box on a synthetic 40-province geography with four countries (the calibrated ``gms`` preset,
a second each). Settings and levers (a user's choices, not uncertainties) run at each of their bounds too, with
one instrument of every kind that reads them. The growth mechanisms' parameters act only with the mechanisms on,
so their bounds also run with every mechanism on, for ten years, and must stay near the steady state. The same
sweeps on the GMS data (the mechanisms' for 20 years), and every uncertainty's bounds in a 20-year GMS baseline,
take about 850 CPU-seconds, too long for every commit: ``make sweep`` runs them (``SEZ_SIM_GMS_SWEEP=1``).
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sez_sim.economy.mechanisms import PARAMS as MECHANISM_PARAMS
from sez_sim.errors import ScenarioError
from sez_sim.params import registry
from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario, registry_path

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
UNCERTAIN = {registry_path(p): p.bounds for p in registry().values() if p.kind == "uncertainty" and not p.per}
BOUNDS = [(k, v) for k, bounds in UNCERTAIN.items() for v in bounds]
STOCKS = ("population", "workers_m", "workers_a", "firms", "firms_foreign", "gdp", "wage_m", "wage_a")

REFUSED = {
    ("agents.firms.pareto_shape", 1.0),  # not above sigma - 1
    ("economy.sigma", 12.0),  # the default Pareto shape is not above sigma - 1
    ("economy.trade_balance", 0.5),  # not below the default export share
}
"""Bounds refused when validated, each for a rule it breaks with every other parameter at its default."""

SYNTHETIC = {
    "name": "box",
    "geography": {"synthetic": {"kind": "random_planar", "n": 40, "seed": 1, "countries": 4}},
    "agents": {"firms": {"count": 2000}},
}
GMS = ROOT / "scenarios/gms_baseline.yaml"


def checked_run(scenario, changes: dict) -> pd.DataFrame:
    """The run's province panel, which must stay finite and non-negative."""
    panel = simulate(scenario).provinces
    assert np.isfinite(panel.select_dtypes("number").to_numpy(float)).all(), changes
    assert (panel[list(STOCKS)] >= 0).all().all(), changes
    return panel


def short_run(source, changes: dict) -> str:
    """``refused`` or ``ran`` (:func:`checked_run`)."""
    try:
        scenario = load_scenario(source, {**changes, "run.years": 0.5})
    except ScenarioError:
        return "refused"
    checked_run(scenario, changes)
    return "ran"


@pytest.mark.parametrize(("key", "value"), BOUNDS)
def test_each_uncertainty_at_each_bound(key, value):
    assert short_run(SYNTHETIC, {key: value}) == ("refused" if (key, value) in REFUSED else "ran")


@pytest.mark.skipif(not os.environ.get("SEZ_SIM_GMS_SWEEP"), reason="make sweep (about 115 CPU-seconds)")
@pytest.mark.parametrize(("key", "value"), BOUNDS)
def test_each_uncertainty_at_each_bound_on_the_gms_data(key, value):
    outcome = short_run(GMS, {"agents.persons_per_agent": 5000, key: value})
    assert outcome == ("refused" if (key, value) in REFUSED else "ran")


MECHANISM_BOUNDS = [(k, v) for k, v in BOUNDS if k.split(".")[-1] in MECHANISM_PARAMS]
"""The bounds of the growth mechanisms' parameters, which act (or act fully) only with the mechanisms on."""

ON = {"mechanisms.all": True}


def drift(source, changes: dict, years: float) -> float:
    """The largest change of a province's GDP per capita over a run without policy (:func:`checked_run`)."""
    panel = checked_run(load_scenario(source, {**changes, "run.years": years}), changes)
    first, last = (panel[panel["step"] == step].set_index("province_id") for step in panel["step"].agg(["min", "max"]))
    return float((last["gdp_per_capita"] / first["gdp_per_capita"] - 1.0).abs().max())


@pytest.mark.parametrize(("key", "value"), MECHANISM_BOUNDS)
def test_each_mechanism_parameter_at_each_bound_with_every_mechanism_on(key, value):
    """The sweeps above run with the mechanisms off, where these parameters do little or nothing. With every
    mechanism on, each bound runs and, without a policy, stays near the steady state for ten years (a feedback
    that feeds on itself, such as capital's above its bound, moves provinces by tens of per cent)."""
    assert drift(SYNTHETIC, {**ON, key: value}, years=10) < 0.10


@pytest.mark.skipif(not os.environ.get("SEZ_SIM_GMS_SWEEP"), reason="make sweep (about 80 CPU-seconds)")
@pytest.mark.parametrize(("key", "value"), MECHANISM_BOUNDS)
def test_each_mechanism_parameter_at_each_bound_on_the_gms_data_for_twenty_years(key, value):
    """On the GMS data, at the default resolution, every mechanism on: no province drifts by a tenth in 20 years
    (agglomeration at 0.15 moved Myanmar's provinces by 175%; at the bounds the largest drift is 9.3%, capital's
    external elasticity at 0.06; at 1 km of spillover_km, below its bound, Kayah's agglomeration fed on itself,
    17.5% and rising)."""
    assert drift(GMS, {**ON, key: value, "run.seed": 1}, years=20) < 0.10


STEADY = 0.065
"""Largest change of a province's GDP per capita in a 20-year baseline at a bound (2.9% at the defaults)."""

DRIFTING = {
    # The refinement's first round is redone with half the stock redrawn (a full redraw does not calibrate): 9.2% in
    # a province. Before it was, no round completed and the stock turned over fast: 15.5%, 16% fewer firms.
    ("agents.firms.hazard", 0.15): 0.10,
    ("agents.firms.entry_cost", 4.0): 0.09,  # 6.5%
    ("economy.mu", 0.9): 0.10,  # 8.9%
    ("economy.modern_share_elasticity", 0.0): 0.09,  # 6.5%
}
"""Bounds at which the baseline drifts beyond :data:`STEADY` (docs/ODD.md 7.8), with the drift they are held to."""


@pytest.mark.skipif(not os.environ.get("SEZ_SIM_GMS_SWEEP"), reason="make sweep (about 570 CPU-seconds)")
@pytest.mark.parametrize(("key", "value"), [b for b in BOUNDS if b not in REFUSED])
def test_each_uncertainty_at_each_bound_keeps_the_gms_baseline_steady_for_twenty_years(key, value):
    """On the GMS data, at the default resolution, mechanisms off: no province drifts by more than
    :data:`STEADY` in 20 years, except at the bounds of :data:`DRIFTING`, which are documented and held there."""
    assert drift(GMS, {key: value, "run.seed": 1}, years=20) < DRIFTING.get((key, value), STEADY)


def corners_and_draws(corners: int, draws: int, seed: int = 7) -> list[dict]:
    """Random corners of the box, then a Latin hypercube of ``draws`` points in it.

    Each uncertainty draws from a stream of its own (seeded by the seed and its name), so declaring a new one
    leaves the others' values where they were.
    """
    columns = {}
    for key, (lo, hi) in UNCERTAIN.items():
        rng = np.random.default_rng([seed, zlib.crc32(key.encode())])
        corner_values = [(lo, hi)[int(rng.integers(2))] for _ in range(corners)]
        strata = rng.permutation(draws)
        drawn = [float(lo + (strata[i] + rng.random()) / draws * (hi - lo)) for i in range(draws)]
        columns[key] = corner_values + drawn
    return [{key: values[i] for key, values in columns.items()} for i in range(corners + draws)]


POINTS = corners_and_draws(8, 16)


@pytest.mark.parametrize("changes", POINTS, ids=[f"corner{i}" if i < 8 else f"draw{i - 8}" for i in range(len(POINTS))])
def test_corners_and_latin_hypercube_draws_of_the_box_run_or_are_refused(changes):
    short_run(SYNTHETIC, changes)


def corner(*upper: str) -> dict:
    """The box's corner with the named uncertainties (last part of their path) at their upper bounds, the rest at
    their lower bounds."""
    return {key: bounds[key.rsplit(".", 1)[-1] in upper] for key, bounds in UNCERTAIN.items()}


SOLVER_CORNERS = {
    # Warm-started in the homogeneous region (every modern wage above its floor, no traditional sector), the
    # short-run solver's Anderson step leapt to overflow.
    "homogeneous": corner(
        "pareto_shape",
        "hazard",
        "exit_patience",
        "outside_share",
        "entry_cost",
        "foreign_zone_preference",
        "mu",
        "crossing_cost_km",
        "trade_balance",
        "traditional_floor",
        "distance_elasticity",
        "diaspora",
    ),
    # Half of those reconsidering move: the moving cost's update contracts by only 4% an iteration.
    "slow_moving_cost": corner(
        "hazard",
        "entry_logit_scale",
        "outside_share",
        "mu",
        "kappa",
        "trade_balance",
        "fixed_labour_share",
        "migration_rate",
        "real_income_elasticity",
        "distance_elasticity",
        "congestion",
    ),
}


@pytest.mark.parametrize("changes", SOLVER_CORNERS.values(), ids=SOLVER_CORNERS.keys())
def test_corners_where_a_solver_once_failed_run(changes):
    assert short_run(SYNTHETIC, changes) == "ran"


def test_the_box_has_both_runs_and_refusals():
    outcomes = [short_run(SYNTHETIC, changes) for changes in corners_and_draws(2, 10, seed=11)]
    assert "ran" in outcomes and "refused" in outcomes  # the rules are neither vacuous nor total


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"economy.mu": 0.9, "economy.modern_wage_premium": 1.0}, "modern spending exceeds the revenue of a modern"),
        (
            {
                "agents.workers.reconsider": 0.1,
                "agents.workers.employed_mobility": 0.0,
                "agents.workers.migration_rate": 0.05,
                "economy.mu": 0.8,
                "economy.trade_balance": 0.0,
            },
            "of residents reconsider where to live each year",
        ),
    ],
    ids=["spending_beyond_the_modern_sector", "migration_beyond_those_who_reconsider"],
)
def test_what_the_data_cannot_support_is_refused_saying_what_to_change(changes, says):
    """Valid one rule at a time, these combinations ask the calibration for the impossible; it stops early enough
    (the modern level held where it still matters) and says why rather than only that it did not converge."""
    scenario = load_scenario(SYNTHETIC, {**changes, "run.years": 0.5})
    with pytest.raises(ScenarioError, match=says):
        simulate(scenario)


TUNABLE = {
    registry_path(p): p.bounds for p in registry().values() if p.kind != "uncertainty" and p.bounds and not p.per
}
"""The settings and levers with bounds: a user sets them (levers through their instruments, whose defaults they
are), so each bound must run like an uncertainty's."""
TUNABLE_REFUSED = {
    ("agents.workers.reconsider", 0.0),  # no one reconsiders, yet the calibrated migration rate moves people
    ("agents.firms.count", 10),  # fewer agents than every province's minimum
    ("agents.firms.min_per_province", 10000),  # a minimum the default agents cannot give every province
}
TUNABLE_BOUNDS = [
    (k, v) for k, bounds in TUNABLE.items() for v in bounds if (k, v) != ("agents.firms.count", 10_000_000)
]
"""Every bound but ten million firm agents (about a minute and gigabytes: the size of run the bound allows, not a
test's)."""
INSTRUMENTS = [
    {"type": "sez", "province": "N0001", "start_year": 2019},
    {"type": "cbez", "crossing": "X0002"},
    {"type": "capacity_building", "countries": ["C0", "C1", "C3"]},
    {"type": "investment_promotion", "countries": ["C0", "C1", "C3"]},
    {"type": "ossc", "countries": ["C2"]},
    {"type": "corridor_upgrade", "links": [["N0001", "N0014"]]},
    {"type": "border_facilitation"},
    {"type": "migration_regime", "countries": ["C0", "C1"]},
    {"type": "migration_regime", "countries": ["C2", "C3"], "quota": 1000},
    {"type": "minimum_wage", "country": "C0"},
    {"type": "port", "province": "N0001"},
]
"""One of each instrument whose defaults are levers, on the synthetic geography (its crossings X0000 join N0001
in C0 with N0014 in C1, X0002 C3 with C1; its one port is N0030's, so N0001's port takes the sea leg
``economy.sea_cost_km`` has at each bound). C0 is given a minimum wage for the instrument's factor to scale
(synthetic countries have none, and a factor of none changes nothing)."""
WITH_INSTRUMENTS = {**SYNTHETIC, "economy": {"minimum_wage": {"C0": 1500}}, "policies": INSTRUMENTS}
GMS_INSTRUMENTS = [
    {"type": "sez", "province": "Savannakhet", "start_year": 2019},
    {"type": "cbez", "crossing": "Boten-Mohan"},
    {"type": "capacity_building", "countries": ["LAO", "KHM"]},
    {"type": "investment_promotion", "countries": ["LAO", "KHM"]},
    {"type": "ossc", "countries": ["MMR"]},
    {"type": "corridor_upgrade", "corridor": "EWEC"},
    {"type": "border_facilitation"},
    {"type": "migration_regime", "countries": ["THA", "MMR"]},
    {"type": "migration_regime", "countries": ["THA", "LAO"], "quota": 1000},
    {"type": "minimum_wage", "country": "KHM"},
    {"type": "port", "province": "Tanintharyi"},
]


def expected(key: str, value: float) -> str:
    return "refused" if (key, value) in TUNABLE_REFUSED else "ran"


@pytest.mark.parametrize(("key", "value"), TUNABLE_BOUNDS)
def test_each_setting_and_lever_at_each_bound(key, value):
    """Levers with one instrument of every kind that reads them (firm streams' and zones' included)."""
    assert short_run(WITH_INSTRUMENTS, {key: value}) == expected(key, value)


@pytest.mark.skipif(not os.environ.get("SEZ_SIM_GMS_SWEEP"), reason="make sweep (about 100 CPU-seconds)")
@pytest.mark.parametrize(("key", "value"), TUNABLE_BOUNDS)
def test_each_setting_and_lever_at_each_bound_on_the_gms_data(key, value):
    """On the GMS data the dataset's operating zones are in the steady state the entry calibration solves: a zone
    default such as ``sez.duty_bonus`` acts there too (at 1, its old bound, the calibration found no steady state;
    ``firms.zone_choice_scale`` at 0.01 failed until the calibration rationed zones as it contracted)."""
    scenario = {"name": "instruments", "extends": str(GMS), "policies": GMS_INSTRUMENTS}
    assert short_run(scenario, {"agents.persons_per_agent": 5000, key: value}) == expected(key, value)
