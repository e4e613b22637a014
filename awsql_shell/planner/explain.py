"""EXPLAIN: the calls a plan would make, as rows, without making any."""

from __future__ import annotations

import json

from awsql_shell.gateway.tasks import Fetch
from awsql_shell.planner.select import SelectPlan, TablePlan
from awsql_shell.result import Result

EXPLAIN_COLUMNS = ("step", "operation", "region", "type_name", "detail")


def explain_select(plan: SelectPlan) -> Result:
    rows: list[tuple[str, str, str, str, str]] = []
    for table in plan.tables:
        for fetch in table.fetches:
            rows.extend(_explain_fetch(fetch, table))
    # Kept as written (a -- comment folded into one line would swallow the rest of the statement).
    rows.append(("", "SQLite", "", "", f"local: {plan.sql.strip()}"))
    numbered = [(str(i), *row[1:]) for i, row in enumerate(rows, 1)]
    return Result.of(EXPLAIN_COLUMNS, numbered, notices=list(plan.notices))


def _explain_fetch(fetch: Fetch, table: TablePlan) -> list[tuple[str, str, str, str, str]]:
    where = (fetch.region, fetch.type_name)
    if fetch.requests:
        if fetch.identifiers is not None:
            return [("", "GetResourceRequestStatus", *where, f"RequestToken IN ({', '.join(fetch.identifiers)})")]
        detail = "every page"
        if fetch.resource_model:
            detail += f", ResourceRequestStatusFilter={json.dumps(fetch.resource_model)}"
        return [("", "ListResourceRequests", *where, detail)]
    if fetch.identifiers is not None:
        ids = ", ".join(fetch.identifiers)
        return [("", "GetResource", *where, f"{table.ref.name}: Identifier IN ({ids})")]
    detail = f"{table.ref.name}: every page"
    if fetch.resource_model:
        detail += f", ResourceModel={json.dumps(fetch.resource_model)}"
    if table.joined is not None:
        detail += f", once per ResourceModel {table.joined.describe()} (after that table is read)"
    if fetch.limit is not None:
        detail += f", stop after {fetch.limit} resources (LIMIT pushed down)"
    if table.list_only:
        detail += ", list only"
    rows = [("", "ListResources", *where, detail)]
    if fetch.with_details:
        rows.append(("", "GetResource", *where, "for each listed resource, concurrently"))
    return rows
