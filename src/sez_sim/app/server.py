"""How the app's server is started: the environment that keeps it offline and private.

``sez-sim app`` runs solara's server in its own process with these settings (:func:`run_server`); tests,
benchmarks and the documents' screenshots start it through :func:`serve`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEAD_CDN = "http://127.0.0.1:9/"
"""Where solara would fetch missing front-end assets from: a closed local port, so a missing asset fails visibly
instead of reaching the internet (the assets ship in the ``solara-assets`` package)."""

CULL_TIMEOUT = "30m"
"""A closed browser tab's session (its two models) is freed after this long."""


def environment(scenarios: Path, scenario: str, language: str) -> dict[str, str]:
    """Environment variables for the app's server process."""
    return {
        "SEZ_SIM_APP_SCENARIOS": str(Path(scenarios).resolve()),
        "SEZ_SIM_APP_SCENARIO": scenario,
        "SEZ_SIM_APP_LANGUAGE": language,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_ASSETS_CDN": DEAD_CDN,
        "SOLARA_KERNEL_CULL_TIMEOUT": CULL_TIMEOUT,
    }


def run_server(host: str, port: int) -> None:
    """Serve the app (solara's ``run`` command, in this process) until Ctrl-C, which returns normally.

    The environment (:func:`environment`) must be set before. Solara's command line, left to itself, reports Ctrl-C
    as ``Aborted!`` with exit code 1, which reads as a failure at the end of every workshop.
    """
    import click
    from solara.__main__ import cli

    args = ["run", "sez_sim.app.page", "--host", host, "--port", str(port), "--production", "--no-open"]
    try:
        cli.main(args=[*args, "--log-level", "warning"], prog_name="solara", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        return


@contextmanager
def serve(scenarios: Path, log: Path | None = None, timeout: float = 180.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """``sez-sim app`` in a process of its own on a free 127.0.0.1 port, until the block ends (stopped by PID).

    For tests, benchmarks and the documents' screenshots.

    Args:
        scenarios: the folder of scenario files (``--scenarios``).
        log: a file for the server's output (default: discarded).
        timeout: seconds to wait for the server's first page.

    Yields:
        The page's address and the server's process.

    Raises:
        RuntimeError: when the server stops or does not answer in time (with the end of its log).
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "sez_sim", "app", "--port", str(port), "--scenarios", str(scenarios)]
    with open(log or os.devnull, "w") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                said = Path(log).read_text()[-2000:] if log else ""
                raise RuntimeError(f"the app server did not start: {said}")
            time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False
