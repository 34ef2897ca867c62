"""Errors that are the user's to fix (bad files, bad settings) versus bugs.

Every user mistake raises a subclass of :class:`UserError`. The CLI prints its message and exits with code 2,
without a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


def did_you_mean(word: str, options: Iterable[str], n: int = 3, cutoff: float = 0.6) -> str:
    """``did you mean 'a' or 'b'?`` for the options closest to a misspelt ``word``, or ``""`` when none is close.

    Options named twice (a synthetic province whose id and name are the same word) are offered once.
    """
    close = difflib.get_close_matches(word, list(dict.fromkeys(options)), n=n, cutoff=cutoff)
    return f"did you mean {' or '.join(map(repr, close))}?" if close else ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    Attributes:
        source: the file (or other input) the problem is in.
        where: where in it: a YAML path such as ``policies[2].province`` or ``row 5, column 'population'``.
        message: what is wrong and what is allowed.
        rule: the name of the cross-field rule that refused the input, when one did (:class:`RuleError`): the
            same for every input that rule refuses, whatever the values in its message.
    """

    source: str
    where: str
    message: str
    rule: str = ""

    def __str__(self) -> str:
        location = ": ".join(part for part in (self.source, self.where) if part)
        return f"{location}: {self.message}" if location else self.message


class RuleError(ValueError):
    """A combination of settings a cross-field rule refuses (raised inside pydantic validators).

    Attributes:
        rule: the rule's short name (``firm-size tail``), for counting refusals by rule (claims' robustness draws).
    """

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


class UserError(Exception):
    """An input problem the user can fix; carries one or more :class:`Problem` lines."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(UserError):
    """A geographic dataset (CSV folder) is malformed or inconsistent."""


class ScenarioError(UserError):
    """A scenario or experiment file, or an override, is invalid."""


class ConvergenceError(UserError):
    """A numerical solver did not reach its tolerance for the parameters given.

    The message names what did not converge, the parameters it depends on most and what to try. It is a user
    error: the command line reports it with exit code 2, and a batch records it as the run's error.
    """

    def __init__(self, message: str, parameters: tuple[str, ...] = ()):
        hint = ""
        if parameters:
            hint = (
                f"; it depends most on {', '.join(parameters)}: try values nearer their defaults "
                "(sez-sim params lists them with their sources)"
            )
        super().__init__(Problem("model", "", message + hint))
        self.parameters = parameters
