"""Axis conventions shared by every figure sez-sim draws."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator


def year_axis(ax: Axes) -> None:
    """Calendar years on the x axis, labelled "year".

    Ticks fall on whole years, every 1, 2, 5 or 10 of them (not 2022.5, nor 2019, 2022, 2025), with no offset (not
    2 + 2.018e3).
    """
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.ticklabel_format(axis="x", useOffset=False)
