"""The workshop app's state without a browser: placing, stepping, targets, saving as a scenario, the figures."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sez_sim.app.charts import LineChart, MapView, colour_limit
from sez_sim.app.workshop import Workshop
from sez_sim.errors import ScenarioError
from sez_sim.params import defaults
from sez_sim.policies import BY_TYPE
from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)

CONTROLS = {
    "sez": {"type": "sez", "province": "Binh Duong", "capacity_jobs": 30_000.0},
    "cbez": {"type": "cbez", "crossing": "Mukdahan-Savannakhet", "joint_customs": False},
    "ossc": {"type": "ossc", "countries": ["KHM"]},
    "corridor": {"type": "corridor_upgrade", "corridor": "SEC"},
    "port": {"type": "port", "province": "MM-05"},
    "tax": {"type": "corporate_tax", "provinces": ["VN-57"], "rate": 0.1},
    "min_wage": {"type": "minimum_wage", "country": "KHM", "factor": 1.5},
    "migration": {"type": "migration_regime", "countries": ["THA", "MMR"], "barrier": 0.5},
    "capacity_building": {"type": "capacity_building", "countries": ["LAO"]},
    "promotion": {"type": "investment_promotion", "countries": ["VNM"]},
    "closure": {"type": "zone_closure", "countries": ["KHM"]},
}
"""One entry per control of the page, as the page builds them."""


@pytest.fixture(scope="module")
def scenario():
    return load_scenario({"name": "app_test", "run": {"years": 6}})


@pytest.fixture(scope="module")
def template(scenario):
    return scenario.model()


def fresh(scenario, template) -> Workshop:
    return Workshop(scenario, template)


def targets(entry: dict, model) -> list[int]:
    """The provinces a control's instrument aims at in ``model`` (before it is placed)."""
    instrument = BY_TYPE[entry["type"]](**entry)
    return instrument.places(model.geo, model.zones.hosts()).targeted(model.geo)


def test_the_two_models_start_identical_and_stay_so_until_something_is_placed(scenario, template):
    w = fresh(scenario, template)
    w.step(3)
    for key in ("gdp", "population", "workers_m"):
        np.testing.assert_array_equal(w.baseline.accounts[key], w.policy.accounts[key])
    assert not w.change().any()
    reference = copy.deepcopy(template).run(steps=3)
    np.testing.assert_array_equal(w.baseline.accounts["gdp"], reference.accounts["gdp"])


@pytest.mark.parametrize("host", ["Nonthaburi", "Binh Duong", "Vientiane Capital", "Yangon"])
def test_a_placed_zone_joins_the_policy_run_only(scenario, template, host):
    w = fresh(scenario, template)
    w.step(2)
    w.place({"type": "sez", "province": host, "capacity_jobs": 30_000.0, "management": 0.9})
    i = w.policy.geo.index_of(host)
    assert w.targeted == [i]
    w.step(8)
    new = len(w.baseline.zones)
    assert len(w.policy.zones) == new + 1 and w.policy.zones.province[new] == i
    assert w.policy.zone_accounts["capacity_jobs"][new] > 0
    reference = copy.deepcopy(template).run(steps=10)
    np.testing.assert_array_equal(w.baseline.accounts["gdp"], reference.accounts["gdp"])


def test_a_zone_that_fills_shows_in_its_hosts_numbers(scenario, template):
    w = fresh(scenario, template)
    w.place({"type": "sez", "province": "Binh Duong", "capacity_jobs": 30_000.0, "management": 0.9})
    w.step(16)
    row = w.targeted_table()[0]
    assert row["province"] == "Binh Duong (VNM)"
    assert row["zone_firms"][1] > row["zone_firms"][0]
    assert row["modern_jobs"][1] > row["modern_jobs"][0]
    assert row["gdp_per_capita"][1] > row["gdp_per_capita"][0]
    i = w.targeted[0]
    assert row["earnings_gini"] == (w.baseline.accounts["earnings_gini"][i], w.policy.accounts["earnings_gini"][i])
    assert row["earnings_gini"][1] != row["earnings_gini"][0]
    years, change = w.targeted_gdp()
    assert len(years) == 17 and change[-1] > 0


