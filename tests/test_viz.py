"""Figures: labels on the maps never overlap, and the most important ones are kept."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sez_sim.viz.maps import place_labels  # noqa: E402


def test_labels_of_crowded_points_do_not_overlap_and_the_first_are_kept():
    rng = np.random.default_rng(3)
    fig, ax = plt.subplots(figsize=(5, 4))
    points = np.vstack([rng.normal(0, 0.05, size=(12, 2)), rng.uniform(-3, 3, size=(20, 2))])  # a cluster, then spread
    ax.scatter(points[:, 0], points[:, 1])
    ax.set_xlim(-4, 4)
    ax.set_ylim(-4, 4)
    texts = [f"province number {k} +{k}.0%" for k in range(len(points))]
    placed = place_labels(ax, points, texts, fontsize=7)
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in placed]
    assert all(not a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    shown = [label.get_text() for label in placed]
    assert shown[0] == texts[0] and 0 < len(placed) < len(points)  # the cluster cannot hold all its labels
    assert shown == [t for t in texts if t in shown]  # in the order given: a label is dropped, never moved ahead
    assert len(ax.texts) == len(placed)  # labels without room leave nothing behind
    plt.close(fig)
