"""The workshop app in a real browser: Debian's chromium driven by playwright against ``sez-sim app``.

The server runs on a free 127.0.0.1 port and is stopped by its PID. Every request to another host is aborted and
counted (there must be none: the app works offline), any response >= 400 and any console error fail the test. Without
chromium or playwright the tests are skipped, except in CI (``CI=true``), where that fails them.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from sez_sim.app.server import serve
from sez_sim.params import defaults

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "results" / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing(what: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is missing: .ci/run installs it (CI=true makes this a failure, not a skip)")
    pytest.skip(f"{what} is missing (apt-get install chromium; pip install playwright)")


@pytest.fixture(scope="module")
def server():
    """``sez-sim app`` on a free local port, until the module's tests are done."""
    log = (ARTIFACTS / "app-server.log").resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with serve(ROOT / "scenarios", log=log) as (url, _):
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        missing("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Watched:
    """A page whose requests to other hosts are aborted and counted, with its bad responses and console errors."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.bad: list[tuple[int, str]] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("response", lambda r: r.status >= 400 and self.bad.append((r.status, r.url)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.get_by_role("button", name="Step a year").wait_for(timeout=60_000)
        self.headline()

    def _route(self, route):
        if re.match(r"^(https?|wss?)://127\.0\.0\.1[:/]", route.request.url) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def headline(self) -> str:
        box = self.page.locator(".headline")
        box.wait_for(timeout=60_000)
        return box.inner_text()

    def year(self) -> float:
        return float(re.search(r"Year (\d+\.\d+)", self.headline()).group(1))

    def step_year(self) -> None:
        target = self.year() + 1
        self.page.get_by_role("button", name="Step a year").click()
        self.page.wait_for_function(
            "t => { const h = document.querySelector('.headline');"
            " const m = h && h.innerText.match(/Year (\\d+\\.\\d+)/); return m && parseFloat(m[1]) >= t - 1e-9; }",
            arg=target,
            timeout=60_000,
        )

    def choose(self, card: str, label: str, text: str) -> None:
        box = self.page.locator(f".{card}")
        box.get_by_label(label).first.click()
        self.page.keyboard.type(text.split(" (")[0])
        self.page.locator(".v-menu__content:visible .v-list-item", has_text=text).first.click()

    def place_from(self, card: str, label: str, choice: str, button: str, placed: str) -> None:
        """Choose ``choice`` in a card's one list, press its ``button`` and wait for ``placed`` in the list."""
        self.choose(card, label, choice)
        self.page.locator(f".{card}").get_by_role("button", name=button).click()
        self.page.locator(".placed", has_text=placed).wait_for(timeout=60_000)

    def place_sez(self, province: str, management: float | None = None) -> None:
        self.choose("control-sez", "Province", province)
        card = self.page.locator(".control-sez")
        if management is not None:
            card.get_by_text("Set management and tax holiday").click()
            # The sliders start from the host country's terms, so moving one leaves the other as it was.
            country = province.split(" (")[1].rstrip(")")
            start, holiday = (defaults()["sez"][key][country] for key in ("management", "tax_holiday_years"))
            card.get_by_text(f"Management capacity (0-1): {start:.2f}").wait_for(timeout=10_000)
            card.get_by_text(f"Tax holiday (years): {holiday:.0f}").wait_for(timeout=10_000)
            slider = card.get_by_role("slider").nth(1)
            slider.focus()
            for _ in range(round((management - start) / 0.05)):
                self.page.keyboard.press("ArrowRight")
            card.get_by_text(f"Management capacity (0-1): {management:.2f}").wait_for(timeout=10_000)
        card.get_by_role("button", name="Place").click()
        self.page.locator(".placed", has_text="Special economic zone").wait_for(timeout=60_000)

    def map_png(self) -> str:
        return self.page.locator(".map img, img.map").first.get_attribute("src")

    def clean(self) -> None:
        assert self.outside == [], f"requests left the machine: {self.outside[:5]}"
        assert self.bad == [], f"responses >= 400: {self.bad[:5]}"
        assert self.errors == [], f"console errors: {self.errors[:5]}"

    def close(self) -> None:
        self.context.close()


def test_the_page_opens_offline_with_no_errors(server, browser):
    page = Watched(browser, server)
    assert "Year 2019.00" in page.headline()
    assert "Nothing placed yet" in page.page.content()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "app-opened.png"), full_page=True)
    page.clean()
    page.close()


