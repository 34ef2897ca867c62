"""Maps of the corridor network drawn at lon/lat with matplotlib (no tiles, so they work offline)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from sez_sim.geography import Geography  # noqa: E402
from sez_sim.policies.base import Places  # noqa: E402
from sez_sim.viz.basemap import covers, draw_basemap  # noqa: E402

COUNTRY_COLOURS = {
    "THA": "#4e79a7",
    "VNM": "#e15759",
    "KHM": "#59a14f",
    "LAO": "#edc948",
    "MMR": "#b07aa1",
    "CHN": "#f28e2b",
}
CORRIDOR_COLOURS = {"EWEC": "#d62728", "NSEC": "#1f77b4", "SEC": "#2ca02c"}
ZONE_FACES = {"operating": "#ffd700", "planned": "white", "stalled": "#999999"}
"""The face of a zone's star on the network map, by status."""
CORRIDOR_NEUTRAL = "#555555"
"""Every corridor's colour on a map coloured by value, where red and blue say fall and rise."""
_FALLBACK = plt.get_cmap("tab10").colors
POLICY_COLOUR = "#7b3294"
"""What a scenario's policies did, on a map coloured by a change (the workshop app's placed zones too)."""
DROPPED_COLOUR = "#8c8c8c"
"""What the run a map compares against does and the mapped run does not (a baseline's policies)."""


def corridor_rows(geo: Geography) -> dict[str, np.ndarray]:
    """The link rows of each corridor, from its branches' province sequences (``corridors.csv``), as the model's."""
    names = list(dict.fromkeys(geo.corridors["corridor"])) if len(geo.corridors) else []
    return {name: geo.corridor_links(name) for name in names}


def corridor_colours(geo: Geography) -> dict[str, str]:
    """A colour per corridor (fixed for the GMS corridors, a palette for others), the GMS's first."""
    present = set(geo.corridors["corridor"]) if len(geo.corridors) else set()
    known = [name for name in CORRIDOR_COLOURS if name in present]
    palette = plt.get_cmap("Dark2").colors
    others = {
        name: matplotlib.colors.to_hex(palette[k % len(palette)]) for k, name in enumerate(sorted(present - set(known)))
    }
    return {name: CORRIDOR_COLOURS[name] for name in known} | others


def country_colours(geo: Geography) -> dict[str, str]:
    """A colour per country code (fixed for the GMS countries, a palette for others)."""
    out = {}
    for k, c in enumerate(geo.country_names()):
        out[c] = COUNTRY_COLOURS.get(c, matplotlib.colors.to_hex(_FALLBACK[k % len(_FALLBACK)]))
    return out


def _segments(geo: Geography, rows: Sequence[int] | np.ndarray) -> np.ndarray:
    lon = geo.provinces["lon"].to_numpy(float)
    lat = geo.provinces["lat"].to_numpy(float)
    ia = geo.links["ia"].to_numpy()[rows]
    ib = geo.links["ib"].to_numpy()[rows]
    return np.stack([np.column_stack([lon[ia], lat[ia]]), np.column_stack([lon[ib], lat[ib]])], axis=1)


OFFSETS = ((4, -10), (4, 4), (-4, 4), (-4, -10), (4, -22), (4, 16), (-4, 16), (-4, -22), (14, -3), (-14, -3))
"""Label positions tried around a point, in points: right, above, left, below, further out (``ha`` follows the side)."""


def place_labels(ax: Axes, points: np.ndarray, texts: Sequence[str], **style) -> list:
    """Label points in the order given, each at the first offset inside the axes where it overlaps no earlier label.

    A label that finds no free place is left out, so earlier (more important) labels win. Returns the texts
    placed. Overlap is judged on the labels' extents as drawn, so call this once the axes' limits are final.
    """
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed, boxes = [], []
    for (x, y), text in zip(points, texts, strict=True):
        for dx, dy in OFFSETS:
            label = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", ha="left" if dx >= 0 else "right", **style
            )
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in boxes):
                placed.append(label)
                boxes.append(box)
                break
            label.remove()
    return placed


