"""Scenario files: the library, loading rules, overrides, and every kind of bad input (exit 2, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sez_sim import yamlio
from sez_sim.cli import app
from sez_sim.docs import scenario_reference
from sez_sim.errors import ScenarioError
from sez_sim.params import registry
from sez_sim.scenario import Scenario, deep_merge, load_scenario, parse_overrides, registry_path
from sez_sim.yamlio import apply_overrides

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))
runner = CliRunner()
GMS = ROOT / "scenarios/gms_baseline.yaml"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sez_sim", *args], capture_output=True, text=True, cwd=cwd)


# ------------------------------------------------------------------------------------------- the library
def test_the_library_has_the_promised_scenarios():
    names = {p.relative_to(ROOT / "scenarios").as_posix() for p in SCENARIOS}
    assert {
        "gms_baseline.yaml",
        "ewec_border_sezs.yaml",
        "cbez_pairs.yaml",
        "ossc_rollout.yaml",
        "capital_sezs.yaml",
        "corridor_upgrades.yaml",
        "open_labour_mobility.yaml",
        "textbook/core_periphery.yaml",
        "textbook/footloose_capital.yaml",
        "teaching/line_corridor.yaml",
    } <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_validates_and_runs_one_year(path):
    from sez_sim import run_scenario

    scenario = load_scenario(path)
    assert len(scenario.description) > 80  # says what it illustrates
    result = run_scenario(scenario, seed=3, years=1)
    assert len(result.summary) == scenario.run.steps_per_year + 1
    assert result.summary["population"].iloc[-1] > 0


def test_validate_command_accepts_the_library():
    proc = cli("validate", *map(str, SCENARIOS))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("ok:") == len(SCENARIOS)


# -------------------------------------------------------------------------------------- loading rules
def test_extends_deep_merges_and_child_replaces_lists(tmp_path):
    (tmp_path / "parent.yaml").write_text(
        "name: parent\nrun: {years: 7, seed: 3}\neconomy: {sigma: 6}\npolicies: [{type: fdi_inflow, multiplier: 2}]\n"
    )
    (tmp_path / "child.yaml").write_text(
        "name: child\nextends: parent.yaml\nrun: {years: 2}\npolicies: [{type: sez, province: Tak}]\n"
    )
    s = load_scenario(tmp_path / "child.yaml")
    assert s.name == "child" and s.run.years == 2 and s.run.seed == 3 and s.economy.sigma == 6
    assert [p.type for p in s.policies] == ["sez"]
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}}


def test_overrides_as_strings_and_as_a_dict_are_the_same():
    a = load_scenario(ROOT / "scenarios/ewec_border_sezs.yaml", ["economy.sigma=4.5", "policies.0.capacity_jobs=30000"])
    b = load_scenario(
        ROOT / "scenarios/ewec_border_sezs.yaml", {"economy.sigma": 4.5, "policies.0.capacity_jobs": 30000}
    )
    assert a.resolved() == b.resolved() and a.digest() == b.digest()
    assert a.economy.sigma == 4.5 and a.policies[0].capacity_jobs == 30000
    assert parse_overrides(["initial.shares=[0.6, 0.4]"]) == {"initial.shares": [0.6, 0.4]}
    assert parse_overrides("economy.sigma=4.5") == {"economy.sigma": 4.5}  # one string is one override


@pytest.mark.parametrize(
    ("nested", "dotted"),
    [
        ({"run": {"years": 5}}, {"run.years": 5}),
        ({"agents": {"firms": {"hazard": 0.01}}, "run": {"years": 3}}, {"agents.firms.hazard": 0.01, "run.years": 3}),
        ({"sez": {"capacity_jobs": 5000}}, {"policy_defaults.sez.capacity_jobs": 5000}),
        ({"economy": {"corporate_tax": {"THA": 0.1}}}, {"economy.corporate_tax": {"THA": 0.1}}),
        (
            {"policies.0": {"provinces": ["Tak"], "countries": []}},
            {"policies.0.provinces": ["Tak"], "policies.0.countries": []},
        ),
    ],
)
def test_a_nested_override_sets_the_keys_it_holds_and_keeps_the_sections_others(nested, dotted):
    """From Python, ``with_changes`` or ``--set 'run={years: 5}'``: as a scenario extending the base would. A nested
    mapping replaced the whole section, so ``{"run": {"years": 5}}`` silently ran seed 0 instead of the file's 1. A
    per-country parameter's mapping is a value, not a section; a list entry's mapping sets its keys."""
    path = ROOT / "scenarios/ossc_rollout.yaml"
    base = load_scenario(path)
    expected = load_scenario(path, dotted).resolved()
    assert base.run.seed == 1 and expected != base.resolved()
    assert load_scenario(path, nested).resolved() == expected
    assert base.with_changes(nested).resolved() == expected
    flags = [f"{key}={yaml.safe_dump(value, default_flow_style=True).strip()}" for key, value in nested.items()]
    assert load_scenario(path, flags).resolved() == expected
    assert load_scenario(path, nested).run.seed == 1


def test_a_list_index_is_taken_as_messages_write_it():
    """``policies[0].capacity_jobs``, the path a message names, sets what ``policies.0.capacity_jobs`` does; its
    problems name the key as the user wrote it."""
    ewec = ROOT / "scenarios/ewec_border_sezs.yaml"
    brackets = load_scenario(ewec, ["policies[2].capacity_jobs=30000", "policies[0].start_year=2022"])
    dots = load_scenario(ewec, {"policies.2.capacity_jobs": 30000, "policies.0.start_year": 2022})
    assert brackets.resolved() == dots.resolved() and brackets.policies[2].capacity_jobs == 30000
    for override, origin, says in [
        ("policies[1].capacity_jobs=-5", "--set policies[1].capacity_jobs", "greater than or equal to 0"),
        ("policies[6].capacity_jobs=5", "--set policies[6].capacity_jobs", "policies has 6 entries; no index 6"),
    ]:
        with pytest.raises(ScenarioError) as caught:
            load_scenario(ewec, [override])
        problem = caught.value.problems[0]
        assert problem.source == origin and says in problem.message
    with pytest.raises(ScenarioError, match="both set policies.0.capacity_jobs"):
        load_scenario(ewec, ["policies[0].capacity_jobs=1", "policies.0.capacity_jobs=2"])


@pytest.mark.parametrize(
    ("key", "meant"),
    [("economy.sigmaa", "'sigma'"), ("agents.firms.cuont", "'count'"), ("run.yeras", "'years'"), ("nmae", "'name'")],
)
def test_a_misspelt_key_is_told_the_key_it_resembles(key, meant):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(ROOT / "scenarios/teaching/line_corridor.yaml", {key: 1})
    message = caught.value.problems[0].message
    assert message.startswith(f"unknown key; did you mean {meant}? (allowed: ")


def test_an_unknown_key_like_no_allowed_one_gets_the_list_alone():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(ROOT / "scenarios/teaching/line_corridor.yaml", {"run.colour": 1})
    assert caught.value.problems[0].message == "unknown key (allowed: seed, start_year, steps_per_year, years)"


def test_an_override_fills_a_section_left_empty():
    """A key under a section that is absent or null (as a resolved scenario dumps it) starts the section."""
    assert apply_overrides({"policy_defaults": {"sez": None}}, {"policy_defaults.sez.capacity_jobs": 5}) == {
        "policy_defaults": {"sez": {"capacity_jobs": 5}}
    }
    s = load_scenario(ROOT / "scenarios/capacity_building.yaml", {"policy_defaults.capacity_building.gain": 0.9})
    assert s.resolved()["policy_defaults"]["capacity_building"]["gain"] == 0.9


def test_textbook_overrides_are_accepted():
    s = load_scenario(
        ROOT / "scenarios/textbook/footloose_capital.yaml",
        [
            "geography.synthetic.freeness=0.4",
            "economy.sigma=6",
            "economy.mu=0.3",
            "initial.shares=[0.7, 0.3]",
            "geography.synthetic.population_shares=[0.6, 0.4]",
            "run.years=3",
            "agents.persons_per_agent=500",
        ],
    )
    config = s.config()
    geo = config.geography()
    assert geo.freeness(6, 0)[0, 1] == pytest.approx(0.4)
    assert config.params["economy"]["sigma"] == 6 and config.params["economy"]["mu"] == 0.3
    assert config.initial_shares == (0.7, 0.3) and config.persons_per_agent == 500
    assert geo.provinces["population"].iloc[0] / geo.provinces["population"].sum() == pytest.approx(0.6)


@pytest.mark.parametrize("sigma", [8.0, 12.0])
def test_the_calibration_rules_hold_the_gms_preset_only(sigma):
    # With the default Pareto shape (10), sigma 8 and 12 give firm sizes a tail of 1.43 and 0.91: a rule about the
    # calibrated economy's firm agents, which the textbook presets do not have.
    core_periphery = load_scenario(ROOT / "scenarios/textbook/core_periphery.yaml", [f"economy.sigma={sigma}"])
    assert core_periphery.economy.sigma == sigma
    with pytest.raises(ScenarioError, match="economy.sigma"):
        load_scenario(ROOT / "scenarios/gms_baseline.yaml", [f"economy.sigma={sigma}"])


def test_registry_defaults_flow_into_the_model():
    s = load_scenario({"name": "x", "agents": {"workers": {"border_barrier": {"THA-MMR": 0.5, "*": 3.0}}}})
    params = s.config().params
    assert params["workers"]["border_barrier"] == {"THA-MMR": 0.5, "*": 3.0}
    assert params["economy"]["sigma"] == 5.0  # untouched keys keep their defaults


def test_schema_and_reference_are_current():
    schema = json.loads(runner.invoke(app, ["schema"]).output)
    assert schema["title"] == "Scenario" and "policies" in schema["properties"]
    reference = (ROOT / "docs/scenarios.md").read_text()
    assert reference == scenario_reference(), "regenerate: sez-sim schema --markdown > docs/scenarios.md"
    for key in ("economy.sigma", "agents.firms.hazard", "policy_defaults.sez.capacity_jobs", "type: cbez"):
        assert key in reference


# ----------------------------------------------------------------------------------------- bad input
# One mistake at a time, every way in: tests/bad_inputs.py and tests/test_bad_inputs.py. Here, many at once:
VALID = {"name": "h", "run": {"years": 1}, "policies": [{"type": "sez", "province": "Tak"}]}
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
)
trees = st.recursive(
    leaves,
    lambda kids: st.dictionaries(st.text(max_size=8), kids, max_size=4) | st.lists(kids, max_size=3),
    max_leaves=12,
)
paths = st.sampled_from(
    [
        "name",
        "run",
        "run.years",
        "economy",
        "economy.sigma",
        "agents",
        "policies",
        "policies.0",
        "policies.0.province",
        "policies.0.type",
        "geography",
        "geography.synthetic",
        "initial",
        "extends",
        "outputs",
        "agents.workers.border_barrier",
        "economy.minimum_wage",
    ]
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(paths, trees), min_size=1, max_size=3))
def test_malformed_scenarios_never_escape_as_tracebacks(edits, tmp_path_factory):
    raw = json.loads(json.dumps(VALID))
    for path, value in edits:
        node, parts = raw, path.split(".")
        for part in parts[:-1]:
            nxt = (
                node[int(part)]
                if isinstance(node, list) and part.isdigit() and int(part) < len(node)
                else (node.get(part) if isinstance(node, dict) else None)
            )
            if not isinstance(nxt, dict | list):
                break
            node = nxt
        else:
            last = parts[-1]
            if isinstance(node, dict):
                node[last] = value
            elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
                node[int(last)] = value
    folder = tmp_path_factory.mktemp("h")
    file = folder / "s.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True))
    try:
        scenario = load_scenario(file)
    except ScenarioError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
    else:
        assert isinstance(scenario, Scenario)


@pytest.mark.parametrize("countries", [["THA"], ["THA", "MMR", "LAO"], []])
def test_a_migration_regime_names_a_pair_and_says_so(countries):
    policy = {"type": "migration_regime", "countries": countries}
    with pytest.raises(ScenarioError) as caught:
        load_scenario({"name": "m", "extends": str(ROOT / "scenarios/gms_baseline.yaml"), "policies": [policy]})
    (problem,) = caught.value.problems
    assert problem.where == "policies[0].countries"
    assert f"two countries, e.g. [THA, MMR], not {len(countries)}" in problem.message
    assert "one regime per pair" in problem.message


@pytest.mark.parametrize(
    ("zone", "status", "host"),
    [
        ("Kyaukphyu Special Economic Zone", "planned", "MM-16"),
        ("Ruili Cross-Border Economic Cooperation Zone (China side)", "planned", "CN-YN-DHG"),
    ],
)
@pytest.mark.parametrize("programme", ["capacity_building", "investment_promotion"])
def test_a_programme_aimed_at_a_zone_the_run_lacks_says_how_to_open_it(zone, status, host, programme):
    base = {"name": "p", "extends": str(ROOT / "scenarios/gms_baseline.yaml")}
    with pytest.raises(ScenarioError) as caught:
        load_scenario({**base, "policies": [{"type": programme, "zones": [zone]}]})
    (problem,) = caught.value.problems
    assert problem.where == "policies[0].zones[0]"
    assert f"lists it as {status}" in problem.message
    assert f"{{type: sez, province: {host}, name: {zone!r}}}" in problem.message
    # ... and doing what it says works.
    opened = {"type": "sez", "province": host, "name": zone}
    assert load_scenario({**base, "policies": [opened, {"type": programme, "zones": [zone]}]}).policies


@pytest.mark.parametrize("target", [{"zones": ["Koh Kong SEZ"]}, {"provinces": ["Koh Kong"]}, {"countries": ["KHM"]}])
def test_a_programme_in_a_run_without_the_datasets_zones_says_the_run_starts_without_them(target):
    """With geography.existing_zones false, a zone the dataset runs is missing because of that setting, not its
    status or year: the error says so (not that the dataset's operating zones are there); a running model says the
    same (test_policy_structure)."""
    base = {"name": "p", "extends": str(ROOT / "scenarios/gms_baseline.yaml"), "geography": {"existing_zones": False}}
    programme = {"type": "investment_promotion", **target}
    with pytest.raises(ScenarioError) as caught:
        load_scenario({**base, "policies": [programme]})
    (problem,) = caught.value.problems
    field = next(iter(target))
    assert problem.where == f"policies[0].{field}[0]"
    assert "geography.existing_zones false" in problem.message and "dataset's operating zones" not in problem.message
    if field == "zones":
        assert "lists it as operating, established 2006, and this run starts without the dataset's zones" in (
            problem.message
        )
        assert "{type: sez, province: KH-9, name: 'Koh Kong SEZ'}" in problem.message
    # ... and doing what it says works; with the dataset's zones the programme needs nothing else.
    opened = {"type": "sez", "province": "KH-9", "name": "Koh Kong SEZ"}
    assert load_scenario({**base, "policies": [opened, programme]}).policies
    with_zones = load_scenario({**base, "geography": {"existing_zones": True}, "policies": [programme]})
    assert with_zones.policies


def test_a_misspelt_zone_gets_the_closest_names():
    policy = {"type": "capacity_building", "zones": ["Tak SEZ"]}
    with pytest.raises(ScenarioError, match="close: 'Tak Special Economic Zone'"):
        load_scenario({"name": "p", "extends": str(ROOT / "scenarios/gms_baseline.yaml"), "policies": [policy]})


@pytest.mark.parametrize(
    ("rule", "breaks"),
    [
        ("firm-size tail", [["agents.firms.pareto_shape=3"], ["agents.firms.pareto_shape=5"]]),
        (
            "trade decay",
            [
                [*steep, f"economy.kappa={kappa}"]
                for kappa in (0.0015, 0.002)
                for steep in [["economy.sigma=8", "agents.firms.pareto_shape=20"]]
            ],
        ),
        ("no discounting", [["agents.firms.discount_rate=0", "agents.firms.hazard=0"]]),
        (
            "modern revenue",
            [["economy.mu=0.9", "economy.trade_balance=0.1"], ["economy.mu=0.85", "economy.trade_balance=0.2"]],
        ),
        ("trade balance", [["economy.trade_balance=0.3"], ["economy.export_share=0.01"]]),
        (
            "migration rate",
            [
                ["agents.workers.reconsider=0.01"],
                ["agents.workers.migration_rate=0.05", "agents.workers.reconsider=0.05"],
            ],
        ),
        ("fixed costs", [["economy.fixed_labour_share=0.15", "economy.sigma=11", "agents.firms.pareto_shape=50"]]),
        ("entry viability", [["agents.firms.entry_cost=4", "agents.firms.hazard=0.15"]]),
    ],
)
def test_each_rule_of_the_calibrated_economy_names_itself_whatever_the_values(rule, breaks):
    """A claim's robustness draws are counted by the rule that refused them; the messages carry the values."""
    messages = set()
    for overrides in breaks:
        with pytest.raises(ScenarioError) as caught:
            load_scenario(ROOT / "scenarios/gms_baseline.yaml", overrides)
        (problem,) = caught.value.problems
        assert problem.rule == rule, (overrides, problem)
        messages.add(problem.message)
    assert len(messages) == len(breaks)  # the values differ, the rule's name does not


def test_the_fixed_costs_rule_counts_capitals_share_where_the_capital_mechanism_is_on():
    """Capital takes part of the variable cost, so fixed labour weighs less against the operating surplus."""
    costly = ["economy.fixed_labour_share=0.15", "economy.sigma=7", "economy.capital_share=0.5"]
    for overrides in (costly, [*costly, "mechanisms.labour_market=true"]):
        with pytest.raises(ScenarioError) as caught:
            load_scenario(ROOT / "scenarios/gms_baseline.yaml", overrides)
        (problem,) = caught.value.problems
        assert problem.rule == "fixed costs" and "106%" in problem.message and "capital_share" not in problem.message
    assert load_scenario(ROOT / "scenarios/gms_baseline.yaml", [*costly, "mechanisms.capital=true"])
    with pytest.raises(ScenarioError) as caught:
        load_scenario(
            ROOT / "scenarios/gms_baseline.yaml",
            [
                "economy.fixed_labour_share=0.15",
                "economy.sigma=11",
                "agents.firms.pareto_shape=50",
                "economy.capital_share=0.1",
                "mechanisms.capital=true",
            ],
        )
    (problem,) = caught.value.problems
    assert problem.rule == "fixed costs" and "economy.capital_share (0.1)" in problem.message


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ({"type": "sez", "province": "Tak"}, {"type": "sez", "province": "TH-63", "label": "Tak again"}, True),
        ({"type": "sez", "province": "Tak"}, {"type": "sez", "province": "Kayin"}, False),
        ({"type": "cbez", "crossing": "Mohan-Boten"}, {"type": "cbez", "crossing": "Boten-Mohan"}, True),
        ({"type": "cbez", "crossing": "Mohan-Boten"}, {"type": "cbez", "crossing": "Mae Sot-Myawaddy"}, False),
        ({"type": "ossc", "provinces": ["Tak", "Kayin"]}, {"type": "ossc", "provinces": ["MM-13", "TH-63"]}, True),
        ({"type": "ossc", "countries": ["LAO"]}, {"type": "ossc", "countries": ["LAO"], "approval_days": 5}, False),
    ],
)
def test_the_same_instrument_in_the_same_place_is_refused_however_the_place_is_named(tmp_path, first, second, same):
    """Places are resolved before instruments are compared: an id or a name, a crossing's sides in either order."""
    path = tmp_path / "twice.yaml"
    path.write_text(yaml.safe_dump({"name": "twice", "policies": [first, second]}))
    if same:
        with pytest.raises(ScenarioError, match=r"policies\[1\]: repeats policies\[0\]: the same instrument"):
            load_scenario(path)
    else:
        assert len(load_scenario(path).policies) == 2


