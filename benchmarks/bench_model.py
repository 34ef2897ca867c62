"""Issue 4: the default GMS model: seconds per step, 80 steps, peak memory; cost linear in agents."""

from __future__ import annotations

import sys

import common  # noqa: F401
from common import peak_rss_mb, report, timed

from sez_sim.model import ModelConfig, SEZModel


def main() -> None:
    rows = []
    init, model = timed(SEZModel, ModelConfig(seed=1))
    run, _ = timed(model.run, steps=80)
    rows.append(
        {
            "persons_per_agent": 1000,
            "workers": len(model.workers),
            "firms": len(model.firms),
            "init_s": init,
            "steps": 80,
            "run_s": run,
            "s_per_step": run / 80,
            "peak_rss_mb": peak_rss_mb(),
        }
    )
    if "--quick" not in sys.argv:
        init, big = timed(SEZModel, ModelConfig(seed=1, persons_per_agent=250))
        run4, _ = timed(big.run, steps=20)
        rows.append(
            {
                "persons_per_agent": 250,
                "workers": len(big.workers),
                "firms": len(big.firms),
                "init_s": init,
                "steps": 20,
                "run_s": run4,
                "s_per_step": run4 / 20,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
        print(f"4x worker agents cost {rows[1]['s_per_step'] / rows[0]['s_per_step']:.2f}x per step")
    report(
        "model",
        rows,
        {"80 steps": "<= 10 s on one core", "peak memory": "<= 1 GB", "4x agents": "<= 4.5x time per step"},
    )


if __name__ == "__main__":
    main()
