"""Scenario discovery on a finished batch: PRIM's box per lever setting, where the cases are, and bad requests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from sez_sim.cli import app
from sez_sim.errors import ScenarioError
from sez_sim.experiments.discovery import discover

KAPPA, CONGESTION = (1e-4, 9e-4), (0.1, 0.6)


def batch_folder(folder: Path, runs_per_setting: int = 200, design: str = "lhs") -> Path:
    """A batch whose outcome is low where kappa is in its lowest 30% (no bonus) or congestion in its top 30% (bonus).

    Half of the other runs are low too only by chance in no corner: the boxes must find the corners.
    """
    experiment = {
        "name": "synthetic",
        "base": "nowhere.yaml",  # discovery reads the stored file only; the base is not loaded
        "factors": [
            {"key": "economy.kappa", "range": list(KAPPA)},
            {"key": "sez.duty_bonus", "values": [0.0, 0.1]},
            {"key": "workers.congestion", "range": list(CONGESTION)},
        ],
        "design": design,
        "samples": runs_per_setting,
        "outcomes": [{"name": "jobs", "column": "zone_jobs"}, {"name": "gdp", "column": "gdp"}],
    }
    rng = np.random.default_rng(3)
    u = rng.uniform(0, 1, (runs_per_setting, 2))
    rows = []
    for bonus in (0.0, 0.1):
        low = u[:, 0] < 0.3 if bonus == 0.0 else u[:, 1] > 0.7
        for k in range(runs_per_setting):
            rows.append(
                {
                    "point": len(rows),
                    "status": "ok",
                    "factor:economy.kappa": KAPPA[0] + u[k, 0] * (KAPPA[1] - KAPPA[0]),
                    "factor:sez.duty_bonus": bonus,
                    "factor:workers.congestion": CONGESTION[0] + u[k, 1] * (CONGESTION[1] - CONGESTION[0]),
                    "jobs": 100.0 if low[k] else 5000.0 + k,
                    "gdp": 1.0,
                }
            )
    rows.append(rows[0] | {"status": "failed", "jobs": np.nan})  # a failed run is left out
    folder.mkdir()
    (folder / "experiment.yaml").write_text(yaml.safe_dump(experiment))
    pd.DataFrame(rows).to_parquet(folder / "runs.parquet")
    return folder


def test_each_lever_setting_gets_the_box_where_its_cases_are(tmp_path):
    folder = batch_folder(tmp_path / "batch")
    answer = discover(folder, "jobs", below=1000)
    assert answer["condition"] == "below 1000" and answer["factors"] == ["economy.kappa", "workers.congestion"]
    without, with_bonus = answer["settings"]
    assert without["levers"] == {"sez.duty_bonus": 0.0} and with_bonus["levers"] == {"sez.duty_bonus": 0.1}
    assert without["runs"] == with_bonus["runs"] == 200
    kappa_cut = KAPPA[0] + 0.3 * (KAPPA[1] - KAPPA[0])
    congestion_cut = CONGESTION[0] + 0.7 * (CONGESTION[1] - CONGESTION[0])
    (name, limits), *others = without["box"]["restrictions"].items()
    assert name == "economy.kappa" and not others and limits["reproducible"]
    assert limits["high"] == pytest.approx(kappa_cut, rel=0.05)
    (name, limits), *others = with_bonus["box"]["restrictions"].items()
    assert name == "workers.congestion" and not others and limits["reproducible"]
    assert limits["low"] == pytest.approx(congestion_cut, rel=0.05)
    for setting in answer["settings"]:
        assert setting["box"]["coverage"] >= 0.9 and setting["box"]["density"] >= 0.9
    assert json.loads((folder / "discovery_jobs.json").read_text()) == json.loads(json.dumps(answer))


def test_a_setting_with_no_case_or_only_cases_has_no_box(tmp_path):
    folder = batch_folder(tmp_path / "batch")
    none = discover(folder, "jobs", below=50)
    assert all(s["box"] is None and s["note"] == "no run is below 50" for s in none["settings"])
    every = discover(folder, "gdp", above=0.5)
    assert all(s["box"] is None and s["note"] == "every run is above 0.5" for s in every["settings"])


def test_a_grid_is_searched_over_its_numeric_factors(tmp_path):
    folder = batch_folder(tmp_path / "batch")
    spec = yaml.safe_load((folder / "experiment.yaml").read_text())
    spec.update(design="grid", samples=None)
    spec["factors"] = [f | ({"levels": 3} if "range" in f else {}) for f in spec["factors"]]
    (folder / "experiment.yaml").write_text(yaml.safe_dump(spec))
    answer = discover(folder, "jobs", below=1000)
    assert answer["factors"] == ["economy.kappa", "sez.duty_bonus", "workers.congestion"]
    assert len(answer["settings"]) == 1 and answer["settings"][0]["runs"] == 400


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["jobs"], "give one threshold"),
        (["jobs", "--below", "1", "--above", "2"], "give one threshold"),
        (["nothing", "--below", "1"], "unknown outcome 'nothing'"),
    ],
)
def test_a_bad_request_is_refused_in_one_line(tmp_path, args, says):
    folder = batch_folder(tmp_path / "batch")
    result = CliRunner().invoke(app, ["discover", str(folder), *args])
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output
    assert not list(folder.glob("discovery_*"))


def test_a_batch_without_a_finished_run_is_told_so(tmp_path):
    folder = batch_folder(tmp_path / "batch")
    runs = pd.read_parquet(folder / "runs.parquet").assign(status="failed")
    runs.to_parquet(folder / "runs.parquet")
    result = CliRunner().invoke(app, ["discover", str(folder), "jobs", "--below", "1"])
    assert result.exit_code == 2 and "no finished run" in result.output and "Traceback" not in result.output


def test_a_folder_without_a_batch_is_named(tmp_path):
    with pytest.raises(ScenarioError, match="not the folder of a finished batch"):
        discover(tmp_path, "jobs", below=1)
    result = CliRunner().invoke(app, ["discover", str(tmp_path), "jobs", "--below", "1"])
    assert result.exit_code == 2 and str(tmp_path) in result.output


def test_the_command_prints_each_settings_box(tmp_path):
    folder = batch_folder(tmp_path / "batch")
    result = CliRunner().invoke(app, ["discover", str(folder), "jobs", "--below", "1000"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    runs = pd.read_parquet(folder / "runs.parquet")
    cases = int(((runs["status"] == "ok") & (runs["factor:sez.duty_bonus"] == 0.0) & (runs["jobs"] < 1000)).sum())
    assert f"jobs below 1000 with sez.duty_bonus = 0.0: {cases} of 200 runs" in text
    assert "economy.kappa in [" in text and "(reproducible)" in text
    assert "jobs below 1000 with sez.duty_bonus = 0.1:" in text and "workers.congestion in [" in text


def test_the_figure_shows_each_settings_cases_and_box(tmp_path, monkeypatch):
    from matplotlib.patches import Rectangle

    from sez_sim.viz import experiments

    drawn = []
    monkeypatch.setattr(experiments, "save_png", lambda fig, path: drawn.append((fig, path)))
    folder = batch_folder(tmp_path / "batch")
    answer = discover(folder, "jobs", below=1000)
    ((fig, path),) = drawn
    assert path == folder / "figures" / "discovery_jobs.png"
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [
        f"duty_bonus={s['levers']['sez.duty_bonus']}: {s['cases']} of {s['runs']}" for s in answer["settings"]
    ]
    for ax, setting in zip(panels, answer["settings"], strict=True):
        others, cases = ax.collections
        assert len(cases.get_offsets()) == setting["cases"] and len(others.get_offsets()) == 200 - setting["cases"]
        (box,) = [p for p in ax.patches if isinstance(p, Rectangle)]
        (name, limits), *_ = setting["box"]["restrictions"].items()
        low, high = (box.get_x(), box.get_x() + box.get_width())
        if ax.get_ylabel() == name:
            low, high = (box.get_y(), box.get_y() + box.get_height())
        assert (low, high) == pytest.approx((limits["low"], limits["high"]))
