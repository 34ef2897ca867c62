"""The command line: version, module entry point, user errors give exit code 2 and no traceback."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sez_sim import __version__
from sez_sim.cli import app, file_kind

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_works():
    proc = subprocess.run([sys.executable, "-m", "sez_sim", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in proc.stdout


@pytest.mark.parametrize("argv", [["--version"], ["run", "no-such-file.yaml"]])
def test_the_command_and_python_dash_m_exit_through_main_which_freezes_what_is_left(argv):
    """The installed ``sez-sim`` is :func:`main`, as ``python -m sez_sim`` is: the interpreter's exit then skips
    collecting what the libraries left (benchmarks/README.md), whether the command succeeds or fails."""
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="sez-sim")
    assert script.value == "sez_sim.cli:main"
    probe = (
        "import atexit, gc, sys; atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0)); "
        f"sys.argv = ['sez-sim', *{argv!r}]; from sez_sim.cli import main; main()"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert proc.returncode == (0 if argv == ["--version"] else 2) and "frozen True" in proc.stdout


def test_network_map_is_written(tmp_path):
    target = tmp_path / "net.png"
    result = runner.invoke(app, ["network", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*part"))  # the temporary file was renamed, not left behind


def test_bad_dataset_folder_is_exit_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sez_sim",
            "network",
            "--data",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "x.png"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "dataset folder not found" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_no_model_and_no_numerics(flag):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "sez_sim", flag], capture_output=True, text=True)
    assert proc.returncode == 0
    modules = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    heavy = {m for m in modules if m.split(".")[0] in ("mesa", "scipy", "numpy", "pandas", "networkx", "matplotlib")}
    assert not heavy and "sez_sim.model" not in modules and "sez_sim.scenario" not in modules


def test_compare_prints_each_outcome_in_its_unit():
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import comparison_table

    differences = pd.DataFrame(
        [
            ("gdp", "US$ m", 1_650_137.2, 1_651_412.9, 1275.7, 1101.2, 1450.3),
            ("theil_between", "index", 0.128612, 0.128590, -2.2e-5, -3.1e-5, -1.3e-5),
            ("foreign_firms", "firm agents", 10551.0, 10893.4, 342.4, 300.1, 384.7),
            ("gdp_growth", "relative change", 0.0021, 0.0029, 0.0008, 0.0002, 0.0014),
        ],
        columns=["outcome", "unit", "mean_a", "mean_b", "difference", "ci_low", "ci_high"],
    )
    console = Console(width=200, record=True)
    console.print(comparison_table(SimpleNamespace(names=("base", "policy"), differences=differences), 5))
    text = console.export_text()
    assert "e+" not in text and "e-0" not in text
    assert "US$ bn" in text and "1,650.1" in text and "+1.3" in text and "+0.08%" in text
    assert "0.1286" in text and "-0.000022" in text and "[-0.000031, -0.000013]" in text
    assert "10,551" in text and "+342" in text and "+3.25%" in text


def test_compare_prints_each_countrys_gdp_and_gdp_per_capita_with_their_intervals():
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import countries_table

    rows = []
    for outcome, relative in (("gdp", (-0.0008, 0.0181, 0.0)), ("gdp_per_capita", (-0.0011, 0.0152, 0.0))):
        for country, r in zip(("THA", "MMR", "LAO"), relative, strict=True):
            rows.append(
                {"country": country, "outcome": outcome, "relative": r, "ci_low": r - 0.002, "ci_high": r + 0.002}
            )
    frame = pd.DataFrame(rows)
    console = Console(width=100, record=True)
    console.print(countries_table(SimpleNamespace(countries=frame)))
    lines = console.export_text().splitlines()
    mmr = next(line for line in lines if "MMR" in line)
    assert "+1.81%" in mmr and "[+1.61%, +2.01%]" in mmr and "+1.52%" in mmr and "[+1.32%, +1.72%]" in mmr
    assert [line.split()[1] for line in lines if line.split()[1:2] in (["THA"], ["MMR"], ["LAO"])] == [
        "THA",
        "MMR",
        "LAO",
    ]
    alone = frame.assign(ci_low=np.nan, ci_high=np.nan)
    console = Console(width=100, record=True)
    console.print(countries_table(SimpleNamespace(countries=alone)))
    assert "n/a" in next(line for line in console.export_text().splitlines() if "THA" in line)


def test_compare_prints_the_provinces_beyond_the_noise_largest_first_and_how_many_chance_would_give():
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import PROVINCES_SHOWN, provinces_table

    rng = np.random.default_rng(3)
    relative = rng.normal(0.0, 0.01, 40)
    half = np.full(40, 0.004)
    names = [f"Province {i}" for i in range(39)] + ["Wenshan Zhuang and Miao Autonomous Prefecture"]
    frame = pd.DataFrame(
        {
            "province_id": [f"P{i}" for i in range(40)],
            "name": names,
            "country": "AAA",
            "outcome": "gdp_per_capita",
            "relative": relative,
            "ci_low": relative - half,
            "ci_high": relative + half,
            "beyond_noise": np.abs(relative) > half,
            "q_value": np.abs(half / relative) * 0.1,
            "replicates": 3,
        }
    )
    frame["beyond_noise_fdr"] = frame["q_value"] <= 0.05
    beyond = frame[(frame["ci_low"] > 0) | (frame["ci_high"] < 0)]
    order = beyond.loc[beyond["relative"].abs().sort_values(ascending=False).index, "name"].head(PROVINCES_SHOWN)
    console = Console(width=80, record=True)
    console.print(provinces_table(SimpleNamespace(provinces=frame)))
    text = console.export_text()
    kept = int(frame["beyond_noise_fdr"].sum())
    assert 0 < kept < len(beyond)
    assert (
        f"{len(beyond)} of 40 beyond the noise (about 2 by chance alone), {kept} of them at a 5% false discovery rate"
        in " ".join(text.split())
    )
    # a long name wraps within its column (rich), so each is found by its first words
    positions = [text.index(" ".join(name.split()[:3]) + " ") for name in order]
    assert positions == sorted(positions) and len(beyond) > PROVINCES_SHOWN
    top = beyond.loc[order.index[0]]
    assert f"{top.relative:+.2%}" in text and f"[{top.ci_low:+.2%}, {top.ci_high:+.2%}]" in text
    row = next(line for line in text.splitlines() if f"[{top.ci_low:+.2%}, {top.ci_high:+.2%}]" in line)
    assert row.rstrip(" │").endswith(f" {top.q_value:.2g}")  # its q, in the last column
    alone = frame.assign(replicates=1, ci_low=np.nan, ci_high=np.nan, beyond_noise=False)
    console = Console(width=80, record=True)
    console.print(provinces_table(SimpleNamespace(provinces=alone)))
    assert "one replicate: no interval by province" in console.export_text()
    quiet = frame.assign(ci_low=frame["relative"] - 1, ci_high=frame["relative"] + 1, beyond_noise=False)
    console = Console(width=80, record=True)
    console.print(provinces_table(SimpleNamespace(provinces=quiet)))
    assert "no province's GDP per capita differs beyond the noise, of 40" in " ".join(console.export_text().split())


def test_with_one_replicate_a_comparison_says_it_has_no_interval_and_shows_rounding_error_as_zero():
    """One paired replicate has no interval: "[n/a, n/a]" (rich had taken it for a markup tag and printed
    nothing); sums that differ by rounding error only show as zero, not "-0.00"."""
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import comparison_table, ledger_table

    nan = float("nan")
    differences = pd.DataFrame(
        [("gini", "index", 0.4363, 0.4363, -3e-17, nan, nan), ("gdp", "US$ m", 1.65e6, 1.65e6, -2e-10, nan, nan)],
        columns=["outcome", "unit", "mean_a", "mean_b", "difference", "ci_low", "ci_high"],
    )
    ledger = pd.DataFrame(
        [("public_cost", "US$ m", -1.4e-14, nan, nan, 1), ("cost_per_job", "US$ per job", nan, nan, nan, 1)],
        columns=["measure", "unit", "mean", "ci_low", "ci_high", "replicates"],
    )
    result = SimpleNamespace(names=("base", "policy"), differences=differences, ledger=ledger)
    console = Console(width=200, record=True)
    console.print(comparison_table(result, 1))
    console.print(ledger_table(result))
    text = console.export_text()
    assert text.count("[n/a, n/a]") == 4
    assert "-0.0" not in text and "+0.00%" in text and "0.00" in text


def test_validate_reports_each_scenario_with_its_policies():
    from pathlib import Path

    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    result = runner.invoke(
        app, ["validate", str(scenarios / "ossc_rollout.yaml"), str(scenarios / "twin_promotion.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert (
        "(ossc_rollout, 1 policy)" in result.output and "(twin_promotion, 7 policies; opens Tak SEZ," in result.output
    )


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["[bold]zones", "zones:x:", "[red]a:smile:b"])
def test_paths_and_names_are_printed_as_given(tmp_path, name):
    """Brackets and :codes: in a path are not read as rich markup or emoji: the folder named is the one written."""
    folder = tmp_path / name
    folder.mkdir()
    scenario = folder / f"{name}.yaml"
    scenario.write_text("name: shown\nextends: " + str(ROOT / "scenarios/gms_baseline.yaml") + "\n")
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 0 and f"ok: {scenario} (shown" in result.output, result.output
    missing = folder / "missing.yaml"
    result = runner.invoke(app, ["run", str(missing), "--set", f"{name}=1"])
    assert result.exit_code == 2 and str(missing) in result.output, result.output
    result = runner.invoke(app, ["run", str(scenario), "--set", f"economy.{name}=1"])
    assert result.exit_code == 2 and f"--set economy.{name}: " in result.output, result.output


def test_validate_checks_every_file_of_the_library_as_its_kind():
    """Scenarios, experiments and claims: each loaded as running it would, and said what it is."""
    files = [
        *sorted((ROOT / "scenarios").rglob("*.yaml")),
        *sorted((ROOT / "experiments").rglob("*.yaml")),
    ]
    result = runner.invoke(app, ["validate", *map(str, files)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(line.startswith("ok: ") for line in lines) == len(files)
    assert "(experiment sobol_core: sobol design, 128 runs)" in result.output
    assert "(claim sez_host_gdp: ../../scenarios/capital_sezs.yaml against ../../scenarios/gms_baseline.yaml" in (
        result.output
    )


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"name": "s", "policies": []}, "scenario"),
        ({"name": "e", "base": "b.yaml", "factors": []}, "experiment"),
        ({"name": "c", "statement": "x", "baseline": "a.yaml"}, "claim"),
        ({"name": "n"}, "scenario"),  # keys every kind has: read as a scenario
        ({"name": "n", "years": 3, "seed": 2}, "scenario"),
    ],
)
def test_the_kind_of_a_file_is_read_from_its_own_keys(tmp_path, content, kind):
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(content))
    assert file_kind(path) == kind


def test_validating_a_scenario_leaves_the_experiments_modules_unimported():
    """They bring SALib, scipy.stats and the batch layer: about half of a scenario's validate once."""
    code = (
        "import sys; from sez_sim.cli import app; from typer.testing import CliRunner; "
        "r = CliRunner().invoke(app, ['validate', 'scenarios/gms_baseline.yaml']); "
        "print(r.exit_code, sorted(m for m in sys.modules if m.startswith(('sez_sim.experiments', 'SALib'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0", "[]"], done.stdout + done.stderr