def test_placing_a_zone_and_stepping_changes_the_host_and_the_map(server, browser):
    page = Watched(browser, server)
    before = page.map_png()
    page.place_sez("Binh Duong (VNM)", management=0.9)
    placed = page.page.locator(".placed").inner_text()
    assert "Special economic zone, Binh Duong (VNM), from 2019" in placed and "Management capacity (0-1) 0.9;" in placed
    for _ in range(4):
        page.step_year()
    table = page.page.locator(".targeted").inner_text()
    row = next(line for line in table.splitlines() if "Binh Duong" in line)
    number = r"([\d,]+(?:\.\d+)?)"
    pairs = [(float(a.replace(",", "")), float(b.replace(",", ""))) for a, b in re.findall(f"{number} / {number}", row)]
    # GDP per capita, modern jobs, earnings Gini, zone firms, profit tax (US$ m a year)
    assert len(pairs) == 5 and any(policy != base for base, policy in pairs), row
    assert all(0 < gini < 1 for gini in pairs[2]), row
    assert page.map_png() != before
    assert "GMS GDP: +0%" not in page.headline()
    page.page.screenshot(path=str(ARTIFACTS / "app-zone-placed.png"), full_page=True)
    page.clean()
    page.close()


def test_a_port_placed_from_its_card_opens_its_province_to_the_world(server, browser):
    page = Watched(browser, server)
    placed = "Deep-sea port, Tanintharyi (MMR), from 2019"
    page.place_from("control-port", "Province", "Tanintharyi (MMR)", "Place", placed)
    for _ in range(2):
        page.step_year()
    row = next(line for line in page.page.locator(".targeted").inner_text().splitlines() if "Tanintharyi" in line)
    base, policy = (float(x.replace(",", "")) for x in re.search(r"([\d,]+) / ([\d,]+)", row).groups())
    assert policy > base, row  # GDP per capita, baseline / policy
    page.clean()
    page.close()


def test_a_lower_profit_tax_placed_from_its_card_draws_firms_and_costs_tax(server, browser):
    """Savannakhet's profit tax at its slider's default (0.10, against Lao PDR's 0.24): after two years its firms pay
    less tax and it has more modern jobs than in the baseline, in its row of the table and in the headline, which
    says how much of the policy run's tax is levied on the profit made in the baseline too (less than half of the
    baseline's: the rate is cut by more than half for all but the zone firms)."""
    page = Watched(browser, server)
    placed = "Profit-tax rate for a province, Savannakhet (LAO), from 2019: Profit-tax rate (share of profit) 0.1"
    page.place_from("control-tax", "Province", "Savannakhet (LAO)", "Place", placed)
    for _ in range(2):
        page.step_year()
    shown = r"profit tax this year: US\$ ([\d,.]+) m baseline, US\$ ([\d,.]+) m policy, of which US\$ ([\d,.]+) m"
    tax = re.search(shown, page.headline())
    assert tax, page.headline()
    base, policy, on_baseline = (float(tax.group(k).replace(",", "")) for k in (1, 2, 3))
    assert 0 < on_baseline < 0.5 * base and policy < base, page.headline()
    row = next(line for line in page.page.locator(".targeted").inner_text().splitlines() if "Savannakhet" in line)
    # GDP per capita, modern jobs, earnings Gini, firms in zones, profit tax: baseline / policy.
    pairs = [tuple(float(x.replace(",", "")) for x in p) for p in re.findall(r"([\d,.]+) / ([\d,.]+)", row)]
    assert pairs[1][1] > pairs[1][0] and pairs[4][1] < pairs[4][0], row
    page.clean()
    page.close()


def test_a_minimum_wage_doubled_from_its_card_costs_modern_jobs(server, browser):
    """Cambodia's minimum wage at the card's default (twice today's): after two years its provinces hold fewer modern
    jobs in the policy run than in the baseline."""
    page = Watched(browser, server)
    placed = "Minimum wage, KHM, from 2019: Minimum wage relative to today's 2"
    page.place_from("control-min_wage", "Country", "KHM", "Place", placed)
    for _ in range(2):
        page.step_year()
    rows = page.page.locator(".targeted").inner_text().splitlines()
    jobs = [re.findall(r"([\d,.]+) / ([\d,.]+)", line)[1] for line in rows if "(KHM)" in line]
    base, policy = (sum(float(pair[k].replace(",", "")) for pair in jobs) for k in (0, 1))
    assert len(jobs) == 8 and policy < base, rows  # the first eight of Cambodia's provinces
    page.clean()
    page.close()


