"""The GMS dataset, custom datasets, synthetic geographies and the distance matrix."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sez_sim.errors import DataError, ScenarioError
from sez_sim.geography import GMS_DATA, gms_dataset, line, load_folder, load_gms, random_planar, ring, two_region
from sez_sim.geography.dataset import read_dataset


@pytest.fixture(scope="module")
def gms():
    return load_gms()


# ---------------------------------------------------------------- the GMS data (the checks of check_gms.py)
def test_gms_counts(gms):
    assert gms.n == 228
    assert gms.distance.shape == (228, 228)
    assert len(gms.links) == 514 and int(gms.links["international"].sum()) == 44
    assert len(gms.crossings) == 44
    assert gms.corridors.groupby(["corridor", "branch"]).ngroups == 13
    assert len(gms.zones) == 59
    counts = gms.provinces["country"].value_counts().to_dict()
    assert counts == {"THA": 77, "VNM": 63, "CHN": 30, "KHM": 25, "LAO": 18, "MMR": 15}
    caps = gms.provinces.loc[gms.provinces["is_national_capital"] == 1, "name"]
    assert set(caps) == {"Bangkok", "Ha Noi", "Phnom Penh", "Vientiane Capital", "Naypyidaw Union Territory"}


def test_gms_rows_are_sane(gms):
    p = gms.provinces
    assert p["lat"].between(5.5, 29.5).all() and p["lon"].between(92.0, 112.5).all()
    assert (p[["population", "gdp_usd_m", "area_km2"]] > 0).all().all()
    assert set(p["confidence"]) <= {"high", "medium", "low"}
    chn = p["country"] == "CHN"
    assert p.loc[chn, "parent"].isin(["CN-YN", "CN-GX"]).all()
    assert (p.loc[~chn, "parent"] == "").all()
    assert p["id"].is_unique and p["id"].str.isascii().all() and not p["id"].str.contains(" ").any()


def test_raw_population_matches_census_totals_within_10_percent(gms):
    # The national totals check of check_gms.py, on the raw (un-normalised) values.
    census = {
        "THA": 69_315_000,
        "VNM": 96_208_984,
        "KHM": 15_552_221,
        "LAO": 6_492_228,
        "MMR": 51_419_420,
        "CHN": 97_336_081,
    }
    sums = gms.provinces.groupby("country")["population_raw"].sum()
    for country, total in census.items():
        assert abs(sums[country] / total - 1) < 0.10, country


def test_links_crossings_corridors_zones_are_consistent(gms):
    country = gms.provinces["country"].to_numpy()
    links = gms.links
    intl = country[links["ia"]] != country[links["ib"]]
    assert (intl == links["international"]).all()
    assert (links["crossing_id"] >= 0).to_numpy().tolist() == intl.tolist()
    assert (links["distance_km"] > 0).all()
    for _, x in gms.crossings.iterrows():
        assert country[x["ia"]] != country[x["ib"]]
    pairs = {frozenset(p) for p in zip(links["ia"], links["ib"], strict=True)}
    for _, grp in gms.corridors.groupby(["corridor", "branch"]):
        seq = grp.sort_values("seq")["province"].astype(int).tolist()
        assert grp.sort_values("seq")["seq"].tolist() == list(range(1, len(seq) + 1))
        assert all(frozenset((a, b)) in pairs for a, b in zip(seq, seq[1:], strict=False))
    zones = gms.zones
    assert zones["province"].notna().all()
    assert (zones["country"] == country[zones["province"].astype(int)]).all()
    partners = zones["partner_zone"][zones["partner_zone"] != ""]
    assert partners.isin(zones["name"]).all()


def test_network_is_connected(gms):
    assert nx.is_connected(gms.graph)
    assert np.isfinite(gms.distance).all()
    node = gms.graph.nodes[0]
    assert {"id", "name", "country", "lon", "lat"} <= set(node)
    assert all(isinstance(v, int) for v in gms.graph.nodes)


@pytest.mark.parametrize(
    "make", [load_gms, lambda: line(6), lambda: ring(8), lambda: two_region(0.3), lambda: random_planar(80, seed=2)]
)
def test_the_graph_holds_each_province_and_link_of_the_tables(make):
    """Mesa's network space reads the graph: a node per province row and an edge per link row, with their values.

    The graph is built on first use, so a copy made before (a scenario's checks copy the geography) builds its own.
    """
    geo = make()
    copied = copy.deepcopy(geo)
    p, links = geo.provinces, geo.links
    for graph in (geo.graph, copied.graph):
        assert graph.graph["name"] == geo.name
        assert list(graph.nodes(data=True)) == [
            (i, {"id": r.id, "name": r.name, "country": r.country, "lon": r.lon, "lat": r.lat})
            for i, r in enumerate(p.itertuples())
        ]
        assert graph.number_of_edges() == len(links)
        for e, r in enumerate(links.itertuples()):
            data = graph.edges[int(r.ia), int(r.ib)]
            assert data["link"] == e and data["length_km"] == r.distance_km
            assert (data["corridor"], data["crossing"]) == tuple(
                str(links[c].iat[e] or "") if c in links else "" for c in ("corridor", "crossing")
            )
    assert copied.graph is not geo.graph


def test_normalisation_hits_the_base_year_totals_and_keeps_shares(gms):
    p = gms.provinces
    totals = gms_dataset().national_totals.set_index("unit")
    unit = np.where(p["parent"] != "", p["parent"], p["country"])
    for u, t in totals.iterrows():
        rows = unit == u
        assert p.loc[rows, "population"].sum() == pytest.approx(t["population"], rel=1e-9)
        assert p.loc[rows, "gdp_usd_m"].sum() == pytest.approx(t["gdp_usd_m"], rel=1e-9)
        share_raw = p.loc[rows, "gdp_usd_m_raw"] / p.loc[rows, "gdp_usd_m_raw"].sum()
        share = p.loc[rows, "gdp_usd_m"] / p.loc[rows, "gdp_usd_m"].sum()
        np.testing.assert_allclose(share, share_raw, rtol=1e-12)
    assert (p["base_year"] == 2019).all()
    np.testing.assert_allclose(p["gdp_per_capita"], p["gdp_usd_m"] * 1e6 / p["population"])
    assert {"source", "confidence", "population_raw", "gdp_usd_m_raw"} <= set(p.columns)


def test_major_ports_are_flagged(gms):
    ports = set(gms.provinces.loc[gms.provinces["is_port"], "name"])
    expected = {
        "Bangkok",
        "Chonburi",
        "Ho Chi Minh City",
        "Ba Ria-Vung Tau",
        "Hai Phong",
        "Da Nang",
        "Yangon",
        "Preah Sihanouk",
        "Fangchenggang",
        "Qinzhou",
        "Beihai",
        "Mon",
        "Songkhla",
    }
    assert expected <= ports
    assert (gms.provinces.loc[gms.provinces["is_port"], "port"] != "").all()


def test_lookup_by_id_and_name_with_suggestions(gms):
    assert gms.index_of("TH-10") == gms.index_of("Bangkok")
    with pytest.raises(ScenarioError, match="did you mean 'Bangkok'"):
        gms.index_of("Bangkokk")
    assert gms.crossing_of("Mae Sot-Myawaddy") >= 0
    with pytest.raises(ScenarioError, match="unknown crossing"):
        gms.crossing_of("Mae Sot-Myawady")
    assert len(gms.corridor_links("EWEC")) >= 12
    with pytest.raises(ScenarioError, match="unknown corridor"):
        gms.corridor_links("EWEX")


def _reference(resolve, ref: str) -> int | None:
    try:
        return resolve(ref)
    except ScenarioError:
        return None


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_find_province_and_crossing_agree_with_the_lookups_that_explain_a_miss(data):
    """The quiet lookups (no suggestion) find what index_of and crossing_of find, and nothing they refuse."""
    gms = load_gms()
    crossing_names = gms.crossings["name"].tolist()
    known = [*gms.provinces["id"], *gms.provinces["name"], *crossing_names]
    ref = data.draw(
        st.one_of(
            st.sampled_from(known),
            st.sampled_from(crossing_names).map(lambda n: "-".join(reversed(n.split(" (")[0].split("-")))),
            st.sampled_from(known).map(lambda n: n[:-1]),
            st.text(max_size=12),
        )
    )
    assert gms.find_province(ref) == _reference(gms.index_of, ref)
    assert gms.find_crossing(ref) == _reference(gms.crossing_of, ref)


def test_a_suggestion_names_a_province_once_where_its_id_is_its_name():
    geo = line(10, spacing_km=100)
    with pytest.raises(ScenarioError) as caught:
        geo.index_of("P99")
    assert str(caught.value).endswith("unknown province 'P99' (did you mean 'P09'?)")  # was "'P09' or 'P09'"


def test_a_name_with_no_close_match_is_answered_with_what_there_is(gms):
    """Without a close match the message lists the geography's ids (a few and the last when there are many)."""
    with pytest.raises(
        ScenarioError, match=r"unknown province 'L1' \(this geography has 6: P00, P01, P02, P03, P04, P05\)$"
    ):
        line(6, spacing_km=100).index_of("L1")
    with pytest.raises(ScenarioError, match=r"unknown province 'Qwzx' \(this geography has 228: TH-10, .*, \.\.\., "):
        gms.index_of("Qwzx")
    with pytest.raises(ScenarioError, match=r"unknown crossing 'Mae Sot' \(this geography has none\)$"):
        two_region(0.5).crossing_of("Mae Sot")
    with pytest.raises(ScenarioError, match=r"unknown corridor 'EWEC' \(this geography has 2: LINE, LINE/main\)$"):
        line(6, spacing_km=100).corridor_links("EWEC")


def test_a_geography_without_crossings_has_their_columns():
    """Instruments list crossings' ends by ``ia``/``ib`` (an OSSC on two regions failed with a KeyError)."""
    crossings = two_region(0.5).crossings
    assert len(crossings) == 0 and crossings["ia"].dtype == np.int64 and crossings["ib"].dtype == np.int64


# ---------------------------------------------------------------------------------- distances
def _assert_metric(d: np.ndarray) -> None:
    np.testing.assert_array_equal(d, d.T)
    off = d.copy()
    np.fill_diagonal(off, 0.0)
    # Triangle inequality over every intermediate k (off-diagonal shortest paths).
    for k in range(len(d)):
        assert np.all(off <= off[:, [k]] + off[[k], :] + 1e-9)


def test_distance_is_a_metric_with_internal_distance_on_the_diagonal(gms):
    d = gms.distance
    _assert_metric(d)
    np.testing.assert_allclose(np.diag(d), (2 / 3) * np.sqrt(gms.provinces["area_km2"] / np.pi))
    assert (d[~np.eye(gms.n, dtype=bool)] > 0).all()


def test_crossing_cost_raises_cross_border_distances_and_no_domestic_one():
    geo = load_gms()
    before = geo.distance.copy()
    geo.set_crossing_cost(range(len(geo.crossings)), geo.crossings["cost_km"] * 2)
    after = geo.distance
    country = geo.provinces["country"].to_numpy()
    domestic = country[:, None] == country[None, :]
    np.testing.assert_allclose(after[domestic], before[domestic])
    assert np.all(after[~domestic] > before[~domestic])
    np.testing.assert_allclose(after, geo.recompute())


def test_corridor_upgrade_lowers_distances_along_it_and_raises_none():
    geo = load_gms()
    before = geo.distance.copy()
    rows = geo.corridor_links("EWEC/main_Mawlamyine-DaNang")
    geo.set_link_quality(rows, 0.6)
    after = geo.distance.copy()
    assert np.all(after <= before + 1e-9)
    seq = geo.corridors[geo.corridors["branch"] == "main_Mawlamyine-DaNang"].sort_values("seq")["province"]
    a, b = int(seq.iloc[0]), int(seq.iloc[-1])
    assert after[a, b] < before[a, b]
    np.testing.assert_allclose(after, geo.recompute())


@pytest.mark.parametrize("crossing_cost_km", [0.0, 350.0])
def test_each_load_is_a_fresh_copy_of_a_fresh_build(crossing_cost_km):
    """load_gms copies one build per crossing cost: the copy is the build, and what a policy changes stays in it."""
    from sez_sim.geography import _build

    fresh = _build("gms", gms_dataset(), crossing_cost_km)
    upgraded = load_gms(crossing_cost_km)
    upgraded.set_link_quality(upgraded.corridor_links("EWEC/main_Mawlamyine-DaNang"), 0.6)
    upgraded.set_crossing_cost(range(len(upgraded.crossings)), 0.0)
    upgraded.links.loc[0, "km"] = 1.0
    again = load_gms(crossing_cost_km)
    assert again is not upgraded and not np.array_equal(again.distance, upgraded.distance)
    np.testing.assert_array_equal(again.distance, fresh.distance)  # bit for bit
    np.testing.assert_array_equal(again.freeness(5.0, 0.5), fresh.freeness(5.0, 0.5))
    for table in ("provinces", "links", "crossings", "corridors", "zones"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(fresh, table))
    assert list(again.graph.edges(data=True)) == list(fresh.graph.edges(data=True))
    assert again.digest() == fresh.digest() != upgraded.digest()


def test_geographies_leave_the_tables_they_are_built_from_as_read():
    """A process builds its geographies at every crossing cost from one read of the tables (geography._tables): no
    build, and nothing a policy does to a loaded geography, changes them."""
    from sez_sim.geography import _build

    tables = gms_dataset()
    for crossing_cost_km in (0.0, 123.0, 350.0):
        for geo in (_build("gms", tables, crossing_cost_km), load_gms(crossing_cost_km)):
            geo.set_link_quality(geo.corridor_links("EWEC/main_Mawlamyine-DaNang"), 0.6)
            geo.set_crossing_cost(range(len(geo.crossings)), 0.0)
            geo.links.loc[0, "km"] = 1.0
            geo.provinces.loc[0, "population"] = 1.0
    fresh = read_dataset(GMS_DATA)
    for table in ("provinces", "links", "crossings", "corridors", "zones", "ports", "national_totals"):
        pd.testing.assert_frame_equal(getattr(tables, table), getattr(fresh, table), check_exact=True)


def test_the_digest_changes_with_any_cell_of_any_table(gms):
    """The construction cache's key (two geographies with the same digest give the same model): one cell changed in
    any column of any table, a number or a text, gives another digest; a copy gives the same."""
    reference = gms.digest()
    assert copy.deepcopy(gms).digest() == reference
    rng = np.random.default_rng(5)
    for name in ("provinces", "links", "crossings", "corridors", "zones"):
        for column in getattr(gms, name).columns:
            changed = copy.deepcopy(gms)
            table = getattr(changed, name)
            row = int(rng.integers(len(table)))
            value = table[column].iat[row]
            if isinstance(value, str):
                new = value + "x"
            elif table[column].dtype == bool:
                new = not value
            else:
                new = 0 if pd.isna(value) else value + 1
            table.loc[row, column] = new
            assert changed.digest() != reference, (name, column)
    swapped = copy.deepcopy(gms)
    swapped.provinces.loc[[0, 1], "name"] = swapped.provinces.loc[[1, 0], "name"].to_numpy()
    assert swapped.digest() != reference
    first, second = gms.provinces.loc[[0, 1], "name"]
    for cut in ("\x1f", ",", "', '"):  # the separators a digest of joined texts might use
        left, right = copy.deepcopy(gms), copy.deepcopy(gms)
        left.provinces.loc[[0, 1], "name"] = [first + cut + second[:2], second[2:]]
        right.provinces.loc[[0, 1], "name"] = [first, second[:2] + cut + second[2:]]
        assert left.digest() != right.digest(), repr(cut)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    changes=st.lists(st.tuples(st.integers(0, 10_000), st.floats(0.2, 3.0)), min_size=1, max_size=6),
    crossing_factor=st.floats(0.0, 3.0),
)
def test_incremental_update_equals_full_recompute(seed, changes, crossing_factor):
    geo = random_planar(60, seed=seed, countries=3)
    for link, quality in changes:
        geo.set_link_quality([link % len(geo.links)], quality)
    if len(geo.crossings):
        geo.set_crossing_cost([0], geo.crossings["cost_km"].iloc[0] * crossing_factor)
    incremental = geo.distance.copy()
    np.testing.assert_allclose(incremental, geo.recompute(), rtol=1e-12, atol=1e-9)


