"""A disk cache for results that take seconds to compute and depend only on what their key names.

The calibrated model's construction (about 1 s for the GMS data: the economy's calibrations and the firm stock's
steady state) is the same for every run that shares the data, the parameters construction reads, the seed and the
code, so runs that differ only in their policies or in parameters construction does not read (a claim's baseline
and treatment, a sweep of a policy's settings, the workshop app, the test suite) compute it once, and runs that
differ only in parameters its last stage reads redo only that stage (:func:`sez_sim.build.build`). A dataset
folder's geography (the GMS data's or a custom one's: its tables read and checked, its network built, about 0.1 s)
is kept too, keyed by its files' contents (:func:`sez_sim.geography.load_folder`).

Design:

- **Keys** are SHA-256 digests of everything a result depends on, the package's source code included
  (:func:`code_digest`), so an edited module can never be answered from an old entry.
- **Entries** are files named by their key: a header line with the payload's own SHA-256, then the payload. A file
  cut short, overwritten or otherwise corrupt fails that check (or the unpickling) and counts as a miss; it is
  then rewritten. Entries are written under a temporary name and renamed, so concurrent runs (batch workers) never
  see half a file.
- **Shared objects**: a value may refer to objects that belong to whoever stores and loads it rather than to the
  entry (a model's parameter sections); they are written as references by name and resolved to the loader's own
  (:func:`store`), so a restored model reads the parameters of the run that restored it.
- **Where**: the folder ``SEZ_SIM_CACHE`` names; by default ``$XDG_CACHE_HOME/sez-sim`` (``~/.cache/sez-sim``).
  ``SEZ_SIM_CACHE=off`` turns the cache off. The newest entries that fit in :data:`MAX_BYTES` are kept.

Entries are pickles: only a folder the user owns should be used as the cache (as for any pickle).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sez_sim.io import atomic_path

ENV = "SEZ_SIM_CACHE"
"""Environment variable: the cache folder, or ``off`` to turn the cache off."""

OFF = ("off", "0", "no", "false", "")
"""Values of :data:`ENV` that turn the cache off."""

MAX_BYTES = 2**30
"""Size the cache is kept within: the newest entries (by use) that fit in 1 GiB; a GMS model's entry is about
15 MB (two stages of it: two entries)."""

FORMAT = 1
"""Version of the entry layout; part of every key."""

SUFFIX = ".entry"

HEADER = 64
"""Bytes of an entry's first line: the hex SHA-256 of the rest (after the newline)."""


def location() -> Path | None:
    """The cache folder (:data:`ENV`, else the user's cache folder), or None when the cache is off."""
    value = os.environ.get(ENV)
    if value is not None:
        return None if value.strip().lower() in OFF else Path(value).expanduser()
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder to put it in
        return None
    return Path(base) / "sez-sim"


