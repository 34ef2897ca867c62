"""Zones as projects: management decides how fast a zone fills, programmes raise it, jobs stay within capacity.

Paired runs: each case copies one built model (a coarser GMS model, two seeds) and differs only in the policy, so
the runs share their random numbers until the policy acts.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.policies import BY_TYPE
from sez_sim.results import LEDGER_FLOWS, ledger, zone_summary

CONFIG = dict(
    params=resolve_params("gms", {"firms": {"count": 8000}, "sez": {"fdi_uplift": 5.0}}), persons_per_agent=2000.0
)
"""Investors respond to new zones at the top of the evidence's range (``sez.fdi_uplift``), so that these border zones,
which at the default mostly stay empty, fill within the runs and what changes how fast they fill can be seen."""


@pytest.fixture(scope="module")
def bases() -> dict[int, SEZModel]:
    return {seed: SEZModel(ModelConfig(**CONFIG, seed=seed)) for seed in (5, 6)}


def policy(kind: str, **fields):
    return BY_TYPE[kind].model_validate({"type": kind, "start_year": 2019, **fields})


def run(base: SEZModel, *policies, steps: int) -> SEZModel:
    model = copy.deepcopy(base)
    for p in policies:
        model.add_policy(p)
    return model.run(steps=steps)


def rows(model: SEZModel, zone: str) -> pd.DataFrame:
    zones = model.recorder.zones_frame()
    return zones[zones["zone"] == zone].set_index("step")


@pytest.mark.parametrize("province", ["Kampot", "Champasak", "Luang Prabang", "Prey Veng"])
def test_a_poorly_managed_zone_fills_more_slowly_than_the_same_zone_well_managed(bases, province):
    """Same place, capacity open at once, same seed: management 0.1 against 0.9, in both seeds (a border zone's
    first investors are a few a year, so one seed's first arrival is a matter of luck; two seeds' are less so)."""
    job_years, opened = {0.1: 0.0, 0.9: 0.0}, {0.1: np.inf, 0.9: np.inf}
    for base in bases.values():
        runs = {
            m: run(base, policy("sez", province=province, phase_in=0, capacity_jobs=10000, management=m), steps=8)
            for m in (0.1, 0.9)
        }
        low, high = (rows(runs[m], f"{province} SEZ") for m in (0.1, 0.9))
        assert (low["management"] == 0.1).all() and (high["management"] == 0.9).all()
        assert (low["awareness"].iloc[1:] < high["awareness"].iloc[1:]).all()  # known more slowly
        for m, zone in ((0.1, low), (0.9, high)):
            job_years[m] += zone["jobs"].sum()  # over the two years
            if (zone["jobs"] > 0).any():
                opened[m] = min(opened[m], zone.index[zone["jobs"] > 0].min())
        for m, model in runs.items():  # the rules it promises, as its management delivers them
            z = model.zones.name.index(f"{province} SEZ")
            sez = model.params["sez"]
            assert model.zones.delay[z] == pytest.approx(1 + sez["management_delay"] * (1 - m))
            assert model.zones.productivity[z] == pytest.approx(
                (1 + sez["duty_bonus"]) * (1 - sez["outage_loss"] * (1 - m))
            )
    assert job_years[0.1] < 0.8 * job_years[0.9]
    assert opened[0.9] < opened[0.1]  # its first firm produces earlier


def test_capacity_building_raises_fill_up_after_its_learning_time_and_not_before(bases):
    """Trained staff raise the zone's management once the lag is over, and with it its job-years over both seeds."""
    zone = policy("sez", province="Champasak", phase_in=0, capacity_jobs=10000, management=0.1)
    training = policy("capacity_building", zones=["Champasak SEZ"], lag_years=1.0, learning_years=1.0, gain=0.8)
    lag = 5  # the step that starts in 2020: the first with trained staff, at learning 0
    job_years = {"without": 0.0, "with": 0.0}
    for base in bases.values():
        without, with_ = run(base, zone, steps=14), run(base, zone, training, steps=14)
        a, b = rows(without, "Champasak SEZ"), rows(with_, "Champasak SEZ")
        columns = ["management", "awareness", "jobs", "firms", "occupancy", "exports"]
        pd.testing.assert_frame_equal(a.loc[:lag, columns], b.loc[:lag, columns], check_exact=True)
        p_a, p_b = without.recorder.provinces(), with_.recorder.provinces()
        pd.testing.assert_frame_equal(p_a[p_a["step"] <= lag], p_b[p_b["step"] <= lag], check_exact=True)
        gained = b["management"].loc[lag + 1 :]
        assert (gained > a["management"].loc[lag + 1 :]).all() and gained.is_monotonic_increasing
        expected = 0.1 + 0.8 * 0.9 * -np.expm1(-(with_.calendar.start(14) - 2020.0))
        assert gained.iloc[-1] == pytest.approx(expected)
        assert (b["awareness"].loc[lag + 1 :] > a["awareness"].loc[lag + 1 :]).all()
        job_years["without"] += a["jobs"].loc[lag + 1 :].sum()
        job_years["with"] += b["jobs"].loc[lag + 1 :].sum()
        cost = with_.policies[-1].cost_per_year / with_.steps_per_year
        np.testing.assert_allclose(b["programme"].loc[1:], cost)  # paid from the start, before any benefit
        assert (a["programme"] == 0).all()
    assert job_years["with"] > job_years["without"]


