"""Claims: a published statement put to the model, with a verdict, its robustness and what it hinges on.

A claim file (:class:`Claim`) names a baseline and a treatment scenario, an outcome, and what the claim expects of
the effect: a direction with the smallest effect that counts, or a range (``expect: within``, for claims of a size:
"raises host GDP by about 20%"; either end may be open, for "no worse than a 5% fall"), absolute or, with
``relative``, as a share of the baseline. A claim without a baseline is about a level of the treatment itself ("a
third of declared zones become active"), always a range.
:func:`evaluate` answers it in three parts; the *quantity* judged is the paired effect (treatment - baseline, or
``(treatment - baseline) / |baseline|`` with ``relative``) or, without a baseline, the treatment's outcome.

1. **Verdict at the default parameters.** ``replicates`` runs of each scenario (paired on seeds ``seed``,
   ``seed + 1``, ...: common random numbers) give the quantity's mean ``d`` with a Student-t 95% interval
   ``[lo, hi]``. With the threshold ``m = max(min_effect, min_relative |baseline mean|)``, a directional claim is
   ``supported`` when the interval lies beyond ``m`` in the expected direction (``lo > m`` for an increase,
   ``hi < -m`` for a decrease), ``contradicted`` when it lies wholly on the other side of zero, and
   ``inconclusive`` otherwise. An inconclusive interval that falls wholly short of ``m`` (``hi < m`` for an
   increase; the model finds no effect of the claimed size, perhaps a smaller one in its direction) is marked so
   (``short_of_threshold`` in ``verdict.json``, a sentence in the reports): more replicates would not make it
   supported. A range claim ``[a, b]`` is ``supported`` when the interval lies inside the range,
   ``contradicted`` when it lies wholly outside it, and ``inconclusive`` when it straddles an end: the replicates
   cannot tell whether the quantity is in the range.
2. **Robustness** (Starr's domain criterion, as in robust decision making: McPhail et al. 2018). ``samples`` draws
   of the uncertainties, a Latin hypercube over their ranges (the registry's bounds unless the claim narrows
   them). A draw the scenario rules refuse (a combination the economy cannot have) is replaced by a uniform draw
   from a stream of its own until the rules accept it, so every draw is a model that runs, and the number refused
   is reported, by the rule that refused them (the combinations the model cannot have). Each draw gets one paired
   run on seed ``seed``; the claim holds in it when its quantity is beyond ``m`` in the expected direction (or
   inside the range). The share of draws in which it holds gets an exact (Clopper-Pearson) 95% interval.
3. **What it hinges on.** Over the draws, PRIM (EMA Workbench 3.x, ``prim.Prim``; Friedman & Fisher 1999, Bryant &
   Lempert 2010; :mod:`sez_sim.experiments.discovery`) looks for a box of parameter values where the claim fails. On
   the peeling trajectory, among the boxes that hold at least half of the failures, the one chosen restricts the
   fewest parameters while coming within 0.05 of the highest density; reported with its restrictions, coverage,
   density and how often resampling half the draws reproduces each restriction (10 resamples) and its quasi-p-value
   (a one-sided binomial test of whether the box's density needs it). A restriction found in under half of the
   resamples, or with a quasi-p-value of 0.05 or more, is marked not reproducible, and a box with no reproducible
   restriction says the failures are spread over the uncertainties rather than in one corner. Extra-trees feature
   scores (``get_ex_feature_scores``) rank the parameters.
   When the claim holds, or fails, in every draw, there is nothing to discover and the report says so. A range
   claim can fail by falling short of its range or by overshooting it, two questions with different answers: the
   draws on each side are counted, and PRIM looks for where the commoner one happens.
"""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator
from scipy import stats
from scipy.stats import qmc

from sez_sim import yamlio
from sez_sim.errors import Problem, ScenarioError, UserError
from sez_sim.experiments import executors
from sez_sim.experiments.batch import finished_runs, run_key, store_run
from sez_sim.experiments.compare import interval
from sez_sim.experiments.discovery import prim_box
from sez_sim.experiments.spec import Outcome, outcome_problems
from sez_sim.io import atomic_path, check_target, write_marker
from sez_sim.params import registry
from sez_sim.results import by_rule, significant
from sez_sim.runs import git_commit, git_dirty
from sez_sim.scenario import (
    Scenario,
    load_scenario,
    override_leaves,
    pairing_problems,
    point_to_overrides,
    registry_path,
    sha256,
)
from sez_sim.version import __version__
from sez_sim.yamlio import Strict, leaves, refuse_nulls

FAILING = {"below": "falls short of the range", "above": "overshoots the range"}
"""How a range claim fails on each side, in the report's words (``hinges_on.failing`` of ``verdict.json``)."""

UNSTEADY_BASE = 0.1
"""A relative claim's baseline is unsteady when its smallest value over the default replicates is under this share of
its largest: a zone that fills in some replicates and stays nearly empty in others gives ratios that are mostly
noise (found answering ``zone_incentives_matter_little`` the other way round: an interval of -770% to +6,600%)."""


