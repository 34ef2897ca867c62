"""Claims with a known truth on the teaching corridor: supported, contradicted, inconclusive; PRIM finds a planted
box; bad claim files are refused with the YAML path."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sez_sim import params
from sez_sim.cli import app
from sez_sim.economy.mechanisms import ACTS_ONLY_THROUGH
from sez_sim.errors import ScenarioError
from sez_sim.experiments.claims import (
    DOC_BEGIN,
    DOC_END,
    SUMMARY_COLUMNS,
    describe,
    doc_block,
    doc_blocks,
    doc_command,
    doc_marker,
    doc_options,
    doc_verdicts,
    documented,
    draws,
    effects,
    evaluate,
    evaluate_all,
    hinges,
    judge,
    load_claim,
    read_options,
    short_of_threshold,
    verdict,
)
from sez_sim.params import registry
from sez_sim.scenario import Scenario, load_scenario, registry_path

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
LINE = str(ROOT / "scenarios/teaching/line_corridor.yaml")
SCENARIOS = {
    "plain.yaml": {"name": "plain", "extends": LINE, "policies": []},
    "upgrade.yaml": {
        "name": "upgrade",
        "extends": LINE,
        "policies": [{"type": "corridor_upgrade", "corridor": "LINE", "quality": 0.5, "start_year": 2019}],
    },
    "wider.yaml": {"name": "wider", "extends": LINE, "geography": {"synthetic": {"kind": "line", "n": 11}}},
    "nothing.yaml": {
        "name": "nothing",
        "extends": LINE,
        "policies": [{"type": "fdi_inflow", "multiplier": 1.0}],  # an instrument that changes nothing
    },
}
CLAIM = {
    "name": "upgrade_raises_gdp",
    "statement": "A corridor upgrade raises the corridor's GDP.",
    "source": "constructed for the tests",
    "baseline": "plain.yaml",
    "treatment": "upgrade.yaml",
    "outcome": {"name": "gdp", "column": "gdp"},
    "years": 1,
    "expect": "increase",
    "replicates": 2,
    "samples": 0,
}


def claim_file(folder: Path, **changes) -> Path:
    for name, content in SCENARIOS.items():
        (folder / name).write_text(yaml.safe_dump(content))
    path = folder / "claim.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in (CLAIM | changes).items() if v is not None}))  # None: left out
    return path


def test_a_claims_nested_overrides_keep_its_scenarios_other_keys(tmp_path):
    """Both scenarios keep the corridor's sez.fdi_uplift (2) under a nested capacity, as under a dotted one."""
    nested = load_claim(claim_file(tmp_path, overrides={"policy_defaults": {"sez": {"capacity_jobs": 5000}}}))
    dotted = load_claim(claim_file(tmp_path, overrides={"policy_defaults.sez.capacity_jobs": 5000}))
    for a, b in zip(nested.scenarios(), dotted.scenarios(), strict=True):
        assert a.resolved() == b.resolved()
        assert a.resolved()["policy_defaults"]["sez"] == {**b.resolved()["policy_defaults"]["sez"], "fdi_uplift": 2.0}
    with pytest.raises(ScenarioError, match="overrides: policy_defaults.sez.management: null is not applied"):
        load_claim(claim_file(tmp_path, overrides={"policy_defaults": {"sez": {"management": None}}}))


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        ({}, "supported"),
        ({"expect": "decrease"}, "contradicted"),
        ({"treatment": "nothing.yaml"}, "inconclusive"),
        ({"min_relative": 0.5}, "inconclusive"),  # real, but far below half the corridor's GDP
    ],
    ids=["supported", "contradicted", "no-channel", "below-the-threshold"],
)
def test_constructed_claims_get_their_known_verdict(tmp_path, changes, verdict):
    answer = evaluate(load_claim(claim_file(tmp_path, **changes)), workers=1)
    assert answer["defaults"]["verdict"] == verdict
    assert answer["robustness"] is None and len(answer["runs"]) == 2
    # An increase far below half the corridor's GDP is short of the threshold, in the claim's direction.
    short = answer["defaults"].get("short_of_threshold")
    assert short == ("same direction" if "min_relative" in changes else None)


@pytest.mark.parametrize("expect", ["increase", "decrease"])
@pytest.mark.parametrize(
    ("effects", "short"),
    [
        ([0.8, 1.0, 1.2], "same direction"),  # surely an effect, surely below the threshold of 2
        ([-0.3, 0.0, 0.3], "either direction"),  # no telling its sign, surely below 2
        ([1.0, 2.0, 3.0], None),  # across the threshold: more replicates may settle it
        ([2.5, 3.0, 3.5], None),  # supported
        ([-3.1, -3.0, -2.9], None),  # the other way: contradicted
    ],
)
def test_an_interval_wholly_short_of_the_threshold_is_told_from_one_across_it(tmp_path, expect, effects, short):
    """Both are inconclusive; only the first can never become supported, and the answer says which it is."""
    claim = load_claim(claim_file(tmp_path, expect=expect, min_effect=2.0))
    sign = 1.0 if expect == "increase" else -1.0
    table = pd.DataFrame({"point": -1, "replicate": range(3), "seed": range(3), "baseline": 100.0})
    table["treatment"] = table["baseline"] + sign * np.array(effects)
    table["effect"] = claim.judged(table["treatment"], table["baseline"])
    answer = verdict(claim, table, {}, pd.DataFrame())
    assert answer["defaults"].get("short_of_threshold") == short
    said = [line for line in describe(answer) if "falls short of the 2 that counts" in line]
    assert len(said) == (short is not None)
    if short:
        assert answer["defaults"]["verdict"] == "inconclusive"
        assert ("but a smaller one" in said[0]) is (short == "same direction")
        assert {"increase": "(an increase,", "decrease": "(a decrease,"}[expect] in said[0] or short != "same direction"
    assert short_of_threshold(-1.0, 1.0, expect, 0.0) is None  # no threshold: nothing to fall short of


