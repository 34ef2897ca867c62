"""The base map: TopoJSON decoding and clipping, and the stored outlines against the dataset's provinces."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.path import Path

from sez_sim.geography import load_gms, two_region
from sez_sim.viz.basemap import clip, convert, covers, decode_arcs, outlines, ring
from sez_sim.viz.maps import draw_base


def square_topology(west: float, south: float, size: float) -> dict:
    """Two unit squares side by side sharing an arc, quantised with scale 1 and a translation."""
    # arcs in quantised, delta-encoded integers: 0 is the shared edge (bottom to top at x = 1)
    arcs = [
        [[1, 0], [0, 1]],  # shared edge, (1,0) -> (1,1)
        [[1, 1], [-1, 0], [0, -1], [1, 0]],  # left square's other edges, (1,1) -> (0,1) -> (0,0) -> (1,0)
        [[1, 0], [1, 0], [0, 1], [-1, 0]],  # right square's other edges, (1,0) -> (2,0) -> (2,1) -> (1,1)
    ]
    return {
        "type": "Topology",
        "transform": {"scale": [size, size], "translate": [west, south]},
        "arcs": arcs,
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "id": "764", "properties": {"name": "Left"}, "arcs": [[0, 1]]},
                    {"type": "MultiPolygon", "id": "999", "properties": {"name": "Right"}, "arcs": [[[2, ~0]]]},
                    {"type": "Point", "id": "000", "coordinates": [0, 0]},
                ],
            }
        },
    }


def test_arcs_are_decoded_from_quantised_deltas_and_reversed_by_complement():
    topo = square_topology(100.0, 10.0, 2.0)
    arcs = decode_arcs(topo)
    np.testing.assert_allclose(arcs[0], [[102.0, 10.0], [102.0, 12.0]])
    left = ring(arcs, [0, 1])
    np.testing.assert_allclose(left, [[102, 10], [102, 12], [100, 12], [100, 10], [102, 10]])
    right = ring(arcs, [2, ~0])
    np.testing.assert_allclose(right[0], right[-1])
    assert Path(right).contains_point((103.0, 11.0)) and not Path(right).contains_point((101.0, 11.0))


def test_conversion_keeps_what_reaches_into_the_box_and_clips_it():
    topo = square_topology(100.0, 10.0, 2.0)
    collection = convert(topo, bbox=(101.0, 9.0, 110.0, 20.0))
    names = [f["properties"]["name"] for f in collection["features"]]
    assert sorted(names) == ["Left", "Right"]
    left = next(f for f in collection["features"] if f["properties"]["name"] == "Left")
    assert left["properties"]["iso3"] == "THA"
    points = np.array(left["geometry"]["coordinates"][0][0])
    assert points[:, 0].min() >= 101.0 - 1e-9 and points[:, 0].max() <= 102.0 + 1e-9
    assert convert(topo, bbox=(120.0, 30.0, 130.0, 40.0))["features"] == []
    assert clip(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]), (5.0, 5.0, 6.0, 6.0)) is None


def test_the_stored_outlines_hold_the_dataset_provinces_in_their_own_countries():
    geo = load_gms()
    rings, _ = outlines()
    assert {"THA", "VNM", "KHM", "LAO", "MMR", "CHN"} <= set(rings)
    lon, lat = geo.provinces["lon"].to_numpy(float), geo.provinces["lat"].to_numpy(float)
    country = geo.provinces["country"].to_numpy()
    inside = np.zeros(geo.n, bool)
    for code in set(country):
        rows = np.flatnonzero(country == code)
        points = np.column_stack([lon[rows], lat[rows]])
        for r in rings[code]:
            inside[rows] |= Path(r).contains_points(points)
    # province points are centroids or capitals: a handful on islands or coasts fall just outside a 1:50m outline
    assert inside.mean() > 0.95, geo.provinces["name"][~inside].tolist()
    foreign = np.zeros(geo.n, bool)
    for code in set(country):
        rows = np.flatnonzero(country == code)
        points = np.column_stack([lon[rows], lat[rows]])
        for k in (k for k in rings if k != code):
            for r in rings[k]:
                foreign[rows] |= Path(r).contains_points(points)
    # river-border towns (Savannakhet on the Mekong) can sit on the far side of a 1:50m line
    assert foreign.mean() < 0.02, geo.provinces["name"][foreign].tolist()


def test_maps_draw_the_outlines_for_real_places_only():
    geo = load_gms()
    lon, lat = geo.provinces["lon"].to_numpy(float), geo.provinces["lat"].to_numpy(float)
    assert covers(set(geo.provinces["country"]), lon, lat)
    fig, ax = plt.subplots()
    draw_base(geo, ax)
    assert any(c.get_zorder() == 0 and len(c.get_paths()) > 10 for c in ax.collections)
    plt.close(fig)
    toy = two_region(0.5)
    assert not covers(set(toy.provinces["country"]), toy.provinces["lon"].to_numpy(float), toy.provinces["lat"])
    fig, ax = plt.subplots()
    draw_base(toy, ax)
    assert not any(c.get_zorder() == 0 for c in ax.collections)
    plt.close(fig)
