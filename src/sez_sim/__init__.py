"""sez-sim: an agent-based simulator of Special and Cross-Border Economic Zones in the Greater Mekong Subregion.

The flat public API::

    from sez_sim import load_scenario, run_scenario, SEZModel, ModelConfig, load_gms

    result = run_scenario("scenarios/ewec_border_sezs.yaml", seed=1, out=None)
    result.summary, result.provinces, result.migration, result.manifest

The names are imported on first use (PEP 562), so that importing a light submodule such as ``sez_sim.cli`` or
``sez_sim.version`` does not load the model, mesa or scipy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sez_sim.version import __version__

_API = {
    "ModelConfig": "sez_sim.model",
    "SEZModel": "sez_sim.model",
    "RunResult": "sez_sim.runs",
    "run_scenario": "sez_sim.runs",
    "Scenario": "sez_sim.scenario",
    "load_scenario": "sez_sim.scenario",
    "load_folder": "sez_sim.geography",
    "load_gms": "sez_sim.geography",
}

__all__ = [
    "ModelConfig",
    "RunResult",
    "SEZModel",
    "Scenario",
    "__version__",
    "load_folder",
    "load_gms",
    "load_scenario",
    "run_scenario",
]

if TYPE_CHECKING:
    from sez_sim.geography import load_folder, load_gms
    from sez_sim.model import ModelConfig, SEZModel
    from sez_sim.runs import RunResult, run_scenario
    from sez_sim.scenario import Scenario, load_scenario


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'sez_sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
