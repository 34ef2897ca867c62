"""Figures: labels on the maps never overlap, the most important ones are kept, and nothing is cut off."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sez_sim.policies.base import Places  # noqa: E402
from sez_sim.runs import simulate  # noqa: E402
from sez_sim.scenario import load_scenario  # noqa: E402
from sez_sim.viz import figures  # noqa: E402
from sez_sim.viz.maps import DROPPED_COLOUR, POLICY_COLOUR, place_labels  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_labels_of_crowded_points_do_not_overlap_and_the_first_are_kept():
    rng = np.random.default_rng(3)
    fig, ax = plt.subplots(figsize=(5, 4))
    points = np.vstack([rng.normal(0, 0.05, size=(12, 2)), rng.uniform(-3, 3, size=(20, 2))])  # a cluster, then spread
    ax.scatter(points[:, 0], points[:, 1])
    ax.set_xlim(-4, 4)
    ax.set_ylim(-4, 4)
    texts = [f"province number {k} +{k}.0%" for k in range(len(points))]
    placed = place_labels(ax, points, texts, fontsize=7)
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in placed]
    assert all(not a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    shown = [label.get_text() for label in placed]
    assert shown[0] == texts[0] and 0 < len(placed) < len(points)  # the cluster cannot hold all its labels
    assert shown == [t for t in texts if t in shown]  # in the order given: a label is dropped, never moved ahead
    assert len(ax.texts) == len(placed)  # labels without room leave nothing behind
    plt.close(fig)


def test_labels_stay_inside_the_axes_turning_left_at_the_right_edge():
    """A long name next to the frame (Wenshan Zhuang and Miao Autonomous Prefecture, by the colour bar) is placed
    to the left of its point, or left out, never across the frame."""
    rng = np.random.default_rng(5)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    points = np.column_stack([rng.uniform(8.5, 9.9, 12), rng.uniform(0.2, 9.8, 12)])
    texts = [f"Wenshan Zhuang and Miao Autonomous Prefecture {k} +2.5%" for k in range(12)]
    placed = place_labels(ax, points, texts, fontsize=7)
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    boxes = [label.get_window_extent(renderer) for label in placed]
    plt.close(fig)
    assert placed and all(
        frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes
    )
    assert all(label.get_horizontalalignment() == "right" for label in placed)  # none fits to the right


FIGURES = ["gdp_change_map", "inequality", "migration_map", "zone_occupancy"]


SMALL_DATASET = {
    "provinces.csv": "id,name,country,lat,lon,population,gdp_usd_m,area_km2,is_national_capital\n"
    "A1,Alpha,AAA,-15.0,100.0,2000000,20000,5000,1\nA2,Beta,AAA,-15.5,101.0,800000,4000,8000,0\n"
    "A3,Gamma,AAA,-16.0,102.0,500000,2000,9000,0\nB1,Delta,BBB,-16.2,103.0,600000,1500,7000,0\n"
    "B2,Epsilon,BBB,-17.0,104.0,1500000,6000,4000,1\n",
    "links.csv": "a,b,distance_km\nA1,A2,130\nA2,A3,120\nA3,B1,110\nB1,B2,140\n",
}
"""A custom dataset of five provinces south of the equator: latitude ticks such as -16.75, longer than the GMS's."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Short runs of the GMS model, the teaching corridor and a small custom dataset: the sizes the figures take."""
    coarse = {"agents.persons_per_agent": 4000, "agents.firms.count": 3000}
    folder = tmp_path_factory.mktemp("dataset")
    for name, text in SMALL_DATASET.items():
        (folder / name).write_text(text)
    small = {"name": "small", "geography": {"folder": str(folder)}, "agents": {"firms": {"count": 2000}}}
    small["policies"] = [{"type": "sez", "province": "Gamma", "start_year": 2019}]
    return [
        simulate(load_scenario(ROOT / "scenarios/gms_baseline.yaml", coarse), years=1.0),
        simulate(load_scenario(ROOT / "scenarios/teaching/line_corridor.yaml"), years=1.0),
        simulate(load_scenario(small), years=1.0),
    ]


