"""Fetched resources as the rows of a plan's table, typed by the schema, and the values a table's rows
supply to a joined list (``ON c.function_name = f.function_name``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from awsql_shell.catalog.naming import fold
from awsql_shell.engine import MaterializedTable, to_sql_value
from awsql_shell.errors import UnknownNameError, did_you_mean
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
                    type_name,
                    resource.identifier,
                    json.dumps(resource.properties, separators=(",", ":")),
                )
                for resource in outcome.resources
            )
        return MaterializedTable(table.table, table.columns, rows)
    for outcome in fetched:
        # A list handler given a ResourceModel returns resources that all share its values.
        given = outcome.fetch.resource_model or {}
        for resource in outcome.resources:
            props = {**given, **resource.properties} if given else resource.properties
            # Where the resource lives: its own region when an account-wide listing found it elsewhere.
            region = resource.region or outcome.fetch.region
            rows.append(
                tuple(
                    region if c.is_pseudo else to_sql_value(props.get(c.property), c.type) for c in table.schema_columns
                )
            )
    return MaterializedTable(table.table, table.columns, rows)


def distinct_by_region(table: MaterializedTable, column: str) -> dict[str, list[Any]]:
    """Distinct non-null values of ``column`` (matched forgivingly) per region, in row order."""
    names = [name for name, _ in table.columns]
    index = next((i for i, name in enumerate(names) if fold(name) == fold(column)), None)
    if index is None:
        raise UnknownNameError(f"unknown column '{column}' in the join condition{did_you_mean(column, names)}")
    region = names.index("region")
    values: dict[str, dict[Any, None]] = {}
    for row in table.rows:
        if row[index] is not None:
            values.setdefault(row[region], {})[row[index]] = None
    return {r: list(v) for r, v in values.items()}
