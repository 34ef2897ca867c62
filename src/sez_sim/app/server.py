"""How the app's server is started: the environment that keeps it offline and private.

``sez-sim app`` hands over to solara's server with these settings; tests and benchmarks start it the same way.
"""

from __future__ import annotations

from pathlib import Path

DEAD_CDN = "http://127.0.0.1:9/"
"""Where solara would fetch missing front-end assets from: a closed local port, so a missing asset fails visibly
instead of reaching the internet (the assets ship in the ``solara-assets`` package)."""

CULL_TIMEOUT = "30m"
"""A closed browser tab's session (its two models) is freed after this long."""


def environment(scenarios: Path, scenario: str, language: str) -> dict[str, str]:
    """Environment variables for the app's server process."""
    return {
        "SEZ_SIM_APP_SCENARIOS": str(Path(scenarios).resolve()),
        "SEZ_SIM_APP_SCENARIO": scenario,
        "SEZ_SIM_APP_LANGUAGE": language,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_ASSETS_CDN": DEAD_CDN,
        "SOLARA_KERNEL_CULL_TIMEOUT": CULL_TIMEOUT,
    }
