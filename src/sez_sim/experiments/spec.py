"""Experiment files: a base scenario, factors, a design, replicates and outcomes (EMA Workbench's split).

Factors are the *uncertainties* to sample and the *levers* to compare; outcomes are what each run reports.
Errors follow the scenario rules: file, YAML path, what is wrong, what is allowed; exit code 2 on the CLI.

.. code-block:: yaml

    name: ossc_delay_sweep
    base: ../scenarios/ossc_rollout.yaml
    overrides: {run.years: 10}
    factors:
      - {key: ossc.approval_days, values: [3, 15, 30, 65]}          # a registry parameter ...
      - {key: policies.0.countries, values: [[LAO], [KHM]]}        # ... or any scenario path
    design: grid
    replicates: 3
    outcomes:
      - {name: lao_firms, table: provinces, column: firms, country: LAO}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import AfterValidator, Field, model_serializer, model_validator

from sez_sim import yamlio
from sez_sim.errors import Problem, ScenarioError, UserError, did_you_mean
from sez_sim.io import check_path
from sez_sim.params import registry
from sez_sim.scenario import (
    SECTION_PATHS,
    Scenario,
    folder_name,
    load_scenario,
    override_leaves,
    point_to_overrides,
    registry_path,
)
from sez_sim.yamlio import Strict, aliased, dotted, refuse_nulls

if TYPE_CHECKING:
    from sez_sim.geography.network import Geography

PER_WHAT = {"population": "person", "workers_m": "worker", "workers_a": "worker", "capacity_jobs": "job of capacity"}
"""What a per-unit column (:data:`sez_sim.results.PER_UNIT`) is per, in words."""

DEFAULT_SAMPLES, DEFAULT_LEVELS = 8, 3
"""A sampled design's ``samples`` and a grid factor's ``levels`` when a file gives none."""


class Factor(Strict):
    """One factor: a registry parameter (``economy.sigma``) or any scenario path (``policies.0.province``)."""

    key: str = Field(description="Registry key (economy.sigma) or scenario path (policies.0.province).")
    kind: Literal["uncertainty", "lever"] | None = Field(
        default=None,
        description="Uncertainty (a sampled design draws it) or lever (every value runs at every draw); default: the "
        "registry's kind (settings and scenario paths: lever).",
    )
    values: list[Any] | None = Field(default=None, min_length=1, description="Values to use (grid designs).")
    range: tuple[float, float] | None = Field(
        default=None, description="[low, high] to sample (default: the registry's bounds)."
    )
    levels: int | None = Field(
        default=None, ge=2, le=1000, description="Grid points across the range when no values are given (default 3)."
    )

    @property
    def param(self):
        """The registry entry this factor sets, if it is one."""
        return registry().get(self.key)

    @property
    def path(self) -> str:
        """The scenario path the factor overrides."""
        p = self.param
        return registry_path(p) if p is not None else dotted(self.key)

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The range to sample: given, or the registry's bounds."""
        if self.range is not None:
            return self.range
        p = self.param
        return tuple(p.bounds) if p is not None and not p.per else None

    @property
    def role(self) -> str:
        """Uncertainty or lever: the kind given, else the registry's (settings and scenario paths are levers)."""
        if self.kind:
            return self.kind
        p = self.param
        return p.kind if p is not None and p.kind != "setting" else "lever"

    @model_validator(mode="after")
    def _range_sane(self) -> Factor:
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError("range must be [low, high] with low < high")
        if self.range is not None and self.values is not None:
            raise ValueError("give values or a range, not both")
        return self