def test_validate_refuses_an_experiment_a_run_would_refuse_and_a_claim_with_missing_keys(tmp_path):
    experiment = {
        "name": "e",
        "base": str(ROOT / "scenarios/teaching/line_corridor.yaml"),
        "design": "sobol",
        "samples": 8,
        "factors": [{"key": "economy.sigma", "range": [4.0, 7.0]}, {"key": "economy.kappa", "range": [1e-3, 2e-3]}],
        "outcomes": [{"name": "gdp", "column": "gdp"}],
    }
    (tmp_path / "e.yaml").write_text(yaml.safe_dump(experiment))
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"name": "c", "statement": "x", "baseline": "a.yaml"}))
    result = runner.invoke(app, ["validate", str(tmp_path / "e.yaml"), str(tmp_path / "c.yaml")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "e.yaml: factors: " in result.output and "break the rule 'trade decay'" in result.output
    assert "c.yaml: treatment: required key is missing" in result.output
    assert "unknown key" not in result.output  # neither was read as a scenario


SCENARIO, EXPERIMENT, CLAIM = (
    ROOT / "scenarios/gms_baseline.yaml",
    ROOT / "experiments/sobol_core.yaml",
    ROOT / "experiments/claims/sez_host_gdp.yaml",
)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["run", str(EXPERIMENT)],
            "sobol_core.yaml: is an experiment file, not a scenario file: run it with sez-sim batch",
        ),
        (["run", str(CLAIM)], "is a claim file, not a scenario file: answer it with sez-sim claim"),
        (["compare", str(SCENARIO), str(CLAIM)], "sez_host_gdp.yaml: is a claim file, not a scenario file"),
        (
            ["batch", str(SCENARIO)],
            "gms_baseline.yaml: is a scenario file, not an experiment file: run it with sez-sim run",
        ),
        (["claim", str(EXPERIMENT)], "is an experiment file, not a claim file"),
    ],
    ids=["run-experiment", "run-claim", "compare-claim", "batch-scenario", "claim-experiment"],
)
def test_a_file_of_another_kind_is_told_which_command_takes_it(tmp_path, args, says):
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")], terminal_width=200)
    assert result.exit_code == 2 and says in result.output, result.output
    assert "unknown key" not in result.output and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["run", "batch", "claim", "validate"])
