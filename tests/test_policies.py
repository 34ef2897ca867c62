"""Each policy instrument moves what it should, in paired same-seed runs (docs/ODD.md section 1, pattern 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sez_sim import run_scenario
from sez_sim.geography import load_gms

SEED, YEARS = 7, 6


def run(policies, years=YEARS):
    return run_scenario({"name": "paired", "policies": policies}, seed=SEED, years=years)


@pytest.fixture(scope="module")
def base():
    return run([])


@pytest.fixture(scope="module")
def geo():
    return load_gms()


def final(result) -> pd.DataFrame:
    p = result.provinces
    return p[p["step"] == p["step"].max()].set_index("province_id")


def by_country(result, column):
    return final(result).groupby("country")[column].sum()


def test_sez_raises_host_gdp_fdi_and_zone_firms(base):
    """A zone investors take up (next to Bangkok; border zones mostly stay empty: test_zone_projects.py)."""
    sez = run([{"type": "sez", "province": "Nonthaburi", "phase_in": 1}])
    b, s = final(base), final(sez)
    assert s.loc["TH-12", "gdp"] > b.loc["TH-12", "gdp"] * 1.01
    assert s.loc["TH-12", "firms_foreign"] > b.loc["TH-12", "firms_foreign"]
    assert s.loc["TH-12", "fdi_stock"] > b.loc["TH-12", "fdi_stock"]
    zones = sez.zones[sez.zones["zone"] == "Nonthaburi SEZ"]
    assert zones["firms"].iloc[-1] > 0.8 * zones["capacity_slots"].iloc[-1] > 0
    assert zones["jobs"].iloc[-1] > 0.5 * zones["capacity_jobs"].iloc[-1] > 0
    assert sez.summary["zone_firms"].iloc[-1] > base.summary["zone_firms"].iloc[-1]


def test_cbez_raises_commuting_twin_gdp_and_cuts_the_crossing(base, geo):
    cbez = run([{"type": "cbez", "crossing": "Hekou-Lao Cai", "phase_in": 1}])
    b, c = final(base), final(cbez)
    assert c["commuters_in"].sum() > 0 and b["commuters_in"].sum() == 0
    assert c.loc["CN-YN-HHE", "commuters_in"] + c.loc["VN-02", "commuters_in"] > 0
    for twin in ("CN-YN-HHE", "VN-02"):
        assert c.loc[twin, "gdp"] > b.loc[twin, "gdp"], twin
    model = cbez.model
    x = model.geo.crossing_of("Hekou-Lao Cai")
    assert model.geo.crossings["cost_km"].iat[x] < geo.crossings["cost_km"].iat[x]
    a, z = geo.index_of("CN-YN-HHE"), geo.index_of("VN-02")
    assert model.geo.distance[a, z] < geo.distance[a, z]


def test_ossc_raises_entry_into_its_countries(base):
    ossc = run([{"type": "ossc", "countries": ["LAO", "KHM"], "phase_in": 0}])
    for country in ("LAO", "KHM"):
        assert by_country(ossc, "firms")[country] > by_country(base, "firms")[country], country
    assert (
        ossc.model.firms.choice.approval_days[ossc.model.country_names.index("LAO") == ossc.model.country].max() == 15
    )


def test_corridor_upgrade_lowers_distances_along_it(base, geo):
    up = run([{"type": "corridor_upgrade", "corridor": "EWEC/main_Mawlamyine-DaNang", "quality": 0.6}], years=1)
    d0, d1 = geo.distance, up.model.geo.distance
    a, z = geo.index_of("Mon"), geo.index_of("Da Nang")
    assert d1[a, z] < d0[a, z] and np.all(d1 <= d0 + 1e-9)
    assert np.all(up.model.market.phi >= base.model.market.phi - 1e-15)


def test_border_facilitation_cuts_crossing_costs(geo):
    fac = run([{"type": "border_facilitation", "crossings": "all", "factor": 0.5}], years=1)
    np.testing.assert_allclose(fac.model.geo.crossings["cost_km"], 0.5 * geo.crossings["cost_km"])
    country = geo.provinces["country"].to_numpy()
    cross = country[:, None] != country[None, :]
    assert np.all(fac.model.geo.distance[cross] < geo.distance[cross])


def test_open_migration_regime_raises_cross_border_migration(base):
    open_ = run([{"type": "migration_regime", "countries": ["THA", "MMR"], "barrier": 0.0}])

    def flows(result):
        m = result.migration
        pair = m["origin_country"].isin(["THA", "MMR"]) & m["destination_country"].isin(["THA", "MMR"])
        return m[pair & (m["origin_country"] != m["destination_country"])]["persons"].sum()

    assert flows(open_) > 2 * flows(base) > 0


@pytest.mark.parametrize("sampling", ["controlled", "independent"])
def test_migration_quota_caps_the_flow(sampling):
    capped = run_scenario(
        {
            "name": "q",
            "agents": {"sampling": sampling},
            "policies": [{"type": "migration_regime", "countries": ["THA", "MMR"], "barrier": 0.0, "quota": 4000}],
        },
        seed=SEED,
        years=YEARS,
    )
    m = capped.migration
    for a, b in (("THA", "MMR"), ("MMR", "THA")):
        per_year = m[(m["origin_country"] == a) & (m["destination_country"] == b)].groupby("year")["persons"].sum()
        assert per_year.max() <= 4000  # persons a year (4 agents of 1,000)
    assert len(m) and m["persons"].sum() > 0


def test_higher_minimum_wage_lowers_modern_employment(base):
    high = run([{"type": "minimum_wage", "country": "KHM", "factor": 2.0}])
    assert by_country(high, "workers_m")["KHM"] < by_country(base, "workers_m")["KHM"]
    kh = final(high)["country"] == "KHM"
    assert (final(high)[kh]["wage_m"] >= final(base)[kh]["wage_m"] - 1e-9).all()


def test_corporate_tax_cut_raises_entry(base):
    cut = run([{"type": "corporate_tax", "country": "LAO", "rate": 0.05}])
    assert by_country(cut, "firms")["LAO"] > by_country(base, "firms")["LAO"]


def test_fdi_inflow_raises_foreign_firms(base):
    more = run([{"type": "fdi_inflow", "multiplier": 3.0}])
    assert more.summary["firms_foreign"].iloc[-1] > base.summary["firms_foreign"].iloc[-1] * 1.02


def test_phase_in_and_end_year_schedule():
    from sez_sim.policies import FDIInflow

    p = FDIInflow(multiplier=2, start_year=2020, phase_in=4, end_year=2030)
    assert p.intensity(2019.75, 2019) == 0
    assert p.intensity(2020, 2019) == pytest.approx(0, abs=1e-9)
    assert p.intensity(2022, 2019) == pytest.approx(0.5)
    assert p.intensity(2025, 2019) == 1
    assert p.intensity(2030, 2019) == 0
