"""The app's figures, drawn once and then updated in place.

Re-creating a matplotlib figure every step costs 170-280 ms; updating the artists of a kept one (colours, line data)
and rendering it costs a fraction of that, and text-free images cost least. So each figure here is built once per
session, ``update`` changes its artists, and titles, colour scales and numbers are left to the page's HTML. Figures
are plain :class:`~matplotlib.figure.Figure` objects with their own Agg canvas (not pyplot's global state), so
sessions rendering in different threads do not share anything.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, MultipleLocator

from sez_sim.results import significant
from sez_sim.viz.maps import draw_base, draw_policies, place_labels

if TYPE_CHECKING:
    from sez_sim.geography import Geography
    from sez_sim.policies.base import Places

BASELINE = "#8c8c8c"
POLICY = "#d6604d"
CMAP = "RdBu"
"""Diverging: blue where the policy run's GDP per capita is above the baseline's, red where below."""


def encode(canvas: FigureCanvasAgg) -> bytes:
    """What the canvas holds, as PNG bytes (fast zlib level: these images live for one step)."""
    buffer = io.BytesIO()
    PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buffer, format="png", compress_level=1
    )
    return buffer.getvalue()


def colour_limit(change: np.ndarray) -> float:
    """A symmetric colour limit for changes: the largest absolute change, rounded up to 1, 2 or 5 times a power of ten.

    At least 0.0001 (0.01%); the rounding keeps the scale still while the effect grows within a step of it.
    """
    top = float(np.nanmax(np.abs(change))) if change.size else 0.0
    top = max(top, 1e-4)
    power = 10.0 ** np.floor(np.log10(top))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= top - 1e-15))


class MapView:
    """The GMS map: base map, links, corridors, crossings, zones, and provinces coloured by a change."""

    def __init__(self, geo: Geography, zone_hosts: list[int], size: tuple[float, float] = (6.4, 7.2), dpi: float = 90):
        self.geo = geo
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.0, 0.0, 1.0, 1.0))
        self.markers = draw_base(geo, self.ax, node_values=np.zeros(geo.n), cmap=CMAP)
        self.markers.set_norm(TwoSlopeNorm(0.0, -1e-4, 1e-4))
        lon = geo.provinces["lon"].to_numpy(float)
        lat = geo.provinces["lat"].to_numpy(float)
        self.points = np.column_stack([lon, lat])
        if len(geo.crossings):
            ia, ib = geo.crossings["ia"].to_numpy(int), geo.crossings["ib"].to_numpy(int)
            mid = (self.points[ia] + self.points[ib]) / 2
            crossings = self.ax.scatter(mid[:, 0], mid[:, 1], marker="x", s=18, c="black", lw=0.9, zorder=4)
        hosts = np.array(sorted(set(zone_hosts)), int)
        zones = self.ax.scatter(
            lon[hosts], lat[hosts], marker="*", s=70, c="#ffd92f", edgecolors="black", lw=0.5, zorder=5
        )
        self.front = [self.markers, *([crossings] if len(geo.crossings) else []), zones]
        """Drawn at every redraw, in this order, over the kept background."""
        self.marks: list = []
        """The placed policies' marks (:func:`~sez_sim.viz.maps.draw_policies`), drawn with the front by z-order."""
        self.legend = None
        """What the marks are, drawn over them."""
        self._places: list[tuple[str, Places]] = []
        self.ax.set_aspect("equal", adjustable="box")
        pad = 0.6
        self.ax.set_xlim(lon.min() - pad, lon.max() + pad)
        self.ax.set_ylim(lat.min() - pad, lat.max() + pad)
        self.ax.set_axis_off()
        self.capitals = np.flatnonzero(geo.provinces["is_national_capital"].to_numpy(int) == 1)
        self.labels: list = []
        self.limit = 1e-4
        # What never changes (outlines, roads, corridors, crossings, existing zones) is drawn once and kept as a
        # bitmap; a redraw restores it and draws only the province markers, the placed zones and the labels.
        for artist in self.front:
            artist.set_visible(False)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        for artist in self.front:
            artist.set_visible(True)
        self._labelled: list[int] = []
        self.label([])

    def label(self, targeted: list[int]) -> None:
        """Label the targeted provinces first, then the capitals, where labels do not overlap."""
        for text in self.labels:
            text.remove()
        order = list(dict.fromkeys([*targeted, *self.capitals.tolist()]))
        names = self.geo.provinces["name"].to_numpy()[order]
        self.labels = place_labels(self.ax, self.points[order], list(names), fontsize=7, zorder=7)

    def update(self, change: np.ndarray, places: list[tuple[str, Places]], targeted: list[int]) -> None:
        """Colour provinces by ``change`` (a share), mark the placed policies and label the targeted provinces.

        ``places`` are each placed policy's type and places (:attr:`Workshop.places`), marked as the run's maps mark
        a scenario's policies.
        """
        self.limit = colour_limit(change)
        self.markers.set_array(change)
        self.markers.set_norm(TwoSlopeNorm(0.0, -self.limit, self.limit))
        if places != self._places:
            self.mark(places)
        if set(targeted) != set(self._labelled):
            self.label(targeted)
            self._labelled = list(targeted)

    def mark(self, places: list[tuple[str, Places]]) -> None:
        """Replace the marks of the placed policies, with a legend of what they are."""
        for artist in [*self.marks, *([self.legend] if self.legend else [])]:
            artist.remove()
        before = set(self.ax.get_children())
        handles = draw_policies(self.geo, self.ax, places)
        self.marks = [a for a in self.ax.get_children() if a not in before]
        self.legend = self.ax.legend(handles=handles, loc="lower left", fontsize=6, framealpha=0.9) if handles else None
        self._places = list(places)

    def png(self) -> bytes:
        """The map as PNG bytes: the kept background with the changing artists drawn over it."""
        self.canvas.restore_region(self.background)
        drawn = sorted([*self.front, *self.marks], key=lambda a: a.get_zorder())  # links under the provinces
        for artist in (*drawn, *([self.legend] if self.legend else []), *self.labels):
            self.ax.draw_artist(artist)
        return encode(self.canvas)


