"""The command line: version, module entry point, user errors give exit code 2 and no traceback."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from sez_sim import __version__
from sez_sim.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_works():
    proc = subprocess.run([sys.executable, "-m", "sez_sim", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in proc.stdout


def test_network_map_is_written(tmp_path):
    target = tmp_path / "net.png"
    result = runner.invoke(app, ["network", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*part"))  # the temporary file was renamed, not left behind


def test_bad_dataset_folder_is_exit_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sez_sim",
            "network",
            "--data",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "x.png"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "dataset folder not found" in proc.stderr and "Traceback" not in proc.stderr
