"""sez-sim run end to end: tables, manifest, figures, reproducibility, atomic writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from threadpoolctl import threadpool_info

from sez_sim import allocator as allocator_module
from sez_sim import run_scenario
from sez_sim.errors import ScenarioError
from sez_sim.results import PANEL_COLUMNS, SUMMARY_COLUMNS, significant
from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios/gms_baseline.yaml"
LINE = ROOT / "scenarios/teaching/line_corridor.yaml"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "baseline"
    result = run_scenario(BASELINE, seed=2, overrides={"run.years": 1}, out=out)
    return result, out


def test_outputs_exist_with_their_columns(written):
    result, out = written
    assert result.folder == out
    for name in (
        "provinces.parquet",
        "summary.parquet",
        "migration.parquet",
        "zones.parquet",
        "zones_summary.csv",
        "ledger.csv",
        "manifest.json",
    ):
        assert (out / name).is_file(), name
    provinces = pd.read_parquet(out / "provinces.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    migration = pd.read_parquet(out / "migration.parquet")
    assert list(provinces.columns) == list(PANEL_COLUMNS)
    assert set(SUMMARY_COLUMNS) <= set(summary.columns)
    assert {
        "step",
        "year",
        "population",
        "gdp",
        "gini",
        "theil_t",
        "theil_t_between",
        "theil_t_within",
        "theil_l",
        "williamson",
        "capital_gdp_share",
        "border_gdp_share",
        "firms",
        "firms_foreign",
        "cross_border_migrants",
    } <= set(summary.columns)
    assert len(provinces) == 228 * 5 and len(summary) == 5
    assert {"year", "origin_id", "destination_id", "persons"} <= set(migration.columns)
    assert migration["persons"].sum() == pytest.approx(summary["migrants"].sum())
    pd.testing.assert_frame_equal(provinces, result.provinces)


def test_manifest_records_what_produced_the_run(written):
    result, out = written
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2 and manifest["scenario"]["name"] == "gms_baseline"
    assert manifest["scenario"]["run"]["years"] == 1
    assert len(manifest["scenario_hash"]) == 64 and manifest["scenario_hash"] == result.scenario.digest()
    assert {"mesa", "numpy", "pandas", "python", "sez-sim"} <= set(manifest["versions"])
    assert {"system", "machine", "cpus"} <= set(manifest["platform"])
    assert {"build", "simulate", "write"} <= set(manifest["timings_seconds"])
    assert "git_commit" in manifest and manifest["random_streams"]["spawned"]
    # Whether the code differs from that commit: edits not yet committed are what the commit alone cannot reproduce.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", "."],
        cwd=ROOT / "src" / "sez_sim",
        capture_output=True,
        text=True,
        check=False,
    )
    assert manifest["git_dirty"] is (bool(status.stdout.strip()) if status.returncode == 0 else None)
    assert manifest["calibration"]["steady_state_rounds"] == manifest["calibration"]["steady_state_rounds_planned"]
    assert 0 <= manifest["calibration"]["gap"] < 1e-9  # how closely the t = 0 economy reproduces the data


def test_figures_are_written(written):
    _, out = written
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures == ["gdp_per_capita_change_map.png", "inequality.png", "migration_map.png", "zone_occupancy.png"]
    for name in figures:
        assert (out / "figures" / name).read_bytes()[:4] == b"\x89PNG"


def test_same_seed_same_tables_and_different_seed_different(tmp_path):
    a = run_scenario(LINE, seed=5, overrides={"run.years": 2}, out=tmp_path / "a", figures=False)
    run_scenario(LINE, seed=5, overrides={"run.years": 2}, out=tmp_path / "b", figures=False)
    for name in ("provinces", "summary", "migration", "zones"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "a" / f"{name}.parquet"), pd.read_parquet(tmp_path / "b" / f"{name}.parquet")
        )
    c = run_scenario(LINE, seed=6, overrides={"run.years": 2})
    assert not a.provinces.equals(c.provinces)


def test_out_none_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_scenario(LINE, seed=1, overrides={"run.years": 1})
    assert result.folder is None and not any(tmp_path.iterdir())
    assert result.manifest["seed"] == 1


def test_a_killed_run_leaves_no_complete_looking_folder(tmp_path):
    target = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sez_sim", "run", str(BASELINE), "--out", str(target), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while not list(tmp_path.glob(".killed.*.part")) and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)  # part-way through its 80 steps
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert leftovers and all(name.startswith(".killed.") and name.endswith(".part") for name in leftovers)


def test_cli_run_prints_the_folder_and_a_headline_table(tmp_path):
    out = tmp_path / "cli"
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", "run", str(LINE), "--years", "1", "--out", str(out), "--seed", "3"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout and "GDP per capita" in proc.stdout and "Theil T between" in proc.stdout
    assert "steps" not in proc.stdout  # no progress bar without a terminal
    assert "-0.0000" not in proc.stdout  # equal provinces: Theil within countries is 0 up to rounding, shown as 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3


def test_the_headline_shows_the_jobs_in_the_zones_the_scenarios_policies_open(tmp_path):
    """Beside every zone's total, the scenario's own zones: their jobs against their capacity at the end."""
    from rich.console import Console

    from sez_sim.cli import headline_table
    from sez_sim.runs import run_scenario

    result = run_scenario(LINE, seed=1, years=6)
    console = Console(width=160, record=True)
    console.print(headline_table(result))
    rows = {line.split("│")[1].strip(): line for line in console.export_text().splitlines() if line.count("│") > 3}
    zones = result.zones
    end = zones[(zones["step"] == zones["step"].max()) & (zones["origin"] == "policy")]
    assert len(end) == 1 and end["jobs"].iat[0] > 0  # the corridor's zone fills (its description)
    shown = f"{end['jobs'].iat[0]:,.0f} of {end['capacity_jobs'].iat[0]:,.0f}"
    assert shown in rows["in the 1 zone(s) its policies open"]
    summary = result.summary  # the corridor's firms pay the country rate, 20%, but in the zone (a holiday): below
    rate = summary["profit_tax"].sum() / summary["taxable_profit"].sum()
    assert 0.15 < rate < 0.2 and f"{rate:.1%}" in rows["on their taxable profit (run)"]
    baseline = run_scenario(ROOT / "scenarios/gms_baseline.yaml", seed=1, years=0.25)
    console = Console(width=160, record=True)
    console.print(headline_table(baseline))
    assert "its policies open" not in console.export_text()  # no policy opens a zone: no row


def test_the_headline_gives_a_textbook_runs_profit_tax_in_model_units_and_no_zone_ledger():
    """A regional subsidy in the footloose-capital model: its firms' profit tax is negative, in model units as its
    GDP (not "US$ m -0.0"), at an effective rate between the subsidised region's -10% and the other's 0; no zone
    rows, since the textbook presets have no zones."""
    from rich.console import Console

    from sez_sim.cli import headline_table

    result = run_scenario(ROOT / "scenarios/textbook/regional_subsidy.yaml", seed=1, years=2)
    console = Console(width=160, record=True)
    console.print(headline_table(result))
    text = console.export_text()
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") > 3}
    tax = result.summary["profit_tax"].sum()
    assert tax < 0 and significant(tax) in rows["profit tax of all firms, model units (run)"]
    rate = tax / result.summary["taxable_profit"].sum()
    assert -0.1 < rate < 0 and f"{rate:.1%}" in rows["on their taxable profit (run)"]
    assert "US$" not in text


def test_the_headline_shows_small_changes_and_only_the_shares_a_geography_has():
    """A change of an index keeps two significant digits; a geography without a capital has no capitals' share."""
    from rich.console import Console

    from sez_sim.cli import headline_table
    from sez_sim.results import significant
    from sez_sim.runs import run_scenario

    result = run_scenario(LINE, seed=1, years=6)
    console = Console(width=160, record=True)
    console.print(headline_table(result))
    text = console.export_text()
    rows = {line.split("│")[1].strip(): line.split("│")[4].strip() for line in text.splitlines() if line.count("│") > 3}
    s = result.summary
    change = s["theil_t_between"].iat[-1] - s["theil_t_between"].iat[0]
    assert 0 < abs(change) < 5e-5  # the corridor's two countries drift apart a little: once shown as +0.0000
    assert rows["Theil T between countries"] == significant(change, 2, signed=True)
    assert not result.model.recorder.capital.any() and "capitals' GDP share" not in rows
    assert "border provinces' GDP share" in rows
    gms = run_scenario(ROOT / "scenarios/gms_baseline.yaml", seed=1, years=0.25)
    console = Console(width=160, record=True)
    console.print(headline_table(gms))
    assert "capitals' GDP share" in console.export_text()