class Outcome(Strict):
    """One number each run reports.

    From the ``summary`` table (GMS aggregates), the ``provinces`` table (combined over the listed provinces, a
    country, or all) or the ``zones`` table (combined over the listed zones, the zones of some provinces or a
    country, the dataset's or the instruments' zones, or all); or, with ``at_least``, the share of the selected
    provinces or zones whose value is at least a threshold (how many zones fill). At a year (``at``, default the
    end) or averaged over a span of years (``over``), optionally as the relative change since the start
    (``change``) or since a year (``since``: growth over a window, for effects on a growth path rather than a level).
    """

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Column name in runs.parquet.")
    table: Literal["summary", "provinces", "zones"] = "summary"
    column: str = Field(description="Column of that table, e.g. gdp, gini, theil_t_between, firms_foreign, jobs.")
    provinces: list[str] | None = Field(
        default=None, description="provinces table: ids or exact names; zones table: the zones they host."
    )
    country: str | None = Field(
        default=None, description="provinces table: every province of this country; zones table: its zones."
    )
    within_km: tuple[float, float] | None = Field(
        default=None,
        description="provinces table: instead of the listed provinces, the others whose seat lies [from, to) km "
        "from the nearest of them (great-circle): their surroundings, for spillovers.",
    )
    zones: list[str] | None = Field(default=None, description="zones table: zone names, as in zones.parquet.")
    origin: Literal["dataset", "policy"] | None = Field(
        default=None,
        description="zones table: the dataset's zones operating at the start, or the zones instruments open.",
    )
    aggregate: Literal["sum", "mean"] | None = Field(
        default=None,
        description="How provinces or zones are combined: sum (the default), or mean; a column per person, worker or "
        "job of capacity (gdp_per_capita, real_income, wage_m, wage_a, real_wage_m, real_wage_a, occupancy) is the "
        "mean weighted by population, workers or capacity, never a sum; a province's earnings_gini, the mean weighted "
        "by population; a zone's management, awareness, record and credibility, the mean.",
    )
    weights: Literal["current", "start"] | None = Field(
        default=None,
        description="provinces table, a column per person or per worker: weigh each province by its population or "
        "workers at each step (current, the default: the selection's own GDP per capita or wage) or at the run's "
        "start (start: a fixed-weight index, which moves with what each province pays, not with where people live "
        "and work; paired runs of scenarios that differ only in policies starting later share their start, so their "
        "difference is the change within the provinces).",
    )
    at_least: float | None = Field(
        default=None,
        description="Report the share of the selected provinces or zones whose value is at least this, instead of "
        "combining them (a zone not built yet counts as below).",
    )
    at: float | Literal["end"] = Field(default="end", description="Calendar year (the step nearest it), or 'end'.")
    over: tuple[float, float] | None = Field(default=None, description="Average over years [from, to].")
    change: bool = Field(default=False, description="Report value / value at the start - 1.")
    since: float | None = Field(
        default=None,
        description="With change: the calendar year (the step nearest it) the change is relative to, instead of the "
        "start: value / value in that year - 1, the growth since then.",
    )

    @model_validator(mode="after")
    def _one_selection(self) -> Outcome:
        if self.provinces is not None and not self.provinces:
            raise ValueError("provinces: an empty list selects no province; leave provinces out for all of them")
        if self.provinces and self.country is not None:
            raise ValueError("give provinces or country, not both (a province outside the country would select none)")
        if self.zones is not None and not self.zones:
            raise ValueError("zones: an empty list selects no zone; leave zones out for all of them")
        if self.table != "zones" and (self.zones is not None or self.origin is not None):
            raise ValueError("zones and origin select rows of the zones table; add table: zones")
        if self.zones and (self.provinces or self.country is not None or self.origin is not None):
            raise ValueError("give zones, or select them by provinces, country or origin, not both")
        if self.at_least is not None and self.table == "summary":
            raise ValueError("at_least counts provinces or zones; the summary has one row a year (table: provinces)")
        if self.table == "summary" and self.aggregate == "mean":
            raise ValueError(
                "aggregate: the summary has one GMS-wide value a step, there is nothing to average; to average over "
                "provinces, add table: provinces"
            )
        if self.within_km is not None:
            low, high = self.within_km
            if not 0 <= low < high:
                raise ValueError(f"within_km: [{low:g}, {high:g}] must be [from, to) km with 0 <= from < to")
            if self.table != "provinces" or not self.provinces:
                raise ValueError(
                    "within_km selects the provinces round the listed ones: give table: provinces and provinces"
                )
        if self.at_least is not None and self.aggregate is not None:
            raise ValueError("give at_least (the share of them at or above it) or aggregate, not both")
        if self.over is not None and self.at != "end":
            raise ValueError("give at (one year) or over (the mean over years), not both")
        if self.over is not None and self.over[0] > self.over[1]:
            raise ValueError(f"over: [{self.over[0]:g}, {self.over[1]:g}] must be [from, to] with from <= to")
        if self.since is not None:
            if not self.change:
                raise ValueError("since is the year a change is relative to: add change: true")
            first = self.over[0] if self.over is not None else self.at
            if first != "end" and not self.since < first:
                raise ValueError(f"since: {self.since:g} must come before the years reported ({first:g})")
        return self

    @model_validator(mode="after")
    def _combined(self) -> Outcome:
        from sez_sim.results import INDICES, PER_UNIT, STEP_FLOWS, UNITS

        if self.change and self.column in STEP_FLOWS:
            raise ValueError(
                f"change: {self.column} counts what happens during a step, so it is 0 at the start, which a change "
                "is relative to; give its level, or its mean over years with over: [from, to]"
            )
        per = PER_UNIT.get(self.column) if self.table != "summary" else None
        rows = "provinces" if self.table == "provinces" else "zones"
        if per is not None and self.aggregate == "sum":
            what = "each province's own index" if UNITS.get(self.column) == "index" else f"per {PER_WHAT[per]}"
            raise ValueError(
                f"aggregate: {self.column} is {what}: a sum over {rows} means nothing; give mean "
                f"(weighted by {per}) or leave aggregate out"
            )
        if self.weights is not None:
            if self.table != "provinces":
                raise ValueError(f"weights: {self.weights} weighs provinces; add table: provinces")
            if per is None:
                weighed = ", ".join(k for k in PER_UNIT if k in UNITS)
                raise ValueError(
                    f"weights: {self.column} is not per person or per worker, so no weights (those that are: {weighed})"
                )
            if self.at_least is not None:
                raise ValueError("give at_least (the share of them at or above it) or weights, not both")
        index = self.table == "zones" and self.column in INDICES
        if index and self.aggregate == "sum":
            raise ValueError(f"aggregate: {self.column} is each zone's own index: a sum over zones means nothing")
        if self.aggregate is None and self.at_least is None:
            self.aggregate = "mean" if per is not None or index else "sum"
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> dict[str, Any]:
        # Unset, the selectors added after outcomes were first stored are left out, so an outcome that does not use
        # them dumps as before (a claim's fingerprint covers its outcome's dump).
        data = handler(self)
        optional = ("zones", "origin", "at_least", "within_km", "since", "weights")
        return {k: v for k, v in data.items() if k not in optional or v is not None}

    @property
    def unit(self) -> str:
        """The unit of the outcome: its column's, a share (``at_least``), or a relative change."""
        from sez_sim.results import RELATIVE, UNITS, ZONE_UNITS

        if self.change:
            return RELATIVE
        if self.at_least is not None:
            return "share"
        return (ZONE_UNITS if self.table == "zones" else UNITS).get(self.column, "")

    def value(
        self,
        summary: pd.DataFrame,
        provinces: pd.DataFrame,
        zones: pd.DataFrame | None = None,
        geo: Geography | None = None,
    ) -> float:
        """Compute the outcome from a run's tables.

        ``zones`` is the zone table, for outcomes of zones; ``geo`` the run's geography, for provinces selected by
        distance (``within_km``).

        Raises:
            ScenarioError: a change since the start of a value that is 0 at the start (a province's firms in
                zones where it has none).
        """
        if self.table == "summary":
            series = summary.set_index("year")[self.column]
        else:
            if self.table == "zones" and zones is None:
                raise ValueError(f"outcome {self.name} is of zones: give the run's zone table")
            if self.within_km is not None and geo is None:
                raise ValueError(f"outcome {self.name} selects provinces by distance: give the run's geography")
            rows = self._selected(provinces if self.table == "provinces" else zones, provinces, geo)
            if self.at_least is not None:
                series = (rows[self.column] >= self.at_least).groupby(rows["year"]).mean()
            else:
                series = _combine(rows, self.column, self.aggregate, fixed=self.weights == "start")
            if self.table == "zones" and self.aggregate == "sum":
                # A zone that is not there (yet, or at all in a comparison's other scenario) holds nothing.
                series = series.reindex(summary["year"].to_numpy(), fill_value=0.0)
        if series.empty:
            return float("nan")
        if self.over is not None:
            lo, hi = self.over
            value = float(series[(series.index >= lo) & (series.index <= hi)].mean())
        elif self.at == "end":
            value = float(series.iloc[-1])
        else:
            value = float(series.iloc[_nearest(series, self.at)])
        if not self.change:
            return value
        k = 0 if self.since is None else _nearest(series, self.since)
        start = float(series.iloc[k])
        if start == 0:
            what = self.column if self.at_least is None else f"the share with {self.column} >= {self.at_least:g}"
            when = "at the start" if self.since is None else "at the step nearest since"
            raise ScenarioError(
                [
                    Problem(
                        f"outcome {self.name}",
                        "change" if self.since is None else "since",
                        f"{what} is 0 {when} in this run ({series.index[k]:g}), so its change since then is "
                        "undefined; report its level (leave change out)",
                    )
                ]
            )
        return value / start - 1.0

    def _selected(self, rows: pd.DataFrame, provinces: pd.DataFrame, geo: Geography | None = None) -> pd.DataFrame:
        """The rows of provinces or zones the outcome selects (zones by their host's id or name)."""
        if self.zones:
            rows = rows[rows["zone"].isin(self.zones)]
        if self.origin is not None:
            rows = rows[rows["origin"] == self.origin]
        if self.within_km is not None:
            rows = rows[rows["province_id"].isin(set(self.surroundings(geo)))]
        elif self.provinces:
            wanted = set(self.provinces)
            named = provinces["province_id"].isin(wanted) | provinces["name"].isin(wanted)
            rows = rows[rows["province_id"].isin(set(provinces.loc[named, "province_id"]))]
        if self.country:
            rows = rows[rows["country"] == self.country]
        return rows

    def surroundings(self, geo: Geography) -> list[str]:
        """The ids of the provinces ``within_km`` selects in ``geo``.

        Those whose seat lies [from, to) km from the nearest listed one, the listed ones left out.
        """
        centres = [geo.index_of(name) for name in self.provinces or []]
        low, high = self.within_km
        km = geo.seat_km(centres)
        around = (km >= low) & (km < high)
        around[centres] = False
        return geo.provinces["id"][around].tolist()