def test_freeness_and_port_distance(gms):
    phi = gms.freeness(sigma=5.0, kappa=5e-4)
    assert phi.shape == (228, 228) and np.all((phi > 0) & (phi <= 1))
    order = np.argsort(gms.distance[0])
    assert np.all(np.diff(phi[0, order]) <= 0)  # freeness falls with distance
    dw = gms.port_distance(sea_cost_km=800.0)
    ports = gms.provinces["is_port"].to_numpy()
    assert np.all(dw[ports] <= 800.0 + np.diag(gms.distance)[ports] + 1e-9)
    assert dw[gms.index_of("Vientiane Capital")] > dw[gms.index_of("Bangkok")]


# ------------------------------------------------------------------------------------ synthetic
def test_two_region_freeness_is_given_directly():
    geo = two_region(0.3, population_shares=(0.6, 0.4))
    np.testing.assert_allclose(geo.freeness(5, 1.0), [[1, 0.3], [0.3, 1]])
    assert geo.provinces["population"].iloc[0] / geo.provinces["population"].sum() == pytest.approx(0.6)
    with pytest.raises(ValueError):
        two_region(1.5)


@pytest.mark.parametrize("n", [3, 4, 7, 12])
def test_a_ring_looks_the_same_from_every_province(n):
    """Each row of the distances is the first turned: no province is central, no border, no port."""
    geo = ring(n, spacing_km=250)
    d = geo.distance
    for i in range(n):
        np.testing.assert_allclose(d[i], np.roll(d[0], i), rtol=1e-12)
    steps = np.minimum(np.arange(n), n - np.arange(n))
    np.testing.assert_allclose(d[0, 1:], 250 * steps[1:], rtol=1e-12)
    assert len(geo.crossings) == 0 and not geo.provinces["is_port"].any() and set(geo.provinces["country"]) == {"A"}
    with pytest.raises(ValueError, match="at least 3"):
        ring(2)


