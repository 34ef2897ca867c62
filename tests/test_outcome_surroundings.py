"""Outcomes of a place's surroundings: the provinces whose seats lie a distance band from the listed ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sez_sim.experiments import Outcome, compare
from sez_sim.experiments.spec import outcome_problems
from sez_sim.geography import load_gms
from sez_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
LINE = ROOT / "scenarios/teaching/line_corridor.yaml"
GMS = load_gms()


def law_of_cosines_km(geo, centres: list[int]) -> np.ndarray:
    """Great-circle km to the nearest centre by the spherical law of cosines (the reference for seat_km)."""
    lon, lat = (np.radians(geo.provinces[c].to_numpy(float)) for c in ("lon", "lat"))
    cos = np.sin(lat[:, None]) * np.sin(lat[centres]) + np.cos(lat[:, None]) * np.cos(lat[centres]) * np.cos(
        lon[:, None] - lon[centres]
    )
    return (6371.0 * np.arccos(np.clip(cos, -1.0, 1.0))).min(axis=1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, GMS.n - 1), min_size=1, max_size=6, unique=True))
def test_seat_km_is_the_great_circle_distance_to_the_nearest_centre(centres):
    km = GMS.seat_km(centres)
    np.testing.assert_allclose(km, law_of_cosines_km(GMS, centres), atol=0.01)
    assert (km[centres] == 0).all() and (km >= 0).all()


def test_seat_km_matches_known_distances():
    bangkok = GMS.index_of("Bangkok")
    km = GMS.seat_km([bangkok])
    assert 570 < km[GMS.index_of("Chiang Mai")] < 600  # Bangkok to Chiang Mai, about 585 km as the crow flies
    assert km[GMS.index_of("Samut Prakan")] < 30


def panel(geo) -> pd.DataFrame:
    """Two years of a provinces table: each province's GDP its index + 1, population 10 (GDP per capita alike)."""
    years = [2019.0, 2020.0]
    n = geo.n
    gdp = np.tile(np.arange(1.0, n + 1), len(years)) * np.repeat([1.0, 1.5], n)
    return pd.DataFrame(
        {
            "year": np.repeat(years, n),
            "province_id": np.tile(geo.provinces["id"], len(years)),
            "name": np.tile(geo.provinces["name"], len(years)),
            "country": np.tile(geo.provinces["country"], len(years)),
            "gdp": gdp,
            "population": 10.0,
            "gdp_per_capita": gdp / 10.0,
        }
    )


@pytest.mark.parametrize(
    ("centres", "band"),
    [(["Bangkok"], (0, 100)), (["Bangkok"], (100, 250)), (["Yangon", "Vientiane Capital", "Kunming"], (0, 150))],
)
def test_an_outcome_within_km_combines_the_surroundings_of_its_provinces(centres, band):
    """The provinces whose seats lie [from, to) km from the nearest listed one, the listed ones left out."""
    tables = panel(GMS)
    at = [GMS.index_of(c) for c in centres]
    km = law_of_cosines_km(GMS, at)
    inside = (km >= band[0]) & (km < band[1])
    inside[at] = False
    assert inside.sum() >= 2  # the cases select something to add up
    summary = pd.DataFrame({"year": [2019.0, 2020.0]})
    total = Outcome(name="x", table="provinces", column="gdp", provinces=centres, within_km=band)
    assert total.value(summary, tables, geo=GMS) == pytest.approx(1.5 * (np.flatnonzero(inside) + 1).sum())
    grown = Outcome(name="x", table="provinces", column="gdp", provinces=centres, within_km=band, change=True)
    assert grown.value(summary, tables, geo=GMS) == pytest.approx(0.5)
    per_capita = Outcome(name="x", table="provinces", column="gdp_per_capita", provinces=centres, within_km=band)
    assert per_capita.value(summary, tables, geo=GMS) == pytest.approx(0.15 * (np.flatnonzero(inside) + 1).mean())
    with pytest.raises(ValueError, match="give the run's geography"):
        total.value(summary, tables)


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"within_km": [0, 50]}, "give table: provinces and provinces"),
        ({"within_km": [0, 50], "provinces": ["Tak"], "table": "summary"}, "give table: provinces and provinces"),
        ({"within_km": [50, 10], "provinces": ["Tak"]}, "0 <= from < to"),
        ({"within_km": [-5, 10], "provinces": ["Tak"]}, "0 <= from < to"),
    ],
)
def test_a_distance_band_needs_provinces_and_a_range(spec, says):
    with pytest.raises(ValueError, match=says):
        Outcome.model_validate({"name": "x", "table": "provinces", "column": "gdp"} | spec)


