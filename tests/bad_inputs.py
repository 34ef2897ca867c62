"""A generated corpus of bad inputs, made the way a new user makes mistakes, for every way into sez-sim.

Each :class:`Case` is a command line with the files it needs. Every case must end with exit code 2, a message that
names where the mistake is (the file, the YAML path or CSV row and column, or the option), no traceback, and no
output folder. The corpus is built by mutating valid inputs (a small scenario on the line geography, the GMS
baseline, a small experiment, a small custom dataset) one mistake at a time, in each place the mistake can occur.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Case:
    """One bad input.

    Attributes:
        id: a short name.
        argv: the command line after ``sez-sim``; ``{d}`` stands for the case's folder.
        files: files to write into the case's folder before running (text or bytes).
        expect: substrings the error output must contain (where the mistake is).
    """

    id: str
    argv: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    expect: tuple[str, ...] = ()

    def materialise(self, folder: Path) -> list[str]:
        """Write the files and return the command line with ``{d}`` filled in."""
        for name, content in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        return [a.replace("{d}", str(folder)) for a in self.argv]


# ------------------------------------------------------------------------------------------ valid inputs
LINE = {
    "name": "t",
    "geography": {"synthetic": {"kind": "line", "n": 6, "spacing_km": 150}},
    "agents": {"persons_per_agent": 1000, "firms": {"count": 200, "min_per_province": 10}},
    "policies": [{"type": "sez", "province": "P03", "start_year": 2020}],
    "run": {"years": 1, "seed": 1},
}
GMS = {"name": "g", "geography": {"dataset": "gms"}, "run": {"years": 1, "seed": 1}}
EXPERIMENT = {
    "name": "e",
    "base": "s.yaml",
    "years": 1,
    "factors": [{"key": "economy.sigma", "values": [4, 5]}],
    "outcomes": [{"name": "gdp", "column": "gdp"}],
}
PROVINCES = """id,name,country,lat,lon,population,gdp_usd_m,area_km2,is_national_capital
A1,Alpha,AAA,15.0,100.0,2000000,20000,5000,1
A2,Beta,AAA,15.5,101.0,1000000,5000,8000,0
B1,Gamma,BBB,16.0,102.0,1500000,6000,9000,1
B2,Delta,BBB,16.5,103.0,800000,2000,7000,0
"""
LINKS = """a,b,distance_km,international,crossing,corridor
A1,A2,150,0,,C1
A2,B1,120,1,X1,C1
B1,B2,140,0,,C1
"""
CROSSINGS = "name,province_a,province_b\nX1,A2,B1\n"
PORTS = "province_id,port\nA1,Alpha port\n"
DATASET = {"provinces.csv": PROVINCES, "links.csv": LINKS, "crossings.csv": CROSSINGS, "ports.csv": PORTS}


def dump(data: Any) -> str:
    """YAML text of ``data``."""
    return yaml.safe_dump(data, sort_keys=False)


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``base`` with the dotted ``path`` set to ``value`` (``_DELETE`` removes it)."""
    data = copy.deepcopy(base)
    node: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is _DELETE:
        node.pop(last, None)
    else:
        node[last] = value
    return data


_DELETE = object()
NAN, INF = float("nan"), float("inf")