def _combine(rows: pd.DataFrame, column: str, aggregate: str, fixed: bool = False) -> pd.Series:
    """Per year, the column summed or averaged over the rows (per-unit columns weighted by their unit).

    A group without any of the weighting unit (no modern workers) gets the plain mean, as one province on its own
    has its own value; a zone not built yet (no capacity, occupancy NaN) weighs nothing. ``fixed`` weighs each
    province by its unit in the first year of the rows (the run's start), every year.
    """
    from sez_sim.results import PER_UNIT

    grouped = rows.groupby("year")[column]
    if aggregate == "sum":
        return grouped.sum()
    unit = PER_UNIT.get(column)
    if unit is None:
        return grouped.mean()
    if fixed:
        start = rows[rows["year"] == rows["year"].min()].set_index("province_id")[unit]
        weight = rows["province_id"].map(start)
    else:
        weight = rows[unit]
    totals = rows.assign(_product=rows[column] * weight, _weight=weight).groupby("year")[["_product", "_weight"]].sum()
    weighted = totals["_product"] / totals["_weight"].where(totals["_weight"] > 0)
    return weighted.fillna(grouped.mean())


DEFAULT_OUTCOMES = [
    Outcome(name="gdp", column="gdp"),
    Outcome(name="gdp_growth", column="gdp", change=True),
    Outcome(name="real_income", table="provinces", column="real_income"),
    Outcome(name="gini", column="gini"),
    Outcome(name="theil_between", column="theil_t_between"),
    Outcome(name="theil_within", column="theil_t_within"),
    Outcome(name="capital_gdp_share", column="capital_gdp_share"),
    Outcome(name="border_gdp_share", column="border_gdp_share"),
    Outcome(name="foreign_firms", column="firms_foreign"),
]
"""What ``compare`` reports when not told otherwise: headline aggregates at the end of the run. GDP is nominal; real
income per person (the population-weighted mean over the provinces, deflated by the price of goods) shows what
changes in prices do, corridors' main channel."""


