"""Draw docs/figures/capital_gdp_change.png, the README's picture: a policy's effect on GDP per capita on the map.

Run from the repository root: ``.venv/bin/python docs/figures/readme_map.py`` (about 30 seconds). Six SEZs next to
the capitals (``scenarios/capital_sezs.yaml``) against the baseline, ten years, three pairs of runs on common seeds
(1-3, as ``sez-sim compare --replicates 3`` pairs them): each province's GDP per capita at the end over the
baseline's (:func:`sez_sim.viz.figures.gdp_per_capita_change`), averaged over the pairs, so the map shows the policy
and not one run's chance (which dataset zones get their tenants first).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario
from sez_sim.viz.figures import change_map, gdp_per_capita_change

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (1, 2, 3)


def main() -> None:
    """Run the scenario and the baseline on each seed and draw the policy's mean effect."""
    policy, baseline = (load_scenario(ROOT / "scenarios" / name) for name in ("capital_sezs.yaml", "gms_baseline.yaml"))
    pairs = [(simulate(policy, seed=s, years=10), simulate(baseline, seed=s, years=10)) for s in SEEDS]
    effect = np.mean([gdp_per_capita_change(p, b) for p, b in pairs], axis=0)
    change_map(
        pairs[0][0].model.geo,
        effect,
        f"{policy.name} against {baseline.name}: GDP per capita in 2029, mean of {len(SEEDS)} paired runs",
        f"GDP per capita against {baseline.name} (%)",
        Path(__file__).with_name("capital_gdp_change.png"),
    )


if __name__ == "__main__":
    main()