def test_line_has_one_crossing_in_the_middle():
    geo = line(8, spacing_km=100)
    assert geo.n == 8 and len(geo.crossings) == 1
    assert list(geo.provinces["country"]) == ["A"] * 4 + ["B"] * 4
    d = geo.distance
    assert d[0, 3] == pytest.approx(300)
    assert d[3, 4] == pytest.approx(100 + geo.crossings["cost_km"].iloc[0])
    _assert_metric(d)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(3, 60), countries=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_random_planar_has_the_countries_it_is_asked_for(n, countries, seed):
    """Each country is the cell of a province of its own (random points as cells left some empty: 40 provinces in
    four countries, seed 1, came out in two)."""
    geo = random_planar(n, seed=seed, countries=countries)
    assert geo.provinces["country"].nunique() == min(n, countries)
    assert nx.is_connected(geo.graph)


def test_random_planar_is_connected_planar_and_reproducible():
    geo = random_planar(400, seed=3, countries=4)
    assert nx.is_connected(geo.graph)
    assert len(geo.links) <= 3 * geo.n - 6
    assert geo.provinces["country"].nunique() == 4
    assert (geo.links["international"] == (geo.links["crossing_id"] >= 0)).all()
    again = random_planar.__wrapped__(400, seed=3, countries=4)  # built afresh, not a copy of the one kept
    np.testing.assert_array_equal(geo.distance, again.distance)


