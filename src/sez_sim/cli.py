"""The ``sez-sim`` command line (typer). It parses arguments and prints; the work happens in the library."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sez_sim.errors import Problem, UserError
from sez_sim.version import __version__

app = typer.Typer(
    name="sez-sim",
    help="Agent-based simulator of Special and Cross-Border Economic Zones in the Greater Mekong Subregion.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's help formatter alone costs more than the 0.3 s start-up budget
)
# No markup or emoji codes: what is printed holds the user's paths, names and values ("results/[a]" or ":x:" in a
# folder's name printed as something else would misreport where the outputs went); styles are given as Text.
err = Console(stderr=True, highlight=False, markup=False, emoji=False)
out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)  # paths and keys stay on one line

COMPARE_LEVELS_WIDTH = 110
"""Narrowest terminal whose ``sez-sim compare`` table shows both scenarios' levels beside the difference."""

PARAMS_TABLE_WIDTH = 140
"""Narrowest terminal that shows ``sez-sim params`` as a table; narrower ones get a block per parameter."""


WHERE_SET = (
    "Set a parameter by the key shown, with --set KEY=VALUE or as an experiment factor; a scenario file holds the "
    "firms' and workers' sections under agents and the instruments' sections under policy_defaults."
)
"""The footer of ``sez-sim params``: where its keys are written."""

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""

Scheduler = Annotated[str | None, typer.Option(help="An existing Dask scheduler, tcp://host:port.")]
DaskLocal = Annotated[int | None, typer.Option(min=1, help="Start a Dask LocalCluster of N workers.")]
"""The options of the commands that run many runs (``batch``, ``claim``, ``claims``, ``compare``): where they run."""


def one_cluster(scheduler: str | None, dask_local: int | None) -> None:
    """Refuse both a Dask scheduler and a local cluster, before anything is loaded."""
    if scheduler is not None and dask_local is not None:
        raise UserError("give --scheduler or --dask-local, not both")


