"""Outcomes of zones: a zone's jobs, the instruments' zones' occupancy, the share of zones that fill."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sez_sim.cli import app
from sez_sim.errors import ScenarioError
from sez_sim.experiments import Outcome, load_experiment
from sez_sim.experiments.claims import load_claim

ROOT = Path(__file__).resolve().parent.parent
LINE = ROOT / "scenarios/teaching/line_corridor.yaml"
YEARS = 2019.0 + np.arange(9) / 4


def zone_rows(name: str, province: str, country: str, origin: str, capacity: float, jobs: list[float]) -> pd.DataFrame:
    """A zone's rows over the quarters of ``YEARS`` (occupancy NaN where nothing is built, as the model records)."""
    jobs = np.asarray(jobs, float)
    capacity = np.full(len(YEARS), capacity)
    capacity[jobs < 0] = 0.0
    jobs = np.maximum(jobs, 0.0)
    occupancy = np.divide(jobs, capacity, out=np.full(len(YEARS), np.nan), where=capacity > 0)
    return pd.DataFrame(
        {
            "year": YEARS,
            "zone": name,
            "province_id": province,
            "country": country,
            "origin": origin,
            "capacity_jobs": capacity,
            "jobs": jobs,
            "occupancy": occupancy,
            "management": {"dataset": 0.65, "policy": 0.2}[origin],
        }
    )


@pytest.fixture(scope="module")
def tables():
    """Three zones over two years: a full dataset zone, a policy zone that fills, one never built (-1: no capacity)."""
    ramp = [0, 0, 2000, 4000, 6000, 8000, 9000, 9500, 10000]
    zones = pd.concat(
        [
            zone_rows("Old", "P01", "A", "dataset", 20000, [18000] * 9),
            zone_rows("New", "P05", "B", "policy", 10000, ramp),
            zone_rows("Late", "P06", "B", "policy", 10000, [-1] * 4 + [0, 0, 0, 500, 1000]),
        ],
        ignore_index=True,
    )
    summary = pd.DataFrame({"year": YEARS, "zone_jobs": zones.groupby("year")["jobs"].sum().to_numpy()})
    provinces = pd.DataFrame(
        {
            "year": np.repeat(YEARS, 3),
            "province_id": ["P01", "P05", "P06"] * len(YEARS),
            "name": ["First", "Fifth", "Sixth"] * len(YEARS),
            "country": ["A", "B", "B"] * len(YEARS),
        }
    )
    return summary, provinces, zones


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"column": "jobs"}, 18000 + 10000 + 1000),
        ({"column": "jobs", "zones": ["New"]}, 10000),
        ({"column": "jobs", "origin": "policy"}, 11000),
        ({"column": "jobs", "origin": "dataset"}, 18000),
        ({"column": "jobs", "country": "B"}, 11000),
        ({"column": "jobs", "provinces": ["Fifth"]}, 10000),  # a host by name
        ({"column": "jobs", "provinces": ["P01", "P06"]}, 19000),  # ... or by id
        ({"column": "jobs", "country": "B", "origin": "dataset"}, 0.0),  # none selected: no jobs
        ({"column": "occupancy", "origin": "policy"}, 11000 / 20000),  # weighted by capacity
        ({"column": "occupancy"}, 29000 / 40000),
        ({"column": "occupancy", "aggregate": "mean", "zones": ["Late"]}, 0.1),
        ({"column": "management"}, (0.65 + 0.2 + 0.2) / 3),  # an index: the plain mean
        ({"column": "occupancy", "at_least": 0.5}, 2 / 3),
        ({"column": "occupancy", "origin": "policy", "at_least": 0.5}, 1 / 2),
        ({"column": "occupancy", "at_least": 1.01}, 0.0),
        ({"column": "occupancy", "at_least": 0.0}, 1.0),
        ({"column": "jobs", "zones": ["New"], "at": 2019.5}, 2000),
        ({"column": "jobs", "zones": ["New"], "over": [2019.5, 2020.0]}, (2000 + 4000 + 6000) / 3),
        ({"column": "jobs", "origin": "dataset", "change": True}, 0.0),
    ],
)
def test_zone_outcomes_combine_the_zones_they_select(tables, spec, expected):
    outcome = Outcome(name="x", table="zones", **spec)
    assert outcome.value(*tables) == pytest.approx(expected)


def test_the_share_of_zones_at_a_threshold_follows_them_year_by_year(tables):
    """Before the late zone is built it counts as not full: the share is over every zone selected, every year."""
    summary, provinces, zones = tables
    for at in YEARS:
        rows = zones[zones["year"] == at]
        share = Outcome(name="x", table="zones", column="occupancy", at_least=0.4, at=float(at))
        assert share.value(summary, provinces, zones) == pytest.approx((rows["occupancy"] >= 0.4).mean())
        assert share.unit == "share"


