"""Experiments: designs, paired comparisons, resumable batches, Dask execution."""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sez_sim import model
from sez_sim.cache import code_digest
from sez_sim.cli import app
from sez_sim.economy.closed_forms import home_market_share
from sez_sim.errors import ConvergenceError, ScenarioError
from sez_sim.experiments import Outcome, compare, load_experiment, paired_differences, run_batch
from sez_sim.experiments.batch import analyse, refused_points, tasks_for
from sez_sim.experiments.compare import (
    COUNTRY_MEASURES,
    LEDGER_MEASURES,
    public_ledger,
    run_store,
    tax_effects,
    tax_split,
)
from sez_sim.experiments.designs import lever_settings, sample
from sez_sim.experiments.executors import run_task, worker_pool
from sez_sim.params import registry
from sez_sim.scenario import load_scenario

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
LINE = ROOT / "scenarios/teaching/line_corridor.yaml"
BIN = Path(sys.executable).parent


def experiment_file(tmp_path: Path, **content) -> Path:
    spec = {"name": "t", "base": str(LINE), "years": 2, "outcomes": [{"name": "gdp", "column": "gdp"}]} | content
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


# ------------------------------------------------------------------------------------------- designs
def test_grid_design_is_the_full_product(tmp_path):
    e = load_experiment(
        experiment_file(
            tmp_path,
            factors=[
                {"key": "economy.sigma", "values": [4, 5, 6]},
                {"key": "policies.0.capacity_jobs", "values": [10000, 30000]},
                {"key": "workers.congestion", "levels": 4},
            ],
        )
    )
    design = sample(e)
    assert design.shape == (3 * 2 * 4, 3)
    lo, hi = registry()["workers.congestion"].bounds
    assert sorted(design["workers.congestion"].unique()) == pytest.approx(np.linspace(lo, hi, 4))


@pytest.mark.parametrize(
    ("design", "rows"),
    [("lhs", lambda n, d: n), ("sobol", lambda n, d: n * (d + 2)), ("morris", lambda n, d: n * (d + 1))],
)
def test_sampled_designs_have_salib_shapes_and_stay_in_bounds(tmp_path, design, rows):
    factors = [
        {"key": "economy.kappa", "range": [1e-4, 9e-4]},
        {"key": "economy.mu"},
        {"key": "workers.diaspora", "range": [0.5, 2.5]},
    ]
    e = load_experiment(experiment_file(tmp_path, factors=factors, design=design, samples=8))
    table = sample(e)
    assert table.shape == (rows(8, 3), 3)
    mu_lo, mu_hi = registry()["economy.mu"].bounds
    for key, (lo, hi) in {
        "economy.kappa": (1e-4, 9e-4),
        "economy.mu": (mu_lo, mu_hi),
        "workers.diaspora": (0.5, 2.5),
    }.items():
        assert table[key].between(lo, hi).all(), key
    assert sample(e).equals(table)  # the seed fixes the sample


SENSITIVITY_FACTORS = [
    {"key": "economy.kappa", "range": [1e-4, 9e-4]},
    {"key": "workers.congestion", "range": [0.1, 0.6]},
    {"key": "firms.entry_logit_scale", "range": [1.0, 6.0]},
]


def linear_outcome(design: pd.DataFrame, weights: tuple[float, ...]) -> pd.DataFrame:
    """Runs whose outcome is a known linear function of the factors, each scaled to [0, 1]; two replicates."""
    y = sum(
        w * (design[f["key"]] - f["range"][0]) / (f["range"][1] - f["range"][0])
        for w, f in zip(weights, SENSITIVITY_FACTORS, strict=True)
    )
    points = pd.DataFrame({"point": range(len(design)), "gdp": y})
    return pd.concat([points, points]).reset_index(drop=True)


def test_sobol_analysis_recovers_the_variance_shares_of_a_linear_outcome(tmp_path):
    e = load_experiment(experiment_file(tmp_path, factors=SENSITIVITY_FACTORS, design="sobol", samples=1024))
    design = sample(e)
    table = analyse(e, design, linear_outcome(design, (2.0, 1.0, 0.0)))[0].set_index("factor")
    # Uniform factors: S1_i = ST_i = a_i^2 / sum(a^2).
    expected = [0.8, 0.2, 0.0]
    assert table["S1"].to_numpy() == pytest.approx(expected, abs=0.05)
    assert table["ST"].to_numpy() == pytest.approx(expected, abs=0.05)
    assert list(table.index) == [f["key"] for f in SENSITIVITY_FACTORS]


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_outcomes_without_indices_are_named_with_the_reason(tmp_path, design):
    """A constant outcome (indices 0/0) and one with a design point unfinished get no indices, and say why."""
    outcomes = [{"name": name, "column": "gdp"} for name in ("gdp", "constant", "unfinished")]
    e = load_experiment(
        experiment_file(tmp_path, factors=SENSITIVITY_FACTORS, design=design, samples=16, outcomes=outcomes)
    )
    design_table = sample(e)
    runs = linear_outcome(design_table, (1.0, 1.0, 0.0))
    runs["constant"] = 3.5
    runs["unfinished"] = runs["gdp"].where(runs["point"] != 7)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by a zero variance inside SALib
        table, unanalysed = analyse(e, design_table, runs)
    assert set(table["outcome"]) == {"gdp"} and np.isfinite(table.drop(columns=["outcome", "factor"])).all().all()
    assert unanalysed == {
        "constant": "it is 3.5 at every design point",
        "unfinished": f"1 of {len(design_table)} design points have no finished run",
    }


def test_morris_analysis_ranks_factors_by_their_effect(tmp_path):
    e = load_experiment(experiment_file(tmp_path, factors=SENSITIVITY_FACTORS, design="morris", samples=20))
    design = sample(e)
    table = analyse(e, design, linear_outcome(design, (1.0, 3.0, 0.0)))[0].set_index("factor")
    mu_star = table["mu_star"]
    assert mu_star["workers.congestion"] > mu_star["economy.kappa"] > 0
    assert mu_star["firms.entry_logit_scale"] == pytest.approx(0.0, abs=1e-12)
    # A linear outcome has the same elementary effect everywhere.
    assert table["sigma"].to_numpy() == pytest.approx(0.0, abs=1e-9)


LEVERS = [
    {"key": "sez.duty_bonus", "values": [0.0, 0.1]},  # a lever in the registry
    {"key": "firms.hazard", "kind": "lever", "range": [0.02, 0.06], "levels": 3},  # an uncertainty declared a lever
]


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_a_sampled_design_runs_every_lever_setting_on_the_same_draws_of_its_uncertainties(tmp_path, design):
    """EMA Workbench's scenarios x policies: the levers are crossed with the sample, not sampled."""
    plain = sample(load_experiment(experiment_file(tmp_path, factors=SENSITIVITY_FACTORS, design=design, samples=8)))
    factors = [SENSITIVITY_FACTORS[0], LEVERS[0], *SENSITIVITY_FACTORS[1:], LEVERS[1]]
    e = load_experiment(experiment_file(tmp_path, factors=factors, design=design, samples=8))
    assert [f.key for f in e.sampled()] == [f["key"] for f in SENSITIVITY_FACTORS]
    assert [f.key for f in e.crossed()] == ["sez.duty_bonus", "firms.hazard"]
    table = sample(e)
    assert list(table.columns) == [f["key"] for f in factors]  # the file's order
    assert len(table) == 2 * 3 * len(plain)
    settings = lever_settings(e, table)
    assert [setting for setting, _ in settings] == [
        {"sez.duty_bonus": bonus, "firms.hazard": pytest.approx(hazard)}
        for bonus in (0.0, 0.1)
        for hazard in (0.02, 0.04, 0.06)
    ]
    for setting, points in settings:
        block = table.iloc[points].reset_index(drop=True)
        pd.testing.assert_frame_equal(block[plain.columns], plain)  # the same draws at every setting
        assert (block[list(setting)] == pd.Series(setting)).all().all()


def test_sensitivity_indices_are_computed_for_each_lever_setting(tmp_path):
    """Over the same draws, a lever that swaps which uncertainty matters swaps their indices."""
    factors = [*SENSITIVITY_FACTORS, LEVERS[0]]
    e = load_experiment(experiment_file(tmp_path, factors=factors, design="sobol", samples=1024))
    design = sample(e)
    runs = linear_outcome(design, (2.0, 1.0, 0.0))
    swapped = linear_outcome(design, (1.0, 2.0, 0.0))
    with_bonus = np.tile(design["sez.duty_bonus"].to_numpy() > 0, 2)
    runs.loc[with_bonus, "gdp"] = swapped.loc[with_bonus, "gdp"]
    table, unanalysed = analyse(e, design, runs)
    assert not unanalysed and len(table) == 2 * 3
    for bonus, expected in ((0.0, [0.8, 0.2, 0.0]), (0.1, [0.2, 0.8, 0.0])):
        part = table[table["sez.duty_bonus"] == bonus].set_index("factor")
        assert list(part.index) == [f["key"] for f in SENSITIVITY_FACTORS]  # the levers get no index
        assert part["ST"].to_numpy() == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(
    ("factors", "design", "says"),
    [
        ([SENSITIVITY_FACTORS[0], LEVERS[0]], "sobol", "at least two uncertain factors (sez.duty_bonus is a lever"),
        ([LEVERS[0]], "lhs", "lhs samples uncertainties; give at least one"),
        ([{"key": "economy.kappa", "values": [1e-4, 2e-4]}], "lhs", "values are for grid designs and levers"),
        ([{"key": "policies.0.province"}], "morris", "a lever, crossed with the morris sample, needs values"),
    ],
)
def test_a_sampled_design_is_told_which_factors_are_levers(tmp_path, factors, design, says):
    with pytest.raises(ScenarioError, match=re.escape(says)):
        load_experiment(experiment_file(tmp_path, factors=factors, design=design, samples=8))


