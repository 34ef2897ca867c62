"""Migration regimes: the barrier to moving between two countries, and an optional annual quota."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field, PrivateAttr

from sez_sim.params import declare
from sez_sim.policies.base import Instrument, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

MIGRATION = declare(
    "migration",
    (
        "barrier",
        1.0,
        "utility",
        (0.0, 50.0),
        "Barrier between the two countries under the regime (the default border barrier is workers.border_barrier).",
        "Author's assumption for an open regime (labour mobility agreement, recognised permits).",
        "lever",
    ),
)


class MigrationRegime(Instrument):
    """Set the barrier to moving between two countries (both directions) and optionally cap the flow."""

    kind: ClassVar[str] = "migration_regime"
    type: Literal["migration_regime"] = "migration_regime"
    countries: tuple[str, str] = Field(description="The two countries, e.g. [THA, MMR].")
    barrier: float = param_field(MIGRATION["barrier"])
    quota: float | None = Field(
        default=None, ge=0, description="Most people who may move between the two per year, each direction."
    )

    _pair: tuple[int, int] = PrivateAttr(default=(-1, -1))
    _base: float = PrivateAttr(default=0.0)

    def check(self, geo: Geography) -> None:
        for k, code in enumerate(self.countries):
            self.country_index(f"countries[{k}]", code, geo.country_names())
        if self.countries[0] == self.countries[1]:
            raise self.error("countries", "the two countries must differ")

    def setup(self, model: SEZModel) -> None:
        known = model.country_names
        a, b = (known.index(c) for c in self.countries)
        self._pair = (a, b)
        self._base = float(model.barrier[a, b])

    def apply(self, model: SEZModel, intensity: float) -> None:
        a, b = self._pair
        model.barrier[a, b] = model.barrier[b, a] = self._base + intensity * (self.barrier - self._base)
        model.workers.static_costs(model.geo.distance, model.country, model.barrier)
        for key in ((a, b), (b, a)):
            if self.quota is not None and intensity > 0:
                model.workers.quotas[key] = self.quota / model.persons_per_agent
            else:
                model.workers.quotas.pop(key, None)