def draw_base(
    geo: Geography,
    ax: Axes,
    *,
    node_values: np.ndarray | None = None,
    cmap: str = "RdBu",
    corridors: bool = True,
) -> PathCollection:
    """Draw the base map, links, corridors (unless ``corridors=False``) and provinces (by country or value).

    The base map (:mod:`sez_sim.viz.basemap`) is drawn when the provinces are real places it covers; provinces are
    coloured by country, or by ``node_values`` when given, and then every corridor link is dark grey
    (:data:`CORRIDOR_NEUTRAL`), so that no corridor reads as a value of the colour scale.

    Returns:
        The province markers, with the gid ``provinces`` (pass to ``colorbar`` when ``node_values`` is given).
    """
    lon = geo.provinces["lon"].to_numpy(float)
    lat = geo.provinces["lat"].to_numpy(float)
    if covers(set(geo.provinces["country"]), lon, lat):
        draw_basemap(ax)
    ax.add_collection(LineCollection(_segments(geo, np.arange(len(geo.links))), colors="#c8c8c8", lw=0.6, zorder=1))
    along = corridor_rows(geo) if corridors else {}
    if along:
        if node_values is None:
            colours = corridor_colours(geo)
            groups = [(colours[name], rows) for name, rows in along.items()]
        else:
            groups = [(CORRIDOR_NEUTRAL, np.unique(np.concatenate(list(along.values()))))]  # one colour for all
        for colour, rows in groups:
            if rows.size:
                ax.add_collection(LineCollection(_segments(geo, rows), colors=colour, lw=2.2, alpha=0.75, zorder=2))
    size = 8 + 60 * np.sqrt(geo.provinces["population"].to_numpy(float) / geo.provinces["population"].max())
    if node_values is None:
        colours = geo.provinces["country"].map(country_colours(geo))
        markers = ax.scatter(lon, lat, s=size, c=colours, edgecolors="white", linewidths=0.4, zorder=3)
    else:
        lim = float(np.nanmax(np.abs(node_values))) or 1.0
        markers = ax.scatter(
            lon,
            lat,
            s=size,
            c=node_values,
            cmap=cmap,
            vmin=-lim,
            vmax=lim,
            edgecolors="#555",
            linewidths=0.3,
            zorder=3,
        )
    markers.set_gid("provinces")
    ax.set_aspect("equal", adjustable="datalim")
    return markers


def draw_policies(
    geo: Geography, ax: Axes, policies: Sequence[tuple[str, Places]], colour: str = POLICY_COLOUR
) -> list[Line2D]:
    """Mark where policies act over a map drawn by :func:`draw_base`, in ``colour``.

    Upgraded links as thick lines, cheaper crossings as crosses, new zones as stars and ports as squares beside their
    hosts and beneath the provinces (whose colours stay readable; a black edge sets them off from upgraded links),
    provinces with a measure of their own and the hosts of the zones a programme serves as rings (named by the
    policies' types). What covers whole countries, a border or the region has no place to mark and is named instead.

    Args:
        geo: the geography the map shows.
        ax: its axes.
        policies: each policy's ``type`` and :class:`~sez_sim.policies.base.Places`.
        colour: their colour (:data:`DROPPED_COLOUR` for a baseline's policies the mapped run lacks).

    Returns:
        Legend entries for what was drawn, the named policies last (as entries without a marker).
    """
    points = geo.provinces[["lon", "lat"]].to_numpy(float)
    span = float(np.ptp(points[:, 1])) or 1.0
    beside = 0.015 * span  # how far a star or a square sits from its province's dot

    def union(field: str) -> np.ndarray:
        return np.array(sorted({i for _, places in policies for i in getattr(places, field)}), dtype=int)

    marker = {"color": colour, "zorder": 6}
    under = {"color": colour, "zorder": 2.8}  # beneath the provinces: a star never hides a host's colour
    handles = []
    links = union("links")
    if links.size:
        ax.add_collection(LineCollection(_segments(geo, links), colors=colour, lw=3.2, alpha=0.9, zorder=2.5))
        handles.append(Line2D([], [], color=colour, lw=3.2, label="upgraded link"))
    crossings = union("crossings")
    if crossings.size:
        ends = geo.crossings[["ia", "ib"]].to_numpy(int)[crossings]
        mid = points[ends].mean(axis=1)
        ax.scatter(mid[:, 0], mid[:, 1], marker="x", s=60, lw=2.0, **marker)
        handles.append(Line2D([], [], marker="x", ls="", mew=2.0, label="cheaper crossing", **marker))
    rings = np.union1d(union("provinces"), union("served")).astype(int)
    if rings.size:
        ax.scatter(*points[rings].T, marker="o", s=150, facecolors="none", edgecolors=colour, lw=1.6, zorder=6)
        ringed = dict.fromkeys(tag for tag, places in policies if places.provinces or places.served)
        label = ", ".join(t.replace("_", " ") for t in ringed)
        handles.append(Line2D([], [], marker="o", ls="", mfc="none", mec=colour, mew=1.6, ms=10, label=label))
    zones = union("zones")
    if zones.size:
        ax.scatter(points[zones, 0], points[zones, 1] + beside, marker="*", s=240, edgecolors="black", lw=0.7, **under)
        handles.append(Line2D([], [], marker="*", ls="", ms=14, mec="black", mew=0.7, label="new zone", **marker))
    ports = union("ports")
    if ports.size:
        ax.scatter(points[ports, 0] - beside, points[ports, 1], marker="s", s=70, edgecolors="black", lw=0.7, **under)
        handles.append(Line2D([], [], marker="s", ls="", ms=8, mec="black", mew=0.7, label="port", **marker))
    named = [f"{tag.replace('_', ' ')} ({'; '.join(wheres)})" for tag, wheres in _whole(policies).items()]
    if named:
        handles.append(Line2D([], [], ls="", label=textwrap.fill("; ".join(named), 60)))
    return handles


