"""Print the run-measured numbers of docs/policies.md that no single ``sez-sim`` command prints.

Run one section at a time (all of them take about 10 minutes of one core):
``.venv/bin/python docs/policies_numbers.py [instruments|ablation FOLDER|growth|management|programmes|hosts|modern]``.

- ``instruments``: the instruments table's province and zone outcomes (each library scenario against the baseline,
  10 years, seeds 11-13); the GMS-wide rows and the ledgers are ``sez-sim compare``'s own output.
- ``ablation FOLDER``: the ablation table from ``sez-sim batch experiments/mechanism_ablation.yaml --out FOLDER``.
- ``growth``: the neighbours (seeds 1 and 2, with and without the mechanisms) and how far the mechanisms'
  documented ranges reach (seed 1), in the setting of tests/test_mechanisms.py.
- ``management``: one 20,000-job zone open at once at management 0.1 and 0.9, jobs after 2, 5 and 10 years.
- ``programmes``: the zones that capacity building and promotion tip (against ewec_border_sezs.yaml, 12 years,
  seeds 1-4); their ledgers are ``sez-sim compare``'s.
- ``hosts [on|off]``: every province as the host of one zone of a third of its modern jobs, with all four
  mechanisms or none (seeds 1 and 2; about 8 minutes on two cores).
- ``modern``: the modern sector's share of employment by country and the six hosts' zones, each alone, in four
  calibrations of ``economy.modern_share_survey_weight`` and ``modern_share_elasticity`` (seeds 1 and 2; about 4
  minutes on two cores).

Differences are paired (same seed) means with a t interval, as ``sez-sim compare`` reports them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sez_sim.economy.mechanisms import Mechanisms
from sez_sim.experiments.compare import interval
from sez_sim.runs import RunResult, simulate
from sez_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
sys.path.insert(0, str(ROOT / "tests"))
from test_mechanisms import HOSTS, zone_runs  # noqa: E402  (the setting the tests check, measured over ranges)


def runs(scenario: str, seeds: Sequence[int], years: float, changes: dict | None = None) -> list[RunResult]:
    """One run of a library scenario per seed."""
    sc = load_scenario(SCENARIOS / scenario, changes or {})
    return [simulate(sc, seed=s, years=years) for s in seeds]


def last(result: RunResult, table: str = "provinces") -> pd.DataFrame:
    """A run table's rows at its last step."""
    frame = getattr(result, table)
    return frame[frame["step"] == frame["step"].max()]


def new_zones(result: RunResult) -> pd.DataFrame:
    """The zones a run's policies add (empty at the start, active at some point): jobs at the end."""
    zones = result.zones
    new = zones.groupby("zone").filter(lambda z: z["jobs"].iloc[0] == 0 and z["active"].any())
    return new[new["step"] == new["step"].max()].set_index("zone")


def paired(name: str, a: Sequence[float], b: Sequence[float], fmt: str = ",.0f") -> None:
    """Print the means of paired runs and their difference with its 95% interval."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = interval(b - a)
    sig = "" if d["ci_low"] > 0 or d["ci_high"] < 0 else " n.s."
    relative = f"; relative {b.mean() / a.mean() - 1:+.2%}" if a.mean() else ""
    print(
        f"  {name}: {a.mean():{fmt}} -> {b.mean():{fmt}}, {d['mean']:+{fmt}} ({d['ci_low']:+{fmt}}, "
        f"{d['ci_high']:+{fmt}}){sig}{relative}"
    )


def zone_jobs(treated: list[RunResult]) -> list[str]:
    """Per new zone: mean jobs and each replicate's, and its host province ids."""
    frames = [new_zones(r) for r in treated]
    print(f"  jobs in the {len(frames[0])} new zones: {np.mean([f['jobs'].sum() for f in frames]):,.0f}")
    for zone in frames[0].index:
        jobs = [f.at[zone, "jobs"] for f in frames]
        cap = frames[0].at[zone, "capacity_jobs"]
        print(f"    {zone}: mean {np.mean(jobs):,.0f} of {cap:,.0f}; per replicate {[int(round(j, -2)) for j in jobs]}")
    return sorted(set(frames[0]["province_id"]))


def provinces_sum(results: list[RunResult], ids: Sequence[str], column: str) -> list[float]:
    """Per run: a province column summed over the listed provinces at the last step."""
    return [float(last(r).set_index("province_id").loc[list(ids), column].sum()) for r in results]