BUILDS = [
    (two_region, (0.3,), {"population_shares": (0.6, 0.4)}),
    (two_region, (0.3,), {"population_shares": [0.6, 0.4]}),
    (line, (8,), {}),
    (line, (8,), {"ports": (1, 6), "crossing_cost_km": 0.0}),
    (ring, (5,), {"spacing_km": 250.0}),
    (random_planar, (40,), {"seed": 7, "countries": 3}),
]


@pytest.mark.parametrize(("builder", "args", "kwargs"), BUILDS)
def test_a_synthetic_geography_is_a_fresh_copy_of_a_fresh_build(builder, args, kwargs):
    """Small synthetic geographies are built once per process and copied: each call's is the one a build gives, and
    what a policy (or anyone) changes in one stays in it."""
    fresh = builder.__wrapped__(*args, **kwargs)
    changed = builder(*args, **kwargs)
    changed.set_link_quality([0], 0.5)
    changed.set_crossing_cost(range(len(changed.crossings)), 1.0)
    changed.provinces.loc[0, "population"] = 1.0
    again = builder(*args, **kwargs)
    assert again is not changed and again.digest() == fresh.digest() != changed.digest()
    np.testing.assert_array_equal(again.distance, fresh.distance)  # bit for bit
    np.testing.assert_array_equal(again.freeness(5.0, 0.5), fresh.freeness(5.0, 0.5))
    for table in ("provinces", "links", "crossings", "corridors", "zones"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(fresh, table))
    assert list(again.graph.edges(data=True)) == list(fresh.graph.edges(data=True))


