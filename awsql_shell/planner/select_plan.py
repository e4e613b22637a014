"""Plan a SELECT: for every resource it reads, which regions, which calls, what is pushed down.

Pure: it reads the catalog and the parsed statement, never the network, and returns a ``SelectPlan``
value, so EXPLAIN shows exactly what a run would do and works offline. Running the plan (fetching,
materializing, SQLite) is the execution layer's; the planner imports no engine.

Pushdowns save calls and never change the answer: the SQL keeps every predicate except the call parameters
(``region``, ``Identifier``, ``TypeName``), which the calls answer exactly. A predicate steers the calls of a
table only as a top-level AND conjunct of its scope's WHERE that names that table (by its alias or name, or
unqualified when it is the scope's only table): nothing under OR or NOT, and nothing of an ON condition,
which an outer join may not narrow (its preserved rows stay whatever ON says). A WHERE conjunct may narrow
what is read of any table of the scope, either side of an outer join included, because ``=``, ``IN`` and
``LIKE`` against literals are never true on NULL: a row left out could only have been joined into rows the
same conjunct drops, and the NULL-filled row an outer join makes in its place fails it too.

- The list filter (``predicates.list_filter``): such conjuncts on columns a listing carries drop listed
  resources before their GetResource, when they are answered exactly as SQLite would (its docstring says
  when); a LIMIT is then pushed down only if every conjunct is answered so, and counts what the filter keeps.
- Listed models (``Fetch.needed``): a listed resource whose listed properties hold every property the
  statement reads of its table gets no GetResource; the gateway decides per resource (``gateway.listing``).
- Pinned identifier columns (``function_name = 'orders-api'``; every part of a compound identifier): one
  GetResource per identifier instead of a listing, but only when the query reads GetResource anyway. Then
  it needs no permission the query did not need already and costs a call per value instead of every page
  and a call per match; a query of listed columns alone keeps listing. A missing resource is no row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import count, product
from typing import Any

from awsql_shell.catalog import Catalog, Column, ResourceEntry, awsql_tables, cloud_control
from awsql_shell.catalog.aws_behaviour import is_global, lists_account_wide
from awsql_shell.catalog.awsql_tables import is_awsql_table
from awsql_shell.catalog.naming import ACCOUNT_ID, PROVIDER, REGION, fold, property_column
from awsql_shell.catalog.regions import DefaultRegion, check_region
from awsql_shell.errors import AwsqlError, UnknownNameError, ValidationError, did_you_mean
from awsql_shell.gateway.vocabulary import Fetch
from awsql_shell.planner.accounts import AccountScope, accounts_for
from awsql_shell.planner.predicates import list_filter, on_column, pinned, pins
from awsql_shell.sql.rewrite import Replacement, needs_quotes, quote_identifier, rewrite
from awsql_shell.sql.statements import ColumnRef, Comparison, Select, SelectScope, Span, TableRef

RAW_COLUMNS: tuple[tuple[str, str], ...] = tuple((c.name, c.type) for c in cloud_control.RESOURCE_COLUMNS)
# Predicates that steer the calls and have no column in the materialized table.
_CALL_PARAMETERS = ("identifier", "typename")
# Columns that steer the calls and are also materialized (each row says where it came from).
_STEERING_COLUMNS = (REGION, ACCOUNT_ID)


@dataclass(frozen=True)
class JoinedParameter:
    """A list-handler parameter taken from another table's rows: ``ON c.function_name = f.function_name``
    lists event invoke configs once per function name found (per region)."""

    property: str  # CloudFormation name the list handler needs, e.g. FunctionName
    source: TableRef  # the table whose rows supply the values
    source_column: str  # canonical column name in that table
    # No table of the statement has the values: awsql lists the parent type (functions) itself first.
    implicit: bool = False

    def describe(self) -> str:
        if self.implicit:
            return f"{self.property} = each {self.source_column} of {self.source.name} in the same region"
        alias = f" {self.source.alias}" if self.source.alias else ""
        return f"{self.property} = each {self.source_column} of {self.source.name}{alias} in the same region"


@dataclass(frozen=True)
class TablePlan:
    """One resource the statement reads: its calls, and the shape of the table its rows become."""

    ref: TableRef
    table: str  # the materialized table's name in SQLite
    type_name: str
    columns: tuple[tuple[str, str], ...]  # (name, type) as materialized
    schema_columns: tuple[Column, ...]  # empty for raw cloud_control tables
    fetches: tuple[Fetch, ...]
    list_only: bool = False
    raw: bool = False
    # Set when the fetches are templates to repeat for each value another table supplies.
    joined: JoinedParameter | None = None
    # The columns whose pinned values are the identifiers read (function_name = 'x' is GetResource('x')).
    identified_by: tuple[str, ...] = ()
    # The properties the statement reads of this table (None: every one, for a star): the others are
    # materialized as NULL, unread, so that count(*) over 48,000 resources converts no property at all.
    read: frozenset[str] | None = None

    # Folded names of the WHERE predicates the calls answer (they become 1 = 1 in the SQL).
    call_parameters: tuple[str, ...] = _CALL_PARAMETERS
    local: bool = False  # one of awsql's own tables (awsql.errors): rows from the session, no call


@dataclass(frozen=True)
class SelectPlan:
    statement: Select
    tables: tuple[TablePlan, ...]
    sql: str  # the statement rewritten for SQLite
    notices: tuple[str, ...] = ()
    # Result columns whose values are JSON the statement built (json_object, ->, ...): ``-o json`` nests them.
    json_columns: tuple[str, ...] = ()
    # Result columns headed as typed that are a table column under its canonical name (FunctionName is
    # function_name): (header, column), so the column's type (a boolean's true/false) carries over.
    copies: tuple[tuple[str, str], ...] = ()
    # Notices a session needs to hear once, not on every query (EXPLAIN shows them always).
    once_per_session: tuple[str, ...] = ()
    # (account, why) of the session's accounts that a table reading every account cannot read.
    missing_accounts: tuple[tuple[str, str], ...] = ()

    @property
    def fetches(self) -> tuple[Fetch, ...]:
        """The calls that need nothing from other tables (joined lists come in a second wave)."""
        return tuple(fetch for table in self.tables if table.joined is None for fetch in table.fetches)

    def source_of(self, table: TablePlan) -> TablePlan:
        assert table.joined is not None
        return next(t for t in self.tables if t.ref is table.joined.source)

    @property
    def column_names(self) -> list[str]:
        """Every column the statement's tables have, for did-you-mean on a mistyped one."""
        return [name for table in self.tables for name, _ in table.columns]