@pytest.mark.parametrize(
    ("baseline", "relative", "warned"),
    [
        ([700.0, 14_000.0, 9_000.0, 12_000.0], True, True),  # a zone empty in one replicate, full in the others
        ([-700.0, 14_000.0, 9_000.0, 12_000.0], True, True),  # by size, whatever the sign
        ([1_500.0, 14_000.0, 9_000.0, 12_000.0], True, False),  # a tenth of the largest or more
        ([700.0, 14_000.0, 9_000.0, 12_000.0], False, False),  # an effect in the outcome's units has no ratio
    ],
)
def test_a_relative_claim_on_an_unsteady_baseline_says_its_ratio_is_mostly_noise(tmp_path, baseline, relative, warned):
    claim = load_claim(claim_file(tmp_path, expect="within", range=[-0.1, 0.1], relative=relative))
    table = pd.DataFrame({"point": -1, "replicate": range(4), "seed": range(4), "baseline": baseline})
    table["treatment"] = table["baseline"] + 1_000.0
    table["effect"] = claim.judged(table["treatment"], table["baseline"])
    answer = verdict(claim, table, {}, pd.DataFrame())
    assert ("unsteady_baseline" in answer["defaults"]) is warned
    said = [line for line in describe(answer) if "mostly noise" in line]
    assert len(said) == warned
    if warned:
        assert answer["defaults"]["unsteady_baseline"] == [min(baseline), max(baseline)]
        assert f"{min(baseline):g}" in said[0].replace(",", "") and "gdp" in said[0]


def test_judge_reads_the_interval_against_the_threshold_and_the_direction():
    assert judge(1.0, 2.0, "increase", 0.5) == "supported"
    assert judge(1.0, 2.0, "increase", 1.5) == "inconclusive"
    assert judge(-2.0, -1.0, "increase", 0.0) == "contradicted"
    assert judge(-2.0, -1.0, "decrease", 0.5) == "supported"
    assert judge(1.0, 2.0, "decrease", 0.0) == "contradicted"
    assert judge(-1.0, 1.0, "decrease", 0.0) == "inconclusive"


@pytest.mark.parametrize(
    ("interval", "range_", "verdict"),
    [
        ((1.0, 2.0), (0.5, 2.5), "supported"),
        ((1.0, 2.0), (1.0, 2.0), "supported"),
        ((1.0, 2.0), (1.5, 3.0), "inconclusive"),
        ((1.0, 2.0), (0.0, 1.5), "inconclusive"),
        ((1.0, 2.0), (1.2, 1.8), "inconclusive"),
        ((1.0, 2.0), (2.5, 3.0), "contradicted"),
        ((-2.0, -1.0), (0.0, 1.0), "contradicted"),
        ((1.0, 2.0), (0.5, np.inf), "supported"),
        ((1.0, 2.0), (1.5, np.inf), "inconclusive"),
        ((1.0, 2.0), (2.5, np.inf), "contradicted"),
        ((1.0, 2.0), (-np.inf, 2.5), "supported"),
        ((1.0, 2.0), (-np.inf, 1.5), "inconclusive"),
        ((1.0, 2.0), (-np.inf, 0.5), "contradicted"),
    ],
)
def test_judge_reads_a_range_claim_as_inside_outside_or_straddling(interval, range_, verdict):
    assert judge(*interval, "within", None, range_) == verdict


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_range_claim_is_supported_contradicted_or_inconclusive_as_its_range_holds_the_effect(tmp_path, relative):
    """Ranges set around the effect the paired runs find: holding its interval, beyond it, and cutting through it.
    The runs are the same whatever the range (stored once, reused)."""
    out = tmp_path / "out"
    options = {"expect": "within", "relative": relative, "replicates": 3}
    probe = evaluate(load_claim(claim_file(tmp_path, **options, range=[-1e12, 1e12])), out=out)
    runs = probe["runs"]
    quantity = runs["treatment"] - runs["baseline"]
    if relative:
        quantity = quantity / runs["baseline"].abs()
    np.testing.assert_allclose(runs["effect"], quantity, rtol=1e-12)
    assert probe["quantity"] == ("effect relative to the baseline" if relative else "effect")
    d = probe["defaults"]
    assert d["verdict"] == "supported" and d["ci_low"] < d["effect"] < d["ci_high"] and d["effect"] > 0
    width = d["ci_high"] - d["ci_low"]
    for range_, expected in (
        ([d["ci_low"] - width, d["ci_high"] + width], "supported"),
        ([d["ci_high"] + width, d["ci_high"] + 3 * width], "contradicted"),
        ([d["ci_low"] - 3 * width, d["ci_low"] - width], "contradicted"),
        ([d["effect"], d["ci_high"] + width], "inconclusive"),
        ([d["ci_low"] - width, None], "supported"),  # open ends: "at least", "at most"
        ([d["ci_high"] + width, None], "contradicted"),
        ([d["effect"], None], "inconclusive"),
        ([None, d["ci_high"] + width], "supported"),
        ([None, d["ci_low"] - width], "contradicted"),
    ):
        answer = evaluate(load_claim(claim_file(tmp_path, **options, range=range_)), out=out)
        assert answer["defaults"]["verdict"] == expected, range_
        assert answer["defaults"]["effect"] == d["effect"] and answer["range"] == range_
        words = ("at least " if range_[1] is None else "at most ") if None in range_ else "within ["
        assert answer["expected"].startswith(words)
        assert f"expected {answer['expected']}" in describe(answer)[1]


def test_a_relative_effect_over_a_baseline_of_0_is_left_out_and_said_so_not_counted_as_a_failed_run(tmp_path):
    claim = load_claim(claim_file(tmp_path, expect="within", range=[0.0, 1.0], relative=True))
    runs = [
        {"point": p, "replicate": 0, "seed": 1, "arm": arm, "status": "ok", "outcomes": {"gdp": v}}
        for p, base in ((-1, 10.0), (0, 10.0), (1, 0.0), (2, 10.0))
        for arm, v in (("baseline", base), ("treatment", 12.0))
    ] + [
        {"point": -1, "replicate": 1, "seed": 2, "arm": a, "status": "ok", "outcomes": {"gdp": 11.0}}
        for a in ("baseline", "treatment")
    ]
    runs[-1]["outcomes"] = {"gdp": 13.0}
    failed = {
        "point": 2,
        "replicate": 0,
        "seed": 1,
        "arm": "treatment",
        "status": "error",
        "error": "boom",
        "outcomes": {},
    }
    runs = [r for r in runs if not (r["point"] == 2 and r["arm"] == "treatment")] + [failed]
    table = effects(claim, runs)
    assert np.isnan(table.loc[table["point"] == 1, "effect"]).all()
    answer = verdict(claim, table, {}, pd.DataFrame({"economy.kappa": [0.1, 0.2, 0.3]}))
    r = answer["robustness"]
    assert (r["draws"], r["failed_runs"], r["undefined"]) == (1, 1, 1)
    assert "1 draw failed to run; 1 left out, whose baseline value was 0" in describe(answer)[2]


