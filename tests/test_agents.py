"""Struct-of-arrays populations and the sampling machinery they rely on."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sez_sim.agents.population import Population
from sez_sim.agents.sampling import (
    DRAWS,
    RELAX,
    Ledger,
    controlled_cells,
    controlled_matrix,
    pick_per_group,
    place_remainders,
    sinkhorn,
)


class Toy(Population):
    fields = {"where": (np.int32, 0), "wealth": (np.float64, 1.0)}


def test_add_grows_by_doubling_and_keeps_defaults():
    pop = Toy(capacity=2)
    pop.add(3, where=[1, 2, 3])
    assert len(pop) == 3 and pop.capacity == 4
    pop.add(2)
    assert pop.capacity == 8
    np.testing.assert_array_equal(pop["where"], [1, 2, 3, 0, 0])
    np.testing.assert_array_equal(pop["wealth"], 1.0)
    np.testing.assert_array_equal(pop["id"], np.arange(5))
    with pytest.raises(KeyError):
        pop.add(1, colour=3)


def test_remove_compacts_and_keeps_ids():
    pop = Toy()
    pop.add(6, where=np.arange(6))
    pop.remove(np.array([1, 4]))
    assert len(pop) == 4
    assert sorted(pop["id"].tolist()) == [0, 2, 3, 5]
    for agent in pop["id"]:
        assert pop.view(int(agent))["where"] == agent  # attributes travel with the agent
    with pytest.raises(KeyError):
        pop.view(1)
    pop.remove(pop["where"] > 2)  # boolean mask
    assert sorted(pop["id"].tolist()) == [0, 2]
    frame = pop.to_frame()
    assert list(frame.index) == list(pop["id"]) and set(frame.columns) == {"where", "wealth"}


def test_views_write_through():
    pop = Toy()
    pop.add(3)
    pop["wealth"][1] = 7.0
    assert pop.view(1)["wealth"] == 7.0


@settings(max_examples=100, deadline=None)
@given(
    steps=st.lists(st.tuples(st.booleans(), st.integers(0, 40)), min_size=1, max_size=12),
    later=st.lists(st.tuples(st.booleans(), st.integers(0, 40)), max_size=6),
    seed=st.integers(0, 2**16),
)
def test_a_pickled_population_is_the_same_population_without_its_spare_rows(steps, later, seed):
    # The construction cache stores populations: the copy must behave as the original, growth included.
    rng = np.random.default_rng(seed)

    def apply(pop: Toy, ops, rng) -> None:
        for adding, k in ops:
            if adding:
                pop.add(k, where=rng.integers(0, 9, k), wealth=rng.random(k))
            else:
                pop.remove(rng.random(len(pop)) < k / 40)

    pop = Toy(capacity=4)
    apply(pop, steps, rng)
    copy = pickle.loads(pickle.dumps(pop))
    assert (len(copy), copy.capacity, copy._next_id) == (len(pop), pop.capacity, pop._next_id)
    state = rng.bit_generator.state
    apply(pop, later, rng)
    rng.bit_generator.state = state
    apply(copy, later, rng)
    assert (len(copy), copy.capacity) == (len(pop), pop.capacity)
    for name in ("id", "where", "wealth"):
        np.testing.assert_array_equal(copy[name], pop[name])
    spare = Toy(capacity=4096)
    spare.add(3)
    assert len(pickle.dumps(spare)) < len(pickle.dumps(Toy(capacity=4096).__dict__)) / 10


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 30), min_size=1, max_size=8),
    wants=st.lists(st.integers(0, 40), min_size=8, max_size=8),
    seed=st.integers(0, 2**16),
)
def test_pick_per_group_picks_exactly_min_of_want_and_size(sizes, wants, seed):
    groups = np.repeat(np.arange(len(sizes)), sizes)
    rng = np.random.default_rng(seed)
    groups = rng.permutation(groups)
    counts = np.array(wants[: len(sizes)])
    chosen = pick_per_group(groups, counts, rng)
    assert len(np.unique(chosen)) == len(chosen)
    got = np.bincount(groups[chosen], minlength=len(sizes)) if len(chosen) else np.zeros(len(sizes))
    np.testing.assert_array_equal(got, np.minimum(counts, sizes))


def test_pick_per_group_is_uniform():
    rng = np.random.default_rng(1)
    groups = np.zeros(10, dtype=np.int64)
    hits = np.zeros(10)
    for _ in range(4000):
        hits[pick_per_group(groups, np.array([3]), rng)] += 1
    np.testing.assert_allclose(hits / 4000, 0.3, atol=0.03)


@settings(max_examples=300, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 25), st.integers(2, 25)),
    seed=st.integers(0, 2**16),
    density=st.floats(0.1, 1.0),
    draws=st.none() | st.integers(1, 5),
)
def test_controlled_matrix_meets_both_margins_or_falls_short_of_them_alike(shape, seed, density, draws):
    rng = np.random.default_rng(seed)
    x = rng.random(shape) * (rng.random(shape) < density)
    rows = rng.integers(0, 6, shape[0])
    cols = np.bincount(rng.integers(0, shape[1], rows.sum()), minlength=shape[1])
    k = controlled_matrix(x, rows, cols, rng, draws=draws)
    assert (k >= 0).all()
    if draws is None:  # drawing until every unit is placed: both margins exactly
        np.testing.assert_array_equal(k.sum(axis=1), rows)
        np.testing.assert_array_equal(k.sum(axis=0), cols)
    else:
        assert (k.sum(axis=1) <= rows).all() and (k.sum(axis=0) <= cols).all()
        assert not k[x == 0].any()  # only where there are flows: what cannot be placed there waits
    # Migration reads the same rounding as its cells with units, in row-major order (the matrix's nonzero cells).
    row, col, units = controlled_cells(x, rows, cols, np.random.default_rng(seed + 1), draws=draws)
    again = controlled_matrix(x, rows, cols, np.random.default_rng(seed + 1), draws=draws)
    assert (units > 0).all() and (np.diff(row * shape[1] + col) > 0).all()
    np.testing.assert_array_equal(np.transpose(np.nonzero(again)), np.column_stack([row, col]).reshape(-1, 2))
    np.testing.assert_array_equal(again[row, col], units)


def rescaled(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int) -> np.ndarray:
    """Sinkhorn by rescaling the matrix itself: the textbook algorithm, the reference for :func:`sinkhorn`."""
    y = x.copy()
    for _ in range(iterations):
        s = y.sum(axis=1)
        y *= np.divide(rows, s, out=np.zeros_like(s), where=s > 0)[:, None]
        s = y.sum(axis=0)
        y *= np.divide(cols, s, out=np.zeros_like(s), where=s > 0)[None, :]
    return y


@settings(max_examples=100, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 30), st.integers(1, 30)),
    seed=st.integers(0, 2**16),
    density=st.floats(0.05, 1.0),
    iterations=st.integers(1, 60),
)
def test_sinkhorn_scales_vectors_as_the_textbook_algorithm_scales_the_matrix(shape, seed, density, iterations):
    x, rows, cols = flow_problem(np.random.default_rng(seed), shape, density, spread=3.0, fewest=0)
    fast = sinkhorn(x, rows, cols, iterations=iterations, tol=0.0)
    np.testing.assert_allclose(fast, rescaled(x, rows, cols, iterations), rtol=1e-9, atol=1e-12)


def test_sinkhorn_stops_once_the_margins_are_met():
    x = np.random.default_rng(1).random((40, 30)) + 0.1
    rows, cols = np.full(40, 3.0), np.full(30, 4.0)
    y = sinkhorn(x, rows, cols, iterations=10_000, tol=1e-12)
    np.testing.assert_allclose(y.sum(axis=1), rows, rtol=1e-12)
    np.testing.assert_allclose(y.sum(axis=0), cols, rtol=1e-12)


def flow_problem(
    rng: np.random.Generator, shape: tuple[int, int], density: float, spread: float = 2.0, fewest: int = 1
):
    """A flow matrix and integer margins with equal totals, as migration's controlled rounding meets them.

    Cells span ``10^-spread`` to ``10^spread``; each row's margin is at least ``fewest`` units.
    """
    x = rng.random(shape) * 10.0 ** rng.uniform(-spread, spread, shape) * (rng.random(shape) < density)
    rows = rng.integers(fewest, 9, shape[0]).astype(float)
    cols = np.bincount(rng.integers(0, shape[1], int(rows.sum())), minlength=shape[1]).astype(float)
    return x, rows, cols


@settings(max_examples=100, deadline=None)
@given(shape=st.tuples(st.integers(2, 40), st.integers(2, 40)), seed=st.integers(0, 2**16))
@example(shape=(2, 15), seed=2658)  # stopped on the rows alone with the columns 5e-8 off
def test_over_relaxed_sinkhorn_reaches_the_textbook_fixed_point(shape, seed):
    x, rows, cols = flow_problem(np.random.default_rng(seed), shape, 1.0)
    cols[cols == 0] = 1.0  # every margin positive and every cell too: the margins can be met
    rows[0] += cols.sum() - rows.sum()
    if rows[0] <= 0:
        return
    x += 1e-3
    fast = sinkhorn(x, rows, cols, iterations=20_000, tol=1e-11, relax=RELAX)
    plain = sinkhorn(x, rows, cols, iterations=20_000, tol=1e-11)
    np.testing.assert_allclose(fast.sum(axis=1), rows, rtol=1e-10)
    np.testing.assert_allclose(fast.sum(axis=0), cols, rtol=1e-8)
    np.testing.assert_allclose(fast, plain, rtol=1e-6, atol=1e-9 * rows.max())


@settings(max_examples=200, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 30), st.integers(1, 30)),
    seed=st.integers(0, 2**16),
    density=st.floats(0.05, 1.0),
    relax=st.floats(1.05, 1.95),
)
def test_over_relaxed_sinkhorn_stays_finite_and_ends_no_farther_than_it_began(shape, seed, density, relax):
    """Also where the margins cannot be met (zeros in the wrong places): over-relaxation must not run away."""
    x, rows, cols = flow_problem(np.random.default_rng(seed), shape, density)
    warm = sinkhorn(x, rows, cols, iterations=10)
    y = sinkhorn(x, rows, cols, relax=relax, warmup=10)
    assert np.isfinite(y).all()
    assert np.abs(y.sum(axis=1) - rows).max() <= np.abs(warm.sum(axis=1) - rows).max() + 1e-9 * rows.max()


@settings(max_examples=150, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 30), st.integers(1, 30)),
    seed=st.integers(0, 2**16),
    density=st.floats(0.0, 1.0),
    uniform=st.booleans(),
)
def test_place_remainders_meets_what_it_can_and_only_where_there_is_weight(shape, seed, density, uniform):
    rng = np.random.default_rng(seed)
    weights = None if uniform else rng.random(shape) * (rng.random(shape) < density)
    need = rng.integers(0, 6, shape[0])
    room = np.bincount(rng.integers(0, shape[1], need.sum() + rng.integers(0, 4)), minlength=shape[1])
    k = np.zeros(shape, np.int64)
    need0, room0 = need.copy(), room.copy()
    place_remainders(k, weights, need, room, rng)
    np.testing.assert_array_equal(k.sum(axis=1), need0 - need)
    np.testing.assert_array_equal(k.sum(axis=0), room0 - room)
    assert (need >= 0).all() and (room >= 0).all()
    if weights is not None:
        assert not k[weights == 0].any()
        # What is left: rows whose weight lies only on full columns.
        assert not (weights[need > 0][:, room > 0] > 0).any()
    else:
        assert not need.any() or not room.any()


def test_place_remainders_gives_each_cell_its_share_and_full_columns_to_rows_at_random():
    """Without competition a cell gets a unit with probability need x weight / row weight; a full column's
    units go to its rows in proportion to what they ask of it."""
    rng = np.random.default_rng(4)
    weights = np.array([[0.2, 0.5, 0.3], [0.6, 0.4, 0.0]])
    hits = np.zeros((2, 3))
    for _ in range(20_000):
        k = np.zeros((2, 3), np.int64)
        place_remainders(k, weights, np.array([2, 1]), np.array([5, 5, 5]), rng)
        hits += k
    np.testing.assert_allclose(hits / 20_000, [[0.4, 1.0, 0.6], [0.6, 0.4, 0.0]], atol=0.015)
    first = np.zeros(2)
    for _ in range(4_000):  # column 0 has room for one unit; both rows ask for it only
        k = np.zeros((2, 3), np.int64)
        place_remainders(k, np.array([[1.0, 0, 0], [1.0, 0, 0]]), np.array([1, 1]), np.array([1, 0, 0]), rng)
        first += k[:, 0]
    np.testing.assert_allclose(first / 4_000, [0.5, 0.5], atol=0.03)


def test_controlled_matrix_follows_the_expected_flows():
    rng = np.random.default_rng(3)
    x = rng.random((6, 5)) * 3
    total = np.zeros_like(x)
    ledger_r, ledger_c = Ledger(6, rng), Ledger(5, rng)
    for _ in range(400):
        rows, cols = ledger_r.draw(x.sum(axis=1)), ledger_c.draw(x.sum(axis=0))
        diff = rows.sum() - cols.sum()
        if diff > 0:
            cols[np.argsort(-ledger_c.carry)[:diff]] += 1
            ledger_c.carry[np.argsort(-ledger_c.carry)[:diff]] -= 1
        elif diff < 0:
            rows[np.argsort(-ledger_r.carry)[:-diff]] += 1
            ledger_r.carry[np.argsort(-ledger_r.carry)[:-diff]] -= 1
        k = controlled_matrix(x, rows, cols, rng)
        ledger_r.carry += rows - k.sum(axis=1)  # units left unplaced are owed to the next step, as in migration
        ledger_c.carry += cols - k.sum(axis=0)
        total += k
    np.testing.assert_allclose(total / 400, x, rtol=0.05, atol=0.05)
    np.testing.assert_allclose(total.sum(axis=1), 400 * x.sum(axis=1), atol=3)  # margins track to a few agents


def test_controlled_matrix_gives_the_routes_between_countries_their_share():
    """Two countries of 30 provinces, moves across weighing a fiftieth of those within (about 2% of the flows go
    across, as in the GMS). Over many draws the routes across get their scaled flows times the share placed;
    without a limit on draws they get 8-26% more (the bias the limit removes; :func:`controlled_matrix`)."""
    rng = np.random.default_rng(5)
    country = np.repeat([0, 1], 30)
    across = country[:, None] != country[None, :]
    x = rng.random((60, 60)) * np.where(across, 0.02, 1.0)
    np.fill_diagonal(x, 0.0)
    for _ in range(3):
        rows = rng.integers(1, 8, 60)
        cols = np.bincount(rng.choice(60, rows.sum(), p=x.sum(axis=0) / x.sum()), minlength=60)
        scaled = sinkhorn(x, rows.astype(float), cols.astype(float), iterations=2000, tol=1e-10, relax=RELAX)
        for draws, low, high in ((DRAWS, 0.93, 1.07), (None, 1.07, 1.5)):
            mean = sum(controlled_matrix(x, rows, cols, rng, draws) for _ in range(400)) / 400
            placed = mean.sum() / rows.sum()
            assert low <= mean[across].sum() / scaled[across].sum() / placed <= high, draws
            assert placed >= 0.97


def test_ledger_realises_expectations_with_bounded_error():
    rng = np.random.default_rng(0)
    ledger = Ledger(3, rng)
    expected = np.array([0.13, 2.5, 0.0])
    total = sum(ledger.draw(expected) for _ in range(1000))
    assert np.all(np.abs(total - 1000 * expected) <= 1)
