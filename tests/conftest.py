"""Settings shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

# The suite builds the same calibrated models many times: its processes share one construction cache
# (sez_sim.cache) in the checkout's results folder, unless SEZ_SIM_CACHE names another (or is "off").
os.environ.setdefault("SEZ_SIM_CACHE", str(Path(__file__).resolve().parent.parent / "results" / "cache"))
