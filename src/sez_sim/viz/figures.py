"""The figures a run writes.

Change in GDP per capita on the map, inequality over time, migration flows on the map, zone jobs over time.
Each is readable on its own: a title with the scenario name, units, a legend.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sez_sim.results import significant  # noqa: E402
from sez_sim.viz.axes import year_axis  # noqa: E402
from sez_sim.viz.maps import DROPPED_COLOUR, draw_base, draw_policies, place_labels  # noqa: E402
from sez_sim.viz.save import save_png  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sez_sim.geography import Geography
    from sez_sim.policies.base import Places
    from sez_sim.runs import RunResult


LABELLED = 10
"""Provinces with the largest changes that the GDP map tries to label (those without room are left out)."""


def _margins(fig: plt.Figure, left: float, right: float, bottom: float, top: float, **space: float) -> None:
    """Fixed margins in inches (the room of tick labels, axis labels and titles at these fonts).

    Each figure has a fixed size and fixed fonts, so its margins are known in advance; ``tight_layout`` would
    measure them by drawing the figure once more before it is saved (a quarter of a run's figure time).
    ``space`` passes ``wspace``/``hspace`` through.
    """
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / width, right=1.0 - right / width, bottom=bottom / height, top=1.0 - top / height, **space
    )


MAP_LEFT = 0.65
"""The maps' left margin in inches: room for latitude ticks of up to three characters and the axis label."""

DIGIT_WIDTH = 0.09
"""Inches a character of a 10-point tick label takes (DejaVu Sans digits, with room to spare)."""


def _map_left(ax: plt.Axes) -> float:
    """The left margin a map needs: wider where the latitude ticks are long (``16.75`` on a small custom dataset).

    Read from the formatter, without drawing the figure: the margins stay fixed for the GMS and the synthetic
    geographies, whose ticks fit.
    """
    ticks = ax.yaxis.get_major_formatter().format_ticks(ax.get_yticks())
    return max(MAP_LEFT, MAP_LEFT + DIGIT_WIDTH * (max(map(len, ticks), default=0) - 3))


def _years(result: RunResult) -> tuple[float, float]:
    years = result.summary["year"]
    return float(years.iloc[0]), float(years.iloc[-1])


def gdp_per_capita_change(result: RunResult, baseline: RunResult | None = None) -> np.ndarray:
    """Percentage change in each province's GDP per capita, in the geography's order.

    Without ``baseline``, over the run (last step against the first). With it, the policy's effect: the run's last
    step against the baseline's, which must be of the same geography and end in the same step (a paired run, the
    same seed, is what tells the policy from the run's own drift).

    Raises:
        ValueError: the baseline covers other provinces or ends at another step.
    """
    ids = result.model.geo.provinces["id"]

    def at(run: RunResult, step: int) -> np.ndarray:
        panel = run.provinces
        return panel[panel["step"] == step].set_index("province_id")["gdp_per_capita"].reindex(ids).to_numpy()

    end = int(result.provinces["step"].max())
    if baseline is None:
        return (at(result, end) / at(result, int(result.provinces["step"].min())) - 1.0) * 100.0
    if not baseline.model.geo.provinces["id"].equals(ids):
        raise ValueError("baseline: another geography (its provinces differ from the run's)")
    if int(baseline.provinces["step"].max()) != end:
        raise ValueError(f"baseline: ends at step {int(baseline.provinces['step'].max())}, the run at step {end}")
    return (at(result, end) / at(baseline, end) - 1.0) * 100.0


def gdp_change_map(result: RunResult, path: Path, baseline: RunResult | None = None) -> None:
    """Each province's percentage change in GDP per capita on the corridor network.

    Over the run, or against a paired ``baseline`` at the end (:func:`gdp_per_capita_change`).
    """
    start, end = _years(result)
    if baseline is None:
        headline = f"{result.scenario.name}: change in GDP per capita, {start:.0f}-{end:.0f}"
        label = "change in GDP per capita (%)"
    else:
        headline = f"{result.scenario.name} against {baseline.scenario.name}: GDP per capita in {end:.0f}"
        label = f"GDP per capita against {baseline.scenario.name} (%)"
    geo = result.model.geo
    if baseline is None:
        marks = {"policies": result.scenario.policy_places(geo)}
    else:
        marks = result.scenario.policy_changes(baseline.scenario, geo)
        marks["names"] = (baseline.scenario.name, result.scenario.name)
    change_map(geo, gdp_per_capita_change(result, baseline), headline, label, path, **marks)


def change_map(
    geo: Geography,
    change: np.ndarray,
    headline: str,
    label: str,
    path: Path,
    beyond_noise: np.ndarray | None = None,
    discovered: np.ndarray | None = None,
    policies: Sequence[tuple[str, Places]] = (),
    dropped: Sequence[tuple[str, Places]] = (),
    names: tuple[str, str] | None = None,
) -> None:
    """Per-province percentage changes on the corridor network, the largest labelled.

    The GDP map's drawing, for changes computed elsewhere too (a policy's effect averaged over paired replicates).
    ``beyond_noise`` marks the provinces whose interval excludes zero: they get a black ring and are labelled first.
    ``discovered`` (a subset of them) marks those that hold at a false discovery rate: a thick ring, labelled before
    the others. ``policies`` (each one's type and places) are marked where they act, with a legend
    (:func:`~sez_sim.viz.maps.draw_policies`); against a paired run, those of the mapped run it lacks, and in grey
    ``dropped``, those of the paired run the mapped one lacks, with ``names`` (the paired run's, the mapped one's).
    """
    fig, ax = plt.subplots(figsize=(9, 10) if geo.n > 20 else (8, 4))
    markers = draw_base(geo, ax, node_values=change, cmap="RdBu")
    added, gone = draw_policies(geo, ax, policies), draw_policies(geo, ax, dropped, DROPPED_COLOUR)
    if added or gone:
        if names is None:
            heading = ["policies"]
        else:
            heading = [f"purple: only in {names[1]}"] * bool(added) + [f"grey: only in {names[0]}"] * bool(gone)
        title = "\n".join(textwrap.fill(line, 45) for line in heading)
        ax.legend(handles=added + gone, loc="lower left", fontsize=7, framealpha=0.9, title=title, title_fontsize=7)
    bar = fig.colorbar(markers, ax=ax, shrink=0.6)
    bar.set_label(label)
    corridors = len(geo.corridors) > 0  # as draw_base
    legend = "dot size: population; red = fall, blue = rise" + ("; dark lines: corridors" if corridors else "")
    first = np.zeros(geo.n, bool) if beyond_noise is None else np.asarray(beyond_noise, bool)
    kept = np.zeros(geo.n, bool) if discovered is None else np.asarray(discovered, bool)
    if beyond_noise is not None:
        markers.set_edgecolors(np.where(first, "black", "#555"))
        markers.set_linewidths(np.where(kept, 3.0, np.where(first, 1.5, 0.3)))
        legend += "; black rings: 95% interval excludes 0"
        if discovered is not None:
            legend += ", thick ones also at a 5% false discovery rate"
    width = 72 if geo.n > 20 else 60  # characters of title a line holds over the map at each of the two sizes
    title = "\n".join([*textwrap.wrap(headline, width), *textwrap.wrap(f"({legend})", width)])
    ax.set_title(title)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    _margins(fig, left=_map_left(ax), right=0.15, bottom=0.6, top=0.4 + 0.2 * title.count("\n"))
    largest = np.lexsort((-np.nan_to_num(np.abs(change)), ~first, ~kept))
    largest = largest[np.isfinite(change[largest])][:LABELLED]  # an undefined change has no label
    prov = geo.provinces
    texts = [f"{prov['name'].iat[i]} {significant(change[i], 2, signed=True)}%" for i in largest]
    place_labels(ax, prov[["lon", "lat"]].to_numpy(float)[largest], texts, fontsize=7)
    save_png(fig, path)


def inequality(result: RunResult, path: Path) -> None:
    """Regional inequality over time: Theil T with its between/within-country split, Gini and Williamson."""
    s = result.summary
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    top.stackplot(
        s["year"],
        s["theil_t_between"],
        s["theil_t_within"],
        labels=["between countries", "within countries"],
        colors=["#4e79a7", "#f28e2b"],
        alpha=0.8,
    )
    top.plot(s["year"], s["theil_t"], color="black", lw=1.2, label="Theil T (total)")
    top.set_ylabel("Theil T index")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"{result.scenario.name}: inequality of GDP per capita across provinces (population-weighted)")
    bottom.plot(s["year"], s["gini"], label="Gini", color="#59a14f")
    bottom.plot(s["year"], s["williamson"], label="Williamson (weighted CV)", color="#e15759")
    bottom.plot(s["year"], s["capital_gdp_share"], label="capitals' GDP share", color="#b07aa1", ls="--")
    bottom.plot(s["year"], s["border_gdp_share"], label="border provinces' GDP share", color="#9c755f", ls=":")
    bottom.set_ylabel("index or share")
    bottom.legend(loc="best", fontsize=8)
    year_axis(bottom)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    _margins(fig, left=0.8, right=0.15, bottom=0.6, top=0.55, hspace=0.09)
    save_png(fig, path)