@pytest.mark.parametrize("name", FIGURES)
def test_run_figures_keep_every_text_inside_and_clear_of_other_axes(runs, name, tmp_path, monkeypatch):
    """The figures' fixed margins hold their titles, labels, tick labels, legends and colour bars at both sizes."""
    drawn = []
    monkeypatch.setattr(figures, "save_png", lambda fig, path: drawn.append(fig))
    for result in runs:
        getattr(figures, name)(result, tmp_path / "figure.png")
    for fig in drawn:
        assert_inside_and_apart(fig, name)


@pytest.fixture(scope="module")
def small_pair(tmp_path_factory):
    """The small custom dataset for two years with and without a zone in Gamma from 2020, on the same seed."""
    folder = tmp_path_factory.mktemp("pair")
    for name, text in SMALL_DATASET.items():
        (folder / name).write_text(text)
    base = {"name": "small", "geography": {"folder": str(folder)}, "agents": {"firms": {"count": 2000}}}
    zone = {**base, "name": "small_zone", "policies": [{"type": "sez", "province": "Gamma", "start_year": 2020}]}
    return simulate(load_scenario(zone), seed=3, years=2.0), simulate(load_scenario(base), seed=3, years=2.0)


def test_the_gdp_map_against_a_baseline_shows_the_policy_effect(small_pair, runs, tmp_path, monkeypatch):
    """Against a paired baseline the map shows the run's end over the baseline's: both start from the same data,
    so it is the run's change over the baseline's change; against itself, nothing. Other geographies or ends are
    refused, and the paired map's texts fit as the plain one's do."""
    policy, base = small_pair
    effect = figures.gdp_per_capita_change(policy, base) / 100
    over_run, over_base = (figures.gdp_per_capita_change(r) / 100 for r in small_pair)
    np.testing.assert_allclose(effect, (1 + over_run) / (1 + over_base) - 1, atol=1e-12)
    assert np.abs(effect).max() > 0 and np.all(figures.gdp_per_capita_change(base, base) == 0)
    with pytest.raises(ValueError, match="another geography"):
        figures.gdp_per_capita_change(policy, runs[1])
    shorter = simulate(policy.scenario, seed=3, years=1.0)
    with pytest.raises(ValueError, match="ends at step 4, the run at step 8"):
        figures.gdp_per_capita_change(policy, shorter)
    drawn = []
    monkeypatch.setattr(figures, "save_png", lambda fig, path: drawn.append(fig))
    figures.gdp_change_map(policy, tmp_path / "effect.png", baseline=base)
    assert drawn[0].axes[0].get_title().startswith("small_zone against small: GDP per capita in 2021")
    assert_inside_and_apart(drawn[0], "gdp_change_map")


def hexes(collection) -> set[str]:
    """The colours a collection draws with, its edges' and faces', as hex."""
    drawn = [*collection.get_edgecolor(), *collection.get_facecolor()]
    return {mcolors.to_hex(x) for x in mcolors.to_rgba_array(drawn)}


POLICY_MIX = [
    {"type": "sez", "province": "Tak"},
    {"type": "capacity_building", "zones": ["Tak SEZ"]},
    {"type": "port", "province": "Tanintharyi"},
    {"type": "corridor_upgrade", "corridor": "SEC"},
    {"type": "border_facilitation", "crossings": ["Mohan-Boten"]},
    {"type": "ossc", "provinces": ["Kampot"], "countries": ["LAO"]},
    {"type": "migration_regime", "countries": ["THA", "MMR"], "barrier": 0.5},
    {"type": "corporate_tax", "country": "KHM", "rate": 0.1},
    {"type": "fdi_inflow", "multiplier": 1.5},
]
"""One policy of each kind of place: a zone, the programme serving it, a port, links, a crossing, provinces and
whole countries, a border, the region."""