def test_a_file_whose_policies_replace_those_it_extends_is_warned(tmp_path):
    """A list replaces the one it extends: a scenario adding a policy to one with a zone ran without the zone."""
    zone = {"type": "sez", "province": "Tak", "start_year": 2020}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({"name": "base", "policies": [zone]}))
    (tmp_path / "middle.yaml").write_text(yaml.safe_dump({"name": "middle", "extends": "base.yaml"}))
    ossc = {"type": "ossc", "countries": ["MMR"], "start_year": 2020}
    cases = {
        "adds.yaml": ({"extends": "middle.yaml", "policies": [ossc]}, True),
        "repeats.yaml": ({"extends": "base.yaml", "policies": [zone, ossc]}, False),
        "clears.yaml": ({"extends": "base.yaml", "policies": []}, False),
        "keeps.yaml": ({"extends": "base.yaml", "run": {"years": 3}}, False),
    }
    for name, (content, warned) in cases.items():
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"name": path.stem} | content))
        warnings = [w for w in load_scenario(path).warnings() if w.where == "policies"]
        if warned:
            (warning,) = warnings
            assert warning.source == str(path)
            assert warning.message.startswith("replaces the 1 policy of base.yaml, which it extends (1 not repeated")
        else:
            assert warnings == [], name
    result = runner.invoke(app, ["validate", str(tmp_path / "adds.yaml")])
    assert result.exit_code == 0 and "warning:" in result.output and "replaces the 1 policy" in result.output


