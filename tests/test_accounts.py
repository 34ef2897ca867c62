"""The accounts of a step are computed once: province agents, the panel and the summary all agree, every step."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from sez_sim import metrics
from sez_sim.agents.province import ACCOUNTS
from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.policies import CBEZInstrument, MigrationRegime, SEZInstrument

STEPS = 6


@pytest.fixture(scope="module")
def run() -> tuple[SEZModel, list[pd.DataFrame]]:
    """A coarse GMS model with a CBEZ (commuters), an SEZ (entry) and an open border (migrants), and what the
    province agents held after each step (at Hekou-Lao Cai the well-run Chinese twin
    fills within a year, so it has commuters)."""
    policies = [
        CBEZInstrument(crossing="Hekou-Lao Cai", phase_in=0, management=1.0),
        SEZInstrument(province="Savannakhet", phase_in=0),
        MigrationRegime(countries=("THA", "MMR"), barrier=0.0),
    ]
    config = ModelConfig(
        params=resolve_params("gms", {"firms": {"count": 8000}}),
        persons_per_agent=2000.0,
        seed=3,
        policies=policies,
    )
    model = SEZModel(config)
    held = []
    for _ in range(STEPS + 1):
        held.append(pd.DataFrame([{a: getattr(p, a) for a in ACCOUNTS} for p in model.provinces]))
        if len(held) <= STEPS:
            model.step()
    return model, held


def test_province_agents_hold_exactly_what_the_panel_records_for_every_account(run):
    model, held = run
    panel = model.recorder.provinces()
    for step, agents in enumerate(held):
        row = panel[panel["step"] == step].reset_index(drop=True)
        for account in ACCOUNTS:
            np.testing.assert_array_equal(agents[account], row[account], err_msg=f"step {step}: {account}")
    busy = panel[panel["step"] >= 1]
    for account in ("migrants_in", "migrants_out", "commuters_in", "entrants", "exits", "firms_in_zone"):
        assert busy[account].sum() > 0, f"{account} never moved, so the test shows nothing about it"


def test_the_summary_adds_up_the_panel(run):
    model, _ = run
    panel = model.recorder.provinces()
    summary = model.recorder.summary_frame().set_index("step")
    by_step = panel.groupby("step")
    for column, account in (
        ("population", "population"),
        ("firms", "firms"),
        ("firms_foreign", "firms_foreign"),
        ("entrants", "entrants"),
        ("exits", "exits"),
        ("migrants", "migrants_in"),
        ("commuters", "commuters_in"),
        ("zone_firms", "firms_in_zone"),
        ("profit_tax", "profit_tax"),
        ("taxable_profit", "taxable_profit"),
    ):
        np.testing.assert_allclose(summary[column], by_step[account].sum(), rtol=1e-12, err_msg=column)
    np.testing.assert_allclose(summary["migrants"], by_step["migrants_out"].sum(), rtol=1e-12)
    np.testing.assert_allclose(summary["gdp"], by_step["gdp"].sum(), rtol=1e-12)


def test_stocks_and_flows_are_consistent(run):
    """Population after a step = population before + migrants in - migrants out; firms likewise with entry/exit."""
    model, _ = run
    panel = model.recorder.provinces()
    wide = {k: panel.pivot(index="step", columns="province_id", values=k) for k in ACCOUNTS}
    population = wide["population"].to_numpy()
    flows = (wide["migrants_in"] - wide["migrants_out"]).to_numpy()
    np.testing.assert_allclose(population[1:], population[:-1] + flows[1:], atol=1e-6)
    firms = wide["firms"].to_numpy()
    np.testing.assert_allclose(firms[1:], firms[:-1] + (wide["entrants"] - wide["exits"]).to_numpy()[1:], atol=1e-9)
    step0 = panel[panel["step"] == 0]
    assert (step0[["migrants_in", "migrants_out", "entrants", "exits"]] == 0).all().all()


def test_earnings_inequality_is_that_of_every_workers_sector_wage_within_provinces_and_over_the_gms(run):
    """A province's earnings Gini is the Gini of its workers, each at its sector's wage; the summary's are over every
    worker of the GMS, its Theil's within-province part the income-weighted sum of the provinces' own Theils."""
    model, _ = run
    panel = model.recorder.provinces()
    summary = model.recorder.summary_frame().set_index("step")
    for step in (0, STEPS):
        rows = panel[panel["step"] == step]
        count = rows[["workers_m", "workers_a"]].to_numpy()
        wage = rows[["wage_m", "wage_a"]].to_numpy()
        own = [metrics.gini(w[c > 0], c[c > 0]) for c, w in zip(count, wage, strict=True)]
        np.testing.assert_allclose(rows["earnings_gini"], own, atol=1e-12)
        assert summary.loc[step, "earnings_gini"] == pytest.approx(metrics.gini(wage.ravel(), count.ravel()), abs=1e-12)
        theil = [metrics.theil_t(w[c > 0], c[c > 0]) for c, w in zip(count, wage, strict=True)]
        earnings = (count * wage).sum(axis=1)
        within = float(np.sum(earnings / earnings.sum() * np.array(theil)))
        assert summary.loc[step, "earnings_theil_t_within"] == pytest.approx(within, abs=1e-12)
        assert summary.loc[step, "earnings_theil_t"] == pytest.approx(
            metrics.theil_t(wage.ravel(), count.ravel()), abs=1e-12
        )
        assert 0 < within < summary.loc[step, "earnings_theil_t"]
        assert rows["earnings_gini"].min() > 0.02 and rows["earnings_gini"].max() < 0.5


def test_real_wages_are_each_sectors_wage_over_its_provinces_cost_of_living(run):
    """Both sectors' wages are deflated by the same cost of living, the one the equilibrium's real wage (the closed
    forms' omega) and real income use, which differs between provinces and moves over the steps."""
    model, _ = run
    panel = model.recorder.provinces()
    eq = model.equilibrium
    last = panel[panel["step"] == STEPS]
    for sector in ("m", "a"):
        np.testing.assert_allclose(last[f"real_wage_{sector}"] * eq.cost_of_living, last[f"wage_{sector}"], rtol=1e-12)
    np.testing.assert_allclose(last["real_wage_m"] * model.employment_rate, eq.real_wage, rtol=1e-12)
    np.testing.assert_allclose(eq.cost_of_living, eq.price_index**model.market.mu, rtol=1e-12)
    deflator = panel["wage_m"] / panel["real_wage_m"]
    np.testing.assert_allclose(panel["wage_a"] / panel["real_wage_a"], deflator, rtol=1e-12)
    assert deflator[panel["step"] == STEPS].std() > 0.01 * deflator.mean()
    assert not np.allclose(deflator[panel["step"] == 0], deflator[panel["step"] == STEPS].to_numpy(), rtol=1e-9)


def test_capital_splits_into_foreign_and_domestic_owners(run):
    """Every province and step: all owners' capital is the foreign owners' plus the domestic owners', none negative;
    the SEZ's foreign entrants leave Savannakhet with some foreign-owned capital."""
    model, _ = run
    panel = model.recorder.provinces()
    np.testing.assert_allclose(panel["capital_stock"], panel["fdi_stock"] + panel["domestic_stock"], rtol=1e-12)
    assert (panel[["fdi_stock", "domestic_stock"]] >= 0).all().all()
    last = panel[(panel["step"] == STEPS) & (panel["name"] == "Savannakhet")]
    assert float(last["domestic_stock"].iloc[0]) > 0 and float(last["fdi_stock"].iloc[0]) > 0


def test_profit_tax_is_what_the_firms_paid_zone_firms_included(run):
    """Each province's profit tax over the step is its firms' tax at the equilibrium (a year's, over the steps of a
    year), each firm's rate times its positive profit, and its taxable profit the sum of those profits; its zones'
    firms pay part of it (the zone ledger's tax revenue), and nothing is paid at the start."""
    model, _ = run
    panel = model.recorder.provinces()
    last = panel[panel["step"] == STEPS]
    year = 1e6 * model.steps_per_year
    np.testing.assert_allclose(last["profit_tax"] * year, model.equilibrium.tax_revenue)
    np.testing.assert_allclose(last["taxable_profit"] * year, model.equilibrium.taxable_profit)
    # The firms have entered and exited since the step's solve: solve again for the firms there are now.
    now = copy.deepcopy(model)
    eq, firms = now.solve(), now.firms
    rows = firms.block_rows
    rate = firms.tax_rates(now.levers["corporate_tax"], now.zones, now.steps)[rows]
    tax = rate * np.maximum(eq.firm_profit, 0.0)
    np.testing.assert_allclose(tax, eq.firm_profit - eq.firm_net_profit, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(np.bincount(firms["province"][rows], tax, minlength=now.geo.n), eq.tax_revenue)
    taxable = np.bincount(firms["province"][rows], np.maximum(eq.firm_profit, 0.0), minlength=now.geo.n)
    np.testing.assert_allclose(taxable, eq.taxable_profit)
    effective = eq.tax_revenue / taxable  # every province has firms making a profit
    assert (rate.min() - 1e-12 <= effective).all() and (effective <= rate.max() + 1e-12).all()
    zones = model.recorder.zones_frame()
    in_zones = zones[zones["step"] == STEPS].groupby("province_id")["tax_revenue"].sum()
    by_province = last.set_index("province_id")["profit_tax"]
    assert (in_zones <= by_province[in_zones.index] + 1e-9).all() and in_zones.sum() > 0
    assert (panel.loc[panel["step"] == 0, ["profit_tax", "taxable_profit"]] == 0).all(axis=None)
    assert by_province.sum() > 0


def test_migration_table_matches_the_recorded_flows(run):
    model, _ = run
    flows = model.recorder.migration_frame()
    summary = model.recorder.summary_frame()
    first_year = summary[(summary["step"] >= 1) & (summary["step"] <= model.steps_per_year)]
    assert flows[flows["year"] == 2019]["persons"].sum() == pytest.approx(first_year["migrants"].sum())
    cross = flows[(flows["year"] == 2019) & (flows["origin_country"] != flows["destination_country"])]
    assert cross["persons"].sum() == pytest.approx(first_year["cross_border_migrants"].sum())