@pytest.mark.parametrize("content", [None, "name: x\nbase: [\n"], ids=["missing", "malformed"])
def test_a_file_that_cannot_be_read_is_not_called_another_kind(tmp_path, command, content):
    """A missing or malformed file is told what is wrong with it, not that it is a scenario file."""
    path = tmp_path / "input.yaml"
    if content is not None:
        path.write_text(content)
    args = [command, str(path)] + (["--out", str(tmp_path / "out")] if command != "validate" else [])
    result = runner.invoke(app, args, terminal_width=200)
    says = "file not found" if content is None else "malformed YAML"
    assert result.exit_code == 2 and says in result.output and "scenario file" not in result.output, result.output


@pytest.mark.parametrize("parent", [EXPERIMENT, CLAIM], ids=["experiment", "claim"])
@pytest.mark.parametrize("command", ["run", "validate", "batch"])
def test_a_scenario_that_extends_another_kind_of_file_is_told_so_in_one_line(tmp_path, parent, command):
    """A scenario's parent must be a scenario: not an ``unknown key`` for each of an experiment's keys."""
    child = tmp_path / "child.yaml"
    child.write_text(yaml.safe_dump({"name": "child", "extends": str(parent)}))
    given = child
    if command == "batch":  # an experiment whose base scenario extends the other kind
        given = tmp_path / "experiment.yaml"
        given.write_text(yaml.safe_dump({"name": "e", "base": str(child)}))
    args = [command, str(given)] + (["--out", str(tmp_path / "out")] if command != "validate" else [])
    result = runner.invoke(app, args, terminal_width=200)
    kind = "an experiment" if parent == EXPERIMENT else "a claim"
    assert result.exit_code == 2 and result.output.count("error:") == 1, result.output
    assert f"{parent}: is {kind} file, named by extends where a scenario must be" in result.output


