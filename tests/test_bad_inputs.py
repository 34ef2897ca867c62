"""Every way in refuses bad input the same way: exit code 2, a message naming the place, no traceback, nothing
written (the corpus is :mod:`bad_inputs`; docs/ODD.md section 8 on inputs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bad_inputs import Case, all_cases
from typer.testing import CliRunner

from sez_sim.cli import app
from sez_sim.experiments import executors

CASES = all_cases()
SECONDS = 60
"""Longest a refusal may take (the slowest is waiting for a Dask scheduler that is not there)."""


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_the_corpus_covers_every_way_in():
    kinds = {c.id.split("/")[0] for c in CASES}
    assert {"scenario", "scenario-gms", "yaml", "path", "flag-run", "flag-compare", "flag-batch"} <= kinds
    assert {"experiment", "dataset", "dataset-scenario"} <= kinds
    assert len(CASES) > 250 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.timeout(SECONDS)  # a hang is a failure
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_is_refused_with_a_clear_message(case: Case, tmp_path, monkeypatch):
    argv = case.materialise(tmp_path)
    before = files_in(tmp_path)
    monkeypatch.chdir(tmp_path)  # a default results/ folder would appear here
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)  # a scheduler that is not there is not waited for 10 s
    result = CliRunner().invoke(app, argv)
    text = result.output
    assert isinstance(result.exception, SystemExit), f"{type(result.exception).__name__}: {result.exception}"
    assert result.exit_code == 2, text
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(set(lines)) == len(lines), f"a line said twice: {text}"
    for needle in case.expect:
        assert needle.lower() in text.lower(), f"{needle!r} not in: {text}"
    assert files_in(tmp_path) == before, "a refused command wrote something"


SAMPLE = [c for c in CASES if c.id in {"scenario/sigma-nan", "yaml/alias-bomb", "flag-run/years-negative"}]


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: c.id)
def test_the_real_command_line_refuses_it_too(case: Case, tmp_path):
    argv = case.materialise(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "sez_sim", *argv], capture_output=True, text=True, cwd=tmp_path, timeout=SECONDS
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert all(n.lower() in proc.stderr.lower() for n in case.expect), proc.stderr