# ------------------------------------------------------------------------------------------ scenarios
def scenario_cases() -> Iterator[Case]:
    """Mistakes inside a scenario file, checked by ``validate`` and ``run``."""
    values: list[tuple[str, str, Any]] = [
        # (id, path, value): the YAML path must appear in the message
        ("typo-top", "polices", []),
        ("typo-section", "economy.sigmaa", 5),
        ("sigma-text", "economy.sigma", "five"),
        ("sigma-low", "economy.sigma", 0.5),
        ("sigma-high", "economy.sigma", 100),
        ("sigma-nan", "economy.sigma", NAN),
        ("sigma-inf", "economy.sigma", INF),
        ("sigma-bool", "economy.sigma", True),
        ("sigma-list", "economy.sigma", [4, 5]),
        ("sigma-null-map", "economy.sigma", {"a": 1}),
        ("mu-zero", "economy.mu", 0),
        ("kappa-negative", "economy.kappa", -1e-4),
        ("preset-unknown", "economy.preset", "krugman"),
        ("hazard-high", "agents.firms.hazard", 0.9),
        ("count-float", "agents.firms.count", 10.5),
        ("count-zero", "agents.firms.count", 0),
        ("count-bool", "agents.firms.count", False),
        ("reconsider-nan", "agents.workers.reconsider", NAN),
        ("persons-zero", "agents.persons_per_agent", 0),
        ("persons-negative", "agents.persons_per_agent", -5),
        ("persons-inf", "agents.persons_per_agent", INF),
        ("sampling-unknown", "agents.sampling", "random"),
        ("years-zero", "run.years", 0),
        ("years-negative", "run.years", -5),
        ("years-nan", "run.years", NAN),
        ("years-inf", "run.years", INF),
        ("years-text", "run.years", "ten"),
        ("years-bool", "run.years", True),
        ("years-below-a-step", "run.years", 0.1),
        ("years-huge", "run.years", 1e9),
        ("spy-zero", "run.steps_per_year", 0),
        ("spy-float", "run.steps_per_year", 2.5),
        ("seed-negative", "run.seed", -1),
        ("seed-float", "run.seed", 1.5),
        ("seed-huge", "run.seed", 2**70),
        ("seed-bool", "run.seed", True),
        ("seed-nan", "run.seed", NAN),
        ("start-year-ancient", "run.start_year", 10),
        ("figures-number", "outputs.figures", "maybe"),
        ("name-dotdot", "name", ".."),
        ("name-slash", "name", "a/b"),
        ("name-escape", "name", "../../etc"),
        ("name-empty", "name", ""),
        ("name-space", "name", "my run"),
        ("name-long", "name", "x" * 300),
        ("name-number", "name", 5),
        ("geography-two", "geography.dataset", "gms"),
        ("geography-dataset-unknown", "geography.dataset", "asean"),
        ("synthetic-kind", "geography.synthetic.kind", "grid"),
        ("synthetic-n-one", "geography.synthetic.n", 1),
        ("synthetic-n-huge", "geography.synthetic.n", 20000),
        ("synthetic-spacing", "geography.synthetic.spacing_km", -100),
        ("synthetic-planar-two", "geography.synthetic", {"kind": "random_planar", "n": 2}),
        ("synthetic-planar-countries", "geography.synthetic", {"kind": "random_planar", "n": 4, "countries": 5}),
        ("policies-mapping", "policies", {"type": "sez", "province": "P03"}),
        ("policies-string", "policies", "sez at P03"),
        ("policy-string", "policies.0", "sez"),
        ("policy-type-unknown", "policies.0.type", "free_zone"),
        ("policy-type-missing", "policies.0", {"province": "P03"}),
        ("policy-province-missing", "policies.0", {"type": "sez"}),
        ("policy-province-unknown", "policies.0.province", "P99"),
        ("policy-province-number", "policies.0.province", 3),
        ("policy-capacity-negative", "policies.0.capacity_jobs", -100),
        ("policy-capacity-text", "policies.0.capacity_jobs", "lots"),
        ("policy-capacity-nan", "policies.0.capacity_jobs", NAN),
        ("policy-capacity-bool", "policies.0.capacity_jobs", True),
        ("policy-start-nan", "policies.0.start_year", NAN),
        ("policy-start-text", "policies.0.start_year", "next year"),
        ("policy-phase-negative", "policies.0.phase_in", -1),
        ("policy-phase-huge", "policies.0.phase_in", 1000),
        (
            "policy-end-before-start",
            "policies.0",
            {"type": "sez", "province": "P03", "start_year": 2022, "end_year": 2021},
        ),
        ("policy-end-before-run", "policies.0", {"type": "sez", "province": "P03", "end_year": 2000}),
        ("policy-unknown-field", "policies.0.capacity", 100),
        ("policy-holiday-map", "policies.0.tax_holiday_years", {"P03": 5}),
        ("policy-label-number", "policies.0.label", [1, 2]),
        (
            "policy-duplicate",
            "policies",
            [
                {"type": "sez", "province": "P03", "start_year": 2020},
                {"type": "sez", "province": "P03", "start_year": 2020},
            ],
        ),
        (
            "corridor-completion-before",
            "policies",
            [{"type": "corridor_upgrade", "corridor": "LINE", "start_year": 2022, "completion_year": 2020}],
        ),
        (
            "corridor-completion-far",
            "policies",
            [{"type": "corridor_upgrade", "corridor": "LINE", "start_year": 2020, "completion_year": 2500}],
        ),
        ("corridor-unknown", "policies", [{"type": "corridor_upgrade", "corridor": "EWEC"}]),
        ("synthetic-unread-freeness", "geography.synthetic.freeness", 0.3),
        ("synthetic-unread-seed", "geography.synthetic.seed", 4),
        ("corridor-quality-zero", "policies", [{"type": "corridor_upgrade", "corridor": "LINE", "quality": 0}]),
        ("ossc-country-unknown", "policies", [{"type": "ossc", "country": "THA"}]),
        ("ossc-days-negative", "policies", [{"type": "ossc", "country": "A", "approval_days": -3}]),
        ("tax-rate-high", "policies", [{"type": "corporate_tax", "country": "A", "rate": 5}]),
        ("min-wage-negative", "policies", [{"type": "minimum_wage", "country": "A", "value": -1}]),
        ("tax-nowhere", "policies", [{"type": "corporate_tax", "rate": 0.1}]),
        ("tax-province-unknown", "policies", [{"type": "corporate_tax", "provinces": ["P01", "Q7"], "rate": 0.1}]),
        ("min-wage-nowhere", "policies", [{"type": "minimum_wage", "provinces": [], "value": 100}]),
        ("migration-same", "policies", [{"type": "migration_regime", "origin": "A", "destination": "A"}]),
        (
            "migration-quota-negative",
            "policies",
            [{"type": "migration_regime", "origin": "A", "destination": "B", "quota": -10}],
        ),
        ("fdi-negative", "policies", [{"type": "fdi_inflow", "multiplier": -1}]),
        ("cbez-crossing-unknown", "policies", [{"type": "cbez", "crossing": "Nowhere"}]),
        ("port-province-unknown", "policies", [{"type": "port", "province": "P99"}]),
        ("port-already-there", "policies", [{"type": "port", "province": "P00"}]),
        ("port-phase-in", "policies", [{"type": "port", "province": "P03", "phase_in": 2}]),
        ("port-sea-leg-negative", "policies", [{"type": "port", "province": "P03", "sea_cost_km": -5}]),
        ("zone-management-high", "policies.0.management", 1.5),
        ("zone-management-text", "policies.0.management", "good"),
        ("programme-no-target", "policies", [{"type": "capacity_building"}]),
        (
            "programme-zone-unknown",
            "policies",
            [*LINE["policies"], {"type": "capacity_building", "zones": ["P04 SEZ"]}],
        ),
        ("programme-before-its-zone", "policies", [{"type": "investment_promotion", "zones": ["P03 SEZ"]}]),
        (
            "programme-province-no-zone",
            "policies",
            [*LINE["policies"], {"type": "investment_promotion", "provinces": ["P05"]}],
        ),
        (
            "programme-country-unknown",
            "policies",
            [*LINE["policies"], {"type": "capacity_building", "countries": ["XX"]}],
        ),
        (
            "programme-cost-negative",
            "policies",
            [*LINE["policies"], {"type": "capacity_building", "zones": ["P03 SEZ"], "cost_per_year": -1}],
        ),
        (
            "programme-gain-high",
            "policies",
            [*LINE["policies"], {"type": "capacity_building", "zones": ["P03 SEZ"], "gain": 2}],
        ),
        (
            "capacity-building-phase-in",
            "policies",
            [*LINE["policies"], {"type": "capacity_building", "zones": ["P03 SEZ"], "phase_in": 2}],
        ),
        ("promotion-uplift-negative", "policy_defaults.investment_promotion.uplift", -0.5),
        ("management-delay-text", "policy_defaults.sez.management_delay", "slow"),
        ("fdi-uplift-zero", "policy_defaults.sez.fdi_uplift", 0),
        ("border-crossing-unknown", "policies", [{"type": "border_facilitation", "crossing": "Nowhere"}]),
        ("policy-defaults-typo", "policy_defaults.sez.capacity", 5),
        ("policy-defaults-section", "policy_defaults.zones", {"capacity_jobs": 5}),
        ("policy-defaults-nan", "policy_defaults.sez.capacity_jobs", NAN),
        ("ledger-cost-negative", "policy_defaults.sez.construction_cost_per_job", -1),
        ("ledger-operation-high", "policy_defaults.sez.operation_cost_share", 2),
        ("ledger-discount-text", "policy_defaults.sez.social_discount_rate", "nine per cent"),
        ("initial-shares", "initial.shares", [0.5, 0.5]),
        ("extends-missing", "extends", "nope.yaml"),
        ("pareto-vs-sigma", "agents.firms.pareto_shape", 3.0),
        ("trade-balance-vs-exports", "economy.trade_balance", 0.4),
        ("migration-vs-reconsider", "agents.workers.reconsider", 0.01),
    ]
    for ident, path, value in values:
        data = changed(LINE, path, value)
        if ident == "geography-two":
            data = changed(LINE, "geography.dataset", "gms")
        expect = ("s.yaml", "migration_rate") if ident == "migration-vs-reconsider" else ("s.yaml", path.split(".")[-1])
        if path == "name":
            expect = ("s.yaml", "name")
        if ident == "extends-missing":  # where it looked: the path is taken from the file's folder
            expect = ("s.yaml", "extends", "from this file's folder", "nope.yaml")
        yield Case(f"scenario/{ident}", ["validate", "{d}/s.yaml"], {"s.yaml": dump(data)}, expect)
        if ident in ("years-negative", "sigma-nan", "policy-province-unknown", "name-dotdot", "pareto-vs-sigma"):
            yield Case(f"scenario-run/{ident}", ["run", "{d}/s.yaml", "--quiet"], {"s.yaml": dump(data)}, expect)
    textbook_on_gms = changed(GMS, "economy.preset", "core_periphery")
    yield Case("scenario/preset-on-dataset", ["validate", "{d}/s.yaml"], {"s.yaml": dump(textbook_on_gms)}, ("preset",))
    textbook_zone = changed(changed(LINE, "economy.preset", "core_periphery"), "agents", {})
    yield Case(
        "scenario/textbook-zone",
        ["run", "{d}/s.yaml", "--quiet"],
        {"s.yaml": dump(textbook_zone)},
        ("s.yaml", "policies[0]", "core_periphery preset has no entrants"),
    )
    two_regions = changed(textbook_zone, "geography.synthetic", {"kind": "two_region", "freeness": 0.4})
    for kind, policy in (("corridor_upgrade", {"corridor": "LINE"}), ("border_facilitation", {})):
        yield Case(
            f"scenario/two-region-{kind}",
            ["validate", "{d}/s.yaml"],
            {"s.yaml": dump(changed(two_regions, "policies", [{"type": kind, **policy}]))},
            ("s.yaml", "policies[0].type", "freeness"),
        )
    per_key: list[tuple[str, str, Any]] = [
        ("min-wage-country", "economy.minimum_wage", {"XXX": 100}),
        ("min-wage-lowercase", "economy.minimum_wage", {"tha": 100}),
        ("min-wage-negative", "economy.minimum_wage", {"THA": -5}),
        ("min-wage-nan", "economy.minimum_wage", {"THA": NAN}),
        ("min-wage-bool", "economy.minimum_wage", {"THA": True}),
        ("min-wage-scalar", "economy.minimum_wage", 100),
        ("min-wage-list", "economy.minimum_wage", [100]),
        ("tax-country", "economy.corporate_tax", {"Thailand": 0.1}),
        ("approval-country", "agents.firms.approval_days", {"VN": 10}),
        ("red-tape-high", "agents.firms.red_tape", {"THA": 100}),
        ("barrier-single", "agents.workers.border_barrier", {"THA": 3}),
        ("barrier-same", "agents.workers.border_barrier", {"THA-THA": 3}),
        ("barrier-unknown", "agents.workers.border_barrier", {"THA-XXX": 3}),
        ("barrier-three", "agents.workers.border_barrier", {"THA-LAO-VNM": 3}),
        ("barrier-inf", "agents.workers.border_barrier", {"THA-LAO": INF}),
        ("holiday-country", "policy_defaults.sez.tax_holiday_years", {"LA": 3}),
        ("management-country-high", "policy_defaults.sez.management", {"LAO": 1.2}),
        ("programme-dataset-zone-typo", "policies", [{"type": "investment_promotion", "zones": ["Savan Seno SEZ"]}]),
        ("closure-country-without-zones", "policies", [{"type": "zone_closure", "countries": ["XXX"]}]),
        ("closure-zone-typo", "policies", [{"type": "zone_closure", "zones": ["Savan Seno SEZ"]}]),
        ("closure-nowhere", "policies", [{"type": "zone_closure"}]),
        ("credibility-above-one", "policies", [{"type": "zone_credibility", "countries": ["LAO"], "credibility": 1.5}]),
        ("credibility-province-without-zones", "policies", [{"type": "zone_credibility", "provinces": ["Kep"]}]),
        ("sez-tak-unknown", "policies", [{"type": "sez", "province": "Savanakhet"}]),
        ("cbez-reversed-unknown", "policies", [{"type": "cbez", "crossing": "Myawaddy-Mae Sot-X"}]),
        ("migration-country", "policies", [{"type": "migration_regime", "origin": "THA", "destination": "XYZ"}]),
        ("persons-tiny", "agents.persons_per_agent", 1e-6),
        ("persons-huge", "agents.persons_per_agent", 1e7),
    ]
    for ident, path, value in per_key:
        data = changed(GMS, path, value)
        expect = ("s.yaml", path.split(".")[-1])
        if ident == "sez-tak-unknown":
            expect = ("s.yaml", "policies[0].province", "did you mean 'Savannakhet'")
        if ident in ("programme-dataset-zone-typo", "closure-zone-typo"):
            expect = ("s.yaml", "policies[0].zones[0]", "'Savan-Seno Special Economic Zone'")
        yield Case(f"scenario-gms/{ident}", ["validate", "{d}/s.yaml"], {"s.yaml": dump(data)}, expect)


