"""The example notebooks run, and each ``.ipynb`` is what its jupytext source (``examples/*.py``) builds.

The ``.py`` files (percent format) are the source; ``make notebooks`` builds the ``.ipynb`` files from them. Each
notebook runs in a fresh Jupyter kernel (nbclient) with its ``parameters`` cell shortened, from a temporary copy of
the repository's ``scenarios`` and ``experiments`` so that it writes nothing into the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "examples").glob("*.py"))
SHORT = {
    "01_python_api": "YEARS = 0.5",
    "02_textbook_neg": "YEARS = 2\nFREENESS = [0.08, 0.2]",
    "03_batch_sensitivity": "SAMPLES = 2\nYEARS = 0.25\nWORKERS = 1",
}


def code_cells(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in notebook.cells]


def test_every_example_has_a_notebook_built_from_it():
    assert [p.stem for p in SOURCES] == sorted(SHORT)
    for source in SOURCES:
        built = source.with_suffix(".ipynb")
        assert built.exists(), f"{built.name} is missing: run make notebooks"
        expected = jupytext.read(source)
        assert code_cells(nbformat.read(built, as_version=4)) == code_cells(expected), (
            f"{built.name} is not what {source.name} builds: run make notebooks"
        )


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_an_example_runs_from_start_to_end(source, tmp_path, monkeypatch):
    notebook = jupytext.read(source)
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1, "an example has one cell tagged 'parameters'"
    parameters[0].source = SHORT[source.stem]
    for folder in ("scenarios", "experiments"):
        os.symlink(ROOT / folder, tmp_path / folder)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors
    assert (tmp_path / "results").exists() or source.stem != "03_batch_sensitivity"
