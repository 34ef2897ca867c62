"""Policies in the textbook presets: each instrument either acts or is refused with the reason; none idles.

The textbook presets (core-periphery, footloose capital) have no entrants choosing a zone, no minimum wage and no
world market, and footloose capital's workers do not move (docs/ODD.md 7.7). An instrument acting only through
those was accepted and changed nothing (a zone that stayed empty while its costs were booked). On a geography with
distances (a line of six provinces in two countries) every instrument is tried in both presets: either the run
refuses it, naming the preset and what it lacks, or the run differs from the one without it. The one exception is
a profit tax under core-periphery's free entry, where profits are zero: the test checks that they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sez_sim.errors import UserError
from sez_sim.policies import BY_TYPE
from sez_sim.runs import run_scenario

LINE = {"kind": "line", "n": 6, "spacing_km": 300}
"""P00-P02 in country A, P03-P05 in B, one crossing A-B between P02 and P03, one corridor LINE."""

SPECS = {
    "sez": [{"type": "sez", "province": "P03", "capacity_jobs": 50000}],
    "cbez": [{"type": "cbez", "crossing": "A-B"}],
    "capacity_building": [{"type": "sez", "province": "P03"}, {"type": "capacity_building", "countries": ["B"]}],
    "investment_promotion": [{"type": "sez", "province": "P03"}, {"type": "investment_promotion", "countries": ["B"]}],
    "zone_credibility": [{"type": "sez", "province": "P03"}, {"type": "zone_credibility", "countries": ["B"]}],
    "zone_closure": [{"type": "sez", "province": "P03"}, {"type": "zone_closure", "countries": ["B"]}],
    "ossc": [{"type": "ossc", "countries": ["A"]}],
    "corridor_upgrade": [{"type": "corridor_upgrade", "corridor": "LINE", "quality": 0.3}],
    "border_facilitation": [{"type": "border_facilitation", "factor": 0.1}],
    "port": [{"type": "port", "province": "P05"}],
    "migration_regime": [{"type": "migration_regime", "countries": ["A", "B"], "quota": 0}],
    "migration_barrier": [{"type": "migration_regime", "countries": ["A", "B"], "barrier": 20}],
    "minimum_wage": [{"type": "minimum_wage", "country": "B", "factor": 3.0}],
    "corporate_tax": [{"type": "corporate_tax", "country": "B", "rate": 0.6}],
    "fdi_inflow": [{"type": "fdi_inflow", "multiplier": 5.0}],
}
"""Policies that put each instrument (the last listed) strongly in place on the line."""

NEUTRAL_UNDER_FREE_ENTRY = {("core_periphery", "corporate_tax")}


def scenario(preset: str, policies: list[dict], geography: dict = LINE) -> dict:
    return {
        "name": "t",
        "economy": {"preset": preset},
        "geography": {"synthetic": geography},
        "run": {"years": 4, "seed": 3},
        "policies": policies,
    }


def changes(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """The largest absolute difference over the province panels' numeric columns."""
    columns = [c for c in a.columns if a[c].dtype.kind in "if"]
    return max(float(np.nanmax(np.abs(a[c].to_numpy(float) - b[c].to_numpy(float)))) for c in columns)


def test_every_instrument_type_is_tried():
    assert {policies[-1]["type"] for policies in SPECS.values()} == set(BY_TYPE)


@pytest.fixture(scope="module")
def without() -> dict[str, pd.DataFrame]:
    return {preset: run_scenario(scenario(preset, [])).provinces for preset in ("core_periphery", "footloose_capital")}


@pytest.mark.parametrize("preset", ["core_periphery", "footloose_capital"])
@pytest.mark.parametrize("case", list(SPECS))
def test_an_instrument_acts_or_is_refused_with_the_reason(preset, case, without):
    policies = SPECS[case]
    try:
        result = run_scenario(scenario(preset, policies))
    except UserError as exc:
        # The first instrument it cannot answer (a programme's zone, before the programme) is named.
        assert f"policies[0]: the {preset} preset has no" in str(exc) and "would change nothing" in str(exc)
        return
    if (preset, case) in NEUTRAL_UNDER_FREE_ENTRY:
        # Free entry leaves no profit to tax: the run is the same, and so are its zero profits.
        assert changes(result.provinces, without[preset]) == 0.0
        eq = result.model.equilibrium
        assert np.all(np.abs(eq.firm_profit) < 1e-9 * eq.firm_revenue)
        return
    assert changes(result.provinces, without[preset]) > 0, f"{case} was accepted by {preset} and changed nothing"