# ------------------------------------------------------------------------------------------ YAML and files
def yaml_cases() -> Iterator[Case]:
    """Malformed YAML, tricky YAML and bad paths."""
    texts: list[tuple[str, str | bytes, tuple[str, ...]]] = [
        ("empty", "", ("empty",)),
        ("only-comment", "# nothing\n", ("s.yaml",)),
        ("list", "- a\n- b\n", ("s.yaml",)),
        ("scalar", "hello\n", ("s.yaml",)),
        ("tab-indent", "name: t\nrun:\n\tyears: 5\n", ("s.yaml", "line")),
        ("unclosed", "name: t\nrun: {years: 5\n", ("s.yaml", "line")),
        ("duplicate-key", "name: t\nrun:\n  years: 5\n  years: 6\n", ("s.yaml", "line 4", "line 3")),
        ("duplicate-top", "name: t\nname: u\n", ("s.yaml", "duplicate")),
        ("python-tag", "name: !!python/object/apply:os.system ['echo hi']\n", ("s.yaml",)),
        ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00", ("s.yaml",)),
        ("latin1", "name: caf\xe9\n".encode("latin-1"), ("s.yaml", "UTF-8")),
        ("deep", "name: t\nx: " + "[" * 5000 + "]" * 5000 + "\n", ("s.yaml", "deep")),
        (
            "deep-block",
            "name: t\n" + "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "v: 1\n",
            ("s.yaml",),
        ),
        ("recursive-alias", "name: t\nx: &a [*a]\n", ("s.yaml",)),
        ("huge", "name: t\nx: [" + ", ".join(["1"] * 400_000) + "]\n", ("s.yaml", "bytes")),
        (
            "alias-bomb",
            "name: t\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)
            ),
            ("s.yaml", "values"),
        ),
        ("merge-recursive", "name: t\nbase: &b\n  <<: *b\n", ("s.yaml",)),
        ("key-not-string", "name: t\n1: 2\n", ("s.yaml",)),
        ("null-section", "name: t\nrun:\n", ("s.yaml", "run")),
        ("yes-as-number", "name: t\neconomy:\n  sigma: yes\n", ("s.yaml", "sigma")),
        ("on-as-number", "name: t\nrun:\n  years: on\n", ("s.yaml", "years")),
        ("extends-self", "name: t\nextends: s.yaml\n", ("s.yaml", "extends")),
        ("extends-dir", "name: t\nextends: sub\n", ("s.yaml", "extends")),
    ]
    for ident, text, expect in texts:
        files: dict[str, str | bytes] = {"s.yaml": text}
        if ident == "extends-dir":
            files["sub/x.txt"] = "x"
        yield Case(f"yaml/{ident}", ["validate", "{d}/s.yaml"], files, expect)
    yield Case(
        "yaml/extends-cycle",
        ["validate", "{d}/a.yaml"],
        {"a.yaml": "name: a\nextends: b.yaml\n", "b.yaml": "name: b\nextends: a.yaml\n"},
        ("cycle",),
    )
    yield Case(
        "yaml/extends-experiment",
        ["validate", "{d}/s.yaml"],
        {"s.yaml": "name: s\nextends: e.yaml\n", "e.yaml": dump(EXPERIMENT)},
        ("e.yaml",),
    )
    yield Case("path/missing", ["validate", "{d}/nope.yaml"], {}, ("nope.yaml", "not found"))
    yield Case("path/directory", ["validate", "{d}/sub"], {"sub/x.txt": "x"}, ("sub",))
    yield Case("path/run-directory", ["run", "{d}/sub"], {"sub/x.txt": "x"}, ("sub",))
    # The operating system passes no NUL byte in a command line, but a file can hold one in a path it names.
    yield Case(
        "path/nul-extends",
        ["validate", "{d}/s.yaml"],
        {"s.yaml": dump({"name": "t", "extends": "a\x00b"})},
        ("extends", "NUL"),
    )
    yield Case(
        "path/nul-folder",
        ["validate", "{d}/s.yaml"],
        {"s.yaml": dump({"name": "t", "geography": {"folder": "a\x00"}})},
        ("s.yaml", "NUL"),
    )
    yield Case(
        "path/long-extends",
        ["validate", "{d}/s.yaml"],
        {"s.yaml": dump({"name": "t", "extends": "a" * 300})},
        ("extends", "too long"),
    )
    yield Case(
        "yaml/parent-bad-value",
        ["validate", "{d}/s.yaml"],
        {"s.yaml": "name: s\nextends: p.yaml\n", "p.yaml": dump(changed(LINE, "economy.sigma", 100))},
        ("p.yaml", "economy.sigma"),
    )
    yield Case("path/too-long", ["validate", "{d}/" + "a" * 300 + ".yaml"], {}, ("too long",))
    yield Case("path/deep-too-long", ["validate", "{d}/" + "/".join(["a" * 200] * 30) + ".yaml"], {}, ("too long",))
    yield Case("path/run-file-as-folder", ["validate", "{d}/f.txt/s.yaml"], {"f.txt": "x"}, ("f.txt",))