class Uncertainty(Strict):
    """An uncertain registry parameter the robustness draws vary, optionally over a narrower range."""

    key: str = Field(description="Registry key of an uncertainty (firms.entry_logit_scale).")
    range: tuple[float, float] | None = Field(default=None, description="[low, high] (default: the registry's bounds).")

    @model_validator(mode="after")
    def _known(self) -> Uncertainty:
        param = registry().get(self.key)
        if param is None or param.kind != "uncertainty" or param.per:
            # A scenario path (agents.firms.hazard) names the registry key it sets (firms.hazard).
            keys = [k for k, p in registry().items() if registry_path(p) == self.key and p.kind == "uncertainty"]
            hint = f"; the registry calls it {keys[0]!r}" if keys and not registry()[keys[0]].per else ""
            raise ValueError(
                f"{self.key!r} is not an uncertainty of the registry with one value (sez-sim params){hint}"
            )
        low, high = param.bounds
        if self.range is not None and not low <= self.range[0] < self.range[1] <= high:
            raise ValueError(f"range must be [low, high] with {low:g} <= low < high <= {high:g}")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the draws cover."""
        return self.range if self.range is not None else tuple(registry()[self.key].bounds)


class Claim(Strict):
    """A published claim as a model experiment (``experiments/claims/*.yaml``; docs/claims.md)."""

    name: str = Field(description="Short name (used for the output folder).", pattern=r"^[A-Za-z0-9_.-]+$")
    statement: str = Field(description="The claim as published.")
    source: str = Field(description="Where it was published.")
    baseline: str | None = Field(
        default=None,
        description="The reference scenario file (relative to the claim file); none for a claim about a level of the "
        "treatment (expect: within).",
    )
    treatment: str = Field(description="The scenario the claim is about (relative to the claim file).")
    outcome: Outcome = Field(description="What the claim is about (the outcome spec of experiment files).")
    years: float | None = Field(default=None, gt=0, le=200, description="Years per run (default: the scenarios').")
    window: tuple[float, float] | None = Field(
        default=None, description="[first, last] calendar year: the outcome is the mean over it (default: the end)."
    )
    expect: Literal["increase", "decrease", "within"] = Field(
        description="The direction the claim asserts, or 'within' a range (give range)."
    )
    min_effect: float = Field(default=0.0, ge=0, description="Smallest absolute effect that counts.")
    min_relative: float | None = Field(
        default=None, ge=0, description="Smallest effect that counts, as a share of the baseline's value."
    )
    range: tuple[float | None, float | None] | None = Field(
        default=None,
        description="[low, high] the effect (or, without a baseline, the treatment's outcome) must lie in; with "
        "expect: within. null at one end leaves that side open: [-0.05, null] is 'at least -0.05' (no worse than a "
        "5% fall, with relative), [null, 0.1] 'at most 0.1'.",
    )
    relative: bool = Field(
        default=False,
        description="The effect as a share of the baseline, (treatment - baseline) / |baseline|, per pair of runs; "
        "with expect: within (a direction takes min_relative).",
    )
    replicates: int = Field(default=8, ge=2, le=1000, description="Paired runs at the default parameters.")
    samples: int = Field(default=32, ge=0, le=100_000, description="Draws of the uncertainties (0: no robustness).")
    uncertainties: Literal["all"] | list[Uncertainty] = Field(
        default="all",
        description="'all': the registry's uncertainties with one value that either scenario can use; or a list.",
    )
    seed: int = Field(default=1, ge=0, description="Seed of the first replicate (and of the draws).")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Fixed dotted-key overrides of both scenarios (registry keys such as economy.spillover_km, or "
        "scenario paths such as mechanisms.all), as in experiment files; the draws leave them fixed.",
    )

    _source: Path | None = None
    _loaded: tuple[Path | None, tuple[Scenario, ...]] | None = None
    """The scenarios without further overrides, and the file they were found from (:meth:`scenarios`)."""

    @model_validator(mode="after")
    def _window(self) -> Claim:
        if self.window is not None:
            if self.outcome.over is not None:
                raise ValueError("give the years in window or in outcome.over, not both")
            if not self.window[0] <= self.window[1]:
                raise ValueError("window must be [first, last] with first <= last")
        return self

    @model_validator(mode="after")
    def _fixed_keys(self) -> Claim:
        refuse_nulls(self.overrides)
        for key in leaves(self.overrides):
            if key in ("run.seed", "run.years"):
                field = key.split(".")[1]
                raise ValueError(f"overrides: {key} would be ignored: give {field}: in the claim file, which sets it")
        return self

    @model_validator(mode="after")
    def _something_to_draw(self) -> Claim:
        if self.uncertainties == [] and self.samples:
            raise ValueError(
                "uncertainties: an empty list gives the robustness draws nothing to vary; list the uncertainties, or "
                "set samples: 0 for no draws"
            )
        return self

    @model_validator(mode="after")
    def _expectation(self) -> Claim:
        if self.expect == "within":
            if self.range is None:
                raise ValueError("expect: within needs range: [low, high]")
            if self.range == (None, None):
                raise ValueError("range: [null, null] bounds nothing; give low, high or both")
            if None not in self.range and not self.range[0] < self.range[1]:
                raise ValueError("range must be [low, high] with low < high")
            if self.min_effect or self.min_relative is not None:
                raise ValueError("a range claim takes no min_effect or min_relative: the range says what counts")
        else:
            if self.range is not None:
                raise ValueError(f"range goes with expect: within, not {self.expect}")
            if self.relative:
                raise ValueError(f"relative goes with expect: within; expect: {self.expect} takes min_relative")
        if self.baseline is None:
            if self.expect != "within":
                raise ValueError(
                    f"a claim without a baseline is about a level of the treatment: expect: within with a range, "
                    f"not {self.expect} (or give a baseline)"
                )
            if self.relative:
                raise ValueError("relative needs a baseline to be relative to")
        return self

    @property
    def arms(self) -> tuple[str, ...]:
        """The scenarios each draw runs: ``baseline`` and ``treatment``, or ``treatment`` alone (a level claim)."""
        return ("treatment",) if self.baseline is None else ("baseline", "treatment")

    @property
    def limits(self) -> tuple[float, float]:
        """The range as numbers, an open end at minus or plus infinity (a range claim's)."""
        low, high = self.range
        return (-np.inf if low is None else low, np.inf if high is None else high)

    @property
    def quantity(self) -> str:
        """What is judged, in words: the effect (absolute or relative to the baseline) or the treatment's level."""
        if self.baseline is None:
            return "level in the treatment"
        return "effect relative to the baseline" if self.relative else "effect"

    def judged(self, treatment: pd.Series, baseline: pd.Series) -> pd.Series:
        """The quantity judged from the outcome in each arm.

        The effect, relative to the baseline with ``relative`` (not a number where the baseline's is 0), or the
        treatment's level without a baseline.
        """
        if self.baseline is None:
            return treatment
        if self.relative:
            base = baseline.abs()
            return (treatment - baseline) / base.where(base > 0)
        return treatment - baseline

    def resolved_outcome(self) -> Outcome:
        """The outcome with the claim's window applied."""
        if self.window is None:
            return self.outcome
        return self.outcome.model_copy(update={"over": self.window})

    def varied(self) -> list[Uncertainty]:
        """The uncertainties the robustness draws vary.

        ``all`` is every registry uncertainty with one value that either scenario can use: not those inert in both
        (:meth:`Scenario.inert_parameters`), such as a growth mechanism's parameters when both leave it off.
        """
        if self.uncertainties != "all":
            return list(self.uncertainties)
        inert = set.intersection(*(s.inert_parameters() for s in self.scenarios()))
        return [
            Uncertainty(key=k)
            for k, p in sorted(registry().items())
            if p.kind == "uncertainty" and not p.per and k not in inert and not self.fixes(k)
        ]

    def fixes(self, key: str) -> bool:
        """Whether :attr:`overrides` fixes a registry parameter (by its key or by its scenario path, nested or not)."""
        fixed = override_leaves(self.overrides)
        return key in fixed or registry_path(registry()[key]) in fixed

    def fingerprint(self) -> str:
        """A short SHA-256 of everything the answer depends on besides the code.

        That is the claim's settings, the uncertainties its draws vary with the ranges they cover (a registry bound
        changed under ``uncertainties: all`` changes the draws), both scenarios' inputs
        (:meth:`Scenario.inputs_digest`) and the package version: a stored answer with another fingerprint is out of
        date.
        """
        # Keys left at their defaults that older claim files could not have are left out, so their answers keep
        # their fingerprints.
        unset = (
            {k for k in ("range", "relative") if k not in self.model_fields_set}
            | ({"baseline"} if self.baseline is None else set())
            | ({"overrides"} if not self.overrides else set())
        )
        blob = {
            "claim": self.model_dump(mode="json", exclude=unset),
            "scenarios": [s.inputs_digest() for s in self.scenarios()],
            "draws": [[u.key, *u.bounds] for u in self.varied()] if self.samples else [],
            "version": __version__,
        }
        return sha256(blob)[:16]

    def scenarios(self, overrides: dict[str, Any] | None = None) -> tuple[Scenario, ...]:
        """The scenarios of :attr:`arms`, with ``overrides`` (scenario paths), the claim's own and its years.

        A bad key or value of the claim's :attr:`overrides` names this file's ``overrides``. Without ``overrides``
        they are loaded once (loading checks both files against their geography) and shared by every caller: the
        checks, the fingerprint, the draws and the runs.
        """
        if not overrides and self._loaded is not None and self._loaded[0] == self._source:
            return self._loaded[1]
        where = f"{self._source or '<claim>'} (overrides)"
        fixed = override_leaves(self.overrides)
        options = {"run.years": ("years", self.years), **{key: (where, v) for key, v in fixed.items()}}
        folder = self._source.parent if self._source else Path.cwd()
        loaded = tuple(
            load_scenario(folder / getattr(self, arm), overrides or {}, options=options) for arm in self.arms
        )
        if not overrides:
            self._loaded = (self._source, loaded)
        return loaded


def load_claim(source: str | Path, overrides: list[str] | None = None, **options: Any) -> Claim:
    """Load and validate a claim file, and check that its two scenarios and its outcome are sound.

    Args:
        source: the claim file.
        overrides: ``["key=value", ...]`` overrides of the claim's own keys.
        options: ``replicates``, ``samples``, ``years`` from flags (None: the file's), validated the same way.

    Raises:
        ScenarioError: naming the file, the YAML path and what is allowed.
    """
    flags = {key: (f"--{key}", value) for key, value in options.items() if value is not None}
    try:
        claim, path = yamlio.load(Claim, source, overrides, kind="claim", options=flags)
    except ScenarioError as exc:
        raise point_to_overrides(exc) from None
    claim._source = path
    problems = []
    for field in claim.arms:
        target = (path.parent if path else Path.cwd()) / getattr(claim, field)
        if not target.is_file():
            problems.append(Problem(str(path), field, f"no scenario file {target}"))
    if problems:
        raise ScenarioError(problems)
    scenarios = claim.scenarios()  # the scenarios' own errors, with their files
    if len(scenarios) == 2:
        unlike = pairing_problems(*scenarios, "years", ("the baseline", "the treatment"))
        if unlike:
            raise ScenarioError(
                [Problem(str(path), "treatment", f"{key} in {claim.treatment}: {msg}") for key, msg in unlike]
            )
    inert = set.intersection(*(s.inert_parameters() for s in scenarios))
    idle = [
        Problem(
            str(path),
            f"uncertainties[{k}]",
            f"{u.key} cannot change {'either scenario' if len(scenarios) == 2 else 'the treatment'} (it acts only "
            "through a growth mechanism or instrument left out): its draws would vary nothing, and what the claim "
            "hinges on could be found in their noise; drop it, or switch its mechanism on in the scenarios",
        )
        for k, u in enumerate(claim.uncertainties if claim.uncertainties != "all" else [])
        if u.key in inert
    ] + [
        Problem(
            str(path),
            f"uncertainties[{k}]",
            f"{u.key} is fixed by overrides: its draws would vary nothing; drop it from one of the two",
        )
        for k, u in enumerate(claim.uncertainties if claim.uncertainties != "all" else [])
        if claim.fixes(u.key)
    ]
    if idle:
        raise ScenarioError(idle)
    first = scenarios[0]
    start, years = first.run.start_year, first.run.years
    geo = first.build_geography()
    zones = first.zone_names(geo)
    zones += [z for s in scenarios[1:] for z in s.zone_names() if z not in zones]
    problems = outcome_problems(
        claim.resolved_outcome(), "outcome", geo, start, start + years, str(path), zones, first.run.steps_per_year
    )
    if problems:
        raise ScenarioError(problems)
    return claim


# ---------------------------------------------------------------------------------------------------- the runs
def threshold(claim: Claim, baseline_mean: float) -> float:
    """The smallest effect that counts: ``max(min_effect, min_relative |baseline mean|)``."""
    relative = (claim.min_relative or 0.0) * abs(baseline_mean)
    return max(claim.min_effect, relative)


def judge(low: float, high: float, expect: str, m: float, bounds: tuple[float, float] | None = None) -> str:
    """``supported``, ``contradicted`` or ``inconclusive`` for an interval ``[low, high]`` of the quantity.

    Args:
        low: the interval's lower end.
        high: its upper end.
        expect: ``increase``, ``decrease`` or ``within``.
        m: the smallest effect that counts (a direction).
        bounds: the claim's range (``within``).
    """
    if expect == "within":
        a, b = bounds
        if a <= low and high <= b:
            return "supported"
        if high < a or low > b:
            return "contradicted"
        return "inconclusive"
    sign = 1.0 if expect == "increase" else -1.0
    near, far = sorted((sign * low, sign * high))
    if near > m:
        return "supported"
    if far < 0.0:
        return "contradicted"
    return "inconclusive"


ARTICLE = {"increase": "an increase", "decrease": "a decrease"}
"""A direction with its article, for sentences."""


def short_of_threshold(low: float, high: float, expect: str, m: float) -> str | None:
    """Whether an interval :func:`judge` finds inconclusive lies wholly short of the smallest effect that counts.

    Such an interval cannot become ``supported`` with more replicates: they narrow it, and it stays short of ``m``.
    Returns ``"same direction"`` (wholly beyond zero in the expected direction), ``"either direction"`` (it holds
    zero), or None (it reaches ``m``, or ``m`` is 0).
    """
    sign = 1.0 if expect == "increase" else -1.0
    near, far = sorted((sign * low, sign * high))
    if m <= 0.0 or far >= m:
        return None
    return "same direction" if near > 0.0 else "either direction"


def holding(claim: Claim, quantity: np.ndarray, m: float) -> np.ndarray:
    """Where the claim holds, for values of its quantity: beyond ``m`` in the expected direction, or in the range."""
    quantity = np.asarray(quantity, float)
    if claim.expect == "within":
        low, high = claim.limits
        return (quantity >= low) & (quantity <= high)
    return (1.0 if claim.expect == "increase" else -1.0) * quantity > m


def draws(claim: Claim) -> tuple[pd.DataFrame, list[tuple[Scenario, ...]], dict[str, int]]:
    """The robustness draws (one column per uncertainty key), their scenarios, and the draws refused by rule.

    Each draw has a scenario per arm (:attr:`Claim.arms`). A Latin hypercube of ``samples`` points; each refused
    point is replaced by uniform draws from a second stream until one is accepted (at most 100 tries a point). The
    refusals are counted by the rule that refused them (:class:`~sez_sim.errors.RuleError`'s name, most first), so a
    report can say which combinations of the uncertainties the model cannot have.
    """
    varied = claim.varied()
    keys = [u.key for u in varied]
    if not claim.samples or not keys:
        return pd.DataFrame(columns=keys), [], {}
    low, high = np.array([u.bounds for u in varied], float).T
    unit = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng([claim.seed, 1])).random(claim.samples)
    spare = np.random.default_rng([claim.seed, 2])
    rows, pairs, refused = [], [], Counter()
    for point in unit:
        for _ in range(100):
            values = dict(zip(keys, (low + point * (high - low)).tolist(), strict=True))
            try:
                pairs.append(claim.scenarios(paths(values)))
            except ScenarioError as exc:
                refused[exc.problems[0].rule or "other"] += 1
                point = spare.random(len(keys))
                continue
            rows.append(values)
            break
        else:
            raise ScenarioError(
                [Problem(str(claim._source), "uncertainties", "the scenario rules refused 100 draws in a row")]
            )
    return pd.DataFrame(rows, columns=keys), pairs, dict(refused.most_common())


def paths(values: dict[str, float]) -> dict[str, float]:
    """Registry keys to the scenario paths that set them."""
    params = registry()
    return {registry_path(params[k]): v for k, v in values.items()}


def tasks(claim: Claim, design: pd.DataFrame, pairs: list[tuple[Scenario, ...]]) -> list[dict[str, Any]]:
    """One task per run: the replicates at the defaults (point -1), then one run of each arm per draw (point 0, ...).

    Args:
        claim: the claim.
        design: the draws' parameter values (:func:`draws`).
        pairs: the draws' scenarios, one per arm (:func:`draws`).
    """
    outcome = [claim.resolved_outcome().model_dump(mode="json")]
    out = []

    def add(point: int, replicate: int, seed: int, overrides: dict[str, Any], pair: tuple[Scenario, ...]):
        for arm, scenario in zip(claim.arms, pair, strict=True):
            key = run_key(scenario.digest(), overrides, seed, claim.years)
            out.append(
                {
                    "key": f"{arm}-{key}",
                    "arm": arm,
                    "point": point,
                    "replicate": replicate,
                    "seed": seed,
                    "scenario": scenario.resolved(),
                    "source": str(scenario.source),
                    "overrides": {},
                    "years": None,
                    "outcomes": outcome,
                }
            )

    defaults = claim.scenarios()
    for r in range(claim.replicates):
        add(-1, r, claim.seed + r, {}, defaults)
    for point, (row, pair) in enumerate(zip(design.to_dict("records"), pairs, strict=True)):
        add(point, 0, claim.seed, paths(row), pair)
    return out


# ---------------------------------------------------------------------------------------------------- analysis
def effects(claim: Claim, results: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per (point, replicate): the baseline's and the treatment's outcome and the quantity judged.

    ``effect`` is the treatment's outcome less the baseline's, relative to the baseline's with ``relative`` (not a
    number where the baseline's is 0), or the treatment's outcome itself in a claim without a baseline.
    """
    name = claim.outcome.name
    rows = {}
    for res in results:
        row = rows.setdefault((res["point"], res["replicate"]), {"point": res["point"], "replicate": res["replicate"]})
        row["seed"] = res["seed"]
        row[res["arm"]] = res["outcomes"].get(name, np.nan) if res["status"] == "ok" else np.nan
        if res["status"] != "ok":
            row["error"] = res["error"]
    table = pd.DataFrame(sorted(rows.values(), key=lambda r: (r["point"], r["replicate"])))
    if claim.baseline is None:
        table["baseline"] = np.nan
    table["effect"] = claim.judged(table["treatment"], table["baseline"])
    return table


def hinges(x: pd.DataFrame, fails: np.ndarray, seed: int) -> dict[str, Any]:
    """PRIM's box of the draws where the claim fails, and the parameters' importance (module docstring, step 3)."""
    if not fails.any() or fails.all():
        return {"box": None, "note": "the claim " + ("fails" if fails.any() else "holds") + " in every draw"}
    return prim_box(x, fails, seed)


def verdict(claim: Claim, table: pd.DataFrame, refused: dict[str, int], design: pd.DataFrame) -> dict[str, Any]:
    """The machine-readable answer (``verdict.json``): the verdict, robustness and what it hinges on."""
    defaults = table[table["point"] == -1]
    ci = interval(defaults["effect"].to_numpy())
    paired = claim.baseline is not None
    m = threshold(claim, float(defaults["baseline"].mean())) if claim.expect != "within" else None
    out: dict[str, Any] = {
        "claim": claim.name,
        "statement": claim.statement,
        "source": claim.source,
        "outcome": claim.outcome.name,
        "quantity": claim.quantity,
        "expect": claim.expect,
        "threshold": m,
        "range": list(claim.range) if claim.range else None,
        "expected": None,
        "fingerprint": claim.fingerprint(),
        "git_commit": git_commit(),
        "git_dirty": git_dirty(),
        "settings": {k: getattr(claim, k) for k in ("replicates", "samples", "years", "seed")}
        | ({"overrides": claim.overrides} if claim.overrides else {}),
        "defaults": {
            "verdict": judge(ci["ci_low"], ci["ci_high"], claim.expect, m, claim.limits if claim.range else None)
            if ci["replicates"] > 1
            else "inconclusive",
            "baseline": float(defaults["baseline"].mean()) if paired else None,
            "treatment": float(defaults["treatment"].mean()),
            "effect": ci["mean"],
            "ci_low": ci["ci_low"],
            "ci_high": ci["ci_high"],
            "replicates": int(ci["replicates"]),
        },
        "robustness": None,
        "hinges_on": None,
    }
    if out["defaults"]["verdict"] == "inconclusive" and claim.expect != "within":
        out["defaults"]["short_of_threshold"] = short_of_threshold(ci["ci_low"], ci["ci_high"], claim.expect, m)
    base = defaults["baseline"]
    if claim.relative and base.abs().min() < UNSTEADY_BASE * base.abs().max():
        out["defaults"]["unsteady_baseline"] = [float(base.min()), float(base.max())]
    out["expected"] = expectation(out)
    sampled = table[table["point"] >= 0].sort_values("point")
    ok = sampled["effect"].notna().to_numpy()
    if len(sampled):
        holds = holding(claim, sampled["effect"].to_numpy(), m)
        k, n = int(holds[ok].sum()), int(ok.sum())
        ci_share = stats.binomtest(k, n).proportion_ci(method="exact") if n else None
        failed = sampled["error"].notna().to_numpy() if "error" in sampled else np.zeros(len(sampled), bool)
        out["robustness"] = {
            "draws": n,
            "failed_runs": int(failed.sum()),
            "undefined": int((~ok & ~failed).sum()),  # ran, but the baseline's value was 0 (relative)
            "refused_draws": sum(refused.values()),
            "refused_by_rule": refused,
            "holds": k,
            "share": k / n if n else float("nan"),
            "ci_low": float(ci_share.low) if ci_share else float("nan"),
            "ci_high": float(ci_share.high) if ci_share else float("nan"),
        }
        x = design.iloc[sampled["point"].to_numpy()[ok]]
        fails = ~holds[ok]
        side = None
        if claim.expect == "within":
            # Falling short and overshooting are two questions: PRIM looks for the commoner one.
            quantity = sampled["effect"].to_numpy()[ok]
            low, high = claim.limits
            below, above = quantity < low, quantity > high
            out["robustness"] |= {"below": int(below.sum()), "above": int(above.sum())}
            side = "below" if below.sum() >= above.sum() else "above"
            fails = below if side == "below" else above
        named = {"side": side, "failing": FAILING[side]} if side and fails.any() else {}
        out["hinges_on"] = hinges(x, fails, claim.seed) | named
    return out


def range_words(bounds: Iterable[float | None]) -> str:
    """A claim's range in words: ``within [+0.1, +0.3]``, or with an open end ``at least -0.05``, ``at most +0.1``."""
    low, high = (None if v is None else significant(v, signed=True) for v in bounds)
    if high is None:
        return f"at least {low}"
    return f"at most {high}" if low is None else f"within [{low}, {high}]"


def expectation(answer: dict[str, Any]) -> str:
    """What the claim expects, in words: ``increase beyond 0.1``, ``within [0.1, 0.3]`` or ``at least -0.05``."""
    if answer["expect"] == "within":
        return range_words(answer["range"])
    return f"{answer['expect']} beyond {significant(answer['threshold'])}"


def describe(answer: dict[str, Any]) -> list[str]:
    """The answer in plain sentences: the verdict, the effect, the robustness and what it hinges on."""
    d, r, h = answer["defaults"], answer["robustness"], answer["hinges_on"]
    effect, low, high = (significant(d[k], signed=True) for k in ("effect", "ci_low", "ci_high"))
    quantity = answer.get("quantity", "effect")
    runs = "replicates" if quantity.startswith("level") else "paired replicates"
    lines = [
        f"{answer['claim']}: {d['verdict'].upper()} at the default parameters",
        f"{answer['outcome']}: {quantity} {effect} (95% interval {low} to {high}, {d['replicates']} {runs}); "
        f"expected {expectation(answer)}",
    ]
    if d.get("short_of_threshold"):
        same = d["short_of_threshold"] == "same direction"
        lines.append(
            f"the whole interval falls short of the {significant(answer['threshold'])} that counts"
            + (f" ({ARTICLE[answer['expect']]}, but a smaller one)" if same else "")
            + ": the model finds no effect of the size the claim needs, and more replicates would narrow the "
            "interval without making it supported"
        )
    if d.get("unsteady_baseline"):
        low, high = (significant(v) for v in d["unsteady_baseline"])
        lines.append(
            f"the baseline's {answer['outcome']} runs from {low} to {high} over the replicates: a ratio to values this "
            "unsteady is mostly noise; judge the change in the outcome's units, or relative to the steadier arm (swap "
            "baseline and treatment where the claim allows)"
        )
    if r:
        lines.append(
            f"robustness: holds in {r['holds']} of {r['draws']} draws ({r['share']:.0%}, 95% interval "
            f"{r['ci_low']:.0%}-{r['ci_high']:.0%}); {r['refused_draws']} draw{'s' * (r['refused_draws'] != 1)} "
            "refused by the scenario rules, "
            f"redrawn{by_rule(r)}"
            + (f"; {r['failed_runs']} draw{'s' * (r['failed_runs'] != 1)} failed to run" if r["failed_runs"] else "")
            + (
                f"; {r['undefined']} left out, whose baseline value was 0 (no relative effect)"
                if r.get("undefined")
                else ""
            )
        )
    if r and r.get("below", 0) + r.get("above", 0):
        lines.append(f"of the draws out of the range, {r['below']} fall short of it and {r['above']} overshoot it")
    box = (h or {}).get("box")
    fails = (h or {}).get("failing", "fails")
    if box and box["reproducible"]:
        limits = ", ".join(
            f"{k} in [{significant(v['low'])}, {significant(v['high'])}]"
            for k, v in box["restrictions"].items()
            if v["reproducible"]
        )
        lines.append(f"it {fails} mostly where {limits} (coverage {box['coverage']:.2f}, density {box['density']:.2f})")
    elif box:
        lines.append(
            "no reproducible box: the failures are spread over the uncertainties, not in one corner "
            "(none of PRIM's restrictions is both significant and found again in half the resamples)"
        )
    elif h:
        lines.append(h["note"])
    fixed = answer.get("settings", {}).get("overrides")
    if fixed:
        settings = ", ".join(f"{k}={json.dumps(v)}" for k, v in leaves(fixed).items())
        lines.append(f"both scenarios ran with {settings} (the claim's overrides)")
    return lines


CLAIM_FILES = ("verdict.json", "runs.parquet", "series.parquet", "runs/", "timeseries/", "figures/", "report.html")
"""What a claim writes (its folder's marker lists these; other files there are the user's)."""


def evaluate(
    claim: Claim,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    dask_local: int | None = None,
    out: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Answer a claim (module docstring): run everything, analyse, and write the outputs to ``out`` if given.

    With ``out``, each run is stored as it finishes (as a batch's are), so running the same claim into the same
    folder again resumes without redoing finished runs; the answer's files are then written, each atomically.

    Args:
        claim: the claim.
        workers: local processes (ignored with Dask).
        scheduler: address of an existing Dask scheduler.
        dask_local: start a Dask LocalCluster of this many workers.
        out: the output folder (new, empty, or this claim's earlier output).
        progress: called as ``progress(done, total)`` before the first run (``done``: the runs already stored)
            and after each run.

    Returns:
        The verdict (as written to ``verdict.json``), with the per-run table under ``"runs"`` (a DataFrame).
    """
    folder = Path(out) if out is not None else None
    if folder is not None:
        check_target(folder, "claim", claim.name)
    design, pairs, refused = draws(claim)
    todo = tasks(claim, design, pairs)
    run = executors.executor(workers, scheduler, dask_local)
    done: dict[str, dict[str, Any]] = {}
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        write_marker(folder, "claim", claim.name, set(CLAIM_FILES))
        done = {key: stored(folder, key) for key in finished_runs(folder)[0]}
    pending = [t for t in todo if t["key"] not in done]
    by_key = {t["key"]: t for t in pending}
    if progress is not None:
        progress(len(todo) - len(pending), len(todo))
    for count, result in enumerate(run(pending), start=1):
        if folder is not None:
            store_run(folder, by_key[result["key"]], result)
        done[result["key"]] = result
        if progress is not None:
            progress(len(todo) - len(pending) + count, len(todo))
    results = [done[t["key"]] | {k: t[k] for k in ("arm", "point", "replicate", "seed")} for t in todo]
    table = effects(claim, results)
    if table.loc[table["point"] == -1, "effect"].isna().any():
        failed = [r for r in results if r["point"] == -1 and r["status"] != "ok"]
        why = (
            f"a run at the default parameters failed: {failed[0]['error']}"
            if failed
            else f"the baseline's {claim.outcome.name} is 0 in a replicate at the default parameters, so the effect "
            "relative to it is undefined (leave out relative, and give the range in the outcome's units)"
        )
        raise ScenarioError([Problem(str(claim._source), "relative" if not failed else "", why)])
    answer = verdict(claim, table, refused, design)
    table["holds"] = holding(claim, table["effect"].to_numpy(), answer["threshold"]) & table["effect"].notna()
    runs = table.merge(design.reset_index(names="point"), on="point", how="left")
    if folder is not None:
        write(claim, answer, runs, results, folder)
    return answer | {"runs": runs}


def stored(folder: Path, key: str) -> dict[str, Any]:
    """A finished run as the executors return it, read back from the folder (record and time series)."""
    record = json.loads((folder / "runs" / f"{key}.json").read_text())
    series = folder / "timeseries" / f"run={key}" / "part-0.parquet"
    summary = pd.read_parquet(series).drop(columns=["point", "replicate"]) if series.exists() else None
    return record | {"summary": summary}


def write(claim: Claim, answer: dict[str, Any], runs: pd.DataFrame, results: list[dict[str, Any]], folder: Path):
    """Write ``verdict.json``, ``runs.parquet``, ``series.parquet`` and the figures, each atomically."""
    from sez_sim.viz.claims import claim_figures, report_html

    series = pd.concat(
        [
            r["summary"].assign(arm=r["arm"], replicate=r["replicate"])
            for r in results
            if r["point"] == -1 and r["summary"] is not None
        ],
        ignore_index=True,
    )
    with atomic_path(folder / "runs.parquet") as tmp:
        runs.to_parquet(tmp, index=False)
    with atomic_path(folder / "series.parquet") as tmp:
        series.to_parquet(tmp, index=False)
    claim_figures(claim, answer, runs, series, folder / "figures")
    with atomic_path(folder / "report.html") as tmp:
        tmp.write_text(report_html(answer, describe(answer), folder / "figures"))
    with atomic_path(folder / "verdict.json") as tmp:  # last: its presence says the answer is complete
        tmp.write_text(json.dumps(answer, indent=1, default=float))


# ---------------------------------------------------------------------------------------------------- many claims
SUMMARY_COLUMNS = (
    "claim",
    "statement",
    "source",
    "outcome",
    "quantity",
    "expect",
    "expected",
    "verdict",
    "effect",
    "ci_low",
    "ci_high",
    "holds_share",
    "holds_ci_low",
    "holds_ci_high",
    "draws",
    "hinges_on",
    "fingerprint",
    "git_commit",
)
"""Columns of a claims summary (``summary.parquet``), one row per claim."""


def summary_row(answer: dict[str, Any]) -> dict[str, Any]:
    """One claim's answer as a row of the summary table."""
    d, r, h = answer["defaults"], answer["robustness"] or {}, answer["hinges_on"] or {}
    box = h.get("box") or {}
    kept = [k for k, v in box.get("restrictions", {}).items() if v["reproducible"]]
    hinge = ", ".join(kept) if kept else (h.get("note") or ("no reproducible box" if box else ""))
    return {
        "claim": answer["claim"],
        "statement": " ".join(answer["statement"].split()),
        "source": " ".join(answer["source"].split()),
        "outcome": answer["outcome"],
        "quantity": answer.get("quantity", "effect"),
        "expect": answer["expect"],
        "expected": expectation(answer),
        "verdict": d["verdict"],
        "effect": d["effect"],
        "ci_low": d["ci_low"],
        "ci_high": d["ci_high"],
        "holds_share": r.get("share", np.nan),
        "holds_ci_low": r.get("ci_low", np.nan),
        "holds_ci_high": r.get("ci_high", np.nan),
        "draws": r.get("draws", 0),
        "hinges_on": hinge,
        "fingerprint": answer["fingerprint"],
        "git_commit": answer["git_commit"],
    }


def summary_markdown(table: pd.DataFrame) -> str:
    """The summary as a Markdown table: claim, verdict, effect, robustness, what it hinges on, the inputs' fingerprint.

    A range claim's verdict says the range, and a claim about a level marks its value as one. The last column is the
    fingerprint of what the answer was computed from (:meth:`Claim.fingerprint`).
    """
    lines = [
        "| claim | verdict at the defaults | effect (95% interval) | holds in (95% interval) | hinges on | inputs |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        robust = (
            f"{row.holds_share:.0%} of {row.draws} draws ({row.holds_ci_low:.0%}-{row.holds_ci_high:.0%})"
            if row.draws
            else "not sampled"
        )
        verdict = f"{row.verdict} (expected {row.expected})" if row.expect == "within" else row.verdict
        value = ", ".join(significant(getattr(row, k), signed=True) for k in ("ci_low", "ci_high"))
        value = f"{significant(row.effect, signed=True)} ({value})"
        if row.quantity != "effect":  # a level, or an effect relative to the baseline
            value = f"{value}: {row.quantity}"
        lines.append(
            f"| **{row.claim}**: {row.statement} *({row.source})* | {verdict} | {value} | {robust} | "
            f"{row.hinges_on} | `{row.fingerprint}` |"
        )
    return "\n".join(lines) + "\n"


DOC_END = "<!-- claims-verdicts: end -->"
_DOC_COMMAND = "sez-sim claims experiments/claims {}--doc docs/claims.md"
_DOC_MARKER = re.compile(
    "<!-- claims-verdicts: generated by `" + re.escape(_DOC_COMMAND).replace(r"\{\}", "(.*?)") + "` -->"
)
_DOC_ROW = re.compile(r"^\| \*\*([A-Za-z0-9_.-]+)\*\*: .*\| `([0-9a-f]+)` \|$", re.M)
_DOC_COMMITS = re.compile(r"at commit ([0-9a-f]+(?:, [0-9a-f]+)*)\.")


def doc_options(
    replicates: int | None = None, samples: int | None = None, years: float | None = None, sets: Iterable[str] = ()
) -> tuple[str, ...]:
    """The options of ``sez-sim claims`` that change its answers, as the command-line words that give them.

    A document can hold a block of verdicts for each set of options (the library at the files' settings, and again
    with the growth mechanisms on, say); the options name the block. ``--set`` overrides are sorted, so their order
    on the command line does not make another block.
    """
    words: list[str] = []
    for flag, value in (("--replicates", replicates), ("--samples", samples), ("--years", years)):
        if value is not None:
            words += [flag, f"{value:g}"]
    for key in sorted(sets):
        words += ["--set", key]
    return tuple(words)


def read_options(words: Iterable[str]) -> dict[str, Any]:
    """``replicates``, ``samples``, ``years`` and ``sets`` from the words :func:`doc_options` gives (its inverse)."""
    words = list(words)
    options: dict[str, Any] = {"replicates": None, "samples": None, "years": None, "sets": []}
    for flag, value in zip(words[::2], words[1::2], strict=True):
        if flag == "--set":
            options["sets"].append(value)
        else:
            options[flag.removeprefix("--")] = float(value) if flag == "--years" else int(value)
    return options


def doc_marker(options: Iterable[str] = ()) -> str:
    """The line that begins the generated block of verdicts for ``options``: the command that writes it."""
    return f"<!-- claims-verdicts: generated by `{doc_command(options)}` -->"


def doc_command(options: Iterable[str] = ()) -> str:
    """The command that writes the generated block of verdicts for ``options``."""
    return _DOC_COMMAND.format("".join(f"{shlex.quote(word)} " for word in options))


DOC_BEGIN = doc_marker()


def doc_blocks(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """The generated blocks of a document: each one's options, with where it begins and where its end line begins."""
    blocks = {}
    for match in _DOC_MARKER.finditer(text):
        end = text.find(DOC_END, match.end())
        if end >= 0:
            blocks[tuple(shlex.split(match.group(1)))] = (match.start(), end)
    return blocks


def doc_block(
    table: pd.DataFrame | None, text: str = "", keep: Iterable[str] = (), options: tuple[str, ...] = ()
) -> str:
    """The library's verdicts as a generated block of a document (from :func:`doc_marker` to :data:`DOC_END`).

    Args:
        table: the answers to write (a claims summary; None: none).
        text: the document as it is, whose block's rows of the claims in ``keep`` are kept as they are (with the
            commits its note names), so that answering only new and edited claims keeps the others' verdicts.
        keep: names of claims whose rows are kept from ``text`` (unless ``table`` answers them anew).
        options: the command's options the answers were computed with (:func:`doc_options`).
    """
    if table is None:
        table = pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    begin, end = doc_blocks(text).get(options, (0, 0))
    old = text[begin:end]
    keep = set(keep) - set(table["claim"])
    kept = {m.group(1): m.group(0) for m in _DOC_ROW.finditer(old) if m.group(1) in keep}
    commits = {c[:10] for c in table["git_commit"] if c}
    if kept and (named := _DOC_COMMITS.search(old)):
        commits |= set(named.group(1).split(", "))
    rows = [line for line in summary_markdown(table).splitlines() if line.startswith("| **")] + list(kept.values())
    header = summary_markdown(table.iloc[:0]).rstrip("\n")
    rows.sort(key=lambda line: _DOC_ROW.match(line).group(1))
    made = ", ".join(sorted(commits)) or "an unknown commit"
    settings = f"with `{' '.join(shlex.quote(w) for w in options)}` over" if options else "at"
    return (
        f"{doc_marker(options)}\n\n" + "\n".join([header, *rows]) + "\n\n"
        f"*Computed {settings} each claim file's settings, seed and horizon, by sez-sim {__version__} at commit {made}."
        " The last column fingerprints what each answer depends on besides the code (the claim, both scenarios,"
        " the defaults of the parameters they read, the ranges the draws cover, the dataset, the version); the test"
        " suite checks that it matches the claim files, so an edited claim, scenario or parameter shows this table is"
        " out of date.*\n\n" + (verdict_changes(doc_verdicts(text), _verdicts(rows)) if options else "") + DOC_END
    )


def doc_verdicts(text: str, options: tuple[str, ...] = ()) -> dict[str, str]:
    """Each claim's verdict (supported, contradicted, inconclusive) in a document's generated block for ``options``."""
    begin, end = doc_blocks(text).get(options, (0, 0))
    return _verdicts(m.group(0) for m in _DOC_ROW.finditer(text[begin:end]))


def _verdicts(rows: Iterable[str]) -> dict[str, str]:
    return {_DOC_ROW.match(row).group(1): row.split(" | ")[1].split(" ")[0] for row in rows}


def verdict_changes(before: dict[str, str], after: dict[str, str]) -> str:
    """A paragraph on the verdicts of a block against those of the files' settings (``before``), claim by claim."""
    both = sorted(set(before) & set(after))
    if not both:
        return ""
    changed = [f"**{name}** {before[name]} there, {after[name]} here" for name in both if before[name] != after[name]]
    listed = f": {'; '.join(changed)}" if changed else ""
    return (
        f"Against the block at the files' settings, {len(both) - len(changed)} of {len(both)} claims keep their verdict"
        f" at the defaults and {len(changed)} change{listed}.\n\n"
    )


def update_doc(path: Path, block: str, options: tuple[str, ...] = ()) -> None:
    """Replace the generated block of a document for ``options``, atomically.

    Raises:
        UserError: when the document lacks that block's lines.
    """
    text = path.read_text()
    blocks = doc_blocks(text)
    if options not in blocks:
        raise UserError(f"{path}: no generated block to replace (the lines {doc_marker(options)} ... {DOC_END})")
    begin, end = blocks[options]
    with atomic_path(path) as tmp:
        tmp.write_text(text[:begin] + block + text[end + len(DOC_END) :])


def documented(text: str, options: tuple[str, ...] = ()) -> dict[str, str]:
    """The claims of a document's generated block for ``options``, with the fingerprints their answers came from."""
    begin, end = doc_blocks(text).get(options, (0, 0))
    return dict(_DOC_ROW.findall(text[begin:end]))


def evaluate_all(
    files: list[Path],
    out: str | Path,
    *,
    sets: list[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    answered: Callable[[dict[str, Any]], None] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Answer every claim, each into ``out/<name>/`` (resumable), and write ``summary.parquet`` and ``summary.md``.

    Args:
        files: the claims (loaded and checked, every one, before any runs).
        out: the output folder (new, empty, or an earlier claims summary's).
        sets: ``["key=value", ...]`` overrides of every claim's own keys (``overrides.mechanisms.all=true`` runs
            both scenarios of every claim with the growth mechanisms on).
        progress: called as ``progress(claim, done, total)`` before a claim's first run and after each run.
        answered: called with each claim's row of the summary table as soon as the claim is answered (a library
            takes hours with draws: the verdicts need not wait for the last claim).
        options: passed to :func:`evaluate` (workers, scheduler, dask_local) and ``replicates``, ``samples``,
            ``years`` overriding every claim's.
    """
    flags = {k: options.pop(k) for k in ("replicates", "samples", "years") if k in options}
    claims = [load_claim(f, sets, **flags) for f in files]
    names = [c.name for c in claims]
    if len(set(names)) < len(names):
        raise ScenarioError([Problem("claims", "name", "two claim files have the same name")])
    folder = Path(out)
    check_target(folder, "claims")
    folder.mkdir(parents=True, exist_ok=True)
    write_marker(folder, "claims", None, {"summary.parquet", "summary.md", *(f"{n}/" for n in names)})
    rows = []
    for claim in claims:
        report = None if progress is None else (lambda done, total, name=claim.name: progress(name, done, total))
        rows.append(summary_row(evaluate(claim, out=folder / claim.name, progress=report, **options)))
        if answered is not None:
            answered(rows[-1])
    table = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    with atomic_path(folder / "summary.parquet") as tmp:
        table.to_parquet(tmp, index=False)
    with atomic_path(folder / "summary.md") as tmp:
        tmp.write_text(summary_markdown(table))
    return table