def _overlap(a: str, b: str) -> bool:
    """Whether two dotted scenario paths set the same value: equal, or one inside the other."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


class Experiment(Strict):
    """An experiment file."""

    name: Annotated[str, AfterValidator(folder_name)] = Field(max_length=100, description="Names the output folder.")
    description: str = ""
    base: str = Field(description="The base scenario file (relative to the experiment file).")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Fixed dotted-key overrides of the base; a nested mapping sets the keys it holds and keeps the "
        "base's others (policy_defaults: {sez: {capacity_jobs: 5000}} is policy_defaults.sez.capacity_jobs).",
    )
    factors: list[Factor] = Field(default_factory=list)
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(
        default=None, ge=1, le=100_000, description="lhs: runs; sobol/morris: base sample N (default 8; not for grids)."
    )
    replicates: int = Field(default=1, ge=1, le=10_000, description="Runs per design point, on different seeds.")
    seed: int = Field(default=1, ge=0, description="Seeds are seed, seed+1, ... per replicate.")
    common_random_numbers: bool = Field(
        default=True, description="All design points share the replicates' seeds (levers compared on the same noise)."
    )
    years: float | None = Field(default=None, gt=0, description="Years per run (default: the base scenario's).")
    outcomes: list[Outcome] = Field(default_factory=lambda: list(DEFAULT_OUTCOMES), min_length=1)

    _source: Path | None = None

    @model_validator(mode="after")
    def _design_needs(self) -> Experiment:
        paths: dict[str, int] = {}
        for k, f in enumerate(self.factors):
            if not self.draws(f):
                if f.values is None and f.bounds is None:
                    needs = (
                        "a grid needs"
                        if self.design == "grid"
                        else f"a lever, crossed with the {self.design} sample, needs"
                    )
                    raise ValueError(f"factors[{k}] ({f.key}): {needs} values, a range, or a registry parameter")
                if f.values is None and f.levels is None:
                    f.levels = DEFAULT_LEVELS
            else:
                if f.values is not None:
                    raise ValueError(
                        f"factors[{k}] ({f.key}): {self.design} samples an uncertainty's range; values are for grid "
                        "designs and levers (kind: lever)"
                    )
                if f.bounds is None:
                    raise ValueError(f"factors[{k}] ({f.key}): {self.design} samples a range; give range: [low, high]")
                if f.levels is not None:
                    raise ValueError(
                        f"factors[{k}] ({f.key}): levels are a grid's and a lever's; {self.design} samples an "
                        "uncertainty"
                    )
            for path, j in paths.items():
                if _overlap(f.path, path):
                    raise ValueError(f"factors[{k}] ({f.key}) sets what factors[{j}] ({path}) sets")
            paths[f.path] = k
        refuse_nulls(self.overrides)
        fixed = {aliased(dotted(key), SECTION_PATHS): key for key in override_leaves(self.overrides)}
        for k, f in enumerate(self.factors):
            for path, key in fixed.items():
                if _overlap(f.path, path):
                    raise ValueError(
                        f"factors[{k}] ({f.key}) sets what overrides ({key}) fixes: its values would replace the "
                        "fixed one; drop one of them"
                    )
        for path, where in [
            *((p, "overrides") for p in fixed),
            *((f.path, f"factors[{k}]") for k, f in enumerate(self.factors)),
        ]:
            if path == "run.seed":
                raise ValueError(
                    f"{where}: run.seed would be ignored: each run's seed is the experiment's seed plus its replicate"
                )
            if path == "run.years" and self.years is not None:
                raise ValueError(
                    f"{where}: run.years would be ignored: the experiment's years ({self.years:g}) sets every run's "
                    "length"
                )
        if self.design == "grid" and self.samples is not None:
            raise ValueError(
                "samples: a grid runs every combination of its factors' values (give values or levels); samples is "
                "for lhs, sobol and morris"
            )
        if self.design != "grid" and self.samples is None:
            self.samples = DEFAULT_SAMPLES
        if self.design == "sobol" and self.samples & (self.samples - 1):
            below = 1 << (self.samples.bit_length() - 1)
            raise ValueError(
                f"samples: a Sobol' design's base sample N must be a power of two (the balance of Sobol' points, on "
                f"which the indices' convergence rests, holds only there): {self.samples} is not; use {below} or "
                f"{2 * below}"
            )
        levers = [f.key for f in self.crossed()]
        crossed = f" ({', '.join(levers)} {'is a lever' if len(levers) == 1 else 'are levers'}: crossed, not sampled)"
        if self.design == "lhs" and not self.sampled():
            raise ValueError(
                "design: lhs samples uncertainties; give at least one (a grid with none runs the replicates)"
                + (crossed if levers else "")
            )
        if self.design in ("sobol", "morris") and len(self.sampled()) < 2:
            raise ValueError(
                f"design: {self.design} needs at least two uncertain factors" + (crossed if levers else "")
            )
        names: dict[str, int] = {}
        for i, outcome in enumerate(self.outcomes):
            if outcome.name in names:
                raise ValueError(f"outcomes[{i}] has the same name as outcomes[{names[outcome.name]}] ({outcome.name})")
            names[outcome.name] = i
        return self

    def draws(self, factor: Factor) -> bool:
        """Whether the design draws ``factor``: a sampled design (lhs, sobol, morris) draws its uncertainties."""
        return self.design != "grid" and factor.role == "uncertainty"

    def sampled(self) -> list[Factor]:
        """The factors the design draws (none in a grid)."""
        return [f for f in self.factors if self.draws(f)]

    def crossed(self) -> list[Factor]:
        """The factors every combination of whose values runs: all of a grid's, a sampled design's levers.

        As in EMA Workbench's experiments (scenarios x policies), each combination of the levers runs at every point
        of the uncertainties' sample, so levers are compared on the same draws.
        """
        return [f for f in self.factors if not self.draws(f)]

    @property
    def source(self) -> Path | None:
        """The file the experiment came from."""
        return self._source

    def with_options(self, options: Mapping[str, tuple[str, Any]]) -> Experiment:
        """A checked copy with options applied (``{"replicates": ("replicates", 3)}``; None values left out)."""
        if all(value is None for _, value in options.values()):
            return self
        experiment, _ = yamlio.load(
            Experiment, self.model_dump(mode="json"), options=options, kind="experiment", where=str(self.source)
        )
        experiment._source = self._source
        check(experiment)
        return experiment

    def base_path(self) -> Path:
        """The base scenario file."""
        root = self._source.parent if self._source else Path.cwd()
        return (root / self.base).resolve()

    def base_scenario(self) -> Scenario:
        """The base scenario with the experiment's overrides (a bad one names this file's ``overrides``)."""
        where = f"{self._source or '<experiment>'} (overrides)"
        fixed = override_leaves(self.overrides)
        return load_scenario(self.base_path(), options={key: (where, v) for key, v in fixed.items()})


def load_experiment(
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str] | None = None,
    *,
    options: Mapping[str, tuple[str, Any]] | None = None,
) -> Experiment:
    """Load and validate an experiment file, and check everything it asks for before any run starts.

    Args:
        source: an experiment file, or a mapping with the same content.
        overrides: ``["key=value", ...]`` overrides of the experiment's own keys.
        options: overrides from flags or arguments (``{"years": ("--years", 3)}``), validated the same way.

    Raises:
        ScenarioError: listing every problem (file, YAML path, message): the experiment's own keys, its base
            scenario, every factor value and range (against the registry and the scenario schema), and every
            outcome's column, provinces, country and years.
    """
    try:
        experiment, path = yamlio.load(Experiment, source, overrides, kind="experiment", options=options)
    except ScenarioError as exc:
        raise point_to_overrides(exc) from None
    experiment._source = path
    check(experiment)
    return experiment


def check(experiment: Experiment) -> None:
    """Check an experiment against its base scenario (see :func:`load_experiment`)."""
    where = str(experiment.source or "<experiment>")
    try:
        check_path(experiment.base, "base scenario", ScenarioError)
        base_path = experiment.base_path()
        check_path(base_path, "base scenario", ScenarioError)
    except ScenarioError as exc:
        raise ScenarioError([Problem(where, "base", exc.problems[0].message)]) from None
    if not base_path.exists():
        raise ScenarioError([Problem(where, "base", f"scenario file not found: {experiment.base}")])
    if base_path.is_dir():
        raise ScenarioError([Problem(where, "base", f"{experiment.base} is a folder; give a scenario file")])
    base = experiment.base_scenario()
    problems: list[Problem] = []
    spy, start = base.run.steps_per_year, base.run.start_year
    years = experiment.years if experiment.years is not None else base.run.years
    if round(years * spy) < 1:
        problems.append(Problem(where, "years", f"{years:g} years is no whole step at {spy} steps a year"))
    for k, factor in enumerate(experiment.factors):
        problems += _factor_problems(experiment, base, k, factor, where)
    geo = base.build_geography()
    zones = _zones_of_points(experiment, base, geo)
    for i, outcome in enumerate(experiment.outcomes):
        problems += outcome_problems(outcome, f"outcomes[{i}]", geo, start, start + years, where, zones, spy)
    if problems:
        raise ScenarioError(problems)


def _zones_of_points(experiment: Experiment, base: Scenario, geo: Any) -> list[str]:
    """The zones the experiment's runs can have: the base's and those a factor's value opens (a policy list)."""
    names = base.zone_names(geo)
    for factor in experiment.factors:
        if not factor.path.startswith("policies"):
            continue
        for value in factor.values or []:
            try:
                names += [z for z in base.with_changes({factor.path: value}).zone_names(geo) if z not in names]
            except UserError:
                continue  # the factor's own problem, reported with it
    return names


