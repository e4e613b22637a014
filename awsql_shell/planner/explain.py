"""EXPLAIN: the calls a plan would make, as rows, without making any. One module for every statement
kind, built from the plan values alone (``SelectPlan``, ``MutationPlan``, ``CatalogPlan``), so what
EXPLAIN shows is what the run does: both come from the same planning path."""

from __future__ import annotations

import json

from awsql_shell.gateway.vocabulary import Fetch
from awsql_shell.planner.mutation_plan import (
    MUTATING_OPERATIONS,
    ChangesFromRows,
    CreatesFromRows,
    MutationPlan,
    RowsToCalls,
    accounts_changed,
)
from awsql_shell.planner.plans import CatalogPlan, Plan
from awsql_shell.planner.select_plan import SelectPlan, TablePlan
from awsql_shell.result import Result

EXPLAIN_COLUMNS = ("step", "operation", "account_id", "region", "type_name", "detail")
Row = tuple[str, str, str, str, str, str]
FetchRow = tuple[str, str, str, str, str]  # a Row without its account
# Rows that differ only by account are one row naming the accounts, these many by id at most.
_ACCOUNTS_NAMED = 4


def explain(plan: Plan) -> Result:
    if isinstance(plan, SelectPlan):
        rows, notices = _select_rows(plan)
    elif isinstance(plan, MutationPlan):
        rows, notices = _mutation_rows(plan)
    else:
        assert isinstance(plan, CatalogPlan)
        rows, notices = [("", "catalog", "", "", "", "answered from the local catalog, no call")], []
    numbered = [(str(number), *row[1:]) for number, row in enumerate(rows, 1)]
    return Result.of(EXPLAIN_COLUMNS, numbered, notices=notices)


# -- SELECT ---------------------------------------------------------------------------------------------


def _select_rows(plan: SelectPlan) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    for table in plan.tables:
        for fetch in table.fetches:
            account = fetch.account or ""
            rows.extend((row[0], row[1], account, *row[2:]) for row in _fetch_rows(fetch, table))
    rows = _by_accounts(rows)
    # Kept as written (a -- comment folded into one line would swallow the rest of the statement).
    rows.append(("", "SQLite", "", "", "", f"local: {plan.sql.strip()}"))
    summary = _call_summary(plan)
    missing = [f"{who} cannot be read, its rows will be missing: {why}" for who, why in plan.missing_accounts]
    return rows, [*plan.notices, *missing, *([summary] if summary else [])]


def _by_accounts(rows: list[Row]) -> list[Row]:
    """Rows alike but for their account as one row: an Organization's accounts read alike."""
    accounts: dict[tuple[str, ...], list[str]] = {}
    for step, operation, account, *rest in rows:
        accounts.setdefault((step, operation, *rest), []).append(account)
    merged: list[Row] = []
    for (step, operation, *rest), ids in accounts.items():
        named = list(dict.fromkeys(ids))
        shown = ", ".join(named) if len(named) <= _ACCOUNTS_NAMED else f"{len(named)} accounts"
        merged.append((step, operation, shown, *rest))  # type: ignore[arg-type]
    return merged


def _call_summary(plan: SelectPlan) -> str | None:
    """How many calls the plan makes at the least, and where: the figure to weigh before a wide SELECT *."""
    fetches = [(fetch, table) for table in plan.tables for fetch in table.fetches if not fetch.reads_requests]
    if not fetches:
        return None
    regions = {region for fetch, _ in fetches for region in (fetch.home_regions or (fetch.region,))}
    types = {fetch.type_name for fetch, _ in fetches}
    accounts = {fetch.account for fetch, _ in fetches}
    lists, gets = _known_calls(plan)
    per_value = any(table.joined is not None for _, table in fetches)
    detailed = any(fetch.with_details for fetch, _ in fetches)
    parts = [f"{lists} ListResources (one more per further page)"] if lists else []
    if per_value:
        parts.append("a ListResources per value another table supplies")
    if gets:
        parts.append(f"{gets} GetResource by identifier at most")
    if detailed:
        parts.append("a GetResource per listed resource that needs one")
    noun = "type" if len(types) == 1 else "types"
    where = "region" if len(regions) == 1 else "regions"
    owners = f"{len(accounts)} accounts" if len(accounts) > 1 else ""
    # "x" only where every combination is called; a statement whose tables read different accounts or
    # regions is said as what it spans.
    product = len(accounts) * len(types) * len(regions)
    joiner = " x " if lists + gets == product or not lists else ", "
    shape = joiner.join(part for part in (owners, f"{len(types)} {noun}", f"{len(regions)} {where}") if part)
    return f"calls: {shape}: " + ", ".join(parts) + " (--max-calls bounds them)"


def _known_calls(plan: SelectPlan) -> tuple[int, int]:
    """The list calls and the GetResource calls by identifier the plan makes at the least (first pages and
    named resources: more pages, and a GetResource per listed resource, show up only as it runs)."""
    fetches = [(fetch, table) for table in plan.tables for fetch in table.fetches if not fetch.reads_requests]
    lists = sum(1 for fetch, table in fetches if fetch.identifiers is None and table.joined is None)
    gets = sum(len(fetch.identifiers) * len(fetch.home_regions or (1,)) for fetch, _ in fetches if fetch.identifiers)
    return lists, gets


def minimum_calls(plan: SelectPlan) -> int:
    """How many Cloud Control calls the plan makes at the least: what --max-calls is checked against first."""
    return sum(_known_calls(plan))