def migration_map(result: RunResult, path: Path, top: int = 60) -> None:
    """The largest migration flows of the run on the map (line width: persons; red: across a border)."""
    geo = result.model.geo
    flows = result.migration.groupby(["origin_id", "destination_id"], as_index=False)["persons"].sum()
    fig, ax = plt.subplots(figsize=(9, 10) if geo.n > 20 else (8, 4))
    draw_base(geo, ax, corridors=False)
    start, end = _years(result)
    if len(flows):
        flows = flows.nlargest(top, "persons")
        index = {pid: i for i, pid in enumerate(geo.provinces["id"])}
        a = flows["origin_id"].map(index).to_numpy()
        b = flows["destination_id"].map(index).to_numpy()
        lon, lat = geo.provinces["lon"].to_numpy(), geo.provinces["lat"].to_numpy()
        segments = np.stack([np.column_stack([lon[a], lat[a]]), np.column_stack([lon[b], lat[b]])], axis=1)
        cross = geo.provinces["country"].to_numpy()[a] != geo.provinces["country"].to_numpy()[b]
        width = 0.5 + 5.0 * flows["persons"].to_numpy() / flows["persons"].max()
        ax.add_collection(
            LineCollection(
                segments, linewidths=width, colors=np.where(cross, "#e31a1c", "#6a3d9a"), alpha=0.6, zorder=4
            )
        )
        ax.scatter(lon[b], lat[b], marker=">", s=12, c="black", zorder=5)
        biggest = flows["persons"].max()
        ax.legend(
            handles=[
                Line2D([], [], color="#6a3d9a", lw=3, label="within a country"),
                Line2D([], [], color="#e31a1c", lw=3, label="across a border"),
                Line2D([], [], color="grey", lw=5.5, label=f"{biggest:,.0f} persons (largest)"),
            ],
            loc="lower left",
            fontsize=8,
        )
    else:
        ax.text(0.5, 0.5, "no migration recorded", transform=ax.transAxes, ha="center")
    ax.set_title(
        f"{result.scenario.name}: the {top} largest migration flows, {start:.0f}-{end:.0f}\n"
        "(origin to destination, persons over the run; arrowhead at the destination)"
    )
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    _margins(fig, left=_map_left(ax), right=0.15, bottom=0.6, top=0.6)
    save_png(fig, path)


