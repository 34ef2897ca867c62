"""The worker population on its own: the migration logit, expected and realised flows, quotas, jobs, commuting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sez_sim.agents.sampling import Sampling
from sez_sim.agents.workers import A_SECTOR, M_SECTOR, Workers
from sez_sim.params import defaults

N = 4
COUNTRY = np.array([0, 0, 1, 1])
DISTANCE = np.array([[50, 200, 400, 600], [200, 50, 200, 400], [400, 200, 50, 200], [600, 400, 200, 50]], float)


def workers(counts=(300, 200, 150, 100), seed=0, **params) -> Workers:
    w = Workers(defaults(["workers"])["workers"] | params)
    rng = np.random.default_rng(seed)
    w.populate(np.array(counts), COUNTRY, rng)
    w.moving_cost = 4.0
    w.static_costs(DISTANCE, COUNTRY, np.array([[0.0, 3.0], [3.0, 0.0]]))
    return w


def test_destination_choice_is_the_logit_of_the_stated_utility():
    w = workers()
    p = w.params
    omega = np.array([1.0, 1.3, 0.8, 1.1])
    w.amenity = np.array([0.1, -0.2, 0.0, 0.1])
    composition = w.composition()
    keys = np.array([0 * w.n_countries + 0, 2 * w.n_countries + 1])  # (province 0, origin 0), (province 2, origin 1)
    prob = w.choice_probabilities(keys, omega, composition)
    population = composition.sum(axis=(1, 2))
    share = Workers.diaspora(composition)
    for row, key in enumerate(keys):
        i, origin = divmod(int(key), w.n_countries)
        v = (
            p["real_income_elasticity"] * np.log(omega)
            + w.amenity
            - p["congestion"] * np.log(population / w.base_population)
            - p["distance_elasticity"] * np.log1p(DISTANCE[i])
            - w.moving_cost * (np.arange(N) != i)
            - 3.0 * (COUNTRY[i] != COUNTRY)
            + p["diaspora"] * np.log1p(share[origin])
        )
        np.testing.assert_allclose(prob[row], np.exp(v) / np.exp(v).sum(), rtol=1e-12)


def test_expected_flows_follow_the_reconsider_rates():
    w = workers()
    keys, flows, modern = w.expected_flows(np.ones(N), steps_per_year=4)
    prob = w.choice_probabilities(keys, np.ones(N), w.composition())
    stay = prob[np.arange(len(keys)), keys // w.n_countries]
    mass = w.params["reconsider"] / 4 * w.composition().reshape(-1, 2)[keys, A_SECTOR]
    np.testing.assert_allclose(flows.sum(axis=1), mass * (1 - stay), rtol=1e-12)  # nobody modern yet
    assert np.all(flows[np.arange(len(keys)), keys // w.n_countries] == 0) and np.all(modern == 0)


@pytest.mark.parametrize("mode", list(Sampling))
def test_migration_moves_whole_workers_and_keeps_everyone(mode):
    w = workers(seed=1)
    w.allocate_jobs(np.array([100.0, 50.0, 30.0, 10.0]), np.random.default_rng(1))
    before = w.residents().copy()
    flows = w.migrate(np.array([1.0, 2.0, 1.0, 1.0]), np.random.default_rng(2), mode, 4, new_year=True)
    assert flows.sum() > 0 and np.all(flows == np.round(flows)) and np.all(np.diag(flows) == 0)
    np.testing.assert_array_equal(w.residents(), before - flows.sum(axis=1) + flows.sum(axis=0))
    assert len(w) == sum((300, 200, 150, 100))
    moved = w["tenure"] == 0  # movers start afresh, in the traditional sector, working where they live
    w.age()
    assert np.all(w["tenure"][~moved] == 1)


def test_a_quota_caps_realised_moves_within_a_year():
    w = workers(seed=3, reconsider=6.0)
    w.static_costs(DISTANCE, COUNTRY, np.zeros((2, 2)))
    w.quotas = {(0, 1): 5.0}
    crossed = 0
    for step in range(4):
        flows = w.migrate(
            np.array([0.5, 0.5, 2.0, 2.0]), np.random.default_rng(step), Sampling.CONTROLLED, 4, step == 0
        )
        crossed += flows[np.ix_(COUNTRY == 0, COUNTRY == 1)].sum()
    assert crossed == 5
    flows = w.migrate(np.array([0.5, 0.5, 2.0, 2.0]), np.random.default_rng(9), Sampling.CONTROLLED, 4, new_year=True)
    assert 0 < flows[np.ix_(COUNTRY == 0, COUNTRY == 1)].sum() <= 5  # a new year, a new allowance


def quotas_on_the_matrix(w: Workers, matrix: np.ndarray, keys: np.ndarray, rng: np.random.Generator) -> dict:
    """The reference for :meth:`Workers._enforce_quotas`: each quota's block of the dense (groups x provinces) matrix
    of movers loses its excess, drawn among its movers cell by cell in row-major order. Returns the tallies."""
    home, tallies = w.province_country[keys // w.n_countries], dict(w._quota_used)
    for (a, b), per_year in w.quotas.items():
        block_at = np.ix_(np.flatnonzero(home == a), np.flatnonzero(w.province_country == b))
        block = matrix[block_at]
        used = tallies.get((a, b), 0)
        excess = int(block.sum()) - max(int(per_year) - used, 0)
        if excess > 0:
            cells = np.repeat(np.arange(block.size), block.ravel())
            drop = np.bincount(rng.choice(cells, excess, replace=False), minlength=block.size)
            matrix[block_at] = block - drop.reshape(block.shape)
        tallies[(a, b)] = used + int(matrix[block_at].sum())
    return tallies


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    quotas=st.dictionaries(st.sampled_from([(0, 1), (1, 0)]), st.integers(0, 12), min_size=1),
)
def test_quotas_on_the_routes_cancel_the_movers_the_matrix_would(seed, quotas):
    """Migration applies quotas to its routes with movers (row, column, units): the same movers stay as on the
    dense matrix with the same random numbers, and each quota's movers come to its allowance if they exceeded it."""
    w = workers()
    rng = np.random.default_rng(seed)
    keys = np.flatnonzero(rng.random(N * w.n_countries) < 0.7)
    matrix = rng.integers(0, 4, (len(keys), N)) * (rng.random((len(keys), N)) < 0.6)
    row, col = np.nonzero(matrix)
    units = matrix[row, col]
    w.quotas = {pair: float(q) for pair, q in quotas.items()}
    w._quota_used = {pair: int(rng.integers(0, 4)) for pair in quotas}
    before = dict(w._quota_used)
    home = COUNTRY[keys[row] // w.n_countries]
    inside = {(a, b): (home == a) & (COUNTRY[col] == b) for a, b in quotas}
    offered = {pair: int(units[rows].sum()) for pair, rows in inside.items()}
    tallies = quotas_on_the_matrix(w, matrix, keys, np.random.default_rng(seed + 1))
    w._enforce_quotas(row, col, units, keys, np.random.default_rng(seed + 1))
    np.testing.assert_array_equal(units, matrix[row, col])
    assert w._quota_used == tallies
    for pair, per_year in quotas.items():  # the two quotas' routes are apart: each is cut on its own
        allowed = max(per_year - before[pair], 0)
        assert units[inside[pair]].sum() == min(offered[pair], allowed) == tallies[pair] - before[pair]


def test_jobs_go_to_residents_and_commuters_keep_theirs():
    w = workers()
    rng = np.random.default_rng(4)
    w.commute({(1, 0): 20.0}, rng)
    commuting = w["workplace"] >= 0
    assert (
        commuting.sum() == 20 and np.all(w["province"][commuting] == 1) and np.all(w["sector"][commuting] == M_SECTOR)
    )
    w.allocate_jobs(np.array([60.0, 40.0, 0.0, 10.0]), rng)
    local = (w["sector"] == M_SECTOR) & ~commuting
    held = np.bincount(w["province"][local], minlength=N)
    np.testing.assert_array_equal(held, [40, 40, 0, 10])  # province 0's 60 jobs: 20 to commuters, 40 to residents
    w.commute({(1, 0): 0.0}, rng)
    assert not (w["workplace"] >= 0).any()


def counted(w: Workers) -> dict[str, np.ndarray]:
    """Head counts and composition from a pass over the agents' arrays (what the kept counts must equal)."""
    province, sector, workplace = w["province"], w["sector"], w["workplace"]
    modern, commuting = sector == M_SECTOR, workplace >= 0
    cell = (province * w.n_countries + w["origin"]) * 2 + modern
    return {
        "residents": np.bincount(province, minlength=N).astype(float),
        "modern": (
            np.bincount(province[modern & ~commuting], minlength=N) + np.bincount(workplace[commuting], minlength=N)
        ).astype(float),
        "traditional": np.bincount(province[~modern], minlength=N).astype(float),
        "commuters_in": np.bincount(workplace[commuting], minlength=N).astype(float),
        "composition": np.bincount(cell, minlength=N * w.n_countries * 2).reshape(N, w.n_countries, 2).astype(float),
        "cells": cell,
    }


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    commuters=st.lists(st.integers(0, 40), min_size=2, max_size=2),
    jobs=st.lists(st.floats(0.0, 320.0), min_size=N, max_size=N),
    again=st.lists(st.floats(0.0, 320.0), min_size=N, max_size=N),
    mode=st.sampled_from(list(Sampling)),
)
def test_kept_counts_are_those_of_a_fresh_count(seed, commuters, jobs, again, mode):
    """Cells and counts kept as workers commute, take and lose jobs and move are those a pass over the agents gives.

    Checked after every rule that changes a worker's cell, and for the head counts matching returns.
    """
    w = workers(seed=seed, reconsider=2.0)
    rng = np.random.default_rng(seed)
    omega = np.array([1.0, 1.6, 0.8, 1.2])

    def agree(heads: dict[str, np.ndarray] | None = None) -> None:
        fresh = counted(w)
        kept = w.head_counts() | {"composition": w.composition(), "cells": w.member_keys()}
        for name in fresh:
            np.testing.assert_array_equal(kept[name], fresh[name], err_msg=name)
            if heads is not None and name in heads:
                np.testing.assert_array_equal(heads[name], fresh[name], err_msg=name)
        np.testing.assert_array_equal(w.residents(), fresh["residents"])

    for round_, modern_jobs in enumerate((jobs, again)):  # the second round hires in some places, lays off in others
        w.commute({(1, 0): float(commuters[round_]), (3, 2): float(commuters[1 - round_])}, rng)
        agree()
        agree(w.allocate_jobs(np.array(modern_jobs), rng))
        w.migrate(omega, rng, mode, 4, new_year=round_ == 0)
        agree()
