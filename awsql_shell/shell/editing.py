"""When Enter runs the buffer and when it starts a new line, and how a meta command line splits up.

pgcli's rule, kept: a statement runs once it ends with ``;`` (or psql's ``\\g``, ``\\gx``, ``\\G``); a
meta command (``\\x``, ``help``, ``exit``, ``quit``) runs at once.
A ``;`` inside a string, a quoted name or a comment does not count.
"""

from __future__ import annotations

WORD_COMMANDS = ("help", "exit", "quit")

# Openers of the spans in which a ';' is text, not the end of a statement, and what closes each.
_CLOSERS = {"'": "'", '"': '"', "`": "`", "[": "]", "--": "\n", "/*": "*/", "{{": "}}"}


def is_meta_command(text: str) -> bool:
    """A backslash command, or one of the bare words psql users type: help, exit, quit."""
    stripped = text.strip()
    if stripped.startswith("\\"):
        return True
    first_word = stripped.rstrip(";").split(maxsplit=1)[0].lower() if stripped.rstrip(";") else ""
    return first_word in WORD_COMMANDS


def split_meta_command(text: str) -> tuple[str, str]:
    """``\\o  json`` -> (``\\o``, ``json``); ``exit;`` -> (``exit``, ``""``). A ';' at the very end is
    dropped: people used to SQL type ``\\o json;``."""
    stripped = text.strip().removesuffix(";").rstrip()
    parts = stripped.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def statement_complete(text: str) -> bool:
    """True when Enter should run ``text``: nothing typed, a meta command, or SQL whose last token is ``;``."""
    if not text.strip() or is_meta_command(text):
        return True
    if "\\" in text:  # SELECT ... \gx ends the statement as ';' does
        from awsql_shell.shell.script import ends_with_terminator

        if ends_with_terminator(text):
            return True
    return _ends_with_semicolon(text)


def _ends_with_semicolon(text: str) -> bool:
    last_significant = ""
    index = 0
    length = len(text)
    while index < length:
        opener = _opener_at(text, index)
        if opener is not None:
            closer = _CLOSERS[opener]
            end = text.find(closer, index + len(opener))
            if end < 0:
                # Still inside a string or block comment: Enter continues it. An open line comment is fine.
                return opener == "--" and last_significant == ";"
            if opener not in ("--", "/*"):
                last_significant = opener
            index = end + len(closer)
            continue
        char = text[index]
        if not char.isspace():
            last_significant = char
        index += 1
    return last_significant == ";"


def _opener_at(text: str, index: int) -> str | None:
    pair = text[index : index + 2]
    if pair in ("--", "/*", "{{"):
        return pair
    char = text[index]
    return char if char in _CLOSERS else None
