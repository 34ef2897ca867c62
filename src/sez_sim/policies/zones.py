"""The zone table: every economic zone the firms see, with its incentives (SEZ and CBEZ instruments fill it)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np


class ZoneTable:
    """Zones as parallel arrays: one entry per zone, never removed (``active`` switches a zone on and off).

    Attributes (arrays over zones):
        province: host province.
        capacity: firm slots now (grows over the build-out years).
        productivity_bonus: ``b`` >= 1, multiplies a zone firm's productivity (duty-free inputs for exporters).
        world_access: multiplier >= 1 on the host's freeness to the world (in-zone customs).
        fixed_cost_factor: <= 1, multiplies a zone firm's fixed labour (zone infrastructure).
        holiday_years: profit-tax holiday after a firm starts producing.
        holiday_rate: tax rate during the holiday.
        after_rate: tax rate after the holiday (NaN: the country's corporate tax).
        approval_days: approval delay inside the zone (NaN: the province's).
        red_tape_years: red-tape cost inside the zone (NaN: the province's).
        active: whether the zone admits and supports firms.
    """

    DEFAULTS: ClassVar[dict[str, tuple[type, object]]] = {
        "province": (np.int64, 0),
        "capacity": (np.float64, 0.0),
        "productivity_bonus": (np.float64, 1.0),
        "world_access": (np.float64, 1.0),
        "fixed_cost_factor": (np.float64, 1.0),
        "holiday_years": (np.float64, 0.0),
        "holiday_rate": (np.float64, 0.0),
        "after_rate": (np.float64, np.nan),
        "approval_days": (np.float64, np.nan),
        "red_tape_years": (np.float64, np.nan),
        "active": (np.bool_, False),
    }

    def __init__(self) -> None:
        self.name: list[str] = []
        for attr, (dtype, _) in self.DEFAULTS.items():
            setattr(self, attr, np.zeros(0, dtype=dtype))

    def __len__(self) -> int:
        return len(self.name)

    def add(self, name: str, **values: float | bool | int) -> int:
        """Append a zone; attributes not given take their defaults (inactive, no incentives). Returns its index."""
        unknown = set(values) - set(self.DEFAULTS)
        if unknown:
            raise KeyError(f"unknown zone attribute(s) {sorted(unknown)}")
        for attr, (dtype, default) in self.DEFAULTS.items():
            setattr(self, attr, np.append(getattr(self, attr), np.asarray(values.get(attr, default), dtype=dtype)))
        self.name.append(name)
        return len(self.name) - 1

    def index(self, name: str) -> int:
        """The index of the zone called ``name``."""
        return self.name.index(name)
