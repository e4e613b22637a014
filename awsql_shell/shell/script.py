"""A script (``-f``, stdin, ``\\i``, a pasted buffer) as SQL statements and meta command lines, in order.

psql's rule, kept: at the start of a statement, a line that begins with ``\\`` is a meta command up to the
end of the line; inside a statement, a ``\\g``, ``\\gx`` or ``\\G`` ends it (``SELECT 1 \\gx``), and the
rest of that line is the command's argument. A backslash inside a string, quoted name, comment or
``{{ }}`` is text. The shell and batch mode both run a script through ``split_script`` and hand the meta
lines to the one registry, so a script can set its own variables and output.

Each SQL part keeps its offset: ``masked`` blanks the rest of the script (newlines kept), so that errors
count lines and columns from the start of the file the user wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Commands that end the statement they follow, as psql's do.
TERMINATORS = ("\\g", "\\gx", "\\G")
_CLOSERS = {"'": "'", '"': '"', "`": "`", "[": "]", "--": "\n", "/*": "*/", "{{": "}}"}
_TERMINATOR = re.compile(r"\\(gx|g|G)(?=\s|;|$)")


@dataclass(frozen=True)
class ScriptItem:
    """A statement (``meta`` False: SQL up to and including its ';') or a meta command line. A statement
    ended by ``\\g FILE`` carries that command in ``terminator``."""

    text: str
    offset: int
    meta: bool = False
    terminator: str | None = None


def split_script(text: str) -> list[ScriptItem]:
    items: list[ScriptItem] = []
    index, length = 0, len(text)
    start: int | None = None  # where the statement being read began
    while index < length:
        char = text[index]
        if start is None:
            if char.isspace():
                index += 1
                continue
            if char == "\\":
                end = _line_end(text, index)
                items.append(ScriptItem(text[index:end].rstrip(), index, meta=True))
                index = end
                continue
            if text.startswith("--", index):  # a comment between statements belongs to none
                index = _line_end(text, index)
                continue
            start = index
        opener = _opener_at(text, index)
        if opener is not None:
            close = text.find(_CLOSERS[opener], index + len(opener))
            index = length if close < 0 else close + len(_CLOSERS[opener])
            continue
        if char == ";":
            items.append(ScriptItem(text[start : index + 1], start))
            start, index = None, index + 1
            continue
        if char == "\\" and _TERMINATOR.match(text, index):
            end = _line_end(text, index)
            sql = text[start:index].rstrip()
            items.append(ScriptItem(sql, start, terminator=text[index:end].strip()))
            start, index = None, end
            continue
        index += 1
    if start is not None and text[start:].strip():
        items.append(ScriptItem(text[start:].rstrip(), start))
    return items


def ends_with_terminator(text: str) -> bool:
    """Whether the buffer's last statement is ended by ``\\g``/``\\gx``/``\\G`` (Enter runs it)."""
    items = split_script(text)
    return bool(items) and items[-1].terminator is not None


def masked(script: str, item: ScriptItem) -> str:
    """``script`` with everything but ``item`` blanked, line breaks kept: positions stay the user's."""
    end = item.offset + len(item.text)
    return _blank(script[: item.offset]) + item.text + _blank(script[end:])


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _opener_at(text: str, index: int) -> str | None:
    pair = text[index : index + 2]
    if pair in ("--", "/*", "{{"):
        return pair
    char = text[index]
    return char if char in _CLOSERS else None
