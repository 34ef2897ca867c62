"""Migration regimes: the barrier to moving between two countries, and an optional annual quota."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from sez_sim.levers import Effect
from sez_sim.params import Param, declare
from sez_sim.policies.base import Instrument, Places, param_field

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.model import SEZModel

MIGRATION = declare(
    "migration",
    Param(
        name="barrier",
        default=1.0,
        unit="utility",
        bounds=(0.0, 50.0),
        description="Barrier between the two countries under the regime (the default border barrier is "
        "workers.border_barrier).",
        source="Author's assumption for an open regime (labour mobility agreement, recognised permits).",
        kind="lever",
        construction=None,
    ),
    Param(
        name="quota",
        default=None,
        unit="persons per year",
        bounds=(0.0, 1e9),
        description="Most people who may move between the two countries per year, each direction (none: no cap).",
        source="A lever: MOU systems admit a set number of workers a year (Myanmar's Ministry of Labour counted "
        "915,980 workers sent to Thailand under the MOU system up to March 2020).",
        kind="lever",
        construction=None,
        optional=True,
    ),
)


class MigrationRegime(Instrument):
    """Set the barrier to moving between two countries (both directions) and optionally cap the flow."""

    sections: ClassVar[tuple[str, ...]] = ("migration",)
    type: Literal["migration_regime"] = "migration_regime"
    countries: tuple[str, str] = Field(description="The two countries, e.g. [THA, MMR].")
    barrier: float | None = param_field(MIGRATION["barrier"])
    quota: float | None = param_field(MIGRATION["quota"])

    @field_validator("countries", mode="before")
    @classmethod
    def _a_pair(cls, value: object) -> object:
        # A regime is between two countries; several are several regimes (scenarios/open_labour_mobility.yaml).
        # pydantic's own words for a list of one or three ("required key is missing", "Tuple should have at most 2
        # items") do not say that.
        if isinstance(value, list | tuple) and len(value) != 2:
            raise ValueError(
                f"two countries, e.g. [THA, MMR], not {len(value)}: a regime sets the barrier between a pair; for "
                "more countries list one regime per pair"
            )
        return value

    def needs(self) -> dict[str, str]:
        # A quota caps realised moves, whatever the rule that chose them; the barrier is a cost in the logit choice.
        out = {"migration": "this migration_regime"}
        if self.barrier is not None or self.quota is None:
            out["moving_costs"] = "this migration_regime's barrier"
        return out

    def check(self, geo: Geography) -> None:
        for k, code in enumerate(self.countries):
            self.country_index(f"countries[{k}]", code, geo.country_names())
        if self.countries[0] == self.countries[1]:
            raise self.error("countries", "the two countries must differ")

    def places(self, geo: Geography, zones: dict[str, int]) -> Places:
        return Places(border=tuple(self.countries))

    def setup(self, model: SEZModel) -> list[Effect]:
        known = model.country_names
        a, b = (known.index(c) for c in self.countries)
        cells = np.ravel_multi_index(([a, b], [b, a]), (len(known), len(known)))
        effects = [Effect("border_barrier", cells, "move", self.barrier)]
        if self.quota is not None:
            effects.append(Effect("migration_quota", cells, "switch", self.quota))
        return effects