# ------------------------------------------------------------------------------------------ flags
def flag_cases() -> Iterator[Case]:
    """Bad command-line flags and ``--set`` options."""
    s = {"s.yaml": dump(LINE)}
    run = ["run", "{d}/s.yaml", "--quiet"]
    flags: list[tuple[str, list[str], tuple[str, ...]]] = [
        ("years-negative", ["--years", "-5"], ("--years",)),
        ("years-zero", ["--years", "0"], ("--years",)),
        ("years-tiny", ["--years", "0.01"], ("--years",)),
        ("years-nan", ["--years", "nan"], ("--years",)),
        ("years-inf", ["--years", "inf"], ("--years",)),
        ("years-text", ["--years", "ten"], ("--years",)),
        ("years-huge", ["--years", "1e12"], ("--years",)),
        ("seed-negative", ["--seed", "-1"], ("--seed",)),
        ("seed-float", ["--seed", "1.5"], ("--seed",)),
        ("seed-huge", ["--seed", "99999999999999999999999"], ("--seed",)),
        ("out-empty", ["--out", ""], ("--out",)),
        ("out-blank", ["--out", "   "], ("--out",)),
        ("out-file", ["--out", "{d}/s.yaml"], ("s.yaml",)),
        ("out-under-file", ["--out", "{d}/s.yaml/x"], ("s.yaml",)),
        ("out-too-long", ["--out", "{d}/" + "a" * 300], ("too long",)),
        ("out-current", ["--out", "."], ("current folder",)),
        ("set-no-equals", ["--set", "economy.sigma"], ("--set",)),
        ("set-empty-key", ["--set", "=5"], ("--set",)),
        ("set-unknown", ["--set", "economy.sigmaa=5"], ("--set economy.sigmaa",)),
        ("set-out-of-bounds", ["--set", "economy.sigma=100"], ("--set economy.sigma",)),
        ("set-nan", ["--set", "run.years=.nan"], ("--set run.years",)),
        ("set-bool", ["--set", "economy.sigma=yes"], ("--set economy.sigma",)),
        ("set-bad-yaml", ["--set", "economy.sigma=[1"], ("--set",)),
        ("set-empty-value", ["--set", "economy.sigma="], ("--set economy.sigma",)),
        ("set-index-out-of-range", ["--set", "policies.5.province=P02"], ("--set policies.5", "no index 5")),
        ("set-index-text", ["--set", "policies.x.province=P02"], ("--set policies.x", "no index x")),
        ("set-into-scalar", ["--set", "run.years.x=1"], ("--set run.years.x", "not a mapping")),
        ("set-double-dot", ["--set", "economy..sigma=4"], ("--set economy..sigma",)),
        ("set-province-unknown", ["--set", "policies.0.province=P77"], ("P77",)),
        ("set-name-escape", ["--set", "name=.."], ("--set name",)),
        ("set-seed-below-step", ["--set", "run.steps_per_year=0"], ("--set run.steps_per_year",)),
        ("unknown-flag", ["--yeers", "5"], ("--yeers",)),
    ]
    for ident, extra, expect in flags:
        yield Case(f"flag-run/{ident}", [*run, *extra], s, expect)
    yield Case("flag-run/no-scenario", ["run"], {}, ("SCENARIO",))
    yield Case("flag/unknown-command", ["simulate", "x.yaml"], {}, ("simulate",))
    compare = ["compare", "{d}/s.yaml", "{d}/s.yaml"]
    for ident, extra, expect in [
        ("replicates-zero", ["--replicates", "0"], ("--replicates",)),
        ("replicates-negative", ["--replicates", "-2"], ("--replicates",)),
        ("workers-zero", ["--workers", "0"], ("--workers",)),
        ("seed-negative", ["--seed", "-4"], ("--seed",)),
        ("years-negative", ["--years", "-1"], ("--years",)),
        ("years-nan", ["--years", "nan"], ("--years",)),
        ("out-file", ["--out", "{d}/s.yaml"], ("s.yaml",)),
        ("dask-local-zero", ["--dask-local", "0"], ("--dask-local",)),
        ("both-dask", ["--dask-local", "1", "--scheduler", "tcp://127.0.0.1:1"], ("--scheduler",)),
        ("scheduler-bad-address", ["--scheduler", "not an address"], ("--scheduler",)),
        ("scheduler-dead", ["--scheduler", "tcp://127.0.0.1:9"], ("--scheduler",)),
        ("missing-b", [], ()),
    ]:
        argv = compare[:2] if ident == "missing-b" else compare
        yield Case(f"flag-compare/{ident}", [*argv, *extra], s, expect)
    e = {"s.yaml": dump(LINE), "e.yaml": dump(EXPERIMENT)}
    batch = ["batch", "{d}/e.yaml", "--quiet"]
    for ident, extra, expect in [
        ("replicates-zero", ["--replicates", "0"], ("--replicates",)),
        ("workers-zero", ["--workers", "0"], ("--workers",)),
        ("workers-negative", ["--workers", "-1"], ("--workers",)),
        ("years-negative", ["--years", "-1"], ("--years",)),
        ("years-inf", ["--years", "inf"], ("--years",)),
        ("dask-local-zero", ["--dask-local", "0"], ("--dask-local",)),
        ("both-dask", ["--dask-local", "1", "--scheduler", "tcp://127.0.0.1:1"], ("--scheduler",)),
        ("scheduler-bad-address", ["--scheduler", "not an address"], ("--scheduler",)),
        ("scheduler-dead", ["--scheduler", "tcp://127.0.0.1:9"], ("--scheduler",)),
        ("set-unknown", ["--set", "desing=lhs"], ("--set desing",)),
        ("set-replicates-zero", ["--set", "replicates=0"], ("--set replicates",)),
        ("out-file", ["--out", "{d}/s.yaml"], ("s.yaml",)),
    ]:
        yield Case(f"flag-batch/{ident}", [*batch, *extra], e, expect)
    for ident, argv, expect in [
        ("params-section", ["params", "economyy"], ("economyy",)),
        ("params-kind", ["params", "--kind", "levers"], ("levers",)),
        ("network-out-dir", ["network", "--out", "{d}"], ("--out",)),
        ("network-out-empty", ["network", "--out", ""], ("--out",)),
        ("network-data-file", ["network", "--data", "{d}/s.yaml", "--out", "{d}/n.png"], ("s.yaml",)),
        ("network-out-not-png", ["network", "--out", "{d}/n.jpg.txt"], (".png",)),
        ("validate-nothing", ["validate"], ("FILES",)),
    ]:
        yield Case(f"flag/{ident}", argv, s, expect)


