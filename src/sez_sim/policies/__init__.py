"""Policy instruments, one module per instrument, and the union type scenario files use.

=====================  ==========================================================================
``type``               instrument
=====================  ==========================================================================
sez                    :class:`~sez_sim.policies.zones.SEZInstrument`
cbez                   :class:`~sez_sim.policies.zones.CBEZInstrument`
ossc                   :class:`~sez_sim.policies.ossc.OSSCInstrument`
corridor_upgrade       :class:`~sez_sim.policies.corridors.CorridorUpgrade`
border_facilitation    :class:`~sez_sim.policies.borders.BorderFacilitation`
migration_regime       :class:`~sez_sim.policies.migration.MigrationRegime`
minimum_wage           :class:`~sez_sim.policies.labour.MinimumWage`
corporate_tax          :class:`~sez_sim.policies.investment.CorporateTax`
fdi_inflow             :class:`~sez_sim.policies.investment.FDIInflow`
=====================  ==========================================================================
"""

from typing import Annotated

from pydantic import Field

from sez_sim.policies.borders import BorderFacilitation
from sez_sim.policies.corridors import CorridorUpgrade
from sez_sim.policies.investment import CorporateTax, FDIInflow
from sez_sim.policies.labour import MinimumWage
from sez_sim.policies.migration import MigrationRegime
from sez_sim.policies.ossc import OSSCInstrument
from sez_sim.policies.zones import CBEZInstrument, SEZInstrument, ZoneTable

INSTRUMENTS = (
    SEZInstrument,
    CBEZInstrument,
    OSSCInstrument,
    CorridorUpgrade,
    BorderFacilitation,
    MigrationRegime,
    MinimumWage,
    CorporateTax,
    FDIInflow,
)

Policy = Annotated[
    SEZInstrument
    | CBEZInstrument
    | OSSCInstrument
    | CorridorUpgrade
    | BorderFacilitation
    | MigrationRegime
    | MinimumWage
    | CorporateTax
    | FDIInflow,
    Field(discriminator="type"),
]
"""One policy instrument in a scenario file, chosen by its ``type``."""

__all__ = ["INSTRUMENTS", "Policy", "ZoneTable", *[c.__name__ for c in INSTRUMENTS]]