def test_the_saved_scenario_reruns_to_the_same_numbers(scenario, template):
    w = fresh(scenario, template)
    w.step(2)
    w.place(CONTROLS["sez"])
    w.place(CONTROLS["cbez"])
    w.step(3)
    w.place(CONTROLS["ossc"])
    w.step(3)
    w.place(CONTROLS["tax"])
    w.place(CONTROLS["min_wage"])
    w.step(2)
    saved = load_scenario(yaml.safe_load(w.scenario_yaml()))
    types = ["sez", "cbez", "ossc", "corporate_tax", "minimum_wage"]
    assert [p["type"] for p in w.scenario_dict()["policies"]] == types
    run = simulate(saved, years=w.year - scenario.run.start_year)
    panel = w.policy.recorder.provinces()
    columns = ("population", "gdp", "gdp_per_capita", "workers_m", "firms", "firms_in_zone", "fdi_stock", "profit_tax")
    for column in columns:
        np.testing.assert_array_equal(run.provinces[column].to_numpy(), panel[column].to_numpy(), err_msg=column)
    # Totals over the zones differ in the last bits only: the scenario's run has the zones (empty) from its start,
    # so numpy sums a longer array in another order.
    summary = w.policy.recorder.summary_frame()
    np.testing.assert_allclose(run.summary.to_numpy(float), summary.to_numpy(float), rtol=1e-12, atol=1e-9)


ACCOUNTS = ("population", "gdp", "workers_m", "firms", "firms_in_zone", "fdi_stock", "profit_tax")


def same_runs(a, b) -> None:
    for key in ACCOUNTS:
        np.testing.assert_array_equal(a.accounts[key], b.accounts[key], err_msg=key)
    assert a.recorder.summary_frame().equals(b.recorder.summary_frame())
    assert a.steps == b.steps and len(a.zones) == len(b.zones)


def placing(scenario, template, plan: list[tuple[int, dict]], which: list[int]) -> Workshop:
    """A workshop in which the entries ``which`` of ``plan`` are placed, each at its step, then two steps more."""
    w = fresh(scenario, template)
    for k, (at, entry) in enumerate(plan):
        w.step(at - w.policy.steps)
        if k in which:
            w.place(entry)
    w.step(2)
    return w


@pytest.mark.parametrize("removed", [0, 1, 2])
def test_removing_a_placed_instrument_gives_the_run_in_which_it_was_never_placed(scenario, template, removed):
    """Three instruments placed at two steps, one taken out: the policy run, its targets and what is listed are
    those of placing the other two at their steps, number for number; taking out all gives the baseline."""
    plan = [(1, CONTROLS["sez"]), (3, CONTROLS["tax"]), (3, CONTROLS["ossc"])]
    w = placing(scenario, template, plan, [0, 1, 2])
    w.remove(removed)
    reference = placing(scenario, template, plan, [k for k in range(3) if k != removed])
    same_runs(w.policy, reference.policy)
    assert w.placed == reference.placed and w.targeted == reference.targeted
    assert [tag for tag, _ in w.places] == [tag for tag, _ in reference.places]
    same_runs(w.baseline, reference.baseline)  # the baseline is not touched
    w.step(1)
    reference.step(1)
    same_runs(w.policy, reference.policy)  # and it goes on as the other does
    w.remove(1)
    w.remove(0)
    assert w.placed == [] and w.targeted == [] and not w.change().any()
    same_runs(w.policy, w.baseline)
    with pytest.raises(IndexError, match="no placed instrument 0"):
        w.remove(0)
    w.place(CONTROLS["cbez"])  # placing again after a removal works as before
    assert len(w.placed) == 1 and w.placed[0]["start_year"] == w.policy.calendar.end(w.policy.steps)


