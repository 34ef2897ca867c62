"""The recorder on a small model: one panel row per province and step, complete years of migration, zone rows."""

from __future__ import annotations

import numpy as np
import pytest

from sez_sim.geography import line
from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.policies import SEZInstrument
from sez_sim.results import PANEL_COLUMNS, SUMMARY_COLUMNS, UNITS


@pytest.fixture(scope="module")
def model() -> SEZModel:
    config = ModelConfig(
        geography=line(6, spacing_km=150),
        params=resolve_params("gms", {"firms": {"count": 300, "min_per_province": 10}}),
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
    assert (ours["firms"] <= ours["capacity"] + 1e-9).all()