def plan_select(
    statement: Select, catalog: Catalog, default_region: DefaultRegion, accounts: AccountScope | None = None
) -> SelectPlan:
    """``accounts``: the session's (None: one account, id not known; see ``planner.accounts``)."""
    accounts = accounts or AccountScope()
    tables: list[TablePlan] = []
    replacements: list[Replacement] = []
    notices: list[str] = []
    once: list[str] = []
    used_default_region = False
    names = (f"__awsql_{number}" for number in count())
    pushed = _regions_from_outside(statement)
    pushed_accounts = _accounts_from_outside(statement, accounts)
    defaulted: list[TableRef] = []
    steered = False
    every_account = False
    named_missing: list[tuple[str, str]] = []
    for index, scope in enumerate(statement.scopes):
        for ref in (ref for ref in scope.tables if is_awsql_table(ref.name)):
            own = awsql_tables.COLUMNS[ref.name.lower()]
            local = TablePlan(
                ref, next(names), ref.name.lower(), tuple((c.name, c.type) for c in own), own, (), local=True
            )
            tables.append(local)
            replacements.append(Replacement(ref.span.start, ref.span.end, _table_sql(local.table, ref)))
        awscc_tables = [ref for ref in scope.tables if ref.is_awscc]
        _refuse_other_providers(scope, statement)
        _refuse_unqualified_parameters(scope, awscc_tables, statement)
        predicates = {id(ref): _predicates_for(ref, scope, awscc_tables) for ref in awscc_tables}
        named = {id(ref): _named_regions(predicates[id(ref)], statement) for ref in awscc_tables}
        if index in pushed and len(awscc_tables) == 1 and named[id(awscc_tables[0])] is None:
            named[id(awscc_tables[0])] = pushed[index]
        _share_named(scope, awscc_tables, named, REGION)
        owned = {
            id(ref): _named_accounts(predicates[id(ref)], accounts, statement, named_missing) for ref in awscc_tables
        }
        # awsql.accounts (or awsql.errors) filtered to some accounts carries them too, through a join ON
        # a.account_id = f.account_id; an account the session does not have is simply no row there.
        local_refs = [ref for ref in scope.tables if is_awsql_table(ref.name)]
        for ref in local_refs:
            mine = _predicates_for(ref, scope, [*awscc_tables, *local_refs])
            listed = pinned(mine, ACCOUNT_ID)
            if ref.name.lower() == awsql_tables.ACCOUNTS and accounts.several:
                listed = _accounts_by_row(mine, accounts, listed)
            owned[id(ref)] = (
                tuple(a for a in listed if a in accounts.ids) if listed is not None and accounts.several else None
            )
            # One it names that cannot be called is missing from the rows, said as when WHERE names it.
            named_missing.extend(
                (f"account {a}", accounts.unreachable[a]) for a in listed or () if a in accounts.unreachable
            )
        if index in pushed_accounts and len(awscc_tables) == 1 and owned[id(awscc_tables[0])] is None:
            owned[id(awscc_tables[0])] = pushed_accounts[index]
        _share_named(scope, [*awscc_tables, *local_refs], owned, ACCOUNT_ID)
        for ref in awscc_tables:
            _refuse_unread_parameters(
                ref, scope, awscc_tables, predicates[id(ref)], named[id(ref)], owned[id(ref)], statement
            )
            table_accounts = tuple(owned[id(ref)] if owned[id(ref)] is not None else accounts.targets)
            every_account = every_account or owned[id(ref)] is None
            regions = named[id(ref)]
            if regions is None:
                regions = [default_region.required(ref.name, "add WHERE region = '...' (or region IN (...))")]
                used_default_region = True
                defaulted.append(ref)
            else:
                steered = True
            plan = _plan_table(
                ref, next(names), scope, predicates[id(ref)], regions, table_accounts, statement, catalog
            )
            if is_global(plan.type_name) and len(regions) > 1 and not plan.raw:
                # One set per account, whichever region is asked: read once, not once per region.
                plan = replace(plan, fetches=tuple(f for f in plan.fetches if f.region == regions[0]))
                notices.append(
                    f"{plan.type_name} is global (one set per account, seen from every region): read once, "
                    f"in {regions[0]}, so each resource is one row, with region {regions[0]}"
                )
                once.append(notices[-1])
            sources = _implicit_sources(plan, regions, table_accounts, statement, catalog, names)
            if plan.joined is not None and plan.joined.implicit:
                listed = catalog.resolve_resource(ref.name).id
                notices.append(f"{listed} is listed per resource of another type: {plan.joined.describe()}")
                once.append(notices[-1])
            tables.extend([*sources, plan])
            replacements.append(Replacement(ref.span.start, ref.span.end, _table_sql(plan.table, ref)))
            replacements.extend(
                Replacement(c.span.start, c.span.end, "1 = 1")
                for c in pins(predicates[id(ref)])
                if fold(c.column.name) in plan.call_parameters
            )
    replacements.extend(_column_renames(statement, tables))
    replacements.extend(_boolean_literals(statement, tables))
    headers = _headers_as_typed(statement, replacements)
    replacements.extend(replacement for replacement, _ in headers)
    copies = tuple((header, column) for _, (header, column) in headers if column is not None)
    if steered and defaulted:
        # Some table names its regions and this one does not: the default region would be a guess.
        ref = defaulted[0]
        raise ValidationError(
            f"{ref.name}{f' {ref.alias}' if ref.alias else ''} has no region of its own while the statement names "
            f"regions for another table: add {ref.reference}.region = '...' (or join ON {ref.reference}.region = "
            "<other>.region to read the same regions)"
        ).at(statement.offset + ref.span.start)
    if used_default_region:
        notices.append(default_region.notice())
    sql = rewrite(statement.text, replacements)
    json_columns = tuple(json_outputs(statement))
    return SelectPlan(
        statement,
        tuple(tables),
        sql,
        tuple(notices),
        once_per_session=tuple(once),
        json_columns=json_columns,
        copies=copies,
        missing_accounts=tuple(dict.fromkeys([*(accounts.missing if every_account else ()), *named_missing])),
    )