@pytest.mark.parametrize("later", sorted(set(CONTROLS) - {"sez", "cbez"}))
@pytest.mark.parametrize("zone", ["sez", "cbez"])
def test_a_removed_zone_takes_with_it_what_a_later_control_did_for_it(scenario, template, zone, later):
    """A programme, a closure or a tax placed after a zone acts on it too; the zone removed, the run is the one in
    which only the later control was placed."""
    plan = [(1, CONTROLS[zone]), (2, CONTROLS[later])]
    w = placing(scenario, template, plan, [0, 1])
    w.remove(0)
    reference = placing(scenario, template, plan, [1])
    same_runs(w.policy, reference.policy)
    assert w.placed == reference.placed and w.targeted == reference.targeted


@pytest.mark.parametrize(
    "target", [{"zones": ["Binh Duong new zone"]}, {"provinces": ["Binh Duong"]}], ids=["by name", "by province"]
)
def test_a_zone_a_later_programme_needs_is_not_removed_and_the_session_goes_on_as_before(scenario, template, target):
    """A programme placed for the zone a placed SEZ opened (Binh Duong has no zone of the dataset) would be refused
    without it: removing the SEZ is refused, naming the programme, and leaves the session as it was; removing the
    programme first, then the SEZ, works."""
    zone = {"type": "sez", "province": "Binh Duong", "name": "Binh Duong new zone"}
    plan = [(1, zone), (2, {"type": "investment_promotion", **target})]
    w = placing(scenario, template, plan, [0, 1])
    reference = placing(scenario, template, plan, [0, 1])
    with pytest.raises(ScenarioError) as caught:
        w.remove(0)
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        f"the investment_promotion placed from {scenario.run.start_year + 0.5:g} needs this sez: without it, "
    ) and problem.message.endswith("remove that one first")
    assert w.placed == reference.placed and w.targeted == reference.targeted and w.places == reference.places
    same_runs(w.policy, reference.policy)
    w.step(1)
    reference.step(1)
    same_runs(w.policy, reference.policy)
    w.remove(1)
    w.remove(0)
    assert w.placed == [] and not w.change().any()


def test_a_removal_stopped_by_anything_leaves_the_session_as_it_was(scenario, template, monkeypatch):
    """An interrupt while the run is replayed (here as the tax is placed again, two steps in) leaves the session
    as it was, the SEZ listed and the run where it was."""
    plan = [(1, CONTROLS["sez"]), (2, CONTROLS["tax"])]
    w = placing(scenario, template, plan, [0, 1])
    reference = placing(scenario, template, plan, [0, 1])

    def interrupted(self, instrument, saved):
        raise KeyboardInterrupt

    monkeypatch.setattr(Workshop, "_add", interrupted)
    with pytest.raises(KeyboardInterrupt):
        w.remove(0)
    monkeypatch.undo()
    assert w.placed == reference.placed and w.places == reference.places and w.targeted == reference.targeted
    same_runs(w.policy, reference.policy)


def test_a_saved_scenario_keeps_the_starting_scenarios_own_policies(template):
    library = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "ewec_border_sezs.yaml")
    w = Workshop(library, template)
    w.place(CONTROLS["ossc"])
    types = [p["type"] for p in w.scenario_dict()["policies"]]
    assert types == ["sez"] * 6 + ["ossc"]


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(CONTROLS, 2)))
def test_every_pair_of_controls_can_be_placed_together(scenario, template, first, second):
    w = fresh(scenario, template)
    w.step(1)
    w.place(CONTROLS[first])
    w.place(CONTROLS[second])
    w.step(2)
    assert [p["type"] for p in w.placed] == [CONTROLS[first]["type"], CONTROLS[second]["type"]]
    assert all(p["start_year"] == scenario.run.start_year + 0.25 for p in w.placed)
    expected = set(targets(CONTROLS[first], template)) | set(targets(CONTROLS[second], template))
    assert set(w.targeted) == expected
    load_scenario(yaml.safe_load(w.scenario_yaml()))


