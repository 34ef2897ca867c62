"""Policies combined, scheduled and added to a running model: each keeps its own effect; nothing acts early.

The model is built once (a coarser GMS model: fewer firm and worker agents) and copied for each case.
"""

from __future__ import annotations

import copy
import functools
import itertools

import numpy as np
import pandas as pd
import pytest

from sez_sim.errors import ScenarioError
from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.policies import BY_TYPE
from sez_sim.policies.base import Places

SPECS = {
    "sez": [{"province": "Tak"}, {"province": "Savannakhet", "capacity_jobs": 8000, "phase_in": 0}],
    "cbez": [{"crossing": "Mae Sot-Myawaddy"}, {"crossing": "Mohan-Boten", "commuting_share": 0.5}],
    "capacity_building": [
        {"countries": ["LAO"], "lag_years": 0, "learning_years": 0.01},
        {"zones": ["Tak Special Economic Zone"], "gain": 0.8, "lag_years": 0, "learning_years": 0.5},
    ],
    "investment_promotion": [
        {"provinces": ["Savannakhet"]},
        {"zones": ["Phnom Penh Special Economic Zone (PPSEZ)"], "uplift": 2.0},
    ],
    "zone_credibility": [{"countries": ["LAO"]}, {"zones": ["Tak Special Economic Zone"], "credibility": 0.5}],
    "zone_closure": [{"countries": ["KHM"]}, {"zones": ["Tak Special Economic Zone"], "phase_in": 2}],
    "ossc": [{"countries": ["LAO"]}, {"provinces": ["Tak", "Kampot"], "approval_days": 10, "red_tape_factor": 0.5}],
    "corridor_upgrade": [{"corridor": "EWEC"}, {"corridor": "NSEC", "quality": 0.5}],
    "border_facilitation": [{"crossings": "all"}, {"crossings": ["Mohan-Boten", "Mae Sot-Myawaddy"], "factor": 0.8}],
    "port": [{"province": "Tanintharyi"}, {"province": "Savannakhet", "sea_cost_km": 1600}],
    "migration_regime": [
        {"countries": ["THA", "MMR"], "barrier": 0.5, "quota": 50000},
        {"countries": ["LAO", "THA"], "barrier": 2.0},
    ],
    "minimum_wage": [{"country": "KHM", "factor": 2.0}, {"provinces": ["Ha Noi", "VN-SG", "Kampot"], "value": 3000}],
    "corporate_tax": [{"country": "LAO", "rate": 0.05}, {"country": "THA", "provinces": ["Savannakhet"], "rate": 0.3}],
    "fdi_inflow": [{"multiplier": 2.0}, {"multiplier": 0.5}],
}
"""Two instruments of each type, in different places where the type allows it."""

TYPES = list(SPECS)
SCALED = ("red_tape", "link_quality", "crossing_cost", "foreign_stream")
"""Observables that instruments scale (their effects compose multiplicatively)."""


def instrument(kind: str, variant: int = 0, **schedule):
    return BY_TYPE[kind].model_validate({"type": kind, **SPECS[kind][variant], **schedule})


CONFIG = dict(params=resolve_params("gms", {"firms": {"count": 8000}}), persons_per_agent=2000.0, seed=5)


@pytest.fixture(scope="module")
def base() -> SEZModel:
    return SEZModel(ModelConfig(**CONFIG))