def _factor_problems(experiment: Experiment, base: Scenario, k: int, factor: Factor, where: str) -> list[Problem]:
    """What is wrong with a factor: its values and range must be values the base scenario accepts."""
    param = factor.param
    trials: list[tuple[str, Any]] = [(f"factors[{k}].values[{j}]", v) for j, v in enumerate(factor.values or [])]
    if factor.range is not None:
        trials += [(f"factors[{k}].range[{j}]", v) for j, v in enumerate(factor.range)]
    elif experiment.design != "grid" and param is not None and factor.values is None:
        trials += [(f"factors[{k}] (registry bounds)", v) for v in factor.bounds or ()]
    out = []
    for place, value in trials:
        try:
            base.with_changes({factor.path: value})
        except ScenarioError as exc:
            unknown = [p for p in exc.problems if "unknown key" in p.message or "no index" in p.message]
            if unknown and param is None:
                hint = did_you_mean(factor.key, registry(), n=2, cutoff=0.85)
                hint = f"; {hint}" if hint else ""
                message = f"{factor.key!r} is neither a registry parameter nor a scenario path ({unknown[0].message})"
                return [Problem(where, f"factors[{k}].key", message + hint)]
            out += [
                Problem(where, place, f"{value!r}: {p.where + ': ' if p.where else ''}{p.message}")
                for p in exc.problems
            ]
    return out