def _fetch_rows(fetch: Fetch, table: TablePlan) -> list[FetchRow]:
    where = (fetch.region, fetch.type_name)
    if fetch.reads_requests:
        if fetch.request_tokens is not None:
            return [("", "GetResourceRequestStatus", *where, f"RequestToken IN ({', '.join(fetch.request_tokens)})")]
        detail = "every page"
        if fetch.status_filter:
            detail += f", ResourceRequestStatusFilter={json.dumps(fetch.status_filter)}"
        return [("", "ListResourceRequests", *where, detail)]
    homes = f", in {', '.join(fetch.home_regions)} in turn until its home region answers" if fetch.home_regions else ""
    if fetch.home_regions:
        where = (", ".join(fetch.home_regions), fetch.type_name)
    if fetch.identifiers is not None:
        ids = ", ".join(fetch.identifiers)
        pinned_by = f" (from {' and '.join(table.identified_by)} in WHERE)" if table.identified_by else ""
        return [("", "GetResource", *where, f"{table.ref.name}: Identifier IN ({ids}){pinned_by}{homes}")]
    detail = f"{table.ref.name}: every page"
    if fetch.resource_model:
        detail += f", ResourceModel={json.dumps(fetch.resource_model)}"
    if table.joined is not None:
        detail += f", once per ResourceModel {table.joined.describe()} (after that table is read)"
    narrowed = f" where {fetch.list_filter.describe()}" if fetch.list_filter is not None else ""
    if fetch.limit is not None:
        detail += f", stop after {fetch.limit} resources{narrowed} (LIMIT pushed down)"
    if table.list_only:
        detail += ", list only"
    if fetch.home_regions:
        detail += f", once: {fetch.type_name} lists every resource of the account from any region"
        rows: list[FetchRow] = [("", "ListResources", fetch.region, fetch.type_name, detail)]
    else:
        rows = [("", "ListResources", *where, detail)]
    if fetch.with_details:
        which = f"only for listed resources{narrowed}" if narrowed else "for each listed resource"
        rows.append(("", "GetResource", *where, f"{which}, concurrently{homes}{_listed_models(fetch, table)}"))
    return rows


def _listed_models(fetch: Fetch, table: TablePlan) -> str:
    """Where rows may need no GetResource: which depends on what each listing returns, known only at run time."""
    if fetch.needed is None or fetch.home_regions:
        return ""
    names = ", ".join(sorted(c.name for c in table.schema_columns if c.property in fetch.needed))
    return f"; no GetResource for rows whose listed properties hold every column needed ({names})"


# -- INSERT, UPDATE, DELETE -----------------------------------------------------------------------------


def _mutation_rows(plan: MutationPlan) -> tuple[list[Row], list[str]]:
    notices = list(plan.notices)
    rows: list[Row] = []
    if plan.read is not None:
        read_rows, read_notices = _select_rows(plan.read.plan)
        rows += read_rows
        notices += read_notices
        rows.append(_per_row(plan.read.then, plan))
    else:
        rows += [
            ("", call.operation, call.account or "", call.region, call.type_name, call.describe())
            for call in plan.calls
        ]
    spanned = accounts_changed(plan.calls)
    if len(spanned) > 1:
        notices.append(
            f"the {plan.verb} spans {len(spanned)} accounts: each is listed with its resources for your "
            "confirmation (or --yes) before any call"
        )
    elif plan.needs_confirmation:
        notices.append(
            f"the WHERE does not name Identifier: {plan.verb} first counts the resources it matches, then needs "
            "your confirmation (or --yes)"
        )
    if plan.awaited:
        changing = [row for row in rows if row[1] in MUTATING_OPERATIONS]
        accounts = ", ".join(dict.fromkeys(row[2] for row in changing if row[2]))
        regions = ", ".join(dict.fromkeys(row[3] for row in changing if row[3]))
        detail = "each request, until SUCCESS or FAILED (no sooner than its RetryAfter)"
        rows.append(("", "GetResourceRequestStatus", accounts, regions, plan.target.type_name, detail))
        if plan.reads_back:
            detail = "each resource after SUCCESS, for RETURNING ResourceModel"
            if plan.verb == "INSERT":
                detail += " (asked again for a few seconds while a new one is not visible yet)"
            rows.append(("", "GetResource", accounts, regions, plan.target.type_name, detail))
    else:
        # No status call is made: the plan says so where the calls are.
        rows = [
            (*row[:5], f"{row[5]}; not awaited: its RequestToken is returned at once")
            if row[1] in MUTATING_OPERATIONS
            else row
            for row in rows
        ]
    return rows, notices


def _per_row(step: RowsToCalls, plan: MutationPlan) -> Row:
    type_name = plan.target.type_name
    if isinstance(step, CreatesFromRows):
        layout = step.layout
        mapping = ", ".join(
            f"{json.dumps(column.property)}: <value {index}>"
            for index, column in enumerate(layout.columns, 1)
            if index - 1 not in (layout.region_index, layout.account_index)
        )
        region = (
            (step.default_region.name or "") if layout.region_index is None else f"<value {layout.region_index + 1}>"
        )
        account = "" if layout.account_index is None else f"<value {layout.account_index + 1}>"
        detail = f"for each row of the query: DesiredState={{{mapping}}}"
        return ("", "CreateResource", account, region, type_name, detail)
    assert isinstance(step, ChangesFromRows)
    operation = "UpdateResource" if step.patch is not None else "DeleteResource"
    detail = "for each matching resource"
    if step.patch is not None:
        detail += f": PatchDocument={json.dumps(list(step.patch), separators=(',', ':'))}"
    return ("", operation, "each row's account_id", ", ".join(step.regions), type_name, detail)
