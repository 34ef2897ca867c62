"""Reading input files: YAML with ``extends``, dotted overrides, and validation errors users can act on.

Scenario and experiment files share this module. :func:`load` reads a file (or takes a mapping), follows
``extends`` (the parent is deep-merged under the child; lists are replaced), applies dotted overrides
(``--set key.path=value``; ``policies.0.capacity_jobs`` or ``policies[0].capacity_jobs`` indexes a list) and
validates the result against a pydantic model derived from :class:`Strict`. Every problem becomes a
:class:`~sez_sim.errors.Problem` naming the file (or the ``--set`` option it came from), the YAML path and what is
allowed.
"""

from __future__ import annotations

import copy
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from sez_sim.errors import Problem, ScenarioError, did_you_mean
from sez_sim.io import check_path

M = TypeVar("M", bound=BaseModel)

MAX_DEPTH = 64
"""Deepest nesting an input file may have (scenarios need about six levels)."""

MAX_VALUES = 200_000
"""Most values an input file may hold once its aliases are expanded (the library's largest has a few hundred)."""

MAX_BYTES = 1_000_000
"""Largest input file read (the library's largest is 3 kB): PyYAML reads about 50 kB a second, so a file this size
takes some seconds; a bigger one is surely not a scenario or an experiment."""


def _members(annotation: Any) -> list[Any]:
    """The members of a union (or the annotation itself)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for m in typing.get_args(annotation) if m is not type(None)]
    return [annotation]


def _numeric(annotation: Any) -> bool:
    """True when ``annotation`` takes numbers and not booleans."""
    members = _members(annotation)
    return bool not in members and any(m in (int, float) for m in members)


def _bool_in_numbers(annotation: Any, value: Any) -> bool:
    """True when ``value`` is, or a list, tuple or mapping ``value`` holds, a boolean where a number belongs."""
    if isinstance(value, bool):
        return _numeric(annotation)
    for member in _members(annotation):
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin in (list, tuple) and isinstance(value, list | tuple) and args:
            kinds = args if origin is tuple and Ellipsis not in args else args[:1] * len(value)
            if any(isinstance(v, bool) and _numeric(k) for k, v in zip(kinds, value, strict=False)):
                return True
        numbers = origin is dict and isinstance(value, dict) and len(args) == 2 and _numeric(args[1])
        if numbers and any(isinstance(v, bool) for v in value.values()):
            return True
    return False


class Strict(BaseModel):
    """Base of every input-file model: unknown keys, NaN and infinite numbers, and booleans for numbers are errors.

    YAML reads ``yes``, ``no``, ``on`` and ``off`` as booleans, which pydantic would otherwise turn into 1 and 0.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name) if isinstance(name, str) else None
                if field is not None and _bool_in_numbers(field.annotation, value):
                    raise ValueError(
                        f"{name}: expected a number, got {value!r} (true/false, yes/no and on/off are booleans)"
                    )
        return data


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int, first: int):
        super().__init__(f"duplicate key {key!r} at line {line} (first at line {first})")
        self.line = line


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # merged keys may be overridden by the mapping's own keys (YAML's merge rule)
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            if key in seen:
                raise _DuplicateKey(key, line, seen[key])
        except TypeError:
            continue  # an unhashable key: PyYAML reports it itself
        seen[key] = line
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)


