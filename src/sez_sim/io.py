"""Writing outputs safely: a file or folder appears complete or not at all, and nothing the user kept is lost.

Rules every command that writes follows (``run``, ``compare``, ``batch``, ``network``):

- a file or folder is written under a temporary name next to its target and renamed when complete, so a run
  killed part-way leaves only a hidden ``.<name>.*.part`` behind;
- an output folder records what it is and which files it wrote in :data:`MARKER`. Writing into an existing folder
  is allowed only when it is empty or holds an earlier output of the same kind (and, for a batch, of the same
  experiment); then only that output's files are replaced, and anything else in the folder is kept;
- any other existing folder, a file where a folder is wanted, the current folder or one of its parents, and an
  empty path are refused with an :class:`OutputError` (exit code 2 on the command line), before anything runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sez_sim.errors import Problem, UserError

MARKER = ".sez-sim-output.json"
"""The file in every output folder that says what wrote it and which files are its own."""


class OutputError(UserError):
    """An output target that would lose or overwrite something sez-sim did not write."""


def check_path(path: str | Path, what: str, error: type[UserError] = UserError) -> None:
    """Refuse a path the operating system cannot take, before anything is read or written.

    A NUL byte, a name too long, a file where a folder of the path belongs, or a path that cannot be looked at.
    A path that does not exist yet is fine.

    Args:
        path: the path.
        what: what it is for (``scenario file``, ``--out``), named in the message.
        error: the :class:`UserError` subclass to raise.
    """
    text = str(path)
    shown = text if len(text) <= 80 else text[:77] + "..."
    if "\x00" in text:
        raise error([Problem(repr(shown), "", f"the {what} path contains a NUL byte")])
    try:
        os.stat(text)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        blocker = next((p for p in Path(text).parents if p.is_file()), None)
        raise error(
            [Problem(shown, "", f"{what}: {blocker or 'a part of the path'} is a file, not a folder")]
        ) from None
    except OSError as exc:
        raise error([Problem(shown, "", f"{what}: {exc.strerror or exc}")]) from None


def _refuse(target: Path | str, message: str) -> OutputError:
    return OutputError([Problem(str(target) or "''", "", message)])


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of an output folder (None when there is none or it cannot be read)."""
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def _contents(folder: Path) -> set[str]:
    """Every file under ``folder`` (relative paths; folders are implied by their files), the marker excepted."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()} - {MARKER}


def check_target(target: str | Path, kind: str, name: str | None = None) -> set[str]:
    """Check that ``kind`` output may be written to folder ``target``; returns the files of the output there.

    Args:
        target: the output folder.
        kind: ``run``, ``comparison``, ``batch`` or ``claim``.
        name: for a batch, the experiment's name (a folder holds one experiment's batch).

    Raises:
        OutputError: for an empty path, the current folder or a parent of it, a file, or a non-empty folder that
            is not an earlier output of this kind (and name).
    """
    if not str(target).strip():
        raise _refuse(target, "an empty path; give a folder name")
    check_path(target, "output folder", OutputError)
    path = Path(target)
    resolved, here = path.resolve(), Path.cwd().resolve()
    if resolved == here or resolved in here.parents:
        raise _refuse(target, "is the current folder or contains it; give a new or empty folder")
    if not path.exists():
        return set()
    if not path.is_dir():
        raise _refuse(target, "is a file, not a folder; give a new or empty folder")
    contents = _contents(path)
    marker = read_marker(path)
    if marker is None:
        if contents:
            raise _refuse(
                target,
                f"exists and holds files sez-sim did not write ({_sample(contents)}); give a new or empty folder",
            )
        return set()
    if marker.get("kind") != kind or (name is not None and marker.get("name") != name):
        what = f"the {marker.get('kind')} output" + (f" of {marker['name']!r}" if marker.get("name") else "")
        raise _refuse(target, f"holds {what}; give another folder for this {kind}")
    return set(marker.get("files", []))


def _sample(names: set[str], k: int = 3) -> str:
    shown = sorted(names)[:k]
    return ", ".join(shown) + (f" and {len(names) - k} more" if len(names) > k else "")


def write_marker(folder: Path, kind: str, name: str | None = None, files: set[str] | None = None) -> None:
    """Record in ``folder`` that it holds an output of ``kind`` made of ``files`` (default: all files in it)."""
    marker = {"kind": kind, "name": name, "files": sorted(_contents(folder) if files is None else files)}
    with atomic_path(folder / MARKER) as tmp:
        tmp.write_text(json.dumps(marker, indent=1) + "\n")


def _umask() -> int:
    """The process's umask (read by setting it and restoring it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def output_folder(target: str | Path, kind: str, name: str | None = None) -> Iterator[Path]:
    """Yield a temporary folder to write an output into; on success it replaces the output at ``target``.

    The target is checked first (:func:`check_target`). On success every file the user kept in the target (not
    one of the earlier output's) is carried over, the marker written, and the folder swapped in by two renames;
    the earlier output's files are then deleted. On failure the target is untouched.

    Raises:
        OutputError: when the target may not be written, or the new output would overwrite a file it did not
            write.
    """
    target = Path(target)
    previous = check_target(target, kind, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; an output folder is shared like any other
    try:
        yield tmp
        written = _contents(tmp)
        kept = _contents(target) - previous if target.exists() else set()
        clash = kept & written
        if clash:
            raise _refuse(target, f"holds {_sample(clash)}, which this {kind} would overwrite; move it away first")
        for rel in kept:  # hard links: the user's files exist in both folders until the swap
            dest = tmp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(target / rel, dest)
            except OSError:
                shutil.copy2(target / rel, dest)
        write_marker(tmp, kind, name, written)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success rename it onto ``target``, else delete it.

    Example:
        >>> with atomic_path("out.png") as tmp:  # doctest: +SKIP
        ...     fig.savefig(tmp)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix + ".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; the file it becomes is an ordinary one
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
