"""Faults survived: a Dask worker killed mid-batch, Ctrl-C in a run or a batch, two runs at once, a century-long
run (docs/ODD.md sections 5 and 8)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from cluster import dask_cluster

from sez_sim.experiments import load_experiment, run_batch
from sez_sim.scenario import load_scenario

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
LINE = ROOT / "scenarios/teaching/line_corridor.yaml"


def sez_sim(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sez_sim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd
    )


def experiment(tmp_path: Path, values: list[int], years: float = 2) -> Path:
    spec = {
        "name": "faults",
        "base": str(LINE),
        "years": years,
        "factors": [{"key": "policies.0.capacity_jobs", "values": values}],
        "outcomes": [{"name": "gdp", "column": "gdp"}],
    }
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


def records(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (folder / "runs").glob("*.json")}


def test_a_dask_worker_killed_mid_batch_loses_no_run_and_stores_none_twice(tmp_path):
    # Also the batch on an existing scheduler: its results equal the local processes' run for run.
    path = experiment(tmp_path, [5000, 10000, 20000, 30000, 40000, 50000], years=3)
    out = tmp_path / "remote"
    with dask_cluster(2, nanny=False) as (address, workers):
        batch = sez_sim("batch", str(path), "--scheduler", address, "--out", str(out), "--quiet")
        wait_for(lambda: len(list((out / "runs").glob("*.json"))) >= 1)
        victim = workers[0]
        os.kill(victim.pid, signal.SIGKILL)  # its running task is lost with it; Dask reruns it on the other worker
        victim.wait()
        stdout, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr
    stored = records(out)
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(stored) == len(runs) == 6 and set(stored) == set(runs["key"])
    assert all(r["status"] == "ok" for r in stored.values())
    local = run_batch(load_experiment(path), tmp_path / "local", workers=2)
    pd.testing.assert_frame_equal(runs.drop(columns=["seconds"]), local.runs.drop(columns=["seconds"]))


def test_ctrl_c_in_a_run_exits_130_and_leaves_nothing_complete_looking(tmp_path):
    target = tmp_path / "run"
    # 200 years step for about 5 s: the interrupt lands in the run (40 years could finish within the second).
    proc = sez_sim("run", str(LINE), "--years", "200", "--out", str(target), "--quiet")
    wait_for(lambda: any(tmp_path.glob(".run.*.part")))  # the run is under way in its temporary folder
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert not target.exists() and not list(tmp_path.glob(".run.*"))


def test_ctrl_c_in_a_batch_exits_130_and_the_batch_resumes(tmp_path):
    path = experiment(tmp_path, [5000, 10000, 20000, 30000, 40000, 50000])
    out = tmp_path / "batch"
    proc = sez_sim("batch", str(path), "--out", str(out), "--workers", "2", "--quiet")
    wait_for(lambda: len(list((out / "runs").glob("*.json"))) >= 2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert not (out / "runs.parquet").exists()  # not complete-looking
    finished = records(out)
    assert 2 <= len(finished) < 6
    resumed = sez_sim("batch", str(path), "--out", str(out), "--workers", "2", "--quiet")
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    assert f"{6 - len(finished)} run(s) done, {len(finished)} already finished" in " ".join(stdout.split())
    whole = run_batch(load_experiment(path), tmp_path / "whole", workers=2)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs.parquet").drop(columns=["seconds"]), whole.runs.drop(columns=["seconds"])
    )


def test_two_runs_started_at_once_write_separate_default_folders(tmp_path):
    procs = [sez_sim("run", str(LINE), "--years", "1", "--quiet", "--no-figures", cwd=tmp_path) for _ in range(2)]
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
    folders = sorted((tmp_path / "results" / "line_corridor").iterdir())
    assert len(folders) == 2
    for folder in folders:
        assert (folder / "manifest.json").exists() and (folder / "provinces.parquet").exists()
    frames = [pd.read_parquet(f / "summary.parquet") for f in folders]
    pd.testing.assert_frame_equal(*frames)  # same scenario and seed: the same run, twice, neither lost


def test_a_century_long_baseline_conserves_population_and_stays_finite():
    # Yearly steps: a century is 100 of them.
    scenario = load_scenario(
        ROOT / "scenarios/gms_baseline.yaml", ["agents.persons_per_agent=4000", "run.steps_per_year=1"]
    )
    model = scenario.model(3)
    start = model.accounts["population"].sum()
    for _ in range(model.calendar.steps(100)):
        model.step()
    panel = model.recorder.provinces()
    numbers = panel.select_dtypes("number").to_numpy(float)
    assert np.isfinite(numbers).all()
    by_step = panel.groupby("step")["population"].sum().to_numpy()
    assert np.all(by_step == start)  # people move, none appear or vanish
    assert (panel[["population", "workers_m", "workers_a", "firms", "gdp"]] >= 0).all().all()