def progress_bar(*columns: Any, transient: bool = False) -> Any:
    """A progress bar on the terminal: each task's description and bar, then ``columns``.

    The default columns are the runs done of the total and the time elapsed.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = columns or (MofNCompleteColumn(), TimeElapsedColumn())
    description = TextColumn("{task.description}", style="bold", markup=False)
    return Progress(description, BarColumn(), *columns, console=out, transient=transient)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """A :class:`UserError` becomes its message on stderr and exit code 2; Ctrl-C exit code 130; no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            for text in dict.fromkeys(map(str, exc.problems)):  # the same scenario twice has the same problems
                err.print(f"error: {text}", soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted: nothing incomplete was left under its final name")
            raise typer.Exit(INTERRUPTED) from None

    return wrapper


def warn(problems: list[Any]) -> None:
    """Print warnings (things allowed but probably not meant) on stderr, each once."""
    for text in dict.fromkeys(map(str, problems)):
        err.print(f"warning: {text}", soft_wrap=True)


def _output(value: str | None) -> Path | None:
    """An ``--out`` path: refuse an empty one at once (``Path("")`` would mean the current folder)."""
    if value is None:
        return None
    if not value.strip():
        raise typer.BadParameter("an empty path; give a folder or file name")
    return Path(value)


def _version(value: bool) -> None:
    if value:
        out.print(f"sez-sim {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Agent-based simulator of Special and Cross-Border Economic Zones in the Greater Mekong Subregion."""


@app.command()
@user_errors
def network(
    out_file: Annotated[
        str,
        typer.Option("--out", callback=_output, help="PNG file to write (never over a file sez-sim did not write)."),
    ] = "results/gms_network.png",
    data: Annotated[
        Path | None, typer.Option("--data", help="A custom dataset folder (default: the built-in GMS data).")
    ] = None,
) -> None:
    """Draw the corridor network: countries, corridors, crossings, zones and ports."""
    from sez_sim.geography import load_folder, load_gms
    from sez_sim.viz.maps import draw_network
    from sez_sim.viz.save import save_png

    if Path(out_file).suffix.lower() != ".png":
        raise typer.BadParameter(f"{str(out_file)!r} does not end in .png; the map is a PNG image", param_hint="--out")
    if Path(out_file).is_dir():
        raise typer.BadParameter(f"{str(out_file)!r} is a folder; give a .png file name", param_hint="--out")
    geo = load_folder(data) if data else load_gms()
    save_png(draw_network(geo), out_file, dpi=100)
    out.print(f"wrote {out_file}")


@app.command()
def params(
    section: Annotated[
        str | None,
        typer.Argument(
            help="Only this section (economy, firms, workers, ...), or the parameters whose key contains this "
            "(sigma, economy.sigma, fdi)."
        ),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind: uncertainty, lever or setting.")] = None,
) -> None:
    """Print the parameter registry: defaults, units, bounds, kind, description and source.

    A kind marked "no rebuild" is not read by construction: runs that differ only in such parameters share one built
    model (the construction cache); "partial rebuild" is read only after the calibrated steady state, which runs that
    differ in it share. The keys as printed work in ``--set``, experiment factors and claims; a scenario file holds
    the firms' and workers' parameters under ``agents`` and the instruments' under ``policy_defaults``.
    """
    import textwrap

    from rich.table import Table
    from rich.text import Text

    from sez_sim.docs import default_text, kind_text
    from sez_sim.params import registry

    params = registry()
    sections = sorted({p.section for p in params.values()})
    # A section, or else a part of the keys: "sez-sim params sigma" is how one looks a parameter up.
    matches = section is None or section in sections or any(section.lower() in key for key in params)
    if not matches:
        raise typer.BadParameter(
            f"no section or parameter key matches {section!r}; the sections are {', '.join(sections)}",
            param_hint="SECTION",
        )
    kinds = sorted({p.kind for p in params.values()})
    if kind is not None and kind not in kinds:
        raise typer.BadParameter(f"unknown kind {kind!r}; choose from {', '.join(kinds)}", param_hint="--kind")
    chosen = [
        (key, p)
        for key, p in sorted(params.items())
        if (not section or (p.section == section if section in sections else section.lower() in key))
        and (not kind or p.kind == kind)
    ]
    if out.width < PARAMS_TABLE_WIDTH:
        # A table this narrow squeezes the default, unit and description columns to nothing: a block per parameter.
        for key, p in chosen:
            bounds = f"[{p.bounds[0]:g}, {p.bounds[1]:g}]"
            facts = f"{key}: default {default_text(p)} ({p.unit}), bounds {bounds}, {kind_text(p)}"
            first, *rest = textwrap.wrap(facts, max(out.width, 40), subsequent_indent="    ")
            out.print(Text.assemble((key, "bold"), first[len(key) :]))
            for line in rest:
                out.print(line)
            for text, style in ((p.description, "default"), (p.source, "dim")):
                for line in textwrap.wrap(text, max(out.width - 4, 40)):
                    out.print(Text(f"    {line}", style=style))
            out.print()
        out.print(textwrap.fill(WHERE_SET, max(out.width, 40)))
        return
    table = Table(title="sez-sim parameters", show_lines=True)
    for column in ("parameter", "default", "unit", "bounds", "kind", "description and source"):
        table.add_column(column, overflow="fold", no_wrap=column in ("parameter", "bounds", "kind"))  # whole, to grep
    for key, p in chosen:
        table.add_row(
            key,
            default_text(p),
            p.unit,
            f"[{p.bounds[0]:g}, {p.bounds[1]:g}]",
            kind_text(p),
            Text.assemble(p.description, "\n", (p.source, "dim")),
        )
    out.print(table)
    out.print(textwrap.fill(WHERE_SET, max(out.width, 40)))


@app.command(name="cache")
def cache_command(
    clear: Annotated[bool, typer.Option("--clear", help="Remove every entry.")] = False,
) -> None:
    """Show the construction cache: its folder (SEZ_SIM_CACHE), entries and size; --clear empties it."""
    from sez_sim import cache

    folder = cache.location()
    if folder is None:
        out.print(f"the construction cache is off ({cache.ENV}={os.environ.get(cache.ENV)!r})")
        return
    why = cache.unusable(folder)
    if why is not None:  # a cache that cannot be written never stops a run; every model is built afresh
        out.print(
            f"{why}: the construction cache is unusable ({cache.ENV}={folder}), so every run builds its model "
            "afresh; set it to a folder you can write"
        )
        return
    if clear:
        out.print(f"{folder}: removed {cache.clear()} entries")
        return
    entries = cache.entries(folder)
    size = sum(p.stat().st_size for p in entries) / 2**20
    limit = cache.MAX_BYTES / 2**20
    out.print(f"{folder}: entries {len(entries)}, {size:,.0f} MB (the newest are kept within {limit:,.0f} MB)")


def file_kind(path: Path) -> str | None:
    """``scenario``, ``experiment`` or ``claim``: the kind of input whose own top-level keys the file uses most.

    Keys every kind has (``name``, ``description``, ``years``, ...) do not count. None for a file that cannot be
    read (missing, not YAML), whose loader says what is wrong; a file that uses no key of its own counts as a
    scenario.
    """
    from sez_sim import yamlio
    from sez_sim.scenario import Scenario

    try:
        keys = set(yamlio.read_chain(path)[0][1])
    except UserError:
        return None
    if keys <= set(Scenario.model_fields):
        return "scenario"  # without importing the experiments' modules (half a second of a scenario's validate)
    from sez_sim.experiments.claims import Claim
    from sez_sim.experiments.spec import Experiment

    models = {"scenario": Scenario, "experiment": Experiment, "claim": Claim}
    fields = {kind: set(model.model_fields) for kind, model in models.items()}
    own = {
        kind: len(keys & (names - set.union(*(f for k, f in fields.items() if k != kind))))
        for kind, names in fields.items()
    }
    best = max(own, key=own.get)
    return best if own[best] > own["scenario"] else "scenario"


RUNS = {
    "scenario": "run it with sez-sim run, or compare two with sez-sim compare",
    "experiment": "run it with sez-sim batch",
    "claim": "answer it with sez-sim claim",
}
"""What to do with each kind of input file."""

WITH_ARTICLE = {"scenario": "a scenario", "experiment": "an experiment", "claim": "a claim"}


@contextlib.contextmanager
def expecting(kind: str, *paths: Path) -> Iterator[None]:
    """When a loader refuses one of ``paths`` that is another kind of input file, say that in one line instead.

    An experiment file given to ``sez-sim run`` would otherwise get an ``unknown key`` for each of its keys.
    """
    try:
        yield
    except UserError as exc:
        for path in paths:
            other = file_kind(path)
            if other is not None and other != kind:
                message = f"is {WITH_ARTICLE[other]} file, not {WITH_ARTICLE[kind]} file: {RUNS[other]}"
                raise UserError(Problem(str(path), "", message)) from None
        raise _extended_by_kind(exc, paths) from None


def _extended_by_kind(exc: UserError, given: Iterable[Path]) -> UserError:
    """``exc``, or one line for a file of another kind that a scenario ``extends`` (``unknown key`` for each key).

    The refused files that were not given on the command line are the parents of an ``extends`` chain (a scenario's,
    or an experiment's or claim's scenarios'), which must be scenarios.
    """
    named = {Path(p).resolve() for p in given}
    for source in dict.fromkeys(p.source for p in exc.problems):
        path = Path(source)
        if path.suffix not in (".yaml", ".yml") or not path.is_file() or path.resolve() in named:
            continue
        kind = file_kind(path)
        if kind not in (None, "scenario"):
            message = f"is {WITH_ARTICLE[kind]} file, named by extends where a scenario must be ({RUNS[kind]})"
            return UserError(Problem(source, "", message))
    return exc


def _surroundings(outcomes: list[Any], scenario: Any) -> str:
    """Which provinces each outcome with ``within_km`` selects: ``sez-sim validate`` shows them before any run."""
    banded = [o for o in outcomes if o.within_km is not None]
    if not banded:
        return ""
    geo = scenario.build_geography()
    said = []
    for outcome in banded:
        names = geo.provinces.set_index("id").loc[outcome.surroundings(geo), "name"].tolist()
        listed = ", ".join(names) if len(names) <= 8 else ", ".join(names[:8]) + ", ..."
        low, high = outcome.within_km
        centres = ", ".join(outcome.provinces)
        said.append(f"{outcome.name}: {len(names)} provinces {low:g}-{high:g} km from {centres} ({listed})")
    return "; " + "; ".join(said)


def _validated(path: Path, overrides: list[str]) -> str:
    """Load one input file as its kind does before it runs; return what it holds, in a few words.

    ``overrides`` (``--set``) are applied as the command that runs the file takes them (``run``, ``batch``,
    ``claim``).
    """
    kind = file_kind(path) or "scenario"
    if kind == "experiment":
        from sez_sim.experiments import load_experiment
        from sez_sim.experiments.batch import check_every_point
        from sez_sim.experiments.designs import lever_settings, sample

        experiment = load_experiment(path, overrides)
        design = sample(experiment)
        check_every_point(experiment, design)
        warn(experiment.base_scenario().warnings())
        runs = len(design) * experiment.replicates
        settings = len(lever_settings(experiment, design)) if experiment.design != "grid" else 1
        crossed = f" crossed with {settings} lever settings" if settings > 1 else ""
        said = f"experiment {experiment.name}: {experiment.design} design{crossed}, {runs} run{'s' * (runs != 1)}"
        return said + _surroundings(experiment.outcomes, experiment.base_scenario())
    if kind == "claim":
        from sez_sim.experiments.claims import load_claim, range_words

        claim = load_claim(path, overrides)
        scenarios = claim.scenarios()
        for scenario in scenarios:
            warn(scenario.warnings())
        if claim.baseline is None:
            said = f"claim {claim.name}: {claim.outcome.name} in {claim.treatment} {range_words(claim.range)}"
        else:
            expects = range_words(claim.range) if claim.expect == "within" else claim.expect
            said = f"claim {claim.name}: {claim.treatment} against {claim.baseline}, expects {expects}"
        return said + _surroundings([claim.outcome], scenarios[0])
    from sez_sim.scenario import load_scenario

    scenario = load_scenario(path, overrides)
    warn(scenario.warnings())
    count = len(scenario.policies)
    said = f"{scenario.name}, {count} {'policy' if count == 1 else 'policies'}"
    opened = scenario.zone_names(dataset=False)
    # The names outcomes of zones select by (zones: [...]); a long list is only counted.
    if opened:
        said += f"; opens {', '.join(opened)}" if len(opened) <= 8 else f"; opens {len(opened)} zones"
    return said


@app.command()
@user_errors
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario, experiment or claim files to check.")],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a key of each file as run, batch or claim would: dotted.key=value (repeatable)."
        ),
    ] = None,
) -> None:
    """Check scenario, experiment and claim files as running them would, without running. Exit 2 on any problem.

    Scenarios: schema, the calibrated economy's rules, references to provinces, crossings and corridors.
    Experiments: also their base scenario, factors and outcomes, and every point of a Sobol or Morris design.
    Claims: also their two scenarios, whether they can be paired, and the outcome. The kind is read from the keys.
    With ``--set``, each file is checked with the overrides its own command would apply (a scenario's keys for a
    scenario, an experiment's for an experiment, a claim's for a claim).
    """
    from sez_sim.errors import Problem, ScenarioError
    from sez_sim.yamlio import parse_overrides

    parse_overrides(set_)  # a malformed --set is refused once, not for each file
    given = f"; with --set {', '.join(set_)}" if set_ else ""
    problems = []
    for path in files:
        try:
            out.print(f"ok: {path} ({_validated(path, set_ or [])}{given})")
        except ScenarioError as exc:
            problems += [
                Problem(f"{path} ({p.source})", p.where, p.message, p.rule) if p.source.startswith("--set") else p
                for p in _extended_by_kind(exc, [path]).problems
            ]
    if problems:
        raise ScenarioError(problems)