# ------------------------------------------------------------------------------------------ experiments
def experiment_cases() -> Iterator[Case]:
    """Mistakes inside an experiment file, all caught before any run starts."""
    f0 = "factors.0"
    edits: list[tuple[str, str, Any, tuple[str, ...]]] = [
        ("base-missing", "base", "nope.yaml", ("base",)),
        ("base-dir", "base", ".", ("base",)),
        ("base-bad", "base", "bad.yaml", ()),
        ("base-nul", "base", "a\x00b.yaml", ("base", "NUL")),
        ("name-escape", "name", "..", ("name",)),
        ("design-unknown", "design", "factorial", ("design",)),
        ("replicates-zero", "replicates", 0, ("replicates",)),
        ("replicates-bool", "replicates", True, ("replicates",)),
        ("samples-zero", "samples", 0, ("samples",)),
        ("years-zero", "years", 0, ("years",)),
        ("years-nan", "years", NAN, ("years",)),
        ("years-below-step", "years", 0.1, ("years",)),
        ("seed-negative", "seed", -1, ("seed",)),
        ("factor-key-unknown", f"{f0}.key", "economy.sigmaa", ("factors[0]",)),
        ("factor-key-missing", f0, {"values": [1, 2]}, ("factors[0]",)),
        ("factor-value-out", f"{f0}.values", [4, 100], ("factors[0].values[1]",)),
        ("factor-value-nan", f"{f0}.values", [4, NAN], ("factors[0]",)),
        ("factor-value-text", f"{f0}.values", [4, "five"], ("factors[0]",)),
        ("factor-value-bool", f"{f0}.values", [4, True], ("factors[0]",)),
        ("factor-values-empty", f"{f0}.values", [], ("factors[0]",)),
        ("factor-range-reversed", f0, {"key": "economy.sigma", "range": [6, 4]}, ("factors[0]",)),
        ("factor-range-out", f0, {"key": "economy.sigma", "range": [4, 100]}, ("factors[0]",)),
        ("factor-range-one", f0, {"key": "economy.sigma", "range": [4]}, ("factors[0]",)),
        ("factor-range-equal", f0, {"key": "economy.sigma", "range": [4, 4]}, ("factors[0]",)),
        ("factor-both", f0, {"key": "economy.sigma", "range": [4, 6], "values": [4, 5]}, ("factors[0]",)),
        ("factor-levels-zero", f0, {"key": "economy.sigma", "levels": 0}, ("factors[0]",)),
        ("factor-pareto-conflict", f"{f0}.values", [4, 11.5], ("factors[0].values[1]",)),
        ("factor-policy-province", f0, {"key": "policies.0.province", "values": ["P03", "P99"]}, ("factors[0]",)),
        ("factor-path-index", f0, {"key": "policies.4.province", "values": ["P03"]}, ("factors[0]",)),
        (
            "factor-duplicate",
            "factors",
            [{"key": "economy.sigma", "values": [4]}, {"key": "economy.sigma", "values": [5]}],
            ("factors[1]",),
        ),
        ("factor-per-country-key", f0, {"key": "economy.minimum_wage", "values": [{"XXX": 1}]}, ("factors[0]",)),
        ("outcome-column", "outcomes.0.column", "gdpp", ("outcomes[0].column",)),
        ("outcome-table", "outcomes.0.table", "firms", ("outcomes[0].table",)),
        (
            "outcome-province",
            "outcomes.0",
            {"name": "x", "table": "provinces", "column": "gdp", "provinces": ["P99"]},
            ("outcomes[0].provinces[0]",),
        ),
        (
            "outcome-country",
            "outcomes.0",
            {"name": "x", "table": "provinces", "column": "gdp", "country": "ZZZ"},
            ("outcomes[0].country",),
        ),
        ("outcome-year", "outcomes.0", {"name": "x", "column": "gdp", "at": 1990}, ("outcomes[0]",)),
        (
            "outcome-duplicate-name",
            "outcomes",
            [{"name": "x", "column": "gdp"}, {"name": "x", "column": "gini"}],
            ("outcomes[1]",),
        ),
        (
            "outcome-summary-province",
            "outcomes.0",
            {"name": "x", "column": "gdp", "provinces": ["P01"]},
            ("outcomes[0]",),
        ),
        (
            "outcome-summary-mean",
            "outcomes.0",
            {"name": "x", "column": "gdp", "aggregate": "mean"},
            ("outcomes[0]", "nothing to average"),
        ),
        ("outcomes-empty", "outcomes", [], ("outcomes",)),
        (
            "outcome-no-province",
            "outcomes.0",
            {"name": "x", "table": "provinces", "column": "gdp", "provinces": []},
            ("outcomes[0].provinces", "selects no province"),
        ),
        (
            "outcome-provinces-and-country",
            "outcomes.0",
            {"name": "x", "table": "provinces", "column": "gdp", "provinces": ["P01"], "country": "A"},
            ("outcomes[0]", "not both"),
        ),
        (
            "outcome-at-and-over",
            "outcomes.0",
            {"name": "x", "column": "gdp", "at": 2019, "over": [2019, 2020]},
            ("outcomes[0]", "not both"),
        ),
        (
            "outcome-over-reversed",
            "outcomes.0",
            {"name": "x", "column": "gdp", "over": [2020, 2019]},
            ("outcomes[0].over", "from <= to"),
        ),
        (
            "outcome-sum-per-person",
            "outcomes.0",
            {"name": "x", "table": "provinces", "column": "gdp_per_capita", "aggregate": "sum"},
            ("outcomes[0].aggregate", "a sum over provinces means nothing"),
        ),
        (
            "outcome-sum-of-province-indices",
            "outcomes.0",
            {"name": "x", "table": "provinces", "column": "earnings_gini", "aggregate": "sum"},
            ("outcomes[0].aggregate", "each province's own index", "weighted by population"),
        ),
        ("sobol-values", "design", "sobol", ("factors[0]",)),
        ("lhs-no-factors", "factors", [], ("design",)),
        ("unknown-key", "replicate", 3, ("replicate",)),
        ("samples-grid", "samples", 64, ("samples", "a grid runs every combination")),
        ("samples-sobol", "samples", 48, ("samples", "must be a power of two", "use 32 or 64")),
        (
            "levels-lhs",
            f0,
            {"key": "economy.sigma", "range": [4, 5], "levels": 7},
            ("factors[0]", "levels are a grid's"),
        ),
        ("seed-factor", f0, {"key": "run.seed", "values": [1, 2]}, ("factors[0]", "run.seed would be ignored")),
        ("seed-override", "overrides", {"run.seed": 4}, ("overrides", "run.seed would be ignored")),
        ("seed-nested", "overrides", {"run": {"seed": 4}}, ("overrides", "run.seed would be ignored")),
        ("years-twice", "overrides", {"run.years": 4}, ("overrides", "run.years would be ignored")),
        ("overrides-bad", "overrides", {"economy.sigma": 100}, ("economy.sigma",)),
        ("overrides-unknown", "overrides", {"economy.sigmaa": 4}, ("economy.sigmaa",)),
    ]
    for ident, path, value, expect in edits:
        data = changed(EXPERIMENT, path, value)
        if ident in ("lhs-no-factors", "levels-lhs"):
            data["design"] = "lhs"
        if ident == "samples-sobol":
            data.update(design="sobol", factors=[{"key": "economy.sigma"}, {"key": "economy.mu"}])
        files = {"s.yaml": dump(LINE), "e.yaml": dump(data), "bad.yaml": dump(changed(LINE, "economy.sigma", 100))}
        where = ("bad.yaml", "economy.sigma") if ident == "base-bad" else ("e.yaml", *expect)
        yield Case(f"experiment/{ident}", ["batch", "{d}/e.yaml", "--quiet", "--out", "{d}/out"], files, where)