def observe(model: SEZModel) -> dict[str, np.ndarray]:
    """What the model's rules read, wherever they read it."""
    zones = model.zones
    commuting = model.levers["commuting_share"]
    return {
        "corporate_tax": model.levers["corporate_tax"].copy(),
        "approval_days": model.firms.choice.approval_days.copy(),
        "red_tape": model.firms.choice.red_tape.copy(),
        "minimum_wage": model.market.minimum_wage.copy(),
        "foreign_stream": model.firms.choice.stream_rates().copy(),
        "barrier": model.levers["border_barrier"].copy(),
        "quotas": np.array(sorted((a, b, q) for (a, b), q in model.workers.quotas.items()), float).reshape(-1, 3),
        "link_quality": model.geo.links["quality"].to_numpy(float).copy(),
        "crossing_cost": model.geo.crossings["cost_km"].to_numpy(float).copy(),
        "distance": model.geo.distance.copy(),
        "sea_leg": model.sea_leg.copy(),
        "world_access": model.market.phi_world.copy(),
        "zones": {
            name: (
                zones.capacity[z],
                zones.active[z],
                commuting[z],
                zones.commuter_home[z],
                zones.managed[z],
                zones.promotion[z],
                zones.credibility[z],
            )
            for z, name in enumerate(zones.name)
        },
    }


def with_policies(base: SEZModel, *policies, years=(2020.0, 2021.0)) -> SEZModel:
    model = copy.deepcopy(base)
    for p in policies:
        model.add_policy(p)
    for year in years:
        model.apply_policies(year)
    return model


@pytest.fixture(scope="module")
def alone(base):
    """What an instrument does alone, observed once (the pairs test asks for each one 26 times)."""

    @functools.cache
    def observed(kind: str, variant: int, start_year: int) -> dict:
        return observe(with_policies(base, instrument(kind, variant, start_year=start_year, phase_in=0)))

    return observed


@pytest.mark.parametrize(
    ("first", "second"), list(itertools.product(TYPES, TYPES)), ids=lambda k: k if isinstance(k, str) else ""
)
def test_every_pair_of_instruments_keeps_both_effects_in_either_order(base, alone, first, second):
    """The first starts in 2020, the second in 2021; then each holds what it would alone (the one channel)."""
    variant = 1 if first == second else 0
    a = instrument(first, 0, start_year=2020, phase_in=0)
    b = instrument(second, variant, start_year=2021, phase_in=0)
    o0 = observe(base)
    oa, ob = alone(first, 0, 2020), alone(second, variant, 2021)
    mid = observe(with_policies(base, a, b, years=(2020.0,)))
    both = observe(with_policies(base, a, b))
    for key in o0:
        if key == "zones":
            continue
        np.testing.assert_array_equal(mid[key], oa[key], err_msg=f"{key}: the second acted before its start")
    for key in ("corporate_tax", "approval_days", "minimum_wage", "barrier", "sea_leg"):
        x0, xa, xb, xab = o0[key], oa[key], ob[key], both[key]
        by_a, by_b = xa != x0, xb != x0
        np.testing.assert_array_equal(xab[by_a & ~by_b], xa[by_a & ~by_b], err_msg=f"{key}: {first} lost its effect")
        np.testing.assert_array_equal(xab[by_b], xb[by_b], err_msg=f"{key}: {second} lost its effect")
        np.testing.assert_array_equal(xab[~by_a & ~by_b], x0[~by_a & ~by_b], err_msg=f"{key}: changed by neither")
    for key in SCALED:
        np.testing.assert_allclose(both[key] * o0[key], oa[key] * ob[key], rtol=1e-12, err_msg=key)
    quotas = {tuple(r[:2]): r[2] for r in oa["quotas"]} | {tuple(r[:2]): r[2] for r in ob["quotas"]}
    assert {tuple(r[:2]): r[2] for r in both["quotas"]} == quotas
    d0, da, db, dab = (o["distance"] for o in (o0, oa, ob, both))
    assert np.all(dab <= np.minimum(da, db) + 1e-9)
    assert np.all(dab[(da < d0) | (db < d0)] < d0[(da < d0) | (db < d0)])
    # The world is reached through the cheapest port: nearer ports, cheaper legs and shorter roads each open it up.
    w0, wa, wb, wab = (o["world_access"] for o in (o0, oa, ob, both))
    assert np.all(wab >= np.maximum(wa, wb) * (1 - 1e-12))
    np.testing.assert_array_equal(
        wab[(wa == w0) & (wb == w0) & (dab == d0).all(axis=1)], w0[(wa == w0) & (wb == w0) & (dab == d0).all(axis=1)]
    )
    assert both["zones"].keys() == oa["zones"].keys() | ob["zones"].keys()
    for name, values in both["zones"].items():  # each attribute as the instrument that changed it left it
        z0, za, zb = (o["zones"].get(name) for o in (o0, oa, ob))
        for k, value in enumerate(values):
            by_b = zb is not None and (z0 is None or zb[k] != z0[k])
            assert value == (zb[k] if by_b else za[k]), f"{name}: attribute {k} lost its instrument's effect"