def test_a_lever_declared_an_uncertainty_is_sampled(tmp_path):
    factors = [SENSITIVITY_FACTORS[0], {"key": "sez.duty_bonus", "range": [0.0, 0.15], "kind": "uncertainty"}]
    e = load_experiment(experiment_file(tmp_path, factors=factors, design="sobol", samples=8))
    assert not e.crossed() and len(sample(e)) == 8 * 4
    assert sample(e)["sez.duty_bonus"].nunique() > 2


SIGMA_KAPPA = [{"key": "economy.sigma", "range": [4.0, 7.0]}, {"key": "economy.kappa", "range": [1e-3, 2e-3]}]
"""Each range is accepted at its ends alone, but (sigma - 1) kappa, at most 0.01, is above it in part of the box."""


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_every_design_point_a_rule_refuses_is_found(tmp_path, design):
    e = load_experiment(experiment_file(tmp_path, factors=SIGMA_KAPPA, design=design, samples=16))
    table = sample(e)
    refused = refused_points(e, table)
    decay = (table["economy.sigma"] - 1.0) * table["economy.kappa"]
    assert [point for point, _ in refused] == np.flatnonzero(decay > 0.01).tolist()
    assert 0 < len(refused) < len(table) and {p.rule for _, p in refused} == {"trade decay"}


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_a_sensitivity_design_with_a_refused_point_is_refused_before_anything_runs(tmp_path, design):
    """Its indices need every point's run: refused up front, naming the rule, how many points and the first."""
    path = experiment_file(tmp_path, factors=SIGMA_KAPPA, design=design, samples=16)
    with pytest.raises(ScenarioError) as caught:
        run_batch(load_experiment(path), tmp_path / "out")
    problem = caught.value.problems[0]
    assert problem.where == "factors" and "design points break the rule 'trade decay' (the first at" in problem.message
    assert not (tmp_path / "out").exists()
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", "batch", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "trade decay" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_grid_point_a_rule_refuses_fails_naming_the_base_scenario_and_the_rule(tmp_path):
    """Its runs fail, the others run; the error names the file the run's scenario came from, not '<scenario>'."""
    factors = [{"key": "economy.sigma", "values": [4.0, 7.0]}, {"key": "economy.kappa", "values": [1e-3, 2e-3]}]
    result = run_batch(
        load_experiment(experiment_file(tmp_path, factors=factors, years=0.25)), tmp_path / "o", workers=1
    )
    runs = result.runs.set_index(["factor:economy.sigma", "factor:economy.kappa"])
    assert runs.loc[(7.0, 2e-3), "status"] == "error" and (runs.drop(index=(7.0, 2e-3))["status"] == "ok").all()
    error = runs.loc[(7.0, 2e-3), "error"]
    assert error.startswith(f"{LINE}: (economy.sigma - 1) x economy.kappa = 0.012 per km"), error


@pytest.fixture(scope="module")
def corridor_tables():
    """A year of the teaching corridor: its summary and province panel."""
    from sez_sim.runs import run_scenario

    result = run_scenario(LINE, seed=1, years=1)
    return result.summary, result.provinces


@pytest.mark.parametrize("country", ["A", "B"])
def test_per_person_and_per_worker_outcomes_are_their_groups_own_ratios(corridor_tables, country):
    """GDP per capita of a country is its GDP over its people, its modern wage the wage bill over its workers."""
    summary, panel = corridor_tables
    end = panel[panel["year"] == panel["year"].max()]
    rows = end[end["country"] == country]
    per_capita = Outcome(name="x", table="provinces", column="gdp_per_capita", country=country)
    assert per_capita.aggregate == "mean"
    assert per_capita.value(summary, panel) == pytest.approx(rows["gdp"].sum() * 1e6 / rows["population"].sum())
    wage = Outcome(name="x", table="provinces", column="wage_m", country=country, aggregate="mean")
    expected = (rows["wage_m"] * rows["workers_m"]).sum() / rows["workers_m"].sum()
    assert wage.value(summary, panel) == pytest.approx(expected)
    one = Outcome(name="x", table="provinces", column="wage_a", provinces=[rows["province_id"].iat[0]])
    assert one.value(summary, panel) == pytest.approx(rows["wage_a"].iat[0])  # one province: its own value
    counts = Outcome(name="x", table="provinces", column="population", country=country)
    assert counts.aggregate == "sum" and counts.value(summary, panel) == pytest.approx(rows["population"].sum())


@pytest.mark.parametrize(
    "table, column",
    [("summary", c) for c in ("entrants", "exits", "migrants", "cross_border_migrants", "public_cost")]
    + [("provinces", c) for c in ("entrants", "exits", "migrants_in", "migrants_out")],
)
def test_a_change_of_a_flow_in_the_step_is_refused_at_its_path(tmp_path, corridor_tables, table, column):
    """Flows in a step are 0 at the start, which a change is relative to: refused before anything runs."""
    summary, panel = corridor_tables
    start = (summary if table == "summary" else panel[panel["step"] == 0])[column]
    assert (start.iloc[:1] if table == "summary" else start).eq(0).all()  # why: nothing happened before the start
    outcomes = [{"name": "x", "table": table, "column": column, "change": True}]
    with pytest.raises(ScenarioError) as caught:
        load_experiment(experiment_file(tmp_path, outcomes=outcomes))
    problem = caught.value.problems[0]
    assert problem.where == "outcomes[0].change" and f"{column} counts what happens during a step" in problem.message
    Outcome(name="x", table=table, column=column, over=(2019.25, 2020))  # its mean over years is fine


def test_a_change_from_zero_at_the_start_is_a_users_error_naming_the_outcome(corridor_tables):
    """A province's firms in zones where it has none at the start: no number, a message saying why."""
    summary, panel = corridor_tables
    first = panel[panel["step"] == 0]
    empty = first.loc[first["firms_in_zone"] == 0, "province_id"].iat[0]
    outcome = Outcome(name="zone_firms", table="provinces", column="firms_in_zone", provinces=[empty], change=True)
    with pytest.raises(ScenarioError) as caught:
        outcome.value(summary, panel)
    assert str(caught.value).startswith("outcome zone_firms: change: firms_in_zone is 0 at the start in this run")
    host = first.loc[first["firms_in_zone"] > 0, "province_id"]
    if len(host):  # a province with zone firms at the start has a change
        with_firms = outcome.model_copy(update={"provinces": [host.iat[0]]})
        assert np.isfinite(with_firms.value(summary, panel))


@pytest.mark.parametrize("since", [2019.25, 2019.5, 2019.6])  # 2019.6 lies nearest the step of 2019.5
def test_a_change_since_a_year_is_the_growth_from_that_years_step(corridor_tables, since):
    """``since`` moves what a change is relative to from the start to the step nearest a year: growth over a window,
    to the end or to the mean over years, in the summary and over provinces alike."""
    summary, panel = corridor_tables
    gdp = summary.set_index("year")["gdp"]
    base = gdp.iloc[int(np.argmin(np.abs(gdp.index.to_numpy() - since)))]
    assert Outcome(name="x", column="gdp", change=True, since=since).value(summary, panel) == pytest.approx(
        gdp.iloc[-1] / base - 1, rel=1e-12
    )
    window = Outcome(name="x", column="gdp", change=True, since=since, over=(2019.75, 2020))
    assert window.value(summary, panel) == pytest.approx(gdp[gdp.index >= 2019.75].mean() / base - 1, rel=1e-12)
    people = panel[panel["country"] == "A"].groupby("year")["population"].sum()
    country = Outcome(name="x", table="provinces", column="population", country="A", change=True, since=since)
    expected = people.iloc[-1] / people.iloc[int(np.argmin(np.abs(people.index.to_numpy() - since)))] - 1
    assert country.value(summary, panel) == pytest.approx(expected, rel=1e-12)
    whole = Outcome(name="x", column="gdp", change=True)
    assert whole.value(summary, panel) == pytest.approx(gdp.iloc[-1] / gdp.iloc[0] - 1, rel=1e-12)
    assert "since" not in whole.model_dump() and window.model_dump()["since"] == since  # fingerprints keep


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ({"since": 2019.5}, "since is the year a change is relative to: add change: true"),
        ({"change": True, "since": 2020, "at": 2019.5}, "since: 2020 must come before the years reported (2019.5)"),
        ({"change": True, "since": 2019.75, "over": [2019.5, 2020]}, "must come before the years reported (2019.5)"),
        ({"change": True, "since": 2010}, "year 2010 is outside the run (2019-2021)"),
        ({"change": True, "since": 2021}, "2021 falls on the first step reported (2021) or after it: no change"),
        ({"change": True, "since": 2020.9}, "2020.9 falls on the first step reported (2021)"),
        ({"change": True, "since": 2020.4, "at": 2020.5}, "2020.4 falls on the first step reported (2020.5)"),
        (
            {"change": True, "since": 2020.45, "over": [2020.5, 2021]},
            "2020.45 falls on the first step reported (2020.5)",
        ),
    ],
    ids=[
        "without-change",
        "after-at",
        "inside-over",
        "outside-the-run",
        "at-the-end",
        "nearest-the-end",
        "nearest-at",
        "nearest-the-window",
    ],
)
def test_a_bad_since_is_refused_at_its_outcome(tmp_path, outcome, message):
    outcomes = [{"name": "g", "column": "gdp"} | outcome]
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_experiment(experiment_file(tmp_path, outcomes=outcomes))