def test_a_textbook_run_reports_gdp_in_model_units(tmp_path):
    """The textbook presets' GDP is in model units; in US$ bn their headline read "0.0" (docs/ODD.md 5)."""
    scenario = ROOT / "scenarios/textbook/core_periphery.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", "run", str(scenario), "--years", "1", "--out", str(tmp_path / "cp")],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "GDP (model units)" in proc.stdout and "GDP per million persons (model units)" in proc.stdout
    assert "US$ bn" not in proc.stdout and "GDP per capita (US$)" not in proc.stdout


def test_default_folder_is_under_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", "run", str(LINE), "--years", "1", "--quiet", "--no-figures"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    runs = list((tmp_path / "results" / "line_corridor").iterdir())
    assert len(runs) == 1 and runs[0].name.endswith("-s1")


def test_progress_callback_sees_every_step():
    seen = []
    run_scenario(LINE, overrides={"run.years": 1}, progress=lambda step, total: seen.append((step, total)))
    assert seen == [(k, 4) for k in range(1, 5)]


def test_a_run_uses_one_blas_thread_unless_asked_for_more(monkeypatch):
    """The model's matrices are small: BLAS threads only contend (src/sez_sim/blas.py)."""
    seen = []

    def record(step, total):
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})

    scenario = load_scenario(LINE)
    result = simulate(scenario, years=0.25, progress=record)
    assert seen and all(threads == {1} for threads in seen)
    assert result.manifest["timings_seconds"]["blas_threads"] == 1
    monkeypatch.setenv("SEZ_SIM_BLAS_THREADS", "2")
    simulate(scenario, years=0.25, progress=record)
    assert seen[-1] == {2}
    monkeypatch.setenv("SEZ_SIM_BLAS_THREADS", "auto")
    assert simulate(scenario, years=0.25).manifest["timings_seconds"]["blas_threads"] == "auto"
    monkeypatch.setenv("SEZ_SIM_BLAS_THREADS", "many")
    with pytest.raises(ScenarioError, match="SEZ_SIM_BLAS_THREADS"):
        simulate(scenario, years=0.25)