def test_the_gdp_map_marks_where_each_policy_acts_and_names_the_rest(tmp_path, monkeypatch):
    """Stars above new zones' hosts, squares left of ports, the upgraded links, a cross on the crossing, rings on the
    provinces and served zones' hosts; country-wide, border and region-wide policies named in the legend. Against
    a baseline with some of the same policies, only the others are marked."""
    coarse = {"agents.persons_per_agent": 4000, "agents.firms.count": 3000}
    scenario = load_scenario(ROOT / "scenarios/gms_baseline.yaml", coarse | {"policies": POLICY_MIX})
    result = simulate(scenario, years=0.25)
    geo = result.model.geo
    drawn = []
    monkeypatch.setattr(figures, "save_png", lambda fig, path: drawn.append(fig))
    figures.gdp_change_map(result, tmp_path / "map.png")
    ax = drawn[0].axes[0]
    legend = [" ".join(t.get_text().split()) for t in ax.get_legend().get_texts()]
    assert legend == [
        "upgraded link",
        "cheaper crossing",
        "capacity building, ossc",
        "new zone",
        "port",
        "ossc (LAO); migration regime (THA-MMR); corporate tax (KHM); fdi inflow (everywhere)",
    ]
    points = geo.provinces[["lon", "lat"]].to_numpy(float)
    marked = [c for c in ax.collections if POLICY_COLOUR in hexes(c)]
    links, crossing, rings, star, port = marked
    assert len(links.get_segments()) == len(geo.corridor_links("SEC"))
    ends = geo.crossings[["ia", "ib"]].to_numpy(int)[geo.crossing_of("Mohan-Boten")]
    np.testing.assert_allclose(crossing.get_offsets(), [points[ends].mean(axis=0)])
    ringed = sorted(geo.index_of(p) for p in ("Kampot", "Tak"))
    np.testing.assert_allclose(rings.get_offsets(), points[ringed])
    (tak,), (port_at,) = star.get_offsets(), port.get_offsets()
    here, there = points[geo.index_of("Tak")], points[geo.index_of("Tanintharyi")]
    assert (
        tak[0] == here[0] and 0 < tak[1] - here[1] < 0.5 and port_at[1] == there[1] and 0 < there[0] - port_at[0] < 0.5
    )
    assert_inside_and_apart(drawn[0], "gdp_change_map")

    half = simulate(
        load_scenario(ROOT / "scenarios/gms_baseline.yaml", coarse | {"name": "half", "policies": POLICY_MIX[2:]}),
        years=0.25,
    )
    figures.gdp_change_map(result, tmp_path / "effect.png", baseline=half)
    legend = drawn[1].axes[0].get_legend()
    # The zone and its programme, in purple; the rest is in both runs.
    assert [t.get_text() for t in legend.get_texts()] == ["capacity building", "new zone"]
    assert legend.get_title().get_text() == "purple: only in gms_baseline"
    assert_inside_and_apart(drawn[1], "gdp_change_map")
    figures.gdp_change_map(half, tmp_path / "back.png", baseline=result)  # the other way round: they are grey
    legend = drawn[2].axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["capacity building", "new zone"]
    assert legend.get_title().get_text() == "grey: only in gms_baseline"
    grey = [c for c in drawn[2].axes[0].collections if DROPPED_COLOUR in hexes(c)]
    assert len(grey) == 2 and not [c for c in drawn[2].axes[0].collections if POLICY_COLOUR in hexes(c)]
    plt.close(drawn[2])