class LineChart:
    """A small chart of the baseline and the policy run (or one line), without text but the axes' numbers."""

    def __init__(self, lines: int = 2, size: tuple[float, float] = (3.6, 2.0), percent: bool = False, dpi: float = 90):
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((0.17, 0.15, 0.8, 0.8))
        colours = (BASELINE, POLICY) if lines == 2 else (POLICY,)
        styles = ("--", "-") if lines == 2 else ("-",)
        self.lines = [self.ax.plot([], [], ls=s, color=c, lw=1.6)[0] for s, c in zip(styles, colours, strict=True)]
        if lines == 1:
            self.ax.axhline(0.0, color=BASELINE, lw=0.8, ls="--")
        self.percent = percent
        self.ax.tick_params(labelsize=7)
        # Years as years: matplotlib's default shows a year's span as "-1, 0" and an offset "+2.02e3".
        self.ax.xaxis.set_major_formatter(lambda v, _: f"{round(v, 2):g}")
        self.ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        if percent:
            self.ax.yaxis.set_major_formatter(self._percent)

    def _percent(self, value: float, _: int) -> str:
        """A tick as a percentage, with the decimals that tell it from its neighbours.

        "14.16%" and "14.18%", not "14.2%" twice (three significant digits of a level whose range is a few
        hundredths of a point); positional, never "1e-05%" or "-0%".
        """
        ticks = 100 * self.ax.yaxis.get_majorticklocs()
        step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 0.0
        if not step > 0:
            return significant(100 * value + 0.0, 3) + "%"
        # The fewest decimals that write every tick exactly (a step of 0.15 needs two: "0.15%", "0.30%").
        exact = (d for d in range(13) if np.allclose(np.round(ticks, d), ticks, rtol=0, atol=1e-6 * step))
        decimals = next(exact, None)
        if decimals is None:  # a flat line's ticks a rounding error apart
            return significant(100 * value + 0.0, 3) + "%"
        return f"{round(100 * value, decimals) + 0.0:.{decimals}f}%"

    def update(self, years: np.ndarray, *values: np.ndarray) -> None:
        """New data for each line (in the order given when built)."""
        for line, y in zip(self.lines, values, strict=True):
            line.set_data(years, y)
        if len(years):
            self.ax.set_autoscalex_on(True)
            self.ax.relim()
            self.ax.autoscale_view()
            if years[0] == years[-1]:
                self.ax.set_xlim(years[0] - 0.5, years[0] + 0.5)
            # Quarters while the run is young, whole years after; never tenths of a year.
            young = years[-1] - years[0] < 1.5
            self.ax.xaxis.set_major_locator(MultipleLocator(0.25) if young else MaxNLocator(nbins=5, integer=True))

    def png(self) -> bytes:
        """The chart as PNG bytes."""
        self.canvas.draw()
        return encode(self.canvas)
