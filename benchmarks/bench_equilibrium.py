"""Issue 3: one warm-started equilibrium solve for the GMS (228 provinces, ~30,000 firms); scaling with N."""

from __future__ import annotations

import common  # noqa: F401  (sets single-threaded BLAS)
import numpy as np
from common import report, timed

from sez_sim.economy import solve
from sez_sim.economy.calibration import calibrate, pareto
from sez_sim.economy.equilibrium import Labour
from sez_sim.geography import load_gms, random_planar
from sez_sim.params import defaults


def calibrated(geo, firms_per_province):
    econ = defaults()["economy"]
    rng = np.random.default_rng(0)
    return calibrate(
        geo,
        econ,
        n_firms=firms_per_province * geo.n,
        min_firms=10,
        allocation_elasticity=0.5,
        foreign_share=0.3,
        productivity=lambda p: pareto(rng, 10.0, len(p)),
        rng=rng,
    )


def warm_solves(cal, repeats):
    """Solve after small shocks to the labour force, each warm-started from the previous solution (as in a run)."""
    rng = np.random.default_rng(1)
    eq, times, iterations = cal.equilibrium, [], []
    workers = cal.labour.workers.copy()
    for _ in range(repeats):
        workers = workers * rng.uniform(0.997, 1.003, len(workers))
        seconds, eq = timed(solve, cal.market, Labour(workers, cal.labour.farmers), cal.block, eq)
        times.append(seconds)
        iterations.append(eq.iterations)
    cold, cold_eq = timed(solve, cal.market, Labour(workers, cal.labour.farmers), cal.block)
    return float(np.median(times)), float(np.median(iterations)), cold, cold_eq.iterations


def main() -> None:
    rows = []
    cal = calibrated(load_gms(), 132)
    warm, iters, cold, cold_iters = warm_solves(cal, 50)
    rows.append(
        {
            "geography": "gms",
            "N": 228,
            "firms": len(cal.block),
            "warm_ms": warm * 1e3,
            "warm_iterations": iters,
            "cold_ms": cold * 1e3,
            "cold_iterations": cold_iters,
        }
    )
    for n in (500, 1000, 2000, 5000):
        cal = calibrated(random_planar(n, seed=1), 130)
        warm, iters, cold, cold_iters = warm_solves(cal, 10 if n >= 2000 else 30)
        rows.append(
            {
                "geography": "random_planar",
                "N": n,
                "firms": len(cal.block),
                "warm_ms": warm * 1e3,
                "warm_iterations": iters,
                "cold_ms": cold * 1e3,
                "cold_iterations": cold_iters,
            }
        )
    report("equilibrium", rows, {"gms warm_ms": "median <= 20 ms"})


if __name__ == "__main__":
    main()
