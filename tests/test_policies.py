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


@pytest.fixture(scope="module")
def nonthaburi_sez():
    """A zone investors take up (next to Bangkok; border zones mostly stay empty: test_zone_projects.py)."""
    return run([{"type": "sez", "province": "Nonthaburi", "phase_in": 1}])


def test_sez_raises_host_gdp_fdi_and_zone_firms(base, nonthaburi_sez):
    sez = nonthaburi_sez
    b, s = final(base), final(sez)
    assert s.loc["TH-12", "gdp"] > b.loc["TH-12", "gdp"] * 1.01
    assert s.loc["TH-12", "firms_foreign"] > b.loc["TH-12", "firms_foreign"]
    assert s.loc["TH-12", "fdi_stock"] > b.loc["TH-12", "fdi_stock"]
    zones = sez.zones[sez.zones["zone"] == "Nonthaburi SEZ"]
    assert zones["firms"].iloc[-1] > 0.8 * zones["capacity_slots"].iloc[-1] > 0
    assert zones["jobs"].iloc[-1] > 0.5 * zones["capacity_jobs"].iloc[-1] > 0
    assert sez.summary["zone_firms"].iloc[-1] > base.summary["zone_firms"].iloc[-1]


def test_zone_jobs_move_their_hosts_earnings_inequality_along_the_dual_economys_curve(base, nonthaburi_sez):
    """More modern jobs widen a host's earnings inequality while fewer than ``1 / (1 + sqrt(premium))`` of its
    workers hold one (Nonthaburi, about a quarter) and narrow it beyond (Chonburi, about half)."""
    chonburi_sez = run([{"type": "sez", "province": "Chonburi", "phase_in": 1}])
    for sez, host, widens in ((nonthaburi_sez, "TH-12", True), (chonburi_sez, "TH-20", False)):
        b, s = final(base).loc[host], final(sez).loc[host]
        share = {k: r["workers_m"] / (r["workers_m"] + r["workers_a"]) for k, r in (("base", b), ("sez", s))}
        peak = 1 / (1 + np.sqrt(b["wage_m"] / b["wage_a"]))
        assert share["sez"] > share["base"] + 0.005
        assert (share["sez"] < peak) if widens else (share["base"] > peak)
        assert (
            (s["earnings_gini"] > b["earnings_gini"] + 1e-4)
            if widens
            else (s["earnings_gini"] < b["earnings_gini"] - 1e-4)
        )


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


def test_a_crossing_made_harder_raises_the_costs_across_it_and_none_elsewhere(geo):
    """A factor above 1 (a closure, fighting nearby) is facilitation the other way: distances through it only rise."""
    hard = run([{"type": "border_facilitation", "crossings": ["Mae Sot-Myawaddy"], "factor": 8}], years=0.25)
    row = geo.crossing_of("Mae Sot-Myawaddy")
    np.testing.assert_allclose(hard.model.geo.crossings["cost_km"].iloc[row], 8 * geo.crossings["cost_km"].iloc[row])
    assert np.all(hard.model.geo.distance >= geo.distance - 1e-9)
    a, b = geo.index_of("Tak"), geo.index_of("Kayin")
    assert hard.model.geo.distance[a, b] > geo.distance[a, b]


def world_access(model, province: int, leg_km: float) -> float:
    """phi_iW through a port ``leg_km`` from the world that is ``province`` itself (docs/ODD.md 7.1)."""
    econ = model.params["economy"]
    return float(np.exp(-econ["kappa"] * (econ["sigma"] - 1.0) * (model.geo.distance[province, province] + leg_km)))


def test_a_deep_sea_port_opens_the_world_to_its_province_and_brings_foreign_investors(base, geo):
    """Dawei's deep-sea port (Tanintharyi, MM-05): the province reaches the world through it, with the dataset's sea
    leg; no province's access falls; the province gains foreign firms, their capital and GDP."""
    port = run([{"type": "port", "province": "Tanintharyi"}])
    i, leg = geo.index_of("MM-05"), port.model.params["economy"]["sea_cost_km"]
    after, before = port.model.market.phi_world, base.model.market.phi_world
    assert after[i] == pytest.approx(world_access(port.model, i, leg), rel=1e-12)
    assert after[i] > before[i] and np.all(after >= before)
    b, p = final(base).loc["MM-05"], final(port).loc["MM-05"]
    for column in ("firms_foreign", "fdi_stock", "gdp"):
        assert p[column] > b[column], column