def _regions_from_outside(statement: Select) -> dict[int, list[str]]:
    """Regions an outer scope names for a CTE or derived table (``WITH f AS (SELECT * FROM awscc...) ... FROM f
    WHERE region = 'x'``), by the index of the scope they steer. Pushed down only when that is sound: the inner
    scope reads one awscc table and passes its rows through unmerged (``region`` in its select list or
    ``*``, no LIMIT, grouping, DISTINCT, window or compound); otherwise the filter cannot steer the calls,
    and it is an error that says where to write the region, never the default region in silence."""
    pushed: dict[int, list[str]] = {}
    for index, inner in enumerate(statement.scopes):
        name = inner.source_name
        if name is None:
            continue
        for outer in statement.scopes:
            if outer is inner:
                continue
            reference = _source_reference(outer, name)
            if reference is None:
                continue
            named = [c for c in on_column(outer.where, "region") if _qualifies(c.column, reference, outer)]
            loose = [
                c
                for c in outer.columns
                if fold(c.name) == "region" and outer.in_filter(c) and _qualifies(c, reference, outer)
            ]
            if not named and not loose:
                continue
            sound = named and _passes_through(inner, REGION)
            regions = _named_regions(named, statement) if named else None
            if not sound or regions is None or len(named) != len(loose):
                where = (named or loose)[0]
                example = f"WHERE region = '{regions[0]}'" if regions else "WHERE region = '...'"
                raise ValidationError(
                    f"region filters {name}, which awsql cannot steer from outside it: write the region inside "
                    f"{name} ({example} next to the awscc table it reads)"
                ).at(statement.offset + where.span.start)
            pushed[index] = list(dict.fromkeys([*pushed.get(index, []), *regions]))
    return pushed


def _accounts_by_row(
    predicates: Sequence[Comparison], accounts: AccountScope, listed: list[str] | None
) -> list[str] | None:
    """The accounts whose awsql.accounts row the conjuncts on its string columns keep (``name LIKE 'prod%'``,
    ``status = 'ACTIVE'``), judged as SQLite judges them (``predicates.list_filter``): those are all a table
    joined to it on account_id can meet. None when nothing narrows them."""
    from awsql_shell.gateway.listing import admits

    own = {fold(c.name): c for c in awsql_tables.COLUMNS[awsql_tables.ACCOUNTS]}
    narrowed, _ = list_filter(predicates, lambda column: own.get(fold(column.name)))
    if narrowed is None:
        return listed
    # Suspended accounts are never called, and matched by a name they are skipped, as from every account.
    missed = {who for who, _ in accounts.missing}
    kept = [
        str(row["account_id"])
        for row in accounts.rows
        if admits(narrowed, row) is not False
        and (row["account_id"] in accounts.ids or f"account {row['account_id']}" in missed)
    ]
    return kept if listed is None else [account for account in listed if account in kept]


def _passes_through(inner: SelectScope, column: str) -> bool:
    """Whether a CTE or derived table hands its one awscc table's rows on unmerged, ``column`` among them
    (``*`` or the column in its select list; no LIMIT, grouping, DISTINCT, window or compound): only then may
    a filter outside it on that column steer what it reads."""
    awscc_tables = [t for t in inner.tables if t.is_awscc]
    if len(awscc_tables) != 1 or inner.limit is not None or inner.grouped:
        return False
    return bool(inner.star) or any(fold(c.name) == fold(column) and not inner.in_filter(c) for c in inner.columns)


def _accounts_from_outside(statement: Select, accounts: AccountScope) -> dict[int, tuple[str | None, ...]]:
    """Accounts an outer scope names for a CTE or derived table, by the index of the scope they narrow,
    under the same soundness rule as ``_regions_from_outside``. Where it does not hold the filter stays
    SQLite's over every account: reading them all is the correct answer there, only a costlier one."""
    pushed: dict[int, tuple[str | None, ...]] = {}
    if not accounts.several:
        return pushed
    for index, inner in enumerate(statement.scopes):
        name = inner.source_name
        if name is None or not _passes_through(inner, ACCOUNT_ID):
            continue
        for outer in statement.scopes:
            reference = _source_reference(outer, name) if outer is not inner else None
            if reference is None or not outer.where_is_simple:
                continue
            named = [c for c in on_column(outer.where, ACCOUNT_ID) if _qualifies(c.column, reference, outer)]
            listed = pinned(named, ACCOUNT_ID) if named else None
            if listed is not None and all(account in accounts.ids for account in listed):
                pushed[index] = tuple(dict.fromkeys([*pushed.get(index, ()), *listed]))
    return pushed