@pytest.mark.parametrize("scenario", ["gms_baseline.yaml", "teaching/line_corridor.yaml"])
def test_the_comparisons_effect_map_rings_what_is_beyond_the_noise_and_keeps_its_texts_inside(
    scenario, tmp_path, monkeypatch
):
    """`sez-sim compare`'s effect map (figures/effect_map.png): provinces whose interval excludes zero are ringed
    and labelled first; its three-line title fits at both sizes."""
    from sez_sim.experiments import compare
    from sez_sim.viz.experiments import effect_map

    coarse = ["agents.persons_per_agent=4000", "agents.firms.count=3000", "run.years=1"]
    base = load_scenario(ROOT / "scenarios" / scenario, [*coarse, "policies=[]"])
    zone = {"type": "sez", "province": base.build_geography().provinces["name"].iat[1], "start_year": 2019}
    result = compare(base, load_scenario(ROOT / "scenarios" / scenario, [*coarse, f"policies=[{zone}]"]), replicates=3)
    # A year is too short for effects beyond the noise everywhere: two provinces' intervals are set to exclude 0.
    shown = result.provinces
    rows = shown.index[(shown["outcome"] == "gdp_per_capita") & shown["province_id"].isin(shown["province_id"][[0, 3]])]
    shown.loc[rows, ["ci_low", "ci_high"]] = [[0.001, 0.002], [-0.002, -0.001]]
    shown.loc[rows, "beyond_noise"] = True
    shown.loc[rows, "beyond_noise_fdr"] = [True, False]  # one of them also holds at the false discovery rate
    drawn = []
    monkeypatch.setattr(figures, "save_png", lambda fig, path: drawn.append(fig))
    effect_map(result, tmp_path / "effect.png")
    fig = drawn[0]
    effect = shown[shown["outcome"] == "gdp_per_capita"]
    beyond = ((effect["ci_low"] > 0) | (effect["ci_high"] < 0)).to_numpy()
    markers = next(c for c in fig.axes[0].collections if c.get_gid() == "provinces")
    widths = np.asarray(markers.get_linewidths())
    assert np.array_equal(widths > 1, beyond) and beyond[[0, 3]].all()
    assert np.array_equal(widths > 2, effect["beyond_noise_fdr"].to_numpy()) and widths[0] > 2 and widths[3] < 2
    labelled = {t.get_text().rsplit(" ", 1)[0] for t in fig.axes[0].texts}
    assert set(effect["name"][beyond]) <= labelled
    title = " ".join(fig.axes[0].get_title().split())
    assert "black rings" in title and "thick ones also at a 5% false discovery rate" in title
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["new zone"]  # B's zone, where it is
    assert result.policies == [("sez", Places(zones=(1,)))] and result.dropped == []
    assert_inside_and_apart(fig, "effect_map")
    # The modern workers' map (figures/workers_map.png): an undefined change (none in A) is neither coloured nor
    # labelled, whatever its rings.
    rows = shown.index[(shown["outcome"] == "workers_m") & shown["province_id"].isin(shown["province_id"][[0, 3]])]
    shown.loc[rows, ["relative", "beyond_noise", "beyond_noise_fdr"]] = [[np.nan, False, False], [0.05, True, True]]
    effect_map(result, tmp_path / "workers.png", "workers_m")
    fig = drawn[1]
    workers = shown[shown["outcome"] == "workers_m"]
    labelled = {t.get_text().rsplit(" ", 1)[0] for t in fig.axes[0].texts}
    assert workers["name"].iat[3] in labelled and workers["name"].iat[0] not in labelled
    assert "nan" not in " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "modern workers in" in " ".join(fig.axes[0].get_title().split())
    assert_inside_and_apart(fig, "workers_map")


def assert_inside_and_apart(fig, name):
    """Every text of ``fig`` is inside it, and no axes' texts run over another axes; then close it."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside = fig.bbox.padded(1.0)
    # An axes' tight box holds what it draws: title, axis labels, the tick labels in view, legend, annotations.
    boxes = {ax.get_title() or ax.get_ylabel() or ax.get_xlabel(): ax.get_tightbbox(renderer) for ax in fig.axes}
    boxes |= {t.get_text(): t.get_window_extent(renderer) for t in fig.texts if t.get_visible()}
    if fig._suptitle is not None:
        boxes[fig._suptitle.get_text()] = fig._suptitle.get_window_extent(renderer)
    for what, box in boxes.items():
        assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), (name, what, box, fig.bbox)
    for a, b in itertools.permutations(fig.axes, 2):
        assert not a.get_tightbbox(renderer).padded(-1.0).overlaps(b.bbox), (name, a.get_title(), b.get_title())
    plt.close(fig)


@pytest.mark.parametrize(("start", "years"), [(2019, 0.5), (2019, 1), (2019, 3.25), (2019, 20), (2020, 80)])
def test_year_axes_tick_whole_years(start, years):
    from sez_sim.viz.axes import year_axis

    fig, ax = plt.subplots()
    quarters = start + np.arange(int(years * 4) + 1) / 4
    ax.plot(quarters, np.sin(quarters))
    year_axis(ax)
    fig.canvas.draw()
    ticks, labels = ax.get_xticks(), [t.get_text() for t in ax.get_xticklabels()]
    offset = ax.xaxis.get_offset_text().get_text()
    plt.close(fig)
    assert ax.get_xlabel() == "year" and not offset
    assert [float(label) for label in labels] == pytest.approx(list(ticks)), labels  # calendar years, as they are
    if years >= 2:  # whole years, every 1, 2, 5, 10 or 20 of them (a shorter run keeps fractions of a year)
        assert all(label.isdigit() for label in labels), labels
        assert len(set(np.diff(ticks))) == 1 and set(np.diff(ticks)) <= {1.0, 2.0, 5.0, 10.0, 20.0}


def test_on_a_map_coloured_by_value_no_corridor_takes_a_colour_of_the_scale():
    """EWEC drawn red and NSEC blue read as a fall and a rise on a red-blue map of changes."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_hex

    from sez_sim.geography import load_gms
    from sez_sim.viz.maps import CORRIDOR_COLOURS, CORRIDOR_NEUTRAL, draw_base

    geo = load_gms()
    colours = {}
    for values in (None, np.linspace(-3.0, 3.0, geo.n)):
        fig, ax = plt.subplots()
        draw_base(geo, ax, node_values=values)
        thick = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_linewidth()[0] > 1.0]
        colours[values is None] = {to_hex(c.get_edgecolor()[0], keep_alpha=False) for c in thick}
        plt.close(fig)
    assert colours[True] == set(CORRIDOR_COLOURS.values())  # the network map tells the corridors apart
    assert colours[False] == {CORRIDOR_NEUTRAL}