def test_compare_warns_of_either_scenarios_replaced_policies(tmp_path):
    line = ROOT / "scenarios/teaching/line_corridor.yaml"
    b = tmp_path / "b.yaml"
    b.write_text(
        yaml.safe_dump({"name": "b", "extends": str(line), "policies": [{"type": "fdi_inflow", "multiplier": 2}]})
    )
    result = runner.invoke(
        app, ["compare", str(line), str(b), "--replicates", "2", "--years", "0.5", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {b}: policies: replaces the 2 policies of line_corridor.yaml" in " ".join(result.output.split())


@pytest.mark.parametrize("minimum", [2, 10, 37])
def test_fewer_firm_agents_than_every_province_needs_is_refused_by_name(minimum):
    """agents.firms.count=800 on the GMS (228 provinces, at least 10 each) ended in a ValueError's traceback."""
    line = ROOT / "scenarios/teaching/line_corridor.yaml"
    provinces = 10
    just = [f"agents.firms.min_per_province={minimum}", f"agents.firms.count={minimum * provinces}"]
    assert load_scenario(line, just).agents  # exactly enough
    short = [f"agents.firms.min_per_province={minimum}", f"agents.firms.count={minimum * provinces - 1}"]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(line, short)
    (problem,) = caught.value.problems
    assert problem.where == "agents.firms.count"
    assert f"give at least {minimum * provinces:,}" in problem.message
    result = runner.invoke(app, ["run", str(line), "--set", short[0], "--set", short[1]])
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (["agents.firms.count=2000000"], "agents.firms.count"),
        (["agents.persons_per_agent=1"], "agents.persons_per_agent"),
    ],
)
def test_a_model_too_big_for_the_memory_is_refused_naming_what_takes_it(overrides, named, monkeypatch):
    """Firm agents counted for nothing in the memory estimate: 10 million took 5 GB before anything said so."""
    import sez_sim.build as build

    line = ROOT / "scenarios/teaching/line_corridor.yaml"
    monkeypatch.setattr(build, "memory_limit", lambda: 2**29)  # a machine of 0.6 GiB
    assert load_scenario(line).agents  # the corridor's defaults fit
    with pytest.raises(ScenarioError) as caught:
        load_scenario(line, overrides)
    (problem,) = caught.value.problems
    assert problem.where == named and "GiB; this machine allows 0.5 GiB" in problem.message


