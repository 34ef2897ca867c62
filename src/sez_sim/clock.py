"""The calendar of a run: which calendar year each step covers (one helper, used by the model, policies, outputs).

Step 0 is the initial state at ``start_year``. Step ``k >= 1`` covers the period from ``start(k)`` to ``end(k)``:
``start(k) = start_year + (k - 1) / steps_per_year`` and ``end(k) = start_year + k / steps_per_year``. Records of
a step carry its end (``end(0) = start_year``); policies act on its start.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calendar:
    """Calendar years of the steps of a run.

    Attributes:
        start_year: calendar year of step 0.
        steps_per_year: steps per year (4 = quarters).
    """

    start_year: int = 2019
    steps_per_year: int = 4

    def start(self, step: int) -> float:
        """Calendar year at the start of step ``step`` (step 0 starts and ends at ``start_year``)."""
        return self.start_year + max(step - 1, 0) / self.steps_per_year

    def end(self, step: int) -> float:
        """Calendar year at the end of step ``step``: the year its records carry."""
        return self.start_year + step / self.steps_per_year

    def opens_year(self, step: int) -> bool:
        """True when step ``step`` is the first of a calendar year."""
        return step >= 1 and (step - 1) % self.steps_per_year == 0

    def closes_year(self, step: int) -> int | None:
        """The calendar year step ``step`` completes, or None when it is not the last step of a year."""
        if step >= 1 and step % self.steps_per_year == 0:
            return self.start_year + step // self.steps_per_year - 1
        return None

    def steps(self, years: float) -> int:
        """Whole steps in ``years`` years."""
        return int(round(years * self.steps_per_year))
