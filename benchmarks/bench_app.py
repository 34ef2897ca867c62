"""Issue 14: the workshop app is quick enough to use live and small enough for ten participants at once.

Server side (in this process, as a session runs in the server): forking a session from the template, one
quarterly step of both models with every figure redrawn, one yearly tick, removing a placed policy at the end of
the run (the policy run replayed), checking the placed policies over five pairs of runs there (in worker processes
on every core). In the browser (Debian's chromium through
playwright, against ``sez-sim app`` on a free local port): the page usable after opening, a step as a participant
sees it (click to the new year on screen), and the server's resident memory with ten sessions open at once.
Skips the browser part when chromium or playwright is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from pathlib import Path

import common  # noqa: F401
from common import report

from sez_sim.app.server import serve

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 8


def server_side() -> list[dict]:
    os.environ.setdefault("SEZ_SIM_APP_SCENARIOS", str(ROOT / "scenarios"))
    from sez_sim.app.page import START, Session, check_view

    t0 = time.perf_counter()
    session = Session.start(START)
    session.render()
    start = time.perf_counter() - t0
    quarter, year = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        session.workshop.step(1)
        session.render()
        quarter.append(time.perf_counter() - t0)
    for _ in range(3):
        t0 = time.perf_counter()
        session.workshop.step(4)
        session.render()
        year.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    session.render()
    render = time.perf_counter() - t0
    w = session.workshop
    w.place({"type": "sez", "province": "Binh Duong"})
    w.place({"type": "port", "province": "MM-05"})
    w.step(w.policy.calendar.steps(w.scenario.run.years))  # to the scenario's end (20 years)
    t0 = time.perf_counter()
    w.remove(0)  # the policy run replayed from the start with the port
    session.render()
    removal = time.perf_counter() - t0
    t0 = time.perf_counter()
    check_view(w.check(pairs=5))  # in worker processes, every run built afresh (benchmarks cache nothing)
    check = time.perf_counter() - t0
    return [
        {"measure": "new session (two model copies, figures)", "seconds": start},
        {"measure": "step a quarter, both models, redraw (median)", "seconds": statistics.median(quarter)},
        {"measure": "redraw alone", "seconds": render},
        {"measure": "step a year, both models, redraw (median)", "seconds": statistics.median(year)},
        {
            "measure": f"remove a placed policy {w.year - w.scenario.run.start_year:g} years in, redraw",
            "seconds": removal,
        },
        {"measure": f"check five pairs of runs {w.year - w.scenario.run.start_year:g} years in", "seconds": check},
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def browser_side() -> list[dict]:
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    if chromium is None:
        return []
    t0 = time.perf_counter()
    with serve(ROOT / "scenarios") as (url, server):
        pid = server.pid
        up = time.perf_counter() - t0
        return [
            {"measure": "server up (template built)", "seconds": up},
            *in_browser(sync_playwright, chromium, url, pid),
        ]


def in_browser(sync_playwright, chromium: str, url: str, pid: int) -> list[dict]:
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        pages = []
        for k in range(10):
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            t0 = time.perf_counter()
            page.goto(url)
            page.locator(".headline").wait_for(timeout=60_000)
            if k == 0:
                rows.append({"measure": "page usable after opening", "seconds": time.perf_counter() - t0})
            pages.append(page)
        steps = []
        for k in range(REPEATS):
            t0 = time.perf_counter()
            pages[0].get_by_role("button", name="Step a quarter").click()
            pages[0].wait_for_function(
                "t => document.querySelector('.headline').innerText.includes('Year ' + t)",
                arg=f"{2019 + 0.25 * (k + 1):.2f}",
                timeout=60_000,
            )
            steps.append(time.perf_counter() - t0)
        rows.append(
            {"measure": "step a quarter in the browser (click to new year shown)", "seconds": statistics.median(steps)}
        )
        t0 = time.perf_counter()
        for page in pages[1:]:
            page.get_by_role("button", name="Step a year").click()
        for page in pages[1:]:
            page.wait_for_function(
                "document.querySelector('.headline').innerText.includes('Year 2020.00')", timeout=300_000
            )
        rows.append({"measure": "nine sessions step a year at once (all done)", "seconds": time.perf_counter() - t0})
        rows.append({"measure": "server memory, ten sessions open (MB)", "seconds": rss_mb(pid)})
        assert all(re.search(r"Year 2020\.00", p.locator(".headline").inner_text()) for p in pages[1:])
        browser.close()
    return rows


def main() -> None:
    rows = server_side() + browser_side()
    report(
        "app",
        rows,
        {
            "page usable after opening": "<= 5 s once the server is up",
            "step a quarter, both models, redraw": "<= 0.5 s on the server, <= 1 s in the browser",
            "server memory, ten sessions": "<= 2048 MB",
        },
    )


if __name__ == "__main__":
    main()
