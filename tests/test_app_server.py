"""``sez-sim app`` as trainers start and stop it: Ctrl-C ends a workshop's server cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sez_sim.app.server import serve

ROOT = Path(__file__).resolve().parents[1]


def test_ctrl_c_stops_the_app_with_exit_code_0_and_says_so(tmp_path):
    """It printed solara's ``Aborted!`` and exited with 1, which reads as a failure at the end of every workshop."""
    log = tmp_path / "app.log"
    with serve(ROOT / "scenarios", log=log) as (_, server):
        os.kill(server.pid, signal.SIGINT)
        code = server.wait(timeout=60)
    said = log.read_text()
    assert code == 0, said
    assert "sez-sim workshop app stopped" in said and "Aborted" not in said and "Traceback" not in said


def test_a_port_in_use_is_refused_with_an_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "sez_sim", "app", "--port", str(port), "--scenarios", str(ROOT / "scenarios")],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0 and "address already in use" in (done.stdout + done.stderr).lower()