def summary_at_end(results: list[RunResult], column: str, steps: int = 1) -> list[float]:
    """Per run: a summary column averaged over the last ``steps`` steps."""
    return [float(r.summary[column].iloc[-steps:].mean()) for r in results]


def instruments() -> None:
    """The instruments table's zone and province rows (and the GMS-wide ones, for comparison)."""
    seeds, years = (11, 12, 13), 10
    base = runs("gms_baseline.yaml", seeds, years)
    geo = base[0].model.geo
    ewec = geo.corridors.query("corridor == 'EWEC' and branch == 'main_Mawlamyine-DaNang'")["province"].unique()
    ewec_ids = geo.provinces["id"].to_numpy()[ewec]
    country = geo.provinces.set_index("id")["country"]
    for scenario in (
        "ewec_border_sezs",
        "capital_sezs",
        "cbez_pairs",
        "ossc_rollout",
        "corridor_upgrades",
        "open_labour_mobility",
    ):
        print(f"{scenario} (against the baseline, seeds {seeds}, {years} years)")
        treated = runs(f"{scenario}.yaml", seeds, years)
        if scenario in ("ewec_border_sezs", "capital_sezs", "cbez_pairs"):
            hosts = zone_jobs(treated)
            paired(
                f"GDP of the {len(hosts)} hosts (US$ m)",
                provinces_sum(base, hosts, "gdp"),
                provinces_sum(treated, hosts, "gdp"),
            )
            paired(
                "foreign firm agents in the hosts",
                provinces_sum(base, hosts, "firms_foreign"),
                provinces_sum(treated, hosts, "firms_foreign"),
            )
            for host in hosts:
                gain = np.mean(provinces_sum(treated, [host], "gdp")) / np.mean(provinces_sum(base, [host], "gdp")) - 1
                print(f"    GDP of {host}: {gain:+.1%}")
        if scenario == "cbez_pairs":
            paired("commuters", summary_at_end(base, "commuters"), summary_at_end(treated, "commuters"))
        if scenario == "ossc_rollout":
            for c in ("KHM", "LAO", "MMR"):
                ids = country.index[country == c]
                paired(f"firm agents in {c}", provinces_sum(base, ids, "firms"), provinces_sum(treated, ids, "firms"))
        if scenario == "corridor_upgrades":
            paired(
                f"GDP of the {len(ewec_ids)} EWEC main-branch provinces (US$ m)",
                provinces_sum(base, ewec_ids, "gdp"),
                provinces_sum(treated, ewec_ids, "gdp"),
            )
        if scenario == "open_labour_mobility":
            paired(
                "cross-border migrants a quarter, last year",
                summary_at_end(base, "cross_border_migrants", 4),
                summary_at_end(treated, "cross_border_migrants", 4),
            )
        paired(
            "foreign firm agents (GMS)", summary_at_end(base, "firms_foreign"), summary_at_end(treated, "firms_foreign")
        )
        for column in ("theil_t_between", "theil_t_within", "border_gdp_share"):
            paired(column, summary_at_end(base, column), summary_at_end(treated, column), fmt=".4f")


def ablation(folder: str) -> None:
    """Each combination's effect: host GDP with the zones over without, same switches and seed."""
    table = Path(folder) / "runs.parquet"
    if not table.is_file():
        raise SystemExit(f"{table}: missing; run sez-sim batch experiments/mechanism_ablation.yaml --out {folder}")
    runs_ = pd.read_parquet(table).rename(columns=lambda c: c.removeprefix("factor:"))
    switches = [c for c in runs_.columns if c.startswith("mechanisms.")]
    hosts = [c for c in runs_.columns if c.endswith("_gdp") and c != "gms_gdp"]
    runs_["zones"] = runs_["policies"] != "[]"
    keys = [*switches, "replicate"]
    with_, without = (runs_[runs_["zones"] == z].set_index(keys) for z in (True, False))
    effect = (with_[hosts] / without[hosts] - 1).reset_index()
    rows = []
    for combo, grp in effect.groupby(switches):
        on = [s.split(".")[1] for s, v in zip(switches, combo, strict=True) if v]
        idx = grp.set_index(keys).index
        theil = (
            with_.loc[idx, ["theil_between", "theil_within"]] - without.loc[idx, ["theil_between", "theil_within"]]
        ).mean() * 1e4
        gms = (with_.loc[idx, "gms_gdp"] / without.loc[idx, "gms_gdp"] - 1).mean()
        values = grp[hosts].to_numpy()
        rows.append(
            (
                len(on),
                ", ".join(on) or "none",
                values.mean(),
                values.min(),
                values.max(),
                theil["theil_between"],
                theil["theil_within"],
                gms,
                dict(zip(hosts, grp[hosts].mean().round(4), strict=True)),
            )
        )
    for n, on, mean, low, high, tb, tw, gms, per_host in sorted(rows, key=lambda r: (-r[0] % 5, r[1])):
        print(
            f"{on}: host GDP {mean:+.2%} ({low:+.1%} to {high:+.1%}); Theil x1e4 {tb:+.1f} / {tw:+.1f}; "
            f"GMS GDP {gms:+.3%}"
        )
        if n == 4:
            print("   per host:", per_host)
    for col in ("rayong_wage", "phnom_penh_wage"):
        w = (with_[col] / without[col] - 1).xs(tuple([True] * len(switches)), level=switches).mean()
        print(f"{col} with all four on: {w:+.2%}")


