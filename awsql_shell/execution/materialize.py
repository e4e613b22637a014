"""Fetched resources as the rows of a plan's table, typed by the schema, and the values a table's rows
supply to a joined list (``ON c.function_name = f.function_name``).

A row's identifier columns fall back to ``ResourceDescription.Identifier`` (split on '|' in primaryIdentifier
order) when the listed or read properties leave them out: Cloud Control always returns the Identifier, while
a handler's model may omit the properties it is made of, and an identifier column must never read NULL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from awsql_shell.catalog.naming import ACCOUNT_ID, REGION, fold
from awsql_shell.engine import MaterializedTable, to_sql_value
from awsql_shell.errors import UnknownNameError, did_you_mean
from awsql_shell.gateway.listing import row_properties
from awsql_shell.gateway.vocabulary import FetchResult
from awsql_shell.planner.select_plan import TablePlan


def materialize(table: TablePlan, fetched: Sequence[FetchResult]) -> MaterializedTable:
    rows: list[tuple[Any, ...]] = []
    if table.raw:
        for outcome in fetched:
            type_name = outcome.fetch.type_name
            rows.extend(
                (
                    resource.region or outcome.fetch.region,
                    outcome.account_id,
                    type_name,
                    resource.identifier,
                    json.dumps(dict(resource.properties), separators=(",", ":")),
                )
                for resource in outcome.resources
            )
        return MaterializedTable(table.table, table.columns, rows)
    # Only the columns the statement reads are materialized (it was compiled against them all; it names no
    # other), so count(*) over 48,000 resources converts and stores no property at all.
    read = table.read
    kept = [c for c in table.schema_columns if c.is_pseudo or read is None or c.property in read]
    converted = [(index, c.property, c.type) for index, c in enumerate(kept) if not c.is_pseudo]
    pseudo = [(index, c.property) for index, c in enumerate(kept) if c.is_pseudo]
    width = len(kept)
    for outcome in fetched:
        # A list handler given a ResourceModel returns resources that all share its values, and identifier
        # columns a list or read handler leaves out are still known: the Identifier spells them.
        for resource in outcome.resources:
            props = row_properties(outcome.fetch, resource.identifier, resource.properties) if converted else {}
            # Where the resource lives: its own region when an account-wide listing found it elsewhere.
            where = {REGION: resource.region or outcome.fetch.region, ACCOUNT_ID: outcome.account_id}
            row: list[Any] = [None] * width
            for index, name in pseudo:
                row[index] = where[name]
            for index, name, kind in converted:
                row[index] = to_sql_value(props.get(name), kind)
            rows.append(tuple(row))
    return MaterializedTable(table.table, tuple((c.name, c.type) for c in kept), rows)


def distinct_by_place(table: MaterializedTable, column: str) -> dict[tuple[str, str], list[Any]]:
    """Distinct non-null values of ``column`` (matched forgivingly) per (account_id, region), in row order:
    a child list is read where its parent lives."""
    names = [name for name, _ in table.columns]
    index = next((i for i, name in enumerate(names) if fold(name) == fold(column)), None)
    if index is None:
        raise UnknownNameError(f"unknown column '{column}' in the join condition{did_you_mean(column, names)}")
    region, account = names.index(REGION), names.index(ACCOUNT_ID)
    values: dict[tuple[str, str], dict[Any, None]] = {}
    for row in table.rows:
        if row[index] is not None:
            values.setdefault((row[account], row[region]), {})[row[index]] = None
    return {place: list(v) for place, v in values.items()}