def test_compare_stops_with_the_outcomes_message_when_its_change_is_undefined(tmp_path, corridor_tables):
    """Exit 2 and the reason (the runs failed on the user's outcome), not a traceback of a division by zero."""
    _, panel = corridor_tables
    first = panel[panel["step"] == 0]
    empty = first.loc[first["firms_in_zone"] == 0, "province_id"].iat[0]
    outcome = f"{{name: z, table: provinces, column: firms_in_zone, provinces: [{empty}], change: true}}"
    args = ["compare", str(LINE), str(LINE), "--years", "1", "--outcome", outcome, "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "outcome z: change: firms_in_zone is 0 at the start in this run (2019)" in result.output
    assert "ScenarioError" not in result.output and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("steps_per_year", "over", "holds"),
    [
        (4, (2019.5, 2019.5), True),
        (4, (2019.6, 2019.7), False),
        (4, (2019.6, 2019.75), True),
        (1, (2019.25, 2019.75), False),
        (1, (2019.25, 2020), True),
        (12, (2019.08, 2019.09), True),
        (12, (2019.09, 2019.16), False),
    ],
)
def test_a_span_of_years_must_hold_a_step(steps_per_year, over, holds):
    """A mean over no step is no number: refused before anything runs, saying where the next step is."""
    from sez_sim.experiments.spec import outcome_problems

    geo = load_scenario(LINE).build_geography()
    outcome = Outcome(name="x", column="gdp", over=over)
    problems = outcome_problems(outcome, "x", geo, 2019, 2022, "f", steps_per_year=steps_per_year)
    assert (problems == []) == holds, problems
    steps = 2019 + np.arange(3 * steps_per_year + 1) / steps_per_year
    assert holds == bool(((steps >= over[0] - 1e-9) & (steps <= over[1] + 1e-9)).any())  # the rule, by brute force


@pytest.mark.parametrize(
    ("at", "over", "outside"),
    [
        ("end", (2027, 2027), [2027]),
        ("end", (2020, 2030), [2030]),
        (2030, None, [2030]),
        ("end", (2018, 2030), [2018, 2030]),
    ],
)
def test_each_year_outside_the_run_is_named_once(at, over, outside):
    """A one-year window (a claim's ``window: [2027, 2027]``) named its year twice: every refusal came in pairs."""
    from sez_sim.experiments.spec import outcome_problems

    geo = load_scenario(LINE).build_geography()
    outcome = Outcome(name="x", column="gdp", at=at, over=over)
    problems = outcome_problems(outcome, "x", geo, 2019, 2022, "f", steps_per_year=4)
    assert [p.message for p in problems] == [f"year {y} is outside the run (2019-2022)" for y in outside]


def test_a_sum_of_a_per_person_column_is_refused_at_its_path(tmp_path):
    outcomes = [{"name": "gdp_pc", "table": "provinces", "column": "gdp_per_capita", "aggregate": "sum"}]
    with pytest.raises(ScenarioError) as caught:
        load_experiment(experiment_file(tmp_path, outcomes=outcomes))
    problem = caught.value.problems[0]
    assert problem.where == "outcomes[0].aggregate" and "per person: a sum over provinces means nothing" in (
        problem.message
    )


def test_bad_experiment_files(tmp_path):
    for content, expected in (
        ({"factors": [{"key": "economy.nonsense", "values": [1]}]}, "neither a registry parameter"),
        ({"factors": [{"key": "economy.sigma"}], "design": "sobol"}, "at least two uncertain factors"),
        ({"factors": [{"key": "policies.0.province"}], "design": "lhs"}, "needs values, a range"),
        ({"design": "magic"}, "design"),
        ({"replicatez": 3}, "replicatez: unknown key"),
        ({"base": "nowhere.yaml"}, "scenario file not found"),
    ):
        with pytest.raises(ScenarioError, match=expected):
            load_experiment(experiment_file(tmp_path, **content))
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", "batch", str(tmp_path / "experiment.yaml")], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_library_experiments_load():
    names = {p.stem for p in (ROOT / "experiments").glob("*.yaml")}
    assert {"replicates_baseline", "ossc_delay_sweep", "sez_placement", "sobol_core"} <= names
    for path in (ROOT / "experiments").glob("*.yaml"):
        experiment = load_experiment(path)
        assert sample(experiment).shape[0] >= 1 and len(experiment.description) > 60


# ------------------------------------------------------------------------------------------- compare
def test_paired_interval_covers_a_known_difference_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(400):
        common = rng.normal(0, 5, 6)  # shared noise (common random numbers) ...
        a = pd.DataFrame({"y": 10 + common + rng.normal(0, 0.3, 6)})
        b = pd.DataFrame({"y": 10.5 + common + rng.normal(0, 0.3, 6)})  # ... and an injected effect of 0.5
        row = paired_differences(a, b, ["y"]).iloc[0]
        covered += row.ci_low <= 0.5 <= row.ci_high
    assert 0.92 <= covered / 400 <= 0.98


def _province_runs(relative: np.ndarray) -> tuple[list[pd.DataFrame], list[pd.DataFrame], pd.DataFrame]:
    """Paired replicates (rows of ``relative``) whose provinces' B / A - 1 are ``relative``, for province_effects."""
    ids = [f"P{i}" for i in range(relative.shape[1])]
    provinces = pd.DataFrame({"id": ids, "name": ids, "country": "AAA"})
    level = {"gdp": 100.0, "gdp_per_capita": 2.0, "workers_m": 5e4, "firms": 40.0}
    a = [pd.DataFrame({"province_id": ids} | level) for _ in relative]
    b = [pd.DataFrame({"province_id": ids} | {k: v * (1 + row) for k, v in level.items()}) for row in relative]
    return a, b, provinces


def test_province_effects_give_t_tests_and_hold_the_false_discovery_rate():
    """provinces.parquet's p_value is each province's t test (below 0.05 exactly where its interval excludes zero);
    q_value is Benjamini-Hochberg's over the provinces, and beyond_noise_fdr keeps the share of false discoveries
    among its provinces at 5% or less on average, where beyond_noise rings one in twenty of the untouched."""
    from scipy import stats

    from sez_sim.experiments.compare import province_effects

    rng = np.random.default_rng(11)
    real = np.arange(200) < 20  # a policy moves 20 of 200 provinces by 3-6%; the rest only by the runs' noise
    false_share, rung_by_chance, found = [], [], []
    for draw in range(60):
        relative = rng.normal(0.0, 0.01, (4, 200)) + real * rng.uniform(0.03, 0.06, 200)
        effect = province_effects(*_province_runs(relative))
        effect = effect[effect["outcome"] == "gdp_per_capita"]
        p = effect["p_value"].to_numpy()
        if draw < 3:
            np.testing.assert_allclose(p, stats.ttest_1samp(relative, 0.0).pvalue, rtol=1e-9)
            assert np.array_equal(effect["beyond_noise"].to_numpy(), p < 0.05)
            m = p.size  # Benjamini-Hochberg by its definition: the least p_(j) m / j over the ranks j from p_i up
            ranked = np.sort(p) * m / np.arange(1, m + 1)
            reference = np.minimum.accumulate(ranked[::-1])[::-1][np.searchsorted(np.sort(p), p)]
            np.testing.assert_allclose(effect["q_value"], np.minimum(reference, 1.0), rtol=1e-12)
        kept = effect["beyond_noise_fdr"].to_numpy()
        assert not (kept & ~effect["beyond_noise"].to_numpy()).any()
        false_share.append((kept & ~real).sum() / max(kept.sum(), 1))
        rung_by_chance.append(effect["beyond_noise"].to_numpy()[~real].mean())
        found.append(kept[real].mean())
    assert np.mean(false_share) <= 0.05 + 0.02
    assert 0.035 <= np.mean(rung_by_chance) <= 0.065
    assert np.mean(found) > 0.5  # four replicates find most effects three to six times the noise


def test_province_effects_of_runs_without_noise_or_with_one_replicate():
    """Replicates that all agree have no noise (p 0, or 1 where nothing changed); one replicate tests nothing."""
    from sez_sim.experiments.compare import province_effects

    relative = np.tile([0.02, 0.0, -0.01], (3, 1))
    effect = province_effects(*_province_runs(relative)).query("outcome == 'gdp'")
    assert effect["p_value"].tolist() == [0.0, 1.0, 0.0]
    assert effect["beyond_noise"].tolist() == effect["beyond_noise_fdr"].tolist() == [True, False, True]
    alone = province_effects(*_province_runs(relative[:1])).query("outcome == 'gdp'")
    assert alone[["p_value", "q_value", "ci_low"]].isna().all().all()
    assert not alone["beyond_noise"].any() and not alone["beyond_noise_fdr"].any()