def test_threads_asking_at_once_each_get_a_geography_of_their_own():
    """The app starts sessions in threads: many at once, more kinds than are kept, none fails or shares."""
    from concurrent.futures import ThreadPoolExecutor

    from sez_sim.geography import synthetic

    sizes = [3 + k % (synthetic.KEPT + 8) for k in range(120)]
    with ThreadPoolExecutor(8) as pool:
        geographies = list(pool.map(ring, sizes))
    assert len({id(g) for g in geographies}) == len(sizes)
    fresh = {n: ring.__wrapped__(n).digest() for n in set(sizes)}
    assert all(g.n == n and g.digest() == fresh[n] for g, n in zip(geographies, sizes, strict=True))


def test_other_arguments_give_other_geographies_and_large_ones_are_not_kept():
    from sez_sim.geography import synthetic

    assert two_region(0.3).digest() != two_region(0.4).digest()
    assert line(8).digest() != line(8, ports=(1,)).digest() != line(8, crossing_cost_km=0.0).digest()
    for zero in (0.0, -0.0):  # equal numbers, other bytes in the crossings table
        assert line(8, crossing_cost_km=zero).digest() == line.__wrapped__(8, crossing_cost_km=zero).digest()
    assert ring(5).digest() != ring(6).digest()
    assert random_planar(40, seed=1).digest() != random_planar(40, seed=2).digest()
    for n in range(3, 3 + 2 * synthetic.KEPT):
        ring(n)
    assert len(synthetic._kept) == synthetic.KEPT  # the oldest let go
    n = synthetic.KEPT_PROVINCES + 1
    big = random_planar(n, seed=1)
    assert big.n == n and not any(g.n == n for g in synthetic._kept.values())


