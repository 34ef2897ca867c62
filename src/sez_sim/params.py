"""The parameter registry: every parameter with default, unit, bounds, description, source and kind.

Each component declares its own parameters, in one place, with :func:`declare` (Starsim-style): the economy in
``sez_sim.economy.params``, firms and workers in their modules, each policy instrument in its module. The
registry collects them; scenario files, ``--set`` overrides, experiments and ``sez-sim params`` all read it.

Kinds follow the EMA Workbench split: an **uncertainty** is a fact about the world we do not know exactly (sample
it in sensitivity analysis), a **lever** is something a government chooses (compare its values), a **setting** is
a modelling or numerical choice (resolution, tolerance) that is neither.

Values of per-country parameters are mappings from country code to value; the key ``"*"`` gives the value for
any country not listed. Per-pair parameters use ``"A-B"`` keys (order does not matter).
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

Kind = Literal["uncertainty", "lever", "setting"]
Per = Literal["country", "country_pair"] | None
Stage = Literal["calibration", "setup"]
STAGES: tuple[Stage, ...] = ("calibration", "setup")
"""The stages of model construction, in order (:attr:`Param.construction`)."""

_COMPONENT_MODULES = (
    "sez_sim.economy.params",
    "sez_sim.economy.mechanisms",
    "sez_sim.agents.firms",
    "sez_sim.agents.workers",
    "sez_sim.zones",
    "sez_sim.policies",
)


@dataclass(frozen=True, kw_only=True)
class Param:
    """One parameter, declared by keyword.

    Attributes:
        name: the name within the section; the full key is ``section.name``.
        default: the default value (a mapping for per-country or per-pair parameters).
        unit: the unit, in words.
        bounds: the admissible range (lower, upper), inclusive; experiments sample within it.
        description: what it means, in a sentence.
        source: where the default comes from.
        kind: uncertainty, lever or setting.
        per: ``"country"`` or ``"country_pair"`` when the value is a mapping, else None.
        integer: the value is an integer.
        optional: None is admissible and means "not set" (a policy default such as a quota that most regimes
            do not have).
        construction: the stage of model construction (:func:`sez_sim.build.build`) that first reads it:
            ``"calibration"`` (the economy's calibration and the firms' steady state; the default), ``"setup"`` (the
            set-up that follows: the workers' moving costs and amenities, the approval queue, the newcomer cost of
            untried zones) or None (construction does not read it: only the steps, the growth mechanisms' set-up and
            the policy instruments do). The construction cache keys each stage's result by the parameters read up
            to it, so runs that differ only in parameters of a later stage restore what comes before: a sweep over a
            None parameter builds once per seed, one over a ``"setup"`` parameter redoes only the set-up.
            ``tests/test_cache.py`` records what each stage reads and fails when a parameter is read earlier than
            declared.
        section: the component owning it (``economy``, ``firms``, ``workers``, ``sez``, ...); set by
            :func:`declare`.
    """

    name: str
    default: Any
    unit: str
    bounds: tuple[float, float]
    description: str
    source: str
    kind: Kind
    per: Per = None
    integer: bool = False
    optional: bool = False
    construction: Stage | None = "calibration"
    section: str = ""

    @property
    def key(self) -> str:
        """The dotted key, ``section.name``."""
        return f"{self.section}.{self.name}"

    def check(self, value: Any) -> list[str]:
        """Return what is wrong with a value (empty when it is admissible)."""
        if value is None and self.optional:
            return []
        if self.per:
            if not isinstance(value, Mapping):
                return [f"expected a mapping of {self.per.replace('_', ' ')} to value, got {value!r}"]
            problems = []
            for k, v in value.items():
                problems += [f"[{k}]: {p}" for p in self._check_scalar(v)]
            return problems
        return self._check_scalar(value)

    def _check_scalar(self, value: Any) -> list[str]:
        lo, hi = self.bounds
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"expected a number in [{lo:g}, {hi:g}] ({self.unit}), got {value!r}"]
        if self.integer and int(value) != value:
            return [f"expected an integer in [{lo:g}, {hi:g}], got {value!r}"]
        if not lo <= value <= hi:
            return [f"{value!r} is outside the allowed range [{lo:g}, {hi:g}] ({self.unit})"]
        return []


_REGISTRY: dict[str, Param] = {}
_complete = False
"""Whether every component module has been imported (:func:`_declared`)."""


def declare(section: str, *params: Param) -> dict[str, Param]:
    """Register a component's parameters under ``section``; returns them by name."""
    out = {}
    for entry in params:
        p = replace(entry, section=section)
        if p.key in _REGISTRY and _REGISTRY[p.key] != p:
            raise ValueError(f"parameter {p.key} declared twice")
        problems = p.check(p.default)
        if problems:
            raise ValueError(f"default of {p.key}: {'; '.join(problems)}")
        _REGISTRY[p.key] = p
        out[p.name] = p
    return out


def _declared() -> dict[str, Param]:
    """:data:`_REGISTRY` once every component is imported (and so has declared its parameters)."""
    global _complete
    if not _complete:
        for module in _COMPONENT_MODULES:
            importlib.import_module(module)
        _complete = True
    return _REGISTRY


def registry() -> dict[str, Param]:
    """All declared parameters by dotted key (imports every component so that all are declared)."""
    return dict(_declared())


def param(key: str) -> Param | None:
    """The declared parameter with this dotted key, if any (:func:`registry` without copying it)."""
    return _declared().get(key)


def defaults(sections: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Default values as ``{section: {name: value}}`` (deep copies of mappings)."""
    out: dict[str, dict[str, Any]] = {}
    wanted = set(sections) if sections is not None else None
    for p in registry().values():
        if wanted is None or p.section in wanted:
            value = dict(p.default) if isinstance(p.default, Mapping) else p.default
            out.setdefault(p.section, {})[p.name] = value
    return out


def layered(*layers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Parameter values from layers applied in order (``{section: {name: value}}``, later layers win).

    A per-country or per-pair mapping without a ``"*"`` entry is merged key by key, so ``corporate_tax: {THA:
    0.1}`` changes Thailand's rate and keeps every other country's; one with ``"*"`` gives every country a value
    and replaces the mapping (``{"*": 0.1, THA: 0.2}``: Thailand 0.2, everyone else 0.1).
    """
    reg = registry()
    out: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for section, values in layer.items():
            current = out.setdefault(section, {})
            for name, value in values.items():
                param = reg.get(f"{section}.{name}")
                old = current.get(name)
                merge = (
                    param is not None
                    and param.per
                    and isinstance(old, Mapping)
                    and isinstance(value, Mapping)
                    and "*" not in value
                )
                current[name] = {**old, **value} if merge else copy.deepcopy(value)
    return out


def per_country(value: Mapping[str, float], countries: Iterable[str]) -> list[float]:
    """Expand a per-country mapping to one value per country, using ``"*"`` for unlisted countries.

    Raises:
        KeyError: when a country is missing and there is no ``"*"`` entry.
    """
    return [float(value[c]) if c in value else float(value["*"]) for c in countries]


def per_pair(value: Mapping[str, float], countries: list[str]) -> list[list[float]]:
    """Expand a per-pair mapping (``"THA-MMR"`` keys, order-free) to a country x country matrix; 0 on the diagonal."""
    k = len(countries)
    out = [[0.0] * k for _ in range(k)]
    for i, a in enumerate(countries):
        for j, b in enumerate(countries):
            if i != j:
                out[i][j] = float(value.get(f"{a}-{b}", value.get(f"{b}-{a}", value["*"])))
    return out