def test_investment_promotion_brings_more_investors_to_the_listed_zones_only(bases):
    zones = [policy("sez", province=p, phase_in=0, capacity_jobs=10000, management=0.2) for p in ("Kampot", "Takeo")]
    promoted = policy("investment_promotion", zones=["Kampot SEZ", "Savan-Seno Special Economic Zone"], uplift=1.0)
    without, with_ = run(bases[5], *zones, steps=8), run(bases[5], *zones, promoted, steps=8)
    a, b = (
        without.recorder.zones_frame().set_index(["zone", "step"]),
        with_.recorder.zones_frame().set_index(["zone", "step"]),
    )
    listed = ["Kampot SEZ", "Savan-Seno Special Economic Zone"]
    others = sorted(set(a.index.get_level_values("zone")) - set(listed))
    for zone in listed:
        assert (b.loc[zone, "prospects"].iloc[1:] > a.loc[zone, "prospects"].iloc[1:]).all(), zone
    known = b.loc["Savan-Seno Special Economic Zone"]  # known to all: the uplift alone
    np.testing.assert_allclose(
        known["prospects"].iloc[1:], 2.0 * a.loc["Savan-Seno Special Economic Zone", "prospects"].iloc[1:]
    )
    np.testing.assert_array_equal(b.loc["Takeo SEZ", "awareness"], a.loc["Takeo SEZ", "awareness"])
    for zone in others:
        np.testing.assert_array_equal(b.loc[zone, "prospects"].to_numpy(), a.loc[zone, "prospects"].to_numpy())
    assert b.loc["Kampot SEZ", "jobs"].sum() > a.loc["Kampot SEZ", "jobs"].sum()
    assert (b.loc[listed, "programme"].groupby("zone").sum() > 0).all()
    assert b.loc[others, "programme"].sum() == 0


@pytest.mark.parametrize("committee", [True, False])
def test_a_cbez_joint_committee_runs_both_twins_at_the_better_sides_management(bases, committee):
    model = run(bases[5], policy("cbez", crossing="Mae Sot-Myawaddy", joint_committee=committee), steps=2)
    twins = [z for z, name in enumerate(model.zones.name) if name.startswith("Mae Sot-Myawaddy CBEZ")]
    sez = model.params["sez"]
    own = [sez["management"][model.geo.provinces["country"].iat[model.zones.province[z]]] for z in twins]
    assert model.zones.management[twins].tolist() == own and own[0] != own[1]
    expected = [max(own)] * 2 if committee else own
    assert model.zones.managed[twins].tolist() == expected
    assert model.zone_accounts["management"][twins].tolist() == expected