# ------------------------------------------------------------------------------- custom datasets
@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "mydata"
    shutil.copytree(GMS_DATA, target)
    return target


def _edit(path: Path, fn) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df).to_csv(path, index=False)


def test_custom_folder_loads_the_same_way(folder):
    geo = load_folder(folder)
    assert geo.n == 228 and geo.name == "mydata"


def test_a_dataset_is_restored_from_the_cache_until_one_of_its_files_changes(folder, tmp_path, monkeypatch):
    """Its geography is read and built once; an edited, added or removed file is read again; a bad one never stored.

    Within a process, the tables of files read before are not read again: a geography at another crossing cost is
    built from them, with the cache on or off.
    """
    import sez_sim.geography as geography
    from sez_sim import cache

    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    reads = []
    monkeypatch.setattr(geography, "read_dataset", lambda path: reads.append(path) or read_dataset(path))
    first = load_folder(folder)
    again = load_folder(folder)
    assert len(reads) == 1 and again is not first
    np.testing.assert_array_equal(again.distance, first.distance)
    for table in ("provinces", "links", "crossings", "corridors", "zones"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(first, table), check_exact=True)
    assert again.digest() == first.digest() and again.name == "mydata"
    assert list(again.graph.edges(data=True)) == list(first.graph.edges(data=True))
    assert load_folder(folder, crossing_cost_km=100.0).crossings["cost_km"].eq(100.0).all() and len(reads) == 1

    _edit(folder / "provinces.csv", lambda df: df.assign(area_km2=df["area_km2"].where(df.index != 0, "99")))
    assert load_folder(folder).provinces["area_km2"].iat[0] == 99 and len(reads) == 2
    (folder / "ports.csv").unlink()
    assert not load_folder(folder).provinces["is_port"].any() and len(reads) == 3
    load_folder(folder)
    assert len(reads) == 3

    stored = len(cache.entries())
    _edit(folder / "links.csv", lambda df: df.assign(a=df["a"].where(df.index != 0, "XX-99")))
    for _ in range(2):
        assert "'XX-99'" in _message(folder)
    assert len(reads) == 5 and len(cache.entries()) == stored
    monkeypatch.setenv(cache.ENV, "off")
    (folder / "links.csv").write_bytes((GMS_DATA / "links.csv").read_bytes())  # the files of the third read again
    load_folder(folder)
    load_folder(folder, crossing_cost_km=200.0)
    assert len(reads) == 5
    _edit(
        folder / "zones.csv", lambda df: df.assign(year_established=df["year_established"].where(df.index != 0, "2001"))
    )
    assert load_folder(folder).zones["year_established"].iat[0] == 2001 and len(reads) == 6
    load_folder(folder, crossing_cost_km=50.0)
    assert len(reads) == 6


