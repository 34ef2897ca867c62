"""Inequality measures: known answers, exact decomposition, agreement with PySAL's inequality package."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inequality.gini import Gini
from inequality.theil import Theil, TheilD

from sez_sim import metrics


def test_known_toy_answers():
    assert metrics.gini([1, 1, 1, 1]) == 0
    assert metrics.gini([0, 0, 0, 1]) == pytest.approx(0.75)  # one of four has everything: (n - 1) / n
    assert metrics.gini([1, 3]) == pytest.approx(0.25)
    assert metrics.gini([1, 3], weights=[3, 1]) == pytest.approx((3 * 1 * 2 * 2) / (2 * 16 * (3 / 4 * 1 + 1 / 4 * 3)))
    assert metrics.theil_t([2, 2, 2]) == 0 and metrics.theil_l([5, 5]) == 0
    assert metrics.theil_t([1, 3]) == pytest.approx(0.5 * (0.5 * np.log(0.5) + 1.5 * np.log(1.5)))
    assert metrics.theil_l([1, 3]) == pytest.approx(0.5 * (np.log(2 / 1) + np.log(2 / 3)))
    assert metrics.williamson([1, 3], [1, 1]) == pytest.approx(0.5)
    assert metrics.hhi([1, 1, 1, 1]) == pytest.approx(0.25) and metrics.hhi([0, 5]) == 1
    assert metrics.share([1, 2, 7], [False, False, True]) == pytest.approx(0.7)


def test_weights_equal_replication():
    y, w = np.array([1.0, 2.0, 5.0]), np.array([2, 1, 3])
    rep = np.repeat(y, w)
    for f in (metrics.gini, metrics.theil_t, metrics.theil_l):
        assert f(y, w) == pytest.approx(f(rep))
    assert metrics.williamson(y, w) == pytest.approx(metrics.williamson(rep, np.ones(rep.size)))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(3, 60),
    groups=st.integers(1, 6),
    seed=st.integers(0, 10_000),
    weighted=st.booleans(),
    kind=st.sampled_from(["T", "L"]),
)
def test_decomposition_is_exact(n, groups, seed, weighted, kind):
    rng = np.random.default_rng(seed)
    y = rng.lognormal(0, 1, n)
    g = rng.integers(0, groups, n)
    w = rng.uniform(0.1, 5, n) if weighted else None
    total, between, within = metrics.theil_decomposition(y, g, w, kind)
    assert between + within == pytest.approx(total, abs=1e-12)
    assert between >= -1e-15 and within >= -1e-15
    assert total == pytest.approx((metrics.theil_t if kind == "T" else metrics.theil_l)(y, w), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_unweighted_forms_equal_pysal(seed):
    rng = np.random.default_rng(seed)
    y = rng.lognormal(8, 0.7, 200)
    groups = rng.integers(0, 6, 200)
    assert metrics.gini(y) == pytest.approx(Gini(y).g, rel=1e-10)
    assert metrics.theil_t(y) == pytest.approx(Theil(y).T, rel=1e-10)
    pysal = TheilD(y, groups)
    total, between, within = metrics.theil_decomposition(y, groups)
    assert total == pytest.approx(float(np.squeeze(pysal.T)), rel=1e-10)
    assert between == pytest.approx(float(np.squeeze(pysal.bg)), rel=1e-10)
    assert within == pytest.approx(float(np.squeeze(pysal.wg)), rel=1e-10)


def test_bad_weights_are_rejected():
    with pytest.raises(ValueError):
        metrics.gini([1, 2], weights=[1, -1])
    with pytest.raises(ValueError):
        metrics.theil_l([0, 1])


@settings(max_examples=80, deadline=None)
@given(
    counts=st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)), min_size=1, max_size=8),
    values=st.lists(st.tuples(st.floats(0.01, 1e4), st.floats(0.01, 1e4)), min_size=8, max_size=8),
)
def test_two_class_gini_is_the_gini_of_each_regions_two_classes(counts, values):
    n1, n2 = np.array(counts).T
    y1, y2 = np.array(values[: len(counts)]).T
    got = metrics.two_class_gini(n1, n2, y1, y2)
    for i in range(len(counts)):
        held = np.array([n1[i], n2[i]]) > 0
        expected = metrics.gini(np.array([y1[i], y2[i]])[held], np.array([n1[i], n2[i]])[held]) if held.any() else 0
        assert got[i] == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("premium", [1.5, 2.0, 2.9, 5.0])
def test_two_class_gini_rises_with_the_better_paid_share_up_to_its_peak_and_falls_after(premium):
    share = np.linspace(0, 1, 2001)
    gini = metrics.two_class_gini(share, 1 - share, np.full_like(share, premium), np.ones_like(share))
    peak = share[np.argmax(gini)]
    assert peak == pytest.approx(1 / (1 + np.sqrt(premium)), abs=1e-3)
    assert gini[0] == gini[-1] == 0
    rising, falling = np.diff(gini[share <= peak]), np.diff(gini[share >= peak])
    assert (rising > 0).all() and (falling < 0).all()
    assert metrics.two_class_gini([5.0], [5.0], [3.0], [3.0])[0] == 0  # no gap, no inequality
