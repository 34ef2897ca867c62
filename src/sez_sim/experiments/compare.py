"""Paired comparisons of two scenarios: the same seeds for both, a mean difference with a confidence interval.

Replicate r of A and of B share seed ``seed + r``, so each pair shares its random numbers (common random numbers)
and the difference B - A nets out most of the noise. For each outcome the mean paired difference gets a Student-t
interval: ``mean +- t(0.975, R - 1) * sd / sqrt(R)``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from sez_sim.cache import code_digest
from sez_sim.errors import Problem, ScenarioError
from sez_sim.experiments import executors
from sez_sim.experiments.spec import DEFAULT_OUTCOMES, Outcome, outcome_problems
from sez_sim.io import atomic_path, check_target, output_folder
from sez_sim.results import unit_in
from sez_sim.scenario import Scenario, load_scenario, override_leaves, pairing_problems, parse_overrides, sha256
from sez_sim.yamlio import check_counts

if TYPE_CHECKING:
    from sez_sim.policies.base import Places


@dataclass
class Comparison:
    """A paired comparison.

    Attributes:
        runs: one row per run: scenario (A or B), replicate, seed, outcomes.
        differences: one row per outcome: its unit, means of A and B, mean difference B - A, its confidence
            interval.
        series: per-step summaries of every run (for trajectories with bands).
        names: the two scenarios' names.
        ledger: the public ledger of B against A (:func:`public_ledger`), one row per measure.
        provinces: B against A by province at the end (:func:`province_effects`), a row per province and outcome.
        countries: B against A by country at the end (:func:`country_effects`), three rows per country.
        country_ledger: each country's public cost and profit tax, B less A over the run, with the tax's two parts
            (:func:`country_ledger`), four rows per country.
        manifest: what produced it (``manifest.json``): versions, platform, command, both scenarios resolved with
            their hashes, seeds, outcomes, timings.
        folder: where it was written, if anywhere.
    """

    runs: pd.DataFrame
    differences: pd.DataFrame
    series: pd.DataFrame
    names: tuple[str, str]
    ledger: pd.DataFrame
    provinces: pd.DataFrame = field(default_factory=pd.DataFrame)
    countries: pd.DataFrame = field(default_factory=pd.DataFrame)
    country_ledger: pd.DataFrame = field(default_factory=pd.DataFrame)
    manifest: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None
    geography: Any = field(default=None, repr=False)
    """The provinces' geography, for the effect map."""
    policies: list[tuple[str, Places]] = field(default_factory=list)
    """B's policies that A does not have with the same settings (type and places, :meth:`Scenario.policy_places`),
    for the effect map."""
    dropped: list[tuple[str, Places]] = field(default_factory=list)
    """A's policies that B does not have with the same settings, for the effect map."""


def interval(values: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """Mean of the finite ``values`` with a Student-t confidence interval (NaN where there are too few)."""
    d = np.asarray(values, float)
    d = d[np.isfinite(d)]
    n = d.size
    mean = float(d.mean()) if n else float("nan")
    sd = float(d.std(ddof=1)) if n > 1 else float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "sd": sd, "replicates": n}


