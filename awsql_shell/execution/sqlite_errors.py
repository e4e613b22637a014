"""SQLite's complaints said in the user's terms and placed in what they typed: SQLite saw the rewritten
statement (``__awsql_0`` tables, canonical column names), the user did not."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

from awsql_shell.catalog import Catalog, awsql_tables
from awsql_shell.catalog.naming import fold
from awsql_shell.engine import SqliteError
from awsql_shell.errors import AwsqlError, did_you_mean
from awsql_shell.sql.statements import Statement

_NOT_CODE = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_NO_SUCH_TABLE = re.compile(r"no such table: (\S+)")


def in_users_terms(error: SqliteError, statement: Statement, catalog: Catalog, columns: Iterable[str]) -> AwsqlError:
    """``columns``: every column of the statement's tables, for a did-you-mean on a mistyped one."""
    missing_table = _NO_SUCH_TABLE.search(error.message)
    if missing_table:
        error = SqliteError(_unknown_table(missing_table.group(1), catalog), near=missing_table.group(1))
    elif error.missing_column:
        error.message += did_you_mean(error.missing_column, set(columns), key=fold)
        error.args = (error.message,)
    if error.message.endswith("incomplete input"):
        return error.at(statement.offset + len(statement.text.rstrip()))
    error.position = _locate(statement, error.near)
    return error


def _unknown_table(name: str, catalog: Catalog) -> str:
    if name.lower().startswith(f"{awsql_tables.PROVIDER}."):
        hint = did_you_mean(name.lower(), awsql_tables.COLUMNS)
        return f"unknown table '{name}'{hint}: awsql's own tables are {', '.join(awsql_tables.COLUMNS)}"
    if "." in name:
        with contextlib.suppress(AwsqlError):
            return f"unknown table '{name}' (did you mean '{catalog.resolve_resource(name).id}'?)"
    last = name.rsplit(".", 1)[-1].lower()
    candidates = [e.id for e in catalog if e.resource == last or fold(e.resource) == fold(last)]
    if candidates:
        listed = " or ".join(f"'{c}'" for c in candidates[:3])
        return f"unknown table '{name}' (did you mean {listed}?)"
    return f"unknown table '{name}': resources are named awscc.<service>.<resource> (SHOW SERVICES lists them)"


def _locate(statement: Statement, word: str | None) -> int | None:
    """Where a word SQLite names stands in the statement, outside strings and comments."""
    if not word:
        return None
    code = _NOT_CODE.sub(lambda m: " " * len(m.group(0)), statement.text)
    found = re.search(rf"(?<![\w.]){re.escape(word)}(?!\w)", code, re.IGNORECASE)
    return statement.offset + found.start() if found else None