@app.command()
def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="The reference (docs/scenarios.md) instead.")] = False,
) -> None:
    """Print the JSON Schema of scenario files (for editor completion), or the Markdown reference."""
    import json

    if markdown:
        from sez_sim.docs import scenario_reference

        sys.stdout.write(scenario_reference())
        return
    from sez_sim.scenario import Scenario

    sys.stdout.write(json.dumps(Scenario.model_json_schema(), indent=2) + "\n")


@app.command()
@user_errors
def run(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="A scenario YAML file.")],
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's run.seed).")] = None,
    years: Annotated[float | None, typer.Option(help="Years to run (default: the scenario's run.years).")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a key: dotted.key=value (repeatable).")
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            callback=_output,
            help="Output folder: new, empty, or an earlier run's (default: results/<name>/<time>-s<seed>).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    figures: Annotated[bool, typer.Option(help="Write figures.")] = True,
) -> None:
    """Run a scenario and write its tables, figures and manifest."""
    from rich.progress import TextColumn, TimeRemainingColumn

    from sez_sim.io import output_folder
    from sez_sim.runs import default_folder, load_writers, simulate, write_into
    from sez_sim.scenario import load_scenario

    with expecting("scenario", scenario_file):
        scenario = load_scenario(
            scenario_file, set_ or [], options={"run.seed": ("--seed", seed), "run.years": ("--years", years)}
        )
    warn(scenario.warnings())
    seed = scenario.run.seed
    draw = figures and scenario.outputs.figures
    load_writers(draw)
    target = Path(out_dir) if out_dir is not None else default_folder(scenario, seed)
    show = not quiet and out.is_terminal
    with claimed(target, out_dir is None), output_folder(target, "run") as tmp:  # a killed run leaves a .part
        if show:
            with progress_bar(
                TextColumn("{task.completed}/{task.total} steps"), TimeRemainingColumn(), transient=True
            ) as bar:
                task = bar.add_task(f"{scenario.name} (seed {seed})", total=None)
                result = simulate(scenario, progress=lambda step, total: bar.update(task, completed=step, total=total))
        else:
            result = simulate(scenario)
        write_into(result, tmp, draw)
    calibration = result.manifest["calibration"]
    rounds, planned = calibration["steady_state_rounds"], calibration["steady_state_rounds_planned"]
    if rounds is not None and rounds < planned:
        warn(
            [
                f"the firm stock's steady state was refined in {rounds} of {planned} rounds (entry could not balance "
                "exit after more at these parameters): the baseline drifts more than usual; compare policies with "
                "it in paired runs"
            ]
        )
    out.print(f"wrote {target}")
    if draw:
        out.print(f"figures: {target / 'figures'}")
    if not quiet:
        out.print(headline_table(result))