def test_capacity_building_for_a_country_trains_every_zone_there_and_the_committee_shares_it(bases):
    cbez = policy("cbez", crossing="Mae Sot-Myawaddy")
    training = policy("capacity_building", countries=["THA"], lag_years=0.0, learning_years=0.5)
    model = run(bases[5], cbez, training, steps=8)
    thai = [z for z in range(len(model.zones)) if model.geo.provinces["country"].iat[model.zones.province[z]] == "THA"]
    targets = model.policies[-1]._targets.tolist()
    assert targets == thai and len(thai) > 10
    twins = [z for z, name in enumerate(model.zones.name) if name.startswith("Mae Sot-Myawaddy CBEZ")]
    assert model.zones.managed[twins[0]] == model.zones.managed[twins[1]] > model.params["sez"]["management"]["THA"]


def test_zone_jobs_never_exceed_capacity_in_jobs(bases):
    """New zones of every size filling up, and demand growing under them (more FDI, better corridors)."""
    policies = [
        policy("sez", province="Savannakhet", phase_in=0, capacity_jobs=1500, management=1.0),
        policy("sez", province="Bangkok", capacity_jobs=5000, phase_in=1),
        policy("cbez", crossing="Mohan-Boten", capacity_jobs=3000, phase_in=0),
        policy("fdi_inflow", multiplier=3.0, start_year=2020),
        policy("corridor_upgrade", corridor="EWEC", start_year=2020),
    ]
    for seed, base in bases.items():
        zones = run(base, *policies, steps=12).recorder.zones_frame()
        assert (zones["jobs"] <= zones["capacity_jobs"] * (1 + 1e-12)).all(), seed
        assert zones.groupby("zone")["occupancy"].max().max() > 0.8  # some zones do fill


def test_a_zone_whose_firms_outgrow_it_moves_its_newest_out_and_takes_them_back_when_there_is_room(bases):
    model = copy.deepcopy(bases[5])
    model.run(steps=1)
    jobs = model.zone_accounts["jobs"]
    z = int(np.argmax(jobs))
    full = model.zones.jobs_per_slot[z]
    model.zones.jobs_per_slot[z] = full * 0.6  # its capacity in jobs falls below its jobs
    model.step()
    assert model.zone_accounts["jobs"][z] <= model.zone_accounts["capacity_jobs"][z] * (1 + 1e-12)
    moved = np.flatnonzero(model.firms["waiting_for"] == z)
    assert moved.size and (model.firms["zone"][moved] == -1).all()
    stayed = np.flatnonzero((model.firms["zone"] == z) & (model.firms["approval_left"] <= 0))
    assert model.firms["born"][moved].min() >= model.firms["born"][stayed].max()  # the newest producers left
    assert (model.firms["province"][moved] == model.zones.province[z]).all()  # they wait in the host province
    model.zones.jobs_per_slot[z] = full
    model.run(steps=2)
    assert np.sum(model.firms["waiting_for"] == z) < moved.size  # room again: they move back in


def test_the_ledger_books_programmes_per_zone_and_country(bases):
    training = policy("capacity_building", countries=["LAO"], cost_per_year=2.0)
    promotion = policy("investment_promotion", provinces=["Vientiane Capital"], cost_per_year=1.0, end_year=2020)
    model = run(bases[6], training, promotion, steps=8)
    zones = model.recorder.zones_frame()
    np.testing.assert_allclose(zones["public_cost"], zones[["construction", "operation", "programme"]].sum(axis=1))
    book = ledger(zones)
    lao = book[(book["level"] == "country") & (book["name"] == "LAO")].set_index("year")
    n_lao = len(model.policies[0]._targets)
    n_vte = len(model.policies[1]._targets)
    assert n_vte >= 1 and lao.loc[2019, "programme"] == pytest.approx(2.0 * n_lao + 1.0 * n_vte)
    assert lao.loc[2020, "programme"] == pytest.approx(2.0 * n_lao)  # promotion ended at the start of 2020
    summary = zone_summary(zones).set_index("zone")
    by_zone = book[book["level"] == "zone"].groupby("name")[list(LEDGER_FLOWS)].sum()
    pd.testing.assert_frame_equal(by_zone, summary[list(LEDGER_FLOWS)], check_names=False)