def test_the_instruments_the_textbook_models_can_answer():
    """What each preset accepts: trade costs and profit taxes in both, migration quotas where workers move."""

    def accepted(preset: str, case: str) -> bool:
        try:
            run_scenario(scenario(preset, SPECS[case]) | {"run": {"years": 0.25}})
        except UserError:
            return False
        return True

    assert {case for case in SPECS if accepted("core_periphery", case)} == {
        "corridor_upgrade",
        "border_facilitation",
        "migration_regime",
        "corporate_tax",
    }
    assert {case for case in SPECS if accepted("footloose_capital", case)} == {
        "corridor_upgrade",
        "border_facilitation",
        "corporate_tax",
    }


@pytest.mark.parametrize("preset", ["gms", "core_periphery", "footloose_capital"])
def test_an_upgrade_that_changes_no_cost_changes_nothing(preset):
    """A link or crossing instrument at its neutral setting leaves every preset's run as it was, bit for bit.

    The textbook presets built their market as if trade were free and learned the line's distances only when an
    instrument changed a link, so even a neutral one moved 300,000 people.
    """
    base = run_scenario(scenario(preset, [])).provinces
    for policy in (
        {"type": "corridor_upgrade", "corridor": "LINE", "quality": 1.0},
        {"type": "border_facilitation", "factor": 1.0},
    ):
        assert changes(run_scenario(scenario(preset, [policy])).provinces, base) == 0.0, policy["type"]


def test_the_core_periphery_model_trades_at_the_lines_distances():
    """At the start, with workers spread evenly, the line's ends reach fewer buyers and pay the lowest real wage."""
    start = lambda economy: run_scenario(  # noqa: E731
        scenario("core_periphery", []) | {"economy": {"preset": "core_periphery", **economy}, "run": {"years": 0.25}}
    ).provinces.query("step == 0")
    real_wage = start({})["real_wage_m"].to_numpy()
    assert real_wage[0] < real_wage[2] and real_wage[-1] < real_wage[3]
    assert np.ptp(start({"kappa": 0.0})["real_wage_m"].to_numpy()) < 1e-12 * real_wage.mean()


def test_refusals_on_regions_whose_freeness_is_given():
    for policy in ({"type": "corridor_upgrade", "links": [["R1", "R2"]]}, {"type": "border_facilitation"}):
        with pytest.raises(UserError, match=r"policies\[0\]\.type: this geography gives the freeness"):
            run_scenario(scenario("core_periphery", [policy], {"kind": "two_region", "freeness": 0.4}))


def test_a_comparison_of_textbook_economies_counts_money_in_model_units(tmp_path):
    """GDP in model units (it read "US$ bn +0.0000000"), and no public ledger: no instrument with a cost can act."""
    import os
    import subprocess
    import sys

    import yaml

    files = []
    for name, policies in (("a", []), ("b", [{"type": "border_facilitation", "factor": 0.2}])):
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(yaml.safe_dump(scenario("core_periphery", policies) | {"name": name}))
    out = tmp_path / "out"
    argv = [*map(str, files), "--replicates", "2", "--years", "2", "--workers", "1", "--out", str(out)]
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", "compare", *argv],
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "200"},
    )
    assert proc.returncode == 0, proc.stderr
    units = pd.read_parquet(out / "differences.parquet").set_index("outcome")["unit"]
    assert units["gdp"] == "model units" and units["real_income"] == "model units"
    assert "US$" not in proc.stdout and "public ledger" not in proc.stdout.lower()
    assert "border_gdp_share" in proc.stdout


@pytest.mark.parametrize(("crossing_cost_km", "cores"), [(0.0, ["P03"]), (1000.0, ["P04", "P01"])])
def test_on_a_line_the_core_forms_where_market_access_is_best(crossing_cost_km, cores):
    """Core-periphery on seven provinces 800 km apart, A on the left three, B on the right four.

    Without a border cost the whole modern sector gathers in the middle province, the best placed for every market.
    A costly crossing splits the line into two markets: each country gets a core at its own centre, B's (the larger
    market) the larger. So the textbook model on a geography answers where, not only whether, activity gathers.
    """
    economy = {"preset": "core_periphery", "crossing_cost_km": crossing_cost_km}
    result = run_scenario(
        scenario("core_periphery", [], {"kind": "line", "n": 7, "spacing_km": 800})
        | {"economy": economy, "run": {"years": 40, "seed": 1}}
    )
    end = result.provinces.query(f"step == {result.provinces.step.max()}").set_index("province_id")["workers_m"]
    share = end / end.sum()
    assert list(share[share > 0.01].sort_values(ascending=False).index) == cores  # the larger first
    assert share[cores].sum() == pytest.approx(1.0, abs=0.01)