def test_targets_follow_each_instrument(template):
    geo = template.geo
    country = geo.provinces["country"].to_numpy()
    assert targets({"type": "sez", "province": "Kandal"}, template) == [geo.index_of("Kandal")]
    twin = targets({"type": "cbez", "crossing": "Boten-Mohan"}, template)
    assert sorted(country[twin]) == ["CHN", "LAO"]
    assert targets(CONTROLS["ossc"] | {"countries": ["LAO"]}, template) == list(np.flatnonzero(country == "LAO"))
    sec = targets(CONTROLS["corridor"], template)
    assert len(sec) > 5 and set(country[sec]) >= {"THA", "KHM", "VNM"}
    assert targets(CONTROLS["migration"], template) == []
    assert targets(CONTROLS["port"], template) == [geo.index_of("MM-05")]
    # A zone programme aims at the zones it serves: their hosts, not every province of the country.
    trained = targets(CONTROLS["capacity_building"], template)
    lao_hosts = {host for host in template.zones.hosts().values() if country[host] == "LAO"}
    assert set(trained) == lao_hosts and 0 < len(trained) < (country == "LAO").sum()


def test_the_port_control_offers_the_provinces_without_a_port(scenario, template):
    """Placing a plain port where there is one is refused (give a new sea leg): the control does not offer it."""
    from sez_sim.app.page import options

    geo = template.geo
    offered = {c["value"] for c in options(fresh(scenario, template))["port_sites"]}
    assert offered == set(geo.provinces["id"][~geo.provinces["is_port"]]) and "MM-05" in offered
    assert not offered & set(geo.provinces["id"][geo.provinces["is_port"]])


def test_the_zone_cards_own_terms_start_from_the_hosts_so_ticking_the_box_alone_changes_nothing(scenario, template):
    """The SEZ card's management and holiday sliders start at the host country's terms (the scenario's): a trainer
    who ticks the box to move the holiday keeps the host's management, and the zone is the one placed without it."""
    from sez_sim.app.page import host_terms

    geo = template.geo
    terms = host_terms(fresh(scenario, template))
    sez = defaults()["sez"]
    assert set(terms) == set(geo.provinces["id"])
    for province, country in zip(geo.provinces["id"], geo.provinces["country"], strict=True):
        management, holiday = (sez[key].get(country, sez[key]["*"]) for key in ("management", "tax_holiday_years"))
        assert terms[province] == (management, round(holiday))
    tak = geo.provinces["id"][geo.provinces["name"] == "Tak"].item()
    plain, ticked = fresh(scenario, template), fresh(scenario, template)
    plain.place({"type": "sez", "province": tak})
    ticked.place({"type": "sez", "province": tak, "management": terms[tak][0], "tax_holiday_years": terms[tak][1]})
    for w in (plain, ticked):
        w.step(8)
    for key in ("gdp", "firms_in_zone"):
        np.testing.assert_array_equal(plain.policy.accounts[key], ticked.policy.accounts[key])
    # A scenario's own terms are where its sliders start, a holiday beyond the slider's usual 15 years included.
    sez = {"management": {"THA": 0.8}, "tax_holiday_years": {"THA": 20}}
    own = load_scenario({"name": "own_terms", "run": {"years": 6}, "policy_defaults": {"sez": sez}})
    assert host_terms(Workshop(own, own.model()))[tak] == (0.8, 20)


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ({"type": "sez", "province": "Atlantis"}, "province"),
        ({"type": "sez", "province": "Tak", "capacity_jobs": -5}, "capacity_jobs"),
        ({"type": "cbez", "crossing": "Nowhere-Bridge"}, "crossing"),
        ({"type": "ossc"}, ""),
        ({"type": "teleporter"}, ""),
        ({"type": "migration_regime", "countries": ["THA", "THA"]}, "countries"),
    ],
)
def test_a_bad_control_is_refused_with_what_is_wrong_and_changes_nothing(scenario, template, entry, where):
    w = fresh(scenario, template)
    with pytest.raises(ScenarioError) as err:
        w.place(entry)
    assert any(where in p.where for p in err.value.problems)
    assert w.placed == [] and w.targeted == []
    assert len(w.policy.policies) == len(w.baseline.policies)


