"""Screenshots of the workshop app for docs/app.md and the trainers' guide (needs chromium and playwright).

Starts ``sez-sim app`` on a free local port, walks through a short workshop (a zone at Binh Duong with strong
management, four years, checked over five pairs of runs, then a CBEZ at Mukdahan-Savannakhet) and saves the page at
each stage:

    .venv/bin/python docs/figures/app_screenshots.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

from sez_sim.app.server import serve

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent


def main() -> None:
    """Start the app, walk through the workshop, save the screenshots, stop the app."""
    with serve(ROOT / "scenarios") as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1050})
        page.goto(url)
        page.locator(".headline").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # the page fades in while its first render settles
        page.screenshot(path=str(OUT / "app_start.png"))

        card = page.locator(".control-sez")
        card.get_by_label("Province").first.click()
        page.keyboard.type("Binh Duong")
        page.locator(".v-menu__content:visible .v-list-item", has_text="Binh Duong (VNM)").first.click()
        card.get_by_text("Set management and tax holiday").click()
        card.get_by_text("Management capacity (0-1): 0.55").wait_for()  # the sliders start at Viet Nam's terms
        card.get_by_role("slider").nth(1).focus()
        for _ in range(7):  # to 0.9
            page.keyboard.press("ArrowRight")
        card.get_by_text("Management capacity (0-1): 0.90").wait_for()
        card.get_by_role("button", name="Place").click()
        page.locator(".placed", has_text="Special economic zone").wait_for()
        for year in range(2020, 2024):
            page.get_by_role("button", name="Step a year").click()
            page.get_by_text(f"Year {year}.00").wait_for(timeout=120_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "app_zone.png"), full_page=True)

        check = page.locator(".check")
        check.get_by_role("button", name="Check", exact=True).click()
        check.locator(".check-result").wait_for(timeout=300_000)
        page.wait_for_function("() => !document.querySelector('.check .v-progress-linear')", timeout=60_000)
        page.wait_for_timeout(500)
        check.screenshot(path=str(OUT / "app_check.png"))

        cbez = page.locator(".control-cbez")
        cbez.get_by_label("Border crossing").first.click()
        page.keyboard.type("Mukdahan")
        page.locator(".v-menu__content:visible .v-list-item", has_text="Mukdahan").first.click()
        cbez.get_by_role("button", name="Place").click()
        page.locator(".placed", has_text="Cross-border economic zone").wait_for()
        page.wait_for_timeout(500)
        page.locator(".control-cbez").screenshot(path=str(OUT / "app_cbez_control.png"))
        browser.close()
    print(f"wrote {OUT}/app_start.png, app_zone.png, app_check.png, app_cbez_control.png")


if __name__ == "__main__":
    main()
