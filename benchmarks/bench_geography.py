"""Issue 2: loading the GMS network with its distance matrix; incremental distance updates; synthetic networks."""

from __future__ import annotations

import os
import tempfile

import common  # noqa: F401
import numpy as np
from common import report, timed

from sez_sim.geography import DEFAULT_CROSSING_COST_KM, _build, _gms, gms_dataset, load_gms, random_planar


def restored_s() -> float:
    """A process's first load of the GMS geography when the disk cache holds it (a cache folder of its own)."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SEZ_SIM_CACHE"] = folder
        try:
            _gms.cache_clear()  # as in a new process (main's load with the cache off is kept here)
            load_gms()  # read, checked, built and stored
            _gms.cache_clear()
            return timed(load_gms)[0]
        finally:
            os.environ["SEZ_SIM_CACHE"] = "off"
            _gms.cache_clear()


def main() -> None:
    read_s, data = timed(gms_dataset)  # the CSV files read and checked
    build_s, _ = timed(_build, "gms", data, DEFAULT_CROSSING_COST_KM)
    load_s, geo = timed(load_gms)  # the cache off (common.py): read, checked and built
    full_s, _ = timed(geo.recompute)
    rows = geo.corridor_links("EWEC")
    cut_s, _ = timed(geo.set_link_quality, rows, 0.7)
    rise_s, _ = timed(geo.set_link_quality, rows, 1.0)
    crossing_s, _ = timed(geo.set_crossing_cost, range(len(geo.crossings)), geo.crossings["cost_km"] * 0.5)
    out = [
        {"case": "read and check the GMS CSV files", "seconds": read_s},
        {"case": "build the GMS geography from its tables (228 provinces, distances)", "seconds": build_s},
        {"case": "load_gms, first in a process: read, checked and built", "seconds": load_s},
        {"case": "load_gms, first in a process: restored from the disk cache", "seconds": restored_s()},
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
