"""Run a SELECT plan: fetch in waves, materialize the resources as tables, let SQLite answer.

Tables whose list needs values from another table's rows (a join on a list parameter, or the parent type
awsql lists first) wait for that table: each wave fetches every table whose sources are materialized.
The statement was compiled against empty tables (``check_sql``) before the first call, so a typo costs
nothing. One region or type that fails is a warning on the result, and so are single resources that could
not be read (their rows are dropped, counted per region, type and error); when every fetch read nothing
there is no result at all, since an empty table or a count of 0 would be a made-up answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from awsql_shell.catalog import Catalog
from awsql_shell.engine import Engine, MaterializedTable, SqliteError
from awsql_shell.errors import AwsqlError, ValidationError
from awsql_shell.execution.materialize import distinct_by_place, materialize
from awsql_shell.execution.read_warnings import first_error, missing_accounts, read_warnings
from awsql_shell.execution.sqlite_errors import in_users_terms
from awsql_shell.gateway.vocabulary import Fetch, FetchResult
from awsql_shell.planner.select_plan import SelectPlan, TablePlan
from awsql_shell.result import Result

FetchAll = Callable[[list[Fetch]], list[FetchResult]]
LocalRows = Callable[[str], list[tuple[object, ...]]]  # the rows of one of awsql's own tables, by name
Fetched = Callable[[Sequence[FetchResult]], None]


def check_sql(plan: SelectPlan, engine: Engine, catalog: Catalog) -> None:
    """SQLite compiles the statement against empty tables first: mistakes cost no API call."""
    shapes = [MaterializedTable(t.table, t.columns, []) for t in plan.tables]
    try:
        engine.check(plan.sql, shapes)
    except SqliteError as exc:
        raise in_users_terms(exc, plan.statement, catalog, plan.column_names) from None


def run_select(
    plan: SelectPlan,
    *,
    engine: Engine,
    catalog: Catalog,
    fetch_all: FetchAll,
    local_rows: LocalRows = lambda name: [],
    fetched: Fetched | None = None,
) -> Result:
    """``local_rows`` answers awsql's own tables; ``fetched`` hears every fetch's outcome once all are in
    (the session keeps them for ``awsql.errors``), before an error that they read nothing."""
    materialized: dict[int, MaterializedTable] = {}
    every_fetch: list[FetchResult] = []
    pending = list(plan.tables)
    while pending:
        ready = [t for t in pending if t.joined is None or id(plan.source_of(t)) in materialized]
        if not ready:
            raise ValidationError("the join conditions between these resources form a cycle")
        fetches = {id(t): _fetches_for(t, plan, materialized) for t in ready}
        wave = [f for t in ready for f in fetches[id(t)]]
        outcomes = iter(fetch_all(wave) if wave else [])
        for table in ready:
            outcome = [next(outcomes) for _ in fetches[id(table)]]
            every_fetch.extend(outcome)
            if table.local:
                materialized[id(table)] = MaterializedTable(table.table, table.columns, local_rows(table.type_name))
            else:
                materialized[id(table)] = materialize(table, outcome)
        pending = [t for t in pending if id(t) not in materialized]
    if fetched is not None and every_fetch:
        fetched(every_fetch)
    warnings = [*missing_accounts(plan), *read_warnings(every_fetch, catalog)]
    if every_fetch and all(result.read_nothing for result in every_fetch):
        first = first_error(every_fetch)
        # Said as the warning would say it (rows lost, the permission missing), as the statement's error.
        message = warnings[0] if warnings else str(first)
        more = len(warnings) - 1
        if isinstance(first, AwsqlError) and message == first.message and not more:
            raise first
        raise AwsqlError(message + (f" (and {more} more failures)" if more > 0 else ""))
    tables = [materialized[id(t)] for t in plan.tables]
    try:
        result = engine.query(plan.sql, tables, copies=dict(plan.copies))
    except SqliteError as exc:
        raise in_users_terms(exc, plan.statement, catalog, plan.column_names) from None
    result.notices[:0] = plan.notices
    for name in plan.json_columns:
        result.types.setdefault(name, "json")
    result.warnings.extend(warnings)
    return result


def _fetches_for(table: TablePlan, plan: SelectPlan, done: dict[int, MaterializedTable]) -> Sequence[Fetch]:
    """A joined table's fetches: its template once per value the source table's rows supply, per account and
    region (a row's account_id is the fetch's account, or the session's one account's id for account None)."""
    if table.joined is None:
        return table.fetches
    values = distinct_by_place(done[id(plan.source_of(table))], table.joined.source_column)
    by_region: dict[str, list[Any]] = {}
    for (_, region), found in values.items():
        by_region.setdefault(region, []).extend(found)
    return [
        replace(fetch, resource_model={**(fetch.resource_model or {}), table.joined.property: value})
        for fetch in table.fetches
        for value in (
            values.get((fetch.account, fetch.region), []) if fetch.account else by_region.get(fetch.region, [])
        )
    ]
