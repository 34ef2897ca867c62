"""The one channel instruments act through: baselines, effects, intensities, composition."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sez_sim.levers import Effect, Levers


def levers(values=(10.0, 20.0, 30.0, 40.0)) -> Levers:
    out = Levers()
    out.define("red_tape", np.array(values))
    return out


def test_ops_at_full_and_partial_intensity():
    lv = levers()
    scale = lv.register([Effect("red_tape", np.array([0, 1]), "scale", 0.5)])
    move = lv.register([Effect("red_tape", np.array([2]), "move", 0.0)])
    switch = lv.register([Effect("red_tape", np.array([3]), "switch", 7.0)])
    for handle in (scale, move, switch):
        lv.set_intensity(handle, 1.0)
    np.testing.assert_array_equal(lv["red_tape"], [5.0, 10.0, 0.0, 7.0])
    for handle in (scale, move, switch):
        lv.set_intensity(handle, 0.5)
    np.testing.assert_allclose(lv["red_tape"], [7.5, 15.0, 15.0, 7.0])
    for handle in (scale, move, switch):
        lv.set_intensity(handle, 0.0)
    np.testing.assert_array_equal(lv["red_tape"], lv.baseline["red_tape"])


def test_set_intensity_reports_only_levers_that_changed():
    lv = levers()
    lv.define("approval_days", np.array([65.0, 28.0]))
    h = lv.register([Effect("approval_days", np.array([0]), "move", 65.0)])  # a target equal to the baseline
    assert lv.set_intensity(h, 1.0) == []
    g = lv.register(
        [Effect("red_tape", np.array([0]), "scale", 0.3), Effect("approval_days", np.array([1]), "move", 3)]
    )
    assert lv.set_intensity(g, 1.0) == ["red_tape", "approval_days"]
    assert lv.set_intensity(g, 1.0) == []


def test_bad_effects_are_refused():
    lv = levers()
    with pytest.raises(KeyError):
        lv.register([Effect("no_such_lever", np.array([0]), "scale", 0.5)])
    with pytest.raises(IndexError):
        lv.register([Effect("red_tape", np.array([4]), "scale", 0.5)])
    with pytest.raises(KeyError):
        lv.define("made_up", 1.0)


def test_extend_adds_cells_without_touching_the_rest():
    lv = Levers()
    lv.define("zone_capacity", np.zeros(0))
    lv.extend("zone_capacity", 3.0)
    h = lv.register([Effect("zone_capacity", np.array([0]), "move", 9.0)])
    lv.set_intensity(h, 1.0)
    lv.extend("zone_capacity", 5.0)
    np.testing.assert_array_equal(lv["zone_capacity"], [9.0, 5.0])
    np.testing.assert_array_equal(lv.baseline["zone_capacity"], [3.0, 5.0])


effect = st.tuples(
    st.lists(st.integers(0, 5), min_size=1, max_size=6, unique=True),
    st.sampled_from(["scale", "move", "switch"]),
    st.floats(0.0, 3.0),
    st.floats(0.0, 1.0),
)


@settings(max_examples=200, deadline=None)
@given(effects=st.lists(effect, min_size=1, max_size=5), baseline=st.lists(st.floats(0.1, 100), min_size=6, max_size=6))
def test_each_instrument_keeps_its_effect_and_scales_compose_in_any_order(effects, baseline):
    """Cells only one instrument touches hold what it alone would give; scalings on shared cells multiply."""

    def run(order):
        lv = Levers()
        lv.define("red_tape", np.array(baseline))
        for k in order:
            cells, op, value, intensity = effects[k]
            lv.set_intensity(lv.register([Effect("red_tape", np.array(cells), op, value)]), intensity)
        return lv["red_tape"]

    combined = run(range(len(effects)))
    base = np.array(baseline)
    touched = np.zeros((len(effects), 6), bool)
    for k, (cells, _, _, intensity) in enumerate(effects):
        touched[k, cells] = intensity > 0
    for k in range(len(effects)):
        alone = run([k])
        only_k = touched[k] & ~np.delete(touched, k, axis=0).any(axis=0)
        np.testing.assert_allclose(combined[only_k], alone[only_k], rtol=1e-12)
    untouched = ~touched.any(axis=0)
    np.testing.assert_array_equal(combined[untouched], base[untouched])
    if all(op == "scale" for _, op, _, _ in effects):
        np.testing.assert_allclose(run(reversed(range(len(effects)))), combined, rtol=1e-12)
        product = np.prod([run([k]) / base for k in range(len(effects))], axis=0)
        np.testing.assert_allclose(combined, base * product, rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    effects=st.lists(st.tuples(effect, st.sampled_from(["red_tape", "approval_days", "both"])), min_size=1, max_size=8),
    steps=st.lists(st.lists(st.floats(0.0, 1.0), min_size=8, max_size=8), min_size=1, max_size=4),
)
def test_instruments_set_together_give_what_setting_them_one_by_one_gives(effects, steps):
    """Setting many instruments' intensities at once (each lever recomputed once) leaves every lever with the same
    numbers, bit for bit, as setting them one after the other, and reports each lever whose values changed."""

    def build() -> tuple[Levers, list[int]]:
        lv = Levers()
        lv.define("red_tape", np.linspace(1.0, 6.0, 6))
        lv.define("approval_days", np.linspace(10.0, 60.0, 6))
        handles = []
        for (cells, op, value, _), lever in effects:
            names = ["red_tape", "approval_days"] if lever == "both" else [lever]
            handles.append(lv.register([Effect(name, np.array(cells), op, value) for name in names]))
        return lv, handles

    together, handles = build()
    one_by_one, _ = build()
    for intensities in steps:
        before = {name: together[name].copy() for name in ("red_tape", "approval_days")}
        changed = together.set_intensities(dict(zip(handles, intensities, strict=False)))
        for handle, intensity in zip(handles, intensities, strict=False):
            one_by_one.set_intensity(handle, intensity)
        for name in ("red_tape", "approval_days"):
            np.testing.assert_array_equal(together[name], one_by_one[name])
            assert (name in changed) == (not np.array_equal(together[name], before[name]))
