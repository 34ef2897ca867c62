"""The workshop page (solara): controls, the map, baseline-and-policy charts and headline numbers.

One template model per scenario is built in the server process (the starting scenario when the module loads,
others when first chosen); every browser session forks its own :class:`~sez_sim.app.workshop.Workshop` from it
inside the page component (``solara.use_memo``), so sessions never share a model. Settings come from the
environment, which ``sez-sim app`` sets: ``SEZ_SIM_APP_SCENARIOS`` (a folder of scenario files),
``SEZ_SIM_APP_SCENARIO`` (the one to start from) and ``SEZ_SIM_APP_LANGUAGE`` (:mod:`sez_sim.app.labels`).
"""

from __future__ import annotations

import html
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import reacton.ipyvuetify as rv
import solara

from sez_sim.app.charts import CMAP, LineChart, MapView
from sez_sim.app.labels import labels
from sez_sim.app.workshop import Workshop, library
from sez_sim.blas import limited_blas
from sez_sim.errors import UserError
from sez_sim.params import per_country
from sez_sim.results import fixed
from sez_sim.scenario import load_scenario

if TYPE_CHECKING:
    from sez_sim.experiments.compare import Comparison

T = labels(os.environ.get("SEZ_SIM_APP_LANGUAGE", "en"))
STEPS_PER_TICK = 4
"""Play and "step a year" advance both models four quarterly steps per tick."""

PAIRS = (2, 10, 5)
"""The fewest, the most and the default pairs of runs a check runs: at two, an interval at all; at ten, about 40 s at
the end of a 20-year run on two cores, as long as a trainer can wait; five, 10-15 s ten years in."""


SCENARIOS = library(Path(os.environ.get("SEZ_SIM_APP_SCENARIOS", "scenarios")))
if not SCENARIOS:
    SCENARIOS = {"gms_baseline": load_scenario({"name": "gms_baseline"})}
START = os.environ.get("SEZ_SIM_APP_SCENARIO", "gms_baseline")
START = START if START in SCENARIOS else next(iter(SCENARIOS))

_templates: dict[str, Any] = {}
_lock = threading.Lock()


def template(name: str):
    """The template model of a scenario, built once per server process."""
    with _lock:
        if name not in _templates:
            with limited_blas():
                _templates[name] = SCENARIOS[name].model()
        return _templates[name]


template(START)  # built before the server answers, so the first page opens at once


CHARTED = {
    "theil_between": "theil_t_between",
    "theil_within": "theil_t_within",
    "capital_share": "capital_gdp_share",
    "cross_border": "cross_border_migrants",
    "zone_jobs": "zone_jobs",
}
"""The two-line charts (baseline and policy) and the summary column each draws."""


@dataclass
class Session:
    """What one browser session draws from: its workshop and its figures."""

    workshop: Workshop
    map: MapView
    charts: dict[str, LineChart] = field(default_factory=dict)

    @classmethod
    def start(cls, name: str) -> Session:
        """A new session on scenario ``name``."""
        workshop = Workshop(SCENARIOS[name], template(name))
        hosts = workshop.baseline.zones.province.tolist() if len(workshop.baseline.zones) else []
        charts = {
            "theil_between": LineChart(),
            "theil_within": LineChart(),
            "targeted_gdp": LineChart(lines=1, percent=True),
            "capital_share": LineChart(percent=True),
            "cross_border": LineChart(),
            "zone_jobs": LineChart(),
        }
        return cls(workshop, MapView(workshop.policy.geo, hosts), charts)

    def render(self) -> dict[str, Any]:
        """Update every figure from the models and return the images and the numbers the page shows."""
        with self.workshop.lock:
            return self._render()

    def _render(self) -> dict[str, Any]:
        w = self.workshop
        self.map.update(w.change(), w.places, w.targeted)
        series = {column: w.series(column) for column in (*CHARTED.values(), "gdp")}
        for key, column in CHARTED.items():
            self.charts[key].update(*series[column])
        runs = {column: (base, policy) for column, (_, base, policy) in series.items()}
        years, targeted = w.targeted_gdp()
        self.charts["targeted_gdp"].update(years, targeted)
        end = {column: (base[-1], policy[-1]) for column, (base, policy) in runs.items()}
        year = slice(-w.policy.steps_per_year, None)
        migrants = runs["cross_border_migrants"]
        return {
            "year": w.year,
            "map": self.map.png(),
            "limit": self.map.limit,
            "charts": {key: chart.png() for key, chart in self.charts.items()},
            "gdp": end["gdp"][1] / end["gdp"][0] - 1.0,
            "targeted": targeted[-1] if w.targeted else None,
            "table": w.targeted_table(),
            "capital": end["capital_gdp_share"],
            "zone_jobs": end["zone_jobs"][1] - end["zone_jobs"][0],
            "migrants": (float(migrants[0][year].sum()), float(migrants[1][year].sum())),
            "profit_tax": w.targeted_tax() if w.targeted else None,
            "theil": tuple(end[c][1] / end[c][0] - 1.0 for c in ("theil_t_between", "theil_t_within")),
        }


