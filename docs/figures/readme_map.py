"""Draw docs/figures/capital_gdp_change.png, the README's picture: a policy run's change in GDP per capita on the map.

Run from the repository root: ``.venv/bin/python docs/figures/readme_map.py`` (about 15 seconds). It is the figure
``sez-sim run scenarios/capital_sezs.yaml --seed 1 --years 10`` writes to ``figures/``.
"""

from __future__ import annotations

from pathlib import Path

from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario
from sez_sim.viz.figures import gdp_change_map

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    """Run the scenario and draw its map."""
    result = simulate(load_scenario(ROOT / "scenarios/capital_sezs.yaml"), seed=1, years=10)
    gdp_change_map(result, Path(__file__).with_name("capital_gdp_change.png"))


if __name__ == "__main__":
    main()