def _whole(policies: Sequence[tuple[str, Places]]) -> dict[str, list[str]]:
    """The policies that cover whole countries, a border or the region: where, by type, each place once."""
    out: dict[str, list[str]] = {}
    for tag, places in policies:
        wheres = [", ".join(places.countries), "-".join(places.border), "everywhere" if places == Places() else ""]
        for where in filter(None, wheres):
            if where not in out.setdefault(tag, []):
                out[tag].append(where)
    return out


def draw_network(geo: Geography, ax: Axes | None = None, title: str | None = None) -> plt.Figure:
    """Map of the network: countries coloured, corridors highlighted and labelled, crossings, zones, ports.

    Args:
        geo: the geography to draw.
        ax: axes to draw into; a new figure when None.
        title: figure title (default names the dataset).

    Returns:
        The matplotlib figure.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 11.5), dpi=110)
    else:
        fig = ax.figure
    draw_base(geo, ax)
    prov = geo.provinces
    lon = prov["lon"].to_numpy(float)
    lat = prov["lat"].to_numpy(float)

    if len(geo.crossings):
        seg = _segments(geo, np.flatnonzero(geo.links["crossing_id"].to_numpy() >= 0))
        mid = seg.mean(axis=1)
        ax.scatter(mid[:, 0], mid[:, 1], marker="x", s=28, c="black", lw=1.1, zorder=5)
    zones = geo.zones.dropna(subset=["province"]) if len(geo.zones) else geo.zones
    if len(zones):
        status = zones.get("status", "operating")
        for st, face in ZONE_FACES.items():
            z = zones[status == st]
            if len(z):
                p = z["province"].astype(int).to_numpy()
                ax.scatter(lon[p], lat[p] + 0.12, marker="*", s=90, c=face, edgecolors="black", lw=0.6, zorder=6)
    ports = np.flatnonzero(prov["is_port"].to_numpy(bool))
    ax.scatter(lon[ports] - 0.12, lat[ports], marker="s", s=26, c="#17becf", edgecolors="black", lw=0.5, zorder=6)
    caps = np.flatnonzero(prov["is_national_capital"].to_numpy(int) == 1)
    ax.autoscale_view()
    # Capitals sit among zone stars, ports and crossings: a white halo above the markers keeps their names legible.
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    capitals = list(prov["name"].iloc[caps])
    place_labels(
        ax, np.column_stack([lon[caps], lat[caps]]), capitals, fontsize=8, weight="bold", path_effects=halo, zorder=9
    )
    # Label each corridor once, at the middle province of its longest branch.
    colours = corridor_colours(geo)
    if len(geo.corridors):
        for corr, grp in geo.corridors.groupby("corridor"):
            branch = grp.groupby("branch").size().idxmax()
            seq = grp[grp["branch"] == branch].sort_values("seq")["province"].astype(int).to_numpy()
            i = seq[len(seq) // 2]
            ax.annotate(
                corr,
                (lon[i], lat[i]),
                xytext=(-26, -14),
                textcoords="offset points",
                fontsize=10,
                weight="bold",
                color=colours.get(corr, "black"),
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
                zorder=8,
            )

    handles = [
        Line2D([], [], marker="o", ls="", color=c, label=k, markersize=7) for k, c in country_colours(geo).items()
    ]
    # The legend names what this geography has: its corridors, crossings, zones by status and ports.
    handles += [Line2D([], [], color=c, lw=2.5, label=f"{k} corridor") for k, c in colours.items()]
    handles.append(Line2D([], [], color="#c8c8c8", lw=1, label="other road link" if colours else "road link"))
    if len(geo.crossings):
        handles.append(Line2D([], [], marker="x", ls="", color="black", label="border crossing"))
    shown = set(zones["status"]) if len(zones) and "status" in zones else ({"operating"} if len(zones) else set())
    handles += [
        Line2D([], [], marker="*", ls="", mfc=face, mec="black", markersize=11, label=f"zone ({st})")
        for st, face in ZONE_FACES.items()
        if st in shown
    ]
    if len(ports):
        handles.append(Line2D([], [], marker="s", ls="", mfc="#17becf", mec="black", label="seaport"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(
        title
        or f"{geo.name.upper()} corridor network: {geo.n} provinces, {len(geo.links)} links, "
        f"{len(geo.crossings)} crossings, {len(geo.zones)} zones\n(dot size: population)"
    )
    ax.grid(alpha=0.2)
    fig.tight_layout()
    return fig