def percent(x: float) -> str:
    """A share as a signed percentage, as ``+.3g`` gives it but never in scientific notation.

    Three significant digits, at most six decimals, no trailing zeros: officials read ``+0.00001%`` and ``+0%``,
    not ``+1e-05%`` or ``-1e-14%``.
    """
    value = 100 * x
    if not np.isfinite(value):
        return "n/a"
    decimals = 0 if value == 0 else int(np.clip(2 - np.floor(np.log10(abs(value))), 0, 6))
    text = fixed(value, decimals, signed=True)
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def options(workshop: Workshop) -> dict[str, list[dict[str, str]]]:
    """The controls' choices (shown, used): provinces, those with no port, crossings, countries, corridors."""
    geo = workshop.policy.geo
    prov = geo.provinces.sort_values("name")
    corridors = sorted(set(geo.corridors["corridor"])) + sorted(
        f"{c}/{b}" for c, b in set(zip(geo.corridors["corridor"], geo.corridors["branch"], strict=True))
    )
    return {
        "provinces": [
            {"text": f"{n} ({c})", "value": i}
            for n, c, i in zip(prov["name"], prov["country"], prov["id"], strict=True)
        ],
        "port_sites": [
            {"text": f"{n} ({c})", "value": i}
            for n, c, i, port in zip(prov["name"], prov["country"], prov["id"], prov["is_port"], strict=True)
            if not port
        ],
        "crossings": [{"text": n, "value": n} for n in sorted(geo.crossings["name"])],
        "countries": [{"text": c, "value": c} for c in workshop.policy.country_names],
        "corridors": [{"text": c, "value": c} for c in corridors],
    }


def host_terms(workshop: Workshop) -> dict[str, tuple[float, int]]:
    """Each province's zone terms by default: its country's management capacity and tax holiday (the scenario's).

    The SEZ card's own-terms sliders start from them, so moving one leaves the other at the host's value.
    """
    provinces, sez = workshop.policy.geo.provinces, workshop.policy.params["sez"]
    countries = list(provinces["country"])
    management = per_country(sez["management"], countries)
    holiday = per_country(sez["tax_holiday_years"], countries)
    # The holiday slider takes whole years; management is kept exact, so ticking the box alone changes nothing.
    return {p: (m, round(h)) for p, m, h in zip(provinces["id"], management, holiday, strict=True)}


@solara.component
def Choice(label: str, items: list[dict[str, str]], value: solara.Reactive):
    """A searchable choice (type to filter): long lists such as 228 provinces stay usable."""
    rv.Autocomplete(label=label, items=items, v_model=value.value, on_v_model=value.set, dense=True, hide_details=True)


@dataclass(frozen=True)
class Level:
    """A card's one slider: its label's key, where it starts, its range and its step (the decimals shown)."""

    key: str
    start: float
    low: float
    high: float
    step: float

    @property
    def decimals(self) -> int:
        """Decimals of the step, as the slider's label and the placed value show it."""
        return len(f"{self.step:g}".partition(".")[2])


@solara.component
def OneChoice(
    name: str,
    label: str,
    items: list[dict[str, str]],
    entry: Callable[..., dict[str, Any]],
    place,
    level: Level | None = None,
):
    """A card that places an instrument from one choice (a country, a corridor, a province) and an optional slider.

    ``entry(choice)`` makes the instrument, or ``entry(choice, value)`` with a ``level``.
    """
    chosen = solara.use_reactive(None)
    value = solara.use_reactive(level.start if level else 0.0)
    with solara.Card(T[name], classes=[f"control-{name}"]):
        Choice(label, items, chosen)
        if level:
            text = f"{T[level.key]}: {value.value:.{level.decimals}f}"
            solara.SliderFloat(text, value=value, min=level.low, max=level.high, step=level.step)
        solara.Button(
            T["place"],
            classes=[f"place-{name}"],
            disabled=chosen.value is None,
            on_click=lambda: place(
                entry(chosen.value, round(float(value.value), level.decimals)) if level else entry(chosen.value)
            ),
        )


