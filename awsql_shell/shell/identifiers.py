"""Primary identifiers found in a result, so that completion can offer them in ``Identifier = '...'``.

Only what the result plainly shows is taken: an ``identifier`` column with a ``type_name`` beside it
(the raw ``awscc.cloud_control`` views), or, for a SELECT from one resource, its ``identifier`` column
or every part of its primary identifier (joined by ``|`` in the schema's order, as Cloud Control wants).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from awsql_shell.catalog import Catalog
from awsql_shell.catalog.naming import PROVIDER, fold
from awsql_shell.errors import AwsqlError
from awsql_shell.result import Result
from awsql_shell.sql.statements import Select, Statement

MAX_ROWS_SCANNED = 1000
IDENTIFIER_SEPARATOR = "|"
_RAW_VIEWS = f"{PROVIDER}.cloud_control."


def identifiers_seen(statement: Statement | None, result: Result, catalog: Catalog) -> dict[str, list[str]]:
    """Type name -> identifiers, in row order."""
    positions = {fold(name): index for index, name in enumerate(result.columns)}
    rows = result.rows[:MAX_ROWS_SCANNED]
    if "identifier" in positions and "typename" in positions:
        return _per_row_type(rows, positions["typename"], positions["identifier"])
    type_name = _single_type(statement, catalog)
    if type_name is None:
        return {}
    if "identifier" in positions:
        return _collected(type_name, ([row[positions["identifier"]]] for row in rows))
    parts = _identifier_positions(type_name, positions, catalog)
    if not parts:
        return {}
    return _collected(type_name, ([row[index] for index in parts] for row in rows))


def _per_row_type(rows: Sequence[tuple[Any, ...]], type_index: int, identifier_index: int) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in rows:
        type_name, identifier = row[type_index], row[identifier_index]
        if type_name and identifier is not None:
            found.setdefault(str(type_name), []).append(str(identifier))
    return found


def _collected(type_name: str, values: Any) -> dict[str, list[str]]:
    identifiers = [
        IDENTIFIER_SEPARATOR.join(str(part) for part in parts)
        for parts in values
        if all(part is not None and part != "" for part in parts)
    ]
    return {type_name: identifiers} if identifiers else {}


def _single_type(statement: Statement | None, catalog: Catalog) -> str | None:
    """The resource type a SELECT reads, when its outer query reads exactly one."""
    if not isinstance(statement, Select) or not statement.scopes:
        return None
    tables = {table.name.lower() for table in statement.scopes[0].tables}
    if len(tables) != 1:
        return None
    name = tables.pop()
    if not name.startswith(f"{PROVIDER}.") or name.startswith(_RAW_VIEWS):
        return None
    try:
        return catalog.resolve_resource(name).entry.type_name
    except (AwsqlError, ValueError):
        return None


def _identifier_positions(type_name: str, positions: dict[str, int], catalog: Catalog) -> list[int]:
    """Where each part of the primary identifier is in the result; empty unless every part is there."""
    schema = catalog.schema(type_name)
    found = []
    for path in schema.primary_identifier:
        if "/" in path:  # a nested part cannot be read off a column
            return []
        index = positions.get(fold(path))
        if index is None:
            return []
        found.append(index)
    return found