def test_a_claim_about_a_level_runs_the_treatment_alone(tmp_path):
    """Without a baseline the quantity is the treatment's outcome: only the treatment runs, at the defaults and in each
    draw, and the verdict, robustness, figures and report speak of a level."""
    changes = {"baseline": None, "expect": "within", "samples": 4, "uncertainties": [{"key": "economy.kappa"}]}
    reference = evaluate(load_claim(claim_file(tmp_path, replicates=2)), workers=1)["defaults"]["treatment"]
    path = claim_file(tmp_path, **changes, range=[0.9 * reference, 1.1 * reference])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["claim", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SUPPORTED" in result.output and "gdp: level in the treatment" in result.output
    assert "2 replicates)" in result.output and "within [" in result.output
    answer = json.loads((out / "verdict.json").read_text())
    assert answer["defaults"]["baseline"] is None and answer["defaults"]["treatment"] == reference
    assert answer["defaults"]["effect"] == reference and answer["threshold"] is None
    assert len(list((out / "runs").glob("*.json"))) == 2 + 4  # no baseline runs
    runs = pd.read_parquet(out / "runs.parquet")
    holds = runs.loc[runs["point"] >= 0, "effect"].between(0.9 * reference, 1.1 * reference)
    assert answer["robustness"]["holds"] == holds.sum() and answer["robustness"]["draws"] == 4
    assert runs.loc[runs["point"] >= 0, "holds"].tolist() == holds.tolist()
    report = (out / "report.html").read_text()
    assert "level in the treatment" in report and "baseline, mean" not in report
    assert (out / "figures/effects.png").exists() and (out / "figures/over_time.png").exists()
    checked = CliRunner().invoke(app, ["validate", str(path)])
    assert checked.exit_code == 0 and "gdp in upgrade.yaml within [" in checked.output
    narrow = evaluate(load_claim(claim_file(tmp_path, **changes, range=[2 * reference, 3 * reference])), out=out)
    assert narrow["defaults"]["verdict"] == "contradicted" and narrow["robustness"]["holds"] == 0


def test_a_range_claim_counts_draws_short_of_and_beyond_its_range_and_boxes_the_commoner(tmp_path):
    """Planted: the quantity falls short of the range where kappa is high and overshoots where it is low."""
    claim = load_claim(
        claim_file(tmp_path, baseline=None, expect="within", range=[0.0, 1.0], uncertainties=[{"key": "economy.kappa"}])
    )
    rng = np.random.default_rng(3)
    kappa = rng.random(200)
    quantity = np.where(kappa > 0.7, -1.0, np.where(kappa < 0.1, 2.0, 0.5))
    table = pd.DataFrame(
        {
            "point": [-1, -1, *range(200)],
            "replicate": [0, 1, *[0] * 200],
            "treatment": [0.5, 0.6, *quantity],
            "baseline": np.nan,
            "effect": [0.5, 0.6, *quantity],
        }
    )
    answer = verdict(claim, table, {}, pd.DataFrame({"economy.kappa": kappa}))
    r, h = answer["robustness"], answer["hinges_on"]
    assert (r["below"], r["above"]) == ((kappa > 0.7).sum(), (kappa < 0.1).sum())
    assert r["holds"] == 200 - r["below"] - r["above"]
    assert h["side"] == "below" and h["box"]["restrictions"]["economy.kappa"]["low"] == pytest.approx(0.7, abs=0.05)
    lines = describe(answer)
    assert f"{r['below']} fall short of it and {r['above']} overshoot it" in lines[3]
    assert lines[4].startswith("it falls short of the range mostly where economy.kappa in [")
    assert r["failed_runs"] == 0 and r["undefined"] == 0
    overshoot = table.assign(effect=np.where(table["point"] >= 0, -table["effect"] + 1.0, table["effect"]))
    assert verdict(claim, overshoot, {}, pd.DataFrame({"economy.kappa": kappa}))["hinges_on"]["side"] == "above"


def test_the_command_writes_the_verdict_its_robustness_and_figures(tmp_path):
    path = claim_file(
        tmp_path,
        samples=6,
        uncertainties=[{"key": "firms.entry_logit_scale", "range": [2.0, 4.0]}, {"key": "economy.kappa"}],
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["claim", str(path), "--workers", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "SUPPORTED" in result.output and "robustness" in result.output
    answer = json.loads((out / "verdict.json").read_text())
    r = answer["robustness"]
    assert r["draws"] == 6 and r["holds"] <= 6 and 0 <= r["ci_low"] <= r["share"] <= r["ci_high"] <= 1
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2 + 6 and runs["firms.entry_logit_scale"].dropna().between(2.0, 4.0).all()
    assert (out / "figures/effects.png").exists() and (out / "figures/over_time.png").exists()
    report = (out / "report.html").read_text()
    assert report.count("data:image/png;base64,") >= 2 and "supported" in report
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", report), "the report must not load anything"
    assert "<script" not in report and "<link" not in report
    assert answer["fingerprint"] == load_claim(path).fingerprint() and answer["settings"]["samples"] == 6
    again = CliRunner().invoke(app, ["claim", str(path), "--workers", "1", "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "again/verdict.json").read_text()) == answer  # the same seed, the same answer


def test_prim_finds_a_failure_planted_on_one_parameter():
    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.random((300, 4)), columns=["a", "b", "c", "d"])
    fails = (x["b"] > 0.7).to_numpy() & (rng.random(300) < 0.95)
    found = hinges(x, fails, seed=1)
    box = found["box"]
    assert list(box["restrictions"]) == ["b"]
    assert box["restrictions"]["b"]["low"] == pytest.approx(0.7, abs=0.05) and box["coverage"] >= 0.5
    assert box["density"] > 0.8 and max(found["importance"], key=found["importance"].get) == "b"
    assert box["restrictions"]["b"]["reproduce_coverage"] >= 0.8 and box["reproducible"]
    alone = hinges(x[["b"]], fails, seed=1)  # one uncertainty: the workbench's default asked for 0 features
    assert list(alone["box"]["restrictions"]) == ["b"] and list(alone["importance"]) == ["b"]
    noise = hinges(x, rng.random(300) < 0.8, seed=1)["box"]  # failures everywhere: nothing it hinges on
    assert noise is not None and not noise["reproducible"]
    assert hinges(x, np.zeros(300, bool), seed=1) == {"box": None, "note": "the claim holds in every draw"}


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"expect": "up"}, "expect"),
        ({"replicates": 1}, "replicates"),
        ({"treatment": "missing.yaml"}, "treatment"),
        ({"uncertainties": [{"key": "economy.nonsense"}]}, "uncertainties"),
        ({"uncertainties": [{"key": "economy.sigma", "range": [1.0, 99.0]}]}, "uncertainties"),
        ({"outcome": {"name": "gdp", "column": "gdp", "over": [2019, 2020]}, "window": [2019, 2020]}, "window"),
        ({"colour": "red"}, "colour"),
        ({"outcome": {"name": "x", "table": "provinces", "column": "gdp", "provinces": ["Atlantis"]}}, "Atlantis"),
        ({"window": [2050, 2060]}, "outcome"),
        ({"treatment": "wider.yaml"}, "treatment: geography in wider.yaml: the treatment has 1 province"),
        (
            {"uncertainties": [{"key": "economy.capital_elasticity"}]},
            "uncertainties.0.: economy.capital_elasticity cannot",
        ),
        ({"uncertainties": [], "samples": 4}, "an empty list gives the robustness draws nothing to vary"),
        ({"expect": "within"}, "expect: within needs range"),
        ({"expect": "within", "range": [2.0, 1.0]}, "low < high"),
        ({"expect": "within", "range": [None, None]}, r"range: \[null, null\] bounds nothing"),
        ({"range": [0.0, 1.0]}, "range goes with expect: within, not increase"),
        ({"relative": True}, "expect: increase takes min_relative"),
        ({"expect": "within", "range": [0.0, 1.0], "min_effect": 0.1}, "takes no min_effect"),
        ({"baseline": None}, "without a baseline is about a level"),
        ({"baseline": None, "expect": "within", "range": [0.0, 1.0], "relative": True}, "relative needs a baseline"),
        ({"overrides": {"economy.no_such_key": 1}}, r"claim.yaml \(overrides\): economy.no_such_key: unknown key"),
        ({"overrides": {"economy.kappa": -1}}, r"claim.yaml \(overrides\): economy.kappa"),
        ({"overrides": {"run.seed": 4}}, "overrides: run.seed would be ignored: give seed: in the claim file"),
        (
            {"overrides": {"economy.kappa": 0.001}, "samples": 2, "uncertainties": [{"key": "economy.kappa"}]},
            r"uncertainties.0.: economy.kappa is fixed by overrides",
        ),
        ({"overrides": {"run": {"seed": 4}}}, "overrides: run.seed would be ignored"),
        (
            {"overrides": {"economy": {"kappa": 0.001}}, "samples": 2, "uncertainties": [{"key": "economy.kappa"}]},
            r"uncertainties.0.: economy.kappa is fixed by overrides",
        ),
    ],
    ids=[
        "direction",
        "replicates",
        "scenario-file",
        "unknown-uncertainty",
        "range",
        "window-twice",
        "unknown-key",
        "province",
        "window-beyond-the-run",
        "other-provinces",
        "inert-uncertainty",
        "no-uncertainties",
        "within-without-range",
        "range-reversed",
        "range-open-at-both-ends",
        "range-with-a-direction",
        "relative-with-a-direction",
        "threshold-with-a-range",
        "level-with-a-direction",
        "level-relative",
        "override-unknown",
        "override-out-of-bounds",
        "override-seed",
        "override-drawn",
        "override-seed-nested",
        "override-drawn-nested",
    ],
)
def test_a_bad_claim_file_is_refused_with_its_yaml_path(tmp_path, changes, where):
    path = claim_file(tmp_path, **changes)
    with pytest.raises(ScenarioError, match=where):
        load_claim(path)
    result = CliRunner().invoke(app, ["claim", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "claim.yaml" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_claims_overrides_act_in_both_arms_as_the_scenario_files_would_and_stay_out_of_the_draws(tmp_path):
    fixed = {"economy.kappa": 0.0012, "workers.congestion": 0.3}
    claim = load_claim(claim_file(tmp_path, overrides=fixed, samples=2))
    for scenario in claim.scenarios():
        assert scenario.economy.kappa == 0.0012 and scenario.agents.workers.congestion == 0.3
    drawn = {u.key for u in claim.varied()}
    assert drawn and not drawn & set(fixed)
    assert {"economy.kappa", "workers.congestion"} <= {u.key for u in load_claim(claim_file(tmp_path)).varied()}
    # The same numbers written into both scenario files give the same answer, run for run.
    edited = tmp_path / "edited"
    edited.mkdir()
    path = claim_file(edited)
    for name in ("plain.yaml", "upgrade.yaml"):
        content = yaml.safe_load((edited / name).read_text())
        content.update(economy={"kappa": 0.0012}, agents={"workers": {"congestion": 0.3}})
        (edited / name).write_text(yaml.safe_dump(content))
    with_overrides = load_claim(claim_file(tmp_path, overrides=fixed))
    by_override, by_file = evaluate(with_overrides, workers=1), evaluate(load_claim(path), workers=1)
    assert by_override["runs"]["effect"].tolist() == by_file["runs"]["effect"].tolist()
    plain = evaluate(load_claim(claim_file(tmp_path)), workers=1)
    assert plain["runs"]["effect"].tolist() != by_file["runs"]["effect"].tolist()  # the overrides act
    # The answer says what was fixed; one without overrides stays as it was.
    assert by_override["settings"]["overrides"] == fixed and "overrides" not in plain["settings"]
    assert describe(by_override)[-1] == (
        "both scenarios ran with economy.kappa=0.0012, workers.congestion=0.3 (the claim's overrides)"
    )
    assert "overrides" not in describe(plain)[-1]
    # Mechanisms switched on for both arms bring their parameters into the draws.
    mechanisms = load_claim(claim_file(tmp_path, overrides={"mechanisms.all": True}, samples=2))
    assert all(s.mechanisms.all for s in mechanisms.scenarios())
    assert "economy.agglomeration_elasticity" in {u.key for u in mechanisms.varied()} - drawn


def test_a_claims_fingerprint_follows_its_inputs(tmp_path):
    path = claim_file(tmp_path)
    first = load_claim(path).fingerprint()
    assert load_claim(path).fingerprint() == first
    assert load_claim(path, ["min_effect=0.5"]).fingerprint() != first
    assert load_claim(path, replicates=3).fingerprint() != first
    assert load_claim(claim_file(tmp_path, overrides={"economy.kappa": 0.001})).fingerprint() != first
    assert load_claim(claim_file(tmp_path, overrides={})).fingerprint() == first  # written out, but nothing fixed
    path = claim_file(tmp_path)
    scenario = tmp_path / "upgrade.yaml"
    text = scenario.read_text()
    scenario.write_text(text.replace("quality: 0.5", "quality: 0.4"))
    assert load_claim(path).fingerprint() != first
    scenario.write_text(text)
    assert load_claim(path).fingerprint() == first


@pytest.mark.parametrize(
    ("key", "read"),
    [
        ("capacity_building.gain", False),  # an instrument neither scenario has
        ("zone_credibility.credibility", False),
        ("corridor.quality", True),  # the treatment's corridor upgrade reads its section
        ("sez.fdi_uplift", True),  # the model reads the sez section whatever the instruments
    ],
)
def test_a_claims_fingerprint_ignores_the_policy_defaults_no_instrument_of_its_scenarios_reads(tmp_path, key, read):
    """A section only an instrument a scenario lacks reads changes none of its runs, so no stored answer either.

    A new instrument's section (every scenario's resolved dump gains it) must leave the library's answers current.
    """
    path = claim_file(tmp_path)
    first = load_claim(path).fingerprint()
    section, name = key.split(".")
    low, high = registry()[key].bounds
    value = (low + high) / 2 if (low + high) / 2 != registry()[key].default else high
    scenario = tmp_path / "upgrade.yaml"
    content = yaml.safe_load(scenario.read_text())
    scenario.write_text(yaml.safe_dump(content | {"policy_defaults": {section: {name: value}}}))
    assert load_scenario(scenario).resolved()["policy_defaults"][section][name] == value
    assert (load_claim(path).fingerprint() != first) is read


def test_a_claims_fingerprint_follows_the_parameters_its_scenarios_read_and_the_ranges_it_draws(tmp_path, monkeypatch):
    path = claim_file(tmp_path, samples=4)
    claim = load_claim(path)
    first = claim.fingerprint()
    drawn = claim.varied()[0].key
    inert = sorted(set.intersection(*(s.inert_parameters() for s in claim.scenarios())))
    read = next(k for k, p in registry().items() if k not in inert and p.kind == "setting" and not p.per)
    assert drawn not in inert and inert

    def fingerprint_with(key: str, samples: int = 4, **fields) -> str:
        with monkeypatch.context() as patch:
            patch.setitem(params._REGISTRY, key, dataclasses.replace(registry()[key], **fields))
            return load_claim(path, [f"samples={samples}"]).fingerprint()

    low, high = registry()[drawn].bounds
    narrower = (low, registry()[drawn].default + 0.5 * (high - registry()[drawn].default))
    assert fingerprint_with(drawn, bounds=narrower) != first  # the draws cover another range
    unread = inert[0]  # a growth mechanism's parameter: both scenarios leave it off
    assert fingerprint_with(unread, default=registry()[unread].bounds[1]) == first
    assert fingerprint_with(read, default=registry()[read].bounds[1]) != first
    at_defaults = load_claim(path, ["samples=0"]).fingerprint()
    assert fingerprint_with(drawn, samples=0, bounds=narrower) == at_defaults  # no draws: the range changes nothing


def test_the_library_verdicts_in_the_docs_are_current():
    text = (ROOT / "docs/claims.md").read_text()
    blocks = doc_blocks(text)
    assert () in blocks and len(blocks) >= 2  # the files' settings, and the growth mechanisms on
    files = sorted((ROOT / "experiments/claims").glob("*.yaml"))
    for options in blocks:
        shown, settings = documented(text, options), read_options(options)
        command = doc_command(options)
        sets = settings.pop("sets")
        claims = [load_claim(p, sets, **settings) for p in files]
        assert set(shown) == {c.name for c in claims}, f"regenerate: {command}"
        for claim in claims:
            assert shown[claim.name] == claim.fingerprint(), (
                f"{claim.name}: its verdict in docs/claims.md was computed from other inputs; regenerate it with "
                f"{command}"
            )
            assert " ".join(claim.source.split()) in text


def test_the_library_claims_load():
    files = sorted((ROOT / "experiments/claims").glob("*.yaml"))
    assert files
    for path in files:
        claim = load_claim(path)
        assert claim.statement and claim.source and claim.varied()


def test_a_stopped_claim_resumes_without_redoing_finished_runs_and_dask_agrees(tmp_path):
    path = claim_file(tmp_path, samples=2, uncertainties=[{"key": "economy.kappa"}])
    out = tmp_path / "out"
    first = evaluate(load_claim(path), out=out)
    records = sorted((out / "runs").glob("*.json"))
    assert len(records) == 2 * (2 + 2)
    for lost in records[:3]:  # a crash before these were stored
        lost.unlink()
    (out / "verdict.json").unlink()
    calls = []
    again = evaluate(load_claim(path), out=out, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5, 8), (6, 8), (7, 8), (8, 8)]  # from the five stored, only the three lost runs ran again
    assert (out / "verdict.json").exists()
    keep = ("defaults", "robustness", "hinges_on")
    assert {k: again[k] for k in keep} == {k: first[k] for k in keep}
    on_dask = evaluate(load_claim(path), dask_local=1)
    assert {k: on_dask[k] for k in keep} == {k: first[k] for k in keep}


def test_claims_answers_a_folder_into_a_summary_table(tmp_path):
    claim_file(tmp_path)
    folder = tmp_path / "library"
    folder.mkdir()
    for name, expect in (("rises", "increase"), ("falls", "decrease")):
        (folder / f"{name}.yaml").write_text(
            yaml.safe_dump(
                CLAIM | {"name": name, "expect": expect, "baseline": "../plain.yaml", "treatment": "../upgrade.yaml"}
            )
        )
    sized = {"expect": "within", "range": [0, None], "treatment": "../upgrade.yaml"}  # at least 0
    (folder / "sized.yaml").write_text(
        yaml.safe_dump(CLAIM | sized | {"name": "sized", "relative": True, "baseline": "../plain.yaml"})
    )
    level = {k: v for k, v in CLAIM.items() if k != "baseline"} | sized | {"name": "level"}
    (folder / "level.yaml").write_text(yaml.safe_dump(level))
    out = tmp_path / "summary"
    result = CliRunner().invoke(app, ["claims", str(folder), "--workers", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "summary.parquet").set_index("claim")
    assert table.loc["rises", "verdict"] == "supported" and table.loc["falls", "verdict"] == "contradicted"
    assert table.loc["rises", "draws"] == 0 and (out / "rises/verdict.json").exists()
    markdown = (out / "summary.md").read_text()
    assert "| **rises**: A corridor upgrade raises the corridor's GDP." in markdown and "contradicted" in markdown
    rows = {line.split("**")[1]: line for line in markdown.splitlines() if line.startswith("| **")}
    assert "| supported |" in rows["rises"] and "| contradicted |" in rows["falls"]
    assert "| supported (expected at least +0) |" in rows["sized"]
    assert ": effect relative to the baseline |" in rows["sized"] and ": level in the treatment |" in rows["level"]
    checked = CliRunner().invoke(app, ["validate", str(folder / "sized.yaml"), str(folder / "level.yaml")])
    assert checked.exit_code == 0, checked.output
    assert "expects at least +0" in checked.output and "gdp in ../upgrade.yaml at least +0" in checked.output
    doc = tmp_path / "claims.md"
    doc.write_text(f"# Claims\n\nbefore\n\n{DOC_BEGIN}\nold table\n{DOC_END}\n\nafter\n")
    documenting = CliRunner().invoke(app, ["claims", str(folder), "--out", str(out), "--doc", str(doc)])
    assert documenting.exit_code == 0, documenting.output
    written = doc.read_text()
    assert "old table" not in written and written.startswith("# Claims\n\nbefore") and written.endswith("after\n")
    names = ("rises", "falls", "sized", "level")
    assert documented(written) == {n: load_claim(folder / f"{n}.yaml").fingerprint() for n in names}
    before = doc.read_text()
    current = CliRunner().invoke(app, ["claims", str(folder), "--out", str(out), "--doc", str(doc), "--stale"])
    assert current.exit_code == 0 and "is current" in current.output and doc.read_text() == before
    edited = folder / "falls.yaml"
    edited.write_text(edited.read_text().replace("A corridor upgrade raises", "A corridor upgrade, edited, raises"))
    (folder / "level.yaml").unlink()
    stale = CliRunner().invoke(app, ["claims", str(folder), "--out", str(out), "--doc", str(doc), "--stale"])
    assert stale.exit_code == 0 and "answering falls" in stale.output, stale.output
    after = doc.read_text()
    assert documented(after) == {n: load_claim(folder / f"{n}.yaml").fingerprint() for n in ("rises", "falls", "sized")}
    rows = {
        n: [line for line in text.splitlines() if line.startswith(f"| **{n}**")] for n in names for text in [before]
    }
    assert all(rows[n][0] in after for n in ("rises", "sized")) and rows["falls"][0] not in after
    assert "edited" in after and pd.read_parquet(out / "summary.parquet")["claim"].tolist() == ["falls"]
    alone = CliRunner().invoke(app, ["claims", str(folder), "--out", str(out), "--stale"])
    assert alone.exit_code == 2 and "give --doc" in alone.output
    plain = tmp_path / "plain.md"
    plain.write_text("# no block\n")
    unmarked = CliRunner().invoke(app, ["claims", str(folder), "--out", str(out), "--doc", str(plain)])
    assert unmarked.exit_code == 2 and "generated verdicts block" in unmarked.output
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = CliRunner().invoke(app, ["claims", str(empty), "--out", str(tmp_path / "none")])
    assert refused.exit_code == 2 and "holds no claim files" in refused.output


def test_claims_report_each_verdict_as_soon_as_the_claim_is_answered(tmp_path):
    """A library with draws takes hours: each verdict is reported before the next claim's first run, by the
    library function and on the command line (once, also with --quiet)."""
    claim_file(tmp_path)
    folder = tmp_path / "library"
    folder.mkdir()
    for name, expect in (("rises", "increase"), ("falls", "decrease")):
        claim = CLAIM | {"name": name, "expect": expect, "baseline": "../plain.yaml", "treatment": "../upgrade.yaml"}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(claim))
    events = []
    table = evaluate_all(
        sorted(folder.glob("*.yaml")),
        tmp_path / "out",
        workers=1,
        progress=lambda name, done, total: events.append(("run", name, done, total)),
        answered=lambda row: events.append(("answered", row["claim"], row["verdict"])),
    )
    assert table["claim"].tolist() == ["falls", "rises"]
    runs = 2 * CLAIM["replicates"]
    assert events == [
        *[("run", "falls", done, runs) for done in range(runs + 1)],  # its name and total before its first run
        ("answered", "falls", "contradicted"),
        *[("run", "rises", done, runs) for done in range(runs + 1)],
        ("answered", "rises", "supported"),
    ]
    for flags in ([], ["--quiet"]):
        result = CliRunner().invoke(
            app, ["claims", str(folder), "--workers", "1", "--out", str(tmp_path / "out"), *flags]
        )
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines.count("falls: contradicted") == 1 and lines.count("rises: supported") == 1
        assert lines.index("falls: contradicted") < lines.index("rises: supported")


def test_claim_and_claims_show_progress_on_a_terminal(tmp_path, monkeypatch):
    """On a terminal a bar shows the runs (and for a library the claims answered); the verdicts print above it."""
    import io

    from rich.console import Console

    from sez_sim import cli

    path = claim_file(tmp_path)
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "claim.yaml").write_text(
        path.read_text().replace("plain.yaml", "../plain.yaml").replace("upgrade.yaml", "../upgrade.yaml")
    )
    for command in (["claim", str(path)], ["claims", str(folder)]):
        screen = io.StringIO()
        monkeypatch.setattr(cli, "out", Console(file=screen, force_terminal=True, width=120, highlight=False))
        out = tmp_path / command[0]
        result = CliRunner().invoke(app, [*command, "--workers", "1", "--out", str(out)])
        assert result.exit_code == 0, result.output
        shown = screen.getvalue()
        assert "4/4" in shown and f"wrote {out}" in shown, shown
        if command[0] == "claims":
            assert "claims answered" in shown and "1/1" in shown and "upgrade_raises_gdp: supported" in shown


