"""Do this tree and an earlier commit give the same results? ``python benchmarks/same_results.py REV [YEARS]``.

Speed work must keep the results (issue 15): bit for bit where the arithmetic is unchanged, and otherwise so close
that no agent decides differently, so that every number the docs quote stays true. The earlier commit is checked
out into a temporary git worktree; each tree runs, in a fresh process with the construction cache off, the
scenarios of :data:`SCENARIOS` (this tree's files, seed 3, ``YEARS`` years, default 8) and a run that adds a zone
while it runs with every growth mechanism on. Then, per scenario:

- every integer agent array (each worker's province, sector, origin and workplace; each firm's province, zone,
  owner, ages...) must be identical: whole agents decided the same;
- every table (provinces, summary, migration, zones) and every float array (agent attributes, the equilibrium)
  is compared by its largest difference relative to its scale (column by column for tables).

A scenario is ``bit-identical``, ``same agents`` (identical agents, and tables within :data:`TOLERANCE`) or
``different``. Prints a table, writes results/benchmarks/same_results.json, and exits with 1 unless every scenario
is one of the first two.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import common  # noqa: F401
import numpy as np
import pandas as pd
from common import report

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [
    "gms_baseline",
    "cbez_pairs",
    "corridor_upgrades",
    "mechanism_zones",
    "twin_promotion",
    "capacity_building",
    "textbook/core_periphery",
    "textbook/footloose_capital",
]
"""Scenarios run in both trees: every instrument, the growth mechanisms and the two textbook presets."""

TOLERANCE = 1e-8
"""Largest difference in a table column, relative to the column's scale, for results to count as the same (arithmetic
that differs only in rounding, or reaches the same fixed point by another path, stays far below this unless an agent
decides differently)."""

RUN = """
import sys
from pathlib import Path
import numpy as np
from sez_sim.economy.mechanisms import Mechanisms
from sez_sim.model import ModelConfig, SEZModel
from sez_sim.policies.zones import SEZInstrument
from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario
out, years = Path(sys.argv[1]), float(sys.argv[2])
for name in sys.argv[3:]:
    result = simulate(load_scenario(name), seed=3, years=years)
    folder = out / Path(name).stem
    folder.mkdir(parents=True)
    np.savez(folder / "state.npz", **result.model.state())
    for table in ("provinces", "summary", "migration", "zones"):
        getattr(result, table).to_parquet(folder / f"{table}.parquet")
model = SEZModel(ModelConfig(seed=5, mechanisms=Mechanisms()))
model.run(steps=6)
model.add_policy(SEZInstrument(province="Tak", capacity_jobs=20000, management=1.0))
model.run(steps=20)
(out / "added_zone").mkdir()
np.savez(out / "added_zone" / "state.npz", **model.state())
"""


def run(src: Path, out: Path, years: float) -> None:
    """Run the scenarios with the package in ``src``, writing their states and tables under ``out``."""
    env = os.environ | {"PYTHONPATH": str(src), "SEZ_SIM_CACHE": "off", "OPENBLAS_NUM_THREADS": "1"}
    files = [str(ROOT / "scenarios" / f"{name}.yaml") for name in SCENARIOS]
    subprocess.run([sys.executable, "-c", RUN, str(out), str(years), *files], env=env, check=True, cwd=out.parent)


def relative(a: np.ndarray, b: np.ndarray) -> float:
    """Largest difference of two float arrays relative to their scale (their largest magnitude), by column.

    Equal values, infinities and NaNs count as the same. Measuring against the column's scale rather than each
    value keeps quantities that are zero in theory (free-entry profits) from reading as large relative changes.
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return np.inf
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    if not np.all(np.isfinite(a[~same]) & np.isfinite(b[~same])):
        return np.inf  # a NaN or an infinity on one side only
    gap = np.abs(np.where(same, 0.0, a - b)).max(axis=0, initial=0.0)
    magnitude = np.maximum(np.abs(a), np.abs(b))
    scale = np.where(np.isfinite(magnitude), magnitude, 0.0).max(axis=0, initial=0.0)
    return float(np.max(gap / np.maximum(scale, 1e-300), initial=0.0))


def compare(old: Path, new: Path) -> dict[str, object]:
    """One scenario's verdict: integer agent arrays that differ, and the largest relative differences.

    The verdict rests on the agents and the tables (what runs report) over the arrays and columns both trees write;
    those one tree adds or drops (a new account, a new equilibrium array) are listed beside it, with the state's
    float arrays (agent attributes, the equilibrium).
    """
    a, b = np.load(old / "state.npz"), np.load(new / "state.npz")
    keys = sorted(set(a.files) & set(b.files))
    columns = [f"state: +{k}" for k in sorted(set(b.files) - set(a.files))]
    columns += [f"state: -{k}" for k in sorted(set(a.files) - set(b.files))]
    changed = [k for k in keys if a[k].shape != b[k].shape]
    agents = [k for k in keys if k not in changed and a[k].dtype.kind in "iub" and not np.array_equal(a[k], b[k])]
    state = [relative(a[k], b[k]) for k in keys if k not in changed and a[k].dtype.kind == "f"]
    identical = not changed and not agents and all(np.array_equal(a[k], b[k], equal_nan=True) for k in keys)
    tables = []
    for name in sorted(p.name for p in old.glob("*.parquet")):
        x, y = pd.read_parquet(old / name), pd.read_parquet(new / name)
        columns += [f"{name}: +{c}" for c in y.columns.difference(x.columns)]
        columns += [f"{name}: -{c}" for c in x.columns.difference(y.columns)]
        shared = [c for c in x.columns if c in y.columns]
        x, y = x[shared], y[shared]
        if x.shape != y.shape:
            changed.append(name)
            identical = False
            continue
        identical &= x.equals(y)
        numbers = x.select_dtypes("number").columns
        tables.append(relative(x[numbers].to_numpy(float), y[numbers].to_numpy(float)) if len(numbers) else 0.0)
        other = x.columns.difference(numbers)
        if len(other) and not x[other].equals(y[other]):
            changed.append(name)
    largest = max(tables, default=0.0)
    verdict = (
        "bit-identical"
        if identical
        else "same agents"
        if not changed and not agents and largest < TOLERANCE
        else "different"
    )
    return {
        "verdict": verdict,
        "agent_arrays_changed": len(agents) + len(changed),
        "tables_relative": largest,
        "state_relative": max(state, default=0.0),
        "columns": ", ".join(columns) or "same",
    }


def main() -> int:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"
    years = float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "old"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, capture_output=True, check=True
        )
        try:
            for name, src in ((rev, tree / "src"), ("this", ROOT / "src")):
                (Path(tmp) / name).mkdir()
                run(src, Path(tmp) / name / "out", years)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        rows = [
            {"scenario": folder.name} | compare(folder, Path(tmp) / "this" / "out" / folder.name)
            for folder in sorted((Path(tmp) / rev / "out").iterdir())
        ]
    report("same_results", rows, {"verdict": f"bit-identical, or the same agents with tables within {TOLERANCE:g}"})
    return 0 if all(row["verdict"] != "different" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
