"""What every policy instrument shares: a schedule, registry-backed parameters, and the setup/step protocol.

An instrument is a pydantic model (scenario files validate it, ``sez-sim schema`` documents it) with three methods
the model calls: ``check(geography)`` and ``setup(model)`` once, after the model is built, and ``step(model)`` at
the start of every step. Its effect has an *intensity* in [0, 1]: 0 before ``start_year``, rising linearly over
``phase_in`` years, 1 once phased in, and 0 again from ``end_year``. Instruments apply ``intensity`` times their
full effect to the baseline they recorded at setup, and only when the intensity changes, so a policy costs nothing
once in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from sez_sim.errors import Problem, ScenarioError, UserError
from sez_sim.params import Param

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel


def param_field(param: Param, **extra: Any) -> Any:
    """A pydantic field whose default, bounds and description come from the registry entry ``param``."""
    if param.per:
        return Field(default=None, description=f"{param.description} [{param.unit}] (default: {param.default})")
    lo, hi = param.bounds
    return Field(default=param.default, ge=lo, le=hi, description=f"{param.description} [{param.unit}]", **extra)


class Instrument(BaseModel):
    """Base of all policy instruments: the schedule and the setup/step protocol."""

    model_config = ConfigDict(extra="forbid")
    kind: ClassVar[str] = ""

    label: str | None = Field(default=None, description="A name for this instrument (kept in the manifest).")
    start_year: float | None = Field(
        default=None, description="Year the instrument takes effect (default: the run's start year)."
    )
    end_year: float | None = Field(default=None, description="Year the instrument stops (default: never).")
    phase_in: float = Field(default=0.0, ge=0.0, le=100.0, description="Years over which the effect ramps up.")

    _intensity: float = PrivateAttr(default=-1.0)

    def intensity(self, year: float, start_default: float) -> float:
        """Share of the full effect in force at ``year`` (the start of the current step)."""
        start = start_default if self.start_year is None else self.start_year
        if year < start or (self.end_year is not None and year >= self.end_year):
            return 0.0
        if self.phase_in <= 0:
            return 1.0
        return min(1.0, (year - start) / self.phase_in + 1e-12)

    @staticmethod
    def lookup(field: str, resolve: Callable[[Any], Any], value: Any) -> Any:
        """Resolve ``value`` with ``resolve``; a failure names this instrument's ``field``."""
        try:
            return resolve(value)
        except UserError as exc:
            raise ScenarioError([Problem("", field, p.message) for p in exc.problems]) from None

    @staticmethod
    def error(field: str, message: str) -> ScenarioError:
        """An error about this instrument's ``field``."""
        return ScenarioError([Problem("", field, message)])

    @classmethod
    def country_index(cls, field: str, code: str, known: list[str]) -> int:
        """The index of a country code; an unknown code names ``field`` and lists the known codes."""
        if code not in known:
            raise cls.error(field, f"unknown country {code!r} (this geography has {', '.join(known)})")
        return known.index(code)

    # The model calls these three, in this order.
    def check(self, geo: Geography) -> None:
        """Resolve the provinces, crossings, corridors and countries this instrument names (raise if unknown)."""

    def setup(self, model: SEZModel) -> None:
        """Resolve references against the model's geography and record the baseline the effect applies to."""

    def step(self, model: SEZModel) -> None:
        """Apply the effect for the current year when its intensity has changed."""
        now = self.intensity(model.step_year, model.config.start_year)
        if now != self._intensity:
            self._intensity = now
            self.apply(model, now)

    def apply(self, model: SEZModel, intensity: float) -> None:
        """Put ``intensity`` times the full effect in force (subclasses implement this)."""
        raise NotImplementedError