def ratio_interval(numerator: np.ndarray, denominator: np.ndarray, confidence: float = 0.95) -> dict[str, float]:
    """The ratio of the means of paired ``numerator`` and ``denominator`` values, with Fieller's interval.

    Fieller (1954): the ratio R is in the interval where ``mean(x) - R mean(y)`` is within its own Student-t
    interval, ``(x - R y)^2 <= t^2 (s_xx - 2 R s_xy + R^2 s_yy)`` with the variances and covariance of the means.
    The roots of that quadratic bound the interval when the denominator's mean is significantly above zero; otherwise
    the set is unbounded and both bounds are NaN. A mean of the replicates' own ratios would drop those with no
    jobs, and a symmetric interval around it gave costs per job below zero.

    Returns:
        As :func:`interval` (``sd`` is NaN: a ratio's spread is its interval); the mean is NaN where the
        denominator's mean is not positive.
    """
    x, y = np.asarray(numerator, float), np.asarray(denominator, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, n = x[keep], y[keep], int(keep.sum())
    nan = float("nan")
    out = {"mean": nan, "ci_low": nan, "ci_high": nan, "sd": nan, "replicates": n}
    if not n or y.mean() <= 0:
        return out
    out["mean"] = float(x.mean() / y.mean())
    if n < 2:
        return out
    t2 = stats.t.ppf(0.5 + confidence / 2, n - 1) ** 2
    (sxx, sxy), (_, syy) = np.cov(x, y, ddof=1) / n
    a = y.mean() ** 2 - t2 * syy
    b = x.mean() * y.mean() - t2 * sxy
    if a > 0:  # then the quadratic has real roots; max() only absorbs rounding where the spread is zero
        root = np.sqrt(max(b * b - a * (x.mean() ** 2 - t2 * sxx), 0.0))
        out["ci_low"], out["ci_high"] = float((b - root) / a), float((b + root) / a)
    return out


LEDGER_MEASURES = {
    "public_cost": "US$ m",
    "zone_jobs_created": "jobs",
    "cost_per_zone_job": "US$ per job",
    "jobs_created": "jobs",
    "cost_per_job": "US$ per job",
    "gdp_gain": "US$ m",
    "gdp_per_public_dollar": "US$ per US$",
    "npv": "US$ m",
    "profit_tax_change": "US$ m",
    "tax_rate_effect": "US$ m",
    "tax_base_effect": "US$ m",
}
"""The public ledger of a comparison: B's public cost of zones over the run less A's; jobs in zones created (B - A
at the end) and the public cost per zone job; modern jobs created in the whole region (B - A at the end: the net
effect, after jobs drawn from elsewhere, and far noisier) and the public cost per job; GDP gained over the run (the
yearly GDP difference summed over the steps' time); GDP gained per US$ of public cost; and the net present value of
the GDP gain less the public cost at ``sez.social_discount_rate``, discounted from the start of the run; and the
profit tax every firm paid over the run, B less A: what tax holidays and rate instruments cost the treasury, net of
the tax base they add (a transfer, so not in the public cost or the NPV), and its two parts (:func:`tax_parts`): what
B's rates change on the profit A's firms make (for a cut, the windfall to firms that are there anyway) and B's rates
on the profit B draws in or drives out. The three ratios are ratios of the means over replicates
(:func:`ratio_interval`)."""


ROUNDING = 1e-9
"""A difference in public cost this small relative to the two scenarios' costs is rounding error, not spending."""


def tax_parts(
    tax_a: np.ndarray, taxable_a: np.ndarray, tax_b: np.ndarray, taxable_b: np.ndarray
) -> tuple[float, float]:
    """B's profit tax less A's, in two parts: the rates' effect and the tax base's.

    With ``T`` a province's profit tax in a step and ``P`` the profit it is levied on, its effective rate is
    ``t = T / P`` (0 where nothing is taxable, which then pays nothing), and province by province, step by step,

        T_B - T_A = (t_B - t_A) P_A + t_B (P_B - P_A).

    Summed, the first term is what B's rates change on the profit A's firms make: for a tax cut, the windfall to
    the firms that would be there without it, the cost of the cut before anyone responds. The second is B's rates on
    the profit B draws in or drives out, at the rates of the provinces that gain or lose it: a cut that draws firms
    from provinces taxing at 20% to one taxing at 10% loses tax on them, though the base moved, not shrank. A
    province's effective rate mixes its zone firms' and the others', so a change in that mix counts as the rate's.

    Args:
        tax_a: A's profit tax of each province and step (any shape).
        taxable_a: A's taxable profit, in the same places.
        tax_b: B's profit tax, in the same places.
        taxable_b: B's taxable profit, in the same places.

    Returns:
        ``(rate_effect, base_effect)``, which sum to B's total profit tax less A's.
    """
    rate_a, rate_b = (
        np.divide(t, p, out=np.zeros_like(t, dtype=float), where=p > 0)
        for t, p in ((tax_a, taxable_a), (tax_b, taxable_b))
    )
    return float(np.sum((rate_b - rate_a) * taxable_a)), float(np.sum(rate_b * (taxable_b - taxable_a)))


def tax_split(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, float]:
    """:func:`tax_parts` of a pair of runs' province tables, matched by step and province.

    Args:
        a: one run of A: ``step``, ``province_id``, ``profit_tax`` and ``taxable_profit`` of every province and step.
        b: the paired run of B, with the same steps and provinces.

    Raises:
        ValueError: if the runs do not have the same steps and provinces.
    """
    key = ["step", "province_id"]
    a, b = (run.sort_values(key) for run in (a, b))
    if not np.array_equal(a[key].to_numpy(), b[key].to_numpy()):
        raise ValueError("tax_split: the two runs do not have the same steps and provinces")
    return tax_parts(*(run[c].to_numpy(float) for run in (a, b) for c in ("profit_tax", "taxable_profit")))


TAX_MEASURES = ("profit_tax_change", "tax_rate_effect", "tax_base_effect")
"""The profit tax over the run, B less A, and its two parts (:func:`tax_parts`), in the ledger and by country."""

COUNTRY_MEASURES = ("public_cost", *TAX_MEASURES)
"""What :func:`country_ledger` gives for each country."""


def tax_effects(taxes: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    """Each replicate's tax rate and base effects (:func:`tax_split`) in each country, once for both ledgers.

    Args:
        taxes: every run's provinces' profit tax and taxable profit in every step (:func:`tax_split`), with
            ``scenario`` and ``replicate``.
        provinces: ``id`` and ``country`` of every province.

    Returns:
        One row per replicate and country: ``replicate``, ``country``, ``tax_rate_effect``, ``tax_base_effect``.
    """
    country_of = dict(zip(provinces["id"], provinces["country"], strict=True))
    taxes = taxes.assign(country=taxes["province_id"].map(country_of))
    rows = []
    for (replicate, country), part in taxes.groupby(["replicate", "country"], sort=False):
        rate, base = tax_split(*(part[part["scenario"] == side] for side in "AB"))
        rows.append({"replicate": replicate, "country": country, "tax_rate_effect": rate, "tax_base_effect": base})
    return pd.DataFrame(rows)


def country_ledger(
    effects: pd.DataFrame, costs: pd.DataFrame, provinces: pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """The public ledger's money by country: whose treasury pays, B less A over the run.

    Each country's public cost of zones (its zones' construction, operation and programmes: a CBEZ's twins each
    charge their own side), and its profit tax with the two parts of :func:`tax_parts`. Profit tax is national (it
    returns to the country's residents, docs/ODD.md 7.2), so a province's lower rate costs its own country the
    windfall on the profit made there anyway, and the tax base the cut draws from across a border costs the
    neighbour's treasury (its base effect) while the region's total hides it.

    Args:
        effects: each replicate's tax effects by country (:func:`tax_effects`).
        costs: every run's public cost of zones over the run by ``country``, with ``scenario`` and ``replicate``
            (countries without zones may be missing: they spend nothing).
        provinces: ``country`` of every province; countries come in their order of first appearance.
        confidence: coverage of the intervals.

    Returns:
        One row per country and measure of :data:`COUNTRY_MEASURES` (US$ m): the mean over the paired replicates
        with its Student-t interval (:func:`interval`). The countries' rows add up to the ledger's.
    """
    spent = costs.pivot_table(index=["replicate", "country"], columns="scenario", values="public_cost", aggfunc="sum")
    spent = spent.reindex(columns=["A", "B"]).fillna(0.0)
    values: dict[str, list[tuple[float, ...]]] = {country: [] for country in dict.fromkeys(provinces["country"])}
    for row in effects.itertuples():
        a, b = spent.loc[(row.replicate, row.country)] if (row.replicate, row.country) in spent.index else (0.0, 0.0)
        # as in the ledger: the same spending summed in another order is no extra spending
        cost = 0.0 if abs(b - a) <= ROUNDING * (abs(a) + abs(b)) else b - a
        rate, base = row.tax_rate_effect, row.tax_base_effect
        values[row.country].append((cost, rate + base, rate, base))
    rows = []
    for country, parts in values.items():
        for measure, column in zip(COUNTRY_MEASURES, np.array(parts).T, strict=True):
            rows.append({"country": country, "measure": measure, "unit": "US$ m"} | interval(column, confidence))
    return pd.DataFrame(rows)


def public_ledger(
    series: pd.DataFrame, effects: pd.DataFrame, discount_rate: float, confidence: float = 0.95
) -> pd.DataFrame:
    """The public ledger of B against A (:data:`LEDGER_MEASURES`), each measure's mean over paired replicates.

    Args:
        series: per-step summaries of every run with ``scenario`` (A or B) and ``replicate``.
        effects: each replicate's tax effects by country (:func:`tax_effects`); the profit tax change is their sum.
        discount_rate: the yearly discount rate of the net present value.
        confidence: coverage of the intervals.
    """
    per_replicate = []
    for replicate, pair in series.groupby("replicate"):
        a = pair[pair["scenario"] == "A"].sort_values("step").reset_index(drop=True)
        b = pair[pair["scenario"] == "B"].sort_values("step").reset_index(drop=True)
        years = b["year"].to_numpy(float)
        span = np.diff(years, prepend=years[0])  # each step's length in years (0 for the start)
        gdp = (b["gdp"] - a["gdp"]).to_numpy(float) * span
        cost = (b["public_cost"] - a["public_cost"]).to_numpy(float)
        jobs = float(b["modern_jobs"].iat[-1] - a["modern_jobs"].iat[-1])
        zone_jobs = float(b["zone_jobs"].iat[-1] - a["zone_jobs"].iat[-1])
        discount = (1.0 + discount_rate) ** -(years - years[0])
        spent = float(cost.sum())
        mine = effects[effects["replicate"] == replicate]
        rate_effect, base_effect = (float(mine[c].sum()) for c in ("tax_rate_effect", "tax_base_effect"))
        # Two scenarios that spend the same (the same zones in other places) differ by the rounding of their sums;
        # a GDP gain per dollar of that would be astronomical (4e13 seen). It is no extra spending.
        if abs(spent) <= ROUNDING * (a["public_cost"].abs().sum() + b["public_cost"].abs().sum()):
            spent = 0.0
        per_replicate.append(
            {
                "public_cost": spent,
                "zone_jobs_created": zone_jobs,
                "jobs_created": jobs,
                "gdp_gain": gdp.sum(),
                "npv": float(np.sum((gdp - cost) * discount)),
                "profit_tax_change": rate_effect + base_effect,
                "tax_rate_effect": rate_effect,
                "tax_base_effect": base_effect,
            }
        )
    frame = pd.DataFrame(per_replicate)
    # Ratios are of the means over replicates (total cost over total jobs), with Fieller's interval.
    ratios = {
        "cost_per_zone_job": (frame["public_cost"] * 1e6, frame["zone_jobs_created"]),
        "cost_per_job": (frame["public_cost"] * 1e6, frame["jobs_created"]),
        "gdp_per_public_dollar": (frame["gdp_gain"], frame["public_cost"]),
    }
    return pd.DataFrame(
        [
            {"measure": name, "unit": unit}
            | (
                ratio_interval(*(v.to_numpy() for v in ratios[name]), confidence)
                if name in ratios
                else interval(frame[name].to_numpy(), confidence)
            )
            for name, unit in LEDGER_MEASURES.items()
        ]
    )


def paired_differences(
    a: pd.DataFrame, b: pd.DataFrame, outcomes: Iterable[str], confidence: float = 0.95
) -> pd.DataFrame:
    """Mean difference B - A over paired replicates, with a Student-t confidence interval.

    Args:
        a: one row per replicate of scenario A, one column per outcome.
        b: the same for scenario B, replicates in the same order.
        outcomes: the columns to compare.
        confidence: coverage of the interval.
    """
    rows = []
    for name in outcomes:
        d = interval(b[name].to_numpy(float) - a[name].to_numpy(float), confidence)
        rows.append(
            {
                "outcome": name,
                "mean_a": float(a[name].mean()),
                "mean_b": float(b[name].mean()),
                "difference": d["mean"],
                "ci_low": d["ci_low"],
                "ci_high": d["ci_high"],
                "sd": d["sd"],
                "replicates": d["replicates"],
            }
        )
    return pd.DataFrame(rows)


PROVINCE_OUTCOMES = ("gdp_per_capita", "gdp", "workers_m", "firms")
"""What :func:`province_effects` compares, province by province: GDP per capita and GDP, and where the modern
sector's workers (by workplace) and firm agents went, the places a policy draws them from as well as to."""

PROVINCE_COLUMNS = [
    "province_id",
    "name",
    "country",
    "outcome",
    "mean_a",
    "mean_b",
    "relative",
    "ci_low",
    "ci_high",
    "beyond_noise",
    "p_value",
    "q_value",
    "beyond_noise_fdr",
    "replicates",
]
"""Columns of ``provinces.parquet``."""


def province_effects(
    a: list[pd.DataFrame], b: list[pd.DataFrame], provinces: pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """B relative to A in each province at the end, over paired replicates.

    For each province and outcome of :data:`PROVINCE_OUTCOMES`, the mean over the replicates of B / A - 1 (0.01 is
    1%; the replicates share their seeds, so each ratio nets out that pair's noise) with a Student-t interval, as
    :func:`interval` gives it for the region's outcomes, whether that interval excludes zero (``beyond_noise``;
    never with one replicate), and the means of A and B.

    Of many provinces, ``1 - confidence`` of those a policy leaves alone are beyond the noise by chance. So each
    province also gets the two-sided p-value of its t test (``p_value``: below ``1 - confidence`` exactly where the
    interval excludes zero) and the Benjamini-Hochberg adjusted one over the provinces (``q_value``, Benjamini and
    Hochberg 1995); ``beyond_noise_fdr`` marks those with ``q_value <= 1 - confidence``, a set of which that share
    at most is expected to be false discoveries. The test assumes each province's ratios are independent across
    replicates, not that provinces are independent of each other (the procedure holds for positively dependent
    tests, Benjamini and Yekutieli 2001).

    Args:
        a: per replicate of A, its provinces' ``province_id`` and :data:`PROVINCE_OUTCOMES` at the last step.
        b: the same for B, replicates in the same order.
        provinces: ``id``, ``name``, ``country`` of every province, in the order of the rows returned.
        confidence: coverage of the interval; ``1 - confidence`` is the false discovery rate.
    """
    rows = []
    ids = provinces["id"]
    for outcome in PROVINCE_OUTCOMES:
        values_a, values_b = (
            np.stack([run.set_index("province_id")[outcome].reindex(ids).to_numpy(float) for run in side])
            for side in (a, b)
        )
        effect = _paired_relative(values_a, values_b, confidence)
        q_value = benjamini_hochberg(effect["p_value"])
        place = {"province_id": ids.to_numpy(), "name": provinces["name"].to_numpy()}
        rows.append(
            pd.DataFrame(
                place
                | {"country": provinces["country"].to_numpy(), "outcome": outcome}
                | effect
                | {"q_value": q_value, "beyond_noise_fdr": q_value <= 1.0 - confidence}
            )
        )
    return pd.concat(rows, ignore_index=True)[PROVINCE_COLUMNS]


COUNTRY_OUTCOMES = ("gdp", "gdp_per_capita", "population")
"""What :func:`country_effects` compares, country by country."""


def country_effects(
    a: list[pd.DataFrame], b: list[pd.DataFrame], provinces: pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """B relative to A in each country at the end, over paired replicates: who gains, and at whose expense.

    A country's GDP and population are its provinces' sums, its GDP per capita their ratio (US$ m of GDP over
    persons, as a province's). For each country and outcome of :data:`COUNTRY_OUTCOMES`: the mean over the
    replicates of B / A - 1 with its Student-t interval, whether that excludes zero, the t test's p-value and both
    means, as :func:`province_effects` gives them for provinces (a handful of countries needs no false discovery
    rate).

    Args:
        a: per replicate of A, its provinces' ``province_id``, ``gdp``, ``population`` at the last step.
        b: the same for B, replicates in the same order.
        provinces: ``id`` and ``country`` of every province; countries come in their order of first appearance.
        confidence: coverage of the interval.
    """
    country = provinces["country"].to_numpy()
    countries = list(dict.fromkeys(country))

    def totals(run: pd.DataFrame, column: str) -> np.ndarray:
        values = run.set_index("province_id")[column].reindex(provinces["id"]).to_numpy(float)
        return pd.Series(values).groupby(country).sum().reindex(countries).to_numpy()

    def per_country(side: list[pd.DataFrame]) -> dict[str, np.ndarray]:
        gdp, people = (np.stack([totals(run, c) for run in side]) for c in ("gdp", "population"))
        return {"gdp": gdp, "population": people, "gdp_per_capita": 1e6 * gdp / people}

    values_a, values_b = per_country(a), per_country(b)
    rows = [
        pd.DataFrame(
            {"country": countries, "outcome": outcome}
            | _paired_relative(values_a[outcome], values_b[outcome], confidence)
        )
        for outcome in COUNTRY_OUTCOMES
    ]
    return pd.concat(rows, ignore_index=True)


def _paired_relative(values_a: np.ndarray, values_b: np.ndarray, confidence: float) -> dict[str, Any]:
    """Per column of paired replicates (rows): the mean of B / A - 1 with its Student-t interval.

    Also both means, whether the interval excludes zero (never with one replicate), the t test's p-value and the
    number of replicates. Where A has none (no modern firms in a periphery), B / A - 1 is 0 if B has none either
    and undefined (NaN, no test) if it has some.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(values_a != 0, values_b / values_a - 1.0, np.where(values_b == 0, 0.0, np.nan))
    mean = relative.mean(axis=0)
    half, p_value = _t_test(relative, confidence)
    return {
        "mean_a": values_a.mean(axis=0),
        "mean_b": values_b.mean(axis=0),
        "relative": mean,
        "ci_low": mean - half,
        "ci_high": mean + half,
        "beyond_noise": (mean - half > 0) | (mean + half < 0),
        "p_value": p_value,
        "replicates": relative.shape[0],
    }


def _t_test(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Half-width of each column's Student-t interval for its mean, and the two-sided p-value of mean zero.

    NaN both with one row. A column whose rows all agree has no noise: half-width 0, and p 0 unless it is 0 (p 1).
    """
    n = samples.shape[0]
    if n < 2:
        return np.full(samples.shape[1], np.nan), np.full(samples.shape[1], np.nan)
    mean, error = samples.mean(axis=0), samples.std(axis=0, ddof=1) / np.sqrt(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2.0 * stats.t.sf(np.abs(mean / error), n - 1)
    p_value = np.where(error == 0, np.where(mean == 0, 1.0, 0.0), p_value)
    return stats.t.ppf(0.5 + confidence / 2, n - 1) * error, p_value


def benjamini_hochberg(p_value: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values over the finite ones (``scipy.stats.false_discovery_control``).

    NaN elsewhere: those do not count among the tests.
    """
    q_value = np.full(p_value.shape, np.nan)
    finite = np.isfinite(p_value)
    if finite.any():
        q_value[finite] = stats.false_discovery_control(p_value[finite], method="bh")
    return q_value


def _scenario(source: str | Path | Scenario, overrides: Mapping[str, Any], years: float | None) -> Scenario:
    options = {"run.years": ("years", years)}
    if isinstance(source, Scenario):
        return source.with_changes(overrides, options)
    return load_scenario(source, overrides, options=options)


def check_no_seed(changes: Mapping[str, Any]) -> None:
    """Refuse an override of ``run.seed``: a comparison's replicate r runs both scenarios on seed + r.

    Raises:
        ScenarioError: naming ``--set run.seed``.
    """
    if "run.seed" in override_leaves(changes):
        message = "run.seed would be ignored: replicate r of both scenarios runs on seed + r (--seed sets the first)"
        raise ScenarioError([Problem("--set run.seed", "", message)])


def outcomes_problems(outcomes: list[Outcome], scenario: Scenario, other: Scenario | None = None) -> list[Problem]:
    """What is wrong with a comparison's outcomes: a name given twice, or one its runs cannot report.

    ``other`` is the scenario compared with ``scenario``: a zone of either may be asked for (the other holds none).
    """
    start = scenario.run.start_year
    geo = scenario.build_geography()
    zones = scenario.zone_names(geo)
    if other is not None:
        zones += [z for z in other.zone_names() if z not in zones]
    problems = []
    seen = set()
    for outcome in outcomes:
        if outcome.name in seen:
            problems.append(Problem("outcomes", outcome.name, "named twice (the headline outcomes come first)"))
        seen.add(outcome.name)
        end = start + scenario.run.years
        spy = scenario.run.steps_per_year
        problems += outcome_problems(outcome, outcome.name, geo, start, end, "outcomes", zones, spy)
    return problems


def compare(
    a: str | Path | Scenario,
    b: str | Path | Scenario,
    *,
    replicates: int = 5,
    years: float | None = None,
    seed: int = 1,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    outcomes: list[Outcome] | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    dask_local: int | None = None,
    out: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    done: Mapping[str, executors.Tables] | None = None,
) -> Comparison:
    """Run A and B on the same seeds and compare their outcomes.

    Args:
        a: the reference scenario (file or loaded).
        b: the scenario compared with it.
        replicates: paired runs.
        years: years per run (default: each scenario's).
        seed: replicate r uses ``seed + r``.
        overrides: applied to both scenarios.
        outcomes: what to compare (default: the headline aggregates at the end).
        workers: local processes (ignored with Dask).
        scheduler: address of an existing Dask scheduler (``tcp://host:port``).
        dask_local: start a Dask LocalCluster of this many workers.
        out: folder to write the tables and the figure to. Finished runs are kept beside it until the comparison is
            written (:func:`run_store`), so the same comparison into the same folder after a stop resumes.
        progress: called as ``progress(done, total)`` after each run, and first with the runs kept from a stopped
            attempt or given in ``done``, if any.
        done: runs already made, by key (``A0`` is A's first replicate, ``B1`` B's second): their tables and
            geography (:data:`~sez_sim.experiments.executors.Tables`), as a fresh run of the same scenario, seed and
            years would give them; the workshop app's own pair of runs.

    Raises:
        ScenarioError: for a bad scenario or option, or scenarios that cannot be paired (another preset, other
            provinces, another calendar: :func:`~sez_sim.scenario.pairing_problems`), before anything runs.
        UserError: for a Dask scheduler that is not one or does not answer, before anything runs.
    """
    from sez_sim.runs import now, provenance, scenario_record

    started, clock = now(), time.perf_counter()
    check_counts(replicates=(replicates, 1), seed=(seed, 0))
    if out is not None:
        check_target(out, "comparison")  # refuse a folder it may not write to before running anything
    changes = parse_overrides(overrides)
    check_no_seed(changes)
    scenarios = (_scenario(a, changes, years), _scenario(b, changes, years))
    unlike = pairing_problems(*scenarios, "--years")
    if unlike:
        where = str(scenarios[1].source or "B")
        raise ScenarioError([Problem(where, path, message) for path, message in unlike])
    outcomes = outcomes or list(DEFAULT_OUTCOMES)
    problems = outcomes_problems(outcomes, *scenarios)
    if problems:
        raise ScenarioError(problems)
    run = executors.executor(workers, scheduler, dask_local)
    specs = [o.model_dump(mode="json") for o in outcomes]
    tasks = []
    for label, scenario in zip("AB", scenarios, strict=True):
        raw = scenario.resolved()
        for r in range(replicates):
            tasks.append(
                {
                    "key": f"{label}{r}",
                    "scenario": raw,
                    "overrides": {},
                    "seed": seed + r,
                    "years": None,
                    "source": str(scenario.source) if scenario.source else None,
                    "outcomes": specs,
                    "provinces_end": ["province_id", *PROVINCE_OUTCOMES, "population"],
                    "fiscal": True,
                }
            )
    store = run_store(Path(out)) if out is not None else None
    results = kept_runs(store, tasks) if store is not None else {}
    for task in tasks:
        if task["key"] in (done or {}):
            results[task["key"]] = executors.result_of(task, lambda key=task["key"]: done[key])
    if results and progress is not None:
        progress(len(results), len(tasks))
    by_key = {t["key"]: t for t in tasks}
    for res in run([t for t in tasks if t["key"] not in results]):
        results[res["key"]] = res
        if store is not None and res["status"] == "ok":
            keep_run(store, by_key[res["key"]], res)
        if progress is not None:
            progress(len(results), len(tasks))
    failed = [res for res in results.values() if res["status"] != "ok"]
    if failed:
        message = f"{len(failed)} of {len(tasks)} runs failed; the first ({failed[0]['key']}): {failed[0]['error']}"
        if store is not None and len(failed) < len(tasks):
            message += (
                f" (the {len(tasks) - len(failed)} that finished are kept in {store}: the same command runs only the "
                "others again)"
            )
        if all(res.get("user_error") for res in failed):
            raise ScenarioError([Problem("compare", "", message)])
        raise RuntimeError(message)
    rows, series, taxes, costs = [], [], [], []
    for label, scenario in zip("AB", scenarios, strict=True):
        for r in range(replicates):
            res = results[f"{label}{r}"]
            rows.append({"scenario": label, "name": scenario.name, "replicate": r, "seed": seed + r} | res["outcomes"])
            series.append(res["summary"].assign(scenario=label, replicate=r))
            taxes.append(res["province_tax"].assign(scenario=label, replicate=r))
            costs.append(res["zone_cost"].assign(scenario=label, replicate=r))
    runs = pd.DataFrame(rows)
    names = [o.name for o in outcomes]
    differences = paired_differences(
        runs[runs["scenario"] == "A"].reset_index(drop=True),
        runs[runs["scenario"] == "B"].reset_index(drop=True),
        names,
    )
    preset = scenarios[0].economy.preset  # the pair shares it (pairing_problems)
    differences.insert(1, "unit", [unit_in(o.unit, preset) for o in outcomes])
    series = pd.concat(series, ignore_index=True)
    rate = scenarios[1].config().params["sez"]["social_discount_rate"]
    record = provenance(started) | {
        "a": scenario_record(scenarios[0]),
        "b": scenario_record(scenarios[1]),  # overrides applied: what ran
        "replicates": replicates,
        "seeds": [seed + r for r in range(replicates)],
        "outcomes": specs,
        "timings_seconds": {"runs": time.perf_counter() - clock},
    }
    names = (scenarios[0].name, scenarios[1].name)
    geo = scenarios[1].build_geography()
    ends = {label: [results[f"{label}{r}"]["provinces_end"] for r in range(replicates)] for label in "AB"}
    provinces = province_effects(ends["A"], ends["B"], geo.provinces)
    countries = country_effects(ends["A"], ends["B"], geo.provinces)
    effects = tax_effects(pd.concat(taxes, ignore_index=True), geo.provinces)
    ledger = public_ledger(series, effects, rate)
    marks = scenarios[1].policy_changes(scenarios[0], geo)
    fiscal = country_ledger(effects, pd.concat(costs, ignore_index=True), geo.provinces)
    result = Comparison(
        runs, differences, series, names, ledger, provinces, countries, fiscal, record, geography=geo, **marks
    )
    if out is not None:
        write(result, Path(out))
        shutil.rmtree(store, ignore_errors=True)
    return result


RUN_FRAMES = ("summary", "provinces_end", "province_tax", "zone_cost")
"""The tables of a finished run that a comparison reads (besides its outcomes)."""


def run_store(target: Path) -> Path:
    """Where a comparison into ``target`` keeps its finished runs until it is written: ``.<name>.runs`` beside it.

    Beside, not inside: the output folder is replaced whole when the comparison is written
    (:func:`~sez_sim.io.output_folder`), and the store is deleted once it is. A comparison stopped part-way (Ctrl-C,
    a failed run, a lost cluster) leaves it, and the same command run again takes from it every run whose task is
    the same (:func:`kept_runs`).
    """
    return target.parent / f".{target.name}.runs"


def _task_digest(task: dict[str, Any]) -> str:
    """What a kept run must have been run from: its task (the scenario as it ran, seed, outcomes) and the code."""
    return sha256([task, code_digest()])


def keep_run(store: Path, task: dict[str, Any], res: dict[str, Any]) -> None:
    """Keep a finished run: its tables as Parquet files, then its record (which marks it complete), each atomically.

    Keeping is a convenience: a store that cannot be written costs a rerun its head start, never the comparison.
    """
    folder = store / task["key"]
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        for name in RUN_FRAMES:
            with atomic_path(folder / f"{name}.parquet") as tmp:
                res[name].to_parquet(tmp)
        record = {"task": _task_digest(task), "outcomes": res["outcomes"], "seconds": res["seconds"]}
        with atomic_path(store / f"{task['key']}.json") as tmp:
            tmp.write_text(json.dumps(record))


def kept_runs(store: Path, tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The runs :func:`keep_run` kept for these tasks, as the executors return them.

    A record of another task or other code, or one that cannot be read, is left out: its run is done again.
    """
    found = {}
    for task in tasks:
        key = task["key"]
        try:
            record = json.loads((store / f"{key}.json").read_text())
            if record.get("task") != _task_digest(task):
                continue
            frames = {name: pd.read_parquet(store / key / f"{name}.parquet") for name in RUN_FRAMES}
        except (OSError, ValueError):  # absent, cut short (a JSON or Parquet error), or unreadable
            continue
        found[key] = {"key": key, "status": "ok", "error": None, "outcomes": record["outcomes"]}
        found[key] |= frames | {"seconds": record["seconds"]}
    return found


def write(result: Comparison, folder: Path) -> None:
    """Write the comparison's tables and figure atomically (see :func:`~sez_sim.io.output_folder`)."""
    from sez_sim.viz.experiments import comparison_figure, effect_map

    with output_folder(folder, "comparison") as tmp:
        result.runs.to_parquet(tmp / "runs.parquet", index=False)
        result.differences.to_parquet(tmp / "differences.parquet", index=False)
        result.series.to_parquet(tmp / "series.parquet", index=False)
        result.ledger.to_parquet(tmp / "ledger.parquet", index=False)
        (tmp / "manifest.json").write_text(json.dumps(result.manifest, indent=2, default=str) + "\n")
        result.provinces.to_parquet(tmp / "provinces.parquet", index=False)
        result.countries.to_parquet(tmp / "countries.parquet", index=False)
        result.country_ledger.to_parquet(tmp / "country_ledger.parquet", index=False)
        comparison_figure(result, tmp / "figures" / "comparison.png")
        if result.geography is not None:
            effect_map(result, tmp / "figures" / "effect_map.png")
            effect_map(result, tmp / "figures" / "workers_map.png", "workers_m")
    result.folder = folder