def _source_reference(scope: SelectScope, name: str) -> str | None:
    """How ``scope`` refers to the CTE or derived table ``name``: its alias or its name; None if it does not."""
    for table in scope.tables:
        if not table.is_awscc and table.name.lower() == name.lower():
            return table.reference
    return name if name.lower() in scope.derived else None


def _qualifies(column: ColumnRef, reference: str, scope: SelectScope) -> bool:
    if column.qualifier is not None:
        return column.qualifier.lower() == reference.lower()
    return len(scope.tables) + len(scope.derived) == 1


def _implicit_sources(
    plan: TablePlan,
    regions: Sequence[str],
    accounts: Sequence[str | None],
    statement: Select,
    catalog: Catalog,
    names: Iterator[str],
) -> list[TablePlan]:
    """The parent listings a table needs before its own (functions before their event invoke configs),
    grandparents first. They are read like ``_list_only`` views and never appear in the SQL."""
    joined = plan.joined
    if joined is None or not joined.implicit:
        return []
    alone = SelectScope(tables=(joined.source,), where=(), columns=(), star=())
    parent = _plan_table(joined.source, next(names), alone, (), regions, accounts, statement, catalog)
    parent = replace(parent, read=None)  # its values feed the child's listing, which the statement never names
    return [*_implicit_sources(parent, regions, accounts, statement, catalog, names), parent]


def _table_sql(name: str, ref: TableRef) -> str:
    # Without an alias, columns may still be qualified by the resource's last name (functions.runtime).
    return quote_identifier(name) if ref.alias else f"{quote_identifier(name)} AS {quote_identifier(ref.reference)}"


def _refuse_other_providers(scope: SelectScope, statement: Select) -> None:
    """``aws.lambda.functions`` (StackQL's other AWS provider) is a near miss, not a SQLite syntax error."""
    for ref in scope.tables:
        provider, *rest = ref.name.split(".")
        if len(rest) == 2 and provider.lower() != PROVIDER:
            raise UnknownNameError(
                f"unknown provider '{provider}' (did you mean '{PROVIDER}.{'.'.join(rest)}'?): "
                f"awsql answers the {PROVIDER} provider"
            ).at(statement.offset + ref.span.start)


def _refuse_unqualified_parameters(scope: SelectScope, awscc_tables: Sequence[TableRef], statement: Select) -> None:
    """With several tables, ``region = ...`` could steer any of them: say which, rather than guess."""
    if len(scope.tables) < 2 or not awscc_tables:
        return
    for comparison in scope.where:
        column = comparison.column
        if column.qualifier is None and fold(column.name) in (*map(fold, _STEERING_COLUMNS), *_CALL_PARAMETERS):
            examples = " and ".join(f"{t.reference}.{column.name} = ..." for t in scope.tables[:2])
            raise ValidationError(
                f"'{column.name}' is ambiguous with several tables in FROM: qualify it ({examples})"
            ).at(statement.offset + column.span.start)


def _predicates_for(ref: TableRef, scope: SelectScope, awscc_tables: Sequence[TableRef]) -> list[Comparison]:
    """The conjuncts of this scope's WHERE that constrain this table."""
    reference = ref.reference.lower()
    chosen = []
    for comparison in scope.where:
        qualifier = comparison.column.qualifier
        mine = qualifier.lower() == reference if qualifier else len(scope.tables) == len(awscc_tables) == 1
        if mine:
            chosen.append(comparison)
    return chosen


def _named_regions(predicates: Sequence[Comparison], statement: Select) -> list[str] | None:
    """The regions WHERE names for a table (``region = 'x'`` / ``region IN (...)``), or None."""
    for comparison in on_column(predicates, "region"):
        for literal in comparison.values:
            try:
                check_region(str(literal.value))
            except AwsqlError as exc:
                raise exc.at(statement.offset + literal.span.start) from None
    return pinned(predicates, "region")


def _named_accounts(
    predicates: Sequence[Comparison], accounts: AccountScope, statement: Select, missing: list[tuple[str, str]]
) -> tuple[str | None, ...] | None:
    """The accounts WHERE names for a table (``account_id = '...'`` / ``IN (...)``), or None; those named
    that cannot be reached are added to ``missing``."""
    if not on_column(predicates, ACCOUNT_ID):
        return None
    named = accounts_for(predicates, accounts, offset=statement.offset)
    missing.extend(named.missing)
    return named.accounts


def _share_named(scope: SelectScope, awscc_tables: Sequence[TableRef], named: dict[int, Any], column: str) -> None:
    """``ON c.region = f.region`` (or ``account_id``): a table with no regions (accounts) of its own reads
    those of the table it is joined to by that column."""
    by_reference = {t.reference.lower(): t for t in awscc_tables}
    changed = True
    while changed:
        changed = False
        for left, right, _ in _equalities(scope, by_reference, column):
            for mine, theirs in ((left, right), (right, left)):
                if named[id(mine)] is None and named[id(theirs)] is not None:
                    named[id(mine)] = list(named[id(theirs)] or [])
                    changed = True


def _equalities(
    scope: SelectScope, by_reference: dict[str, TableRef], column: str
) -> list[tuple[TableRef, TableRef, tuple[ColumnRef, ColumnRef]]]:
    """``a.region = b.region`` (``column`` = region) between two different awscc tables of the scope."""
    pairs = []
    for left, right in scope.equalities:
        if fold(left.name) == fold(right.name) == fold(column) and left.qualifier and right.qualifier:
            a, b = by_reference.get(left.qualifier.lower()), by_reference.get(right.qualifier.lower())
            if a is not None and b is not None and a is not b:
                pairs.append((a, b, (left, right)))
    return pairs


