"""Mesa imported through :mod:`sez_sim.mesa_import`: its loggers get what a plain import gives them, and the
inspect functions it stands in for are back afterwards."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

from sez_sim.mesa_import import frames_without_source

LOGGERS = """
import json, sys
{first}
import mesa, mesa.mesa_logging
init = mesa.Model.__init__
names = [c.cell_contents for c in init.__closure__ if isinstance(c.cell_contents, str)]
print(json.dumps({{"modules": sorted(mesa.mesa_logging._module_loggers),
                   "loggers": sorted(l.name for l in mesa.mesa_logging._module_loggers.values()),
                   "class": names, "wrapped": init.__wrapped__.__qualname__}}))
"""


def loggers(first: str) -> dict:
    probe = LOGGERS.format(first=first)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def test_mesa_loggers_are_named_as_a_plain_import_names_them():
    plain = loggers("")
    ours = loggers("import sez_sim.mesa_import")
    assert ours == plain
    assert "mesa.model" in plain["modules"] and plain["class"] == ["Model"]


def caller_frames():
    return inspect.stack(), inspect.getouterframes(inspect.currentframe())


def test_frames_without_source_report_the_frames_inspect_reports():
    real_stack, real_outer = caller_frames()
    with frames_without_source():
        bare_stack, bare_outer = caller_frames()
        modules = [inspect.getmodule(info.frame) for info in bare_stack]
        assert inspect.getmodule(inspect) is inspect  # not a frame: the real lookup
    for real, bare in ((real_stack, bare_stack), (real_outer, bare_outer)):
        assert len(bare) == len(real)
        assert bare[0].frame.f_code is real[0].frame.f_code  # caller_frames, called twice
        assert [b.frame for b in bare[1:]] == [r.frame for r in real[1:]]
        assert [(b.filename, b.function, b.code_context) for b in bare] == [
            (r.filename, r.function, None) for r in real
        ]
        assert [b.lineno for b in bare[2:]] == [r.lineno for r in real[2:]]  # this test called on two lines
    real_modules = [inspect.getmodule(info.frame) for info in real_stack]
    # inspect finds a module by its frame's file, so not a frozen module's ("<frozen runpy>")
    assert all(real is None or ours is real for ours, real in zip(modules, real_modules, strict=True))
    assert sum(real is not None for real in real_modules) > len(real_modules) / 2
    assert modules[0] is sys.modules[__name__]


def test_the_inspect_functions_are_restored_even_after_an_error():
    before = (inspect.stack, inspect.getouterframes, inspect.getmodule)
    with pytest.raises(ZeroDivisionError), frames_without_source():
        assert inspect.stack is not before[0]
        1 / 0  # noqa: B018
    assert (inspect.stack, inspect.getouterframes, inspect.getmodule) == before