def test_zone_names_in_the_legend_are_shortened_at_a_word(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import pandas as pd

    names = ["Mengla (Mohan) Key Development and Opening Experimental Zone", "Kanchanaburi Special Economic Zone"]
    zones = pd.DataFrame(
        [
            {"zone": n, "step": k, "year": 2019 + k / 4, "jobs": 1000.0 * (k + 1) * (j + 1), "capacity_jobs": 2e4}
            for k in range(8)
            for j, n in enumerate(names)
        ]
    )
    drawn = []
    monkeypatch.setattr(figures, "save_png", lambda fig, path: drawn.append(fig))
    figures.zone_occupancy(SimpleNamespace(zones=zones, scenario=SimpleNamespace(name="s")), tmp_path / "zones.png")
    labels = sorted(t.get_text() for t in drawn[0].axes[1].get_legend().get_texts())
    plt.close(drawn[0])
    assert labels == ["Kanchanaburi Special Economic Zone", "Mengla (Mohan) Key Development and…"]


def test_the_zones_shown_are_those_that_gained_most_at_their_peak_and_the_legend_is_below_them(tmp_path, monkeypatch):
    """A zone that filled and emptied again is shown; one that never gained is not; the legend covers no line."""
    from types import SimpleNamespace

    import pandas as pd

    paths = {
        "filled and emptied": [0, 800, 900, 0, 0, 0],
        "grew": [100, 200, 300, 400, 500, 600],
        "steady": [5000] * 6,
        "shrank": [3000, 2000, 1000, 1000, 1000, 1000],
    }
    zones = pd.DataFrame(
        [
            {"zone": z, "step": k, "year": 2019 + k / 4, "jobs": float(jobs), "capacity_jobs": 2e4}
            for z, path in paths.items()
            for k, jobs in enumerate(path)
        ]
    )
    drawn = []
    monkeypatch.setattr(figures, "save_png", lambda fig, path: drawn.append(fig))
    figures.zone_occupancy(SimpleNamespace(zones=zones, scenario=SimpleNamespace(name="s")), tmp_path / "zones.png")
    fig = drawn[0]
    right = fig.axes[1]
    legend = right.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["filled and emptied", "grew"]  # most gained first
    fig.canvas.draw()
    box, panel = legend.get_window_extent(), right.get_window_extent()
    assert box.y1 < panel.y0 and box.y0 > 0  # under the panel, inside the figure
    plt.close(fig)


# ------------------------------------------------------------------------------------------ batch figures
def batch_outcomes(design, factors, runs, monkeypatch):
    """Draw a batch's outcomes figure for ``runs`` and return it (not saved)."""
    import json
    from types import SimpleNamespace

    import pandas as pd

    from sez_sim.viz import experiments

    drawn = []
    monkeypatch.setattr(experiments, "save_png", lambda fig, path: drawn.append(fig))
    frame = pd.DataFrame(runs)
    for column in [c for c in frame if c.startswith("factor:")]:
        frame[column] = frame[column].map(lambda v: json.dumps(v) if isinstance(v, list) else v)
    outcomes = [c for c in frame if not c.startswith("factor:") and c not in ("point", "status")]
    fakes = [SimpleNamespace(key=k) for k in factors]
    experiment = SimpleNamespace(
        name="e",
        design=design,
        factors=fakes,
        outcomes=[SimpleNamespace(name=o) for o in outcomes],
        sampled=lambda: [] if design == "grid" else fakes,
        crossed=lambda: fakes if design == "grid" else [],
    )
    experiments.batch_figures(experiment, None, frame, None, Path("unused"))
    (fig,) = drawn
    return fig, [ax for ax in fig.axes if ax.get_visible()]


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_a_sampled_design_shows_every_outcome_against_every_factor(design, monkeypatch):
    """Against the first factor only, a factor that drives an outcome was out of sight."""
    rng = np.random.default_rng(0)
    a, b, c = rng.uniform(0, 1, (3, 40))
    runs = {"point": np.arange(40), "status": "ok", "factor:x.a": a, "factor:x.b": b, "factor:x.c": c}
    runs |= {"up_with_c": 5 * c, "down_with_a": 1e6 - a}
    fig, axes = batch_outcomes(design, ["x.a", "x.b", "x.c"], runs, monkeypatch)
    assert len(axes) == 6
    grid = np.array(axes).reshape(2, 3)
    assert [ax.get_xlabel() for ax in grid[-1]] == ["x.a", "x.b", "x.c"]
    assert [ax.get_ylabel() for ax in grid[:, 0]] == ["up_with_c", "down_with_a"]
    # Each panel holds every run, at its factor's value and its outcome.
    for (row, name), (col, key) in itertools.product(enumerate(["up_with_c", "down_with_a"]), enumerate("abc")):
        (points,) = grid[row, col].collections
        np.testing.assert_array_equal(points.get_offsets(), np.column_stack([runs[f"factor:x.{key}"], runs[name]]))
    fig.canvas.draw()
    labels = [t.get_text() for t in grid[1, 0].get_yticklabels()]
    assert all("e" not in t and "+" not in t for t in labels), labels  # no offset or scientific notation
    assert_inside_and_apart(fig, "outcomes")


def test_a_grid_of_one_factor_draws_the_means_in_the_order_of_its_values(monkeypatch):
    values = [5.0, 1.0, 3.0]  # as a file may list them
    runs = {"point": [], "status": "ok", "factor:k.v": [], "y": []}
    for point, v in enumerate(values):
        for r in range(3):
            runs["point"].append(point), runs["factor:k.v"].append(v), runs["y"].append(10 * v + r)
    fig, (ax,) = batch_outcomes("grid", ["k.v"], runs, monkeypatch)
    line = ax.containers[0].lines[0]  # the errorbar's data line (its caps are lines too)
    np.testing.assert_array_equal(line.get_xdata(), [1.0, 3.0, 5.0])
    np.testing.assert_array_equal(line.get_ydata(), [11.0, 31.0, 51.0])
    assert ax.get_xlabel() == "k.v"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["runs", "mean, 95% interval"]
    assert_inside_and_apart(fig, "outcomes")


def test_a_grid_with_two_runs_a_point_draws_the_runs_and_no_interval(monkeypatch):
    """Student's t with one degree of freedom is 12.7: bars that wide hid what they summarise."""
    runs = {"point": [0, 0, 1, 1], "status": "ok", "factor:k.v": [1, 1, 2, 2], "y": [1.0, 2.0, 3.0, 5.0]}
    fig, (ax,) = batch_outcomes("grid", ["k.v"], runs, monkeypatch)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["runs", "mean"]
    assert ax.get_ylim()[1] < 6  # no bar reaches beyond the runs
    assert_inside_and_apart(fig, "outcomes")


def test_a_grid_of_several_factors_labels_each_point_by_every_factor(monkeypatch):
    policies = [[], [{"type": "sez", "province": "P03"}], [{"type": "sez", "province": "A"}] * 2 + [{"type": "ossc"}]]
    runs = {"point": [], "status": "ok", "factor:policies": [], "factor:mechanisms.capital": [], "gdp": []}
    points = list(itertools.product(policies, [True, False]))
    for point, (p, on) in enumerate(points):
        for r in range(2):
            runs["point"].append(point), runs["factor:policies"].append(p)
            runs["factor:mechanisms.capital"].append(on), runs["gdp"].append(float(point + r))
    fig, (ax,) = batch_outcomes("grid", ["policies", "mechanisms.capital"], runs, monkeypatch)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert (
        labels
        == [
            f"policies={p}, capital={on}"
            for p, on in itertools.product(["none", "sez P03", "2 sez + 1 ossc"], [True, False])
        ][::-1]
    )  # the first point at the top
    assert_inside_and_apart(fig, "outcomes")


def test_a_grid_without_factors_shows_the_replicates(monkeypatch):
    runs = {"point": [0, 0, 0], "status": "ok", "gini": [0.3, 0.31, 0.32]}
    fig, (ax,) = batch_outcomes("grid", [], runs, monkeypatch)
    (points,) = ax.collections[:1]
    assert len(points.get_offsets()) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["all runs"]
    assert_inside_and_apart(fig, "outcomes")


@pytest.mark.parametrize(
    "claim_file", ["sez_host_gdp", "border_sezs_capital_share", "sez_host_gdp_size", "zones_ramp_up"]
)
def test_claim_figures_keep_every_text_inside(claim_file, tmp_path, monkeypatch):
    """The effects figure's axis label fell below its bottom edge."""
    import pandas as pd

    from sez_sim.experiments.claims import load_claim
    from sez_sim.viz import claims

    drawn = []
    monkeypatch.setattr(claims, "save_png", lambda fig, path: drawn.append(fig))
    claim = load_claim(ROOT / f"experiments/claims/{claim_file}.yaml")
    rng = np.random.default_rng(2)
    runs = pd.DataFrame({"point": np.arange(-2, 30), "effect": rng.normal(1000, 800, 32)})
    runs["firms.discount_rate"], runs["economy.traditional_floor"] = rng.uniform(0, 0.25, 32), rng.uniform(0, 1, 32)
    runs["holds"] = runs["effect"] > 1000
    restriction = {"low": 0.01, "high": 0.2, "quasi_p": 0.01, "reproducible": True}
    answer = {
        "threshold": 7478.0,
        "defaults": {"ci_low": 764.8, "ci_high": 1225.0, "verdict": "inconclusive"},
        "hinges_on": {
            "box": {
                "restrictions": {"firms.discount_rate": restriction},
                "coverage": 1.0,
                "density": 0.97,
                "reproducible": True,
            },
            "importance": {"firms.discount_rate": 0.6, "economy.traditional_floor": 0.4},
        },
    }
    years = np.arange(2019, 2034, 0.25)
    series = pd.DataFrame(
        [
            {"year": y, "replicate": r, "arm": arm, "capital_gdp_share": 0.4 + (arm == "treatment") * 1e-4 * r}
            for y in years
            for r in range(3)
            for arm in ("baseline", "treatment")
        ]
    )
    claims.claim_figures(claim, answer, runs, series, tmp_path)
    assert len(drawn) == (3 if claim.outcome.table == "summary" else 2)
    for fig in drawn:
        assert_inside_and_apart(fig, claim_file)


def test_a_comparison_figure_keeps_long_scenario_names_clear_of_the_panels(monkeypatch):
    """The legend sat in the first panel, where long scenario names ran over its tick labels."""
    from types import SimpleNamespace

    import pandas as pd

    from sez_sim.viz import experiments

    drawn = []
    monkeypatch.setattr(experiments, "save_png", lambda fig, path: drawn.append(fig))
    rng = np.random.default_rng(4)
    rows = [
        {"scenario": arm, "replicate": r, "year": 2019 + q / 4}
        | {
            column: 10_000 + rng.normal(0, 50) if column == "gdp" else rng.uniform(0, 0.3)
            for column, _ in experiments.TRAJECTORIES
        }
        for arm in "AB"
        for r in range(3)
        for q in range(13)
    ]
    names = ("line_corridor", "a scenario whose name is long enough to run across a panel and then some more")
    result = SimpleNamespace(series=pd.DataFrame(rows), runs=pd.DataFrame({"replicate": [0, 1, 2]}), names=names)
    experiments.comparison_figure(result, Path("unused"))
    (fig,) = drawn
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [f"A: {names[0]}", f"B: {names[1]}"]
    assert not any(legend.get_window_extent(renderer).overlaps(ax.get_tightbbox(renderer)) for ax in fig.axes)
    assert_inside_and_apart(fig, "comparison")


@pytest.mark.parametrize("design", ["sobol", "morris"])
def test_sensitivity_figures_keep_every_text_inside(design, monkeypatch):
    from types import SimpleNamespace

    import pandas as pd

    from sez_sim.viz import experiments

    drawn = []
    monkeypatch.setattr(experiments, "save_png", lambda fig, path: drawn.append(fig))
    factors = ["firms.entry_logit_scale", "workers.real_income_elasticity", "policy_defaults.sez.management_delay"]
    rows = []
    for outcome in ("host_gdp_change", "zone_jobs"):
        for k, factor in enumerate(factors):
            values = (
                {"S1": 0.1 * k, "S1_conf": 0.05, "ST": 0.2 * k, "ST_conf": 0.1}
                if design == "sobol"
                else {"mu_star": 3.0 * k, "mu_star_conf": 1.0, "sigma": 2.0 * k}
            )
            rows.append({"outcome": outcome, "factor": factor} | values)
    experiments._sensitivity(SimpleNamespace(name="s"), pd.DataFrame(rows), Path("unused"))
    (fig,) = drawn
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == factors
    assert_inside_and_apart(fig, "sensitivity")


def test_a_sampled_design_with_levers_draws_each_setting_in_its_own_colour_and_labels_its_indices(monkeypatch):
    from types import SimpleNamespace

    import pandas as pd

    from sez_sim.viz import experiments

    drawn = []
    monkeypatch.setattr(experiments, "save_png", lambda fig, path: drawn.append(fig))
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, 20)
    runs = pd.DataFrame(
        {
            "point": np.arange(40),
            "status": "ok",
            "factor:x.a": np.tile(x, 2),
            "factor:sez.duty_bonus": np.repeat([0.0, 0.1], 20),
            "y": np.concatenate([x, 10 + x]),
        }
    )
    uncertain, lever = SimpleNamespace(key="x.a"), SimpleNamespace(key="sez.duty_bonus")
    experiment = SimpleNamespace(
        name="e",
        design="lhs",
        factors=[uncertain, lever],
        outcomes=[SimpleNamespace(name="y")],
        sampled=lambda: [uncertain],
        crossed=lambda: [lever],
    )
    experiments.batch_figures(experiment, None, runs, None, Path("unused"))
    (fig,) = drawn
    (ax,) = fig.axes
    assert [c.get_label() for c in ax.collections] == ["duty_bonus=0", "duty_bonus=0.1"]
    low, high = (c.get_offsets()[:, 1] for c in ax.collections)
    assert high.min() >= 10 > low.max()  # each setting's runs, and only they, in its colour
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["duty_bonus=0", "duty_bonus=0.1"]
    assert_inside_and_apart(fig, "outcomes")
    sensitivity = pd.DataFrame(
        {
            "outcome": "y",
            "sez.duty_bonus": [0.0, 0.1],
            "factor": "x.a",
            "S1": 0.9,
            "S1_conf": 0.1,
            "ST": 1.0,
            "ST_conf": 0.1,
        }
    )
    experiments._sensitivity(experiment, sensitivity, Path("unused"))
    labels = [t.get_text() for t in drawn[-1].axes[0].get_yticklabels()]
    assert labels == ["x.a (duty_bonus=0)", "x.a (duty_bonus=0.1)"]
    assert_inside_and_apart(drawn[-1], "sensitivity")


