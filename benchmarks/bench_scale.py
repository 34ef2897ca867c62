"""Issue 15: how a step's cost grows with provinces and with worker agents, up to 2,000 provinces and 3 million agents.

A calibrated (gms-preset) model on synthetic random planar geographies of growing size, with 1,500 worker agents
per province (so provinces and agents grow together, to 2,000 provinces and 3 million agents), and on the GMS data
at 1x and 4x the default worker agents (provinces fixed, agents grow). For each: the build (cache off), the mean
step, and the step split into its parts (the order of ``SEZModel.step``). The growth exponent of a part between
two sizes is log(time ratio) / log(size ratio).

``--quick`` stops at 500 provinces.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections import defaultdict

import common  # noqa: F401
from common import peak_rss_mb, report

from sez_sim.geography import random_planar
from sez_sim.model import ModelConfig, SEZModel, resolve_params

PARTS = ("apply_policies", "migrate", "solve_within_capacity", "firm_dynamics", "match_jobs", "update_accounts")
"""The parts of a step timed separately (methods of SEZModel, in the order of a step)."""

AGENTS_PER_PROVINCE = 1500
STEPS = 4


def timed_parts(model: SEZModel, steps: int) -> dict[str, float]:
    """Mean seconds per step of each part, measured by wrapping the model's methods."""
    spent: dict[str, float] = defaultdict(float)
    for name in PARTS:
        method = getattr(model, name)

        def wrapper(*args, _method=method, _name=name, **kwargs):
            start = time.process_time()
            try:
                return _method(*args, **kwargs)
            finally:
                spent[_name] += time.process_time() - start

        setattr(model, name, wrapper)
    start = time.process_time()
    model.run(steps=steps)
    total = time.process_time() - start
    return {"step_s": total / steps} | {f"{name}_s": spent[name] / steps for name in PARTS}


def measure(label: str, config: ModelConfig) -> dict:
    start = time.process_time()
    model = SEZModel(config)
    build = time.process_time() - start
    row = {"model": label, "provinces": model.geo.n, "agents": len(model.workers), "firms": len(model.firms)}
    return row | {"build_s": build} | timed_parts(model, STEPS) | {"peak_mb": peak_rss_mb()}


def synthetic(n: int) -> ModelConfig:
    geo = random_planar(n, seed=1)
    population = geo.provinces["population"].to_numpy(float)
    persons = population.sum() / (AGENTS_PER_PROVINCE * n)
    # Firm agents grow with provinces too (the default is sized for the GMS's 228 provinces).
    params = resolve_params("gms", {"firms": {"count": 30000 * n // 228}})
    return ModelConfig(geography=geo, persons_per_agent=min(persons, population.min() / 0.5), params=params, seed=1)


def growth(rows: list[dict], size: str) -> dict:
    """The growth exponent of each part between the first and last row (log time ratio / log size ratio)."""
    first, last = rows[0], rows[-1]
    scale = math.log(last[size] / first[size])
    keys = ["build_s", "step_s"] + [f"{name}_s" for name in PARTS]
    return {"model": f"exponent in {size}"} | {k: math.log(last[k] / max(first[k], 1e-9)) / scale for k in keys}


def one(kind: str, size: int) -> dict:
    """One row, in this process: a planar geography of ``size`` provinces, or the GMS at ``size`` persons/agent."""
    if kind == "planar":
        return measure(f"planar {size}", synthetic(size))
    return measure(f"GMS, {size} persons/agent", ModelConfig(seed=1, persons_per_agent=size))


def fresh(kind: str, size: int) -> dict:
    """One row, in a process of its own (so that its peak memory is its own)."""
    env = os.environ | {"SEZ_SIM_CACHE": "off"}  # the build is measured, not restored
    out = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(size)], env=env, capture_output=True, text=True, check=True
    )
    row = json.loads(out.stdout.strip().splitlines()[-1])
    print(row, flush=True)
    return row


def main() -> None:
    if "--one" in sys.argv:
        kind, size = sys.argv[sys.argv.index("--one") + 1 :][:2]
        print(json.dumps(one(kind, int(size))))
        return
    gms = [fresh("gms", ppa) for ppa in (1000, 250)]
    rows = gms + [growth(gms, "agents")]
    planar = [fresh("planar", n) for n in ((250, 500) if "--quick" in sys.argv else (250, 500, 1000, 2000))]
    rows += planar + [growth(planar, "provinces")]
    report(
        "scale",
        rows,
        {
            "step_s": "< 1 s a step at 2,000 provinces and 3 million worker agents (issue 15)",
            "exponent in agents": "4x worker agents cost <= 4.5x per step (exponent <= 1.08)",
        },
    )


if __name__ == "__main__":
    main()
