"""The benchmarks' shared table (``benchmarks/common.py``): ``make bench`` runs every script to its end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_a_table_prints_summary_rows_that_have_fewer_columns(tmp_path):
    """``bench_scale.py`` ends its table with growth exponents, rows without counts of provinces or agents."""
    rows = [
        {"model": "planar 250", "provinces": 250, "step_s": 0.02},
        {"model": "planar 500", "provinces": 500, "step_s": 0.04, "peak_mb": 305.0},
        {"model": "exponent in provinces", "step_s": 1.0},
    ]
    probe = (
        "import json, sys; from pathlib import Path; import common; common.RESULTS = Path(sys.argv[1]); "
        "common.report('table', json.loads(sys.argv[2]), {'step_s': 'fast'})"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path), json.dumps(rows)],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("== table ==\n")[1].splitlines()
    assert table[:4] == [
        "model | provinces | step_s | peak_mb",
        "planar 250 | 250 | 0.02 | ",
        "planar 500 | 500 | 0.04 | 305",
        "exponent in provinces |  | 1 | ",
    ]
    assert table[4] == "target step_s: fast"
    assert json.loads((tmp_path / "table.json").read_text())["rows"] == rows