@pytest.mark.parametrize("command", ["run", "batch", "compare"])
def test_run_batch_and_compare_show_progress_on_a_terminal(tmp_path, monkeypatch, command):
    """On a terminal a bar shows the steps of a run or the runs of a batch or a comparison; what follows prints as it
    does anywhere."""
    import io

    from rich.console import Console

    from sez_sim import cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "out", Console(file=screen, force_terminal=True, width=120, highlight=False))
    line = ROOT / "scenarios/teaching/line_corridor.yaml"
    given = line
    if command == "batch":
        given = tmp_path / "experiment.yaml"
        factors = [{"key": "policies.0.capacity_jobs", "values": [5000, 20000]}]
        outcomes = [{"name": "gdp", "column": "gdp"}]
        given.write_text(yaml.safe_dump({"name": "e", "base": str(line), "factors": factors, "outcomes": outcomes}))
    out = tmp_path / "out"
    extra = {"run": [], "batch": ["--workers", "1"], "compare": [str(line), "--replicates", "2", "--workers", "1"]}
    result = runner.invoke(app, [command, str(given), *extra[command], "--years", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert f"wrote {out}" in shown, shown
    assert {"run": "4/4 steps", "batch": "2/2", "compare": "4/4"}[command] in shown


def test_validate_names_the_zones_a_scenario_opens():
    """The names outcomes of zones select by (``zones: [Tak SEZ]``), without a run to read them from."""
    ewec, baseline = ROOT / "scenarios/ewec_border_sezs.yaml", ROOT / "scenarios/gms_baseline.yaml"
    result = runner.invoke(app, ["validate", str(ewec), str(baseline)], terminal_width=300)
    lines = result.output.splitlines()
    assert result.exit_code == 0 and "; opens Tak SEZ, Myawaddy SEZ, Mukdahan SEZ, Savannakhet SEZ," in lines[0]
    assert lines[1].endswith("(gms_baseline, 0 policies)")  # the dataset's zones are not the scenario's


def test_a_batch_summary_shows_small_spreads_without_scientific_notation():
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import batch_summary

    runs = pd.DataFrame({"status": ["ok"] * 3, "gini": [0.43, 0.430012, 0.429988], "gdp": [1.651e6, 1.652e6, 1.65e6]})
    sensitivity = pd.DataFrame({"outcome": ["gini"], "factor": ["economy.sigma"], "ST": [1.234e-05]})
    result = SimpleNamespace(runs=runs, done=3, skipped=0, failed=0, seconds=5.0, rerun=0, sensitivity=sensitivity)
    experiment = SimpleNamespace(
        name="sweep", outcomes=[SimpleNamespace(name="gini"), SimpleNamespace(name="gdp")], design="sobol", crossed=list
    )
    console = Console(width=200, record=True)
    console.print(batch_summary(experiment, result))
    text = console.export_text()
    assert "e-0" not in text and "e+0" not in text
    assert "0.000012" in text and "1651000" in text and "total Sobol index ST 0.0000123" in text


@pytest.mark.parametrize("columns", [80, 100, 200])
def test_params_shows_every_default_and_unit_at_any_terminal_width(columns, monkeypatch):
    """On an 80-column terminal the table squeezed the default, unit and description columns to nothing."""
    from sez_sim.docs import default_text
    from sez_sim.params import registry

    monkeypatch.setenv("COLUMNS", str(columns))
    result = runner.invoke(app, ["params", "economy"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for key, p in registry().items():
        if p.section == "economy":
            assert key in text and default_text(p)[:10] in text and p.unit in text, (columns, key)
            assert " ".join(p.description.split()[:4]) in text, (columns, key)
    assert max(len(line) for line in result.output.splitlines()) <= columns


def test_a_comparison_on_an_80_column_terminal_cuts_no_name_and_no_number():
    """Rich had cut outcome names and intervals to fit ("theil_bet…", "[-0.0005…"); the narrow table leaves out the
    levels A and B instead, and folds the interval at its comma."""
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import comparison_table

    differences = pd.DataFrame(
        [
            ("capital_gdp_share", "share", 0.1417, 0.1413, -0.00039, -0.00122, 0.00043),
            ("border_gdp_share", "share", 0.1561, 0.1561, 2.1e-5, -7.0e-5, 1.11e-4),
            ("foreign_firms", "firm agents", 10575.0, 10603.0, 28.0, -32.0, 88.0),
        ],
        columns=["outcome", "unit", "mean_a", "mean_b", "difference", "ci_low", "ci_high"],
    )
    console = Console(width=80, record=True)
    console.print(comparison_table(SimpleNamespace(names=("a", "b"), differences=differences), 3, levels=False))
    text = console.export_text()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    words = text.replace("│", " ").split()
    for name in ("capital_gdp_share", "border_gdp_share", "foreign_firms", "[-0.000070,", "+0.000111]", "[-32,"):
        assert name in words, (name, text)
    assert "10,575" not in text  # the levels are left out


@pytest.mark.parametrize("measure", ["ST", "mu_star"])
def test_a_batch_summary_names_each_outcomes_most_influential_factor_whole_at_80_columns(measure):
    """In a table column rich had cut the factors' keys to fit an 80-column terminal ("firms.entry_logit_s…")."""
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import batch_summary

    runs = pd.DataFrame({"status": ["ok"] * 2, "host_gdp_change": [0.1, 0.2], "zone_jobs": [1.0, 2.0]})
    sensitivity = pd.DataFrame(
        {
            "outcome": ["zone_jobs", "zone_jobs", "host_gdp_change", "host_gdp_change"],
            "factor": ["workers.real_income_elasticity", "firms.entry_logit_scale"] * 2,
            measure: [0.2, 0.7, 0.9, 0.1],
        }
    )
    result = SimpleNamespace(runs=runs, done=2, skipped=0, failed=0, seconds=1.0, rerun=0, sensitivity=sensitivity)
    outcomes = [SimpleNamespace(name="host_gdp_change"), SimpleNamespace(name="zone_jobs")]
    console = Console(width=80, record=True)
    console.print(batch_summary(SimpleNamespace(name="s", outcomes=outcomes, design="sobol", crossed=list), result))
    printed = console.export_text()
    text = " ".join(printed.split())  # long sentences wrap; the words must all be there, in order
    named = "total Sobol index ST" if measure == "ST" else "Morris mu*"
    first = f"Most influential on host_gdp_change: workers.real_income_elasticity ({named} 0.9)"
    second = f"Most influential on zone_jobs: firms.entry_logit_scale ({named} 0.7)"
    assert f"{first} {second}" in text
    assert max(len(line) for line in printed.splitlines()) <= 80 and "…" not in printed


def test_a_batch_summary_gives_each_lever_setting_its_own_row_and_the_indices_over_them():
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import batch_summary

    runs = pd.DataFrame(
        {"status": "ok", "factor:sez.duty_bonus": [0.0, 0.0, 0.1, 0.1], "zone_jobs": [1.0, 3.0, 10.0, 30.0]}
    )
    sensitivity = pd.DataFrame(
        {
            "outcome": "zone_jobs",
            "sez.duty_bonus": [0.0, 0.0, 0.1, 0.1],
            "factor": ["workers.congestion", "firms.entry_logit_scale"] * 2,
            "ST": [0.2, 0.7, 0.5, 0.9],
        }
    )
    result = SimpleNamespace(runs=runs, done=4, skipped=0, failed=0, seconds=1.0, rerun=0, sensitivity=sensitivity)
    experiment = SimpleNamespace(
        name="s",
        outcomes=[SimpleNamespace(name="zone_jobs")],
        design="sobol",
        crossed=lambda: [SimpleNamespace(key="sez.duty_bonus")],
    )
    console = Console(width=120, record=True)
    console.print(batch_summary(experiment, result))
    text = " ".join(console.export_text().split())
    assert "┃ outcome ┃ duty_bonus ┃ mean ┃" in text  # a column per lever, named by its key's last part
    assert "│ zone_jobs │ 0 │ 2 │" in text and "│ │ 0.1 │ 20 │" in text
    assert "zone_jobs: firms.entry_logit_scale (total Sobol index ST 0.8, mean of 2 lever settings, 0.7 to 0.9)" in text


def test_a_comparison_gives_no_relative_change_of_a_growth_rate():
    """GDP growth falling from -0.024% to -0.164% was shown as "+592.17%" relative: a change of a change."""
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import comparison_table

    differences = pd.DataFrame(
        [
            ("gdp", "US$ m", 33492.0, 33445.0, -47.1, -54.0, -41.0),
            ("gdp_growth", "relative change", -0.000237, -0.001643, -0.001406, -0.0016, -0.0012),
        ],
        columns=["outcome", "unit", "mean_a", "mean_b", "difference", "ci_low", "ci_high"],
    )
    console = Console(width=200, record=True)
    console.print(comparison_table(SimpleNamespace(names=("a", "b"), differences=differences), 3))
    rows = {line.split("│")[1].strip(): line for line in console.export_text().splitlines() if line.count("│") > 3}
    assert "-0.14%" in rows["gdp"] and "n/a" in rows["gdp_growth"] and "592" not in rows["gdp_growth"]


def test_the_ledger_says_unbounded_where_a_ratio_has_no_interval():
    from types import SimpleNamespace

    import pandas as pd
    from rich.console import Console

    from sez_sim.cli import ledger_table
    from sez_sim.experiments.compare import ratio_interval

    rows = [
        {"measure": "cost_per_job", "unit": "US$ per job"} | ratio_interval([159e6] * 3, [50.0, 600.0, 1000.0]),
        {"measure": "cost_per_zone_job", "unit": "US$ per job"} | ratio_interval([159e6] * 3, [5e3, 5.2e3, 5.4e3]),
        {"measure": "gdp_per_public_dollar", "unit": "US$ per US$"} | ratio_interval([1.0, 2.0], [0.0, 0.0]),
    ]
    console = Console(width=120, record=True)
    console.print(ledger_table(SimpleNamespace(names=("a", "b"), ledger=pd.DataFrame(rows))))
    lines = {line.split("│")[1].strip(): line for line in console.export_text().splitlines() if line.count("│") > 3}
    assert "289,090.91" in lines["cost per job"] and "unbounded" in lines["cost per job"]
    assert "unbounded" not in lines["cost per zone job"] and "[27,910.27, 33,806.97]" in lines["cost per zone job"]
    assert "n/a" in lines["gdp per public dollar"] and "unbounded" not in lines["gdp per public dollar"]


@pytest.mark.parametrize(("query", "keys"), [("sigma", ["economy.sigma"]), ("economy.kappa", ["economy.kappa"])])
def test_params_looks_a_parameter_up_by_part_of_its_key(query, keys, monkeypatch):
    """ "sez-sim params sigma" was refused as an unknown section: a parameter is what one looks up."""
    from sez_sim.params import registry

    monkeypatch.setenv("COLUMNS", "100")
    result = runner.invoke(app, ["params", query])
    assert result.exit_code == 0, result.output
    shown = [key for key in registry() if f"{key}:" in result.output]
    assert shown == keys
    whole = runner.invoke(app, ["params", "economy"])  # a section is still a section
    assert "economy.sigma:" in whole.output and "economy.kappa:" in whole.output and "firms." not in whole.output
    nothing = runner.invoke(app, ["params", "zzz"])
    assert nothing.exit_code == 2 and "no section or parameter key matches 'zzz'" in " ".join(nothing.output.split())


def test_a_message_without_a_file_or_path_is_printed_as_it_is():
    from sez_sim.errors import Problem, UserError

    assert str(UserError("give --scheduler or --dask-local, not both")) == "give --scheduler or --dask-local, not both"
    assert str(Problem("a.yaml", "", "m")) == "a.yaml: m" and str(Problem("", "run.years", "m")) == "run.years: m"
    assert str(Problem("a.yaml", "run.years", "m")) == "a.yaml: run.years: m"


def test_the_app_refuses_an_unknown_start_and_serves_on_the_port_it_prints(monkeypatch):
    """--scenario with a typo started another scenario without a word; --port 0 printed http://127.0.0.1:0."""
    import os
    from pathlib import Path

    pytest.importorskip("solara")
    from sez_sim.app import server

    scenarios = str(Path(__file__).resolve().parent.parent / "scenarios")
    refused = runner.invoke(app, ["app", "--scenarios", scenarios, "--scenario", "gms_baseline_x"])
    assert refused.exit_code == 2
    assert "--scenario gms_baseline_x: not among the scenarios of" in " ".join(refused.output.split())
    assert "gms_baseline," in refused.output and not refused.output.startswith("error: :")
    started = []
    monkeypatch.setattr(server, "run_server", lambda host, port: started.append((host, port)))
    for name in ("SEZ_SIM_APP_SCENARIOS", "SEZ_SIM_APP_SCENARIO", "SEZ_SIM_APP_LANGUAGE"):
        monkeypatch.setenv(name, "")  # restored after the test: the command sets them for the server
    result = runner.invoke(app, ["app", "--scenarios", scenarios, "--scenario", "capital_sezs", "--port", "0"])
    assert result.exit_code == 0, result.output
    ((host, port),) = started
    assert (
        port > 0 and f"http://{host}:{port}" in result.output and os.environ["SEZ_SIM_APP_SCENARIO"] == "capital_sezs"
    )


@pytest.mark.parametrize(
    ("path", "good", "says", "bad", "command"),
    [
        (SCENARIO, "name=renamed", "(renamed, 0 policies", "economy.kappa=-1", ["run", "--years", "0.25"]),
        (EXPERIMENT, "replicates=2", "sobol design, 256 runs", "replicates=0", ["batch"]),
        (CLAIM, "expect=decrease", "expects decrease", "expect=sideways", ["claim"]),
    ],
    ids=["scenario", "experiment", "claim"],
)
def test_validate_takes_set_as_the_command_that_runs_the_file_does(tmp_path, path, good, says, bad, command):
    """An override is checked before a long batch or claim: accepted and shown, or refused with the words its
    command would use, naming the file."""
    accepted = runner.invoke(app, ["validate", str(path), "--set", good], terminal_width=300)
    assert accepted.exit_code == 0 and says in accepted.output and f"; with --set {good})" in accepted.output
    refused = runner.invoke(app, ["validate", str(path), "--set", bad], terminal_width=300)
    ran = runner.invoke(
        app, [command[0], str(path), "--set", bad, "--out", str(tmp_path / "out"), *command[1:]], terminal_width=300
    )
    key = bad.partition("=")[0]
    assert refused.exit_code == ran.exit_code == 2 and "Traceback" not in refused.output, refused.output
    assert ran.output.startswith(f"error: --set {key}: ") and not (tmp_path / "out").exists()
    assert refused.output == ran.output.replace(f"error: --set {key}:", f"error: {path} (--set {key}):")


def test_validate_names_each_file_an_override_does_not_fit_and_refuses_a_malformed_one_once():
    result = runner.invoke(app, ["validate", str(SCENARIO), str(CLAIM), "--set", "economy.kappa=-1"])
    assert result.exit_code == 2 and result.output.count("error:") == 2, result.output
    assert f"{SCENARIO} (--set economy.kappa): economy.kappa: Input should be greater than or equal to 0" in (
        " ".join(result.output.split())
    )
    assert f"{CLAIM} (--set economy.kappa): economy: unknown key" in " ".join(result.output.split())
    malformed = runner.invoke(app, ["validate", str(SCENARIO), str(CLAIM), "--set", "economy.kappa"])
    assert malformed.exit_code == 2 and malformed.output.count("error:") == 1 and "ok:" not in malformed.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["claim", str(CLAIM), "--set", "economy.kappa=0.001"], "(--set overrides.economy.kappa=...)"),
        (["batch", str(EXPERIMENT), "--set", "sez.fdi_uplift=1"], "(--set overrides.sez.fdi_uplift=...)"),
        (["validate", str(CLAIM), "--set", "mechanisms.all=true"], "(--set overrides.mechanisms.all=...)"),
        (["batch", str(EXPERIMENT), "--set", "foo=1"], None),  # not a scenario's key: no such hint
    ],
    ids=["claim", "batch", "validate", "other-key"],
)
def test_a_scenario_key_given_to_an_experiment_or_claim_points_to_overrides(tmp_path, args, says):
    result = runner.invoke(app, [*args, *(["--out", str(tmp_path / "out")] * (args[0] != "validate"))])
    output = " ".join(result.output.split())
    assert result.exit_code == 2 and "unknown key" in output and not (tmp_path / "out").exists(), output
    if says:
        assert f"a scenario's key goes under overrides {says}" in output
    else:
        assert "overrides (" not in output


def test_a_scenario_key_in_a_claim_file_points_to_overrides(tmp_path):
    claim = yaml.safe_load(CLAIM.read_text()) | {"mechanisms": {"all": True}}
    for arm in ("baseline", "treatment"):
        claim[arm] = str((CLAIM.parent / claim[arm]).resolve())
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(claim))
    result = runner.invoke(app, ["validate", str(tmp_path / "c.yaml")])
    output = " ".join(result.output.split())
    assert result.exit_code == 2 and "mechanisms: unknown key" in output, output
    assert "a scenario's key goes under overrides (overrides: {mechanisms: ...})" in output
