"""Zone closure: existing zones lose their status, so that a run shows what they were contributing.

A closure targets zones as the zone programmes do (:class:`~sez_sim.policies.programmes.ZoneProgramme`: by name,
every zone of the listed provinces, or every zone of the listed countries, among the dataset's operating zones and
those of the policies listed before it). From its start year a closed zone takes no new firms (it is switched off,
as a zone is before it opens), and its capacity winds down to nothing over ``phase_in`` years (at once by default):
its firms move out, newest first, as they do when a zone's jobs outgrow its capacity (docs/ODD.md 7.3), and go on
producing outside it in the same province, without the zone's package, free to exit or relocate as any firm is. The
zone's operation cost stops with it. ``end_year`` reopens the zones with their capacity, and the firms that moved
out move back in as room allows; until then the zone table counts them as waiting for their zone.

What it is for: the counterfactual of the zones a region already has (Boten's zone was shut in 2011; a country that
revokes its zones' status; "what are Cambodia's zones worth?"), which the calibration cannot give by leaving them
out (``geography.existing_zones: false`` calibrates a start without them to the same data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from sez_sim.levers import Effect
from sez_sim.policies.base import PHASE_IN_LIMIT
from sez_sim.policies.programmes import ZoneProgramme

if TYPE_CHECKING:
    from sez_sim.model import SEZModel


class ZoneClosure(ZoneProgramme):
    """Close the listed zones, or every zone of the listed provinces or countries: no new firms, capacity to zero."""

    type: Literal["zone_closure"] = "zone_closure"
    phase_in: float | None = Field(
        default=0.0,
        ge=0.0,
        le=PHASE_IN_LIMIT,
        description="Years over which the zones' capacity winds down to nothing (0: at once; no new firm either way).",
    )

    def setup(self, model: SEZModel) -> list[Effect]:
        zones = self.target_zones(model)
        return [Effect("zone_active", zones, "switch", 0.0), Effect("zone_capacity", zones, "move", 0.0)]

    def spending(self, year: float, start_default: float) -> tuple[np.ndarray, float]:
        """A closure costs nothing of its own (the closed zones' operation cost stops)."""
        return np.zeros(0, np.int64), 0.0
