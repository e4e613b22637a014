"""Evaluate statements in an in-memory SQLite database.

Rows are materialized into temporary tables typed by the schema (integers, reals, booleans as
0/1, objects and arrays as JSON text with CloudFormation keys), the statement's resource names
are replaced by those tables, and SQLite does the rest: joins, CTEs, window functions, json_*.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from awsql_shell.errors import AwsqlError
from awsql_shell.result import Result
from awsql_shell.sql.rewrite import quote_identifier

_SQLITE_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "string": "TEXT"}
_NO_SUCH_COLUMN = re.compile(r"no such column: (?:(\w+)\.)?(\w+)")
_NEAR = re.compile(r'near "([^"]+)"')


class SqliteError(AwsqlError):
    """SQLite refused the statement, in SQLite's words: ``near`` is the text it names (to find it in the user's
    statement), ``missing_column`` the column it did not find. The execution layer says it in the user's terms."""

    def __init__(self, message: str, near: str | None = None, missing_column: str | None = None):
        super().__init__(message)
        self.near = near
        self.missing_column = missing_column


@dataclass
class MaterializedTable:
    """Rows ready for SQLite: ``columns`` are (name, type) with awsql's JSON-schema types."""

    name: str
    columns: Sequence[tuple[str, str]]
    rows: list[tuple[Any, ...]]


def to_sql_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("object", "array") or isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if kind == "boolean":
        if isinstance(value, str):
            return 1 if value.lower() == "true" else 0
        return 1 if value else 0
    if kind == "integer":
        try:
            return int(value)
        except (TypeError, ValueError):
            return value
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return value


class Engine:
    """One in-memory database per session; tables live for one statement."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)

    def close(self) -> None:
        self._db.close()

    def query(
        self, sql: str, tables: Sequence[MaterializedTable] = (), *, copies: Mapping[str, str] | None = None
    ) -> Result:
        """Run ``sql`` with ``tables`` in place; they are dropped afterwards whatever happens. ``copies``: output
        columns that are a table column under another name (the header as typed), for their types."""
        with self._tables(tables):
            try:
                cursor = self._db.execute(sql)
            except sqlite3.Error as exc:
                raise _sqlite_error(exc) from None
            columns = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall()
        types = _output_types(columns, tables, copies or {})
        rows = _restore_booleans(rows, columns, types)
        return Result(columns, rows, types=types)

    def check(self, sql: str, tables: Sequence[MaterializedTable] = ()) -> None:
        """Compile ``sql`` against empty tables of the same columns: a typo fails here, before any API call."""
        empty = [MaterializedTable(table.name, table.columns, []) for table in tables]
        with self._tables(empty):
            try:
                self._db.execute(f"EXPLAIN {sql}").fetchall()
            except sqlite3.Error as exc:
                raise _sqlite_error(exc) from None

    @contextmanager
    def _tables(self, tables: Sequence[MaterializedTable]) -> Iterator[None]:
        created: list[str] = []
        try:
            for table in tables:
                try:
                    self._create(table)
                except sqlite3.Error as exc:  # a table SQLite cannot hold (two columns of one name): say so
                    raise SqliteError(f"cannot hold the rows of {table.name}: {exc}") from None
                created.append(table.name)
            yield
        finally:
            for name in created:
                self._db.execute(f"DROP TABLE IF EXISTS temp.{quote_identifier(name)}")

    def _create(self, table: MaterializedTable) -> None:
        definition = ", ".join(
            f"{quote_identifier(name)} {_SQLITE_TYPES.get(kind, 'TEXT')}" for name, kind in table.columns
        )
        quoted = quote_identifier(table.name)
        self._db.execute(f"CREATE TEMP TABLE {quoted} ({definition})")
        placeholders = ", ".join("?" for _ in table.columns)
        self._db.executemany(f"INSERT INTO temp.{quoted} VALUES ({placeholders})", table.rows)


def _sqlite_error(exc: sqlite3.Error) -> SqliteError:
    message = str(exc)
    missing = _NO_SUCH_COLUMN.search(message)
    if missing:
        qualified = f"{missing.group(1)}.{missing.group(2)}" if missing.group(1) else missing.group(2)
        return SqliteError(f"no such column: {qualified}", near=qualified, missing_column=missing.group(2))
    near = _NEAR.search(message)
    return SqliteError(f"SQL error: {message}", near=near.group(1) if near else None)


def _output_types(
    columns: Sequence[str], tables: Sequence[MaterializedTable], copies: Mapping[str, str]
) -> dict[str, str]:
    """Carry schema types to output columns that are plain copies of a table column, by name."""
    by_name: dict[str, str] = {}
    for table in tables:
        for name, kind in table.columns:
            by_name.setdefault(name, kind)
    named = {column: copies.get(column, column) for column in columns}
    return {column: by_name[source] for column, source in named.items() if source in by_name}


def _restore_booleans(
    rows: list[tuple[Any, ...]], columns: Sequence[str], types: dict[str, str]
) -> list[tuple[Any, ...]]:
    positions = [i for i, column in enumerate(columns) if types.get(column) == "boolean"]
    if not positions:
        return rows
    restored = []
    for row in rows:
        values = list(row)
        for i in positions:
            if values[i] in (0, 1):
                values[i] = bool(values[i])
        restored.append(tuple(values))
    return restored