def growth() -> None:
    """Neighbours by distance with and without the mechanisms, and the mechanisms' ranges."""
    for seed in (1, 2):
        for label, mech in (("on", Mechanisms()), ("off", Mechanisms.none())):
            r = zone_runs(mech, seed)
            print(
                f"seed {seed}, mechanisms {label}: neighbours within 75 km / 75-150 km / beyond 300 km "
                f"{[f'{x:+.2%}' for x in r['neighbours']]}; host GDP mean {r['gdp'].mean():+.2%}; "
                f"occupancy {np.round(r['occupancy'], 2).tolist()}"
            )
    ends = {
        "agglomeration_elasticity": 0.08,
        "learning_gain": 0.26,
        "capital_share": 0.35,
        "capital_elasticity": 0.06,
        "land_elasticity": 0.2,
    }
    settings: list[tuple[str, dict]] = [
        ("defaults", {}),
        ("agglomeration 0.08", {"agglomeration_elasticity": 0.08}),
        ("learning 0.26", {"learning_gain": 0.26}),
        ("capital's share 0.15", {"capital_share": 0.15}),
        ("capital's share 0.35", {"capital_share": 0.35}),
        ("capital elasticity 0.06", {"capital_elasticity": 0.06}),
        ("land 0.2", {"land_elasticity": 0.2}),
        ("subsistence 2500", {"subsistence": 2500.0}),
        ("all four ends", ends),
    ]
    for label, economy in settings:
        r = zone_runs(Mechanisms(), 1, economy)
        per_host = ", ".join(f"{h} {g:+.1%}" for h, g in zip(HOSTS, r["gdp"], strict=True))
        print(f"{label}: host GDP mean {r['gdp'].mean():+.2%} ({per_host})")


def management() -> None:
    """One zone open at once, at management 0.1 and 0.9, in four hosts and two seeds."""
    for province in ("Champasak", "Phnom Penh", "Thanh Hoa", "Kampot"):
        for m in (0.1, 0.9):
            cells = []
            for seed in (1, 2):
                policy = {
                    "type": "sez",
                    "province": province,
                    "capacity_jobs": 20000,
                    "phase_in": 0,
                    "management": m,
                    "name": "trial zone",
                }
                r = simulate(
                    load_scenario(SCENARIOS / "gms_baseline.yaml", {"policies": [policy]}), seed=seed, years=10
                )
                z = r.zones[r.zones["zone"] == "trial zone"].set_index("year")["jobs"]
                start = z.index.min()
                cells.append([int(round(z.loc[start + y], -2)) for y in (2, 5, 10)])
            print(f"{province}, management {m}: jobs after 2, 5, 10 years, seeds 1 and 2: {cells}")


def programmes() -> None:
    """Each new zone's jobs per replicate without and with capacity building or promotion."""
    seeds, years = (1, 2, 3, 4), 12
    base = [new_zones(r) for r in runs("ewec_border_sezs.yaml", seeds, years)]
    for scenario in ("capacity_building", "twin_promotion"):
        treated = [new_zones(r) for r in runs(f"{scenario}.yaml", seeds, years)]
        print(f"{scenario} against ewec_border_sezs, seeds {seeds}, {years} years: jobs per replicate")
        for zone in base[0].index:
            print(
                f"  {zone}: {[int(round(f.at[zone, 'jobs'], -2)) for f in base]} -> "
                f"{[int(round(f.at[zone, 'jobs'], -2)) for f in treated]}"
            )


HOST_SEEDS, HOST_YEARS = (1, 2), 15
"""Seeds and years of the every-host scan (the ablation's setting: zones from 2020, 15 years)."""