@app.command()
@user_errors
def compare(
    scenario_a: Annotated[Path, typer.Argument(metavar="A", help="The reference scenario.")],
    scenario_b: Annotated[Path, typer.Argument(metavar="B", help="The scenario compared with A.")],
    replicates: Annotated[int, typer.Option(min=1, help="Paired runs (seeds seed, seed+1, ...).")] = 5,
    years: Annotated[float | None, typer.Option(help="Years per run (default: each scenario's).")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the first replicate.")] = 1,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a key in both: dotted.key=value.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: the number of cores).")] = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="Also compare an outcome written as in experiment files (repeatable), e.g. "
            "'{name: tak_gdp, table: provinces, column: gdp, provinces: [Tak], change: true}'.",
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            callback=_output,
            help="Output folder: new, empty, or an earlier comparison's (default: results/compare-A-B).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Paired runs of two scenarios: mean difference B - A with a 95% confidence interval, and a figure.

    The headline aggregates of the region are compared, and each --outcome after them. Runs are kept as they finish:
    rerun the same command to finish a stopped comparison.
    """
    import os

    from sez_sim.experiments.compare import check_no_seed
    from sez_sim.experiments.compare import compare as run_compare
    from sez_sim.experiments.spec import DEFAULT_OUTCOMES, parse_outcome
    from sez_sim.scenario import load_scenario, parse_overrides

    check_no_seed(parse_overrides(set_))
    one_cluster(scheduler, dask_local)

    with expecting("scenario", scenario_a, scenario_b):
        a, b = (
            load_scenario(f, set_ or [], options={"run.years": ("--years", years)}) for f in (scenario_a, scenario_b)
        )
    warn(a.warnings() + b.warnings())
    extra = [parse_outcome(text, f"--outcome {text}") for text in outcome or []]
    target = out_dir or Path("results") / f"compare-{a.name}-{b.name}"
    options = {
        "replicates": replicates,
        "seed": seed,
        "workers": workers or os.cpu_count() or 1,
        "scheduler": scheduler,
        "dask_local": dask_local,
        "outcomes": [*DEFAULT_OUTCOMES, *extra],
        "out": target,
    }
    if not quiet and out.is_terminal:
        with progress_bar(transient=True) as bar:
            task = bar.add_task(f"{b.name} against {a.name}", total=2 * replicates)
            result = run_compare(a, b, progress=lambda done, _: bar.update(task, completed=done), **options)
    else:
        result = run_compare(a, b, **options)
    levels = out.width >= COMPARE_LEVELS_WIDTH
    out.print(comparison_table(result, replicates, levels))
    if not levels:
        out.print("(the levels A and B are in differences.parquet, or on a terminal of 110 columns or more)")
    out.print(countries_table(result))
    if a.economy.preset == "gms":  # the textbook presets refuse every instrument with a public cost
        out.print(ledger_table(result))
        out.print(country_ledger_table(result))
    out.print(provinces_table(result))
    moved = where_workers_went(result)
    if moved is not None:
        out.print(moved)
    out.print(f"wrote {target}")


@app.command()
@user_errors
def claim(
    claim_file: Annotated[Path, typer.Argument(metavar="CLAIM", help="A claim YAML file (docs/claims.md).")],
    replicates: Annotated[int | None, typer.Option(help="Paired runs at the default parameters.")] = None,
    samples: Annotated[int | None, typer.Option(help="Draws of the uncertainties (0: no robustness).")] = None,
    years: Annotated[float | None, typer.Option(help="Years per run (default: the claim's).")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: the number of cores).")] = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a claim key: dotted.key=value.")] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            callback=_output,
            help="Output folder: new, empty, or an earlier claim's (default: results/claim-<name>).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """A published claim put to the model: a verdict at the defaults, its robustness and what it hinges on.

    Runs are stored as they finish: rerun the same command to finish a stopped claim.
    """
    import os

    from sez_sim.experiments.claims import evaluate, load_claim

    one_cluster(scheduler, dask_local)
    with expecting("claim", claim_file):
        spec = load_claim(claim_file, set_ or [], replicates=replicates, samples=samples, years=years)
    warn([w for scenario in spec.scenarios() for w in scenario.warnings()])
    target = out_dir or Path("results") / f"claim-{spec.name}"
    options = {"workers": workers or os.cpu_count() or 1, "scheduler": scheduler, "dask_local": dask_local}
    if not quiet and out.is_terminal:
        with progress_bar() as bar:
            task = bar.add_task(spec.name, total=None)
            answer = evaluate(
                spec, out=target, progress=lambda done, total: bar.update(task, completed=done, total=total), **options
            )
    else:
        answer = evaluate(spec, out=target, **options)
    out.print(claim_summary(answer))
    out.print(f"wrote {target}")


@app.command()
@user_errors
def claims(
    folder: Annotated[Path, typer.Argument(metavar="FOLDER", help="A folder of claim files (experiments/claims).")],
    replicates: Annotated[int | None, typer.Option(help="Paired runs at the default parameters, every claim.")] = None,
    samples: Annotated[int | None, typer.Option(help="Draws of the uncertainties, every claim.")] = None,
    years: Annotated[float | None, typer.Option(help="Years per run, every claim.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: the number of cores).")] = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a key of every claim: dotted.key=value (overrides.mechanisms.all=true: the growth "
            "mechanisms on).",
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out", callback=_output, help="Output folder (default: results/claims)."),
    ] = None,
    doc: Annotated[
        Path | None,
        typer.Option(
            help="A document whose generated verdicts block to rewrite (docs/claims.md): the block these options "
            "(--replicates, --samples, --years, --set) generate."
        ),
    ] = None,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale",
            help="With --doc: answer only the claims whose row there is missing or out of date (new or edited claims, "
            "changed scenarios); keep the others' rows, drop those of claims no longer in the folder.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Every claim of a folder: each answered into OUT/<name>/, and a summary table (summary.md, summary.parquet).

    Each claim's verdict is printed as soon as it is answered. Runs are stored as they finish: rerun the same
    command to finish a stopped library.
    """
    import os
    from functools import partial

    from sez_sim.experiments.claims import (
        DOC_END,
        doc_block,
        doc_blocks,
        doc_marker,
        doc_options,
        documented,
        evaluate_all,
        load_claim,
        update_doc,
    )

    one_cluster(scheduler, dask_local)
    sets = set_ or []
    options = doc_options(replicates, samples, years, sets)
    if doc is not None and (not doc.is_file() or options not in doc_blocks(doc.read_text())):
        raise UserError(
            f"--doc {doc}: not a document with a generated verdicts block for these options (a line "
            f"{doc_marker(options)} where the table goes, and {DOC_END} below it)"
        )
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder of claim files")
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise UserError(f"{folder}: holds no claim files (*.yaml)")
    kept: list[str] = []
    if stale:
        if doc is None:
            raise UserError("--stale answers the claims out of date in --doc: give --doc")
        shown = documented(doc.read_text(), options)
        flags = {"replicates": replicates, "samples": samples, "years": years}
        with expecting("claim", *files):
            loaded = {path: load_claim(path, sets, **flags) for path in files}
        kept = [c.name for c in loaded.values() if shown.get(c.name) == c.fingerprint()]
        files = [path for path, c in loaded.items() if c.name not in kept]
        if not files:
            gone = set(shown) - set(kept)
            if gone:
                update_doc(doc, doc_block(None, doc.read_text(), kept, options), options)
                out.print(f"updated {doc}: dropped {', '.join(sorted(gone))}")
            out.print(f"every claim's row in {doc} is current")
            return
        out.print(f"{len(kept)} claim(s) current in {doc}; answering {', '.join(loaded[p].name for p in files)}")
    target = out_dir or Path("results") / "claims"
    answer_all = partial(
        evaluate_all,
        files,
        target,
        sets=sets,
        replicates=replicates,
        samples=samples,
        years=years,
        workers=workers or os.cpu_count() or 1,
        scheduler=scheduler,
        dask_local=dask_local,
    )
    if not quiet and out.is_terminal:
        with progress_bar() as bar:
            answered = bar.add_task("claims answered", total=len(files))
            runs = bar.add_task("", total=None, visible=False)  # shown from the first claim's start

            def report(row: dict[str, Any]) -> None:
                bar.console.print(verdict_line(row))
                bar.advance(answered)
                bar.reset(runs, visible=False)  # the next claim's runs, timed from its start

            table = answer_all(
                progress=lambda name, done, total: bar.update(
                    runs, description=name, completed=done, total=total, visible=True
                ),
                answered=report,
            )
    else:
        table = answer_all(answered=lambda row: out.print(verdict_line(row)))
    out.print(f"wrote {target}")
    if doc is not None:
        update_doc(doc, doc_block(table, doc.read_text(), kept, options), options)
        out.print(f"updated {doc}")