LEGEND_GAP, LEGEND_ROW = 0.3, 0.17
"""Inches under a panel for a legend placed below it: the gap under the axis label, and a row of 7-point text."""


def zone_occupancy(result: RunResult, path: Path, top: int = 8) -> None:
    """Jobs in zones over time against capacity: all zones, and the zones that gained most jobs.

    A zone's gain is the most jobs it held above its first step's, so a zone that filled and emptied again is shown.
    """
    zones = result.zones
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), sharex=True)
    bottom = 0.6
    if len(zones):
        total = zones.groupby("year")[["jobs", "capacity_jobs"]].sum()
        left.plot(total.index, total["jobs"] / 1e3, color="#4e79a7", label="jobs")
        left.plot(total.index, total["capacity_jobs"] / 1e3, color="#4e79a7", ls="--", label="capacity")
        left.legend(fontsize=8)
        start = zones[zones["step"] == zones["step"].min()].set_index("zone")["jobs"]
        peak = zones.groupby("zone")["jobs"].max()
        gain = (peak - start.reindex(peak.index).fillna(0.0)).sort_values(ascending=False, kind="stable")
        chosen = gain[gain > 0].index[:top]
        for k, name in enumerate(chosen):
            z = zones[zones["zone"] == name]
            colour = f"C{k}"
            right.plot(z["year"], z["jobs"] / 1e3, color=colour, label=textwrap.shorten(name, 40, placeholder="…"))
            right.plot(z["year"], z["capacity_jobs"] / 1e3, color=colour, ls="--", lw=0.8)
        if len(chosen):
            # Below the panel: inside it, the legend covered the capacities near the top and the zones near them.
            right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
            extra = LEGEND_GAP + LEGEND_ROW * -(-len(chosen) // 2)
            fig.set_size_inches(12, 4.8 + extra)
            bottom += extra
        else:
            right.text(0.5, 0.5, "no zone gained jobs", transform=right.transAxes, ha="center")
            right.set_yticks([])
    left.set_title("jobs in all zones (dashed: capacity)")
    right.set_title(f"the {top} zones that gained most jobs (dashed: capacity)")
    for ax in (left, right):
        year_axis(ax)
        ax.set_ylabel("thousand jobs")
        ax.grid(alpha=0.3)
    fig.suptitle(f"{result.scenario.name}: zone jobs against capacity")
    _margins(fig, left=0.9, right=0.3, bottom=bottom, top=0.7, wspace=0.14)
    save_png(fig, path)


def run_figures(result: RunResult, folder: Path) -> list[Path]:
    """Write all four figures into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = {
        "gdp_per_capita_change_map.png": gdp_change_map,
        "inequality.png": inequality,
        "migration_map.png": migration_map,
        "zone_occupancy.png": zone_occupancy,
    }
    out = []
    for name, draw in figures.items():
        draw(result, folder / name)
        out.append(folder / name)
    return out