def test_the_same_instrument_twice_at_the_same_step_is_refused_as_a_scenario_would(scenario, template):
    w = fresh(scenario, template)
    w.place(CONTROLS["sez"])
    with pytest.raises(ScenarioError, match="repeats"):
        w.place({**CONTROLS["sez"], "province": "VN-57"})  # Binh Duong by id
    w.step(1)
    w.place(CONTROLS["sez"])  # a second phase, a step later, is a different instrument
    assert len(w.placed) == 2
    load_scenario(yaml.safe_load(w.scenario_yaml()))


def test_stepping_stops_at_the_scenarios_end(template):
    short = load_scenario({"name": "short", "run": {"years": 1}})
    w = Workshop(short, template)
    w.step(100)
    assert w.policy.steps == 4 and w.baseline.steps == 4 and w.finished


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-6, 10.0))
def test_the_colour_limit_covers_the_largest_change_within_a_rounding_step(top):
    limit = colour_limit(np.array([-top / 3, top, 0.0]))
    assert limit >= max(top, 1e-4) - 1e-15
    assert limit <= 2.5 * max(top, 1e-4)
    assert colour_limit(np.array([top * 0.999])) <= limit


def test_changes_are_shown_as_officials_read_them():
    from sez_sim.app.page import percent

    shown = [percent(x) for x in (0.0, -1e-16, 1e-7, 0.0012, -0.00499, 0.001, 0.1234, 25.0, float("nan"))]
    assert shown == ["+0%", "+0%", "+0.00001%", "+0.12%", "-0.499%", "+0.1%", "+12.3%", "+2,500%", "n/a"]
    for x in np.geomspace(1e-6, 9.99, 300):  # where "+.3g" is fixed-point, the same text
        assert percent(x) == f"{100 * x:+.3g}%" and percent(-x) == f"{-100 * x:+.3g}%"
    assert not any("e" in percent(sign * 10.0**k) for k in range(-15, 5) for sign in (1, -1))


@pytest.mark.parametrize("level", [0.0, 0.1417, 0.93])
@pytest.mark.parametrize("top", [3e-8, 2e-5, 0.004, 0.3, 1.25, 40.0])
def test_percentage_axes_read_as_percentages_at_every_scale(top, level):
    """Changes from zero and levels whose range is a sliver of their value (the capitals' share, 14.16-14.18%, read
    "14.2%" on every tick): each tick is written exactly, positional, never "-0%"."""
    chart = LineChart(lines=1, percent=True)
    chart.update(np.array([2020.0, 2020.25, 2020.5]), level + np.array([0.0, top / 3, top]) * (0.01 if level else 1))
    chart.fig.canvas.draw()
    labels = [t.get_text() for t in chart.ax.get_yticklabels()]
    assert labels and all(t.endswith("%") and "e" not in t for t in labels), labels
    values = [float(t[:-1]) for t in labels]
    assert not any(t.startswith("-") and v == 0 for t, v in zip(labels, values, strict=True)), labels
    assert values == sorted(values) and len(set(values)) == len(values), labels
    ticks = 100 * chart.ax.yaxis.get_majorticklocs()
    np.testing.assert_allclose(values, ticks, rtol=0, atol=1e-6 * np.diff(ticks).min())


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (2019.0, 2019.5, ["2019", "2019.25", "2019.5"]),
        (2019.0, 2020.0, ["2019", "2019.25", "2019.5", "2019.75", "2020"]),
    ],
)
def test_time_axes_read_as_years_or_quarters(start, end, expected):
    """A young run's axis reads 2019, 2019.25, ... (matplotlib's default wrote "-1, 0" and "+2.02e3"); a longer one
    reads whole years."""
    chart = LineChart()
    years = np.arange(start, end + 0.01, 0.25)
    chart.update(years, years * 0, years * 0 + 1)
    chart.fig.canvas.draw()
    low, high = chart.ax.get_xlim()
    shown = [t.get_text() for t in chart.ax.get_xticklabels() if low <= t.get_position()[0] <= high]
    assert set(expected) <= set(shown) and chart.ax.xaxis.get_offset_text().get_text() == ""
    long = np.arange(2019.0, 2039.01, 0.25)
    chart.update(long, long * 0, long * 0 + 1)
    chart.fig.canvas.draw()
    labels = [t.get_text() for t in chart.ax.get_xticklabels()]
    assert all(t.isdigit() and len(t) == 4 for t in labels), labels


