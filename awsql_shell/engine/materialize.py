"""Fetched resources as rows of the tables a plan names."""

from __future__ import annotations

import json
from typing import Any

from awsql_shell.catalog.naming import fold
from awsql_shell.engine.sqlite import MaterializedTable, to_sql_value
from awsql_shell.errors import UnknownNameError, did_you_mean
from awsql_shell.planner.plan import FetchResult
from awsql_shell.planner.select import TablePlan


def joined_values(source: MaterializedTable, column: str) -> dict[str, list[Any]]:
    """Distinct non-null values of ``column`` per region, in the order the rows came."""
    names = [name for name, _ in source.columns]
    index = next((i for i, name in enumerate(names) if fold(name) == fold(column)), None)
    if index is None:
        raise UnknownNameError(f"unknown column '{column}' in the join condition{did_you_mean(column, names)}")
    region = names.index("region")
    values: dict[str, dict[Any, None]] = {}
    for row in source.rows:
        if row[index] is not None:
            values.setdefault(row[region], {})[row[index]] = None
    return {r: list(v) for r, v in values.items()}


def materialize(table: TablePlan, fetched: list[FetchResult]) -> MaterializedTable:
    rows: list[tuple[Any, ...]] = []
    if table.raw:
        for outcome in fetched:
            region, type_name = outcome.fetch.region, outcome.fetch.type_name
            rows.extend(
                (region, type_name, resource.identifier, json.dumps(resource.properties))
                for resource in outcome.resources
            )
        return MaterializedTable(table.table, table.columns, rows)
    columns = table.schema_columns
    for outcome in fetched:
        for resource in outcome.resources:
            props = resource.properties
            rows.append(
                tuple(
                    outcome.fetch.region if c.is_pseudo else to_sql_value(props.get(c.property), c.type)
                    for c in columns
                )
            )
    return MaterializedTable(table.table, table.columns, rows)
