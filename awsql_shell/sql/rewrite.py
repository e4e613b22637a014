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


# SQLite's keywords (sqlite.org/lang_keywords.html): a column of that name is quoted in the SQL SQLite sees.
_SQLITE_KEYWORD_LINES = (
    "ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN",
    "BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT",
    "CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH",
    "DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST",
    "FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX",
    "INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH",
    "MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER",
    "PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX",
    "RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP",
    "TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW",
    "VIRTUAL WHEN WHERE WINDOW WITH WITHOUT",
)
SQLITE_KEYWORDS = frozenset(word for line in _SQLITE_KEYWORD_LINES for word in line.split())


def needs_quotes(name: str) -> bool:
    return name.upper() in SQLITE_KEYWORDS or not name.replace("_", "a").isalnum() or name[:1].isdigit()