def test_province_effects_where_a_has_none():
    """A province with no modern workers in A (a periphery emptied by agglomeration) has no relative change: 0 where
    B has none either, undefined where it has some, and neither counts as beyond the noise or among the tests."""
    import warnings

    from sez_sim.experiments.compare import province_effects

    a, b, provinces = _province_runs(np.tile([0.02, 0.0, 0.0], (3, 1)))
    for run in a:
        run.loc[1:, "workers_m"] = 0.0
    for k, run in enumerate(b):
        run.loc[1, "workers_m"] = 0.0
        run.loc[2, "workers_m"] = 100.0 * (k + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        effect = province_effects(a, b, provinces).query("outcome == 'workers_m'")
    assert effect["relative"].iloc[:2].tolist() == pytest.approx([0.02, 0.0]) and np.isnan(effect["relative"].iat[2])
    assert effect["beyond_noise"].tolist() == [True, False, False]
    assert effect["p_value"].iat[1] == 1.0 and np.isnan(effect["q_value"].iat[2])


def test_a_comparison_tells_where_modern_workers_went(tmp_path):
    """A zone and a corridor upgrade on the teaching line against neither: the provinces whose modern workers differ
    beyond the noise are in provinces.parquet (workers_m and firms beside GDP), and the command names the largest
    gains and losses."""
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump({"name": "bare", "extends": str(LINE), "policies": []}))
    out = tmp_path / "cmp"
    args = ["compare", str(bare), str(LINE), "--replicates", "3", "--years", "8", "--out", str(out)]
    result = CliRunner().invoke(app, args, terminal_width=400)
    assert result.exit_code == 0, result.output
    effects = pd.read_parquet(out / "provinces.parquet")
    assert set(effects["outcome"]) == {"gdp_per_capita", "gdp", "workers_m", "firms"}
    workers = effects[effects["outcome"] == "workers_m"]
    gained = workers[workers["beyond_noise"] & (workers["relative"] > 0)].sort_values("relative")
    assert len(gained) >= 2
    line = next(text for text in result.output.splitlines() if text.startswith("modern workers by province"))
    top = gained.iloc[-1]
    assert f"{len(workers[workers['beyond_noise']])} of 10 beyond the noise" in line
    assert f"most gained: {top['name']} {top['relative']:+.1%}" in line
    # and whose treasury pays (country_ledger.parquet): the zone is country B's (P05), so is its public cost
    ledger = pd.read_parquet(out / "country_ledger.parquet").set_index(["country", "measure"])["mean"]
    region = pd.read_parquet(out / "ledger.parquet").set_index("measure")["mean"]
    assert ledger["A", "public_cost"] == 0 and ledger["B", "public_cost"] == pytest.approx(region["public_cost"])
    assert region["public_cost"] > 0
    table = result.output[result.output.index("by country, B - A over the run") :].splitlines()
    for country in ("A", "B"):
        row = next(text for text in table if text.startswith(f"│ {country} "))
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        assert cells[1:3] == [f"{ledger[country, m]:,.1f}" for m in ("public_cost", "profit_tax_change")]
        assert cells[4:] == [f"{ledger[country, m]:,.1f}" for m in ("tax_rate_effect", "tax_base_effect")]


def test_country_effects_sum_provinces_and_test_each_country_as_paired_runs_do():
    """countries.parquet: a country's GDP and population are its provinces' sums, its GDP per capita their ratio;
    B / A - 1 per replicate, its mean and Student-t interval. Here B moves GDP from country X to country Y (and
    some people with it), by a share that differs by replicate."""
    from scipy import stats

    from sez_sim.experiments.compare import country_effects

    provinces = pd.DataFrame({"id": ["a", "b", "c", "d", "e"], "country": ["Y", "X", "Y", "X", "Z"]})
    gdp = np.array([100.0, 300.0, 50.0, 200.0, 80.0])
    people = np.array([1e5, 2e5, 1e5, 3e5, 4e4])
    moved = np.array([0.01, 0.03, 0.02, 0.05])  # of X's GDP, to Y, in each replicate

    def run(gdp, people):  # rows in another order than the provinces', as a panel may have them
        return pd.DataFrame({"province_id": provinces["id"], "gdp": gdp, "population": people}).iloc[::-1]

    a = [run(gdp, people) for _ in moved]
    b = []
    for m in moved:
        g, n = gdp.copy(), people.copy()
        g[[1, 3]] *= 1 - m  # X loses m of its GDP ...
        g[0] += m * 500.0  # ... which Y gains, in province a
        n[1] -= 1000.0
        n[0] += 1000.0
        b.append(run(g, n))
    effect = country_effects(a, b, provinces).set_index(["outcome", "country"])
    assert effect.loc["gdp"].index.tolist() == ["Y", "X", "Z"]  # in the provinces' order
    gdp_x = effect.loc[("gdp", "X")]
    assert gdp_x["relative"] == pytest.approx(-moved.mean()) and gdp_x["mean_a"] == 500.0
    half = stats.t.ppf(0.975, 3) * moved.std(ddof=1) / 2
    assert gdp_x["ci_high"] - gdp_x["relative"] == pytest.approx(half) and gdp_x["beyond_noise"]
    y = (150.0 + 500.0 * moved) / 150.0 - 1.0
    assert effect.loc[("gdp", "Y"), "relative"] == pytest.approx(y.mean())
    per_capita = (150.0 + 500.0 * moved) / 2.01e5 / (150.0 / 2e5) - 1.0
    assert effect.loc[("gdp_per_capita", "Y"), "relative"] == pytest.approx(per_capita.mean())
    assert effect.loc[("gdp_per_capita", "Y"), "mean_a"] == pytest.approx(1e6 * 150.0 / 2e5)
    assert effect.loc[("population", "X"), "relative"] == pytest.approx(-1000.0 / 5e5)
    untouched = effect.xs("Z", level="country")
    assert (untouched["relative"] == 0).all() and not untouched["beyond_noise"].any()
    alone = country_effects(a[:1], b[:1], provinces)
    assert alone["ci_low"].isna().all() and not alone["beyond_noise"].any()


def test_compare_recovers_the_home_market_effect():
    """B raises region 1's expenditure share from 0.55 to 0.6: theory moves 1,000 firms' split by a known amount."""
    fc = ROOT / "scenarios/textbook/footloose_capital.yaml"
    base = ["run.years=25", "agents.sampling=independent", "geography.synthetic.freeness=0.3"]

    a = load_scenario(fc, [*base, "geography.synthetic.population_shares=[0.55, 0.45]"])
    b = load_scenario(fc, [*base, "geography.synthetic.population_shares=[0.6, 0.4]"])
    share = Outcome(name="region1_firms", table="provinces", column="firms", provinces=["R1"], over=[2039, 2044])
    result = compare(a, b, replicates=4, outcomes=[share], workers=1)
    row = result.differences.iloc[0]
    expected = 1000 * (home_market_share(0.6, 0.3) - home_market_share(0.55, 0.3))  # 92.9 firms
    assert row.ci_low <= expected <= row.ci_high
    assert row.ci_high - row.ci_low < 10


def test_the_ledger_shows_what_a_regional_tax_cut_costs_the_treasury(tmp_path):
    """No public spending, and profit tax forgone: a cut in B's border provinces (20% to 5%) from 2020 collects less
    over the run, about in proportion to how long it lasts (a quarter against the run's last two years)."""
    cut = {"type": "corporate_tax", "provinces": ["P05", "P06"], "rate": 0.05, "start_year": 2020}
    files = []
    for name, policies in (("cut", [cut]), ("brief", [cut | {"end_year": 2020.25}])):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"name": name, "extends": str(LINE), "policies": policies}))
        files.append(path)
    base = tmp_path / "base.yaml"
    base.write_text(yaml.safe_dump({"name": "base", "extends": str(LINE), "policies": []}))
    results = [compare(base, f, replicates=2, years=3) for f in files]
    ledgers = [result.ledger.set_index("measure")["mean"] for result in results]
    lasting, brief = (ledger["profit_tax_change"] for ledger in ledgers)
    assert all(ledger["public_cost"] == 0 for ledger in ledgers)
    assert lasting < 4 * brief < 0  # one quarter's cut against eight quarters'
    # The rate's part is the 15 points on the profit the two provinces' firms make without the cut, while it lasts;
    # the rest is the tax on the profit the cut draws in (taxed at 5%) from the other provinces (at 20%).
    from sez_sim.runs import simulate

    without = [simulate(load_scenario(base), seed=seed, years=3).provinces for seed in (1, 2)]
    cut_steps = without[0].loc[without[0]["year"] > 2020, "step"].unique()
    assert len(cut_steps) == 8
    targeted = [p[p["province_id"].isin(["P05", "P06"]) & p["step"].isin(cut_steps)] for p in without]
    windfall = -0.15 * np.mean([p["taxable_profit"].sum() for p in targeted])
    ledger = ledgers[0]
    assert ledger["tax_rate_effect"] == pytest.approx(windfall, rel=1e-9)
    assert ledger["tax_rate_effect"] + ledger["tax_base_effect"] == pytest.approx(lasting, rel=1e-9)
    assert ledger["tax_base_effect"] != 0.0
    # By country: the two provinces are country B's, whose treasury pays the windfall; country A's rates are as
    # they were, so it changes only by the base drawn from it. The countries add up to the ledger.
    by_country = results[0].country_ledger.set_index(["country", "measure"])["mean"]
    for measure in COUNTRY_MEASURES:
        assert by_country.xs(measure, level="measure").sum() == pytest.approx(ledger[measure], rel=1e-9)
    assert by_country["B", "tax_rate_effect"] == pytest.approx(windfall, rel=1e-9)
    assert abs(by_country["A", "tax_rate_effect"]) < 1e-9 * abs(windfall)
    assert by_country["A", "profit_tax_change"] == pytest.approx(by_country["A", "tax_base_effect"])