def test_a_zone_missing_from_a_run_holds_nothing(tables):
    """The baseline of a comparison has no such zone: its jobs are 0 (not NaN); its occupancy is no number."""
    summary, provinces, zones = tables
    empty = zones.iloc[:0]
    assert Outcome(name="x", table="zones", column="jobs", zones=["New"]).value(summary, provinces, empty) == 0.0
    occupancy = Outcome(name="x", table="zones", column="occupancy", zones=["New"])
    assert np.isnan(occupancy.value(summary, provinces, empty))


def test_the_change_of_an_empty_zone_is_refused_with_the_outcomes_name(tables):
    with pytest.raises(ScenarioError, match="outcome new: change: jobs is 0 at the start"):
        Outcome(name="new", table="zones", column="jobs", zones=["New"], change=True).value(*tables)
    share = Outcome(name="full", table="zones", column="occupancy", origin="policy", at_least=0.5, change=True)
    with pytest.raises(ScenarioError, match="the share with occupancy >= 0.5 is 0 at the start"):
        share.value(*tables)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"table": "provinces", "column": "gdp", "zones": ["x"]}, "zones and origin select rows of the zones table"),
        ({"column": "gdp", "origin": "policy"}, "zones and origin select rows of the zones table"),
        ({"table": "zones", "column": "jobs", "zones": []}, "an empty list selects no zone"),
        ({"table": "zones", "column": "jobs", "zones": ["x"], "country": "A"}, "give zones, or select them by"),
        ({"table": "zones", "column": "jobs", "zones": ["x"], "origin": "policy"}, "give zones, or select them by"),
        ({"column": "gdp", "at_least": 1}, "at_least counts provinces or zones"),
        ({"table": "zones", "column": "jobs", "at_least": 1, "aggregate": "sum"}, "give at_least"),
        ({"table": "zones", "column": "occupancy", "aggregate": "sum"}, "occupancy is per job of capacity"),
        ({"table": "zones", "column": "record", "aggregate": "sum"}, "record is each zone's own index"),
        ({"table": "zones", "column": "investment", "change": True}, "investment counts what happens during a step"),
    ],
)
def test_zone_outcomes_that_select_nothing_or_say_two_things_are_refused(spec, says):
    with pytest.raises(ValueError, match=says):
        Outcome(name="x", **spec)


def test_outcomes_without_the_zone_selectors_dump_as_before():
    """Claims fingerprint their outcome's dump: the selectors added for zones are left out when unset."""
    dumped = Outcome(name="gdp", column="gdp").model_dump(mode="json")
    assert set(dumped) == {"name", "table", "column", "provinces", "country", "aggregate", "at", "over", "change"}
    used = Outcome(name="z", table="zones", column="occupancy", origin="policy", at_least=0.5).model_dump()
    assert used["origin"] == "policy" and used["at_least"] == 0.5 and "zones" not in used


# ------------------------------------------------------------------------------------ checked against the runs
def experiment(tmp_path: Path, **content) -> Path:
    spec = {"name": "z", "base": str(LINE), "years": 2} | content
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_a_zone_named_in_an_outcome_must_be_one_the_runs_can_have(tmp_path):
    """The base's zones and any a factor's policy list opens are accepted; a misspelt one is told the close name."""
    placements = [[{"type": "sez", "province": "P03"}], [{"type": "sez", "province": "P07", "name": "Gate"}]]
    outcomes = [
        {"name": "base_zone", "table": "zones", "column": "jobs", "zones": ["P05 SEZ"]},
        {"name": "gate", "table": "zones", "column": "jobs", "zones": ["Gate"]},
        {"name": "third", "table": "zones", "column": "jobs", "zones": ["P03 SEZ"]},
    ]
    load_experiment(experiment(tmp_path, outcomes=outcomes, factors=[{"key": "policies", "values": placements}]))
    bad = [{"name": "x", "table": "zones", "column": "jobs", "zones": ["P05 SZE"]}]
    with pytest.raises(ScenarioError) as caught:
        load_experiment(experiment(tmp_path, outcomes=bad))
    problem = caught.value.problems[0]
    assert problem.where == "outcomes[0].zones[0]" and "no zone 'P05 SZE' in the runs (did you mean 'P05 SEZ'?)" in (
        problem.message
    )
    wrong = [{"name": "x", "table": "zones", "column": "wage_m"}]
    with pytest.raises(ScenarioError, match="'wage_m' is not a column of the zones table"):
        load_experiment(experiment(tmp_path, outcomes=wrong))