PROGRAMMES = {
    "capacity_building": "capacity_building",
    "investment_promotion": "promotion",
    "zone_credibility": "credibility",
    "zone_closure": "closure",
}
"""What the card for a country's zones places, each with its button's label."""


@solara.component
def Controls(choices: dict[str, list[dict[str, str]]], terms: dict[str, tuple[float, int]], place):
    """The instruments a trainer can place, each in its own card with a Place button.

    ``terms`` are each province's default zone terms (:func:`host_terms`), where the own-terms sliders start.
    """
    province = solara.use_reactive(None)
    capacity = solara.use_reactive(20_000)
    management = solara.use_reactive(0.5)
    holiday = solara.use_reactive(5)
    own_terms = solara.use_reactive(False)
    package = {
        "duty_exemption": solara.use_reactive(True),
        "infrastructure": solara.use_reactive(True),
        "customs": solara.use_reactive(True),
        "ossc": solara.use_reactive(True),
    }
    crossing = solara.use_reactive(None)
    joint = solara.use_reactive(True)
    commuting = solara.use_reactive(True)
    country_a = solara.use_reactive(None)
    country_b = solara.use_reactive(None)
    barrier = solara.use_reactive(0.5)
    programme_country = solara.use_reactive(None)

    def start_from_host():
        if province.value in terms:
            management.set(terms[province.value][0])
            holiday.set(terms[province.value][1])

    solara.use_effect(start_from_host, [province.value, terms])

    with solara.Card(T["sez"], classes=["control-sez"]):
        Choice(T["province"], choices["provinces"], province)
        solara.SliderInt(f"{T['capacity']}: {capacity.value:,}", value=capacity, min=2_000, max=100_000, step=2_000)
        solara.Checkbox(label=T["own_terms"], value=own_terms)
        if own_terms.value:
            solara.SliderFloat(
                f"{T['management']}: {management.value:.2f}", value=management, min=0.0, max=1.0, step=0.05
            )
            longest = max([15, *(years for _, years in terms.values())])  # a scenario's own holidays stay in reach
            solara.SliderInt(f"{T['tax_holiday']}: {holiday.value}", value=holiday, min=0, max=longest)
        for key, label in (
            ("duty_exemption", "duty_exemption"),
            ("infrastructure", "infrastructure"),
            ("customs", "customs"),
            ("ossc", "ossc_in_zone"),
        ):
            solara.Checkbox(label=T[label], value=package[key])
        solara.Button(
            T["place"],
            classes=["place-sez"],
            disabled=province.value is None,
            on_click=lambda: place(
                {
                    "type": "sez",
                    "province": province.value,
                    "capacity_jobs": float(capacity.value),
                    **(
                        {"management": float(management.value), "tax_holiday_years": float(holiday.value)}
                        if own_terms.value
                        else {}
                    ),
                    **{k: v.value for k, v in package.items()},
                }
            ),
        )
    with solara.Card(T["cbez"], classes=["control-cbez"]):
        Choice(T["crossing"], choices["crossings"], crossing)
        solara.Checkbox(label=T["joint_customs"], value=joint)
        solara.Checkbox(label=T["commuting"], value=commuting)
        solara.Button(
            T["place"],
            classes=["place-cbez"],
            disabled=crossing.value is None,
            on_click=lambda: place(
                {
                    "type": "cbez",
                    "crossing": crossing.value,
                    "capacity_jobs": float(capacity.value),
                    "joint_customs": joint.value,
                    "commuting": commuting.value,
                }
            ),
        )
    OneChoice("ossc", T["country"], choices["countries"], lambda c: {"type": "ossc", "countries": [c]}, place)
    OneChoice(
        "corridor",
        T["corridor_name"],
        choices["corridors"],
        lambda c: {"type": "corridor_upgrade", "corridor": c},
        place,
    )
    OneChoice("port", T["province"], choices["port_sites"], lambda p: {"type": "port", "province": p}, place)
    OneChoice(
        "tax",
        T["province"],
        choices["provinces"],
        lambda p, rate: {"type": "corporate_tax", "provinces": [p], "rate": rate},
        place,
        Level("rate", 0.1, 0.0, 0.4, 0.01),
    )
    OneChoice(
        "min_wage",
        T["country"],
        choices["countries"],
        lambda c, factor: {"type": "minimum_wage", "country": c, "factor": factor},
        place,
        Level("factor", 2.0, 0.5, 3.0, 0.1),
    )
    with solara.Card(T["migration"], classes=["control-migration"]):
        Choice(T["country_a"], choices["countries"], country_a)
        Choice(T["country_b"], choices["countries"], country_b)
        solara.SliderFloat(f"{T['barrier']}: {barrier.value:.2f}", value=barrier, min=0.0, max=5.0, step=0.25)
        solara.Button(
            T["place"],
            classes=["place-migration"],
            disabled=country_a.value is None or country_b.value is None,
            on_click=lambda: place(
                {
                    "type": "migration_regime",
                    "countries": [country_a.value, country_b.value],
                    "barrier": float(barrier.value),
                }
            ),
        )
    with solara.Card(T["programmes"], classes=["control-programmes"]):
        Choice(T["country"], choices["countries"], programme_country)
        with solara.Row():
            for kind, label in PROGRAMMES.items():
                solara.Button(
                    T[label],
                    classes=[f"place-{kind}"],
                    disabled=programme_country.value is None,
                    on_click=lambda kind=kind: place({"type": kind, "countries": [programme_country.value]}),
                )