@app.command(name="app")
@user_errors
def workshop_app(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: a free one).")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 shares the app on the network.")] = (
        "127.0.0.1"
    ),
    scenarios: Annotated[Path, typer.Option(help="Folder of scenario files to start from.")] = Path("scenarios"),
    scenario: Annotated[str, typer.Option(help="The scenario (by name) a new session starts from.")] = "gms_baseline",
    language: Annotated[str, typer.Option(help="Language of the labels (sez_sim/app/labels.py).")] = "en",
) -> None:
    """The workshop app: place zones and policies live, baseline and policy side by side (docs/app.md).

    Runs offline: nothing is fetched from the internet, and no usage data is sent.
    """
    import importlib.util
    import os
    import socket

    from sez_sim.app.labels import LABELS
    from sez_sim.app.server import environment, run_server
    from sez_sim.app.workshop import library

    if importlib.util.find_spec("solara") is None:
        raise UserError("the app needs its extra packages: pip install 'sez-sim[app]' (or make app)")
    if not scenarios.is_dir():
        raise UserError(f"--scenarios {scenarios}: not a folder of scenario files")
    if language not in LABELS:
        raise UserError(f"--language {language}: not one of {', '.join(sorted(LABELS))}")
    # The page would start from another scenario without a word: a typo in --scenario is the user's to hear of.
    names = list(library(scenarios))
    if names and scenario not in names:
        raise UserError(f"--scenario {scenario}: not among the scenarios of {scenarios} ({', '.join(names)})")
    if port == 0:  # a free port, chosen here so that the address printed is the one served
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
    os.environ.update(environment(scenarios, scenario, language))
    out.print(f"sez-sim workshop app on http://{host}:{port} (Ctrl-C stops it)")
    run_server(host, port)
    out.print("sez-sim workshop app stopped")


def verdict_line(row: dict[str, Any]) -> str:
    """A claim's row of the summary table in one line: its name, verdict and the share of draws it holds in."""
    holds = f", holds in {row['holds_share']:.0%} of draws" if row["draws"] else ""
    return f"{row['claim']}: {row['verdict']}{holds}"


def claim_summary(answer: dict) -> str:
    """The answer to a claim in a few lines."""
    from sez_sim.experiments.claims import describe

    first, *rest = describe(answer)
    return "\n".join([first, *(f"  {line}" for line in rest)])


