"""The Mesa names sez-sim uses, imported without the walk over the import stack that Mesa's loggers make.

When ``mesa.model`` is imported, Mesa 3.5 names its module logger from ``inspect.stack()`` and
``inspect.getmodule``, and the class its ``Model.__init__`` logger reports from ``inspect.getouterframes``. The
two stack functions read the source of every frame on the stack, and for importlib's frozen frames, which have no
file, ``inspect.getmodule`` searches all of ``sys.modules``, once a frame: 110-190 ms of ``sez-sim run``'s
imports, where the stack is deep and pandas, scipy and matplotlib are loaded (benchmarks/README.md, session 60).
Mesa reads only a frame, its function's name and its module; while Mesa is first imported, the three functions
answer those from the frame itself, and they are restored as soon as it is. Every other module imports Mesa's
names from here, so the first import of Mesa in a process is this one.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, ModuleType


def _frames(frame: FrameType | None) -> list[inspect.FrameInfo]:
    """The frames from ``frame`` outwards, as ``inspect.getouterframes`` lists them, without their source lines."""
    frames = []
    while frame is not None:
        code = frame.f_code
        frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
        frame = frame.f_back
    return frames


@contextmanager
def frames_without_source() -> Iterator[None]:
    """Within the block, inspect's stack functions read no source and ``inspect.getmodule`` searches no module list.

    A frame's module is the one its globals name: the module ``getmodule`` finds by the frame's file where that
    file is on disk (it finds none for a frozen module's frame).
    """
    stack, outer, getmodule = inspect.stack, inspect.getouterframes, inspect.getmodule

    def frame_module(obj: object, _filename: str | None = None) -> ModuleType | None:
        if inspect.isframe(obj):
            return sys.modules.get(obj.f_globals.get("__name__", ""))
        return getmodule(obj, _filename)

    inspect.stack = lambda context=1: _frames(sys._getframe(1))
    inspect.getouterframes = lambda frame, context=1: _frames(frame)
    inspect.getmodule = frame_module
    try:
        yield
    finally:
        inspect.stack, inspect.getouterframes, inspect.getmodule = stack, outer, getmodule


with frames_without_source():
    from mesa import Model
    from mesa.agent import AgentSet
    from mesa.discrete_space import FixedAgent, Network

__all__ = ["AgentSet", "FixedAgent", "Model", "Network"]