def test_compare_writes_tables_and_figure(tmp_path):
    calls = []
    result = compare(
        LINE,
        LINE,
        replicates=2,
        years=1,
        out=tmp_path / "cmp",
        overrides=["policies=[]"],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert (tmp_path / "cmp/figures/comparison.png").exists()
    assert (tmp_path / "cmp/differences.parquet").exists()
    np.testing.assert_allclose(result.differences["difference"], 0.0)  # the same scenario on the same seeds
    assert pd.read_parquet(tmp_path / "cmp/ledger.parquet")["measure"].tolist() == list(LEDGER_MEASURES)
    ledger = result.ledger.set_index("measure")["mean"]
    assert ledger["public_cost"] == 0 and ledger["gdp_gain"] == 0 and ledger["npv"] == 0
    manifest = json.loads((tmp_path / "cmp/manifest.json").read_text())
    ran = load_scenario(LINE, ["policies=[]", "run.years=1"])
    assert manifest["a"]["scenario_hash"] == manifest["b"]["scenario_hash"] == ran.digest()
    assert manifest["a"]["scenario"]["policies"] == [] and manifest["seeds"] == [1, 2]  # what ran, overrides applied
    assert [o["name"] for o in manifest["outcomes"]] == result.differences["outcome"].tolist()
    assert {"sez_sim_version", "git_commit", "versions", "platform", "command", "timings_seconds"} <= set(manifest)
    provinces = pd.read_parquet(tmp_path / "cmp/provinces.parquet")
    assert len(provinces) == 4 * 10 and set(provinces["outcome"]) == {"gdp", "gdp_per_capita", "workers_m", "firms"}
    ledger = result.ledger.set_index("measure")["mean"]
    assert ledger["profit_tax_change"] == ledger["tax_rate_effect"] == ledger["tax_base_effect"] == 0
    by_country = pd.read_parquet(tmp_path / "cmp/country_ledger.parquet")
    assert len(by_country) == 2 * 4 and (by_country["mean"] == 0).all() and set(by_country["country"]) == {"A", "B"}
    assert (provinces["relative"] == 0).all() and (tmp_path / "cmp/figures/effect_map.png").exists()
    assert (tmp_path / "cmp/figures/workers_map.png").exists()
    countries = pd.read_parquet(tmp_path / "cmp/countries.parquet")
    assert set(countries["outcome"]) == {"gdp", "gdp_per_capita", "population"} and (countries["relative"] == 0).all()
    # The countries' GDP adds up to the region's, replicate by replicate and so on average.
    gdp = result.differences.set_index("outcome").loc["gdp", "mean_a"]
    assert countries.query("outcome == 'gdp'")["mean_a"].sum() == pytest.approx(gdp, rel=1e-12)


def test_compare_gives_each_provinces_effect_as_paired_runs_do(tmp_path):
    """provinces.parquet: per province, the mean over the replicates of B's end over A's on the same seed, with the
    interval of that mean (docs/experiments.md); here the teaching corridor's zone against no zone."""
    from sez_sim.runs import simulate
    from sez_sim.viz.figures import gdp_per_capita_change

    bare = load_scenario(LINE, ["policies=[]", "run.years=2"])
    zone = load_scenario(LINE, ["run.years=2"])
    result = compare(bare, zone, replicates=3, seed=4, workers=1)
    effect = result.provinces[result.provinces["outcome"] == "gdp_per_capita"]
    direct = [gdp_per_capita_change(simulate(zone, seed=s), simulate(bare, seed=s)) / 100 for s in (4, 5, 6)]
    np.testing.assert_allclose(effect["relative"], np.mean(direct, axis=0), rtol=1e-12, atol=1e-15)
    sd = np.std(direct, axis=0, ddof=1)
    np.testing.assert_allclose(effect["ci_high"] - effect["relative"], 4.302653 * sd / np.sqrt(3), rtol=1e-5)
    assert np.abs(effect["relative"]).max() > 0 and effect["province_id"].tolist() == [f"P{i:02d}" for i in range(10)]
    assert effect["beyond_noise"].equals((effect["ci_low"] > 0) | (effect["ci_high"] < 0))


def test_a_comparison_on_a_local_cluster_equals_one_in_local_processes():
    """Where the paired runs run changes no number: every table of the comparison is the same."""
    bare = load_scenario(LINE, ["policies=[]", "run.years=1"])
    zone = load_scenario(LINE, ["run.years=1"])
    local = compare(bare, zone, replicates=2, workers=2)
    dask = compare(bare, zone, replicates=2, dask_local=2)
    for table in ("runs", "differences", "series", "ledger", "provinces", "countries", "country_ledger"):
        pd.testing.assert_frame_equal(getattr(dask, table), getattr(local, table))
    assert local.differences["difference"].abs().max() > 0


def test_a_stopped_comparison_resumes_from_the_runs_it_kept(tmp_path):
    """Runs are kept beside the output as they finish; the same comparison into the same folder runs only the rest
    and gives what one without a stop gives; a kept run that cannot be read, or of another task, is run again."""
    bare = load_scenario(LINE, ["policies=[]", "run.years=1"])
    zone = load_scenario(LINE, ["run.years=1"])
    out = tmp_path / "cmp"

    def stop_at(runs: int, calls: list):
        def progress(done: int, total: int) -> None:
            calls.append((done, total))
            if done == runs:
                raise KeyboardInterrupt

        return progress

    with pytest.raises(KeyboardInterrupt):
        compare(bare, zone, replicates=3, out=out, progress=stop_at(3, []))
    assert not out.exists() and sorted(p.stem for p in run_store(out).glob("*.json")) == ["A0", "A1", "A2"]
    (run_store(out) / "A1" / "summary.parquet").write_bytes(b"PAR1")  # cut short
    calls = []
    resumed = compare(bare, zone, replicates=3, out=out, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2, 6), (3, 6), (4, 6), (5, 6), (6, 6)]  # A0 and A2 kept, A1 and B run
    assert not run_store(out).exists() and (out / "differences.parquet").exists()
    fresh = compare(bare, zone, replicates=3)
    for table in ("runs", "differences", "series", "ledger", "provinces", "countries", "country_ledger"):
        pd.testing.assert_frame_equal(getattr(resumed, table), getattr(fresh, table))
    with pytest.raises(KeyboardInterrupt):
        compare(bare, zone, replicates=3, out=out, progress=stop_at(1, []))
    calls = []
    compare(bare, zone, replicates=3, seed=4, out=out, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (1, 6)  # the kept A0 ran on seed 1, this A0 on seed 4


def test_a_comparison_whose_runs_fail_says_where_the_finished_ones_are_kept(tmp_path, monkeypatch):
    """A run that fails stops the comparison with its reason and where the others were kept; run again once its
    cause is gone, the same comparison runs only that one."""
    from sez_sim.experiments import executors

    bare = load_scenario(LINE, ["policies=[]", "run.years=1"])
    zone = load_scenario(LINE, ["run.years=1"])
    out = tmp_path / "cmp"
    run = executors._run

    def fails_b1(task):
        return run(task) if task["key"] != "B1" else {"key": "B1", "status": "error", "error": "disk full"}

    monkeypatch.setattr(executors, "_run", fails_b1)
    says = re.escape("1 of 4 runs failed; the first (B1): disk full (the 3 that finished")
    with pytest.raises(RuntimeError, match=says) as err:
        compare(bare, zone, replicates=2, out=out, workers=1)
    assert f"are kept in {run_store(out)}: the same command runs only the others again" in str(err.value)
    monkeypatch.setattr(executors, "_run", run)
    calls = []
    compare(bare, zone, replicates=2, out=out, workers=1, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(3, 4), (4, 4)] and (out / "differences.parquet").exists() and not run_store(out).exists()


TWO_REGIONS = ROOT / "scenarios/textbook/core_periphery.yaml"


@pytest.mark.parametrize(
    ("b", "where", "says"),
    [
        ({"extends": str(TWO_REGIONS)}, "economy.preset", "core_periphery, against gms in A"),
        (
            {"geography": {"synthetic": {"kind": "line", "n": 12}}},
            "geography",
            "B has 2 province(s) A lacks (P10, P11)",
        ),
        ({"geography": {"synthetic": {"kind": "line", "n": 8}}}, "geography", "A has 2 province(s) B lacks (P08, P09)"),
        ({"run": {"years": 3}}, "run.years", "3, against 15 in A: paired runs need one calendar; give --years"),
        ({"run": {"start_year": 2020}}, "run.start_year", "2020, against 2019 in A"),
        ({"run": {"steps_per_year": 12}}, "run.steps_per_year", "12, against 4 in A"),
    ],
    ids=["preset", "more-provinces", "fewer-provinces", "years", "start-year", "steps-per-year"],
)
def test_compare_refuses_scenarios_that_cannot_be_paired(tmp_path, b, where, says):
    """Paired runs subtract A from B seed by seed and date by date: one economy, the same provinces, one calendar."""
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump({"name": "b", "extends": str(LINE), "policies": []} | b))
    with pytest.raises(ScenarioError) as caught:
        compare(LINE, path, replicates=2)
    problem = caught.value.problems[0]
    assert (problem.source, problem.where) == (str(path), where) and says in problem.message
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(LINE), str(path), "--replicates", "2", "--out", str(out)])
    assert result.exit_code == 2 and where in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_compare_pairs_scenarios_that_differ_in_anything_but_economy_provinces_and_calendar(tmp_path):
    """Agent resolution, distances, parameters and policies may differ: that is what comparisons are for."""
    path = tmp_path / "b.yaml"
    b = {
        "name": "b",
        "extends": str(LINE),
        "geography": {"synthetic": {"kind": "line", "n": 10, "spacing_km": 90}},
        "agents": {"persons_per_agent": 2000},
        "economy": {"sigma": 4.5},
    }
    path.write_text(yaml.safe_dump(b))
    result = compare(LINE, path, replicates=2, years=0.5)
    assert len(result.runs) == 4 and np.isfinite(result.differences["difference"]).all()