CHECKED = {
    "gdp": "gms_gdp",
    "targeted_gdp": "check_targeted",
    "theil_between": "theil_between",
    "theil_within": "theil_within",
}
"""The outcomes a check reports, relative to the baseline with their intervals, and their labels."""


def check_numbers(result: Comparison) -> dict[str, Any]:
    """The numbers of a check (:meth:`Workshop.check`), as the card shows them.

    Returns:
        ``effects``: for each outcome of :data:`CHECKED` the comparison has, the mean difference over the pairs and
        its 95% interval, ``(value, low, high)``, relative to the baseline's mean; ``ringed``, ``discovered`` and
        ``provinces``: how many provinces' GDP per capita differ beyond the noise (the map's rings), how many of those
        also at a 5% false discovery rate (thick rings), of how many.
    """
    differences = result.differences.set_index("outcome")
    effects = {
        outcome: tuple(
            differences.at[outcome, k] / differences.at[outcome, "mean_a"] for k in ("difference", "ci_low", "ci_high")
        )
        for outcome in CHECKED
        if outcome in differences.index
    }
    effect = result.provinces[result.provinces["outcome"] == "gdp_per_capita"]
    return {
        "effects": effects,
        "ringed": int(effect["beyond_noise"].sum()),
        "discovered": int(effect["beyond_noise_fdr"].sum()),
        "provinces": len(effect),
    }


def check_view(result: Comparison) -> dict[str, Any]:
    """What the page shows of a check: the effect map as PNG, and its numbers as sentences.

    The numbers are :func:`check_numbers`'; the provinces' count stands beside the 5% that chance alone would ring.
    """
    from sez_sim.viz.experiments import effect_map

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "effect_map.png"
        effect_map(result, path)
        png = path.read_bytes()
    seeds = result.runs["seed"]
    lines = [
        T["check_done"].format(
            pairs=seeds.nunique(),
            year=f"{result.series['year'].max():.2f}",
            first=seeds.min(),
            last=seeds.max(),
        )
    ]
    numbers = check_numbers(result)
    for outcome, (value, low, high) in numbers["effects"].items():
        shown = {"value": percent(value), "low": percent(low), "high": percent(high)}
        lines.append(T["check_line"].format(outcome=T[CHECKED[outcome]], **shown))
    lines.append(
        T["check_provinces"].format(
            beyond=numbers["ringed"],
            total=numbers["provinces"],
            chance=round(0.05 * numbers["provinces"]),
            fdr=numbers["discovered"],
        )
    )
    return {"map": png, "lines": lines}


