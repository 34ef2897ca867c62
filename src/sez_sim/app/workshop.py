"""A workshop: a baseline and a policy model stepping together, and the policies a trainer has placed.

This is the app's state without any web framework, so it is tested directly and could drive another front end.
Both models are ``deepcopy`` forks of one template built from a scenario (building takes seconds, a copy a tenth of
one), so they start identical, share the seed and, stepping together, differ only by what is placed in the policy
model (common random numbers: a difference is the policy's effect, not noise). A placed instrument joins the
policy model from its next step (:meth:`SEZModel.add_policy`); the same instrument listed in the scenario with that
start year gives the same run, which is what :meth:`Workshop.scenario_yaml` writes. Removing a placed instrument
replays the policy run from a fresh copy of the template with the others, each placed at the step it was: the run
is then the one in which it was never placed, number for number. One pair of runs is not an effect: checking the
placed policies runs the starting scenario and the saved one on several seeds to the year reached, as
``sez-sim compare`` does, in worker processes while the session goes on.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml
from pydantic import TypeAdapter, ValidationError

from sez_sim.blas import limited_blas
from sez_sim.errors import Problem, ScenarioError, UserError
from sez_sim.policies import Instrument, Policy
from sez_sim.scenario import Scenario, load_scenario

if TYPE_CHECKING:
    from sez_sim.experiments.compare import Comparison
    from sez_sim.experiments.executors import Tables
    from sez_sim.model import SEZModel
    from sez_sim.policies.base import Places

_POLICY = TypeAdapter(Policy)


def library(folder: Path) -> dict[str, Scenario]:
    """The scenarios of a folder the app can start from: those on a dataset geography (by name, sorted)."""
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            scenario = load_scenario(path)
        except UserError:
            continue
        if scenario.economy.preset == "gms" and scenario.geography.synthetic is None:
            out[scenario.name] = scenario
    return out


def _tables(model: SEZModel) -> Tables:
    """A model's tables and geography as a run of it gives them, copied: the session steps on while a check runs."""
    rec = model.recorder
    return rec.summary_frame(), rec.provinces(), rec.zones_frame(), copy.deepcopy(model.geo)


def _needed(removed: dict[str, Any], needing: dict[str, Any], exc: ScenarioError) -> ScenarioError:
    """Why the placed instrument ``removed`` cannot be removed: ``needing``, placed later, was refused without it."""
    return ScenarioError(
        [
            Problem(
                "removed policy",
                "",
                f"the {needing['type']} placed from {needing['start_year']:g} needs this {removed['type']}: "
                f"without it, {problem.message}; remove that one first",
            )
            for problem in exc.problems
        ]
    )