@pytest.mark.parametrize("given", ["run.seed=3", "run={seed: 3}"])
def test_compare_refuses_a_seed_it_would_ignore(tmp_path, given):
    """Dotted or nested: a nested seed set only the run section's seed, and so slipped past."""
    for overrides in ({"run.seed": 3}, {"run": {"seed": 3}}):
        with pytest.raises(ScenarioError, match="run.seed would be ignored"):
            compare(LINE, LINE, replicates=2, overrides=overrides)
    args = ["compare", str(LINE), str(LINE), "--set", given, "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 2 and "--set run.seed: run.seed would be ignored" in result.output
    assert not (tmp_path / "out").exists()


def test_compare_takes_outcomes_of_places_from_the_command_line(tmp_path):
    """A host's GDP is compared beside the headline aggregates; an outcome the runs cannot report stops it first."""
    host = "{name: host_gdp, table: provinces, column: gdp, provinces: [P05], change: true}"
    out = tmp_path / "cmp"
    args = ["compare", str(LINE), str(LINE), "--replicates", "2", "--years", "1", "--set", "policies=[]"]
    result = CliRunner().invoke(app, [*args, "--outcome", host, "--out", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    differences = pd.read_parquet(out / "differences.parquet").set_index("outcome")
    assert list(differences.index[-2:]) == ["foreign_firms", "host_gdp"] and differences.loc["host_gdp", "unit"] == (
        "relative change"
    )
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["host_gdp"].notna().all() and differences.loc["host_gdp", "difference"] == 0.0  # A is B
    for bad, says in (
        ("{name: gdp, column: gdp}", "outcomes: gdp: named twice"),
        ("{name: x, table: provinces, column: gdp, provinces: [P55]}", "outcomes: x.provinces[0]: unknown province"),
        ("{name: x, colum: gdp}", "colum: unknown key; did you mean 'column'?"),
        ("x", "'x' is not an outcome; give a mapping"),
        ("{name: x, column: gdp, over: [2030, 2031]}", "year 2030 is outside the run (2019-2020)"),
        (
            "{name: x, column: gdp, over: [2019.6, 2019.7]}",
            "x.over: [2019.6, 2019.7] holds no step of the run (every 0.25 years from 2019; the next is 2019.75)",
        ),
    ):
        result = CliRunner().invoke(app, [*args, "--outcome", bad, "--out", str(tmp_path / "bad")], terminal_width=200)
        assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output, (
            bad,
            result.output,
        )
        assert not (tmp_path / "bad").exists()


def ledger_series(gdp_gain: float, cost: list[float], jobs: float, replicates: int = 3) -> pd.DataFrame:
    """Per-step summaries of paired runs (quarterly, from 2019): B gains ``gdp_gain`` a year from step 1 on and
    spends ``cost[k]`` more in step k; it ends with ``jobs`` more modern jobs and collects US$ 3 m less profit tax
    a step (A collects 100; nothing at the start, a moment)."""
    frames = []
    steps = len(cost)
    for r in range(replicates):
        year = 2019 + np.arange(steps) / 4
        a = pd.DataFrame(
            {"step": range(steps), "year": year, "gdp": 1e3, "public_cost": 1.0, "modern_jobs": 5e4, "zone_jobs": 9e3}
        ).assign(profit_tax=100.0 * (np.arange(steps) > 0))
        b = a.assign(
            gdp=1000.0 + gdp_gain * (np.arange(steps) > 0),
            public_cost=1.0 + np.asarray(cost),
            modern_jobs=5e4 + jobs * np.arange(steps) / (steps - 1),
            zone_jobs=9e3 + 2 * jobs * np.arange(steps) / (steps - 1),  # half the zone's jobs were drawn from elsewhere
            profit_tax=97.0 * (np.arange(steps) > 0),
        )
        frames += [a.assign(scenario="A", replicate=r), b.assign(scenario="B", replicate=r)]
    return pd.concat(frames, ignore_index=True)


def ledger_taxes(series: pd.DataFrame) -> pd.DataFrame:
    """The tax effects of :func:`ledger_series`'s profit tax in one province: A's at 20% of US$ 500 m, B's at 10% of
    970 (:func:`tax_effects`)."""
    rate = np.where(series["scenario"] == "A", 0.2, 0.1)
    taxes = series[["scenario", "replicate", "step", "profit_tax"]].assign(
        province_id="P01", taxable_profit=series["profit_tax"] / rate
    )
    return tax_effects(taxes, pd.DataFrame({"id": ["P01"], "country": ["AAA"]}))


def test_the_public_ledger_prices_jobs_and_discounts_the_net_gain():
    cost = [0.0, 20.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]  # US$ 40 m in the first half year, two years run
    series = ledger_series(8.0, cost, jobs=2000.0)
    ledger = public_ledger(series, ledger_taxes(series), discount_rate=0.1).set_index("measure")
    assert ledger.loc["public_cost", "mean"] == pytest.approx(40.0)
    assert ledger.loc["jobs_created", "mean"] == pytest.approx(2000.0)
    assert ledger.loc["cost_per_job", "mean"] == pytest.approx(20_000.0)  # US$ 40 m for 2,000 jobs
    assert ledger.loc["zone_jobs_created", "mean"] == pytest.approx(4000.0)
    assert ledger.loc["cost_per_zone_job", "mean"] == pytest.approx(10_000.0)
    assert ledger.loc["gdp_gain", "mean"] == pytest.approx(16.0)  # US$ 8 m a year for two years
    assert ledger.loc["gdp_per_public_dollar", "mean"] == pytest.approx(0.4)
    t = np.arange(1, 9) / 4
    expected = np.sum((2.0 - np.asarray(cost[1:])) * 1.1**-t)
    assert ledger.loc["npv", "mean"] == pytest.approx(expected)  # the tax is a transfer: not in the NPV
    assert ledger.loc["profit_tax_change", "mean"] == pytest.approx(-24.0)  # US$ 3 m less in each of eight steps
    assert ledger.loc["tax_rate_effect", "mean"] == pytest.approx(-400.0)  # 10 points of A's US$ 500 m, eight times
    assert ledger.loc["tax_base_effect", "mean"] == pytest.approx(376.0)  # 10% of the US$ 470 m more, eight times
    assert (ledger["ci_high"] - ledger["ci_low"]).abs().max() < 1e-9  # identical replicates
    assert ledger["unit"].tolist() == list(LEDGER_MEASURES.values())


def test_no_jobs_created_leaves_the_cost_per_job_undefined():
    series = ledger_series(0.0, [0.0, 5.0, 0.0], jobs=-100.0)
    ledger = public_ledger(series, ledger_taxes(series), 0.09).set_index("measure")
    assert np.isnan(ledger.loc["cost_per_job", "mean"]) and ledger.loc["public_cost", "mean"] == pytest.approx(5.0)
    assert np.isnan(ledger.loc["cost_per_zone_job", "mean"])


def test_the_same_spending_in_other_places_is_no_extra_public_money():
    """Two scenarios with the same zones in other places spend the same up to the rounding of their sums: the
    ledger must not divide the GDP gain by that rounding error (a comparison printed 4e13 US$ per US$)."""
    cost = [0.0, 20.0, 20.0, 0.0, 0.0]
    series = ledger_series(8.0, cost, jobs=2000.0)
    b = series["scenario"] == "B"
    series.loc[b, "public_cost"] = series.loc[~b, "public_cost"].to_numpy() + 3e-15
    ledger = public_ledger(series, ledger_taxes(series), discount_rate=0.1).set_index("measure")["mean"]
    assert ledger["public_cost"] == 0.0 and np.isnan(ledger["gdp_per_public_dollar"])
    assert ledger["cost_per_job"] == 0.0 and ledger["gdp_gain"] == pytest.approx(8.0)
    series.loc[b, "public_cost"] += 1e-6  # a real dollar more a step is spending
    ledger = public_ledger(series, ledger_taxes(series), discount_rate=0.1).set_index("measure")["mean"]
    assert ledger["public_cost"] == pytest.approx(5e-6) and ledger["gdp_per_public_dollar"] == pytest.approx(8.0 / 5e-6)


def tax_runs(tax: np.ndarray, taxable: np.ndarray) -> pd.DataFrame:
    """A run's province table of profit tax and taxable profit, (steps, provinces) each."""
    steps, provinces = np.indices(tax.shape)
    return pd.DataFrame(
        {
            "step": steps.ravel(),
            "province_id": [f"P{p:02d}" for p in provinces.ravel()],
            "profit_tax": tax.ravel(),
            "taxable_profit": taxable.ravel(),
        }
    )


def test_a_tax_change_splits_into_the_rates_part_and_the_bases_province_by_province():
    """A cut from 20% to 10% in one province that draws US$ 100 m of profit from another that keeps 20%: the cut
    gives up 10 points of the first's US$ 500 m; the base it draws in pays 10% where it goes and no longer 20% where
    it left. A province with no taxable profit in one run counts all its tax as the base's."""
    a = tax_runs(np.array([[100.0, 60.0, 0.0]]), np.array([[500.0, 300.0, 0.0]]))
    b = tax_runs(np.array([[60.0, 40.0, 5.0]]), np.array([[600.0, 200.0, 25.0]]))
    rate_effect, base_effect = tax_split(a, b)
    assert rate_effect == pytest.approx(-50.0)
    assert base_effect == pytest.approx(10.0 - 20.0 + 5.0)
    assert tax_split(b.iloc[::-1], a) == pytest.approx((60.0 - 5.0, -20.0 + 20.0))  # back again; rows in any order
    with pytest.raises(ValueError, match="same steps and provinces"):
        tax_split(a, b.iloc[:2])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda provinces: st.lists(
            st.tuples(
                st.floats(-0.3, 0.6), st.floats(0.0, 1e3), st.floats(-0.3, 0.6), st.floats(0.0, 1e3), st.booleans()
            ),
            min_size=provinces * 2,
            max_size=provinces * 2,
        ).map(lambda cells: (provinces, cells))
    )
)
def test_the_two_parts_of_a_tax_change_add_up_to_it(case):
    provinces, cells = case
    rate_a, base_a, rate_b, base_b, empty = np.array(cells, dtype=float).T.reshape(5, 2, provinces)
    base_a = np.where(empty > 0, 0.0, base_a)  # no taxable profit in A: it paid nothing
    a, b = tax_runs(rate_a * base_a, base_a), tax_runs(rate_b * base_b, base_b)
    total = (b["profit_tax"] - a["profit_tax"]).sum()
    assert sum(tax_split(a, b)) == pytest.approx(total, abs=1e-9 * (1.0 + np.abs(b["profit_tax"]).sum()))


# ------------------------------------------------------------------------------------------- batches
SWEEP = {
    "factors": [{"key": "policies.0.capacity_jobs", "values": [5000, 10000, 20000, 30000, 40000, 50000]}],
    "replicates": 1,
    "years": 3,
}


def test_batch_records_each_run_and_its_time_series(tmp_path):
    path = experiment_file(tmp_path, **SWEEP)
    result = run_batch(load_experiment(path), tmp_path / "out", workers=1)
    runs = pd.read_parquet(tmp_path / "out/runs.parquet")
    assert len(runs) == 6 and (runs["status"] == "ok").all() and result.failed == 0
    assert {"factor:policies.0.capacity_jobs", "replicate", "seed", "gdp", "status", "seconds"} <= set(runs.columns)
    series = pd.read_parquet(tmp_path / "out/timeseries")
    assert series["run"].nunique() == 6 and len(series) == 6 * 13
    assert runs["gdp"].iloc[-1] > runs["gdp"].iloc[0]  # a far bigger zone, more GDP (same seed)


def test_a_finished_run_leaves_no_model_behind_in_its_worker(tmp_path):
    # Models and their agents form reference cycles; a worker running model after model must free each one (its
    # memory grew step-wise over a Sobol batch until run_task collected them).
    path = experiment_file(tmp_path, **(SWEEP | {"years": 1}))
    _, tasks = tasks_for(load_experiment(path))

    def alive() -> int:
        return sum(isinstance(o, model.SEZModel) for o in gc.get_objects())

    gc.collect()
    before = alive()
    records = [run_task(task) for task in tasks[:3]]
    assert alive() == before
    assert all(r["status"] == "ok" and r["worker"] == os.getpid() and r["worker_rss_mb"] > 0 for r in records)
    stored = run_batch(load_experiment(path), tmp_path / "out", workers=1).folder / "runs"
    record = yaml.safe_load(next(stored.glob("*.json")).read_text())
    assert record["worker"] == os.getpid() and record["worker_rss_mb"] > 0


def test_a_pool_worker_keeps_what_it_imported_out_of_the_cycle_collection_after_each_run(tmp_path):
    # A full collection walks every object a process tracks: in a worker, sez-sim's and its libraries' 140,000 or so,
    # 60-100 ms after every run until they were frozen; what a run makes is still collected (the test above).
    path = experiment_file(tmp_path, **(SWEEP | {"years": 0.25}))
    _, tasks = tasks_for(load_experiment(path))
    with worker_pool(1) as pool:
        assert pool.submit(gc.get_freeze_count).result() > 50_000
        record = pool.submit(run_task, tasks[0]).result()
        assert record["status"] == "ok" and record["worker"] != os.getpid()


SERIAL_PROBE = """
import gc, json
from sez_sim.experiments import executors

during = []
executors._run = lambda task: during.append(gc.get_freeze_count()) or {"key": task["key"]}
keys = [r["key"] for r in executors.run_here([{"key": 1}, {"key": 2}])]
after = gc.get_freeze_count()
stopped = executors.run_here([{"key": 3}, {"key": 4}])
next(stopped)
stopped.close()
after_stop = gc.get_freeze_count()
gc.freeze()
own = gc.get_freeze_count()
list(executors.run_here([{"key": 5}]))
print(json.dumps({"keys": keys, "during": during, "after": [after, after_stop], "own": [own, gc.get_freeze_count()]}))
"""


def test_runs_in_this_process_keep_what_it_held_before_them_out_of_each_runs_collection():
    # In a process that froze nothing (the command, a notebook), what it holds before the runs (at least the
    # libraries it imported) is frozen while they go and handed back after, also when they are stopped part way;
    # a process that froze objects itself keeps them frozen (the other tests here run in one: tests/conftest.py).
    proc = subprocess.run([sys.executable, "-c", SERIAL_PROBE], capture_output=True, text=True, check=True)
    seen = json.loads(proc.stdout)
    assert seen["keys"] == [1, 2]
    assert len(seen["during"]) == 4 and min(seen["during"][:3]) > 20_000
    assert seen["after"] == [0, 0]
    assert seen["during"][3] == seen["own"][0] == seen["own"][1] > 20_000


def test_a_failing_run_is_recorded_and_the_batch_goes_on(tmp_path, monkeypatch):
    # Every value is valid (checked before the batch starts); the short-run solver is made to fail at one of them,
    # as it can in far corners of the parameter space (a batch of one worker runs in this process).
    solve = model.solve

    def failing(market, *args):
        if market.max_iterations == 10:
            raise ConvergenceError("short-run equilibrium did not converge in 10 iterations", ("economy.sigma",))
        return solve(market, *args)

    monkeypatch.setattr(model, "solve", failing)
    path = experiment_file(tmp_path, factors=[{"key": "economy.solver_max_iterations", "values": [2000, 10]}])
    result = run_batch(load_experiment(path), tmp_path / "out", workers=1)
    runs = result.runs.set_index("factor:economy.solver_max_iterations")
    assert runs.loc[2000, "status"] == "ok" and runs.loc[10, "status"] == "error"
    assert "did not converge" in runs.loc[10, "error"] and result.failed == 1


def test_a_batch_with_failed_runs_says_why_and_exits_1(tmp_path, corridor_tables):
    """Everything is written, the first failure's message is printed, and the exit code tells a script."""
    _, panel = corridor_tables
    first = panel[panel["step"] == 0]
    empty = first.loc[first["firms_in_zone"] == 0, "province_id"].iat[0]
    outcomes = [{"name": "z", "table": "provinces", "column": "firms_in_zone", "provinces": [empty], "change": True}]
    path = experiment_file(tmp_path, outcomes=outcomes, years=1, replicates=2)
    out = tmp_path / "out"
    args = ["batch", str(path), "--out", str(out), "--quiet", "--workers", "1"]
    result = CliRunner().invoke(app, args, terminal_width=200)
    assert result.exit_code == 1, result.output
    assert "2 run(s) failed; the first (" in result.output and "firms_in_zone is 0 at the start" in result.output
    assert "running the batch again retries the failed runs" in result.output and "Traceback" not in result.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["status"] == "error").all() and runs["error"].str.startswith("outcome z: change:").all()