@pytest.fixture(scope="module")
def base_run(base) -> SEZModel:
    return copy.deepcopy(base).run(steps=5)


def tables(model: SEZModel) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rec = model.recorder
    return rec.provinces(), rec.summary_frame(), rec.zones_frame()


@pytest.mark.parametrize("kind", TYPES)
def test_a_policy_acts_from_its_start_and_adding_it_while_running_equals_listing_it(base, base_run, kind):
    """Listed in the scenario with start 2019.75 or added to a running model then: the same run, bit for bit.

    Before 2019.75 (steps 0-3) the run is the run without it; from step 4 (which starts in 2019.75) it differs.
    """
    spec = instrument(kind, start_year=2019.75, phase_in=0)
    listed = SEZModel(ModelConfig(**CONFIG, policies=[spec])).run(steps=5)
    added = copy.deepcopy(base).run(steps=3)
    added.add_policy(spec)
    added.run(steps=2)
    (p_l, s_l, z_l), (p_a, s_a, z_a), (p_0, s_0, z_0) = tables(listed), tables(added), tables(base_run)
    pd.testing.assert_frame_equal(p_l, p_a, check_exact=True)
    pd.testing.assert_frame_equal(s_l, s_a, check_exact=True)
    later = z_l["step"] >= 4
    pd.testing.assert_frame_equal(z_l[later].reset_index(drop=True), z_a[z_a["step"] >= 4].reset_index(drop=True))
    before = p_l["step"] <= 3
    pd.testing.assert_frame_equal(p_l[before], p_0[p_0["step"] <= 3], check_exact=True)
    pd.testing.assert_frame_equal(s_l[s_l["step"] <= 3], s_0[s_0["step"] <= 3], check_exact=True)
    assert not p_l.equals(p_0) or not z_l.equals(z_0), f"{kind} changed nothing at all"
    np.testing.assert_array_equal(listed.workers["province"], added.workers["province"])


def test_add_policy_to_a_model_without_the_datasets_zones_says_it_started_without_them():
    model = SEZModel(ModelConfig(**CONFIG, existing_zones=False))
    with pytest.raises(ScenarioError, match="this run starts without the dataset's zones: to open it, list"):
        model.add_policy(instrument("capacity_building", 1))
    model.add_policy(BY_TYPE["sez"](province="TH-63", name="Tak Special Economic Zone"))
    assert model.add_policy(instrument("capacity_building", 1))


def test_add_policy_checks_the_place_and_the_start(base):
    model = copy.deepcopy(base).run(steps=2)
    with pytest.raises(ScenarioError, match="Atlantis"):
        model.add_policy(BY_TYPE["sez"](province="Atlantis"))
    with pytest.raises(ScenarioError, match="before the model's next step"):
        model.add_policy(instrument("fdi_inflow", start_year=2019.25))
    added = model.add_policy(instrument("fdi_inflow"))
    assert added.start_year == model.year == 2019.5
    assert len(model.policies) == 1


def test_a_copy_continues_exactly_like_the_original_and_independently(base):
    original = copy.deepcopy(base).run(steps=2)
    twin = copy.deepcopy(original)
    twin_other = copy.deepcopy(original)
    twin_other.add_policy(instrument("sez"))
    twin_other.add_policy(instrument("fdi_inflow"))
    original.run(steps=3)
    twin.run(steps=3)
    twin_other.run(steps=3)
    a, b = original.state(), twin.state()
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    pd.testing.assert_frame_equal(original.recorder.provinces(), twin.recorder.provinces(), check_exact=True)
    assert len(original.zones) == len(base.zones) < len(twin_other.zones)
    assert not original.recorder.provinces().equals(twin_other.recorder.provinces())


