"""sez-sim: an agent-based simulator of Special and Cross-Border Economic Zones in the Greater Mekong Subregion.

The flat public API::

    from sez_sim import load_scenario, run_scenario, SEZModel, ModelConfig, load_gms

    result = run_scenario("scenarios/ewec_border_sezs.yaml", seed=1, out=None)
    result.summary, result.provinces, result.migration, result.manifest
"""

__version__ = "0.1.0"

from sez_sim.geography import load_folder, load_gms  # noqa: E402
from sez_sim.model import ModelConfig, SEZModel  # noqa: E402
from sez_sim.runs import RunResult, run_scenario  # noqa: E402
from sez_sim.scenario import Scenario, load_scenario  # noqa: E402

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