def safe_loader(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """PyYAML's safe loader on ``base``'s parser, refusing duplicate keys in a mapping (PyYAML keeps the last)."""
    loader = type("SafeLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return loader


PYTHON_LOADER = safe_loader(yaml.SafeLoader)
FAST_LOADER = safe_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
"""On libyaml's parser where PyYAML has it (its wheels do): a tenth of the pure-Python parser's time for the same
documents. Its error messages say less (no character named, no token expected), so a text it refuses is parsed
again by the pure-Python parser for the message (a randomised test checks that the two agree)."""


def _measure(root: yaml.Node) -> tuple[int, int]:
    """Values and depth of a YAML node graph once its aliases are expanded.

    Shared subtrees are counted once and memoised, so an alias bomb costs no more than its text. Raises ValueError
    for a recursive anchor.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]

    def children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [n for pair in node.value for n in pair]
        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            kids = children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            continue
        if key in size:
            continue
        open_.add(key)
        stack.append((node, True))
        for kid in children(node):
            if id(kid) in open_:
                raise ValueError("an anchor refers to itself (a recursive alias)")
            if id(kid) not in size:
                stack.append((kid, False))
    return size[id(root)], depth[id(root)]


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML text safely (no code runs), refusing duplicate keys, deep nesting, alias bombs and recursion.

    Raises:
        ScenarioError: for any of these, for more than :data:`MAX_BYTES` of text and for malformed YAML.
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError([Problem(where, "", f"{len(text):,} characters; at most {MAX_BYTES:,}")])
    try:
        return _parse(text, where, FAST_LOADER)
    except ScenarioError:
        if FAST_LOADER is PYTHON_LOADER:
            raise
    return _parse(text, where, PYTHON_LOADER)


def _parse(text: str, where: str, kind: type[yaml.SafeLoader]) -> Any:
    loader = kind(text)
    try:
        depth = 0
        for event in yaml.parse(text, Loader=kind):  # the parser is iterative; the composer recurses
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ScenarioError([Problem(where, "", f"nested too deeply; at most {MAX_DEPTH} levels")])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node = loader.get_single_node()
        if node is None:
            return None
        values, depth = _measure(node)
        if depth > MAX_DEPTH:
            raise ScenarioError([Problem(where, "", f"nested {depth} levels deep; at most {MAX_DEPTH} are allowed")])
        if values > MAX_VALUES:
            raise ScenarioError(
                [Problem(where, "", f"holds {values:,} values once aliases are expanded; at most {MAX_VALUES:,}")]
            )
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        if isinstance(exc, _DuplicateKey):
            at = f"line {exc.line}"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError([Problem(where, at, f"malformed YAML: {problem}")]) from None
    except RecursionError:
        raise ScenarioError(
            [Problem(where, "", f"nested too deeply; at most {MAX_DEPTH} levels are allowed")]
        ) from None
    except ValueError as exc:
        raise ScenarioError([Problem(where, "", f"malformed YAML: {exc}")]) from None
    finally:
        loader.dispose()


def check_counts(**counts: tuple[Any, int]) -> None:
    """Refuse counts given to a function that are not whole numbers at least their minimum.

    Args:
        counts: ``name=(value, minimum)``; None values are left out (the default applies).

    Raises:
        ScenarioError: naming every count that is not allowed, and what is.
    """
    problems = [
        Problem(name, "", f"expected a whole number >= {low}, got {value!r}")
        for name, (value, low) in counts.items()
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low)
    ]
    if problems:
        raise ScenarioError(problems)


def read_chain(path: Path, kind: str = "scenario", chain: tuple[Path, ...] = ()) -> list[tuple[Path, dict[str, Any]]]:
    """Read one YAML file as a mapping, and the files it ``extends`` (cycles refused).

    Args:
        path: the file.
        kind: what the file is (``scenario``, ``experiment``), for the messages.
        chain: the files that extend this one (to refuse cycles).

    Returns:
        ``(file, mapping)`` pairs, the file itself first and the file nothing extends last.
    """
    check_path(path, f"{kind} file", ScenarioError)
    where = str(path)
    if not path.exists():
        raise ScenarioError([Problem(where, "", "file not found")])
    if path.is_dir():
        raise ScenarioError([Problem(where, "", f"is a folder, not a {kind} file")])
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ScenarioError(
            [
                Problem(
                    where,
                    "",
                    f"{size:,} bytes; a {kind} file is a few kB (at most {MAX_BYTES:,}): is it the right file?",
                )
            ]
        )
    data = path.read_bytes()
    if b"\x00" in data:
        raise ScenarioError([Problem(where, "", f"not a text file (binary content); a {kind} is YAML text")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(where, "", f"not UTF-8 text; a {kind} is YAML text")]) from None
    if not text.strip():
        raise ScenarioError([Problem(where, "", f"the file is empty; a {kind} needs at least a name")])
    raw = parse_yaml(text, where)
    if not isinstance(raw, dict):
        got = type(raw).__name__ if raw is not None else "nothing"
        raise ScenarioError(
            [Problem(where, "", f"the top level must be a mapping of keys (name, geography, ...), got {got}")]
        )
    raw = {str(k): v for k, v in raw.items()}
    parent = raw.get("extends")
    if parent is None:
        return [(path, raw)]
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError([Problem(where, "extends", f"expected the name of a {kind} file")])
    try:
        check_path(path.parent / parent, f"{kind} file", ScenarioError)
    except ScenarioError as exc:
        raise ScenarioError([Problem(where, "extends", exc.problems[0].message)]) from None
    parent_path = (path.parent / parent).resolve()
    if parent_path in chain or parent_path == path.resolve():
        cycle = " -> ".join(str(p) for p in (*chain, path.resolve(), parent_path))
        raise ScenarioError([Problem(where, "extends", f"cycle: {cycle}")])
    if not parent_path.exists():
        raise ScenarioError(
            [
                Problem(
                    where, "extends", f"parent file not found: {parent} (a path from this file's folder: {parent_path})"
                )
            ]
        )
    if parent_path.is_dir():
        raise ScenarioError([Problem(where, "extends", f"{parent} is a folder, not a {kind} file")])
    return [(path, raw), *read_chain(parent_path, kind, (*chain, path.resolve()))]


def merge_chain(files: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    """Deep-merge the mappings of :func:`read_chain`, each over the files it extends.

    A parent's ``name`` is not inherited: a child is its own scenario.
    """
    merged: dict[str, Any] = {}
    for _, raw in reversed(files[1:]):
        merged = deep_merge(merged, {k: v for k, v in raw.items() if k not in ("extends", "name")})
    return deep_merge(merged, {k: v for k, v in files[0][1].items() if k != "extends"})


def replaced_policies(files: list[tuple[Path, dict[str, Any]]]) -> list[Problem]:
    """Warnings for a file whose ``policies`` replace entries of the files it extends without repeating them.

    A list in a file that extends another replaces the parent's (:func:`deep_merge`): a scenario that extends one
    with a zone and lists a policy of its own runs without the zone, which is seldom what was meant. An empty list
    is taken as meant ("none of them").
    """
    out = []
    for k, (child, raw) in enumerate(files[:-1]):
        parents = files[k + 1 :]
        mine, theirs = raw.get("policies"), merge_chain(parents).get("policies")
        if not mine or not isinstance(mine, list) or not isinstance(theirs, list):
            continue
        dropped = [entry for entry in theirs if entry not in mine]
        if dropped:
            source = next(path.name for path, data in parents if "policies" in data)
            count = f"{len(theirs)} {'policy' if len(theirs) == 1 else 'policies'}"
            out.append(
                Problem(
                    str(child),
                    "policies",
                    f"replaces the {count} of {source}, which it extends ({len(dropped)} not repeated here): a list "
                    "in a file replaces the list it extends; list them here too to keep them",
                )
            )
    return out


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
    """``["economy.sigma=4", ...]`` (values parsed as YAML), one such string, or a dict -> ``{dotted key: value}``."""
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    if isinstance(items, str):
        items = [items]
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError([Problem("--set", item, "expected KEY=VALUE, e.g. economy.sigma=4")])
        if key in out:
            raise ScenarioError([Problem(f"--set {key}", "", "given twice; give it once")])
        if not value.strip():
            message = "no value after '='; give one (leave the option out to keep the file's value)"
            raise ScenarioError([Problem(f"--set {key}", "", message)])
        try:
            out[key] = parse_yaml(value, f"--set {key}")
        except ScenarioError:
            raise ScenarioError([Problem(f"--set {key}", "", f"cannot read the value {value!r} as YAML")]) from None
    return out


def leaves(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A mapping of dotted keys, nested or not (``--set overrides.economy.kappa=...`` nests), as flat dotted keys."""
    out = {}
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            out |= leaves(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def refuse_nulls(overrides: Mapping[str, Any]) -> None:
    """Refuse a file's ``overrides`` that set a key to null, naming the keys.

    A file's overrides reach the scenario as options, which leave null out (a flag not given), so a null would be
    dropped without a word.

    Raises:
        ValueError: naming the keys set to null.
    """
    nulls = [key for key, value in leaves(overrides).items() if value is None]
    if nulls:
        raise ValueError(
            f"overrides: {', '.join(nulls)}: null is not applied; give a value, or leave the key out to keep the "
            "scenario's (a section is switched in a scenario file of its own)"
        )


INDEX = re.compile(r"\[(\d+)\]")
"""A list index as messages write it in a path (``policies[0]``)."""


def dotted(key: str) -> str:
    """``policies[0].province``, as messages write paths, in the dotted form keys take (``policies.0.province``)."""
    return INDEX.sub(r".\1", key)


def aliased(key: str, aliases: Mapping[str, str]) -> str:
    """``key`` with its longest leading part that is an alias replaced by what it stands for."""
    head = key
    while head:
        if head in aliases:
            return aliases[head] + key[len(head) :]
        head = head.rpartition(".")[0]
    return key


def apply_overrides(
    raw: dict[str, Any], overrides: Mapping[str, Any], labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Set dotted keys (``policies.0.capacity_jobs`` indexes lists) in a copy of ``raw``.

    Args:
        raw: the data.
        overrides: ``{dotted key: value}``.
        labels: what each key's problems name as their origin (default ``--set KEY``).
    """
    out = copy.deepcopy(raw)
    for key, value in overrides.items():
        origin = (labels or {}).get(key, f"--set {key}")
        parts = key.split(".")
        node: Any = out
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if not part:
                raise ScenarioError([Problem(origin, "", f"{key!r} has an empty part; write keys like economy.sigma")])
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    message = f"{'.'.join(parts[:depth])} has {len(node)} entries; no index {part}"
                    raise ScenarioError([Problem(origin, "", message)])
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
                continue
            if not isinstance(node, dict):
                raise ScenarioError([Problem(origin, "", f"{'.'.join(parts[:depth])} is not a mapping")])
            if last:
                node[part] = value
            elif part not in node and parts[depth + 1].isdigit():
                message = f"{'.'.join(parts[: depth + 1])} has no entries; no index {parts[depth + 1]}"
                raise ScenarioError([Problem(origin, "", message)])
            else:
                if node.get(part) is None:  # absent, or a section left empty (null): set keys start one
                    node[part] = {}
                node = node[part]
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


_ABSENT = object()

PYDANTIC_WORDS = (("a valid tuple", "a list"), ("Tuple should", "The list should"), (" after validation", ""))
"""pydantic's words for a YAML user's: ``range: x`` is not "a valid tuple" but not a list."""

_TAG = re.compile(r"^[\w-]+\[.*\]$|^[A-Z]")
"""How pydantic names the member of a union it tried (``literal['all']``, ``list[Uncertainty]``, ``Uncertainty``)."""


def _path(loc: tuple[Any, ...], raw: Mapping[str, Any]) -> tuple[str, bool]:
    """A YAML path like ``policies[2].province`` from a pydantic location, and whether it named a union's member.

    The members' names pydantic inserts are dropped: the tag of a discriminated union (``sez``), and the type of
    each member it tried for a value that can take several shapes (``literal['all']``, ``list[...]``), which is
    recognised as a name where the YAML has no such key (a list or a plain value has no keys at all).
    """
    out, member = "", False
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else _ABSENT
            continue
        if isinstance(node, dict) and part not in node and isinstance(node.get("type"), str) and node["type"] == part:
            continue  # the discriminator tag pydantic inserts for union members
        if node is not _ABSENT and (not isinstance(node, dict) or (part not in node and _TAG.match(str(part)))):
            member = True
            continue
        out += f".{part}" if out else str(part)
        node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
    return out, member


def _node(raw: Any, path: str) -> Any:
    """The value at a YAML path such as ``policies[2].province``, or ``_ABSENT`` when ``raw`` does not set it."""
    node = raw
    for part in re.findall(r"[^.\[\]]+", path):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _ABSENT
    return node


def problems(
    exc: ValidationError,
    raw: Mapping[str, Any],
    source: str,
    labels: Mapping[str, str],
    model: type[BaseModel],
    files: list[tuple[Path, dict[str, Any]]] | None = None,
) -> list[Problem]:
    """The problems of a validation error, each naming its file (or option), YAML path and what is wrong.

    Args:
        exc: pydantic's error.
        raw: the data that was validated.
        source: the file it came from.
        labels: the dotted keys set by overrides and the option each came from (``{"run.years": "--years"}``);
            their problems name the option.
        model: the model validated against (for the keys allowed at an unknown key).
        files: the file and the files it extends (:func:`read_chain`): a problem names the first of them that
            sets the key it is about.
    """
    problems, alternatives = [], []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path, member = _path(loc, raw)
        kind = err["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(model, loc)
            hint = did_you_mean(str(loc[-1]), allowed, n=2, cutoff=0.75)
            message = "unknown key" + (f"; {hint}" if hint else "")
            message += f" (allowed: {', '.join(allowed)})" if allowed else ""
        elif kind == "missing":
            message = "required key is missing"
        else:
            message = err["msg"].removeprefix("Value error, ")
            # YAML has lists, not tuples, and the user's input is before any validation.
            for python, yaml_words in PYDANTIC_WORDS:
                message = message.replace(python, yaml_words)
            # A rule about one key, checked on its mapping, names the key first ("years: ..."): point at the key.
            field = re.match(r"^([A-Za-z_]\w*): (.*)$", message, re.DOTALL)
            node = _node(raw, path)
            if field and isinstance(node, dict) and field.group(1) in node:
                path, message = (f"{path}.{field.group(1)}" if path else field.group(1)), field.group(2)
        flat = dotted(path)
        origin = next(
            (label for k, label in labels.items() if flat == k or flat.startswith(k + ".") or k.startswith(flat + ".")),
            next((str(name) for name, data in files or [] if _node(data, path) is not _ABSENT), source),
        )
        rule = getattr(err.get("ctx", {}).get("error"), "rule", "")
        problems.append(Problem(origin, path, message, rule))
        alternatives.append(member)
    return _one_per_union(problems, alternatives)


def _one_per_union(problems: list[Problem], alternatives: list[bool]) -> list[Problem]:
    """Pydantic reports a value that can take several shapes once for each shape it tried; say it once.

    Where one shape got further into the value (a problem deeper in it: ``uncertainties[1]``), the value has that
    shape, and what the others say about it is dropped. Otherwise the shapes' messages become one ("Input should be
    'all' or a valid list").
    """
    out: list[Problem] = []
    for k, problem in enumerate(problems):
        if not alternatives[k]:
            out.append(problem)
            continue
        same = [p for p, alt in zip(problems, alternatives, strict=True) if alt and p.where == problem.where]
        deeper = any(
            alt and p.where.startswith((f"{problem.where}[", f"{problem.where}."))
            for p, alt in zip(problems, alternatives, strict=True)
        )
        if deeper or same[0] is not problem:
            continue
        shapes = [same[0].message] + [p.message.removeprefix("Input should be ") for p in same[1:]]
        out.append(Problem(problem.source, problem.where, " or ".join(dict.fromkeys(shapes)), problem.rule))
    return out


def load[M: BaseModel](
    model: type[M],
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    *,
    kind: str = "scenario",
    defaults: Mapping[str, Any] | None = None,
    options: Mapping[str, tuple[str, Any]] | None = None,
    where: str | None = None,
    aliases: Mapping[str, str] | None = None,
    split: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
) -> tuple[M, Path | None]:
    """Read (or take), merge, override and validate an input against ``model``.

    Args:
        model: the pydantic model of the file.
        source: a YAML file, or a mapping with the same content.
        overrides: ``["key.path=value", ...]`` (values parsed as YAML) or ``{"key.path": value}``.
        kind: what the input is, for the messages.
        defaults: keys set before the overrides when the file does not set them (a scenario's name).
        options: more overrides that came from elsewhere, each as ``key: (where, value)`` (``{"run.years":
            ("--years", 5)}``), so that a bad value names the option it came from; None values are left out.
        where: what to call a mapping source in messages (default ``<kind>``).
        aliases: leading parts of override keys that stand for a path (``{"sez": "policy_defaults.sez"}``), so
            ``sez.fdi_uplift`` sets ``policy_defaults.sez.fdi_uplift``; messages keep the key as given.
        split: how the overrides' mapping values break into dotted keys (a section's keys each set on its own).

    Returns:
        The validated model and the resolved path of the file (None for a mapping).

    Raises:
        ScenarioError: listing every problem.
    """
    if isinstance(source, Mapping):
        path, raw, where = None, copy.deepcopy(dict(source)), where or f"<{kind}>"
        files: list[tuple[Path, dict[str, Any]]] = []
    else:
        path = Path(source)
        files = read_chain(path, kind)
        raw, where = merge_chain(files), str(path)
    for key, value in (defaults or {}).items():
        raw.setdefault(key, value)
    changes: dict[str, Any] = {}
    labels: dict[str, str] = {}
    # Strings come from the command line (--set); a mapping from Python (run_scenario's overrides=...).
    flag = "overrides" if isinstance(overrides, Mapping) else "--set"
    parsed = parse_overrides(overrides)
    given = [(k, f"{flag} {k}", v) for k, v in (split(parsed) if split else parsed).items()]
    given += [(k, label, v) for k, (label, v) in (options or {}).items() if v is not None]
    for key, label, value in given:
        target = aliased(dotted(key), aliases or {})
        if target in changes:
            message = f"{labels[target]} and {label} both set {target}; give one of them"
            raise ScenarioError([Problem(label, "", message)])
        changes[target], labels[target] = value, label
    raw = apply_overrides(raw, changes, labels)
    try:
        return model.model_validate(raw), path.resolve() if path else None
    except ValidationError as exc:
        raise ScenarioError(problems(exc, raw, where, labels, model, files)) from None