@functools.cache
def code_digest() -> str:
    """SHA-256 of the package's Python source files (their paths and contents)."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def key(*parts: Any) -> str:
    """The key of a result that depends on ``parts`` (JSON-serialisable) and on the code."""
    blob = json.dumps([FORMAT, code_digest(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


@dataclass
class Lookup:
    """What a lookup found: ``value`` (None on a miss), and why it missed (``absent``, ``corrupt``, ``off``)."""

    key: str
    value: Any = None
    hit: bool = False
    reason: str = ""


def load(entry_key: str, shared: Mapping[str, Any] | None = None) -> Lookup:
    """The entry stored under ``entry_key``; a corrupt entry is removed and reported as a miss.

    ``shared`` resolves the references by name that :func:`store` wrote (an entry that names one ``shared`` lacks
    is unusable, so a miss).
    """
    folder = location()
    if folder is None:
        return Lookup(entry_key, reason="off")
    path = folder / f"{entry_key}{SUFFIX}"
    try:
        data = path.read_bytes()
    except OSError:
        return Lookup(entry_key, reason="absent")
    try:
        view = memoryview(data)
        header, payload = view[:HEADER], view[HEADER + 1 :]  # views: no copy of a 15 MB entry
        if view[HEADER : HEADER + 1] != b"\n" or hashlib.sha256(payload).hexdigest().encode() != header:
            raise ValueError("checksum")
        stream = io.BytesIO(data)  # shares the bytes object until written to: no copy either
        stream.seek(HEADER + 1)
        value = _Unpickler(stream, shared or {}).load()
    except Exception:  # noqa: BLE001 (any failure to read an entry back means it is unusable)
        with contextlib.suppress(OSError):
            path.unlink()
        return Lookup(entry_key, reason="corrupt")
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest
    return Lookup(entry_key, value, hit=True)


class _Pickler(pickle.Pickler):
    """Writes the objects of ``shared`` as references by name (:func:`store`)."""

    def __init__(self, file: BinaryIO, shared: Mapping[str, Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared = shared  # holds them, so no other object can take their ids while pickling
        self.names = {id(obj): name for name, obj in shared.items()}

    def persistent_id(self, obj: Any) -> str | None:
        return self.names.get(id(obj))


class _Unpickler(pickle.Unpickler):
    """Reads what :class:`_Pickler` wrote, resolving its references by name in ``shared``."""

    def __init__(self, file: BinaryIO, shared: Mapping[str, Any]):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        return self.shared[pid]


class _Hashing(io.RawIOBase):
    """A file that hashes what is written to it (pickling streams into the file: no copy of the entry in memory)."""

    def __init__(self, file: BinaryIO):
        self.file, self.sha = file, hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha.update(data)
        return self.file.write(data)


def store(entry_key: str, value: Any, shared: Mapping[str, Any] | None = None) -> Path | None:
    """Store ``value`` under ``entry_key``, atomically.

    ``value`` may refer to objects that belong to the caller rather than to the entry (a model's parameter
    sections, which runs that share the entry may hold with other values where construction does not read them):
    ``shared`` names them, they are written as references by name, and :func:`load` resolves each reference to the
    loader's object of that name.

    Returns:
        The entry's path, or None when the cache is off or its folder cannot be written (a cache that cannot be
        written never stops a run).
    """
    folder = location()
    if folder is None:
        return None
    path = folder / f"{entry_key}{SUFFIX}"
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            f.write(b"0" * HEADER + b"\n")
            hashing = _Hashing(f)
            _Pickler(hashing, shared or {}).dump(value)
            f.seek(0)
            f.write(hashing.sha.hexdigest().encode())
    except (OSError, pickle.PicklingError):
        return None
    prune(folder)
    return path


def unusable(folder: Path) -> str | None:
    """Why entries cannot be written under ``folder`` (``/x is not a folder``), or None when they can.

    The nearest existing path decides: the folder itself, or the parent it would be made in.
    """
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is None:
        return None
    if not existing.is_dir():
        return f"{existing} is not a folder"
    return None if os.access(existing, os.W_OK) else f"{existing} cannot be written"


def entries(folder: Path | None = None) -> list[Path]:
    """The cache's entries, newest first."""
    folder = folder or location()
    if folder is None or not folder.is_dir():
        return []
    found = []
    for p in folder.glob(f"*{SUFFIX}"):
        with contextlib.suppress(OSError):
            found.append((p.stat().st_mtime, p))
    return [p for _, p in sorted(found, reverse=True)]


def prune(folder: Path, keep_bytes: int = MAX_BYTES) -> None:
    """Remove the oldest entries beyond ``keep_bytes`` in all (the newest entry is always kept)."""
    total = 0
    for k, path in enumerate(entries(folder)):
        with contextlib.suppress(OSError):
            total += path.stat().st_size
            if k and total > keep_bytes:
                path.unlink()


def clear() -> int:
    """Remove every entry; returns how many were removed."""
    removed = 0
    for path in entries():
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed
