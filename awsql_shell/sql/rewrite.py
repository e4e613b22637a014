"""Editing the user's SQL text in place: the planner replaces resource names by materialized tables,
forgiving column names by canonical ones and steering predicates by ``1 = 1``, and leaves every other
character as the user wrote it, so SQLite's messages and positions still read against what was typed.

This is SQL-text work, so it lives with the SQL layer: the planner uses it without importing the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Replacement:
    """Replace ``text[start:end]`` by ``new`` when rewriting a statement for SQLite."""

    start: int
    end: int
    new: str


def rewrite(text: str, replacements: Iterable[Replacement]) -> str:
    out: list[str] = []
    cursor = 0
    for item in sorted(replacements, key=lambda r: r.start):
        if item.start < cursor:
            continue  # nested in a span already replaced (a conjunct holding a replaced name)
        out.append(text[cursor : item.start])
        out.append(item.new)
        cursor = item.end
    out.append(text[cursor:])
    return "".join(out)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