def test_the_figures_change_when_the_runs_do(scenario, template):
    w = fresh(scenario, template)
    view = MapView(w.policy.geo, list(w.baseline.zones.province))
    before = view.png()
    w.place(CONTROLS["sez"])
    w.step(8)
    view.update(w.change(), w.places, w.targeted)
    assert view.png() != before
    assert view.limit >= np.abs(w.change()).max()
    chart = LineChart()
    years, base, pol = w.series("zone_jobs")
    chart.update(years, base, pol)
    low, high = chart.ax.get_xlim()
    assert low <= years[0] and high >= years[-1]


def test_the_map_marks_each_placed_policy_as_the_runs_maps_do(scenario, template):
    """A zone, a port, a corridor upgrade and a migration regime placed: their marks and a legend naming them, kept
    once however often the map is redrawn, and gone with the policies."""
    w = fresh(scenario, template)
    view = MapView(w.policy.geo, list(w.baseline.zones.province))
    plain = view.png()
    for key in ("sez", "port", "corridor", "migration"):
        w.place(CONTROLS[key])
    assert [tag for tag, _ in w.places] == ["sez", "port", "corridor_upgrade", "migration_regime"]
    view.update(w.change(), w.places, w.targeted)
    legend = [t.get_text() for t in view.legend.get_texts()]
    assert legend == ["upgraded link", "new zone", "port", "migration regime (THA-MMR)"]
    children = len(view.ax.get_children())
    marked = view.png()
    view.update(w.change(), list(w.places), w.targeted)
    assert len(view.ax.get_children()) == children and view.png() == marked != plain
    view.update(w.change(), [], [])
    assert view.legend is None and not view.marks and view.png() == plain


@pytest.mark.parametrize("control", list(CONTROLS))
def test_a_placed_instrument_is_described_in_the_controls_words(control):
    """The placed instruments were listed as raw fields ("sez: capacity jobs 20000, customs True, province VN-57")."""
    from sez_sim.app.labels import labels
    from sez_sim.app.page import INSTRUMENTS, SETTINGS, describe

    text = labels()
    entry = CONTROLS[control] | {"start_year": 2020.25}
    if control == "sez":
        entry |= {"province": "VN-57", "management": 0.9, "customs": False, "duty_exemption": True}
    line = describe(entry, {"VN-57": "Binh Duong (VNM)", "MM-05": "Tanintharyi (MMR)"})
    place = {
        "sez": "Binh Duong (VNM)",
        "migration": "THA - MMR",
        "port": "Tanintharyi (MMR)",
        "tax": "Binh Duong (VNM)",
    }
    place = place.get(control)
    place = place or next(
        str(entry[k][0] if isinstance(entry[k], list) else entry[k])
        for k in ("crossing", "corridor", "country", "countries")
        if k in entry
    )
    assert line.startswith(f"{text[INSTRUMENTS[entry['type']]]}, {place}, from 2020.25"), line
    for key, value in entry.items():
        if key in SETTINGS:
            shown = text[SETTINGS[key]] + (": no" if value is False else "")
            assert shown in line, (key, line)
    assert not any(word in line for word in ("True", "False", "_", "VN-57", "MM-05", "20000")), line
    if control == "sez":
        assert "Capacity (jobs) 30,000; Management capacity (0-1) 0.9;" in line
        shuffled = dict(reversed(list(entry.items())))  # the settings come in the controls' order, whatever the entry's
        assert describe(shuffled, {"VN-57": "Binh Duong (VNM)"}) == line