@pytest.mark.parametrize(
    ("province", "leg", "reached"),
    [("Savannakhet", 1600.0, True), ("Bangkok", 500.0, True), ("Nonthaburi", 5000.0, False)],
    ids=["dry-port", "cheaper-leg", "a-port-nobody-uses"],
)
def test_a_port_serves_the_provinces_it_is_the_cheapest_way_out_for_and_changes_nothing_else(
    base, geo, province, leg, reached
):
    """A dry port (a long leg), an existing port's leg cut, and a dry port whose leg is longer than the road to a
    seaport: world access rises exactly where the new leg is the cheapest way out, and a port nobody would use
    leaves the run as it was, bit for bit."""
    port, short = run([{"type": "port", "province": province, "sea_cost_km": leg}], years=1), run([], years=1)
    econ, i = port.model.params["economy"], geo.index_of(province)
    legs = np.where(geo.provinces["is_port"].to_numpy(bool), econ["sea_cost_km"], np.inf)
    legs[i] = leg
    way_out = np.array(
        [min(geo.distance[k, j] + legs[j] for j in np.flatnonzero(np.isfinite(legs))) for k in range(geo.n)]
    )
    np.testing.assert_allclose(
        port.model.market.phi_world, np.exp(-econ["kappa"] * (econ["sigma"] - 1.0) * way_out), rtol=1e-12
    )
    opened = port.model.market.phi_world > short.model.market.phi_world
    assert opened.any() == reached and not np.any(port.model.market.phi_world < short.model.market.phi_world)
    if not reached:
        pd.testing.assert_frame_equal(port.provinces, short.provinces, check_exact=True)
        pd.testing.assert_frame_equal(port.summary, short.summary, check_exact=True)


def test_a_port_is_refused_where_it_would_change_nothing_by_construction():
    """A textbook preset has no world market; a province with a port needs a new sea leg to get another."""
    from sez_sim.errors import UserError
    from sez_sim.scenario import load_scenario

    textbook = {
        "name": "t",
        "economy": {"preset": "core_periphery"},
        "geography": {"synthetic": {"kind": "two_region", "freeness": 0.5}},
        "policies": [{"type": "port", "province": "R1"}],
    }
    with pytest.raises(UserError, match=r"policies\[0\]: the core_periphery preset has no world market"):
        load_scenario(textbook)
    with pytest.raises(UserError, match=r"Bangkok already has a port \(Bangkok Port.*\) with the sea leg of economy"):
        run([{"type": "port", "province": "Bangkok"}], years=0.25)

    def port_on(kind: str, province: str) -> dict:
        """A port in ``province`` of a synthetic geography of six provinces."""
        geography = {"synthetic": {"kind": kind, "n": 6}}
        return {"name": "t", "geography": geography, "policies": [{"type": "port", "province": province}]}

    with pytest.raises(UserError, match=r"P00 already has a port \(synthetic port\) with the sea leg of economy"):
        load_scenario(port_on("line", "P00"))
    with pytest.raises(UserError, match=r"policies\[0\].province: this geography has no port"):
        load_scenario(port_on("ring", "P01"))


def test_instruments_that_change_nothing_at_the_parameters_are_warned_of_and_change_nothing():
    """A port with nothing exported, a factor of no minimum wage: allowed (a sweep's end point), warned, and inert.

    Each run is bit for bit the run without the instrument, as the warning says.
    """
    from sez_sim.scenario import load_scenario

    coarse = {"agents": {"persons_per_agent": 4000, "firms": {"count": 3000}}, "run": {"years": 0.5, "seed": 1}}
    line = {"geography": {"synthetic": {"kind": "line", "n": 6}}, "run": {"years": 1, "seed": 1}}
    cases = [
        (coarse | {"economy": {"export_share": 0}}, {"type": "port", "province": "Tanintharyi"}, "export_share is 0"),
        (line, {"type": "minimum_wage", "country": "A", "factor": 2}, "A has no minimum wage"),  # synthetic: none
        (line, {"type": "minimum_wage", "country": "B"}, "B has no minimum wage"),  # the instrument's default factor
        (line, {"type": "minimum_wage", "provinces": ["P01", "P04"], "factor": 3}, "A, B have no minimum wage"),
    ]
    for base, policy, says in cases:
        scenario = load_scenario({"name": "t", **base, "policies": [policy]})
        assert [(w.where, says in w.message) for w in scenario.warnings()] == [("policies[0]", True)]
        with_it, without = run_scenario(scenario), run_scenario({"name": "t", **base})
        pd.testing.assert_frame_equal(with_it.provinces, without.provinces, check_exact=True)


