"""The base map under the province network: country outlines and coastlines of mainland Southeast Asia.

The outlines are Natural Earth's 1:50m admin-0 countries (public domain), as redistributed in TopoJSON by the npm
package ``world-atlas`` 2.0.2 (``countries-50m.json``). They were converted once into a small GeoJSON in the
package data (``data/basemap/countries.geojson``, with its source note) by this module::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m sez_sim.viz.basemap package/countries-50m.json

Conversion decodes the TopoJSON arcs (quantised, delta-encoded: Bostock's TopoJSON specification, section 2.1),
keeps the countries that reach into :data:`BBOX`, clips each ring to it (matplotlib's Sutherland-Hodgman
``Path.clip_to_bbox``) and rounds coordinates to 0.01 degrees (about 1 km, below what a 1:50m outline resolves).
Nothing is read from the network at run time: the workshop app and the CLI's maps draw the same file offline.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

BASEMAP = Path(str(resources.files("sez_sim") / "data" / "basemap" / "countries.geojson"))
"""The converted outlines (GeoJSON FeatureCollection, one MultiPolygon per country, ``iso3`` and ``name``)."""

BBOX = (88.0, 3.0, 116.0, 31.0)
"""(west, south, east, north) in degrees: the GMS (lon 92.9-111.6, lat 6.4-27.8) with a margin for the view."""

ISO3 = {
    "096": "BRN",
    "104": "MMR",
    "116": "KHM",
    "156": "CHN",
    "418": "LAO",
    "704": "VNM",
    "764": "THA",
    "050": "BGD",
    "064": "BTN",
    "356": "IND",
    "360": "IDN",
    "458": "MYS",
    "524": "NPL",
    "608": "PHL",
    "158": "TWN",
    "344": "HKG",
    "446": "MAC",
}
"""ISO 3166 numeric (world-atlas feature ids) to alpha-3 codes, the codes the dataset's provinces use."""

LAND = "#f2efe6"
EDGE = "#a9a39a"
SEA = "#dfeaf2"


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """The arcs of a quantised TopoJSON topology as arrays of (lon, lat) points."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, float)
        if transform is not None:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def ring(arcs: list[np.ndarray], indices: list[int]) -> np.ndarray:
    """A closed ring from arc indices (a negative index ``~i`` is arc ``i`` reversed; shared end points once)."""
    parts = []
    for k, index in enumerate(indices):
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(points if k == 0 else points[1:])
    return np.concatenate(parts)


def clip(points: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray | None:
    """A ring clipped to ``bbox`` (None when nothing of it is inside)."""
    west, south, east, north = bbox
    if (
        points[:, 0].max() < west
        or points[:, 0].min() > east
        or points[:, 1].max() < south
        or points[:, 1].min() > north
    ):
        return None
    path = MplPath(points, closed=False).clip_to_bbox(Bbox([[west, south], [east, north]]), inside=True)
    inside = path.vertices[path.codes != MplPath.CLOSEPOLY] if path.codes is not None else path.vertices
    return inside if len(inside) >= 3 else None


def convert(topology: dict[str, Any], bbox: tuple[float, float, float, float] = BBOX) -> dict[str, Any]:
    """The countries of ``topology`` that reach into ``bbox``, clipped to it, as a GeoJSON FeatureCollection."""
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        kept = []
        for polygon in polygons:
            rings = [clip(ring(arcs, r), bbox) for r in polygon]
            if rings[0] is not None:  # the outer ring; holes outside the box vanish with it
                kept.append([np.round(r, 2).tolist() for r in rings if r is not None])
        if kept:
            code = str(geometry.get("id", ""))
            features.append(
                {
                    "type": "Feature",
                    "properties": {"iso3": ISO3.get(code, code), "name": geometry.get("properties", {}).get("name")},
                    "geometry": {"type": "MultiPolygon", "coordinates": kept},
                }
            )
    features.sort(key=lambda f: f["properties"]["iso3"])
    return {"type": "FeatureCollection", "bbox": list(bbox), "features": features}


@lru_cache(maxsize=1)
def outlines() -> tuple[dict[str, list[np.ndarray]], tuple[float, float, float, float]]:
    """The stored outlines: country code -> its rings (outer rings and holes alike), and the bounding box."""
    data = json.loads(BASEMAP.read_text())
    out: dict[str, list[np.ndarray]] = {}
    for feature in data["features"]:
        rings = out.setdefault(feature["properties"]["iso3"], [])
        for polygon in feature["geometry"]["coordinates"]:
            rings.extend(np.asarray(r, float) for r in polygon)
    return out, tuple(data["bbox"])


def covers(countries: set[str], lon: np.ndarray, lat: np.ndarray) -> bool:
    """Whether the base map is the right background: every country is in it and every point inside its box."""
    rings, (west, south, east, north) = outlines()
    return (
        bool(countries)
        and countries <= set(rings)
        and bool(np.all((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)))
    )


def draw_basemap(ax: Axes) -> PolyCollection:
    """Draw land and country outlines (below everything else on ``ax``) on a sea-coloured background."""
    rings, _ = outlines()
    ax.set_facecolor(SEA)
    land = PolyCollection(
        [r for country in rings.values() for r in country], facecolors=LAND, edgecolors=EDGE, linewidths=0.6, zorder=0
    )
    ax.add_collection(land, autolim=False)  # the network, not the outlines, sets the view
    return land


def main(argv: list[str]) -> None:
    """Convert world-atlas's ``countries-50m.json`` into the package's base map."""
    if len(argv) != 1:
        raise SystemExit("usage: python -m sez_sim.viz.basemap path/to/countries-50m.json")
    collection = convert(json.loads(Path(argv[0]).read_text()))
    BASEMAP.parent.mkdir(parents=True, exist_ok=True)
    BASEMAP.write_text(json.dumps(collection, separators=(",", ":")) + "\n")
    print(f"wrote {BASEMAP}: {len(collection['features'])} countries")


if __name__ == "__main__":
    main(sys.argv[1:])