@solara.component
def Check(workshop: Workshop, disabled: bool):
    """Run more pairs of runs on other seeds to say which differences are the placed policies' (a card).

    The runs go on in worker processes while the session steps; what they show stays until the next check.
    """
    pairs = solara.use_reactive(PAIRS[2])
    running = solara.use_reactive(False)
    done = solara.use_reactive((0, 0))
    shown = solara.use_reactive(None)
    failed = solara.use_reactive(None)

    def run():
        if not running.value:
            return
        try:
            result = workshop.check(pairs.value, progress=lambda *progress: done.set(progress))
            shown.set(check_view(result))
            failed.set(None)
        except UserError as exc:
            failed.set(T["not_checked"].format(message="; ".join(p.message for p in exc.problems)))
        except RuntimeError as exc:  # runs that failed, a worker process lost: say why, the session goes on
            failed.set(T["not_checked"].format(message=str(exc)))
        finally:
            running.set(False)

    def forget():
        shown.set(None)
        failed.set(None)

    solara.use_effect(forget, [workshop])  # a reset or another scenario: a new session, nothing checked yet
    solara.use_thread(run, dependencies=[running.value, workshop])
    with solara.Card(T["check_title"], classes=["check"]):
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(T["check_note"]), classes=["note"])
        solara.SliderInt(f"{T['pairs']}: {pairs.value}", value=pairs, min=PAIRS[0], max=PAIRS[1])
        solara.Button(
            T["check"],
            classes=["check-run"],
            on_click=lambda: (done.set((0, 2 * pairs.value)), running.set(True)),
            disabled=disabled or running.value,
        )
        if running.value:
            total = max(done.value[1], 1)
            solara.ProgressLinear(value=100 * done.value[0] / total)
            solara.HTML(tag="div", unsafe_innerHTML=T["check_running"].format(done=done.value[0], total=total))
        if failed.value:
            solara.Error(failed.value, classes=["check-message"])
        if shown.value:
            solara.HTML(
                tag="div",
                unsafe_innerHTML="<br>".join(html.escape(line) for line in shown.value["lines"]),
                classes=["check-result", "note"],
            )
            solara.HTML(tag="div", unsafe_innerHTML=T["check_map_title"], classes=["chart-title"])
            solara.Image(shown.value["map"], classes=["check-map"])
            solara.FileDownload(
                shown.value["map"], filename="effect_map.png", label=T["download_png"], mime_type="image/png"
            )


def headline(view: dict[str, Any]) -> list[str]:
    """The headline numbers as sentences."""
    base_cap, pol_cap = view["capital"]
    lines = [
        T["year"].format(year=f"{view['year']:.2f}"),
        T["headline_gdp"].format(value=percent(view["gdp"])),
        T["headline_capital"].format(base=f"{100 * base_cap:.2f}%", policy=f"{100 * pol_cap:.2f}%"),
        T["headline_zone_jobs"].format(value=f"{round(view['zone_jobs']):+,}"),
        T["headline_migrants"].format(base=f"{view['migrants'][0]:,.0f}", policy=f"{view['migrants'][1]:,.0f}"),
        T["headline_theil"].format(between=percent(view["theil"][0]), within=percent(view["theil"][1])),
    ]
    if view["targeted"] is not None:
        lines.insert(2, T["headline_targeted"].format(value=percent(view["targeted"])))
    if view["profit_tax"] is not None:
        base, policy, on_baseline = (f"{v:,.1f}" for v in view["profit_tax"])
        lines.append(T["headline_tax"].format(base=base, policy=policy, on_baseline=on_baseline))
    return lines


INSTRUMENTS = {
    "sez": "sez",
    "cbez": "cbez",
    "ossc": "ossc",
    "corridor_upgrade": "corridor",
    "port": "port",
    "corporate_tax": "tax",
    "minimum_wage": "min_wage",
    "migration_regime": "migration",
    "capacity_building": "capacity_building",
    "investment_promotion": "promotion",
    "zone_credibility": "credibility",
    "zone_closure": "closure",
}
"""The label of each instrument the page places."""

SETTINGS = {
    "capacity_jobs": "capacity",
    "management": "management",
    "tax_holiday_years": "tax_holiday",
    "duty_exemption": "duty_exemption",
    "infrastructure": "infrastructure",
    "customs": "customs",
    "ossc": "ossc_in_zone",
    "joint_customs": "joint_customs",
    "commuting": "commuting",
    "barrier": "barrier",
    "rate": "rate",
    "factor": "factor",
}
"""The label of each setting the controls set, as on the controls."""

