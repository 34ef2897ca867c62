"""Compare the speed of this tree with an earlier commit in one run: ``python benchmarks/side_by_side.py REV``.

The earlier commit is checked out into a temporary git worktree; the same measurement (public API that every
version has: build the default GMS model, step it, and start the command line) runs against both source trees,
alternating, several rounds, on one core, timed in CPU seconds of the process (other load on the machine then
matters less than for wall time). Prints the medians side by side and writes results/benchmarks/side.json.
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
from common import report

ROOT = Path(__file__).resolve().parent.parent
MEASURE = """
import json, subprocess, sys, time
t0 = time.process_time()
from sez_sim.model import ModelConfig, SEZModel
t1 = time.process_time()
model = SEZModel(ModelConfig(seed=1))
t2 = time.process_time()
model.run(steps=STEPS)
t3 = time.process_time()
print(json.dumps({"import_s": t1 - t0, "build_s": t2 - t1, "step_s": (t3 - t2) / STEPS}))
"""


def measure(src: Path, steps: int) -> dict[str, float]:
    env = os.environ | {"PYTHONPATH": str(src), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    code = MEASURE.replace("STEPS", str(steps))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sez_sim", "--version"], env=env, capture_output=True, check=True)
    row["version_s"] = time.perf_counter() - start
    return row


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "HEAD~1"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    steps = 40
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old), rev], cwd=ROOT, capture_output=True, check=True)
        try:
            runs: dict[str, list[dict[str, float]]] = {rev: [], "this tree": []}
            for _ in range(rounds):
                runs[rev].append(measure(old / "src", steps))
                runs["this tree"].append(measure(ROOT / "src", steps))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
    rows = [{"tree": tree} | {k: statistics.median(r[k] for r in rs) for k in rs[0]} for tree, rs in runs.items()]
    report("side", rows, {"step_s": "no slower than the earlier commit"})
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
