"""A mean over provinces of a column per person or per worker: weighted at each step, or at the run's start.

The current weights give the selection's own wage; the start's give a fixed-weight index, which moves only with
what each province pays. Where people move to the provinces that pay least, the first can fall while every province
pays more (docs/experiments.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sez_sim.experiments import Outcome
from sez_sim.runs import run_scenario

ROOT = Path(__file__).resolve().parent.parent
YEARS = [2019.0, 2020.0, 2021.0]


def panel(wages: np.ndarray, workers: np.ndarray) -> pd.DataFrame:
    """A provinces table from per-year rows of each province's modern wage and modern workers."""
    years, n = wages.shape
    return pd.DataFrame(
        {
            "year": np.repeat(YEARS[:years], n),
            "province_id": np.tile([f"P{i}" for i in range(n)], years),
            "name": np.tile([f"Province {i}" for i in range(n)], years),
            "country": "A",
            "wage_m": wages.ravel(),
            "workers_m": workers.ravel(),
        }
    )


def wage(weights: str | None, **at: object) -> Outcome:
    return Outcome(name="w", table="provinces", column="wage_m", weights=weights, **at)


def test_workers_moving_to_the_low_wage_province_lower_the_mean_but_not_the_fixed_weight_index():
    """Both provinces pay a tenth more; half the high-wage province's workers move to the low-wage one."""
    wages = np.array([[10.0, 2.0], [11.0, 2.2]])
    workers = np.array([[100.0, 100.0], [50.0, 150.0]])
    table = panel(wages, workers)
    assert wage(None).value(pd.DataFrame(), table) == pytest.approx((11 * 50 + 2.2 * 150) / 200)  # 4.4, from 6
    assert wage("current").value(pd.DataFrame(), table) == wage(None).value(pd.DataFrame(), table)
    assert wage("start").value(pd.DataFrame(), table) == pytest.approx(6.6)
    assert wage("start", change=True).value(pd.DataFrame(), table) == pytest.approx(0.1)
    assert wage(None, change=True).value(pd.DataFrame(), table) < 0


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(0.5, 1e5), min_size=3 * n, max_size=3 * n),
            st.lists(st.floats(0.0, 1e6), min_size=3 * n, max_size=3 * n),
            st.floats(0.1, 10.0),
        )
    )
)
def test_the_fixed_weight_index_weighs_every_year_by_the_start(data):
    """Each year: the values weighted by the first year's workers, which the current weights give in that year; a
    common rise of every province's value by a factor raises the index by that factor, whatever workers do."""
    values, counts, factor = data
    n = len(values) // 3
    wages, workers = np.reshape(values, (3, n)), np.reshape(counts, (3, n))
    workers[0, 0] = max(workers[0, 0], 1.0)  # someone works at the start, so the start's weights are defined
    wages[2] = wages[1] * factor
    table = panel(wages, workers)
    fixed = [wage("start", at=year).value(pd.DataFrame(), table) for year in YEARS]
    expected = (wages * workers[0]).sum(axis=1) / workers[0].sum()
    np.testing.assert_allclose(fixed, expected, rtol=1e-12)
    assert fixed[0] == pytest.approx(wage(None, at=YEARS[0]).value(pd.DataFrame(), table), rel=1e-12)
    assert fixed[2] == pytest.approx(fixed[1] * factor, rel=1e-12)
    assert wages.min() * (1 - 1e-12) <= min(fixed) and max(fixed) <= wages.max() * (1 + 1e-12)


def test_a_run_weighs_its_provinces_by_their_workers_at_its_start():
    """The teaching corridor after a year: country A's modern real wage (the wage is at its floor everywhere, the
    cost of living is not) at the start's weights, computed by hand."""
    provinces = run_scenario(ROOT / "scenarios/teaching/line_corridor.yaml", seed=1, years=1).provinces
    rows = provinces[provinces["country"] == "A"]
    start, end = (rows[rows["year"] == when].set_index("province_id") for when in (YEARS[0], rows["year"].max()))
    by_hand = (end["real_wage_m"] * start["workers_m"]).sum() / start["workers_m"].sum()
    fixed = Outcome(name="w", table="provinces", column="real_wage_m", country="A", weights="start")
    assert fixed.value(pd.DataFrame(), provinces) == pytest.approx(by_hand, rel=1e-12)
    current = Outcome(name="w", table="provinces", column="real_wage_m", country="A")
    now = (end["real_wage_m"] * end["workers_m"]).sum() / end["workers_m"].sum()
    assert current.value(pd.DataFrame(), provinces) == pytest.approx(now, rel=1e-12)
    assert abs(now / by_hand - 1) > 1e-9  # why: otherwise both weightings agree and the check shows nothing


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ({"table": "zones", "column": "occupancy"}, "weights: start weighs provinces; add table: provinces"),
        ({"table": "summary", "column": "gdp"}, "weights: start weighs provinces; add table: provinces"),
        ({"column": "gdp"}, "weights: gdp is not per person or per worker, so no weights"),
        ({"column": "population"}, "those that are: gdp_per_capita, real_income, wage_m, wage_a, real_wage_m"),
        ({"column": "wage_m", "at_least": 5000}, "give at_least .* or weights, not both"),
    ],
)
def test_weights_go_with_a_mean_of_provinces_per_person_or_worker(spec, says):
    with pytest.raises(ValueError, match=says):
        Outcome.model_validate({"name": "x", "table": "provinces", "weights": "start"} | spec)


def test_outcomes_without_weights_dump_as_before():
    """A claim's fingerprint covers its outcome's dump: an outcome that does not give weights keeps its dump."""
    assert "weights" not in Outcome(name="x", table="provinces", column="wage_m").model_dump()
    assert Outcome(name="x", table="provinces", column="wage_m", weights="start").model_dump()["weights"] == "start"
