"""``tally`` gives ``np.bincount``'s sums: counts exactly, weighted sums up to rounding, for keys in runs or not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sez_sim import tally as tally_module
from sez_sim.tally import LANES, SHORT, tally


def keys_in_runs(rng: np.random.Generator, length: int, bins: int, run: int) -> np.ndarray:
    """Keys as agent arrays hold them: runs of about ``run`` equal keys (1 = no runs), in a random order of bins."""
    starts = rng.integers(0, bins, size=length // run + 1)
    return np.repeat(starts, rng.integers(1, 2 * run, size=starts.size))[:length]


@settings(max_examples=150, deadline=None)
@given(
    length=st.sampled_from([0, 1, SHORT - 1, SHORT, SHORT + 1, 3 * SHORT + 7, 40_000]),
    bins=st.integers(1, 600),
    run=st.sampled_from([1, 3, 50, 5_000]),
    weighted=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_tally_gives_bincounts_sums(length: int, bins: int, run: int, weighted: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = keys_in_runs(rng, length, bins, run)
    weights = rng.lognormal(0.0, 2.0, size=keys.size) * rng.choice([-1.0, 1.0], size=keys.size) if weighted else None
    expected = np.bincount(keys, weights, minlength=bins)
    got = tally(keys, bins, weights)
    assert got.shape == (bins,) and got.dtype == expected.dtype
    if weighted:  # the same numbers added in another order
        scale = np.bincount(keys, np.abs(weights), minlength=bins)
        assert np.all(np.abs(got - expected) <= 1e-13 * scale)
    else:
        assert np.array_equal(got, expected)


def test_tally_of_a_population_sized_array_reuses_its_lane_offsets_per_bin_count() -> None:
    rng = np.random.default_rng(4)
    big, small = keys_in_runs(rng, 50_000, 228, 40), keys_in_runs(rng, 9_000, 6, 40)
    for keys, bins in [(big, 228), (small, 6), (big[:30_000], 228), (big, 228)]:
        assert np.array_equal(tally(keys, bins), np.bincount(keys, minlength=bins))
    assert set(tally_module._offsets) >= {228, 6}
    assert np.array_equal(tally_module._offsets[6][: 2 * LANES], np.tile(np.arange(LANES) * 6, 2))


@pytest.mark.parametrize("length", [10, SHORT + 10])
def test_tally_refuses_keys_outside_its_bins(length: int) -> None:
    keys = np.zeros(length, np.int64)
    for bad in (5, -1):  # past 4 bins, each would land in another copy's bins, not be dropped
        keys[-1] = bad
        with pytest.raises(ValueError, match="0..3"):
            tally(keys, 4)