@pytest.mark.parametrize(
    ("years", "steps_per_year", "says"),
    [
        (
            0.3,
            4,
            "0.3 years is no whole number of steps at 4 a year: the run takes 1 step (0.25 years) and ends in 2019.25",
        ),
        (10.1, 4, "the run takes 40 steps (10 years) and ends in 2029"),
        (2.55, 12, "at 12 a year: the run takes 31 steps (2.58333 years)"),
        (2.5, 4, None),
        (0.25, 4, None),
    ],
)
def test_a_length_of_run_that_is_no_whole_number_of_steps_is_warned_with_what_runs(years, steps_per_year, says):
    scenario = load_scenario(
        ROOT / "scenarios/teaching/line_corridor.yaml",
        {"run.years": years, "run.steps_per_year": steps_per_year, "policies": []},
    )
    found = [w.message for w in scenario.warnings() if w.where == "run.years"]
    assert (found == []) if says is None else (len(found) == 1 and says in found[0]), found


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["--set", "run.seed=3", "--seed", "5"],
            "--seed: --set run.seed and --seed both set run.seed; give one of them",
        ),
        (["--set", "run.years=2", "--years", "1"], "--years: --set run.years and --years both set run.years"),
        (["--set", "economy.sigma=4", "--set", "economy.sigma=5"], "--set economy.sigma: given twice"),
        (
            ["--set", "sez.fdi_uplift=1", "--set", "policy_defaults.sez.fdi_uplift=2"],
            "--set sez.fdi_uplift and --set policy_defaults.sez.fdi_uplift both set policy_defaults.sez.fdi_uplift",
        ),
    ],
)
def test_a_key_set_twice_on_the_command_line_is_refused(tmp_path, argv, says):
    """Which of the two would win was not said; neither is taken."""
    line = ROOT / "scenarios/teaching/line_corridor.yaml"
    result = runner.invoke(app, ["run", str(line), *argv, "--out", str(tmp_path / "out")], terminal_width=200)
    assert result.exit_code == 2 and says in result.output and not (tmp_path / "out").exists()
    with pytest.raises(ScenarioError, match="both set run.seed"):
        load_scenario(line, {"run.seed": 3}, options={"run.seed": ("seed", 5)})


