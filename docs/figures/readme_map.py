"""Draw docs/figures/capital_gdp_change.png, the README's picture: a policy's effect on GDP per capita on the map.

Run from the repository root: ``.venv/bin/python docs/figures/readme_map.py`` (about 25 seconds on two cores). It is
the effect map of ``sez-sim compare scenarios/gms_baseline.yaml scenarios/capital_sezs.yaml --replicates 10 --years
10`` (``figures/effect_map.png``): six SEZs next to the capitals against the baseline on seeds 1-10, each
province's GDP per capita at the end over the baseline's, averaged over the pairs, ringed where the interval
excludes zero (a thick ring where that holds at a 5% false discovery rate too).
"""

from __future__ import annotations

from pathlib import Path

from sez_sim.experiments import compare
from sez_sim.viz.experiments import effect_map

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    """Compare the scenario with the baseline and draw the effect map."""
    scenarios = ROOT / "scenarios"
    result = compare(
        scenarios / "gms_baseline.yaml", scenarios / "capital_sezs.yaml", replicates=10, years=10, workers=2
    )
    effect_map(result, Path(__file__).with_name("capital_gdp_change.png"))


if __name__ == "__main__":
    main()
