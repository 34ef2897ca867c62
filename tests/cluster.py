"""A Dask scheduler and workers started as real processes on 127.0.0.1 for tests, stopped by PID."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str]) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([str(BIN / "dask"), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


@contextlib.contextmanager
def dask_cluster(workers: int, nanny: bool = True) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A scheduler and ``workers`` single-threaded workers; yields the address and the worker processes.

    Without a nanny a worker is its own process, so killing its PID kills the worker (a nanny would restart it).
    """
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [_start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])]
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        options = ["--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"] + ([] if nanny else ["--no-nanny"])
        started = [_start(["worker", address, *options]) for _ in range(workers)]
        processes += started
        yield address, started
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