@pytest.mark.parametrize(("jobs", "shown"), [(-312.4, "-312"), (531.2, "+531"), (-0.3, "+0"), (12_345.6, "+12,346")])
def test_the_headline_signs_the_jobs_in_zones_against_the_baseline(jobs, shown):
    """Fewer zone jobs in the policy run read "Jobs in zones: -312 more than the baseline"."""
    from sez_sim.app.page import headline

    view = {"year": 2021.0, "gdp": 0.0, "capital": (0.14, 0.14), "zone_jobs": jobs, "migrants": (10, 10)}
    lines = headline(view | {"theil": (0.0, 0.0), "targeted": None, "profit_tax": None})
    assert f"Jobs in zones: {shown} against the baseline" in lines
    assert not any("profit tax" in line for line in lines)  # nothing targeted yet
    lines = headline(view | {"theil": (0.0, 0.0), "targeted": 0.01, "profit_tax": (41.26, 20.04, 18.96)})
    assert (
        "Targeted provinces' profit tax this year: US$ 41.3 m baseline, US$ 20.0 m policy, of which US$ 19.0 m on "
        "the profit the baseline's firms make too"
    ) in lines


def test_a_check_runs_this_sessions_pair_and_more_seeds_to_the_year_reached(scenario, template):
    from sez_sim.app.page import check_view
    from sez_sim.experiments.compare import compare
    from sez_sim.experiments.spec import DEFAULT_OUTCOMES, Outcome

    w = fresh(scenario, template)
    w.step(2)
    w.place({"type": "sez", "province": "Binh Duong", "capacity_jobs": 40_000.0, "management": 0.9})
    w.step(10)
    reached, placed, seen = w.year, list(w.placed), []
    result = w.check(pairs=3, workers=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 6) for k in range(2, 7)]  # the session's own pair is taken as it is
    assert (w.year, w.placed) == (reached, placed)  # the session is as it was
    # What a comparison of the starting and the saved scenario gives, every run made afresh, table for table.
    targeted = Outcome(name="targeted_gdp", table="provinces", column="gdp", provinces=["VN-57"])
    afresh = compare(
        scenario,
        load_scenario(w.scenario_dict()),
        replicates=3,
        years=reached - scenario.run.start_year,
        seed=scenario.run.seed,
        outcomes=[*DEFAULT_OUTCOMES, targeted],
        workers=2,
    )
    for table in ("runs", "differences", "series", "ledger", "provinces", "countries", "country_ledger"):
        pd.testing.assert_frame_equal(getattr(result, table), getattr(afresh, table))
    runs = result.runs.set_index(["scenario", "replicate"])
    assert list(runs.loc["A", "seed"]) == [scenario.run.seed + r for r in range(3)]
    # The first pair is the session's two runs, number for number; the others are other draws.
    host = w.policy.geo.index_of("Binh Duong")
    for label, model in (("A", w.baseline), ("B", w.policy)):
        end = model.recorder.summary[-1]
        assert runs.loc[(label, 0), "gdp"] == end["gdp"]
        assert runs.loc[(label, 0), "theil_within"] == end["theil_t_within"]
        assert runs.loc[(label, 0), "targeted_gdp"] == model.accounts["gdp"][host]
        assert runs.loc[(label, 1), "gdp"] != end["gdp"]
    assert result.series["year"].max() == reached
    differences = result.differences.set_index("outcome")
    assert differences.loc["targeted_gdp", "difference"] > 0  # a well-run zone of 40,000 jobs, two and a half years in
    view = check_view(result)
    assert view["map"][:8] == b"\x89PNG\r\n\x1a\n"
    text = "\n".join(view["lines"])
    assert f"3 pairs of runs to {reached:.2f} (seeds {scenario.run.seed}-{scenario.run.seed + 2}" in text
    for label in ("GMS GDP: ", "Targeted provinces' GDP: +", "Theil index between countries: ", "of 228 provinces"):
        assert label in text


def test_a_check_is_refused_until_a_placed_policy_has_acted(scenario, template):
    w = fresh(scenario, template)
    with pytest.raises(ScenarioError, match="no placed policy has acted yet"):
        w.check(pairs=2, workers=1)  # nothing placed
    w.step(1)
    w.place(CONTROLS["ossc"])
    with pytest.raises(ScenarioError, match="no placed policy has acted yet"):
        w.check(pairs=2, workers=1)  # placed, not yet stepped
    with pytest.raises(ScenarioError, match="pairs: expected a whole number >= 2, got 1"):
        w.check(pairs=1, workers=1)