def _message(folder: Path) -> str:
    with pytest.raises(DataError) as info:
        load_folder(folder)
    return str(info.value)


def test_missing_column_is_named(folder):
    _edit(folder / "provinces.csv", lambda df: df.drop(columns=["population"]))
    msg = _message(folder)
    assert "provinces.csv" in msg and "column 'population'" in msg and "missing" in msg


def test_wrong_type_names_file_line_and_column(folder):
    _edit(folder / "provinces.csv", lambda df: df.assign(gdp_usd_m=df["gdp_usd_m"].where(df.index != 4, "lots")))
    msg = _message(folder)
    assert "provinces.csv: line 6, column 'gdp_usd_m'" in msg and "'lots'" in msg and "positive number" in msg


def test_unknown_id_in_links_is_named(folder):
    _edit(folder / "links.csv", lambda df: df.assign(a=df["a"].where(df.index != 0, "XX-99")))
    msg = _message(folder)
    assert "links.csv: line 2, column 'a'" in msg and "'XX-99'" in msg


def test_duplicate_id_is_named(folder):
    _edit(folder / "provinces.csv", lambda df: df.assign(id=df["id"].where(df.index != 3, df["id"].iloc[0])))
    msg = _message(folder)
    assert "provinces.csv: line 5, column 'id'" in msg and "duplicate" in msg


def test_disconnected_network_is_reported(folder):
    # Cut every link of Phuket (joined only by its bridge): it becomes an island.
    _edit(folder / "links.csv", lambda df: df[(df["a"] != "TH-83") & (df["b"] != "TH-83")])
    msg = _message(folder)
    assert "links.csv" in msg and "disconnected" in msg and "TH-83" in msg


def test_missing_file_and_folder(folder, tmp_path):
    (folder / "links.csv").unlink()
    assert "links.csv: file not found" in _message(folder)
    with pytest.raises(DataError, match="dataset folder not found"):
        load_folder(tmp_path / "nowhere")
