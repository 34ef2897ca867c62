"""Issue 2: loading the GMS network with its distance matrix; incremental distance updates; synthetic networks."""

from __future__ import annotations

import common  # noqa: F401
import numpy as np
from common import report, timed

from sez_sim.geography import gms_dataset, load_gms, random_planar


def main() -> None:
    gms_dataset()  # the CSV files are read once per process
    load_s, geo = timed(load_gms)
    full_s, _ = timed(geo.recompute)
    rows = geo.corridor_links("EWEC")
    cut_s, _ = timed(geo.set_link_quality, rows, 0.7)
    rise_s, _ = timed(geo.set_link_quality, rows, 1.0)
    crossing_s, _ = timed(geo.set_crossing_cost, range(len(geo.crossings)), geo.crossings["cost_km"] * 0.5)
    out = [
        {"case": "load_gms (228 provinces, distances)", "seconds": load_s},
        {"case": "all-pairs recompute (228)", "seconds": full_s},
        {"case": "EWEC upgrade (cut, incremental)", "seconds": cut_s},
        {"case": "EWEC upgrade undone (rise, affected rows)", "seconds": rise_s},
        {"case": "all 44 crossings halved", "seconds": crossing_s},
    ]
    for n in (1000, 5000):
        build_s, big = timed(random_planar, n, 1)
        out.append({"case": f"random_planar({n}) incl. all-pairs distances", "seconds": build_s})
        assert np.isfinite(big.distance).all()
    report("geography", out, {"load_gms": "well under a second"})


if __name__ == "__main__":
    main()
