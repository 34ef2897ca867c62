"""The construction cache: a restored model is the model built afresh; every input it depends on is in its key;
a bad entry is a miss that gets rewritten; the folder is the user's choice (sez_sim.cache, sez_sim.build.build)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bad_inputs import DATASET

import sez_sim.build
import sez_sim.model
from sez_sim import cache
from sez_sim.build import build_key
from sez_sim.economy.mechanisms import Mechanisms
from sez_sim.geography import line, load_folder
from sez_sim.model import ModelConfig, SEZModel, resolve_params
from sez_sim.params import STAGES, Param, registry
from sez_sim.runs import simulate
from sez_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A cache folder of this test's own."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def small(**changes) -> ModelConfig:
    values = dict(
        geography=lambda: line(6, spacing_km=150.0),
        params=resolve_params("gms", {"firms": {"count": 200, "min_per_province": 10}}),
        seed=3,
    )
    return ModelConfig(**(values | changes))


def same_runs(a, b) -> None:
    for name in ("provinces", "summary", "migration", "zones"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    sa, sb = a.model.state(), b.model.state()
    assert sa.keys() == sb.keys()
    for k in sa:
        assert np.array_equal(sa[k], sb[k], equal_nan=True), k


def test_a_restored_gms_model_runs_bit_for_bit_as_one_built_afresh(folder, monkeypatch):
    # Policies that change the geography, zones, taxes and commuting after the restore: nothing restored may still
    # share state with what was built, or miss something the builder set. The cache is off from the start, so the
    # folder holds only the construction's entries (not the GMS data's geography, which loading may store).
    monkeypatch.setenv(cache.ENV, "off")
    scenario = load_scenario(
        {
            "name": "mixed",
            "extends": "gms_baseline.yaml",
            "run": {"years": 2},
            "policies": [
                {"type": "cbez", "crossing": "Mae Sot-Myawaddy", "start_year": 2019},
                {
                    "type": "corridor_upgrade",
                    "corridor": "EWEC/main_Mawlamyine-DaNang",
                    "quality": 0.6,
                    "start_year": 2019,
                    "completion_year": 2020,
                },
                {"type": "sez", "province": "Savannakhet", "start_year": 2019.5},
            ],
        },
        relative_to=ROOT / "scenarios/mixed.yaml",
    )
    fresh = simulate(scenario)
    assert fresh.model.build_cache.reason == "off" and not cache.entries(folder)
    monkeypatch.setenv(cache.ENV, str(folder))
    first = simulate(scenario)
    restored = simulate(scenario)
    assert (first.model.build_cache.hit, restored.model.build_cache.hit) == (False, True)
    assert len(cache.entries(folder)) == 2  # one per stage of construction
    same_runs(fresh, restored)
    same_runs(first, restored)
    record = restored.manifest["calibration"]["cache"]
    assert record["hit"] and record["key"] == first.manifest["calibration"]["cache"]["key"]


def test_runs_that_differ_only_in_policies_share_an_entry(folder):
    scenarios = [
        load_scenario(ROOT / f"scenarios/{name}.yaml") for name in ("gms_baseline", "corridor_upgrades", "ossc_rollout")
    ]
    loaded = set(cache.entries(folder))  # the GMS data's geography, if this process had not loaded it yet
    keys = {scenario.model().build_cache.key for scenario in scenarios}
    assert len(keys) == 1 and len(set(cache.entries(folder)) - loaded) == 2


class Reads(dict):
    """A parameter section that records which of its parameters are read (and whether it is read whole)."""

    def __init__(self, section: str, values: dict, log: set[str]):
        super().__init__(values)
        self.section, self.log = section, log

    def __getitem__(self, name):
        self.log.add(f"{self.section}.{name}")
        return super().__getitem__(name)

    def get(self, name, default=None):
        self.log.add(f"{self.section}.{name}")
        return super().get(name, default)

    def __iter__(self):  # also what dict(section), {**section} and copies go through
        self.log.add(f"{self.section}.*")
        return super().__iter__()

    def keys(self):
        self.log.add(f"{self.section}.*")
        return super().keys()

    def items(self):
        self.log.add(f"{self.section}.*")
        return super().items()

    def values(self):
        self.log.add(f"{self.section}.*")
        return super().values()


def construction_reads(config: ModelConfig, monkeypatch) -> dict[str, set[str]]:
    """The parameters each stage of a model's construction reads (cache off).

    The calibration stage's reads include those made while the model is set up before it; the set-up stage's are
    those made after the calibration up to the end of construction.
    """
    monkeypatch.setenv(cache.ENV, "off")
    log: set[str] = set()
    reads: dict[str, set[str]] = {}
    reading = {section: Reads(section, values, log) for section, values in config.params.items()}

    def recorded(stage, run):
        def run_and_record(model):
            run(model)
            reads[stage] = set(log)
            log.clear()

        return stage, run_and_record

    stages = sez_sim.build.CACHED_PRESETS[config.preset]
    monkeypatch.setitem(sez_sim.build.CACHED_PRESETS, config.preset, tuple(recorded(*s) for s in stages))
    keyed = sez_sim.build.construction_params  # the key reads every section whole, and is meant to
    monkeypatch.setattr(
        sez_sim.build,
        "construction_params",
        lambda p, stages: keyed({s: dict(dict.items(v)) for s, v in p.items()}, stages),
    )
    SEZModel(ModelConfig(**(config.__dict__ | {"params": reading})))
    assert list(reads) == [stage for stage, _ in stages]
    return reads


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(lambda: small(), id="line"),
        pytest.param(lambda: small(mechanisms=Mechanisms(), existing_zones=False), id="line-mechanisms"),
        pytest.param(lambda: ModelConfig(seed=2), id="gms"),
    ],
)
def test_no_stage_of_construction_reads_a_parameter_declared_for_a_later_one(config, monkeypatch):
    # What makes a restored stage valid for runs whose parameters differ where it does not read.
    reads = construction_reads(config(), monkeypatch)
    assert {"economy.sigma", "firms.hazard", "firms.count"} <= reads["calibration"]
    assert {"workers.real_income_elasticity", "sez.fdi_uplift"} <= reads["setup"]
    declared = {key: p.construction for key, p in registry().items()}
    for stage, read in reads.items():
        assert not {r for r in read if r.endswith(".*")}, f"{stage} read a section whole: all of it counts"
        later = {r for r in read if r in declared and declared[r] not in STAGES[: STAGES.index(stage) + 1]}
        assert not later, f"{stage} reads {sorted(later)}: declare them construction={stage!r} (or earlier)"


def elsewhere(p: Param):
    """An admissible value of ``p`` a quarter of the way from its default to its farther bound."""
    lo, hi = p.bounds
    base = p.default["*"] if p.per else p.default
    base = lo + 0.25 * (hi - lo) if base is None else base
    value = base + 0.25 * ((hi if hi - base >= base - lo else lo) - base)
    value = round(value) if p.integer else value
    return {"*": value} if p.per else value


def changed(stages: set) -> ModelConfig:
    """The small model with every growth mechanism and every parameter of the given stages changed."""
    params = {"firms": {"count": 200, "min_per_province": 10}}
    for p in registry().values():
        if p.construction in stages:
            params.setdefault(p.section, {})[p.name] = elsewhere(p)
    return small(mechanisms=Mechanisms(), params=resolve_params("gms", params))


@pytest.mark.parametrize(
    ("stages", "restored"), [({None}, "setup"), ({None, "setup"}, "calibration")], ids=["unread", "setup"]
)
def test_runs_differing_only_in_later_stages_restore_the_earlier_ones_and_run_as_built_afresh(
    stages, restored, folder, monkeypatch
):
    assert all(sum(p.construction == s for p in registry().values()) >= 5 for s in stages)
    first = SEZModel(small(mechanisms=Mechanisms()))
    other = SEZModel(changed(stages))
    assert other.restored_stage == restored and other.build_cache.hit == (restored == "setup")
    assert other.firms.params is other.params["firms"] and other.workers.params is other.params["workers"]
    assert other.firms.params["exit_patience"] != first.firms.params["exit_patience"]
    again = SEZModel(changed(stages))
    assert again.build_cache.hit and again.build_cache.key == other.build_cache.key
    monkeypatch.setenv(cache.ENV, "off")
    fresh = SEZModel(changed(stages))
    assert fresh.restored_stage is None
    for model in (fresh, other, again):
        model.run(steps=12)
    for model in (other, again):
        for name in ("provinces", "summary_frame", "zones_frame", "migration_frame"):
            pd.testing.assert_frame_equal(
                getattr(fresh.recorder, name)(), getattr(model.recorder, name)(), check_exact=True
            )
        sf, sm = fresh.state(), model.state()
        assert sf.keys() == sm.keys()
        for k in sf:
            assert np.array_equal(sf[k], sm[k], equal_nan=True), k


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 4},
        {"persons_per_agent": 900.0},
        {"sampling": "independent"},
        {"start_year": 2021},
        {"steps_per_year": 2},
        {"existing_zones": False},
        {"params": resolve_params("gms", {"firms": {"count": 200, "min_per_province": 10}, "economy": {"mu": 0.5}})},
        {"params": resolve_params("gms", {"firms": {"count": 201, "min_per_province": 10}})},
        {"params": resolve_params("gms", {"firms": {"count": 200, "min_per_province": 10}, "sez": {"fdi_uplift": 2}})},
        {"geography": lambda: line(6, spacing_km=151.0)},
        {"geography": lambda: line(6, spacing_km=150.0, crossing_cost_km=100.0)},
    ],
    ids=lambda c: next(iter(c)),
)
def test_every_input_of_construction_is_in_the_key(change, folder):
    base = SEZModel(small())
    other = SEZModel(small(**change))
    assert base.build_cache.key != other.build_cache.key
    assert not other.build_cache.hit and other.build_cache.reason == "absent"


def test_a_dataset_file_edited_or_the_code_changed_misses(folder, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    for name, text in DATASET.items():
        (data / name).write_text(text)
    model = SEZModel(small(geography=lambda: load_folder(data)))
    key = model.build_cache.key
    assert SEZModel(small(geography=lambda: load_folder(data))).build_cache.hit
    (data / "provinces.csv").write_text(DATASET["provinces.csv"].replace("2000000", "2000500"))
    edited = SEZModel(small(geography=lambda: load_folder(data)))
    assert edited.build_cache.key != key and not edited.build_cache.hit

    monkeypatch.setattr(cache, "code_digest", lambda: "an edited module")
    assert build_key(model) != key


@pytest.mark.parametrize("damage", ["truncated", "garbage", "flipped", "empty", "not a pickle"])
def test_a_damaged_entry_is_ignored_and_rewritten(damage, folder):
    built = SEZModel(small())
    entry = folder / f"{built.build_cache.key}{cache.SUFFIX}"  # the whole construction's
    data = entry.read_bytes()
    header, _, payload = data.partition(b"\n")
    entry.write_bytes(
        {
            "truncated": data[: len(data) // 2],
            "garbage": b"\x00\x01 not an entry",
            "flipped": header + b"\n" + payload[:-1] + bytes([payload[-1] ^ 1]),
            "empty": b"",
            "not a pickle": cache.hashlib.sha256(b"abc").hexdigest().encode() + b"\nabc",
        }[damage]
    )
    again = SEZModel(small())
    assert not again.build_cache.hit and again.build_cache.reason == "corrupt"
    assert again.restored_stage == "calibration"
    # Rewritten whole (not byte for byte: an unpickled state shares fewer equal strings, which pickle memoises).
    assert abs(len(entry.read_bytes()) - len(data)) < 1000
    restored = SEZModel(small())
    assert restored.build_cache.hit
    a, b, c = (m.run(steps=3).state() for m in (built, again, restored))
    assert all(np.array_equal(a[k], b[k], equal_nan=True) and np.array_equal(a[k], c[k], equal_nan=True) for k in a)


def test_the_folder_is_configurable_and_a_cache_that_cannot_be_written_never_stops_a_run(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "mine"))
    SEZModel(small())
    assert len(cache.entries(tmp_path / "mine")) == 2
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    model = SEZModel(small()).run(steps=1)
    assert not model.build_cache.hit and cache.entries() == []
    for off in ("off", "0", "false"):
        monkeypatch.setenv(cache.ENV, off)
        assert cache.location() is None and SEZModel(small()).build_cache.reason == "off"
    monkeypatch.delenv(cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.location() == tmp_path / "xdg" / "sez-sim"


def test_the_newest_entries_are_kept_within_the_size_limit(folder):
    def stored(k: int, age: float) -> Path:
        path = cache.store(cache.key("test", k), bytes(1000) + bytes([k]))
        os.utime(path, (time.time() - age, time.time() - age))  # file times are coarse: set them
        return path

    def kept() -> list[int]:
        return [cache.load(p.name.removesuffix(cache.SUFFIX)).value[-1] for p in cache.entries(folder)]

    paths = [stored(k, age=100 - k) for k in range(7)]
    size = paths[0].stat().st_size
    cache.prune(folder, keep_bytes=3 * size)
    assert kept() == [6, 5, 4]  # loading marks an entry used: the order holds while all are loaded in it
    os.utime(paths[4], (time.time() + 5, time.time() + 5))  # 4 used most recently
    stored(7, age=-10)
    cache.prune(folder, keep_bytes=3 * size)
    assert [p.name for p in cache.entries(folder)][1] == paths[4].name and len(cache.entries(folder)) == 3
    cache.prune(folder, keep_bytes=0)
    assert len(cache.entries(folder)) == 1  # the newest stays, whatever the limit
    assert cache.clear() == 1 and cache.entries(folder) == []


def test_the_textbook_presets_are_not_cached(folder):
    model = SEZModel(ModelConfig(preset="core_periphery", params=resolve_params("core_periphery")))
    assert model.build_cache is None and cache.entries(folder) == []


def test_the_command_line_shows_and_clears_the_cache(folder, monkeypatch):
    from typer.testing import CliRunner

    from sez_sim.cli import app

    runner = CliRunner()
    SEZModel(small())
    shown = runner.invoke(app, ["cache"])
    assert shown.exit_code == 0 and f"{folder}: entries 2," in " ".join(shown.output.split())
    cleared = runner.invoke(app, ["cache", "--clear"])
    assert (
        cleared.exit_code == 0
        and "removed 2 entries" in " ".join(cleared.output.split())
        and cache.entries(folder) == []
    )
    monkeypatch.setenv(cache.ENV, "off")
    assert "is off" in runner.invoke(app, ["cache"]).output


def test_the_command_line_says_when_the_cache_cannot_be_used(tmp_path, monkeypatch):
    """A file where the folder should be: runs build afresh without a word, so ``sez-sim cache`` says why."""
    from typer.testing import CliRunner

    from sez_sim.cli import app

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for setting in (blocker, blocker / "below"):
        monkeypatch.setenv(cache.ENV, str(setting))
        shown = " ".join(CliRunner().invoke(app, ["cache"]).output.split())
        assert f"{blocker} is not a folder: the construction cache is unusable" in shown
        assert cache.store("k", {"x": 1}) is None  # and a run goes on without it
    monkeypatch.setenv(cache.ENV, str(tmp_path / "new" / "cache"))  # made when first written: fine
    assert "entries 0," in CliRunner().invoke(app, ["cache"]).output


def test_without_a_home_folder_the_cache_is_off(monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(cache.Path, "home", staticmethod(no_home))
    assert cache.location() is None
    assert SEZModel(small()).build_cache.reason == "off"