def host_run(
    task: tuple[int, str | None, float, bool] | tuple[int, str | None, float, bool, dict],
) -> tuple[int, str | None, np.ndarray, float]:
    """One run of a host scan: ``(seed, host, capacity, mechanisms on[, economy])`` -> provinces' GDP, occupancy.

    ``economy`` overrides economy parameters (none by default).
    """
    from sez_sim.model import ModelConfig, SEZModel, resolve_params
    from sez_sim.policies import BY_TYPE

    seed, host, capacity, on, *economy = task
    zone = {"province": host, "capacity_jobs": capacity, "management": 1.0, "start_year": 2020}
    config = ModelConfig(
        seed=seed,
        mechanisms=Mechanisms() if on else Mechanisms.none(),
        policies=[] if host is None else [BY_TYPE["sez"](**zone)],
        params=resolve_params("gms", {"economy": economy[0] if economy else {}}),
    )
    model = SEZModel(config).run(years=HOST_YEARS)
    occupancy = float(model.zone_accounts["occupancy"][-1]) if host is not None else np.nan
    return seed, host, model.accounts["gdp"].copy(), occupancy


def hosts(switch: str = "on") -> None:
    """Every province as the host of one well-run zone of a third of its modern jobs, alone, against no zone.

    The ablation's setting (management 1.0, from 2020, 15 years), with all four mechanisms (``on``) or none
    (``off``), seeds 1 and 2; 458 runs, about 8 minutes on two cores. The zone is a third of the modern jobs of the
    calibration the runs share (with capital's share under the capital mechanism, fewer). Prints the host GDP effects
    by the host's modern share of GDP at the start (with the direct bound, a third of that share times 1 - 1 / (psi
    k), psi k a modern worker's value added over traditional earnings: 2.25 without capital, 3 with it) and by
    country.
    """
    from multiprocessing import Pool

    from scipy import stats

    from sez_sim.economy.calibration import modern_value_added
    from sez_sim.model import ModelConfig, SEZModel, resolve_params

    on = switch == "on"
    mechanisms = Mechanisms() if on else Mechanisms.none()
    start = SEZModel(ModelConfig(seed=HOST_SEEDS[0], mechanisms=mechanisms, params=resolve_params("gms", {})))
    provinces, econ = start.geo.provinces, start.params["economy"]
    rate = econ["employment_rate"]
    value_added = econ["modern_wage_premium"] * modern_value_added(
        econ["sigma"], econ["fixed_labour_share"], start.market.capital_share
    )
    # Hosts are grouped by their modern share with every mechanism on, in both settings, so the rows compare.
    grouping = start if on else SEZModel(ModelConfig(seed=HOST_SEEDS[0], mechanisms=Mechanisms()))
    share = grouping.equilibrium.revenue / grouping.equilibrium.gdp
    capacity = np.round(start.accounts["workers_m"] * rate / 3, -2)
    tasks = [(seed, None, 0.0, on) for seed in HOST_SEEDS]
    tasks += [(seed, pid, float(capacity[i]), on) for i, pid in enumerate(provinces["id"]) for seed in HOST_SEEDS]
    with Pool(2) as pool:
        done = pool.map(host_run, tasks, chunksize=4)
    base = {seed: gdp for seed, host, gdp, _ in done if host is None}
    rows = []
    for seed, host, gdp, occupancy in done:
        if host is not None:
            i = start.geo.index_of(host)
            rows.append((host, provinces["country"].iat[i], share[i], gdp[i] / base[seed][i] - 1, occupancy))
    table = pd.DataFrame(rows, columns=["host", "country", "share", "effect", "occupancy"])
    table = table.groupby(["host", "country"], as_index=False).mean()
    own_share = (start.equilibrium.revenue / start.equilibrium.gdp)[[start.geo.index_of(h) for h in table["host"]]]
    table["bound"] = own_share / 3 * (1 - 1 / value_added)
    effect = table["effect"]
    print(
        f"mechanisms {switch}: host GDP {effect.mean():+.1%} on average (median {effect.median():+.1%}, "
        f"{effect.min():+.1%} to {effect.max():+.1%}); {int(effect.between(0.1, 0.3).sum())} of {len(table)} hosts "
        f"within 10-30%; effect over the direct bound: median {(effect / table['bound']).median():.2f}; rank "
        f"correlation with the modern share {stats.spearmanr(effect, table['share'])[0]:.2f}; zones at least 60% "
        f"full: {int((table['occupancy'] >= 0.6).sum())}"
    )
    bins = pd.cut(table["share"], [0, 0.15, 0.2, 0.3, 0.4, 0.6, 1.0])
    for interval_, grp in table.groupby(bins, observed=True):
        print(
            f"  modern share {interval_}: {len(grp)} hosts, effect {grp['effect'].mean():+.1%} "
            f"({grp['effect'].min():+.1%} to {grp['effect'].max():+.1%}), direct bound {grp['bound'].mean():+.1%}"
        )
    for country, grp in table.groupby("country"):
        print(
            f"  {country}: {len(grp)} hosts, effect {grp['effect'].mean():+.1%} (max {grp['effect'].max():+.1%}), "
            f"{int(grp['effect'].between(0.1, 0.3).sum())} within 10-30%"
        )
    alone = table.set_index("host")["effect"]
    six = [f"{h} {alone[provinces['id'].iat[start.geo.index_of(h)]]:+.1%}" for h in HOSTS]
    print("  the ablation's six hosts, each zone alone: " + ", ".join(six))


