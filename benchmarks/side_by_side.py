"""Compare the speed of this tree with an earlier commit in one run: ``python benchmarks/side_by_side.py REV [ROUNDS]``.

The earlier commit is checked out into a temporary git worktree; the same measurements run against both source
trees, alternating, several rounds, on one core (one BLAS thread), so a noisy machine affects both alike. Both
trees are byte-compiled first, as an installed package is (:func:`common.byte_compile`). Each round and tree runs
in a fresh process with a fresh, empty construction cache:

- ``import_s``: importing the model (CPU seconds);
- ``build_cold_s``: building the default GMS model with nothing cached (CPU seconds; writing the entry included);
- ``build_warm_s``: building it again (restored from the cache where the tree has one);
- ``build_setup_s``: building it with a parameter only the set-up after the steady state reads changed
  (``workers.congestion``: the steady state restored where the tree caches stages);
- ``build_unread_s``: building it with a parameter construction does not read changed (``firms.exit_patience``:
  restored whole where the tree's key leaves it out);
- ``step_ms``: a quarterly step, the mean of 80 (a 20-year run; CPU milliseconds);
- ``write_s``: writing the run's tables and figures (CPU seconds);
- ``peak_mb``: the process's peak resident memory;
- ``build_mech_s``, ``step_mech_ms``: a cold build and a step with every growth mechanism on (a tree from before
  the mechanisms reports its plain ones, so the ratio is their cost over the model without them);
- ``run_s``: ``sez-sim run scenarios/gms_baseline.yaml --quiet`` end to end, wall seconds, with the cache warm.

Prints the medians side by side with the ratio (this tree / earlier) and writes results/benchmarks/side.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401
from common import byte_compile, report

ROOT = Path(__file__).resolve().parent.parent
MEASURE = """
import gc, json, resource, sys, tempfile, time
from pathlib import Path
t0 = time.process_time()
from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.runs import simulate, write_into
from sez_sim.scenario import load_scenario
t1 = time.process_time()


def build(**changes):
    start = time.process_time()
    SEZModel(ModelConfig(seed=1, params=resolve_params("gms", changes)))
    took = time.process_time() - start
    gc.collect()  # freed before the next model: the peak is one run's
    return took


row = {"import_s": t1 - t0, "build_cold_s": build()}
t2 = time.process_time()
model = SEZModel(ModelConfig(seed=1))
row["build_warm_s"] = time.process_time() - t2
row["build_setup_s"] = build(workers={"congestion": 0.35})
row["build_unread_s"] = build(firms={"exit_patience": 2.0})
t3 = time.process_time()
model.run(steps=STEPS)
row["step_ms"] = 1000 * (time.process_time() - t3) / STEPS
result = simulate(load_scenario(sys.argv[1]))
t5 = time.process_time()
with tempfile.TemporaryDirectory() as tmp:
    write_into(result, Path(tmp))
row |= {"write_s": time.process_time() - t5, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
try:
    from sez_sim.economy.mechanisms import Mechanisms
except ImportError:  # a tree from before the mechanisms: its plain model is what they are measured against
    row |= {"build_mech_s": row["build_cold_s"], "step_mech_ms": row["step_ms"]}
else:
    t7 = time.process_time()
    model = SEZModel(ModelConfig(seed=1, mechanisms=Mechanisms()))
    t8 = time.process_time()
    model.run(steps=STEPS)
    t9 = time.process_time()
    row |= {"build_mech_s": t8 - t7, "step_mech_ms": 1000 * (t9 - t8) / STEPS}
print(json.dumps(row))
"""
STEPS = 80


def measure(src: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {
            "PYTHONPATH": str(src),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "SEZ_SIM_CACHE": str(Path(tmp) / "cache"),
        }
        scenario = str(ROOT / "scenarios/gms_baseline.yaml")
        code = MEASURE.replace("STEPS", str(STEPS))
        out = subprocess.run(
            [sys.executable, "-c", code, scenario], env=env, capture_output=True, text=True, check=True, cwd=tmp
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        command = [sys.executable, "-m", "sez_sim", "run", scenario, "--quiet", "--out", str(Path(tmp) / "run")]
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True, cwd=tmp)
        row["run_s"] = time.perf_counter() - start
    return row


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), rev], cwd=ROOT, capture_output=True, check=True)
        byte_compile(old / "src")
        try:
            runs: dict[str, list[dict[str, float]]] = {rev: [], "this tree": []}
            for _ in range(rounds):
                runs[rev].append(measure(old / "src"))
                runs["this tree"].append(measure(ROOT / "src"))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
    rows = [{"tree": tree} | {k: statistics.median(r[k] for r in rs) for k in rs[0]} for tree, rs in runs.items()]
    rows.append({"tree": "ratio"} | {k: rows[1][k] / rows[0][k] for k in rows[0] if k != "tree"})
    report(
        "side",
        rows,
        {
            "run_s": "<= 3 s end to end (issue 15)",
            "build_warm_s": "<= 1 s",
            "build_setup_s": "runs differing only where the set-up reads (issue 15: calibration cached)",
            "build_unread_s": "runs differing only where construction does not read (issue 15: levers skip it)",
            "step_ms": "<= 25 ms",
            "write_s": "<= 1 s",
            "peak_mb": "<= 400 MB",
            "build_mech_s": "<= 1.3 x the plain build before (issue 11)",
            "step_mech_ms": "<= 1.2 x the plain step before (issue 11)",
        },
    )
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
