"""Model state below the agents: the zone table and the dataset's zones, the calendar, the recorder's years."""

from __future__ import annotations

import numpy as np
import pytest

from sez_sim.clock import Calendar
from sez_sim.geography import load_gms
from sez_sim.params import defaults
from sez_sim.results import fixed, format_values, significant
from sez_sim.zones import ZoneTable, dataset_zones, incentives, slots


def test_zone_table_defaults_and_unknown_attributes():
    table = ZoneTable()
    a = table.add("A", province=3)
    b = table.add("B", province=5, capacity=7.0, active=True, approval_days=3.0, commuter_home=4)
    assert (a, b) == (0, 1) and len(table) == 2 and table.name == ["A", "B"]
    assert not table.active[a] and table.capacity[a] == 0 and np.isnan(table.approval_days[a])
    assert table.productivity_bonus[a] == 1 and table.commuter_home[a] == -1 and table.commuter_home[b] == 4
    assert table.active[b] and table.capacity[b] == 7 and table.approval_days[b] == 3
    with pytest.raises(KeyError, match="colour"):
        table.add("C", province=1, colour="red")


def test_zones_added_at_once_are_those_added_one_by_one():
    one_by_one, at_once = ZoneTable(), ZoneTable()
    for i, management in enumerate((0.5, 0.6, 0.7)):
        one_by_one.add("Z", "CBEZ", province=i, capacity=2.0, active=True, management=management)
    at_once.extend(["Z"] * 3, "CBEZ", province=np.arange(3), capacity=2.0, active=True, management=[0.5, 0.6, 0.7])
    for attr in ZoneTable.DEFAULTS:
        a, b = getattr(one_by_one, attr), getattr(at_once, attr)
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), attr
    assert (at_once.name, at_once.kind, at_once.origin) == (one_by_one.name, one_by_one.kind, one_by_one.origin)
    assert at_once.add("W", province=5) == 3 and at_once.province[-1] == 5 and not at_once.active[-1]
    with pytest.raises(KeyError, match="colour"):
        at_once.extend(["V"], colour=1)
    with pytest.raises(ValueError):
        at_once.extend(["V", "W"], province=[1, 2], management=[0.5, 0.6, 0.7])
    assert len(at_once) == 4 and all(len(getattr(at_once, attr)) == 4 for attr in ZoneTable.DEFAULTS)


def test_the_standard_package_follows_the_host_country():
    sez = defaults(["sez"])["sez"]
    lao, tha = incentives(sez, "LAO"), incentives(sez, "THA")
    assert lao["holiday_years"] == sez["tax_holiday_years"]["LAO"] and tha["holiday_years"] == 8
    assert incentives(sez, "XXX")["holiday_years"] == sez["tax_holiday_years"]["*"]
    assert incentives(sez, "LAO", holiday=2.0, after=0.2) | {} == lao | {"holiday_years": 2.0, "after_rate": 0.2}
    assert lao["productivity_bonus"] == 1 + sez["duty_bonus"] and lao["world_access"] == sez["customs_access"]


def test_slots_convert_jobs_at_the_host_firm_size():
    # 20,000 workers at an employment rate of 0.5 are 40,000 persons; firms of 400 persons: 100 slots
    assert slots(20000, 400.0, 0.5) == pytest.approx(100.0)
    assert slots(10, 1e6, 0.5) == 1.0  # at least one slot


def test_dataset_zones_are_the_operating_ones_established_by_the_start_year():
    geo = load_gms()
    zones = geo.zones
    sez = defaults(["sez"])["sez"]
    for year in (1995, 2010, 2019):
        found = dataset_zones(geo, sez, year)
        expected = zones[(zones["status"] == "operating") & (zones["year_established"].fillna(0) <= year)]
        assert [z.name for z in found] == list(expected["name"])
        for z in found:
            assert geo.provinces["id"].iat[z.province] == zones.loc[zones["name"] == z.name, "province_id"].iat[0]
    assert len(dataset_zones(geo, sez, 1995)) < len(dataset_zones(geo, sez, 2019))


def test_the_calendar_of_steps():
    quarters = Calendar(2019, 4)
    assert quarters.end(0) == quarters.start(0) == quarters.start(1) == 2019
    assert quarters.end(1) == quarters.start(2) == 2019.25
    assert [quarters.opens_year(k) for k in range(1, 6)] == [True, False, False, False, True]
    assert [quarters.closes_year(k) for k in range(0, 9)] == [None, None, None, None, 2019, None, None, None, 2020]
    assert quarters.steps(2.5) == 10 and Calendar(2000, 12).steps(1 / 12) == 1


def test_values_are_formatted_in_their_units_without_scientific_notation():
    assert format_values([1_650_137.0, 1_651_412.3], "US$ m", extend=False) == ["1,650.1", "1,651.4"]
    assert format_values([1275.3, -0.4], "US$ m", signed=True) == ["+1.27530", "-0.00040"]  # two digits of the smaller
    assert format_values([0.43621, 0.4365], "index", extend=False) == ["0.4362", "0.4365"]
    assert format_values([2.1e-5], "index", signed=True) == ["+0.000021"]
    assert format_values([30213.0, 12.0], "firm agents", extend=False) == ["30,213", "12"]
    assert format_values([0.0123], "relative change", signed=True) == ["+1.23"]
    assert format_values([float("nan")], "index") == ["n/a"]
    # A difference of two sums that differ by rounding error only is zero, never "-0.00".
    assert format_values([-1.4e-14], "index", signed=True) == ["+0.0000000000"]
    assert format_values([-1.4e-14, 2.6], "firm agents", extend=False) == ["0", "3"]
    assert [fixed(v, 2) for v in (-1.4e-14, -0.004, -0.006, 1234.5, float("inf"))] == [
        "0.00",
        "0.00",
        "-0.01",
        "1,234.50",
        "n/a",
    ]
    assert fixed(-2e-4, 3, signed=True) == "+0.000" and fixed(-6e-4, 3, signed=True) == "-0.001"


def test_claims_show_four_significant_digits_without_scientific_notation():
    values = (7.495e-05, -6.542e-05, 21187.3, -47.18, 0.5, 2.0, 0.0)
    assert [significant(v, signed=True) for v in values] == [
        "+0.00007495",
        "-0.00006542",
        "+21190",
        "-47.18",
        "+0.5",
        "+2",
        "+0",
    ]
    assert significant(1651012.3, 6) == "1651010" and significant(float("nan")) == "n/a"
    for v in np.geomspace(1e-12, 1e12, 97):
        assert "e" not in significant(v) and float(significant(v)) == float(f"{v:.4g}")