def _refuse_unread_parameters(
    ref: TableRef,
    scope: SelectScope,
    awscc_tables: Sequence[TableRef],
    predicates: Sequence[Comparison],
    regions: list[str] | None,
    accounts: Sequence[str | None] | None,
    statement: Select,
) -> None:
    """``region``, ``account_id`` and ``Identifier`` steer the calls, so awsql must read them from WHERE; used
    in a way it cannot read (OR, NOT, !=, LIKE, a subquery), they would silently mean the default region, every
    account, or fail later."""
    reference = ref.reference.lower()
    read = [c.span for c in pins(predicates)]  # a LIKE on region names no region
    by_reference = {t.reference.lower(): t for t in awscc_tables}
    shared = [
        column.span
        for steering in _STEERING_COLUMNS
        for _, _, pair in _equalities(scope, by_reference, steering)
        for column in pair
    ]
    steering_what = {
        "region": "region = '...' or region IN (...)",
        "accountid": "account_id = '...' or account_id IN (...)",
        "identifier": "Identifier = '...' or Identifier IN (...)",
    }
    for column in scope.columns:
        parameter = fold(column.name)
        # Every account is read unless WHERE names some, so account_id may be compared freely in ON (a join
        # across accounts); in WHERE, a form that cannot name accounts would look like one that does.
        filtered = scope.in_where(column) if parameter == "accountid" else scope.in_filter(column)
        if parameter not in steering_what or not filtered:
            continue
        if parameter == "identifier" and cloud_control.is_cloud_control(ref.name):
            continue  # the request views have a real identifier column
        qualifier = column.qualifier.lower() if column.qualifier else None
        if qualifier != reference and not (qualifier is None and len(scope.tables) == 1):
            continue
        inside = any(span.start <= column.span.start and column.span.end <= span.end for span in read + shared)
        if inside or (parameter == "region" and regions is not None):
            continue
        if parameter == "accountid" and accounts is not None:
            continue
        raise ValidationError(
            f"{column.name} steers which calls are made, so it must be written as {steering_what[parameter]}, "
            "joined by AND to the rest of WHERE"
        ).at(statement.offset + column.span.start)


def _plan_table(
    ref: TableRef,
    name: str,
    scope: SelectScope,
    predicates: Sequence[Comparison],
    regions: Sequence[str],
    accounts: Sequence[str | None],
    statement: Select,
    catalog: Catalog,
) -> TablePlan:
    identifiers = pinned(predicates, "identifier")
    joined: JoinedParameter | None = None
    if cloud_control.is_cloud_control(ref.name):
        return _plan_raw(ref, name, predicates, regions, accounts, identifiers, catalog)
    try:
        resolved = catalog.resolve_resource(ref.name)
    except AwsqlError as exc:
        raise exc.at(statement.offset + ref.span.start) from None
    entry = resolved.entry
    schema = catalog.schema(entry.type_name)
    details = not resolved.list_only and _needs_details(ref, statement, schema.list_columns, scope)
    identified_by: tuple[str, ...] = ()
    # Only when the query reads GetResource anyway (an account-wide listing reads every resource it keeps).
    reads_anyway = details or (lists_account_wide(entry.type_name) and not resolved.list_only)
    if identifiers is None and reads_anyway and "read" in entry.handlers:
        identifiers, identified_by = _identifiers_from_columns(schema, predicates)
    if identifiers is not None:
        entry.require("read", "SELECT by Identifier")
        _check_identifiers(schema, entry.id, predicates, statement)
        fetches = [
            Fetch(
                region,
                entry.type_name,
                identifiers=tuple(identifiers),
                primary_identifier=schema.primary_identifier,
                account=account,
            )
            for account in accounts
            for region in regions
        ]
    else:
        entry.require("list", "SELECT without Identifier")
        if details:
            entry.require("read", "SELECT of non-identifier columns")
        narrowed, answered = list_filter(predicates, lambda column: _listed_column(column, schema, resolved.list_only))
        limit = _pushable_limit(statement, scope, predicates, answered)
        models, joined = _resource_models(ref, entry, schema, predicates, scope, catalog)
        needed = _read_properties(ref, statement, schema, scope) if details else None
        fetches = [
            Fetch(
                region,
                entry.type_name,
                with_details=details,
                resource_model=model,
                limit=limit,
                list_filter=narrowed,
                primary_identifier=schema.primary_identifier,
                needed=needed,
                account=account,
            )
            for account in accounts
            for region in regions
            for model in models
        ]
    columns = schema.list_columns if resolved.list_only else schema.columns
    fetches = _placed_by_home_region(fetches, regions)
    # NATURAL and USING join on columns the statement does not name: every column is read then.
    joins_by_name = re.search(r"\b(NATURAL|USING)\b", statement.text, re.IGNORECASE) is not None
    read = None if joins_by_name else _read_properties(ref, statement, schema, scope)
    return TablePlan(
        ref=ref,
        table=name,
        type_name=entry.type_name,
        columns=tuple((c.name, c.type) for c in columns),
        schema_columns=columns,
        fetches=tuple(fetches),
        list_only=resolved.list_only,
        joined=joined,
        identified_by=identified_by,
        read=read,
    )