REUSE = """
import json, resource, sys
import numpy as np
from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario

state = simulate(load_scenario(sys.argv[1]), years=0.25).manifest["timings_seconds"]["allocator"]
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):  # a step's pattern: several per-agent arrays made, then dropped together
    arrays = [np.ones(300_000 + 1_000 * k) for k in range(6)]
    del arrays
print(json.dumps([state, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before]))
"""


def reuse_faults(allocator: str) -> tuple[str, int]:
    """The allocator a run reports and the page faults of making and dropping 2.4 MB arrays afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    done = subprocess.run(
        [sys.executable, "-c", REUSE, str(LINE)],
        env={**env, "SEZ_SIM_ALLOCATOR": allocator},
        capture_output=True,
        text=True,
        check=True,
    )
    state, faults = json.loads(done.stdout.splitlines()[-1])
    return state, faults


@pytest.mark.skipif(not allocator_module._glibc(), reason="the thresholds are glibc's")
def test_after_a_model_is_built_freed_arrays_are_reused_not_mapped_afresh():
    """src/sez_sim/allocator.py: a new process works as a warm one (glibc's thresholds set from the start)."""
    tuned, tuned_faults = reuse_faults("tuned")
    default, default_faults = reuse_faults("default")
    assert (tuned, default) == ("tuned", "default")
    pages = 20 * 6 * 300_000 * 8 // 4096
    assert default_faults > pages / 2  # without the thresholds nearly every page comes fresh from the kernel
    assert tuned_faults < default_faults / 5


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"SEZ_SIM_ALLOCATOR": "tuned"}, None),
        ({"SEZ_SIM_ALLOCATOR": " Default "}, "default"),
        ({"MALLOC_TRIM_THRESHOLD_": "0"}, "user"),
        ({"MALLOC_MMAP_THRESHOLD_": "65536", "SEZ_SIM_ALLOCATOR": "tuned"}, "user"),
        ({"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=65536"}, "user"),
        ({"GLIBC_TUNABLES": "glibc.rtld.optional_static_tls=2048"}, None),
        ({"SEZ_SIM_ALLOCATOR": "default", "MALLOC_TOP_PAD_": "0"}, "default"),
    ],
)
def test_the_allocator_is_left_alone_where_the_user_chose(environ, expected):
    assert allocator_module.choice(environ) == expected


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [("SEZ_SIM_ALLOCATOR", "fast", "give tuned or default"), ("SEZ_SIM_BLAS_THREADS", "0", "positive number")],
)
def test_a_bad_environment_variable_stops_a_run_by_name(variable, value, allowed, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", "run", str(LINE), "--quiet", "--out", str(tmp_path / "out")],
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"environment variable {variable}" in proc.stderr and allowed in proc.stderr, proc.stderr
    assert not list(tmp_path.iterdir())


def test_a_bad_allocator_setting_is_refused_by_name():
    with pytest.raises(ScenarioError, match="SEZ_SIM_ALLOCATOR='fast': give tuned or default"):
        allocator_module.choice({"SEZ_SIM_ALLOCATOR": "fast"})
