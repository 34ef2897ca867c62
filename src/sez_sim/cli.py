"""The ``sez-sim`` command line (typer). It parses arguments and prints; the work happens in the library."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sez_sim import __version__
from sez_sim.errors import UserError

app = typer.Typer(
    name="sez-sim",
    help="Agent-based simulator of Special and Cross-Border Economic Zones in the Greater Mekong Subregion.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`UserError` into its message on stderr and exit code 2, without a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            for problem in exc.problems:
                err.print(f"error: {problem}", markup=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


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
    out_file: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path("results/gms_network.png"),
    data: Annotated[
        Path | None, typer.Option("--data", help="A custom dataset folder (default: the built-in GMS data).")
    ] = None,
) -> None:
    """Draw the corridor network: countries, corridors, crossings, zones and ports."""
    from sez_sim.geography import load_folder, load_gms
    from sez_sim.io import atomic_path
    from sez_sim.viz.maps import draw_network

    geo = load_folder(data) if data else load_gms()
    fig = draw_network(geo)
    with atomic_path(out_file) as tmp:
        fig.savefig(tmp, format="png")
    out.print(f"wrote {out_file}")


@app.command()
def params(
    section: Annotated[str | None, typer.Argument(help="Only this section (economy, firms, workers, ...).")] = None,
    kind: Annotated[str | None, typer.Option(help="Only uncertainties, levers or settings.")] = None,
) -> None:
    """Print the parameter registry: defaults, units, bounds, kind, description and source."""
    from rich.table import Table

    from sez_sim.params import registry

    table = Table(title="sez-sim parameters", show_lines=True)
    for column in ("parameter", "default", "unit", "bounds", "kind", "description and source"):
        table.add_column(column, overflow="fold")
    for key, p in sorted(registry().items()):
        if (section and p.section != section) or (kind and p.kind != kind):
            continue
        default = ", ".join(f"{k}: {v:g}" for k, v in p.default.items()) if p.per else f"{p.default:g}"
        table.add_row(
            key, default, p.unit, f"[{p.bounds[0]:g}, {p.bounds[1]:g}]", p.kind, f"{p.description}\n[dim]{p.source}[/]"
        )
    out.print(table)


def main() -> None:
    """Entry point for ``python -m sez_sim``."""
    app(prog_name="sez-sim")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