def test_claims_writes_a_block_of_verdicts_for_each_set_of_options(tmp_path):
    """The library at the files' settings and with the growth mechanisms on: two blocks, each rewritten by its own."""
    claim_file(tmp_path)
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "rises.yaml").write_text(
        yaml.safe_dump(CLAIM | {"name": "rises", "baseline": "../plain.yaml", "treatment": "../upgrade.yaml"})
    )
    on = ["overrides.mechanisms.all=true"]
    mechanisms = doc_options(sets=on)
    assert mechanisms == ("--set", "overrides.mechanisms.all=true")
    doc = tmp_path / "claims.md"
    doc.write_text(f"{DOC_BEGIN}\nold table\n{DOC_END}\n\nbetween\n\n{doc_marker(mechanisms)}\nold too\n{DOC_END}\n")
    assert set(doc_blocks(doc.read_text())) == {(), mechanisms}

    def claims(*args: str):
        return CliRunner().invoke(app, ["claims", str(folder), "--workers", "2", *args, "--doc", str(doc)])

    plain = claims("--out", str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.output
    text = doc.read_text()
    assert "old table" not in text and "old too" in text and "between" in text
    assert documented(text) == {"rises": load_claim(folder / "rises.yaml").fingerprint()}
    with_mechanisms = claims("--set", on[0], "--out", str(tmp_path / "on"))
    assert with_mechanisms.exit_code == 0, with_mechanisms.output
    after = doc.read_text()
    assert after.startswith(text[: text.index("between")]) and "old too" not in after  # the first block kept
    fingerprint = load_claim(folder / "rises.yaml", on).fingerprint()
    assert documented(after, mechanisms) == {"rises": fingerprint} != documented(after)
    assert "*Computed with `--set overrides.mechanisms.all=true` over each claim file's settings" in after
    assert "Against the block at the files' settings, 1 of 1 claims keep their verdict" in after
    effects = [pd.read_parquet(tmp_path / run / "summary.parquet")["effect"].iloc[0] for run in ("plain", "on")]
    assert effects[0] != effects[1]  # the runs had the mechanisms on, not only the block's name
    current = claims("--set", on[0], "--out", str(tmp_path / "on"), "--stale")
    assert current.exit_code == 0 and "is current" in current.output and doc.read_text() == after
    other = claims("--replicates", "3", "--out", str(tmp_path / "three"))
    assert other.exit_code == 2 and doc_marker(("--replicates", "3")) in " ".join(other.output.split())
    assert doc.read_text() == after


def test_a_block_with_other_options_says_which_verdicts_differ_from_the_files_settings():
    def summary(verdicts: dict[str, str]) -> pd.DataFrame:
        rows = [
            {c: 0.0 for c in SUMMARY_COLUMNS}
            | {
                "claim": name,
                "statement": f"{name} says.",
                "source": "a source",
                "verdict": verdict,
                "expect": "increase",
            }
            | {"quantity": "effect", "expected": "an increase", "draws": 0, "hinges_on": "", "fingerprint": "ab12"}
            | {"git_commit": "0123456789abcdef"}
            for name, verdict in verdicts.items()
        ]
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    on = doc_options(sets=["overrides.mechanisms.all=true"])
    text = f"{DOC_BEGIN}\n{DOC_END}\n\n{doc_marker(on)}\n{DOC_END}\n"
    plain = doc_block(summary({"a": "supported", "b": "inconclusive", "c": "contradicted"}), text)
    text = text.replace(f"{DOC_BEGIN}\n{DOC_END}", plain)
    assert doc_verdicts(text) == {"a": "supported", "b": "inconclusive", "c": "contradicted"}
    assert "claims keep their verdict" not in plain  # the files' own block compares with nothing
    block = doc_block(summary({"a": "supported", "b": "supported", "d": "supported"}), text, options=on)
    assert (
        "Against the block at the files' settings, 1 of 2 claims keep their verdict at the defaults and 1 change: "
        "**b** inconclusive there, supported here." in block
    )
    assert doc_verdicts(text.replace(f"{doc_marker(on)}\n{DOC_END}", block), on) == {
        "a": "supported",
        "b": "supported",
        "d": "supported",
    }


def test_doc_options_name_a_block_whatever_their_order():
    words = doc_options(2, 0, 1.5, ["b.c=1", "a=two words"])
    assert words == ("--replicates", "2", "--samples", "0", "--years", "1.5", "--set", "a=two words", "--set", "b.c=1")
    assert read_options(words) == {"replicates": 2, "samples": 0, "years": 1.5, "sets": ["a=two words", "b.c=1"]}
    text = f"{doc_marker(words)}\nrows\n{DOC_END}\n"
    assert "--set 'a=two words'" in text and list(doc_blocks(text)) == [words]
    assert doc_options(sets=["b.c=1", "a=two words"], years=1.5, samples=0, replicates=2) == words


# ------------------------------------------------------------------------------------------ inert parameters
def at_bounds(keys: set[str], end: int) -> dict[str, float]:
    """The scenario overrides that set each registry parameter of ``keys`` with one value and bounds to one end."""
    params = registry()
    return {registry_path(params[k]): params[k].bounds[end] for k in keys if params[k].bounds and not params[k].per}


def outputs(scenario: Scenario) -> np.ndarray:
    model = scenario.model()
    model.run(years=2)
    return model.recorder.provinces().select_dtypes("number").to_numpy(float)


@pytest.mark.parametrize("mechanisms", [{}, {"learning": True, "capital": True}], ids=["none", "learning+capital"])
def test_inert_parameters_change_nothing_and_the_others_do(mechanisms):
    """Every parameter a scenario declares inert, at either end of its bounds at once, leaves its results bit for
    bit; the mechanisms' parameters stop being inert when they are switched on, and then move the results."""
    scenario = load_scenario(LINE, {"mechanisms": mechanisms})
    inert = scenario.inert_parameters()
    on = set(mechanisms)
    for mechanism, names in ACTS_ONLY_THROUGH.items():
        assert all((f"economy.{n}" in inert) != (mechanism in on) for n in names)
    assert "capacity_building.cost_per_year" in inert and "cbez.commuting_share" in inert
    assert not inert & {"sez.fdi_uplift", "ossc.approval_days", "corridor.quality", "economy.depreciation"}
    reference = outputs(scenario)
    for end in (0, 1):
        np.testing.assert_array_equal(outputs(scenario.with_changes(at_bounds(inert, end))), reference)
    if on:
        active = {f"economy.{n}" for m in on for n in ACTS_ONLY_THROUGH[m]}
        assert not np.array_equal(outputs(scenario.with_changes(at_bounds(active, 1))), reference)


def test_claims_vary_only_what_either_scenario_can_use(tmp_path):
    path = claim_file(tmp_path)
    varied = {u.key for u in load_claim(path).varied()}
    everything = {k for k, p in registry().items() if p.kind == "uncertainty" and not p.per}
    assert varied < everything
    assert not varied & {f"economy.{n}" for names in ACTS_ONLY_THROUGH.values() for n in names}
    assert "capacity_building.cost_per_year" not in varied and "sez.fdi_uplift" in varied
    zone = {"type": "sez", "province": "P06", "start_year": 2019}
    training = {"type": "capacity_building", "countries": ["B"], "start_year": 2019}
    (tmp_path / "upgrade.yaml").write_text(
        yaml.safe_dump(SCENARIOS["upgrade.yaml"] | {"mechanisms": {"learning": True}, "policies": [zone, training]})
    )
    varied = {u.key for u in load_claim(path).varied()}  # one scenario uses them: they are varied
    assert {"economy.learning_gain", "economy.learning_years", "capacity_building.cost_per_year"} <= varied
    assert "economy.land_elasticity" not in varied


def test_a_small_effect_is_described_without_scientific_notation():
    from sez_sim.experiments.claims import describe

    answer = {
        "claim": "border_sezs_border_share",
        "outcome": "border_gdp_share",
        "expect": "increase",
        "threshold": 0.0,
        "defaults": {
            "verdict": "inconclusive",
            "effect": 7.495e-05,
            "ci_low": -6.542e-05,
            "ci_high": 2.153e-4,
            "replicates": 5,
        },
        "robustness": None,
        "hinges_on": None,
    }
    first, second = describe(answer)
    assert first == "border_sezs_border_share: INCONCLUSIVE at the default parameters"
    assert "effect +0.00007495 (95% interval -0.00006542 to +0.0002153, 5 paired replicates)" in second
    assert "e-0" not in second


def test_robustness_draws_are_counted_by_the_rule_that_refused_them(tmp_path):
    """Ranges where the calibrated economy's rules refuse most combinations: the report says which rules."""
    uncertainties = [
        {"key": "economy.sigma", "range": [3, 12]},
        {"key": "firms.pareto_shape", "range": [2, 20]},
        {"key": "economy.kappa", "range": [0.0, 0.002]},
    ]
    claim = load_claim(claim_file(tmp_path, samples=12, uncertainties=uncertainties))
    design, pairs, refused = draws(claim)
    assert len(design) == len(pairs) == 12
    assert refused and set(refused) <= {"firm-size tail", "trade decay", "fixed costs", "entry viability"}
    assert list(refused.values()) == sorted(refused.values(), reverse=True)
    assert (design["firms.pareto_shape"] >= 1.5 * (design["economy.sigma"] - 1)).all()  # accepted: they obey it
    answer = {
        "claim": "c",
        "outcome": "gdp",
        "expect": "increase",
        "threshold": 0.0,
        "defaults": {"verdict": "supported", "effect": 1.0, "ci_low": 0.5, "ci_high": 1.5, "replicates": 2},
        "robustness": {
            "holds": 3,
            "draws": 12,
            "share": 0.25,
            "ci_low": 0.05,
            "ci_high": 0.57,
            "failed_runs": 0,
            "refused_draws": sum(refused.values()),
            "refused_by_rule": refused,
        },
        "hinges_on": None,
    }
    line = describe(answer)[2]
    counted = ", ".join(f"{rule} {n}" for rule, n in refused.items())
    assert f"{sum(refused.values())} draws refused by the scenario rules, redrawn ({counted})" in line


@pytest.mark.parametrize(
    ("uncertainties", "expected"),
    [
        ("some", ["uncertainties: Input should be 'all' or a valid list"]),
        (
            [{"key": "economy.sigma"}, {"key": "agents.firms.pareto_shape"}],
            [
                "uncertainties[1]: 'agents.firms.pareto_shape' is not an uncertainty of the registry with one value "
                "(sez-sim params); the registry calls it 'firms.pareto_shape'"
            ],
        ),
        ([{"key": "economy.sigma", "range": [1.0, 99.0]}], ["uncertainties[0]: range must be [low, high] with"]),
    ],
    ids=["neither-shape", "scenario-path", "range"],
)
def test_a_value_of_several_shapes_is_refused_once_at_its_yaml_path(tmp_path, uncertainties, expected):
    """`uncertainties` is 'all' or a list: pydantic reported it once per shape, under its own names for them
    ("uncertainties.literal['all']: ...", "uncertainties.list[function-after[_known(), Uncertainty]][1]: ...")."""
    with pytest.raises(ScenarioError) as caught:
        load_claim(claim_file(tmp_path, uncertainties=uncertainties))
    shown = [f"{p.where}: {p.message}" for p in caught.value.problems]
    assert len(shown) == len(expected)
    assert all(line.startswith(start) for line, start in zip(shown, expected, strict=True)), shown
