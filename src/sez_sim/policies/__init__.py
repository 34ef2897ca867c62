"""Policy instruments, one module per instrument, declared once in :data:`INSTRUMENTS`.

The scenario union (:data:`Policy`), the ``policy_defaults`` sections (:data:`POLICY_SECTIONS`) and the
reference in docs/scenarios.md all derive from that one tuple; an instrument's ``type`` is its tag.
"""

from functools import reduce
from operator import or_
from typing import Annotated

from pydantic import Field

from sez_sim.policies.base import Instrument
from sez_sim.policies.borders import BorderFacilitation
from sez_sim.policies.closures import ZoneClosure
from sez_sim.policies.corridors import CorridorUpgrade
from sez_sim.policies.investment import CorporateTax, FDIInflow
from sez_sim.policies.labour import MinimumWage
from sez_sim.policies.migration import MigrationRegime
from sez_sim.policies.ossc import OSSCInstrument
from sez_sim.policies.ports import PortInstrument
from sez_sim.policies.programmes import CapacityBuilding, InvestmentPromotion, ZoneCredibility
from sez_sim.policies.zones import CBEZInstrument, SEZInstrument

INSTRUMENTS: tuple[type[Instrument], ...] = (
    SEZInstrument,
    CBEZInstrument,
    CapacityBuilding,
    InvestmentPromotion,
    ZoneCredibility,
    ZoneClosure,
    OSSCInstrument,
    CorridorUpgrade,
    BorderFacilitation,
    PortInstrument,
    MigrationRegime,
    MinimumWage,
    CorporateTax,
    FDIInflow,
)
"""Every policy instrument, in the order the reference lists them."""

Policy = Annotated[reduce(or_, INSTRUMENTS), Field(discriminator="type")]
"""One policy instrument in a scenario file, chosen by its ``type``."""

POLICY_SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(s for i in INSTRUMENTS for s in i.sections))
"""Registry sections that hold the instruments' defaults (``policy_defaults.<section>`` in scenario files)."""

MODEL_SECTIONS: tuple[str, ...] = ("sez", "ossc")
"""Policy sections the model reads for the dataset's operating zones as well; every other policy section acts only
through the instruments that declare it, so its parameters are inert in a scenario without one."""

BY_TYPE: dict[str, type[Instrument]] = {i.tag(): i for i in INSTRUMENTS}
"""Each instrument class by its ``type`` tag."""

__all__ = [
    "BY_TYPE",
    "INSTRUMENTS",
    "MODEL_SECTIONS",
    "POLICY_SECTIONS",
    "Instrument",
    "Policy",
    *[c.__name__ for c in INSTRUMENTS],
]