def test_a_value_sets_a_minimum_wage_where_there_was_none():
    none = {"name": "t", "economy": {"minimum_wage": {"KHM": 0}}, "run": {"years": 0.5, "seed": 1}}
    result = run_scenario(none | {"policies": [{"type": "minimum_wage", "country": "KHM", "value": 4000}]})
    wages = result.provinces.query("country == 'KHM' and step == 2")["wage_m"]
    assert (wages >= 4000 - 1e-6).all()


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


def test_a_regional_tax_cut_draws_firms_to_its_provinces_from_the_rest_of_the_country(base):
    """Savannakhet and Khammouane untaxed (Lao PDR 24%): firms gather there, and none come to Lao PDR's others."""
    cut = final(run([{"type": "corporate_tax", "provinces": ["Savannakhet", "LA-KH"], "rate": 0.0}]))
    before = final(base)
    targeted = before.index.isin(["LA-SV", "LA-KH"])
    lao = (before["country"] == "LAO").to_numpy()
    assert cut[targeted]["firms"].sum() > 1.2 * before[targeted]["firms"].sum()
    assert cut[targeted]["firms_foreign"].sum() > before[targeted]["firms_foreign"].sum()
    assert cut[lao & ~targeted]["firms"].sum() <= before[lao & ~targeted]["firms"].sum()


def test_zone_firms_pay_the_lower_of_their_zones_rate_and_their_provinces():
    """A zone's terms are a concession: a province's own lower rate (a regional rate or subsidy) reaches its zone
    firms, during the holiday and after it; where the province's rate is higher the zone's terms hold."""
    from sez_sim.scenario import load_scenario

    zone = {"type": "sez", "province": "Nonthaburi", "phase_in": 0, "tax_holiday_years": 2, "tax_rate_after": 0.1}
    model = load_scenario({"name": "t", "policies": [zone], "agents": {"firms": {"count": 8000}}}).model(seed=3)
    model.run(years=4)
    z = model.zones.name.index("Nonthaburi SEZ")
    rows = np.flatnonzero(model.firms["zone"] == z)
    holiday = model.steps < model.firms["holiday_until"][rows]
    assert holiday.any() and not holiday.all()  # firms on their holiday and firms past it
    host = model.zones.province[z]
    for province_rate in (0.3, 0.2, 0.05, 0.0, -0.2):
        tax = model.levers["corporate_tax"].copy()
        tax[host] = province_rate
        rates = model.firms.tax_rates(tax, model.zones, model.steps)[rows]
        np.testing.assert_array_equal(rates, np.minimum(np.where(holiday, 0.0, 0.1), province_rate))


def test_fdi_inflow_raises_foreign_firms(base):
    more = run([{"type": "fdi_inflow", "multiplier": 3.0}])
    assert more.summary["firms_foreign"].iloc[-1] > base.summary["firms_foreign"].iloc[-1] * 1.02


def test_a_credible_border_zone_fills_where_an_untried_one_stays_empty():
    """Two new zones at the EWEC's Mukdahan and Savannakhet, beside their proven dataset zones: untried, investors
    keep to the proven ones; vouched for in full from 2020 (a credibility programme), they fill, while the record
    each then shows is its own, and the credibility is on the zones' table. A half-credible pair falls between."""
    zones = [{"type": "sez", "province": p, "phase_in": 1} for p in ("Mukdahan", "Savannakhet")]
    names = ["Mukdahan SEZ", "Savannakhet SEZ"]
    jobs, tables = {}, {}
    for credibility in (0.0, 0.5, 1.0):
        vouched = [{"type": "zone_credibility", "zones": names, "credibility": credibility, "start_year": 2020}]
        result = run(zones + (vouched if credibility else []), years=8)
        z = result.zones[result.zones["zone"].isin(names)]
        jobs[credibility] = z[z["step"] == z["step"].max()]["jobs"].sum()
        tables[credibility] = z
    assert jobs[0.0] < 2_000 and jobs[1.0] > 10_000 and jobs[0.0] <= jobs[0.5] <= jobs[1.0]
    full = tables[1.0]
    assert (full[full["year"] > 2020]["credibility"] == 1.0).all()
    assert (full[full["year"] <= 2020]["credibility"] == 0).all()
    assert full["record"].iloc[-1] <= 1.0 and (tables[0.0]["credibility"] == 0).all()
    ledger = full.groupby("year")["programme"].sum()
    assert ledger.loc[2021.0:].gt(0).all() and ledger.loc[:2020.0].eq(0).all()