def _nearest(series: pd.Series, year: float) -> int:
    """The position of the step nearest ``year`` in a series indexed by calendar year."""
    return int(np.argmin(np.abs(series.index.to_numpy() - year)))


def outcome_problems(
    outcome: Outcome,
    place: str,
    geo: Any,
    start: float,
    end: float,
    where: str,
    zones: list[str] | None = None,
    steps_per_year: int | None = None,
) -> list[Problem]:
    """What is wrong with an outcome: an unknown column, province, country or zone, or years outside the run.

    Args:
        outcome: the outcome.
        place: its YAML path (``outcomes[2]``) or name.
        geo: the runs' geography.
        start: the runs' first year.
        end: their last year.
        where: the file (or option) it came from.
        zones: the zones the runs can have (:meth:`Scenario.zone_names`), which the outcome's zones must be among.
        steps_per_year: the runs' steps a year, at which a span of years (``over``) must hold a step.
    """
    from sez_sim.results import PANEL_COLUMNS, SUMMARY_COLUMNS, ZONE_VALUES

    out = []
    columns = {"summary": SUMMARY_COLUMNS, "provinces": PANEL_COLUMNS[5:], "zones": ZONE_VALUES}[outcome.table]
    if outcome.column not in columns:
        out.append(
            Problem(
                where,
                f"{place}.column",
                f"{outcome.column!r} is not a column of the {outcome.table} table (columns: {', '.join(columns)})",
            )
        )
    if outcome.table == "summary" and (outcome.provinces or outcome.country):
        out.append(
            Problem(where, place, "provinces and country select rows of the provinces table; add table: provinces")
        )
    for j, name in enumerate(outcome.zones or []):
        if zones is not None and name not in zones:
            listed = ", ".join(zones[:12]) + (f", ... ({len(zones)} in all)" if len(zones) > 12 else "")
            hint = did_you_mean(name, zones) or f"its zones: {listed or 'none'}"
            out.append(Problem(where, f"{place}.zones[{j}]", f"no zone {name!r} in the runs ({hint})"))
    unknown = len(out)
    for j, name in enumerate(outcome.provinces or []):
        try:
            geo.index_of(name)
        except UserError as exc:
            out.append(Problem(where, f"{place}.provinces[{j}]", exc.problems[0].message))
    if outcome.within_km is not None and len(out) == unknown and not outcome.surroundings(geo):
        centres = [geo.index_of(name) for name in outcome.provinces]
        km = np.delete(geo.seat_km(centres), centres)
        nearest = f"; the other seats lie {km.min():.0f}-{km.max():.0f} km from them" if km.size else ""
        low, high = outcome.within_km
        message = f"no other province's seat lies {low:g} to {high:g} km from the listed provinces{nearest}"
        out.append(Problem(where, f"{place}.within_km", message))
    if outcome.country is not None and outcome.country not in geo.country_names():
        out.append(
            Problem(
                where,
                f"{place}.country",
                f"unknown country {outcome.country!r} (this geography has {', '.join(geo.country_names())})",
            )
        )
    years = [outcome.at] if outcome.at != "end" else []
    years += list(outcome.over or []) + ([outcome.since] if outcome.since is not None else [])
    for year in dict.fromkeys(years):  # a one-year window names its year twice: say so once
        if not start <= year <= end:
            out.append(Problem(where, place, f"year {year:g} is outside the run ({start:g}-{end:g})"))
    since = outcome.since
    if since is not None and steps_per_year and start <= since <= end:
        # The step the change is from must come before the first step reported (the end, the year or the window).
        window = outcome.over is not None
        first = outcome.over[0] if window else end if outcome.at == "end" else outcome.at
        steps = (first - start) * steps_per_year
        if round((since - start) * steps_per_year) >= (math.ceil(steps - 1e-9) if window else round(steps)):
            message = f"{since:g} falls on the first step reported ({first:g}) or after it: no change to measure"
            out.append(Problem(where, f"{place}.since", message))
    if outcome.over is not None and steps_per_year and all(start <= year <= end for year in outcome.over):
        first = math.ceil((outcome.over[0] - start) * steps_per_year - 1e-9)
        if first > math.floor((outcome.over[1] - start) * steps_per_year + 1e-9):
            near = start + first / steps_per_year
            message = (
                f"[{outcome.over[0]:g}, {outcome.over[1]:g}] holds no step of the run (every "
                f"{1 / steps_per_year:g} years from {start:g}; the next is {near:g}): its mean would be no number"
            )
            out.append(Problem(where, f"{place}.over", message))
    return out


def parse_outcome(text: str, where: str = "--outcome") -> Outcome:
    """An outcome written as in experiment files, in YAML's one-line form (``{name: tak_gdp, column: gdp, ...}``).

    Raises:
        ScenarioError: naming ``where`` and the key at fault.
    """
    data = yamlio.parse_yaml(text, where)
    if not isinstance(data, dict):
        example = "{name: tak_gdp, table: provinces, column: gdp, provinces: [Tak]}"
        raise ScenarioError([Problem(where, "", f"{text!r} is not an outcome; give a mapping, e.g. {example!r}")])
    outcome, _ = yamlio.load(Outcome, data, kind="outcome", where=where)
    return outcome


def dump(experiment: Experiment) -> str:
    """The experiment as YAML (stored with the outputs)."""
    return yaml.safe_dump(experiment.model_dump(mode="json"), sort_keys=False)