PLACES = ("province", "provinces", "crossing", "corridor", "country", "countries")


def amount(value: float) -> str:
    """A setting's number as the controls show it: thousands separated, at most two decimals, no trailing zeros."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def describe(entry: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """A placed instrument in words, with the controls' labels: what, where, from when, and its settings.

    Args:
        entry: the instrument as placed (its scenario entry).
        names: the text shown for a value, e.g. a province id's name and country (the controls' choices).
    """
    names = names or {}
    place = next((entry[k] for k in PLACES if k in entry), "")
    where = " - ".join(names.get(p, p) for p in place) if isinstance(place, list) else names.get(place, place)
    head = T["placed_entry"].format(
        instrument=T[INSTRUMENTS[entry["type"]]] if entry["type"] in INSTRUMENTS else entry["type"],
        place=where,
        year=f"{entry['start_year']:g}" if "start_year" in entry else "",
    )
    settings = []
    for key in (k for k in SETTINGS if k in entry):  # in the controls' order, whatever the entry's
        value, label = entry[key], T[SETTINGS[key]]
        if isinstance(value, bool):
            settings.append(label if value else T["setting_off"].format(setting=label))
        else:
            settings.append(f"{label} {amount(value)}")
    return head + (": " + "; ".join(settings) if settings else "")


def targeted_html(rows: list[dict[str, Any]]) -> str:
    """The targeted provinces' numbers in both runs, as an HTML table."""
    head = "".join(
        f"<th>{html.escape(T[k])}</th>"
        for k in ("province", "gdp_pc", "modern_jobs", "earnings_gini", "zone_firms", "province_tax")
    )
    body = "".join(
        f"<tr><td>{html.escape(r['province'])}</td>"
        f"<td>{r['gdp_per_capita'][0]:,.0f} / {r['gdp_per_capita'][1]:,.0f}</td>"
        f"<td>{r['modern_jobs'][0]:,.0f} / {r['modern_jobs'][1]:,.0f}</td>"
        f"<td>{r['earnings_gini'][0]:.3f} / {r['earnings_gini'][1]:.3f}</td>"
        f"<td>{r['zone_firms'][0]:,.0f} / {r['zone_firms'][1]:,.0f}</td>"
        f"<td>{r['profit_tax'][0]:,.1f} / {r['profit_tax'][1]:,.1f}</td></tr>"
        for r in rows
    )
    return f"<div class=chart-title>{html.escape(T['targeted_table'])}</div><table>{head}{body}</table>"


