"""Settings shared by the whole suite."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

# The suite builds the same calibrated models many times: its processes share one construction cache
# (sez_sim.cache) in the checkout's results folder, unless SEZ_SIM_CACHE names another (or is "off").
os.environ.setdefault("SEZ_SIM_CACHE", str(Path(__file__).resolve().parent.parent / "results" / "cache"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files marked ``slow`` first, each file's tests in their order.

    pytest-xdist hands out whole files (``--dist loadfile``) in collection order (``--no-loadscope-reorder``; its
    default order, by number of tests, put the few-test files that run longest last, where one core worked on them
    alone for up to two minutes). Started first, they leave the many short files to fill both cores at the end.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="module", autouse=True)
def _frozen_before_each_file() -> None:
    """What is alive when a test file starts (the libraries, the collected tests) is kept out of the cycle collector.

    A full collection walks every object the process tracks, several hundred thousand in a test process: measured
    on three files, 98 of them took 17 of their 162 seconds. Frozen at each file's start (the last file's fixtures
    collected first), they took 6 and the files 136 seconds. Objects made later are collected as before.
    """
    gc.collect()
    gc.freeze()