def _plan_raw(
    ref: TableRef,
    name: str,
    predicates: Sequence[Comparison],
    regions: Sequence[str],
    accounts: Sequence[str | None],
    identifiers: list[str] | None,
    catalog: Catalog,
) -> TablePlan:
    from awsql_shell.planner.requests import REQUEST_VIEWS, REQUESTS_TYPE_NAME, plan_request_view

    view = ref.name.lower()
    if view in REQUEST_VIEWS:
        fetches, columns = plan_request_view(ref, predicates, regions, accounts)
        shape = tuple((c.name, c.type) for c in columns)
        return TablePlan(ref, name, REQUESTS_TYPE_NAME, shape, columns, tuple(fetches), call_parameters=())
    if view not in (cloud_control.RESOURCES, cloud_control.RESOURCE):
        hint = did_you_mean(view, (cloud_control.RESOURCES, cloud_control.RESOURCE, *REQUEST_VIEWS))
        raise UnknownNameError(f"unknown resource '{ref.name}'{hint}")
    typed = [(literal, comparison) for comparison in on_column(predicates, "typename") for literal in comparison.values]
    if not typed:
        raise ValidationError(f"{view} needs TypeName = 'AWS::Service::Type' in WHERE")
    entries = [_type_entry(catalog, str(literal.value), comparison) for literal, comparison in typed]
    if view == cloud_control.RESOURCE and identifiers is None:
        raise ValidationError(f"{view} needs Identifier = '...' in WHERE (use {cloud_control.RESOURCES} to list)")
    fetches = []
    for account, region, entry in product(accounts, regions, entries):
        if identifiers is not None:
            entry.require("read", "GetResource")
            fetches.append(Fetch(region, entry.type_name, identifiers=tuple(identifiers), account=account))
        else:
            entry.require("list", "ListResources")
            needed = catalog.schema(entry.type_name).list_required
            if needed:
                raise ValidationError(
                    f"{entry.type_name} can only be listed with {', '.join(needed)} in its ResourceModel, which "
                    f"{view} cannot pass: SELECT from {entry.id} instead (it finds the values itself)"
                )
            fetches.append(Fetch(region, entry.type_name, account=account))
    placed = [
        f
        for entry in entries
        for f in _placed_by_home_region([f for f in fetches if f.type_name == entry.type_name], regions)
    ]
    return TablePlan(ref, name, ",".join(e.type_name for e in entries), RAW_COLUMNS, (), tuple(placed), raw=True)


def _placed_by_home_region(fetches: list[Fetch], regions: Sequence[str]) -> list[Fetch]:
    """An account-wide list type (S3) lists every resource of the account in any region, and only
    GetResource can tell where each lives: one listing (in the first region) instead of one per region, and
    every listed resource read in the statement's regions in turn until its home region answers. A LIMIT
    cannot stop the listing early there, since a listed resource may live in none of those regions."""
    if not fetches or not lists_account_wide(fetches[0].type_name):
        return fetches
    homes = tuple(regions)
    return [
        replace(fetch, with_details=fetch.identifiers is None, limit=None, home_regions=homes)
        for fetch in fetches
        if fetch.region == regions[0]
    ]


def _type_entry(catalog: Catalog, typed: str, comparison: Comparison) -> ResourceEntry:
    """TypeName forgives case, like every other name (``aws::s3::bucket``)."""
    try:
        return catalog.resolve_resource(typed).entry if "::" in typed else catalog.entry(typed)
    except AwsqlError as exc:
        raise exc.at(comparison.values[0].span.start) from None


def _check_identifiers(schema: Any, resource_id: str, predicates: Sequence[Comparison], statement: Select) -> None:
    """An Identifier that cannot name a resource of the type fails here, not as a warning from AWS."""
    for comparison in on_column(predicates, "identifier"):
        for literal in comparison.values:
            try:
                schema.check_identifier(str(literal.value))
            except ValidationError as exc:
                message = exc.message.replace(schema.type_name, resource_id)
                raise ValidationError(message).at(statement.offset + literal.span.start) from None


def _needs_details(ref: TableRef, statement: Select, list_columns: Sequence[Column], scope: SelectScope) -> bool:
    """GetResource is needed unless every column the query touches for this table is in the list result."""
    reference = ref.reference.lower()
    if any(star is None or star.lower() == reference for star in scope.star):
        return True
    in_list = {fold(c.name) for c in list_columns} | {fold(c.property) for c in list_columns} | set(_CALL_PARAMETERS)
    for each in statement.scopes:
        for column in each.columns:
            qualifier = column.qualifier.lower() if column.qualifier else None
            if qualifier not in (None, reference):
                continue
            if fold(column.name) not in in_list:
                return True
    return False


def _read_properties(ref: TableRef, statement: Select, schema: Any, scope: SelectScope) -> frozenset[str] | None:
    """The properties the statement reads of this table (None for a star: all of them), for the gateway to
    skip GetResource where a listing already holds them. Read as ``_needs_details`` reads columns: every
    column of every scope that is unqualified or qualified by this table, so a correlated one counts too."""
    reference = ref.reference.lower()
    if any(star is None or star.lower() == reference for star in scope.star):
        return None
    read: set[str] = set()
    for each in statement.scopes:
        for typed in each.columns:
            qualifier = typed.qualifier.lower() if typed.qualifier else None
            column = _named_column(typed.name, schema.columns) if qualifier in (None, reference) else None
            if column is not None and not column.is_pseudo:
                read.add(column.property)
    return frozenset(read)


def _identifiers_from_columns(
    schema: Any, predicates: Sequence[Comparison]
) -> tuple[list[str] | None, tuple[str, ...]]:
    """The Identifiers that WHERE pins every primary identifier column to (``function_name = 'orders-api'``,
    or for event invoke configs both ``function_name`` and ``qualifier``), joined by '|' in primaryIdentifier
    order, and those columns; (None, ()) unless each part is a string column pinned to strings that can
    only be read as that part: not empty, not a JSON object (Cloud Control's other Identifier form) and,
    in a compound identifier, without '|'."""
    parts: list[list[str]] = []
    columns: list[str] = []
    compound = len(schema.primary_identifier) > 1
    for path in schema.primary_identifier:
        column = next((c for c in schema.columns if c.property == path), None)  # none for a nested path
        if column is None or column.type != "string":
            return None, ()
        mine = [c for c in predicates if _named_column(c.column.name, schema.columns) is column]
        values = pinned(mine, column.property, convert=lambda value: value)
        if values is None or not all(_identifier_part(value, compound) for value in values):
            return None, ()
        parts.append(values)
        columns.append(column.name)
    return ["|".join(combination) for combination in product(*parts)], tuple(columns)