@pytest.mark.parametrize("variant", [0, 1])
@pytest.mark.parametrize("kind", TYPES)
def test_after_its_end_year_every_instrument_leaves_every_lever_as_it_found_it(base, kind, variant):
    """From its end year on, each instrument acts nowhere: what the rules read is the baseline's again.

    A zone it opened stays on the books, closed to newcomers (no capacity, not active); a dataset zone it ran
    (capacity building, promotion, credibility, a CBEZ twin) has its baseline management, promotion, credibility and
    commuting back.
    """
    spec = instrument(kind, variant, start_year=2020, phase_in=0, end_year=2022)
    during = observe(with_policies(base, spec, years=(2020.0, 2021.0)))
    after = observe(with_policies(base, spec, years=(2020.0, 2021.0, 2022.0, 2023.0)))
    o0 = observe(base)
    assert (
        any(not np.array_equal(during[key], o0[key]) for key in o0 if key != "zones") or during["zones"] != o0["zones"]
    ), f"{kind} acted nowhere while in force"
    for key in o0:
        if key != "zones":
            np.testing.assert_array_equal(after[key], o0[key], err_msg=f"{key} still moved after {kind} ended")
    for name, values in after["zones"].items():
        if name in o0["zones"]:
            assert values == o0["zones"][name], f"{name}: {kind} still acts on it after its end"
        else:
            capacity, active = values[0], values[1]
            assert capacity == 0 and not active, f"{name}, opened by {kind}, still takes firms after its end"


def test_an_instrument_ends_at_its_end_year(base):
    model = with_policies(base, instrument("ossc", 0, start_year=2020, end_year=2022), years=(2021.0,))
    lao = model.country == model.country_names.index("LAO")
    assert np.all(model.firms.choice.approval_days[lao] == 15)
    model.apply_policies(2022.0)
    np.testing.assert_array_equal(model.firms.choice.approval_days, base.firms.choice.approval_days)


@pytest.mark.parametrize("variant", [0, 1])
@pytest.mark.parametrize("kind", TYPES)
def test_an_instruments_places_are_where_its_effects_land(base, kind, variant):
    """What maps mark and the app calls targeted (:meth:`Instrument.places`) is where the instrument changes levers."""
    geo = base.geo
    policy = instrument(kind, variant, start_year=2020, phase_in=0)
    places = policy.places(geo, base.zones.hosts())
    o0, o1 = observe(base), observe(with_policies(base, policy))

    def changed(*keys: str) -> set[int]:
        return {int(i) for key in keys for i in np.flatnonzero(o1[key] != o0[key])}

    hosts = dict(zip(base.zones.name, base.zones.province.tolist(), strict=True))
    after = with_policies(base, policy).zones
    new = {int(after.province[z]) for z, name in enumerate(after.name) if name not in o0["zones"]}
    served = {hosts[name] for name, attrs in o0["zones"].items() if attrs != o1["zones"][name]}
    assert set(places.zones) == new
    assert set(places.served) == served
    assert set(places.links) == changed("link_quality")
    assert set(places.crossings) == changed("crossing_cost")
    assert set(places.ports) == changed("sea_leg")
    names = base.country_names
    assert {names[c] for cell in changed("barrier") for c in divmod(cell, len(names))} == set(places.border)
    country = geo.provinces["country"].to_numpy()
    measured = changed("corporate_tax", "approval_days", "red_tape", "minimum_wage") - new
    assert measured == set(places.provinces) | set(np.flatnonzero(np.isin(country, places.countries)).tolist())
    everywhere = bool((o1["foreign_stream"] != o0["foreign_stream"]).any())
    assert everywhere == (kind == "fdi_inflow") and (places == Places()) == everywhere
    assert set(places.targeted(geo)) >= new | served | set(places.ports) | measured