def test_a_band_that_holds_no_province_is_refused_at_its_yaml_path():
    empty = Outcome(name="x", table="provinces", column="gdp", provinces=["Bangkok"], within_km=(0, 5))
    problems = outcome_problems(empty, "outcomes[0]", GMS, 2019, 2029, "exp.yaml")
    assert [p.where for p in problems] == ["outcomes[0].within_km"]
    assert "no other province's seat lies 0 to 5 km from the listed provinces" in problems[0].message
    ok = Outcome(name="x", table="provinces", column="gdp", provinces=["Bangkok"], within_km=(0, 60))
    assert outcome_problems(ok, "outcomes[0]", GMS, 2019, 2029, "exp.yaml") == []


def test_outcomes_without_a_band_dump_as_before():
    """A claim's fingerprint covers its outcome's dump: an outcome that does not use within_km keeps its dump."""
    assert "within_km" not in Outcome(name="x", table="provinces", column="gdp", provinces=["Tak"]).model_dump()
    used = Outcome(name="x", table="provinces", column="gdp", provinces=["Tak"], within_km=(0, 75)).model_dump()
    assert used["within_km"] == (0, 75)


def test_compare_reports_the_surroundings_of_a_zone():
    """The teaching corridor's zone (P05) against none: its neighbours' GDP, and theirs alone, from paired runs."""
    bare = load_scenario(LINE, ["policies=[]", "run.years=2"])
    zone = load_scenario(LINE, ["run.years=2"])
    around = Outcome(name="near", table="provinces", column="gdp", provinces=["P05"], within_km=(0, 200))
    beyond = Outcome(name="far", table="provinces", column="gdp", provinces=["P05"], within_km=(200, 2000))
    result = compare(bare, zone, replicates=2, workers=1, outcomes=[around, beyond])
    row = result.differences.set_index("outcome")
    ends = result.provinces[result.provinces["outcome"] == "gdp"].set_index("province_id")
    for name, ids in (("near", ["P04", "P06"]), ("far", ["P00", "P01", "P02", "P03", "P07", "P08", "P09"])):
        assert row.loc[name, "mean_a"] == pytest.approx(ends.loc[ids, "mean_a"].sum())
        assert row.loc[name, "mean_b"] == pytest.approx(ends.loc[ids, "mean_b"].sum())


def test_sez_sim_validate_refuses_a_band_without_provinces_at_its_yaml_path(tmp_path):
    """A user's experiment whose band holds no province: exit 2, the file, the YAML path and the distances there are."""
    import yaml
    from typer.testing import CliRunner

    from sez_sim.cli import app

    outcome = {"name": "near", "table": "provinces", "column": "gdp", "provinces": ["P05"], "within_km": [0, 100]}
    path = tmp_path / "near.yaml"
    path.write_text(yaml.safe_dump({"name": "near", "base": str(LINE), "years": 1, "outcomes": [outcome]}))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert "near.yaml" in text and "outcomes[0].within_km" in text
    assert "no other province's seat lies 0 to 100 km from the listed provinces; the other seats lie 145-726 km" in text


def test_sez_sim_validate_names_the_provinces_a_band_selects(tmp_path):
    """Before anything runs, the user sees which provinces a band holds (a claim's as an experiment's)."""
    import yaml
    from typer.testing import CliRunner

    from sez_sim.cli import app

    outcome = {"name": "near", "table": "provinces", "column": "gdp", "provinces": ["P05"], "within_km": [0, 200]}
    path = tmp_path / "near.yaml"
    path.write_text(yaml.safe_dump({"name": "near", "base": str(LINE), "years": 1, "outcomes": [outcome]}))
    claim = ROOT / "experiments/claims/zone_spillovers_neighbours.yaml"
    result = CliRunner().invoke(app, ["validate", str(path), str(claim)])
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and "near: 2 provinces 0-200 km from P05 (P04, P06)" in text
    assert "neighbours_gdp: 14 provinces 0-100 km from Rayong, Yangon, Mandalay, Phnom Penh, Kunming, Champasak" in text
