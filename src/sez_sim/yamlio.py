"""Reading input files: YAML with ``extends``, dotted overrides, and validation errors users can act on.

Scenario and experiment files share this module. :func:`load` reads a file (or takes a mapping), follows
``extends`` (the parent is deep-merged under the child; lists are replaced), applies dotted overrides
(``--set key.path=value``; ``policies.0.capacity_jobs`` indexes a list) and validates the result against a
pydantic model derived from :class:`Strict`. Every problem becomes a :class:`~sez_sim.errors.Problem` naming the
file (or the ``--set`` option it came from), the YAML path and what is allowed.
"""

from __future__ import annotations

import copy
import re
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from sez_sim.errors import Problem, ScenarioError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base of every input-file model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


def read_yaml(path: Path, kind: str = "scenario", chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read one YAML file as a mapping, following ``extends`` (deep-merged, cycles refused).

    Args:
        path: the file.
        kind: what the file is (``scenario``, ``experiment``), for the messages.
        chain: the files that extend this one (to refuse cycles).
    """
    where = str(path)
    if not path.exists():
        raise ScenarioError([Problem(where, "", "file not found")])
    if path.is_dir():
        raise ScenarioError([Problem(where, "", f"is a folder, not a {kind} file")])
    data = path.read_bytes()
    if b"\x00" in data:
        raise ScenarioError([Problem(where, "", f"not a text file (binary content); a {kind} is YAML text")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(where, "", f"not UTF-8 text; a {kind} is YAML text")]) from None
    if not text.strip():
        raise ScenarioError([Problem(where, "", f"the file is empty; a {kind} needs at least a name")])
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError([Problem(where, at, f"malformed YAML: {problem}")]) from None
    if not isinstance(raw, dict):
        kind = type(raw).__name__ if raw is not None else "nothing"
        raise ScenarioError(
            [Problem(where, "", f"the top level must be a mapping of keys (name, geography, ...), got {kind}")]
        )
    raw = {str(k): v for k, v in raw.items()}
    parent = raw.get("extends")
    if parent is None:
        return raw
    if not isinstance(parent, str):
        raise ScenarioError([Problem(where, "extends", "expected a file name (text)")])
    parent_path = (path.parent / parent).resolve()
    if parent_path in chain or parent_path == path.resolve():
        cycle = " -> ".join(str(p) for p in (*chain, path.resolve(), parent_path))
        raise ScenarioError([Problem(where, "extends", f"cycle: {cycle}")])
    if not parent_path.exists():
        raise ScenarioError([Problem(where, "extends", f"parent file not found: {parent}")])
    base = read_yaml(parent_path, kind, (*chain, path.resolve()))
    base.pop("name", None)  # a child is its own scenario
    merged = deep_merge(base, raw)
    merged.pop("extends", None)
    return merged


def deep_merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``top`` into ``base``: mappings recursively, everything else (lists too) replaced."""
    out = copy.deepcopy(dict(base))
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_overrides(items: Iterable[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """``["economy.sigma=4", ...]`` (values parsed as YAML) or a dict -> ``{dotted key: value}``."""
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError([Problem("--set", item, "expected KEY=VALUE, e.g. economy.sigma=4")])
        try:
            out[key] = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            raise ScenarioError([Problem("--set", key, f"cannot read the value {value!r} as YAML")]) from None
    return out


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Set dotted keys (``policies.0.capacity_jobs`` indexes lists) in a copy of ``raw``."""
    out = copy.deepcopy(raw)
    for key, value in overrides.items():
        parts = key.split(".")
        node: Any = out
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ScenarioError(
                        [Problem("--set", key, f"{'.'.join(parts[:depth])} has {len(node)} entries; no index {part}")]
                    )
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
                continue
            if not isinstance(node, dict):
                raise ScenarioError([Problem("--set", key, f"{'.'.join(parts[:depth])} is not a mapping")])
            if last:
                node[part] = value
            elif part not in node and parts[depth + 1].isdigit():
                raise ScenarioError(
                    [
                        Problem(
                            "--set", key, f"{'.'.join(parts[: depth + 1])} has no entries; no index {parts[depth + 1]}"
                        )
                    ]
                )
            else:
                node = node.setdefault(part, {})
    return out


def _models(annotation: Any) -> list[type[BaseModel]]:
    """Every pydantic model an annotation can hold (through unions, lists, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at the mapping where a validation error was found."""
    options: list[type[BaseModel]] = [model]
    for part in loc[:-1]:
        if isinstance(part, int) or not options:
            continue
        current = options[0]
        field = current.model_fields.get(str(part))
        if field is None:
            # A discriminated-union tag (policies[2].sez ...): the member whose ``type`` is that tag.
            tagged = [m for m in options if "type" in m.model_fields and m.model_fields["type"].default == part]
            options = tagged
            continue
        options = _models(field.annotation)
    return sorted(options[0].model_fields) if len(options) == 1 else []


def _path(loc: tuple[Any, ...], raw: Mapping[str, Any]) -> str:
    """A YAML path like ``policies[2].province`` from a pydantic location (union tags dropped)."""
    out = ""
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if isinstance(node, dict) and part not in node and isinstance(node.get("type"), str) and node["type"] == part:
            continue  # the discriminator tag pydantic inserts for union members
        out += f".{part}" if out else str(part)
        node = node.get(part) if isinstance(node, dict) else None
    return out


def problems(
    exc: ValidationError, raw: Mapping[str, Any], source: str, overridden: Iterable[str], model: type[BaseModel]
) -> list[Problem]:
    """The problems of a validation error, each naming its file (or ``--set`` option), YAML path and what is wrong.

    Args:
        exc: pydantic's error.
        raw: the data that was validated.
        source: the file it came from.
        overridden: the dotted keys set by overrides (their problems name the ``--set`` option).
        model: the model validated against (for the keys allowed at an unknown key).
    """
    overridden = list(overridden)
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _path(loc, raw)
        kind = err["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(model, loc)
            message = "unknown key" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
        elif kind == "missing":
            message = "required key is missing"
        else:
            message = err["msg"]
        dotted = re.sub(r"\[(\d+)\]", r".\1", path)
        origin = next(
            (
                f"--set {k}"
                for k in overridden
                if dotted == k or dotted.startswith(k + ".") or k.startswith(dotted + ".")
            ),
            source,
        )
        problems.append(Problem(origin, path, message))
    return problems


def load[M: BaseModel](
    model: type[M],
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    *,
    kind: str = "scenario",
    defaults: Mapping[str, Any] | None = None,
) -> tuple[M, Path | None]:
    """Read (or take), merge, override and validate an input against ``model``.

    Args:
        model: the pydantic model of the file.
        source: a YAML file, or a mapping with the same content.
        overrides: ``["key.path=value", ...]`` (values parsed as YAML) or ``{"key.path": value}``.
        kind: what the input is, for the messages.
        defaults: keys set before the overrides when the file does not set them (a scenario's name).

    Returns:
        The validated model and the resolved path of the file (None for a mapping).

    Raises:
        ScenarioError: listing every problem.
    """
    if isinstance(source, Mapping):
        path, raw, where = None, copy.deepcopy(dict(source)), f"<{kind}>"
    else:
        path = Path(source)
        raw, where = read_yaml(path, kind), str(path)
    for key, value in (defaults or {}).items():
        raw.setdefault(key, value)
    changes = parse_overrides(overrides)
    raw = apply_overrides(raw, changes)
    try:
        return model.model_validate(raw), path.resolve() if path else None
    except ValidationError as exc:
        raise ScenarioError(problems(exc, raw, where, changes, model)) from None