@pytest.mark.parametrize("key", sorted(registry()))
def test_every_parameter_is_set_by_its_registry_key_where_the_scenario_holds_it(key):
    """``sez-sim params`` prints registry keys: ``--set sez.fdi_uplift=2`` sets policy_defaults.sez.fdi_uplift."""
    param = registry()[key]
    value = param.bounds[0] if not param.per else {"*": param.bounds[0]}

    def loaded(changes):
        try:
            return load_scenario(GMS, changes, check_references=False).resolved()
        except ScenarioError as exc:  # a bound a rule refuses: refused alike either way
            return [p.message for p in exc.problems]

    by_key = loaded({key: value})
    assert by_key == loaded({registry_path(param): value})
    if isinstance(by_key, dict):
        for part in registry_path(param).split("."):
            by_key = by_key[part]
        assert by_key == value


def test_a_registry_key_on_the_command_line_is_named_as_given_in_its_errors(tmp_path):
    line = ROOT / "scenarios/teaching/line_corridor.yaml"
    args = ["run", str(line), "--years", "1", "--set", "sez.fdi_uplift=50", "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 2 and "--set sez.fdi_uplift: policy_defaults.sez.fdi_uplift:" in result.output
    assert "less than or equal to 5" in result.output


@pytest.mark.parametrize(
    ("scenario", "value", "warned"),
    [(GMS, 50, True), (GMS, 1000, False), (ROOT / "scenarios/textbook/core_periphery.yaml", 50, False)],
)
def test_the_textbook_agent_count_set_for_the_calibrated_economy_is_warned(scenario, value, warned):
    """The gms preset does not read it: a setting that does nothing is said (allowed, as a parent may set it)."""
    found = load_scenario(scenario, {"agents.textbook_agents": value}).warnings()
    said = [w.message for w in found if w.where == "agents.textbook_agents"]
    assert bool(said) == warned and all("the gms preset does not read it" in m for m in said)


@pytest.mark.parametrize("cost", [0.0, 10.0, 600.0])
@pytest.mark.parametrize("geography", [{"dataset": "gms"}, {"synthetic": {"kind": "line", "n": 4}}])
def test_the_crossing_cost_reaches_the_geography_at_every_value(cost, geography):
    """Including 0, its lower bound: read as missing (``or``), it became the default 250 km without a word."""
    scenario = load_scenario({"name": "t", "geography": geography, "economy": {"crossing_cost_km": cost}})
    crossings = scenario.build_geography().crossings
    assert len(crossings) and (crossings["cost_km"] == cost).all()


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=20,
)


def parsed(text: str, parse) -> tuple[str, object]:
    try:
        return "value", parse(text)
    except ScenarioError as exc:
        return "error", str(exc)


@settings(max_examples=300, deadline=None)
@given(
    value=YAML_VALUES,
    flow=st.sampled_from([None, True, False]),
    at=st.integers(0, 200),
    edit=st.sampled_from(["", ":", "- ", "\t", "{", "'", "&a ", "*a", "\n  ", "[" * 70, "[" * 1100]),
)
def test_libyaml_parses_as_the_pure_python_parser_does_and_errs_with_its_messages(value, flow, at, edit):
    """Scenario files are read with libyaml's parser where PyYAML has it, the pure-Python one the reference: a
    document the reference reads is read the same, and a text libyaml refuses gets the reference's message (duplicate
    keys, nesting, malformed YAML). libyaml also reads a few texts the reference refuses (a tab or a '?' inside a
    plain scalar, which YAML allows)."""
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    text = text[:at] + edit + text[at + 1 :] if edit else text
    reference = parsed(text, lambda t: yamlio._parse(t, "f.yaml", yamlio.PYTHON_LOADER))
    fast = parsed(text, lambda t: yamlio.parse_yaml(t, "f.yaml"))
    if reference[0] == "value" or fast[0] == "error":
        assert fast == reference


def test_the_fast_yaml_parser_is_libyamls_where_pyyaml_has_it():
    assert (yamlio.FAST_LOADER is yamlio.PYTHON_LOADER) == (not yaml.__with_libyaml__)
    assert parsed("a: 1\na: 2\n", lambda t: yamlio.parse_yaml(t, "f.yaml")) == (
        "error",
        "f.yaml: line 2: malformed YAML: duplicate key 'a' at line 2 (first at line 1)",
    )
