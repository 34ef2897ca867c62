"""The recorder on a small model: one panel row per province and step, complete years of migration, zone rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sez_sim.geography import line
from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.params import registry
from sez_sim.policies import SEZInstrument
from sez_sim.results import (
    LEDGER_FLOWS,
    PANEL_COLUMNS,
    SUMMARY_COLUMNS,
    UNITS,
    ZONE_COLUMNS,
    ZONE_SUMMARY_UNITS,
    ZONE_UNITS,
    ledger,
    zone_summary,
)


@pytest.fixture(scope="module")
def model() -> SEZModel:
    config = ModelConfig(
        geography=line(6, spacing_km=150),
        # Investors take to new zones as in the upper part of the evidence, so the zone fills within the run.
        params=resolve_params("gms", {"firms": {"count": 300, "min_per_province": 10}, "sez": {"fdi_uplift": 5.0}}),
        policies=[SEZInstrument(province="P04", phase_in=0)],
        seed=4,
    )
    return SEZModel(config).run(steps=6)


def test_tables_have_one_row_per_province_and_step(model):
    rec = model.recorder
    panel, summary = rec.provinces(), rec.summary_frame()
    assert list(panel.columns) == list(PANEL_COLUMNS) and list(summary.columns) == list(SUMMARY_COLUMNS)
    assert len(panel) == 6 * 7 and list(summary["step"]) == list(range(7))
    np.testing.assert_allclose(summary["year"], 2019 + np.arange(7) / 4)
    assert set(PANEL_COLUMNS[2:5]) == {"province_id", "name", "country"}
    assert all(column in UNITS for column in (*PANEL_COLUMNS, *SUMMARY_COLUMNS) if column not in PANEL_COLUMNS[:5])


def test_migration_is_kept_for_complete_years_only(model):
    rec = model.recorder
    flows, summary = rec.migration_frame(), rec.summary_frame()
    assert set(flows["year"]) == {2019}  # steps 5-6 are half of 2020
    assert flows["persons"].sum() == pytest.approx(summary["migrants"].iloc[1:5].sum())
    assert (flows["origin_id"] != flows["destination_id"]).all() and (flows["persons"] > 0).all()


def test_zones_are_recorded_every_step(model):
    zones = model.recorder.zones_frame()
    assert len(zones) == 7 * len(model.zones) and set(zones["zone"]) == set(model.zones.name)
    ours = zones[zones["zone"] == "P04 SEZ"].set_index("step")
    assert not ours.loc[0, "active"] and ours.loc[1, "active"] and ours.loc[6, "firms"] > 0
    assert (ours["firms"] <= ours["capacity_slots"] + 1e-9).all()


def test_zone_rows_hold_their_columns_and_agree_with_the_other_tables(model):
    zones = model.recorder.zones_frame()
    assert list(zones.columns) == list(ZONE_COLUMNS) and set(ZONE_COLUMNS) == set(ZONE_UNITS)
    ours = zones[zones["zone"] == "P04 SEZ"].set_index("step")
    assert (ours["kind"] == "SEZ").all() and (ours["country"] == "B").all()
    # Capacity in jobs is the instrument's: slots stand for the host's mean firm size in jobs.
    capacity = ours.loc[6, "capacity_jobs"]
    assert capacity == pytest.approx(registry()["sez.capacity_jobs"].default, rel=1e-9)
    assert ours.loc[6, "occupancy"] == pytest.approx(ours.loc[6, "jobs"] / capacity)
    summary = model.recorder.summary_frame().set_index("step")
    np.testing.assert_allclose(zones.groupby("step")["firms"].sum(), summary["zone_firms"])
    panel = model.recorder.provinces()
    host = panel[panel["province_id"] == "P04"].set_index("step")
    rate = model.params["economy"]["employment_rate"]
    assert (ours["jobs"] <= host["workers_m"] * rate * 1.001 + 1e-9).all()  # zone jobs are part of the host's
    assert (ours["firms_foreign"] <= ours["firms"]).all() and (zones["investment"] >= 0).all()
    assert ours["investment"].sum() > 0  # foreign entrants arrived
    last = zones[zones["step"] == zones["step"].max()]
    assert last["waiting"].sum() == np.count_nonzero(model.firms["waiting_for"] >= 0)
    assert (zones["waiting"] >= 0).all() and (zones.loc[~zones["active"], "waiting"] == 0).all()


def test_zone_taxes_follow_the_holiday(model):
    """A new zone's firms are on a full tax holiday: they pay no profit tax, and all they would pay at the country's
    rate is forgone; the dataset-free line has no other zones."""
    zones = model.recorder.zones_frame()
    ours = zones[(zones["zone"] == "P04 SEZ") & (zones["jobs"] > 0)]
    assert len(ours) >= 2
    assert (ours["tax_revenue"].abs() < 1e-12).all()
    assert (ours["tax_forgone"] > 0).all()


def test_the_zone_summary_has_a_row_per_zone(model):
    zones = model.recorder.zones_frame()
    summary = zone_summary(zones).set_index("zone")
    assert list(summary.reset_index().columns) == list(ZONE_SUMMARY_UNITS)
    ours = summary.loc["P04 SEZ"]
    last = zones[(zones["zone"] == "P04 SEZ") & (zones["step"] == 6)].iloc[0]
    assert ours["jobs_end"] == last["jobs"] and ours["jobs_added"] == last["jobs"]
    assert ours["investment"] == pytest.approx(zones.loc[zones["zone"] == "P04 SEZ", "investment"].sum())
    assert ours["years_to_half_full"] >= 0 or np.isnan(ours["years_to_half_full"])


def test_the_ledger_adds_up_and_charges_what_was_built(model):
    zones = model.recorder.zones_frame()
    sez = model.params["sez"]
    book = ledger(zones)
    assert list(book.columns) == ["level", "name", "country", "year", *LEDGER_FLOWS]
    by_zone = book[book["level"] == "zone"].groupby(["country", "year"])[list(LEDGER_FLOWS)].sum()
    by_country = book[book["level"] == "country"].set_index(["country", "year"])[list(LEDGER_FLOWS)]
    pd.testing.assert_frame_equal(by_zone, by_country, check_names=False)
    totals = zone_summary(zones).set_index("zone")[list(LEDGER_FLOWS)]
    pd.testing.assert_frame_equal(
        book[book["level"] == "zone"].groupby("name")[list(LEDGER_FLOWS)].sum(), totals, check_names=False
    )
    ours = zones[zones["zone"] == "P04 SEZ"].set_index("step")
    # Built in the first step (no phase-in), charged once; run while active, from then on.
    capacity = ours.loc[6, "capacity_jobs"]
    assert ours["construction"].sum() == pytest.approx(capacity * sez["construction_cost_per_job"] / 1e6)
    assert ours.loc[0, "construction"] == 0 and ours.loc[0, "operation"] == 0  # opens at step 1
    yearly = capacity * sez["construction_cost_per_job"] * sez["operation_cost_share"] / 1e6
    np.testing.assert_allclose(ours.loc[1:, "operation"], yearly / model.steps_per_year)
    np.testing.assert_allclose(ours["public_cost"], ours["construction"] + ours["operation"])
    summary = model.recorder.summary_frame()
    np.testing.assert_allclose(summary["public_cost"], zones.groupby("step")["public_cost"].sum())