def _cli_batch(path: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sez_sim", "batch", str(path), "--out", str(out), "--quiet", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_batch_resumes_without_redoing_finished_runs(tmp_path):
    path = experiment_file(tmp_path, **SWEEP)
    out = tmp_path / "killed"
    proc = _cli_batch(path, out, "--workers", "1")
    deadline = time.time() + 120
    while len(list((out / "runs").glob("*.json"))) < 2 and time.time() < deadline:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    assert 2 <= len(finished) < 6
    rerun = _cli_batch(path, out, "--workers", "1")
    stdout, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert f"{6 - len(finished)} run(s) done, {len(finished)} already finished" in " ".join(stdout.split())
    for name, mtime in finished.items():  # not run again
        assert (out / "runs" / name).stat().st_mtime_ns == mtime
    whole = run_batch(load_experiment(path), tmp_path / "whole", workers=1)
    resumed = pd.read_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(resumed.drop(columns=["seconds"]), whole.runs.drop(columns=["seconds"]))


def test_a_resumed_batch_runs_again_what_other_code_stored(tmp_path, monkeypatch):
    """A record names the code that ran it: after an upgrade or an edit, resuming recomputes instead of mixing."""
    path = experiment_file(tmp_path, **SWEEP)
    out = tmp_path / "out"
    first = run_batch(load_experiment(path), out, workers=1)
    records = sorted((out / "runs").glob("*.json"))
    assert first.done == 6 and {json.loads(r.read_text())["code"] for r in records} == {code_digest()}
    older = records[2]
    older.write_text(json.dumps(json.loads(older.read_text()) | {"code": "an earlier version"}))
    mtimes = {r.name: r.stat().st_mtime_ns for r in records}
    again = run_batch(load_experiment(path), out, workers=1)
    assert (again.done, again.skipped, again.rerun) == (1, 5, 1)
    assert json.loads(older.read_text())["code"] == code_digest()
    assert [r.name for r in records if r.stat().st_mtime_ns != mtimes[r.name]] == [older.name]
    pd.testing.assert_frame_equal(again.runs.drop(columns=["seconds"]), first.runs.drop(columns=["seconds"]))
    manifest = json.loads((out / "manifest.json").read_text())  # the last invocation's
    assert manifest["runs"] == {
        "total": 6,
        "run_now": 1,
        "already_finished": 5,
        "failed_now": 0,
        "rerun_for_other_code": 1,
    }
    assert manifest["code"] == code_digest() and manifest["seeds"] == sorted(set(again.runs["seed"]))
    base = load_experiment(path).base_scenario()
    assert manifest["base"]["scenario_hash"] == base.digest() and manifest["experiment"]["name"] == "t"


def test_local_cluster_equals_local_processes(tmp_path):
    path = experiment_file(
        tmp_path,
        **(SWEEP | {"factors": [{"key": "policies.0.capacity_jobs", "values": [10000, 40000]}], "replicates": 2}),
    )
    local = run_batch(load_experiment(path), tmp_path / "local", workers=2)
    dask = run_batch(load_experiment(path), tmp_path / "dask", dask_local=2)
    pd.testing.assert_frame_equal(local.runs.drop(columns=["seconds"]), dask.runs.drop(columns=["seconds"]))


def test_a_local_cluster_takes_a_free_port_on_the_loopback_when_the_dashboards_is():
    """Without a dashboard the scheduler still served Dask's HTTP routes on port 8787, and a second cluster on the
    machine warned that the port was in use (seen in CI, two test processes each with a cluster)."""
    import socket

    from sez_sim.experiments.executors import local_cluster

    with socket.socket() as taken, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            taken.bind(("127.0.0.1", 8787))
            taken.listen()
        except OSError:
            pass  # someone else holds it: the case in point
        with local_cluster(1) as cluster:
            sockets = cluster.scheduler.http_server._sockets.values()
            assert {sock.getsockname()[0] for sock in sockets} == {"127.0.0.1"}
            assert 8787 not in {sock.getsockname()[1] for sock in sockets}
            assert cluster.scheduler_address.startswith("tcp://127.0.0.1:") and len(cluster.workers) == 1
    assert not [w for w in caught if "already in use" in str(w.message)]


def test_a_ratio_of_the_ledger_has_fiellers_interval_and_covers_the_truth():
    """A cost per job was the mean of the replicates' ratios with a symmetric interval: US$ 649,759 per zone job
    (-1,261,215 to 2,560,732) for three replicates with 50 to 1,000 zone jobs."""
    from scipy import stats

    from sez_sim.experiments.compare import ratio_interval

    rng = np.random.default_rng(7)
    covered = 0
    for _ in range(2000):
        jobs = rng.normal(100.0, 20.0, 5)
        cost = 5.0 * jobs + rng.normal(0.0, 50.0, 5)  # the true ratio of the means is 5
        r = ratio_interval(cost, jobs)
        covered += r["ci_low"] <= 5.0 <= r["ci_high"]
        assert r["ci_low"] <= r["mean"] <= r["ci_high"]
    assert 0.93 <= covered / 2000 <= 0.97
    # A constant cost over jobs that are not clearly above zero: no bound, rather than a negative cost per job.
    r = ratio_interval(np.full(3, 159e6), np.array([50.0, 600.0, 1000.0]))
    assert r["mean"] == pytest.approx(159e6 / 550.0) and np.isnan(r["ci_low"]) and np.isnan(r["ci_high"])
    # ... and over jobs clearly above zero: the cost over the jobs' own interval, every bound positive.
    jobs = np.array([5000.0, 5200.0, 5400.0])
    r = ratio_interval(np.full(3, 159e6), jobs)
    half = stats.t.ppf(0.975, 2) * jobs.std(ddof=1) / np.sqrt(3)
    assert r["ci_low"] == pytest.approx(159e6 / (5200 + half)) and r["ci_high"] == pytest.approx(159e6 / (5200 - half))
    same = ratio_interval(np.full(4, 40e6), np.full(4, 2000.0))  # identical replicates
    assert same["ci_low"] == pytest.approx(20_000.0) and same["ci_high"] == pytest.approx(20_000.0)
    assert np.isnan(ratio_interval(np.ones(3), np.array([-1.0, 0.5, 0.2]))["mean"])  # no jobs on average


@pytest.mark.parametrize(
    ("factor", "where", "says", "never"),
    [
        ({"key": "firms.entry_logit_scale", "range": "x"}, "factors[0].range", "Input should be a list", "tuple"),
        ({"key": "firms.hazard", "values": []}, "factors[0].values", "at least 1 item, not 0", "after validation"),
        ({"key": "economy.sigmaa", "values": [4]}, "factors[0].key", "did you mean 'economy.sigma'?", "economy.mu"),
        ({"key": "migration.quotax", "values": [1]}, "factors[0].key", "did you mean 'migration.quota'?", "tuple"),
    ],
    ids=["range-not-a-list", "no-values", "misspelt-key", "misspelt-policy-key"],
)
def test_a_bad_factor_is_refused_in_a_yaml_users_words(tmp_path, factor, where, says, never):
    """pydantic's words ("a valid tuple", "after validation") and no hint for a misspelt key were what users got."""
    path = tmp_path / "e.yaml"
    base = str(Path(__file__).resolve().parents[1] / "scenarios/teaching/line_corridor.yaml")
    experiment = {
        "name": "e",
        "base": base,
        "factors": [factor],
        "years": 1,
        "outcomes": [{"name": "g", "column": "gdp"}],
    }
    path.write_text(yaml.safe_dump(experiment))
    with pytest.raises(ScenarioError) as caught:
        load_experiment(path)
    (problem,) = caught.value.problems
    assert problem.where == where and says in problem.message and never not in problem.message, problem


@pytest.mark.parametrize(
    "overrides",
    [
        {"policy_defaults": {"sez": {"capacity_jobs": 5000}}, "mechanisms": {"capital": True}},
        {"policy_defaults.sez": {"capacity_jobs": 5000}, "mechanisms.capital": True},
    ],
)
def test_nested_overrides_set_the_keys_they_hold_and_keep_the_bases_others(tmp_path, overrides):
    """As a scenario extending the base would: the teaching corridor's own sez.fdi_uplift (2) stays. The overrides
    replaced whole sections, so a nested capacity dropped the base's investor response without a word."""
    dotted = load_experiment(
        experiment_file(tmp_path, overrides={"policy_defaults.sez.capacity_jobs": 5000, "mechanisms.capital": True})
    ).base_scenario()
    base = load_experiment(experiment_file(tmp_path, overrides=overrides)).base_scenario()
    assert base.resolved() == dotted.resolved()
    sez = base.resolved()["policy_defaults"]["sez"]
    assert sez["capacity_jobs"] == 5000 and sez["fdi_uplift"] == 2.0
    assert base.mechanisms.capital and base.resolved()["economy"] == load_scenario(LINE).resolved()["economy"]


def test_a_per_country_mapping_in_overrides_is_its_value_not_a_section(tmp_path):
    """``corporate_tax: {"*": 0.2}`` gives every country 0.2, as ``--set`` does; it is not merged into the base's
    mapping as a section would be (which kept the base's country A at 0.3)."""
    base = tmp_path / "taxed.yaml"
    base.write_text(yaml.safe_dump({"name": "taxed", "extends": str(LINE), "economy": {"corporate_tax": {"A": 0.3}}}))
    flat = load_scenario(base, ['economy.corporate_tax={"*": 0.2}']).resolved()["economy"]
    for overrides in ({"economy": {"corporate_tax": {"*": 0.2}}}, {"economy.corporate_tax": {"*": 0.2}}):
        scenario = load_experiment(experiment_file(tmp_path, base=str(base), overrides=overrides)).base_scenario()
        assert scenario.resolved()["economy"] == flat and flat["corporate_tax"] == {"*": 0.2}


@pytest.mark.parametrize(
    "overrides",
    [{"policies.0.end_year": None}, {"geography": {"dataset": None, "synthetic": {"kind": "line", "n": 5}}}],
)
def test_an_override_set_to_null_is_refused_naming_it(tmp_path, overrides):
    """Overrides reach the scenario as options, which leave null out: it would be dropped without a word."""
    with pytest.raises(ScenarioError) as caught:
        load_experiment(experiment_file(tmp_path, overrides=overrides))
    problem = caught.value.problems[0]
    null = "policies.0.end_year" if "policies.0.end_year" in overrides else "geography.dataset"
    assert problem.where == "overrides" and problem.message.startswith(f"{null}: null is not applied")


@pytest.mark.parametrize(
    ("factor", "overrides"),
    [
        ("economy.kappa", {"economy.kappa": 0.001}),  # the same registry key
        ("economy.kappa", {"economy": {"kappa": 0.001}}),  # nested, as --set overrides.economy.kappa=... gives it
        ("firms.entry_logit_scale", {"agents.firms.entry_logit_scale": 2.0}),  # the key against its scenario path
        ("agents.firms.entry_logit_scale", {"firms": {"entry_logit_scale": 2.0}}),  # and the other way round
        ("sez.fdi_uplift", {"policy_defaults": {"sez": {"fdi_uplift": 1.0}}}),
        ("policies.0.capacity_jobs", {"policies": []}),  # a factor inside what the overrides replace
        ("policies[0].capacity_jobs", {"policies.0.capacity_jobs": 5000}),  # an index as messages write it
        ("policies.0.capacity_jobs", {"policies[0]": {"capacity_jobs": 5000}}),
    ],
)
def test_a_factor_may_not_set_what_the_overrides_fix(tmp_path, factor, overrides):
    """Which of the two would win is not the user's to guess: the experiment is refused, naming both."""
    values = [1000, 2000] if "capacity" in factor else [0.0005, 0.0008] if "kappa" in factor else [1.5, 2.5]
    path = experiment_file(tmp_path, factors=[{"key": factor, "values": values}], overrides=overrides)
    with pytest.raises(ScenarioError, match=rf"factors\[0\] \({re.escape(factor)}\) sets what overrides \(.+\) fixes"):
        load_experiment(path)
    kept = experiment_file(tmp_path, factors=[{"key": "workers.congestion", "values": [0.2, 0.4]}], overrides=overrides)
    assert load_experiment(kept).overrides == overrides  # fixing anything else stays allowed
