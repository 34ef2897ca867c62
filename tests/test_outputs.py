"""Every command that writes keeps what it did not write: sentinels in output folders, empty and bad paths."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from sez_sim import run_scenario
from sez_sim.cli import app
from sez_sim.errors import UserError
from sez_sim.io import MARKER

ROOT = Path(__file__).resolve().parent.parent
LINE = ROOT / "scenarios/teaching/line_corridor.yaml"
SENTINEL = "my_notes.txt"


def experiment(tmp_path: Path) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"name: sweep\nbase: {LINE}\nfactors: [{{key: policies.0.capacity_jobs, values: [10000]}}]\nyears: 0.5\n"
    )
    return path


def args(command: str, tmp_path: Path, out: str) -> list[str]:
    """The command line of each command that writes, aimed at ``out``."""
    if command == "run":
        return ["run", str(LINE), "--years", "0.5", "--quiet", "--no-figures", "--out", out]
    if command == "compare":
        return ["compare", str(LINE), str(LINE), "--replicates", "1", "--years", "0.5", "--workers", "1", "--out", out]
    if command == "batch":
        return ["batch", str(experiment(tmp_path)), "--workers", "1", "--quiet", "--out", out]
    return ["network", "--out", out]


def sez_sim(*argv: str, cwd: Path | None = None) -> SimpleNamespace:
    """The command run as ``sez-sim`` runs it, in this process (a new interpreter spends 2-3 s importing; what a
    process adds, exit codes and no traceback, is tested on the real command in test_bad_inputs and test_faults)."""
    with contextlib.chdir(cwd or Path.cwd()):
        result = CliRunner().invoke(app, list(argv), prog_name="sez-sim")
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


FOLDER_COMMANDS = ["run", "compare", "batch"]


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_a_folder_with_other_files_is_refused_and_kept(command, tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / SENTINEL).write_text("keep me")
    (target / "summary.parquet").write_text("not sez-sim's")
    proc = sez_sim(*args(command, tmp_path, str(target)))
    assert proc.returncode == 2, proc.stderr
    assert str(target) in proc.stderr and "did not write" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in target.iterdir()) == [SENTINEL, "summary.parquet"]
    assert (target / SENTINEL).read_text() == "keep me"
    assert (target / "summary.parquet").read_text() == "not sez-sim's"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_a_rerun_into_its_own_folder_replaces_its_files_and_keeps_the_users(command, tmp_path):
    target = tmp_path / "out"
    first = sez_sim(*args(command, tmp_path, str(target)))
    assert first.returncode == 0, first.stderr
    own = json.loads((target / MARKER).read_text())
    assert own["kind"] == {"run": "run", "compare": "comparison", "batch": "batch"}[command] and own["files"]
    (target / SENTINEL).write_text("keep me")
    (target / "figures").mkdir(exist_ok=True)
    (target / "figures" / SENTINEL).write_text("keep me too")
    second = sez_sim(*args(command, tmp_path, str(target)))
    assert second.returncode == 0, second.stderr
    assert (target / SENTINEL).read_text() == "keep me"
    assert (target / "figures" / SENTINEL).read_text() == "keep me too"
    assert json.loads((target / MARKER).read_text())["kind"] == own["kind"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_output_of_another_kind_is_refused(tmp_path):
    target = tmp_path / "a_run"
    assert sez_sim(*args("run", tmp_path, str(target))).returncode == 0
    before = sorted(p.name for p in target.iterdir())
    proc = sez_sim(*args("batch", tmp_path, str(target)))
    assert proc.returncode == 2 and "holds the run output" in proc.stderr
    assert sorted(p.name for p in target.iterdir()) == before


@pytest.mark.parametrize("command", [*FOLDER_COMMANDS, "network"])
def test_an_empty_out_is_refused(command, tmp_path):
    (tmp_path / SENTINEL).write_text("keep me")
    proc = sez_sim(*args(command, tmp_path, ""), cwd=tmp_path)
    assert proc.returncode == 2 and "empty path" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([SENTINEL, *(["sweep.yaml"] * (command == "batch"))])


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_the_current_folder_and_a_file_are_refused(command, tmp_path):
    (tmp_path / SENTINEL).write_text("keep me")
    proc = sez_sim(*args(command, tmp_path, "."), cwd=tmp_path)
    assert proc.returncode == 2 and "current folder" in proc.stderr
    proc = sez_sim(*args(command, tmp_path, str(tmp_path / SENTINEL)))
    assert proc.returncode == 2 and "is a file" in proc.stderr
    assert (tmp_path / SENTINEL).read_text() == "keep me"


def test_network_never_overwrites_a_file_it_did_not_write(tmp_path):
    target = tmp_path / "map.png"
    target.write_bytes(b"\x89PNG\r\n\x1a\n someone else's picture")
    proc = sez_sim("network", "--out", str(target))
    assert proc.returncode == 2 and "not written by sez-sim" in proc.stderr
    assert target.read_bytes().endswith(b"someone else's picture")
    mine = tmp_path / "mine.png"
    assert sez_sim("network", "--out", str(mine)).returncode == 0
    first = mine.stat().st_mtime_ns
    assert sez_sim("network", "--out", str(mine)).returncode == 0  # its own figure: replaced
    assert mine.stat().st_mtime_ns >= first and mine.read_bytes()[:4] == b"\x89PNG"


def test_the_python_api_follows_the_same_rules(tmp_path):
    target = tmp_path / "api"
    target.mkdir()
    (target / SENTINEL).write_text("keep me")
    with pytest.raises(UserError, match="did not write"):
        run_scenario(LINE, years=0.5, out=target, figures=False)
    assert [p.name for p in target.iterdir()] == [SENTINEL]
    fresh = tmp_path / "fresh"
    run_scenario(LINE, years=0.5, out=fresh, figures=False)
    (fresh / SENTINEL).write_text("keep me")
    result = run_scenario(LINE, seed=9, years=0.5, out=fresh, figures=False)
    assert (fresh / SENTINEL).read_text() == "keep me"
    assert json.loads((fresh / "manifest.json").read_text())["seed"] == 9 == result.manifest["seed"]


def test_outputs_get_the_permissions_of_ordinary_files(tmp_path):
    """Written through temporary files and folders (private by default), outputs still follow the umask."""
    old = os.umask(0o022)
    try:
        out = tmp_path / "shared"
        run_scenario(LINE, years=0.5, out=out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in files) and any(p.suffix == ".parquet" for p in files)
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_dir()} == {0o755}