@pytest.fixture(scope="module")
def corridor_batch(tmp_path_factory):
    """The teaching corridor's zone over six years, two seeds, through a batch (each run's real tables)."""
    from sez_sim.experiments import run_batch
    from sez_sim.runs import run_scenario

    tmp = tmp_path_factory.mktemp("zones")
    outcomes = [
        {"name": "zone", "table": "zones", "column": "jobs", "zones": ["P05 SEZ"]},
        {"name": "every_zone", "table": "zones", "column": "jobs"},
        {"name": "total", "column": "zone_jobs"},
        {"name": "occupancy", "table": "zones", "column": "occupancy", "origin": "policy", "over": [2024, 2025]},
        {"name": "half_full", "table": "zones", "column": "occupancy", "at_least": 0.5},
        {"name": "in_b", "table": "zones", "column": "firms", "country": "B"},
        {"name": "in_a", "table": "zones", "column": "firms", "country": "A"},
    ]
    path = experiment(tmp, outcomes=outcomes, years=6, replicates=2)
    runs = run_batch(load_experiment(path), tmp / "out", workers=1).runs.set_index("seed")
    direct = {seed: run_scenario(LINE, seed=seed, years=6).zones for seed in runs.index}
    return runs, direct


def test_zone_outcomes_of_a_batch_are_the_runs_zone_table(corridor_batch):
    runs, direct = corridor_batch
    assert (runs["status"] == "ok").all()
    for seed, zones in direct.items():
        end = zones[zones["year"] == zones["year"].max()]
        (zone,) = end.itertuples()
        row = runs.loc[seed]
        assert row["zone"] == pytest.approx(zone.jobs) and row["every_zone"] == pytest.approx(row["total"])
        assert row["half_full"] == float(zone.occupancy >= 0.5) and row["in_a"] == 0.0
        assert row["in_b"] == zone.firms
        late = zones[(zones["year"] >= 2024) & (zones["year"] <= 2025)]
        assert row["occupancy"] == pytest.approx(late["occupancy"].mean())
    assert runs["zone"].gt(0).all()  # the corridor's zone fills in every seed (scenario description)


def test_compare_reports_a_zone_the_baseline_does_not_have(tmp_path):
    """B's zone against a baseline without it: A holds 0 jobs in it, and B - A is the zone's jobs."""
    baseline = tmp_path / "no_zone.yaml"
    baseline.write_text(yaml.safe_dump({"name": "no_zone", "extends": str(LINE), "policies": []}))
    zone = "{name: zone_jobs_p05, table: zones, column: jobs, zones: [P05 SEZ]}"
    out = tmp_path / "cmp"
    args = ["compare", str(baseline), str(LINE), "--years", "4", "--replicates", "2", "--outcome", zone]
    result = CliRunner().invoke(app, [*args, "--out", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs.loc[runs["scenario"] == "A", "zone_jobs_p05"] == 0).all()
    b = runs.loc[runs["scenario"] == "B", "zone_jobs_p05"]
    differences = pd.read_parquet(out / "differences.parquet").set_index("outcome")
    assert differences.loc["zone_jobs_p05", "difference"] == pytest.approx(b.mean())
    assert differences.loc["zone_jobs_p05", "unit"] == "jobs"
    typo = ["compare", str(baseline), str(LINE), "--years", "1", "--outcome", zone.replace("P05 SEZ", "P5 SEZ")]
    result = CliRunner().invoke(app, [*typo, "--out", str(tmp_path / "bad")], terminal_width=200)
    assert result.exit_code == 2 and "no zone 'P5 SEZ' in the runs" in result.output


def test_a_claim_can_be_about_how_many_zones_fill(tmp_path):
    """The share of the treatment's zones at least half full: a claim file that loads with its zones checked."""
    claim = {
        "name": "zones_fill",
        "statement": "About a third to 40% of declared zones become active.",
        "source": "EBRD Transition Report (night lights); Cambodia 2019-20.",
        "baseline": str(LINE),
        "treatment": str(LINE),
        "outcome": {"name": "half_full", "table": "zones", "column": "occupancy", "origin": "policy", "at_least": 0.5},
        "years": 4,
        "expect": "increase",
    }
    path = tmp_path / "claim.yaml"
    path.write_text(yaml.safe_dump(claim))
    assert load_claim(path).resolved_outcome().at_least == 0.5
    claim["outcome"] = claim["outcome"] | {"origin": None, "zones": ["Nowhere SEZ"]}
    path.write_text(yaml.safe_dump({k: v for k, v in claim.items()}))
    with pytest.raises(ScenarioError, match="no zone 'Nowhere SEZ' in the runs"):
        load_claim(path)