def test_closing_a_countrys_zones_from_their_card_empties_them(server, browser):
    """The card for a country's zones places a closure: after a year the policy run has fewer jobs in zones."""
    page = Watched(browser, server)
    page.place_from("control-programmes", "Country", "KHM", "Close zones", "Close zones, KHM, from 2019")
    page.step_year()
    jobs = re.search(r"Jobs in zones: ([+-][\d,]+) against the baseline", page.headline())
    assert jobs and int(jobs.group(1).replace(",", "")) < -50_000, page.headline()  # Cambodia's ~100,000
    page.clean()
    page.close()


def test_backing_a_new_border_zone_with_an_anchor_investor_fills_it(server, browser):
    """A zone placed at Mukdahan beside its proven dataset zone draws no one; backed by the card for a country's
    zones (credibility for every Thai zone), it fills within a few years."""
    page = Watched(browser, server)
    page.place_sez("Mukdahan (THA)")
    backing = "Back zones with an anchor investor"
    page.place_from("control-programmes", "Country", "THA", backing, f"{backing}, THA")
    for _ in range(4):
        page.step_year()
    jobs = re.search(r"Jobs in zones: ([+-][\d,]+) against the baseline", page.headline())
    assert jobs and int(jobs.group(1).replace(",", "")) > 5_000, page.headline()
    page.clean()
    page.close()


def test_two_browser_sessions_are_independent(server, browser):
    first, second = Watched(browser, server), Watched(browser, server)
    first.place_sez("Binh Duong (VNM)")
    first.step_year()
    first.step_year()
    second.step_year()
    assert first.year() == 2021.0 and second.year() == 2020.0
    assert "Nothing placed yet" in second.page.content()
    assert "GMS GDP: +0%" in second.headline()
    assert "GMS GDP: +0%" not in first.headline()
    for page in (first, second):
        page.clean()
        page.close()


def test_the_saved_scenario_reruns_to_the_numbers_shown(server, browser, tmp_path):
    from sez_sim.runs import simulate
    from sez_sim.scenario import load_scenario

    page = Watched(browser, server)
    page.step_year()
    page.place_sez("Binh Duong (VNM)")
    page.step_year()
    page.step_year()
    with page.page.expect_download() as download:
        page.page.get_by_role("button", name="Save as scenario").click()
    path = tmp_path / "saved.yaml"
    download.value.save_as(path)
    saved = load_scenario(yaml.safe_load(path.read_text()))
    assert saved.policies[-1].province == "VN-57" or saved.policies[-1].province.startswith("VN")
    assert saved.policies[-1].start_year == 2020.0
    run = simulate(saved, years=page.year() - saved.run.start_year)
    last = run.provinces[run.provinces["step"] == run.provinces["step"].max()].set_index("name")
    row = next(line for line in page.page.locator(".targeted").inner_text().splitlines() if "Binh Duong" in line)
    shown = [float(x.replace(",", "")) for pair in re.findall(r"([\d,]+) / ([\d,]+)", row) for x in pair]
    gdp_pc = shown[1]
    assert gdp_pc == np.round(last.loc["Binh Duong", "gdp_per_capita"])
    gini = float(re.search(r"(\d\.\d{3}) / (\d\.\d{3})", row).group(2))
    assert gini == pytest.approx(last.loc["Binh Duong", "earnings_gini"], abs=0.0005)
    capital = re.search(r"Capitals' share: [\d.]+% baseline, ([\d.]+)% policy", page.headline()).group(1)
    assert float(capital) == pytest.approx(100 * run.summary["capital_gdp_share"].iat[-1], abs=0.006)
    page.clean()
    page.close()


def test_play_runs_a_year_a_tick_until_paused_and_figures_download_as_png(server, browser, tmp_path):
    page = Watched(browser, server)
    page.page.get_by_role("button", name="Play").click()
    page.page.wait_for_function(
        "() => { const m = document.querySelector('.headline').innerText.match(/Year (\\d+\\.\\d+)/);"
        " return m && parseFloat(m[1]) >= 2021; }",
        timeout=120_000,
    )
    page.page.get_by_role("button", name="Pause").click()
    page.page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    paused = page.year()
    assert paused >= 2021 and paused == int(paused)  # whole years: a tick is a year
    page.page.wait_for_timeout(1500)
    assert page.year() == paused
    with page.page.expect_download() as download:
        page.page.locator(".chart-zone_jobs").get_by_role("button", name="PNG").click()
    path = tmp_path / "chart.png"
    download.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and download.value.suggested_filename == "zone_jobs.png"
    page.clean()
    page.close()