# ------------------------------------------------------------------------------------------ datasets
def _csv_edit(text: str, row: int, column: str, value: str) -> str:
    """``text`` (a CSV) with one cell replaced (row counts data rows from 0)."""
    import pandas as pd

    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    return frame.to_csv(index=False)


def dataset_cases() -> Iterator[Case]:
    """Mistakes in a custom dataset folder, through ``network --data`` and a scenario's ``geography.folder``."""
    scenario = dump({"name": "d", "geography": {"folder": "data"}, "run": {"years": 1}})
    edits: list[tuple[str, str, Callable[[str], str], tuple[str, ...]]] = [
        (
            "pop-inf",
            "provinces.csv",
            lambda t: _csv_edit(t, 1, "population", "inf"),
            ("provinces.csv", "line 3", "population"),
        ),
        ("pop-nan", "provinces.csv", lambda t: _csv_edit(t, 1, "population", "nan"), ("provinces.csv", "population")),
        (
            "pop-negative",
            "provinces.csv",
            lambda t: _csv_edit(t, 1, "population", "-100"),
            ("provinces.csv", "population"),
        ),
        (
            "pop-absurd",
            "provinces.csv",
            lambda t: _csv_edit(t, 1, "population", "1e15"),
            ("provinces.csv", "population"),
        ),
        ("pop-text", "provinces.csv", lambda t: _csv_edit(t, 1, "population", "many"), ("provinces.csv", "population")),
        ("pop-tiny", "provinces.csv", lambda t: _csv_edit(t, 3, "population", "3"), ("persons_per_agent", "Delta")),
        ("gdp-zero", "provinces.csv", lambda t: _csv_edit(t, 0, "gdp_usd_m", "0"), ("provinces.csv", "gdp_usd_m")),
        ("lat-out", "provinces.csv", lambda t: _csv_edit(t, 0, "lat", "200"), ("provinces.csv", "lat")),
        ("lon-out", "provinces.csv", lambda t: _csv_edit(t, 0, "lon", "-181"), ("provinces.csv", "lon")),
        ("lat-inf", "provinces.csv", lambda t: _csv_edit(t, 0, "lat", "-inf"), ("provinces.csv", "lat")),
        ("area-huge", "provinces.csv", lambda t: _csv_edit(t, 0, "area_km2", "1e12"), ("provinces.csv", "area_km2")),
        ("id-duplicate", "provinces.csv", lambda t: _csv_edit(t, 1, "id", "A1"), ("provinces.csv", "id")),
        ("name-duplicate", "provinces.csv", lambda t: _csv_edit(t, 1, "name", "Alpha"), ("provinces.csv", "name")),
        ("id-empty", "provinces.csv", lambda t: _csv_edit(t, 1, "id", ""), ("provinces.csv", "id")),
        (
            "capital-flag",
            "provinces.csv",
            lambda t: _csv_edit(t, 1, "is_national_capital", "yes"),
            ("provinces.csv", "is_national_capital"),
        ),
        ("missing-column", "provinces.csv", lambda t: t.replace("area_km2", "area"), ("provinces.csv", "area_km2")),
        ("empty-provinces", "provinces.csv", lambda t: "", ("provinces.csv",)),
        ("header-only", "provinces.csv", lambda t: t.splitlines()[0] + "\n", ("provinces.csv",)),
        ("binary-provinces", "provinces.csv", lambda t: "\x00\x01\x02", ("provinces.csv",)),
        ("distance-inf", "links.csv", lambda t: _csv_edit(t, 0, "distance_km", "inf"), ("links.csv", "distance_km")),
        ("distance-zero", "links.csv", lambda t: _csv_edit(t, 0, "distance_km", "0"), ("links.csv", "distance_km")),
        ("distance-absurd", "links.csv", lambda t: _csv_edit(t, 0, "distance_km", "1e9"), ("links.csv", "distance_km")),
        ("link-unknown", "links.csv", lambda t: _csv_edit(t, 0, "b", "Z9"), ("links.csv", "Z9")),
        ("link-self", "links.csv", lambda t: _csv_edit(t, 0, "b", "A1"), ("links.csv",)),
        ("link-crossing-domestic", "links.csv", lambda t: _csv_edit(t, 0, "crossing", "X1"), ("links.csv", "crossing")),
        ("disconnected", "links.csv", lambda t: "\n".join(t.splitlines()[:-1]) + "\n", ("B2",)),
        (
            "crossing-same-country",
            "crossings.csv",
            lambda t: "name,province_a,province_b\nX1,A1,A2\n",
            ("crossings.csv",),
        ),
        ("port-unknown", "ports.csv", lambda t: "province_id,port\nQ7,Nowhere\n", ("ports.csv", "Q7")),
    ]
    for ident, filename, edit, expect in edits:
        files: dict[str, str | bytes] = {f"data/{k}": v for k, v in DATASET.items()}
        files[f"data/{filename}"] = edit(DATASET[filename])
        if ident == "pop-tiny":
            yield Case(f"dataset-scenario/{ident}", ["validate", "{d}/s.yaml"], files | {"s.yaml": scenario}, expect)
            continue
        yield Case(f"dataset/{ident}", ["network", "--data", "{d}/data", "--out", "{d}/n.png"], files, expect)
        if ident in ("pop-inf", "name-duplicate", "lat-out", "distance-inf"):
            yield Case(f"dataset-scenario/{ident}", ["validate", "{d}/s.yaml"], files | {"s.yaml": scenario}, expect)
    totals = "unit,year,population,gdp_usd_m,industry_employment_share\n"
    surveys = {
        "survey-partial": (f"{totals}AAA,2019,3000000,25000,0.2\nBBB,2019,2300000,8000,\n", ("line 3", "industry")),
        "survey-unit-missing": (f"{totals}AAA,2019,3000000,25000,0.2\n", ("BBB", "industry_employment_share")),
        "survey-above-one": (
            f"{totals}AAA,2019,3000000,25000,20\nBBB,2019,2300000,8000,0.1\n",
            ("line 2", "positive number in [0, 1]"),
        ),
    }
    for ident, (text, expect) in surveys.items():
        files = {f"data/{k}": v for k, v in DATASET.items()} | {"data/national_totals.csv": text}
        yield Case(
            f"dataset/{ident}",
            ["network", "--data", "{d}/data", "--out", "{d}/n.png"],
            files,
            ("national_totals.csv", *expect),
        )
    missing = {f"data/{k}": v for k, v in DATASET.items() if k != "links.csv"}
    yield Case("dataset/no-links", ["network", "--data", "{d}/data", "--out", "{d}/n.png"], missing, ("links.csv",))
    yield Case(
        "dataset-scenario/folder-missing",
        ["validate", "{d}/s.yaml"],
        {"s.yaml": dump({"name": "d", "geography": {"folder": "nope"}})},
        ("nope",),
    )
    yield Case(
        "dataset-scenario/folder-is-file",
        ["validate", "{d}/s.yaml"],
        {"s.yaml": dump({"name": "d", "geography": {"folder": "s.yaml"}})},
        ("s.yaml",),
    )


def all_cases() -> list[Case]:
    """The whole corpus."""
    return [*scenario_cases(), *yaml_cases(), *flag_cases(), *experiment_cases(), *dataset_cases()]