@app.command()
@user_errors
def batch(
    experiment_file: Annotated[Path, typer.Argument(metavar="EXPERIMENT", help="An experiment YAML file.")],
    replicates: Annotated[int | None, typer.Option(min=1, help="Replicates per design point.")] = None,
    years: Annotated[float | None, typer.Option(help="Years per run.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Local processes (default: the number of cores).")] = None,
    scheduler: Scheduler = None,
    dask_local: DaskLocal = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override an experiment key: dotted.key=value.")
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out", callback=_output, help="Output folder: new, empty, or this experiment's (default: results/<name>)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Run an experiment's design x replicates; resumable (rerun the same command to finish a stopped batch).

    Runs that fail are recorded and the rest go on; the command then exits with code 1 (a rerun retries them).
    """
    from rich.progress import MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn

    from sez_sim.experiments import load_experiment, run_batch

    one_cluster(scheduler, dask_local)
    with expecting("experiment", experiment_file):
        experiment = load_experiment(
            experiment_file,
            set_ or [],
            options={"replicates": ("--replicates", replicates), "years": ("--years", years)},
        )
    warn(experiment.base_scenario().warnings())
    options = {
        "workers": workers,
        "scheduler": scheduler,
        "dask_local": dask_local,
        "out": out_dir,
    }
    if not quiet and out.is_terminal:
        with progress_bar(MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()) as bar:
            task = bar.add_task(experiment.name, total=None)
            result = run_batch(
                experiment, progress=lambda done, total, _: bar.update(task, completed=done, total=total), **options
            )
    else:
        result = run_batch(experiment, **options)
    out.print(batch_summary(experiment, result))
    for outcome, reason in result.unanalysed.items():
        out.print(f"no sensitivity indices for {outcome}: {reason}")
    out.print(f"wrote {result.folder}")
    failed = result.runs[result.runs["status"] == "error"]
    if len(failed):
        first = failed.iloc[0]
        err.print(f"{len(failed)} run(s) failed; the first ({first['key']}): {first['error']}", soft_wrap=True)
        err.print(
            "every error is in runs.parquet (column 'error'); running the batch again retries the failed runs",
            soft_wrap=True,
        )
        raise typer.Exit(1)


@app.command()
@user_errors
def discover(
    folder: Annotated[Path, typer.Argument(help="A finished batch's output folder.")],
    outcome: Annotated[str, typer.Argument(help="One of the experiment's outcomes.")],
    below: Annotated[float | None, typer.Option(help="The runs whose outcome is below this are the cases.")] = None,
    above: Annotated[float | None, typer.Option(help="... or those above this.")] = None,
) -> None:
    """Scenario discovery on a batch: PRIM's box of the uncertainties where an outcome is below or above a threshold.

    A sampled design's box is over its uncertainties, one for each setting of its levers; a grid's over its
    numeric factors. Writes FOLDER/discovery_OUTCOME.json.
    """
    from sez_sim.experiments.discovery import discover as find

    answer = find(folder, outcome, below, above)
    out.print(discovery_text(answer), soft_wrap=True)
    out.print(f"wrote {folder / f'discovery_{outcome}.json'}")


def discovery_text(answer: dict[str, Any]) -> str:
    """Each lever setting's cases, box and most important factors, in sentences."""
    from sez_sim.experiments.designs import setting_text
    from sez_sim.results import significant

    lines = []
    for setting in answer["settings"]:
        where = setting_text(setting["levers"])
        head = f"{answer['outcome']} {answer['condition']}" + (f" with {where}" if where else "")
        lines.append(f"{head}: {setting['cases']} of {setting['runs']} runs")
        if setting["box"] is None:
            lines.append(f"  {setting['note']}: no box to find")
            continue
        box = setting["box"]
        for name, lim in box["restrictions"].items():
            kind = "reproducible" if lim["reproducible"] else "not reproducible"
            lines.append(f"  {name} in [{significant(lim['low'], 3)}, {significant(lim['high'], 3)}] ({kind})")
        if not box["restrictions"]:
            lines.append("  no restriction: the cases are spread over the factors")
        lines.append(
            f"  the box holds {box['coverage']:.0%} of the cases, {box['density']:.0%} of its runs are cases; "
            "most important: " + ", ".join(list(setting["importance"])[:3])
        )
    return "\n".join(lines)


def comparison_table(result: Any, replicates: int, levels: bool = True) -> Any:
    """One line per outcome, in its unit: A and B, B - A with its relative change and 95% interval.

    ``levels=False`` leaves A and B out, for a narrow terminal.
    """
    import math

    from rich.table import Table
    from rich.text import Text

    from sez_sim.results import display_unit, fixed, format_values

    a, b = result.names
    table = Table(title=f"{b} (B) - {a} (A), {replicates} paired replicates")
    columns = ("outcome", "unit", *(("A", "B") if levels else ()), "B - A", "relative", "95% interval of B - A")
    for column in columns:
        # Whole names and numbers, never "theil_bet…" or "[-0.0005…": the unit and the interval fold instead.
        folds = column in ("unit", "95% interval of B - A")
        table.add_column(column, justify="left" if column in ("outcome", "unit") else "right", no_wrap=not folds)
    for row in result.differences.itertuples():
        unit = row.unit
        level_a, level_b = format_values([row.mean_a, row.mean_b], unit, extend=False)
        diff, low, high = format_values([row.difference, row.ci_low, row.ci_high], unit, signed=True)
        # A relative change of a relative change (GDP growth) says nothing, and explodes where A's is near zero.
        relative = row.difference / row.mean_a if row.mean_a and unit != "relative change" else float("nan")
        table.add_row(
            row.outcome,
            display_unit(unit),
            *((level_a, level_b) if levels else ()),
            diff,
            fixed(100 * relative, 2, signed=True) + ("%" if math.isfinite(relative) else ""),
            Text(f"[{low}, {high}]"),  # Text, not str: a console with markup would take "[n/a, n/a]" for a tag
        )
    return table


def ledger_table(result: Any) -> Any:
    """The public ledger of B against A: each measure's mean with its 95% interval."""
    import math

    from rich.table import Table
    from rich.text import Text

    from sez_sim.results import fixed

    table = Table(title=f"public ledger: {result.names[1]} (B) against {result.names[0]} (A)")
    for column in ("measure", "unit", "B - A", "95% interval"):
        table.add_column(column, justify="left" if column in ("measure", "unit") else "right")
    for row in result.ledger.itertuples():
        shown = [fixed(v, 2) for v in (row.mean, row.ci_low, row.ci_high)]
        # A ratio whose denominator is not clearly above zero has no bounded interval (compare.ratio_interval).
        unbounded = math.isfinite(row.mean) and math.isnan(row.ci_low) and row.replicates > 1
        interval = "unbounded" if unbounded else Text(f"[{shown[1]}, {shown[2]}]")
        table.add_row(row.measure.replace("_", " "), row.unit, shown[0], interval)
    return table


def countries_table(result: Any) -> Any:
    """Each country's GDP and GDP per capita in B against A, with their 95% intervals (countries.parquet)."""
    import math

    from rich.table import Table
    from rich.text import Text

    def shown(row: Any) -> tuple[str, str]:
        interval = "n/a" if math.isnan(row.ci_low) else Text(f"[{row.ci_low:+.2%}, {row.ci_high:+.2%}]")
        return f"{row.relative:+.2%}", interval

    effect = result.countries
    table = Table(title="by country, B against A (B / A - 1 at the end, mean over the replicates)")
    for column in ("country", "GDP", "95% interval", "GDP per capita", "95% interval"):
        table.add_column(column, justify="left" if column == "country" else "right")
    gdp, per_capita = (effect[effect["outcome"] == o].set_index("country") for o in ("gdp", "gdp_per_capita"))
    for country in gdp.index:
        table.add_row(country, *shown(gdp.loc[country]), *shown(per_capita.loc[country]))
    return table


def country_ledger_table(result: Any) -> Any:
    """The ledger's money by country, B - A over the run (country_ledger.parquet).

    The public cost of zones, the profit tax with its 95% interval, and the tax's rate and base effects.
    """
    import math

    from rich.table import Table
    from rich.text import Text

    from sez_sim.experiments.compare import COUNTRY_MEASURES
    from sez_sim.results import fixed

    ledger = result.country_ledger.set_index(["country", "measure"])
    table = Table(title="by country, B - A over the run (US$ m, mean over the replicates)")
    for column in ("country", "public cost", "profit tax", "95% interval", "tax rate effect", "tax base effect"):
        table.add_column(column, justify="left" if column == "country" else "right", no_wrap=column == "95% interval")
    for country in dict.fromkeys(result.country_ledger["country"]):
        cost, tax, rate, base = (ledger.loc[(country, measure)] for measure in COUNTRY_MEASURES)
        low, high = (fixed(v, 0) for v in (tax.ci_low, tax.ci_high))  # to the million: the row fits 80 columns
        interval = "n/a" if math.isnan(tax.ci_low) else Text(f"[{low}, {high}]")
        table.add_row(
            country, *(fixed(v["mean"], 1) for v in (cost, tax)), interval, *(fixed(v["mean"], 1) for v in (rate, base))
        )
    return table


PROVINCES_SHOWN = 8
"""Provinces the comparison prints, those whose effect is beyond the noise, largest first (all in provinces.parquet)."""


def provinces_table(result: Any) -> Any:
    """The provinces whose GDP per capita in B differs from A's beyond the noise (95% interval without 0).

    Of many provinces, one in twenty is beyond it by chance alone at 95%: the title says how many there are, and how
    many of them hold at a 5% false discovery rate (Benjamini-Hochberg, the ``q`` column).
    """
    from rich.table import Table
    from rich.text import Text

    effect = result.provinces[result.provinces["outcome"] == "gdp_per_capita"]
    if effect.empty or effect["replicates"].iat[0] < 2:
        return Text("(one replicate: no interval by province; each province's effect is in provinces.parquet)")
    beyond = effect[effect["beyond_noise"]]
    chance = 0.05 * len(effect)
    if beyond.empty:
        return Text(f"(no province's GDP per capita differs beyond the noise, of {len(effect)}: provinces.parquet)")
    title = (
        f"GDP per capita by province, B against A: {len(beyond)} of {len(effect)} beyond the noise (about "
        f"{chance:.0f} by chance alone), {int(beyond['beyond_noise_fdr'].sum())} of them at a 5% false discovery "
        f"rate (q <= 0.05); the largest {min(len(beyond), PROVINCES_SHOWN)}, every province in provinces.parquet"
    )
    table = Table(title=title)
    for column in ("province", "country", "B / A - 1", "95% interval", "q"):
        table.add_column(column, justify="left" if column in ("province", "country") else "right")
    shown = beyond.loc[beyond["relative"].abs().sort_values(ascending=False, kind="stable").index[:PROVINCES_SHOWN]]
    for row in shown.itertuples():
        interval = Text(f"[{row.ci_low:+.2%}, {row.ci_high:+.2%}]")
        table.add_row(row.name, row.country, f"{row.relative:+.2%}", interval, f"{row.q_value:.2g}")
    return table


MOVES_SHOWN = 3
"""Provinces named on each side of where a comparison's modern workers went."""


def where_workers_went(result: Any) -> Any:
    """A sentence on the provinces whose modern workers in B differ from A's beyond the noise: gains and losses.

    A policy's gains in some provinces are often drawn from others; the largest :data:`MOVES_SHOWN` of each side
    are named, all of them in provinces.parquet (outcome ``workers_m``, and ``firms`` for the firm agents). None
    with one replicate (:func:`provinces_table` says there is no interval).
    """
    from rich.text import Text

    effect = result.provinces[result.provinces["outcome"] == "workers_m"]
    if effect.empty or effect["replicates"].iat[0] < 2:
        return None
    beyond = effect[effect["beyond_noise"]].sort_values("relative", kind="stable")
    if beyond.empty:
        return Text(f"(no province's modern workers differ beyond the noise, of {len(effect)}: provinces.parquet)")

    def named(rows: Any) -> str:
        return ", ".join(f"{row.name} {row.relative:+.1%}" for row in rows.itertuples()) or "none"

    gains = beyond[beyond["relative"] > 0].iloc[::-1].head(MOVES_SHOWN)
    losses = beyond[beyond["relative"] < 0].head(MOVES_SHOWN)
    return Text(
        f"modern workers by province, B against A: {len(beyond)} of {len(effect)} beyond the noise "
        f"({int(beyond['beyond_noise_fdr'].sum())} at a 5% false discovery rate); most gained: {named(gains)}; "
        f"most lost: {named(losses)} (provinces.parquet, outcomes workers_m and firms)"
    )


def batch_summary(experiment: Any, result: Any) -> Any:
    """Runs done, skipped and failed; each outcome's mean and spread; the largest sensitivity index of each outcome.

    The sensitivity lines come under the table, as sentences: in a table column, rich cut the factors' dotted keys
    (``firms.entry_logit_s…``) on an 80-column terminal.
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from sez_sim.results import significant
    from sez_sim.viz.experiments import factor_text

    runs = result.runs
    ok = runs[runs["status"] == "ok"]
    table = Table(
        title=f"{experiment.name}: {result.done} run(s) done, {result.skipped} already finished, "
        f"{result.failed} failed, {result.seconds:.0f} s"
        + (f" ({result.rerun} stored by another version of sez-sim, run again)" if result.rerun else "")
    )
    # A sampled design's levers are compared on the same draws: each outcome once per combination of them, a column
    # per lever (named by its key's last part).
    levers = [f.key for f in experiment.crossed()] if experiment.design != "grid" else []
    for column in ("outcome", *(k.rsplit(".", 1)[-1] for k in levers), "mean", "sd", "min", "max"):
        table.add_column(column, justify="left" if column == "outcome" else "right")
    settings = list(ok.groupby([f"factor:{k}" for k in levers], sort=False)) if levers and len(ok) else [((), ok)]
    for o in experiment.outcomes:
        for k, (_, part) in enumerate(settings):
            v = part[o.name]
            table.add_row(
                o.name if k == 0 else "",
                *(factor_text(part[f"factor:{key}"].iloc[0]) for key in levers),
                significant(v.mean(), 5),
                significant(v.std(), 3),
                significant(v.min(), 5),
                significant(v.max(), 5),
                end_section=k == len(settings) - 1 and len(settings) > 1,
            )
    if result.sensitivity is None or result.sensitivity.empty:
        return table
    key = "ST" if "ST" in result.sensitivity else "mu_star"
    measure = "total Sobol index ST" if key == "ST" else "Morris mu*"
    spread = result.sensitivity.groupby(["outcome", "factor"], sort=False)[key].agg(["mean", "min", "max", "size"])
    top = spread.reset_index().sort_values("mean", ascending=False, kind="stable").groupby("outcome").head(1)
    order = {o.name: k for k, o in enumerate(experiment.outcomes)}
    lines = []
    for row in sorted(top.itertuples(), key=lambda r: order.get(r.outcome, len(order))):
        over = (
            f", mean of {row.size} lever settings, {significant(row.min, 3)} to {significant(row.max, 3)}"
            if row.size > 1
            else ""
        )
        lines.append(
            Text(f"Most influential on {row.outcome}: {row.factor} ({measure} {significant(row.mean, 3)}{over})")
        )
    return Group(table, *lines)


@contextlib.contextmanager
def claimed(folder: Path, ours: bool) -> Iterator[None]:
    """Remove ``folder`` again if the command claimed it (a default folder) and it is still empty on failure."""
    try:
        yield
    except BaseException:
        if ours and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise


def headline_table(result: Any) -> Any:
    """Start and end values of the headline results (GDP in US$, or in model units for the textbook presets)."""
    from rich.table import Table

    from sez_sim.results import UNITS, fixed, format_values, significant

    s = result.summary
    first, last = s.iloc[0], s.iloc[-1]
    table = Table(title=f"{result.scenario.name}: {first['year']:.0f} -> {last['year']:.0f}")
    for column in ("", "start", "end", "change"):
        table.add_column(column, justify="right" if column else "left")
    # GDP is in US$ m, or in model units for the textbook presets (where "US$ bn 0.0" would say nothing), so
    # gdp x 1e6 / population is US$ per person, or model units per million persons.
    per_person = [row["gdp"] * 1e6 / row["population"] for row in (first, last)]
    if result.scenario.economy.preset == "gms":
        gdp = [
            ("GDP (US$ bn)", first["gdp"] / 1e3, last["gdp"] / 1e3, "{:,.1f}"),
            ("GDP per capita (US$)", *per_person, "{:,.0f}"),
        ]
    else:
        gdp = [
            ("GDP (model units)", first["gdp"], last["gdp"], None),
            ("GDP per million persons (model units)", *per_person, None),
        ]
    levels = [
        ("population (m)", first["population"] / 1e6, last["population"] / 1e6, "{:,.1f}"),
        *gdp,
        ("firm agents", first["firms"], last["firms"], "{:,.0f}"),
        ("foreign firm agents", first["firms_foreign"], last["firms_foreign"], "{:,.0f}"),
        ("firms in zones", first["zone_firms"], last["zone_firms"], "{:,.0f}"),
    ]
    recorder = result.model.recorder
    indices = [
        ("Gini (provinces)", "gini"),
        ("Theil T between countries", "theil_t_between"),
        ("Theil T within countries", "theil_t_within"),
        *([("capitals' GDP share", "capital_gdp_share")] if recorder.capital.any() else []),
        *([("border provinces' GDP share", "border_gdp_share")] if recorder.border.any() else []),
    ]
    for name, a, b, fmt in levels:
        start, end = (significant(v) if fmt is None else fmt.format(v) for v in (a, b))
        table.add_row(name, start, end, fixed(100 * (b / a - 1), 2, signed=True) + "%" if a else "")
    for name, key in indices:
        # A small change keeps two significant digits (Theil T between the teaching corridor's countries: +0.0000038).
        change = last[key] - first[key]
        if abs(change) < 1e-12:  # rounding error of a sum that did not change
            change = 0.0
        unit = UNITS[key]
        table.add_row(name, fixed(first[key], 4), fixed(last[key], 4), format_values([change], unit, signed=True)[0])
    migrants = s["migrants"].sum()
    table.add_row("migrants over the run", "", f"{migrants:,.0f}", "")
    table.add_row("of whom across a border", "", f"{s['cross_border_migrants'].sum():,.0f}", "")
    table.add_row("jobs in zones", f"{first['zone_jobs']:,.0f}", f"{last['zone_jobs']:,.0f}", "")
    zones = result.zones
    opened = zones[zones["origin"] == "policy"] if len(zones) else zones
    if len(opened):  # the scenario's own zones: lost in the total beside the dataset's
        ends = opened[opened["step"] == opened["step"].max()]
        starts = opened[opened["step"] == opened["step"].min()]
        count = ends["zone"].nunique()
        end = f"{ends['jobs'].sum():,.0f} of {ends['capacity_jobs'].sum():,.0f}"
        table.add_row(f"  in the {count} zone(s) its policies open", f"{starts['jobs'].sum():,.0f}", end, "")
    tax = s["profit_tax"].sum()
    if result.scenario.economy.preset == "gms":
        for name, column in (
            ("zones' public cost, US$ m (run)", "public_cost"),
            ("zone firms' profit tax, US$ m (run)", "tax_revenue"),
            ("profit tax forgone, US$ m (run)", "tax_forgone"),
        ):
            table.add_row(name, "", f"{zones[column].sum() if len(zones) else 0.0:,.1f}", "")
        table.add_row("profit tax of all firms, US$ m (run)", "", f"{tax:,.1f}", "")
    else:  # the textbook presets have no zones, and their money is in model units, as their GDP
        table.add_row("profit tax of all firms, model units (run)", "", significant(tax), "")
    taxable = s["taxable_profit"].sum()
    rate = f"{tax / taxable:.1%}" if taxable > 0 else "n/a"
    table.add_row("  on their taxable profit (run)", "", rate, "")
    return table


def main() -> None:
    """Entry point of the ``sez-sim`` command and of ``python -m sez_sim``.

    Whatever the command did, the objects left are frozen before the interpreter exits: its last garbage
    collections would otherwise walk every object the libraries created (mesa, pandas, matplotlib, scipy), about
    0.35 s after a run has written everything (benchmarks/README.md). Frozen objects are still freed by reference
    counting, and atexit handlers still run.
    """
    try:
        app(prog_name="sez-sim")
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
