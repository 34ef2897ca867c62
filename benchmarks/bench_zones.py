"""Issue 15: many new zones in one province.

A new zone is known to some investors only (its awareness), and a province's nest is a sum over the sets of its
partly known zones that investors may know (docs/ODD.md 7.3): 2**k sets for k such zones. Up to
``ENUMERATED_ZONES`` every set is evaluated, at once; beyond, the rest are lumped by their mean and variance
(``partly_known_nest``). Two measurements for k new zones in one province:

- **nest**: one province's nest (256 pool productivities, k partly known zones of similar weight), the function
  the model calls against every set visited in turn, its reference (as the model did before 2026-12-07), the
  reference only while it takes under about a second;
- **step**: a quarterly step of the default GMS model with k SEZs opened in Kayin at the start (mean of the steps
  after the first two of a year);
- **spread**: the same step with one new SEZ in each of k provinces (the first k of the dataset), every one being
  built (its capacity and its nest change every step): the nests of the provinces with as many partly known zones
  are evaluated side by side, and the levers each change touches are recomputed once a step.

``--quick`` measures fewer k (for a look, not for the numbers in benchmarks/README.md).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import common  # noqa: F401  (sets single-threaded BLAS)
import numpy as np
from common import report

from sez_sim.agents.location_choice import ENUMERATED_ZONES, partly_known_nest, partly_known_nest_reference
from sez_sim.geography import load_gms
from sez_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
POOL = 256
REFERENCE_UP_TO = 11  # 2**11 sets: about a second a call


def per_call_ms(fn, args, calls: int) -> float:
    fn(*args)
    start = time.perf_counter()
    for _ in range(calls):
        fn(*args)
    return (time.perf_counter() - start) / calls * 1e3


def nest_args(k: int) -> tuple:
    rng = np.random.default_rng(k)
    weight = rng.uniform(0.05, 0.3, (POOL, k))
    return np.full(POOL, 1.0), weight, np.zeros(k, bool), rng.uniform(0.1, 0.9, k), np.ones(k), 0.25


def step_ms(k: int, steps: int = 6, zones: list[dict] | None = None) -> float:
    if zones is None:
        zones = [{"type": "sez", "province": "Kayin", "name": f"Kayin SEZ {i}", "start_year": 2019} for i in range(k)]
    model = load_scenario(ROOT / "scenarios/gms_baseline.yaml", overrides={"policies": zones}).model(1)
    for _ in range(2):
        model.step()
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - start) / steps * 1e3


def spread_step_ms(k: int, steps: int = 6) -> float:
    ids = load_gms().provinces["id"].tolist()[:k]
    zones = [{"type": "sez", "province": i, "start_year": 2019} for i in ids]
    return step_ms(k, steps, zones)


def main() -> None:
    counts = (0, 1, 8, 12, 30) if "--quick" in sys.argv else (0, 1, 2, 4, 8, 9, 10, 11, 12, 16, 24, 40)
    rows = []
    for k in counts:
        args = nest_args(k)
        row = {"zones": k, "lumped": max(k - ENUMERATED_ZONES, 0)}
        if k:
            row["nest_ms"] = per_call_ms(partly_known_nest, args, 20)
            if k <= REFERENCE_UP_TO:
                row["every_set_ms"] = per_call_ms(partly_known_nest_reference, args, 2)
        row["step_ms"] = step_ms(k)
        rows.append(row)
        print(row, flush=True)
    for k in (20, 228) if "--quick" in sys.argv else (1, 20, 60, 228):
        row = {"zones": k, "provinces": k, "step_ms": spread_step_ms(k)}
        rows.append(row)
        print(row, flush=True)
    report(
        "bench_zones",
        rows,
        {"step_ms": "grows about linearly in the zones beyond the enumerated (it doubled with each before)"},
    )


if __name__ == "__main__":
    main()