def test_the_network_legend_names_what_the_geography_has(tmp_path):
    """The legend listed the GMS's corridors, crossings, zones and ports on any dataset, and no stalled zones."""
    from matplotlib.collections import LineCollection

    from sez_sim.geography import load_folder, load_gms
    from sez_sim.viz.maps import draw_network

    fig = draw_network(load_gms())
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[6:] == [
        "EWEC corridor",
        "NSEC corridor",
        "SEC corridor",
        "other road link",
        "border crossing",
        "zone (operating)",
        "zone (planned)",
        "zone (stalled)",
        "seaport",
    ]
    plt.close(fig)
    for name, text in SMALL_DATASET.items():
        (tmp_path / name).write_text(text)
    fig = draw_network(load_folder(tmp_path))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["AAA", "BBB", "road link"]
    plt.close(fig)
    (tmp_path / "corridors.csv").write_text(
        "corridor,branch,seq,province_id\nXYZ,main,1,A1\nXYZ,main,2,A2\nXYZ,main,3,A3\n"
    )
    fig = draw_network(load_folder(tmp_path))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["AAA", "BBB", "XYZ corridor", "other road link"]
    # From corridors.csv, as the model reads it: links.csv need not tag the links.
    drawn = [c for c in ax.collections if isinstance(c, LineCollection) and len(c.get_segments()) == 2]
    assert drawn, "the XYZ corridor's two links are drawn in its colour"
    plt.close(fig)