class Workshop:
    """The baseline and the policy model of one browser session.

    Attributes:
        scenario: the scenario both models were built from.
        baseline: the model without the placed policies.
        policy: the model with them.
        placed: the placed instruments as scenario entries (with their start years), in order.
        targeted: the provinces the placed instruments aim at (node ids, sorted).
        places: each placed instrument's type and where it acts, in order (what the map marks).
    """

    def __init__(self, scenario: Scenario, template: SEZModel):
        self.scenario = scenario
        self.template = template  # never stepped: copied again to replay the policy run (remove)
        self.baseline = copy.deepcopy(template)
        self.policy = copy.deepcopy(template)
        self.targeted: list[int] = []
        self.places: list[tuple[str, Places]] = []
        self._placements: list[tuple[int, Instrument, dict[str, Any]]] = []  # step, instrument, scenario entry
        self.lock = threading.RLock()
        """Held while the models change or are read for the page: Play steps in a thread while a trainer places."""

    @property
    def placed(self) -> list[dict[str, Any]]:
        """The placed instruments as scenario entries (with their start years), in order."""
        return [saved for _, _, saved in self._placements]

    @property
    def year(self) -> float:
        """The calendar year the models have reached (the end of their last step)."""
        return self.policy.year

    @property
    def end_year(self) -> float:
        """The scenario's last year."""
        return self.scenario.run.start_year + self.scenario.run.years

    def place(self, entry: dict[str, Any]) -> Instrument:
        """Add an instrument to the policy model from its next step.

        Args:
            entry: the instrument as a scenario's ``policies`` entry (``{"type": "sez", "province": "Tak"}``).

        Returns:
            The instrument as the model holds it.

        Raises:
            ScenarioError: what is wrong with the entry (a field, a place), as for a scenario file.
        """
        try:
            instrument = _POLICY.validate_python(entry)
        except ValidationError as exc:
            raise ScenarioError(
                [Problem("placed policy", ".".join(map(str, e["loc"][1:])), e["msg"]) for e in exc.errors()]
            ) from None
        with self.lock:  # Play may be stepping: the start year and the model must be those of the same step
            start = self.policy.calendar.end(self.policy.steps)
            saved = {"type": instrument.tag(), **instrument.model_dump(mode="json", exclude_unset=True)}
            saved.setdefault("start_year", start)
            candidate = self.scenario_dict()
            candidate["policies"].append(saved)
            try:  # the saved scenario must load: the same rules as for a scenario file, such as no repeats
                load_scenario(candidate)
            except ScenarioError as exc:
                index = f"policies[{len(candidate['policies']) - 1}]"
                problems = [p for p in exc.problems if p.where.startswith(index)] or exc.problems
                raise ScenarioError(
                    [Problem("placed policy", p.where.removeprefix(index).lstrip("."), p.message) for p in problems]
                ) from None
            return self._add(instrument, saved)

    def _add(self, instrument: Instrument, saved: dict[str, Any]) -> Instrument:
        geo, zones = self.policy.geo, self.policy.zones.hosts()  # a programme serves the zones before it
        added = self.policy.add_policy(instrument)
        self._placements.append((self.policy.steps, instrument, saved))
        self.places.append((added.tag(), added.places(geo, zones)))
        self.targeted = sorted(set(self.targeted) | set(self.places[-1][1].targeted(geo)))
        return added

    def remove(self, index: int) -> None:
        """Take out the placed instrument ``index`` (in :attr:`placed`'s order), as if it had never been placed.

        The policy run is replayed from the template to the step it has reached, every other instrument placed at
        the step it was: about 2 s twenty years into a GMS run. An instrument placed later that needs this one (a
        programme for the zones it opened, by name, province or country) would be refused then: the removal is
        refused instead, saying which, and nothing changes.

        Raises:
            IndexError: when no instrument has that index.
            ScenarioError: when a later placed instrument needs this one.
        """
        with self.lock, limited_blas():
            if not 0 <= index < len(self._placements):
                raise IndexError(f"no placed instrument {index}: {len(self._placements)} are placed")
            kept = self._placements[:index] + self._placements[index + 1 :]
            removed = self._placements[index][2]
            reached, before = self.policy.steps, (self.policy, self.places, self.targeted, self._placements)
            self.policy = copy.deepcopy(self.template)
            self.places, self.targeted, self._placements = [], [], []
            try:
                for step in range(reached + 1):
                    for at, instrument, saved in kept:
                        if at == step:
                            try:
                                self._add(instrument, saved)
                            except ScenarioError as exc:
                                raise _needed(removed, saved, exc) from None
                    if step < reached:
                        self.policy.step()
            except BaseException:  # the session goes on as it was, whatever stopped the replay
                self.policy, self.places, self.targeted, self._placements = before
                raise

    def step(self, steps: int = 1) -> None:
        """Advance both models ``steps`` steps (not beyond the scenario's end)."""
        with self.lock, limited_blas():
            left = self.policy.calendar.steps(self.scenario.run.years) - self.policy.steps
            for _ in range(max(0, min(steps, left))):
                self.baseline.step()
                self.policy.step()

    @property
    def finished(self) -> bool:
        """Whether the models have reached the scenario's end."""
        return self.year >= self.end_year - 1e-9

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Years, baseline and policy values of a summary column, one value per step recorded."""
        base = self.baseline.recorder.summary
        pol = self.policy.recorder.summary
        years = np.array([row["year"] for row in pol])
        return years, np.array([row[name] for row in base]), np.array([row[name] for row in pol])

    def change(self, account: str = "gdp_per_capita") -> np.ndarray:
        """Per province, the policy run's value of an account relative to the baseline's, minus 1."""
        base = np.asarray(self.baseline.accounts[account], float)
        pol = np.asarray(self.policy.accounts[account], float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(base > 0, pol / base - 1.0, 0.0)

    def targeted_gdp(self) -> tuple[np.ndarray, np.ndarray]:
        """Years and the targeted provinces' GDP in the policy run relative to the baseline, minus 1, per step."""
        rows = np.array(self.targeted, int)
        years = np.array(self.policy.recorder.panel["year"])[:, 0] if self.policy.recorder.panel["year"] else []
        base = np.array([g[rows].sum() for g in self.baseline.recorder.panel["gdp"]])
        pol = np.array([g[rows].sum() for g in self.policy.recorder.panel["gdp"]])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(years, float), np.where(base > 0, pol / base - 1.0, 0.0)

    def targeted_tax(self) -> tuple[float, float, float]:
        """The profit tax the targeted provinces' firms paid over the last year of steps (US$ m).

        Returns:
            ``(baseline, policy, on_baseline)``: the two runs' and, of the policy's, what its rates levy on the profit
            the baseline's firms make (the rest is its rates on the profit the policy draws in or drives out;
            :func:`~sez_sim.experiments.compare.tax_parts`).
        """
        from sez_sim.experiments.compare import tax_parts

        rows = np.array(self.targeted, int)
        last = slice(-self.policy.steps_per_year, None)
        tax_b, taxable_b, tax_p, taxable_p = (
            np.array([values[rows] for values in model.recorder.panel[account][last]])
            for model in (self.baseline, self.policy)
            for account in ("profit_tax", "taxable_profit")
        )
        rate_effect, _ = tax_parts(tax_b, taxable_b, tax_p, taxable_p)
        return float(tax_b.sum()), float(tax_p.sum()), float(tax_b.sum()) + rate_effect

    def targeted_table(self, limit: int = 8) -> list[dict[str, Any]]:
        """The first ``limit`` targeted provinces in both runs.

        Each row: GDP per capita, modern jobs, the Gini of the province's workers' earnings (the dual economy's
        inequality inside it, docs/ODD.md 7.10), zone firms and the profit tax its firms pay (US$ m a year, at the
        last step's rate), as (baseline, policy).
        """
        geo, base, pol = self.policy.geo, self.baseline.accounts, self.policy.accounts
        rate_b, rate_p = self.baseline.employment_rate, self.policy.employment_rate
        year = self.policy.steps_per_year
        return [
            {
                "province": f"{geo.provinces['name'].iat[i]} ({geo.provinces['country'].iat[i]})",
                "gdp_per_capita": (float(base["gdp_per_capita"][i]), float(pol["gdp_per_capita"][i])),
                "modern_jobs": (float(base["workers_m"][i]) * rate_b, float(pol["workers_m"][i]) * rate_p),
                "earnings_gini": (float(base["earnings_gini"][i]), float(pol["earnings_gini"][i])),
                "zone_firms": (float(base["firms_in_zone"][i]), float(pol["firms_in_zone"][i])),
                "profit_tax": (float(base["profit_tax"][i]) * year, float(pol["profit_tax"][i]) * year),
            }
            for i in self.targeted[:limit]
        ]

    def scenario_dict(self) -> dict[str, Any]:
        """The setup as a scenario: the starting scenario, resolved, with the placed instruments after its own."""
        data = self.scenario.model_dump(mode="json", exclude_none=True, exclude={"extends"})
        data["name"] = f"{self.scenario.name}_workshop"
        data["description"] = (
            f"Saved from the sez-sim workshop app: {self.scenario.name} with {len(self.placed)} placed "
            f"polic{'y' if len(self.placed) == 1 else 'ies'}."
        )
        own = [p.model_dump(mode="json", exclude_unset=True) | {"type": p.tag()} for p in self.scenario.policies]
        data["policies"] = own + [dict(p) for p in self.placed]
        return data

    def check(
        self, pairs: int = 5, workers: int | None = None, progress: Callable[[int, int], None] | None = None
    ) -> Comparison:
        """The placed policies' effect so far over ``pairs`` pairs of runs, beyond the noise of one pair.

        It is ``sez-sim compare`` of the starting scenario and the saved one (:meth:`scenario_dict`), to the year the
        models have reached. The pairs run on the session's seed and the next ``pairs - 1``: the first pair is this
        session's two runs, number for number (a run of the saved scenario is the session's run), so they are taken
        as they are and only the others run; those show how much of the difference is the policies' and how much is
        chance. Besides compare's headline outcomes, ``targeted_gdp`` is the targeted provinces' GDP (when any
        are targeted). The session may step, place and remove while the runs go on: they run what was placed when the
        check began.

        Args:
            pairs: paired runs (at least 2, for an interval).
            workers: local processes (default: the number of cores).
            progress: called as ``progress(done, total)`` after each run.

        Raises:
            ScenarioError: when fewer than two pairs are asked for, or no placed instrument has acted yet.
        """
        from sez_sim.experiments.compare import compare
        from sez_sim.experiments.spec import DEFAULT_OUTCOMES, Outcome
        from sez_sim.yamlio import check_counts

        check_counts(pairs=(pairs, 2))
        with self.lock:  # Play may be stepping: the runs, what was placed and the year must be those of one step
            if not any(entry["start_year"] < self.year for entry in self.placed):
                raise ScenarioError(
                    [Problem("check", "", "no placed policy has acted yet: place one, then step the models first")]
                )
            steps = self.policy.steps
            placed = load_scenario(self.scenario_dict())
            targeted = [str(self.policy.geo.provinces["id"].iat[i]) for i in self.targeted]
            own = {"A0": _tables(self.baseline), "B0": _tables(self.policy)}
        outcomes = list(DEFAULT_OUTCOMES)
        if targeted:
            outcomes.append(Outcome(name="targeted_gdp", table="provinces", column="gdp", provinces=targeted))
        return compare(
            self.scenario,
            placed,
            replicates=pairs,
            years=steps / self.policy.steps_per_year,
            seed=self.scenario.run.seed,
            outcomes=outcomes,
            workers=workers,
            progress=progress,
            done=own,
        )

    def scenario_yaml(self) -> str:
        """:meth:`scenario_dict` as YAML that ``sez-sim run`` reproduces (same seed, same numbers)."""
        return yaml.safe_dump(self.scenario_dict(), sort_keys=False, allow_unicode=True)