def test_a_zone_closure_winds_its_zones_down_and_reopens_them_at_its_end(base):
    """Cambodia's zones closed from 2020 over a year and reopened in 2023: the run is the baseline's, bit for bit,
    until 2020; then the zones take no entrant, their capacity falls linearly and their jobs stay within it, their
    operation cost stops; from 2023 they are open with their capacity again and firms move back in. Other
    countries' zones stay open."""
    closure = {"type": "zone_closure", "countries": ["KHM"], "start_year": 2020, "phase_in": 1, "end_year": 2023}
    closed = run([closure])
    z, b = closed.zones, base.zones
    before = z["year"] < 2020.25
    pd.testing.assert_frame_equal(z[before], b[b["year"] < 2020.25], check_exact=True)
    khm = z[z["country"] == "KHM"].pivot_table(index="year", columns="zone", values=["capacity_jobs", "jobs", "active"])
    full = khm["capacity_jobs"].loc[2020.0]
    assert khm["active"].loc[2020.25:2022.75].eq(False).all().all() and khm["active"].loc[2023.25:].all().all()
    for year, left in ((2020.5, 0.75), (2020.75, 0.5), (2021.0, 0.25), (2021.25, 0.0)):
        # The capacity in force during the step that ends at ``year`` (the intensity at its start).
        np.testing.assert_allclose(khm["capacity_jobs"].loc[year], left * full, rtol=1e-9, err_msg=str(year))
    assert (khm["jobs"] <= khm["capacity_jobs"] * (1 + 1e-9) + 1e-6).all().all()
    assert khm["jobs"].loc[2021.25:2022.75].eq(0).all().all() and khm["jobs"].loc[2025.0].sum() > 0
    np.testing.assert_allclose(khm["capacity_jobs"].loc[2025.0], full, rtol=1e-9)
    ops = z[(z["country"] == "KHM")].groupby("year")["operation"].sum()
    assert ops.loc[2021.25:2022.75].eq(0).all() and ops.loc[2019.25:2020.0].gt(0).all()
    elsewhere = z[(z["country"] != "KHM") & (z["year"] == 2022.0)]
    assert elsewhere["active"].all() and elsewhere["jobs"].sum() > 0


def test_a_closed_zones_firms_go_on_producing_outside_it_in_their_province():
    """Closed at once, a zone's firms leave it in the closure's first step but not their province: the host's firms
    change only by the step's entries and exits, as without the closure."""
    from sez_sim.scenario import load_scenario

    models = {}
    for closed in (False, True):
        policies = [{"type": "zone_closure", "zones": ["Phnom Penh Special Economic Zone (PPSEZ)"], "start_year": 2020}]
        scenario = load_scenario({"name": "paired", "run": {"seed": SEED}, "policies": policies if closed else []})
        models[closed] = scenario.model().run(steps=4)
    model = models[True]
    z = model.zones.name.index("Phnom Penh Special Economic Zone (PPSEZ)")
    host = int(model.zones.province[z])
    members = int(np.sum(model.firms["zone"] == z))
    firms = {closed: m.firms.per_province()[host] for closed, m in models.items()}
    assert members >= 5 and firms[True] == firms[False]
    for m in models.values():
        m.run(steps=1)
    assert not np.any(model.firms["zone"] == z) and np.sum(models[False].firms["zone"] == z) >= members - 2
    after = {closed: m.firms.per_province()[host] for closed, m in models.items()}
    assert abs(after[True] - after[False]) < members / 2  # a step's entries and exits, not the members


def test_phase_in_and_end_year_schedule():
    from sez_sim.policies import FDIInflow

    p = FDIInflow(multiplier=2, start_year=2020, phase_in=4, end_year=2030)
    assert p.intensity(2019.75, 2019) == 0
    assert p.intensity(2020, 2019) == pytest.approx(0, abs=1e-9)
    assert p.intensity(2022, 2019) == pytest.approx(0.5)
    assert p.intensity(2025, 2019) == 1
    assert p.intensity(2030, 2019) == 0