def _identifier_part(value: Any, compound: bool) -> bool:
    return (
        isinstance(value, str) and bool(value.strip()) and not value.startswith("{") and not (compound and "|" in value)
    )


def _listed_column(ref: ColumnRef, schema: Any, list_only: bool) -> Column | None:
    """The column of a listing that ``ref`` names (resolved as the SQL is rewritten), or None when the
    listing does not carry it."""
    column = _named_column(ref.name, schema.list_columns if list_only else schema.columns)
    return column if column is not None and column in schema.list_columns else None


def _pushable_limit(
    statement: Select, scope: SelectScope, predicates: Sequence[Comparison], answered: Sequence[Comparison]
) -> int | None:
    """LIMIT may stop listing early only when nothing local can drop, reorder or merge rows: every conjunct
    steers the calls or is ``answered`` by the list filter, which the LIMIT then counts after (the gateway
    stops after that many listed resources the filter keeps)."""
    if scope is not statement.scopes[0] or len(statement.scopes) != 1 or scope.limit is None:
        return None
    if scope.ordered or scope.grouped or len(scope.tables) != 1 or not scope.where_is_simple:
        return None
    exact = {id(c) for c in answered}
    for c in scope.where:
        steers = c.pins and fold(c.column.name) in (*map(fold, _STEERING_COLUMNS), *_CALL_PARAMETERS)
        if not steers and id(c) not in exact:
            return None
    # A conjunct the parser could not read as a simple comparison filters locally.
    if scope.where_conjuncts != len(scope.where) or len(scope.where) != len(predicates):
        return None
    return scope.limit + (scope.offset or 0)


def _resource_models(
    ref: TableRef,
    entry: ResourceEntry,
    schema: Any,
    predicates: Sequence[Comparison],
    scope: SelectScope,
    catalog: Catalog,
) -> tuple[list[dict[str, Any] | None], JoinedParameter | None]:
    """ListResources' ResourceModel for list handlers that need properties (an EKS cluster name):
    from literals in WHERE, from another table through a join condition, or from the parent type
    (every function, for event invoke configs) that awsql then lists first."""
    resource_id = entry.id
    required = schema.list_required
    if not required:
        return [None], None
    choices: list[list[tuple[str, Any]]] = []
    joined: JoinedParameter | None = None
    for prop in required:
        values = pinned(predicates, prop, convert=lambda value: value)
        if values is not None:  # conjuncts that allow no value at all list nothing
            choices.append([(prop, value) for value in values])
            continue
        if joined is None:
            joined = _joined_parameter(ref, prop, scope) or _parent_parameter(entry, prop, catalog)
            if joined is not None:
                continue
        column = schema.column(prop).name if schema.has_column(prop) else prop
        raise ValidationError(
            f"{resource_id} can only be listed with {column} in WHERE (Cloud Control's list handler "
            f"requires {prop}): add WHERE {column} = '...', or join it on {column} to a table that has it"
        )
    return [dict(combination) for combination in product(*choices)], joined


def _parent_parameter(entry: ResourceEntry, prop: str, catalog: Catalog) -> JoinedParameter | None:
    parent = catalog.list_parent(entry, prop)
    if parent is None:
        return None
    identifier = catalog.schema(parent.type_name).primary_identifier[0]
    # The list view: only the identifiers are needed, so no GetResource per parent.
    source = TableRef(parent.list_only_id or parent.id, None, Span(0, 0))
    return JoinedParameter(prop, source, property_column(identifier), implicit=True)


def _joined_parameter(ref: TableRef, prop: str, scope: SelectScope) -> JoinedParameter | None:
    reference = ref.reference.lower()
    others = {t.reference.lower(): t for t in scope.tables if t.is_awscc and t is not ref}
    for left, right in scope.equalities:
        for mine, theirs in ((left, right), (right, left)):
            if (mine.qualifier or "").lower() != reference or fold(mine.name) != fold(prop):
                continue
            source = others.get((theirs.qualifier or "").lower())
            if source is not None:
                return JoinedParameter(prop, source, theirs.name)
    return None


def _column_renames(statement: Select, tables: Sequence[TablePlan]) -> list[Replacement]:
    """Forgiving column names: ``FunctionName``, ``functionname`` or ``"MemorySize"`` become the canonical
    column. A quoted name that is no column at all is an error: SQLite would quietly read it as a string."""
    by_reference: dict[str, TablePlan] = {t.ref.reference.lower(): t for t in tables}
    # StackQL's fully qualified column (awscc.lambda.functions.function_name) names a table without an alias.
    by_name = {t.ref.name.lower(): t for t in tables if t.ref.alias is None}
    renames = []
    for scope in statement.scopes:
        scope_tables = [by_reference[r.reference.lower()] for r in scope.tables if r.reference.lower() in by_reference]
        only_resources = len(scope_tables) == len(scope.tables) > 0
        for column in scope.columns:
            qualifier = column.qualifier.lower() if column.qualifier else None
            written = statement.text[column.span.start : column.span.end].lower()
            full = next((name for name in by_name if written.startswith(f"{name}.")), None)
            if full is not None:  # the SQL SQLite sees names the table by its reference
                table = by_name[full]
                canonical = _canonical(column.name, [table]) or column.name
                qualified = f"{quote_identifier(table.ref.reference)}.{quote_identifier(canonical)}"
                renames.append(Replacement(column.span.start, column.span.end, qualified))
                continue
            candidates = scope_tables if qualifier is None else [t for r, t in by_reference.items() if r == qualifier]
            quoted = statement.text[column.span.end - 1] in '"`]'
            canonical = _canonical(column.name, candidates)
            if canonical is None:
                if quoted and only_resources and candidates and not _is_alias(statement.text, column.name):
                    known = [name for table in candidates for name, _ in table.columns]
                    raise UnknownNameError(
                        f"no such column: {column.name}{did_you_mean(column.name, known, key=fold)}"
                    ).at(statement.offset + column.span.end - len(column.name) - 2)
                continue
            if canonical != column.name.lower() or (not quoted and needs_quotes(column.name)):
                start = column.span.end - len(column.name) - (2 if quoted else 0)
                renames.append(Replacement(start, column.span.end, quote_identifier(canonical)))
    return renames