MODERN_SETTINGS = (
    {"modern_share_survey_weight": 1.0, "modern_share_elasticity": 0.8},
    {"modern_share_survey_weight": 1.0, "modern_share_elasticity": 0.4},
    {"modern_share_survey_weight": 1.0, "modern_share_elasticity": 1.2},
    {"modern_share_survey_weight": 0.0, "modern_share_elasticity": 0.8},
)
"""``economy`` settings of :func:`modern`: the defaults (countries' levels from their surveys), a flatter and a
steeper gradient within countries, and one GMS-wide rule by income."""


def modern() -> None:
    """How the modern sector's spread over provinces decides the six hosts' effects.

    For each of :data:`MODERN_SETTINGS`, with every mechanism on: the modern share of employment by country (or
    Chinese province) and the six hosts' modern share of GDP at the start, then each host's zone (a third of its
    modern jobs in that calibration, management 1.0, from 2020) alone against no zone, seeds 1 and 2, 15 years (56
    runs, about 4 minutes on two cores).
    """
    from multiprocessing import Pool

    from sez_sim.model import ModelConfig, SEZModel, resolve_params

    tasks, starts = [], {}
    for number, economy in enumerate(MODERN_SETTINGS):
        params = resolve_params("gms", {"economy": economy})
        start = SEZModel(ModelConfig(seed=HOST_SEEDS[0], mechanisms=Mechanisms(), params=params))
        starts[number] = start
        jobs = start.accounts["workers_m"] * start.params["economy"]["employment_rate"]
        for seed in HOST_SEEDS:
            tasks.append((seed, None, 0.0, True, economy))
            tasks += [
                (seed, host, float(np.round(jobs[start.geo.index_of(host)] / 3, -2)), True, economy) for host in HOSTS
            ]
    with Pool(2) as pool:
        done = iter(pool.map(host_run, tasks, chunksize=2))
    for number, start in starts.items():
        provinces = start.geo.provinces
        people = (
            pd.DataFrame(
                {"unit": provinces["unit"], "modern": start.accounts["workers_m"], "all": provinces["population"]}
            )
            .groupby("unit")[["modern", "all"]]
            .sum()
        )
        share = start.equilibrium.revenue / start.equilibrium.gdp
        effects = {host: [] for host in HOSTS}
        for _ in HOST_SEEDS:
            base = next(done)[2]
            for host in HOSTS:
                i = start.geo.index_of(host)
                effects[host].append(next(done)[2][i] / base[i] - 1)
        mean = {host: float(np.mean(e)) for host, e in effects.items()}
        setting = ", ".join(f"{key} {value}" for key, value in MODERN_SETTINGS[number].items())
        print(
            f"{setting}: modern share of employment "
            + ", ".join(f"{c} {v:.1%}" for c, v in (people["modern"] / people["all"]).items())
        )
        print("  hosts' modern share of GDP " + ", ".join(f"{h} {share[start.geo.index_of(h)]:.2f}" for h in HOSTS))
        print(
            "  each zone alone: "
            + ", ".join(f"{h} {v:+.1%}" for h, v in mean.items())
            + f"; mean {np.mean(list(mean.values())):+.1%}; "
            + f"{sum(0.1 <= v <= 0.3 for v in mean.values())} of 6 in 10-30%"
        )


SECTIONS: dict[str, Callable[..., None]] = {
    "instruments": instruments,
    "ablation": ablation,
    "growth": growth,
    "management": management,
    "programmes": programmes,
    "hosts": hosts,
    "modern": modern,
}

if __name__ == "__main__":
    name, *args = sys.argv[1:] or ["instruments"]
    SECTIONS[name](*args)
