"""The guides cannot rot: every file, command and Python block of the guides is run, in order.

Runs are shortened (``--years`` to a quarter, ``--replicates`` and a claim's ``--samples`` to 2, the experiment
files' years, replicates and samples too, and a coarser model), in a temporary folder that holds the repository's
``scenarios`` and shortened copies of its ``experiments``.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sez_sim.cli import app

pytestmark = pytest.mark.slow  # runs for a minute or more: started first (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [ROOT / "docs/guide-researchers.md", ROOT / "docs/guide-students.md"]
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)
COARSE = ["--set", "agents.persons_per_agent=4000", "--set", "agents.firms.count=3000"]
"""A coarser model for every run the guide makes (the commands stay as written otherwise)."""


def blocks(path: Path) -> list[tuple[str, str]]:
    """The fenced blocks of a Markdown file: (language, text), in order."""
    return [(lang, text) for lang, text in FENCE.findall(path.read_text())]


def shorten(argv: list[str]) -> list[str]:
    """The command with short runs: a quarter of a year, two replicates and draws, a coarse model, outcomes at the
    end."""
    short = {"--years": lambda _: "0.25", "--replicates": lambda _: "2", "--samples": lambda n: str(min(int(n), 2))}
    out, skip = [], False
    for k, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg in short:
            out += [arg, short[arg](argv[k + 1])]
            skip = True
            continue
        if out[-1:] == ["--outcome"]:
            outcome = yaml.safe_load(arg)
            outcome.pop("over", None)  # a window of years lies beyond a short run
            arg = yaml.safe_dump(outcome, default_flow_style=True).strip()
        out.append(arg)
    if out[0] in ("run", "compare"):
        out += COARSE
    return out


def shorten_experiment(text: str) -> str:
    """An experiment file with short, few and coarse runs (outcomes at the end, not over a window of years)."""
    data = yaml.safe_load(text)
    data.update(years=0.25, replicates=min(data.get("replicates", 1), 2))
    if data.get("design") == "sobol":
        data["samples"] = 2
    if not any(small in data.get("base", "") for small in ("teaching", "textbook")):  # the GMS model, coarser
        data.setdefault("overrides", {}).update({"agents.persons_per_agent": 4000, "agents.firms.count": 3000})
    for outcome in data.get("outcomes", []):
        outcome.pop("over", None)  # a window of years lies beyond a short run
    return yaml.safe_dump(data, sort_keys=False)


def shorten_claim(text: str) -> str:
    """A claim file judged at the end of a short run, not over a window of years beyond it."""
    data = yaml.safe_load(text)
    data.pop("window", None)
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
def test_every_block_of_a_guide_runs(guide, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink(ROOT / "scenarios", tmp_path / "scenarios")
    for path in (ROOT / "experiments").rglob("*.yaml"):  # the guides' experiments, shortened, where they are
        copy = tmp_path / path.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text()  # claims are shortened by the commands' --years and --replicates
        copy.write_text(shorten_claim(text) if "claims" in path.relative_to(ROOT).parts else shorten_experiment(text))
    runner = CliRunner()
    found = {"yaml": 0, "bash": 0, "python": 0}
    for lang, text in blocks(guide):
        found[lang] += 1
        if lang == "yaml":
            name = re.match(r"# file: (\S+)\n", text)
            assert name, f"a YAML block must start with '# file: NAME':\n{text}"
            body = shorten_experiment(text) if "factors:" in text else text
            Path(name.group(1)).write_text(body)
        elif lang == "bash":
            for line in filter(None, text.strip().replace("\\\n", " ").splitlines()):  # "\\" continues a command
                argv = shlex.split(line.split("#")[0])
                assert argv[0] == "sez-sim", line
                result = runner.invoke(app, shorten(argv[1:]))
                assert result.exit_code == 0, f"{line}\n{result.output}"
        elif lang == "python":
            exec(compile(text, f"{guide.name} block", "exec"), {})
        else:
            pytest.fail(f"unexpected block language {lang!r}")
    assert found["bash"] >= 5 and found["python"] >= 1, found


def test_every_exercise_has_worked_answers():
    heading = re.compile(r"^## Exercise (\d+):", re.M)
    asked = heading.findall((ROOT / "docs/guide-students.md").read_text())
    answered = heading.findall((ROOT / "experiments/exercises/solutions/README.md").read_text())
    assert asked == answered == [str(n) for n in range(1, len(asked) + 1)]
    words = [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
    ]
    title = (ROOT / "docs/guide-students.md").read_text().splitlines()[0]
    assert title == f"# Guide for students: {words[len(asked) - 1]} exercises"