def scale_html(limit: float) -> str:
    """The map's colour scale as HTML (a CSS gradient with its end values)."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    stops = ", ".join(to_hex(colormaps[CMAP](x)) for x in np.linspace(0, 1, 7))
    return (
        f"<div class='scale'><span>{percent(-limit)}</span>"
        f"<span style='display:inline-block;width:12rem;height:.8rem;margin:0 .5rem;"
        f"background:linear-gradient(to right, {stops})'></span><span>{percent(limit)}</span></div>"
    )


STYLE = """
.scale{font-size:.85rem;display:flex;align-items:center}
.headline{line-height:1.5}
.targeted td, .targeted th{padding:.1rem .5rem;font-size:.85rem;text-align:right}
.targeted td:first-child, .targeted th:first-child{text-align:left}
.chart-title{font-size:.85rem;font-weight:600;margin-top:.3rem}
.note{font-size:.85rem}
"""


@solara.component
def Page():
    """The workshop page of one browser session."""
    scenario = solara.use_reactive(START)
    resets = solara.use_reactive(0)
    session = solara.use_memo(lambda: Session.start(scenario.value), dependencies=[scenario.value, resets.value])
    view, set_view = solara.use_state(None)
    message = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    choices = solara.use_memo(lambda: options(session.workshop), dependencies=[scenario.value])
    terms = solara.use_memo(lambda: host_terms(session.workshop), dependencies=[scenario.value])

    def refresh():
        set_view(session.render())

    solara.use_effect(refresh, [session])

    def step(steps: int):
        session.workshop.step(steps)
        refresh()

    def change(act: Callable[[], Any], refused: str):
        """Place or remove: on a refusal, say why (``refused`` names the label) and leave the view as it is."""
        try:
            act()
        except UserError as exc:
            message.set(T[refused].format(message="; ".join(p.message for p in exc.problems)))
            return
        message.set(None)
        refresh()

    def place(entry: dict[str, Any]):
        change(partial(session.workshop.place, entry), "error")

    def remove(index: int):
        change(partial(session.workshop.remove, index), "not_removed")

    def play():
        while playing.value and not session.workshop.finished:
            session.workshop.step(STEPS_PER_TICK)
            set_view(session.render())
            time.sleep(0.05)
        playing.set(False)

    solara.use_thread(play, dependencies=[playing.value, session])

    solara.Title(T["title"])
    solara.Style(STYLE)
    w = session.workshop
    shown = {item["value"]: item["text"] for item in choices["provinces"]}
    with solara.AppBarTitle():
        solara.Text(f"{T['title']}: {T['subtitle']}")
    with solara.Sidebar():
        solara.Select(T["scenario"], values=list(SCENARIOS), value=scenario, classes=["scenario-select"])
        Controls(choices, terms, place)
    with solara.Column():
        with solara.Row(classes=["toolbar"]):
            solara.Button(T["step"], classes=["step"], on_click=lambda: step(1), disabled=w.finished or playing.value)
            solara.Button(
                T["year_step"],
                classes=["step-year"],
                on_click=lambda: step(STEPS_PER_TICK),
                disabled=w.finished or playing.value,
            )
            solara.Button(
                T["pause"] if playing.value else T["play"],
                classes=["play"],
                on_click=lambda: playing.set(not playing.value),
                disabled=w.finished,
            )
            solara.Button(
                T["reset"], classes=["reset"], on_click=lambda: (playing.set(False), resets.set(resets.value + 1))
            )
            solara.FileDownload(
                lambda: w.scenario_yaml().encode(),
                filename=f"{w.scenario.name}_workshop.yaml",
                label=T["save"],
                mime_type="application/x-yaml",
            )
        if message.value:
            solara.Error(message.value, classes=["message"])
        if w.finished:
            solara.Info(T["finished"].format(year=f"{w.year:g}"))
        if view is None:
            return
        with solara.Row():
            with solara.Column(style={"flex": "1 1 420px"}):
                solara.HTML(tag="div", unsafe_innerHTML=T["map_title"], classes=["chart-title"])
                solara.Image(view["map"], classes=["map"])
                solara.HTML(tag="div", unsafe_innerHTML=scale_html(view["limit"]))
                solara.HTML(tag="div", unsafe_innerHTML=T["map_note"], classes=["note"])
                solara.FileDownload(view["map"], filename="map.png", label=T["download_png"], mime_type="image/png")
                Check(w, disabled=not w.placed)
            with solara.Column(style={"flex": "1 1 420px"}):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML="<div style='font-size:0.95rem'>"
                    + "<br>".join(html.escape(line) for line in headline(view))
                    + "</div>",
                    classes=["headline"],
                )
                if view["table"]:
                    solara.HTML(tag="div", unsafe_innerHTML=targeted_html(view["table"]), classes=["targeted"])
                solara.HTML(tag="div", unsafe_innerHTML=T["placed"], classes=["chart-title"])
                with solara.Column(gap="0px", classes=["placed"]):
                    for index, entry in enumerate(w.placed):
                        with solara.Row(style={"align-items": "center"}, classes=["placed-entry"]):
                            text = html.escape(describe(entry, shown))
                            solara.HTML(tag="div", unsafe_innerHTML=text, classes=["note"])
                            solara.Button(
                                T["remove"],
                                text=True,
                                classes=["remove"],
                                on_click=partial(remove, index),
                                disabled=playing.value,
                            )
                    if not w.placed:
                        solara.HTML(tag="div", unsafe_innerHTML=T["nothing_placed"], classes=["note"])
                solara.HTML(tag="div", unsafe_innerHTML=T["legend"], classes=["note"])
        with solara.Row(style={"flex-wrap": "wrap"}):
            for key, image in view["charts"].items():
                with solara.Column(style={"flex": "0 1 340px"}, classes=[f"chart-{key}"]):
                    solara.HTML(tag="div", unsafe_innerHTML=T[key], classes=["chart-title"])
                    solara.Image(image)
                    solara.FileDownload(image, filename=f"{key}.png", label=T["download_png"], mime_type="image/png")