def test_a_session_can_start_from_a_library_scenario(server, browser, tmp_path):
    page = Watched(browser, server)
    page.page.locator(".scenario-select .v-select__slot").first.click()
    page.page.locator(".v-menu__content:visible .v-list-item", has_text="ewec_border_sezs").first.click()
    page.page.wait_for_timeout(500)
    page.headline()  # the new session's page
    page.step_year()
    with page.page.expect_download() as download:
        page.page.get_by_role("button", name="Save as scenario").click()
    path = tmp_path / "saved.yaml"
    download.value.save_as(path)
    saved = yaml.safe_load(path.read_text())
    assert saved["name"] == "ewec_border_sezs_workshop"
    assert [p["type"] for p in saved["policies"]] == ["sez"] * 6
    page.clean()
    page.close()


def test_a_placed_policy_is_removed_as_if_it_had_never_been_placed(server, browser):
    page = Watched(browser, server)
    page.place_sez("Binh Duong (VNM)")
    port = "Deep-sea port, Tanintharyi (MMR), from 2019"
    page.place_from("control-port", "Province", "Tanintharyi (MMR)", "Place", port)
    page.step_year()
    assert "GMS GDP: +0%" not in page.headline()
    placed = page.page.locator(".placed")
    placed.get_by_role("button", name="Remove").first.click()
    page.page.wait_for_function(  # the list redrawn: the zone's entry and its button gone (not only the text)
        "() => !document.querySelector('.placed').innerText.includes('Special economic zone')"
        " && document.querySelectorAll('.placed button.remove').length === 1",
        timeout=60_000,
    )
    assert port in placed.inner_text() and "Year 2020.00" in page.headline()
    placed.get_by_role("button", name="Remove").click()
    page.page.locator(".placed", has_text="Nothing placed yet").wait_for(timeout=60_000)
    assert "GMS GDP: +0%" in page.headline() and "Year 2020.00" in page.headline()
    page.clean()
    page.close()


def test_a_refused_placement_says_why_and_places_nothing(server, browser):
    page = Watched(browser, server)
    page.choose("control-migration", "First country", "THA")
    page.choose("control-migration", "Second country", "THA")
    page.page.locator(".control-migration").get_by_role("button", name="Place").click()
    message = page.page.locator(".message")
    message.wait_for(timeout=60_000)
    assert "Not placed" in message.inner_text() and "differ" in message.inner_text()
    assert "Nothing placed yet" in page.page.content()
    page.clean()
    page.close()


def test_a_check_runs_more_pairs_and_rings_what_is_beyond_the_noise(server, browser):
    page = Watched(browser, server)
    card = page.page.locator(".check")
    assert card.get_by_role("button", name="Check", exact=True).is_disabled()  # nothing placed
    page.place_sez("Binh Duong (VNM)", management=0.9)
    card.get_by_role("button", name="Check", exact=True).click()
    message = page.page.locator(".check-message")
    message.wait_for(timeout=60_000)
    assert "Not checked: no placed policy has acted yet" in message.inner_text()
    page.step_year()
    card.get_by_role("slider").focus()
    for _ in range(3):
        page.page.keyboard.press("ArrowLeft")
    card.get_by_text("Pairs of runs: 2").wait_for(timeout=10_000)
    card.get_by_role("button", name="Check", exact=True).click()
    result = page.page.locator(".check-result")
    result.wait_for(timeout=120_000)
    card.get_by_role("button", name="Check", exact=True).wait_for(state="attached")
    page.page.wait_for_function(
        "() => !document.querySelector('.check-run').disabled && !document.querySelector('.check .v-progress-linear')",
        timeout=60_000,
    )
    text = result.inner_text()
    first, last = map(int, re.search(r"2 pairs of runs to 2020\.00 \(seeds (\d+)-(\d+)", text).groups())
    assert last == first + 1, text
    percent = r"[+-]?\d[\d.]*%"
    assert re.search(f"Targeted provinces' GDP: {percent} \\(95% interval {percent} to {percent}\\)", text), text
    assert re.search(r"\d+ of 228 provinces' GDP per capita beyond the noise", text), text
    assert card.locator("img").first.evaluate("i => i.complete && i.naturalWidth") > 500  # the effect map, drawn
    assert message.count() == 0  # the refusal is gone with the first check that runs
    assert "Year 2020.00" in page.headline()
    page.page.screenshot(path=str(ARTIFACTS / "app-checked.png"), full_page=True)
    page.clean()
    page.close()