def _boolean_literals(statement: Select, tables: Sequence[TablePlan]) -> list[Replacement]:
    """Booleans are materialized as 1 and 0 (SQLite has no boolean type) and print as true and false, so
    ``fifo_queue = 'true'`` is written as it reads: a 'true' or 'false' string compared to a boolean column
    becomes 1 or 0, and ``= 'true'``, ``= TRUE`` and a bare ``fifo_queue`` all agree."""
    by_reference = {t.ref.reference.lower(): t for t in tables}
    replacements = []
    for scope in statement.scopes:
        scope_tables = [by_reference[r.reference.lower()] for r in scope.tables if r.reference.lower() in by_reference]
        for comparison in scope.where:
            if comparison.operator not in ("=", "in"):
                continue
            qualifier = (comparison.column.qualifier or "").lower()
            candidates = [by_reference[qualifier]] if qualifier in by_reference else scope_tables
            name = _canonical(comparison.column.name, candidates)
            kinds = {kind for table in candidates for column, kind in table.columns if column == name}
            if kinds != {"boolean"}:
                continue
            for literal in comparison.values:
                if isinstance(literal.value, str) and literal.value.lower() in ("true", "false"):
                    number = "1" if literal.value.lower() == "true" else "0"
                    replacements.append(Replacement(literal.span.start, literal.span.end, number))
    return replacements


_QUOTED_NAME = re.compile(r'"([^"]*)"|`([^`]*)`|\[([^\]]*)\]')


def _headers_as_typed(
    statement: Select, replacements: Sequence[Replacement]
) -> list[tuple[Replacement, tuple[str, str | None]]]:
    """A result column is named by what the user typed: a select-list item the rewrite changed
    (``max(maximum_retry_attempts)`` read as ``max("maximum_retry_attempts")``, ``FunctionName`` as
    ``"function_name"``) is given its typed text as alias, since SQLite names a column by the text it saw."""
    if not statement.scopes:
        return []
    aliases = []
    for span, alias in statement.scopes[0].outputs:
        if alias is not None:
            continue
        if any(
            span.start <= r.start and r.end <= span.end and r.new != statement.text[r.start : r.end]
            for r in replacements
        ):
            typed = statement.text[span.start : span.end]
            quoted = _QUOTED_NAME.fullmatch(typed)  # "MemorySize" is headed MemorySize, as SQLite would
            header = next(part for part in quoted.groups() if part is not None) if quoted else typed
            # A bare column renamed whole: the header is that column under another name (for its type).
            whole = [r for r in replacements if (r.start, r.end) == (span.start, span.end)]
            column = _unquoted(whole[0].new) if whole else None
            aliases.append((Replacement(span.end, span.end, f" AS {quote_identifier(header)}"), (header, column)))
    return aliases


def _unquoted(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') and name.endswith('"') else name


# What builds JSON in SQLite: a result column made by one of these holds JSON text, which -o json nests.
_JSON_BUILDERS = re.compile(
    r"^\s*(json|json_object|json_array|json_group_array|json_group_object|json_extract|json_patch|json_set|"
    r"json_insert|json_replace|json_remove)\s*\(|[^>]->[^>]",
    re.IGNORECASE,
)


def json_outputs(statement: Select) -> dict[str, str]:
    """Result columns (by the name they get) whose values are JSON built by the statement: ``json``."""
    if not statement.scopes:
        return {}
    kinds = {}
    for span, alias in statement.scopes[0].outputs:
        typed = statement.text[span.start : span.end]
        expression = typed if alias is None else typed[: typed.rfind(alias)].rstrip().removesuffix("AS").rstrip()
        if _JSON_BUILDERS.search(expression):
            kinds[alias if alias is not None else typed] = "json"
    return kinds


def _is_alias(text: str, name: str) -> bool:
    return re.search(rf"\bAS\s+[\"`\[]?{re.escape(name)}\b", text, re.IGNORECASE) is not None


def _canonical(typed: str, tables: Sequence[TablePlan]) -> str | None:
    """The column ``typed`` names in one of ``tables``, matched exactly or ignoring case and underscores."""
    for table in tables:
        for name, _ in table.columns:
            if typed.lower() == name:
                return name
        column = _named_column(typed, table.schema_columns)
        if column is not None:
            return column.name
    return None


def _named_column(typed: str, columns: Sequence[Column]) -> Column | None:
    """The column ``typed`` names among ``columns``: the same name ignoring case, else the first whose column
    or CloudFormation name is equal ignoring case and underscores (what the SQL is rewritten to)."""
    for column in columns:
        if typed.lower() == column.name:
            return column
    for column in columns:
        if fold(column.name) == fold(typed) or fold(column.property) == fold(typed):
            return column
    return None
