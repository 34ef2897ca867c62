"""Every text the workshop app shows, in one place, so that a translation is one more mapping.

To add a language, copy ``LABELS["en"]``, translate the values (keep the ``{placeholders}``) and start the app with
``sez-sim app --language xx``. A key missing from a translation falls back to English.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "sez-sim workshop",
        "subtitle": "Baseline and policy, side by side, same seed",
        "scenario": "Start from scenario",
        "year": "Year {year}",
        "step": "Step a quarter",
        "year_step": "Step a year",
        "play": "Play",
        "pause": "Pause",
        "reset": "Reset",
        "save": "Save as scenario",
        "finished": "The run has reached {year}, the scenario's end.",
        "place": "Place",
        "placed": "Placed so far",
        "placed_entry": "{instrument}, {place}, from {year}",
        "setting_off": "{setting}: no",
        "nothing_placed": "Nothing placed yet: the two runs are identical.",
        "remove": "Remove",
        "sez": "Special economic zone",
        "province": "Province",
        "capacity": "Capacity (jobs)",
        "own_terms": "Set management and tax holiday (from the host country's)",
        "management": "Management capacity (0-1)",
        "tax_holiday": "Tax holiday (years)",
        "duty_exemption": "Duty-free inputs",
        "infrastructure": "Zone infrastructure",
        "customs": "In-zone customs",
        "ossc_in_zone": "One-stop service centre in the zone",
        "cbez": "Cross-border economic zone",
        "crossing": "Border crossing",
        "joint_customs": "Joint customs",
        "commuting": "Cross-border commuting",
        "ossc": "One-stop service centres",
        "country": "Country",
        "corridor": "Corridor upgrade",
        "corridor_name": "Corridor or branch",
        "port": "Deep-sea port",
        "tax": "Profit-tax rate for a province",
        "rate": "Profit-tax rate (share of profit)",
        "min_wage": "Minimum wage",
        "factor": "Minimum wage relative to today's",
        "migration": "Migration openness",
        "country_a": "First country",
        "country_b": "Second country",
        "barrier": "Barrier to moving (0 open - higher closed)",
        "capacity_building": "Train zone authorities",
        "promotion": "Promote zones to investors",
        "credibility": "Back zones with an anchor investor",
        "closure": "Close zones",
        "programmes": "A country's zones",
        "map_title": "GDP per capita: policy run against baseline",
        "map_note": "Yellow stars: operating zones; purple: placed policies (see the legend); "
        "crosses: border crossings; thin lines: roads; thick dark lines: economic corridors.",
        "scale": "{low} to {high}",
        "theil_between": "Theil index between countries",
        "theil_within": "Theil index within countries",
        "targeted_gdp": "Targeted provinces' GDP against the baseline",
        "capital_share": "Capitals' share of GMS GDP",
        "cross_border": "Cross-border migrants per quarter",
        "zone_jobs": "Jobs in zones",
        "legend": "Charts: dashed grey, baseline; red, policy.",
        "targeted_table": "Targeted provinces (baseline / policy)",
        "gdp_pc": "GDP per capita (US$)",
        "modern_jobs": "Modern jobs",
        "earnings_gini": "Earnings inequality (Gini)",
        "zone_firms": "Firms in zones",
        "province_tax": "Profit tax (US$ m a year)",
        "download_png": "PNG",
        "headline_gdp": "GMS GDP: {value} against the baseline",
        "headline_targeted": "Targeted provinces' GDP: {value}",
        "headline_capital": "Capitals' share: {base} baseline, {policy} policy",
        "headline_zone_jobs": "Jobs in zones: {value} against the baseline",
        "headline_migrants": "Cross-border migrants this year: {base} baseline, {policy} policy",
        "headline_theil": "Theil between / within countries: {between} / {within} against the baseline",
        "headline_tax": (
            "Targeted provinces' profit tax this year: US$ {base} m baseline, US$ {policy} m policy, of which US$ "
            "{on_baseline} m on the profit the baseline's firms make too"
        ),
        "check_title": "Beyond the noise?",
        "check_note": (
            "One pair of runs is not an effect: once a policy moves one firm, the two runs' chance parts ways. Check "
            "runs the baseline and the policies placed so far on more seeds, to the year reached (as sez-sim compare "
            "does); the session goes on meanwhile."
        ),
        "pairs": "Pairs of runs",
        "check": "Check",
        "check_running": "Runs done: {done} of {total}",
        "check_done": "{pairs} pairs of runs to {year} (seeds {first}-{last}; the first pair is this session's):",
        "check_targeted": "Targeted provinces' GDP",
        "check_line": "{outcome}: {value} (95% interval {low} to {high})",
        "check_provinces": (
            "{beyond} of {total} provinces' GDP per capita beyond the noise (ringed; chance alone would ring about "
            "{chance}), {fdr} of them also at a 5% false discovery rate (thick rings)"
        ),
        "check_map_title": "GDP per capita: policy against baseline, mean over the pairs",
        "gms_gdp": "GMS GDP",
        "not_checked": "Not checked: {message}",
        "error": "Not placed: {message}",
        "not_removed": "Not removed: {message}",
        "loading": "Building the model of {scenario} (a few seconds, once per scenario)...",
        "limits": "What the model cannot say: see docs/app.md, 'Known limits'.",
    }
}


def labels(language: str = "en") -> dict[str, str]:
    """The labels of ``language``, English where a translation lacks a key."""
    return LABELS["en"] | LABELS.get(language, {})
