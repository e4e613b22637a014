"""Errors a user sees, each carrying the exit code the command line reports for it (dialect section 4)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from awsql_shell.result import Result

EXIT_OK = 0
EXIT_STATEMENT = 1
EXIT_USAGE = 2
EXIT_CREDENTIALS = 3
EXIT_PARTIAL = 4
EXIT_INTERRUPTED = 130


_Error = TypeVar("_Error", bound="AwsqlError")


class AwsqlError(Exception):
    """An error with a one-line message for the user; never shown as a traceback."""

    exit_code = EXIT_STATEMENT

    def __init__(self, message: str, *, position: int | None = None, statement: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.statement = statement
        # What the statement did before it failed (a bulk change half done): shown before the error.
        self.result: Result | None = None

    def __str__(self) -> str:
        return self.message

    def at(self: _Error, position: int | None, statement: str | None = None) -> _Error:
        """This error placed at ``position`` (in ``statement``, when given), for ``raise error.at(...)``:
        the one way an error is moved to where the user's text went wrong. ``None`` leaves it where it is."""
        if position is not None:
            self.position = position
            if statement is not None:
                self.statement = statement
        return self


class SqlSyntaxError(AwsqlError):
    """The text is not a statement awsql understands."""


class UnknownNameError(AwsqlError):
    """A service, resource or column that the catalog does not know."""


class AmbiguousNameError(AwsqlError):
    """A forgiving match that fits more than one name."""


class UnsupportedError(AwsqlError):
    """Something the catalog knows but Cloud Control cannot do (no handler for it)."""


class ValidationError(AwsqlError):
    """A statement that names real things but asks for something invalid."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a statement part way; ``report`` says what had already happened (requests that go on
    in AWS), for the face (CLI or shell) to show: the library itself never prints."""

    def report(self) -> list[str]:
        return []


def was_interrupted(error: BaseException) -> bool:
    """Whether Ctrl-C caused ``error``: Python wraps a KeyboardInterrupt raised while a class is being built
    (a dataclass's ``__set_name__``, during an import) in a RuntimeError."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class UsageError(AwsqlError):
    exit_code = EXIT_USAGE


class CredentialsError(AwsqlError):
    exit_code = EXIT_CREDENTIALS


@dataclass(frozen=True)
class Location:
    """A position in a statement as a person counts it: 1-based line and column."""

    line: int
    column: int

    @classmethod
    def of(cls, text: str, offset: int) -> Location:
        before = text[:offset]
        line = before.count("\n") + 1
        return cls(line, offset - (before.rfind("\n") + 1) + 1)


def did_you_mean(word: str, candidates: Iterable[str], *, key=None) -> str:
    """`` (did you mean 'x'?)`` for the closest candidates, or an empty string."""
    candidates = list(candidates)
    keyed = {(key(c) if key else c): c for c in candidates}
    target = key(word) if key else word
    matches = difflib.get_close_matches(target, list(keyed), n=3, cutoff=0.6)
    if not matches:
        return ""
    names = " or ".join(f"'{keyed[m]}'" for m in matches)
    return f" (did you mean {names}?)"


MAX_WORD = 200  # an echoed name or value longer than this is cut in the middle (paths and ARNs fit)
MAX_MESSAGE = 600
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """``text`` fit for one line of a terminal: control characters shown escaped (never sent raw: ESC would
    drive the terminal), every echoed word longer than ``MAX_WORD`` cut in the middle, the whole capped."""
    text = _CONTROL.sub(lambda m: " " if m.group(0) in "\n\r\t" else m.group(0).encode("unicode_escape").decode(), text)
    text = _LONG_WORD.sub(lambda m: f"{m.group(0)[: MAX_WORD // 2]}...{m.group(0)[-20:]}", text)
    return text if len(text) <= MAX_MESSAGE else f"{text[: MAX_MESSAGE - 3]}..."


def describe(error: AwsqlError) -> str:
    """The one line a user sees: the message, then where in the statement it happened."""
    message = one_line(error.message)
    if error.position is None or error.statement is None:
        return message
    where = Location.of(error.statement, error.position)
    return f"{message} (line {where.line}, column {where.column})"


def caret_lines(error: AwsqlError) -> list[str]:
    """For the shell: the offending line of the statement with a caret under the position."""
    if error.position is None or error.statement is None:
        return []
    where = Location.of(error.statement, error.position)
    lines = error.statement.splitlines()
    line = lines[where.line - 1] if error.statement.strip() and where.line <= len(lines) else ""
    before = line[: where.column - 1]
    # Escaped like the message: what stood before the caret may grow, so the caret moves with it.
    shown_before = _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode(), before)
    shown = shown_before + _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode(), line[len(before) :])
    return [shown, " " * len(shown_before) + "^"]
