"""INSERT, UPDATE and DELETE: validated against the schema, confirmed when they could do more than meant,
sent once, awaited, and reported truthfully (issue 5, dialect sections 3.2-3.4).

The order of a run never changes: refuse under --read-only; validate everything (the planner, offline);
read what the statement needs to know (the rows of INSERT ... SELECT, the resources an UPDATE or DELETE
without Identifier would touch); ask for confirmation when the targets are not named by Identifier; only
then call Cloud Control. EXPLAIN goes through the same validation and stops before reading anything.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from awsql_shell.errors import AwsqlError, CredentialsError, ValidationError
from awsql_shell.planner.explain import EXPLAIN_COLUMNS
from awsql_shell.planner.mutation import (
    FIELD_TYPES,
    NOWAIT_FIELDS,
    REGION_FIELD,
    MutationCall,
    MutationTarget,
    WhereTargets,
    default_region_notice,
    desired_resources,
    insert_layout,
    literal_rows,
    patch_document,
    plan_creates,
    plan_deletes,
    plan_updates,
    resolve_target,
    returning_fields,
    targets_query_text,
    verb_of,
    where_targets,
)
from awsql_shell.result import Result
from awsql_shell.sql import parse_statement
from awsql_shell.sql.statements import Delete, Insert, Select, Update

if TYPE_CHECKING:
    from awsql_shell.executor import Session
    from awsql_shell.gateway.mutations import MutationOutcome

MAX_LISTED_IDENTIFIERS = 10
_PAST = {"INSERT": "created", "UPDATE": "updated", "DELETE": "deleted"}
_EVENT_OPERATION = {"CreateResource": "CREATE", "UpdateResource": "UPDATE", "DeleteResource": "DELETE"}
_INFINITIVE = {"INSERT": "create", "UPDATE": "update", "DELETE": "delete"}
# A row per call when some of several calls failed and there is no RETURNING: which took effect, and why not.
FAILURE_FIELDS = (
    REGION_FIELD,
    "Identifier",
    "Operation",
    "OperationStatus",
    "ErrorCode",
    "StatusMessage",
    "RequestToken",
)


class ConfirmationRequired(ValidationError):
    """An UPDATE or DELETE without Identifier in batch mode without --yes: refused, nothing changed."""


@dataclass
class _Plan:
    """A validated statement: the calls to make, and what to tell the user first."""

    verb: str
    target: MutationTarget
    calls: list[MutationCall]
    returning: tuple[str, ...]
    notices: list[str] = field(default_factory=list)
    unconfirmed: bool = False  # the targets were found by a query, not named by Identifier


# -- entry points ---------------------------------------------------------------------------------


def run_mutation(session: Session, statement: Insert | Update | Delete) -> Result:
    verb = verb_of(statement)
    if session.settings.read_only:
        raise ValidationError(f"{verb} refused: awsql runs with --read-only, so nothing was changed")
    plan = _plan(session, statement)
    if plan.unconfirmed and plan.calls:
        if not _confirmed(session, plan):
            return Result([], [], status=f"{verb} 0", notices=[*plan.notices, "not confirmed: nothing was changed"])
        count = len(plan.calls)
        matched = "the resource the WHERE matched" if count == 1 else f"the {count} resources the WHERE matched"
        plan.notices.append(f"confirmed: {_INFINITIVE[verb]} {matched}")
    if not plan.calls:
        return Result([], [], status=f"{verb} 0", notices=plan.notices)
    wait = _awaits(session, statement)
    outcomes = _send(session, plan.calls, wait)
    _raise_failures(plan, outcomes)
    return _result(plan, outcomes, wait)


def explain_mutation(session: Session, statement: Insert | Update | Delete) -> Result:
    """The calls the statement would make, validated as a real run would be; no network, no gateway."""
    verb = verb_of(statement)
    target = resolve_target(session.catalog, statement)
    returning_fields(statement)
    notices: list[str] = []
    if session.settings.read_only:
        notices.append(f"awsql runs with --read-only: this {verb} would be refused")
    rows: list[tuple[str, str, str, str, str]] = []
    if isinstance(statement, Insert):
        rows += _explain_insert(session, statement, target, notices)
    else:
        rows += _explain_targeted(session, statement, target, notices)
    if _awaits(session, statement):
        regions = ", ".join(dict.fromkeys(row[2] for row in rows if row[1] in _MUTATING and row[2]))
        detail = "each request, until SUCCESS or FAILED (no sooner than its RetryAfter)"
        rows.append(("", "GetResourceRequestStatus", regions, target.type_name, detail))
    else:
        # No status call is made: the plan says so where the calls are.
        rows = [
            (*row[:4], f"{row[4]}; not awaited: its RequestToken is returned at once") if row[1] in _MUTATING else row
            for row in rows
        ]
    numbered = [(str(number), *row[1:]) for number, row in enumerate(rows, 1)]
    return Result.of(EXPLAIN_COLUMNS, numbered, notices=notices)


_MUTATING = ("CreateResource", "UpdateResource", "DeleteResource")


def _awaits(session: Session, statement: Insert | Update | Delete) -> bool:
    if statement.has_hint("nowait"):
        return False
    return statement.has_hint("await") or not session.settings.no_wait


# -- planning -----------------------------------------------------------------------------------------


def _plan(session: Session, statement: Insert | Update | Delete) -> _Plan:
    target = resolve_target(session.catalog, statement)
    returning = returning_fields(statement)
    if isinstance(statement, Insert):
        return _plan_insert(session, statement, target, returning)
    return _plan_targeted(session, statement, target, returning)


def _plan_insert(session: Session, statement: Insert, target: MutationTarget, returning: tuple[str, ...]) -> _Plan:
    layout = insert_layout(target, statement)
    default = session.default_region()
    notices = [] if layout.region_index is not None else [default_region_notice("INSERT", default)]
    if statement.query is None:
        values, spans = literal_rows(statement)
        resources = desired_resources(target, layout, values, default, statement, spans)
    else:
        selected = _read(session, statement.query, "INSERT")
        notices[:0] = selected.notices
        resources = desired_resources(target, layout, selected.rows, default, statement)
    return _Plan("INSERT", target, plan_creates(target, resources), returning, notices)


def _plan_targeted(
    session: Session, statement: Update | Delete, target: MutationTarget, returning: tuple[str, ...]
) -> _Plan:
    verb = verb_of(statement)
    patch = patch_document(target, statement, session.settings.variables) if isinstance(statement, Update) else None
    default = session.default_region()
    query = _targets_query(target, statement)
    where = where_targets(target, statement, default, query)
    notices: list[str] = []
    if where.only_identifiers:
        pairs = where.pairs()
        if where.region_defaulted:
            notices.append(default_region_notice(verb, default))
    else:
        selected = _read(session, query, verb, written_for=statement)
        notices.extend(selected.notices)
        pairs = list(dict.fromkeys((str(r), str(i)) for r, i in selected.rows if i is not None))
    calls = plan_updates(target, pairs, patch) if patch is not None else plan_deletes(target, pairs)
    return _Plan(verb, target, calls, returning, notices, unconfirmed=not where.named)


def _targets_query(target: MutationTarget, statement: Update | Delete) -> Select:
    query = parse_statement(targets_query_text(target, statement))
    assert isinstance(query, Select)
    return query


def _read(session: Session, query: Select, verb: str, written_for: Update | Delete | None = None) -> Result:
    """Rows of a query the mutation depends on; a partial answer would make it act on a guess, so it stops.
    ``written_for``: the statement whose WHERE this query (written by awsql) wraps, for error positions."""
    try:
        result = session._select(query)
    except AwsqlError as exc:
        if written_for is not None and exc.position is not None and exc.statement is None:
            _point_into_where(exc, query, written_for)
        raise
    if result.warnings:
        raise AwsqlError(
            f"{verb} stopped before any change: the resources it depends on could not all be read "
            f"({result.warnings[0]})"
        )
    return result


def _point_into_where(error: AwsqlError, query: Select, statement: Update | Delete) -> None:
    """Move an error's position from the query awsql wrote to the same spot of the user's WHERE."""
    where = statement.where_text or ""
    in_query, in_statement = query.text.rfind(where), statement.text.find(where)
    position = error.position or 0
    if where and in_query >= 0 and in_statement >= 0 and in_query <= position <= in_query + len(where):
        error.position = position - in_query + in_statement
        error.statement = statement.text
    else:
        error.position = None


# -- confirmation -----------------------------------------------------------------------------------------


def _confirmed(session: Session, plan: _Plan) -> bool:
    if session.settings.assume_yes:
        return True
    count = len(plan.calls)
    noun = "resource" if count == 1 else "resources"
    touched = (
        f"{_INFINITIVE[plan.verb]} {count} {plan.target.id} {noun} in {_account(session)} ({_listing(plan.calls)})"
    )
    if session.confirm is None:
        raise ConfirmationRequired(
            f"{plan.verb} does not name its targets by Identifier and would {touched}; nothing was changed: "
            "pass --yes to go ahead, or name them with WHERE Identifier = '...' (or Identifier IN (...))"
        )
    return bool(session.confirm(f"{plan.verb} without Identifier: {touched[0].upper()}{touched[1:]}?"))


def _account(session: Session) -> str:
    """Which account a change lands in, as far as awsql knows without asking STS."""
    settings = session.settings
    if settings.account:
        return f"the sandbox account {settings.account}" if settings.sandbox else f"account {settings.account}"
    if settings.endpoint_url:
        return f"the account behind {settings.endpoint_url}"
    profile = settings.profile or os.environ.get("AWS_PROFILE") or "default"
    return f"the AWS account of profile '{profile}'"


def _listing(calls: Sequence[MutationCall]) -> str:
    by_region: dict[str, list[str]] = {}
    for call in calls:
        by_region.setdefault(call.region, []).append(call.identifier or "")
    parts = []
    for region, identifiers in by_region.items():
        shown = ", ".join(sorted(identifiers)[:MAX_LISTED_IDENTIFIERS])
        more = len(identifiers) - MAX_LISTED_IDENTIFIERS
        parts.append(f"{region}: {shown}{f' and {more} more' if more > 0 else ''}")
    return "; ".join(parts)


# -- running ------------------------------------------------------------------------------------------------


def _send(session: Session, calls: Sequence[MutationCall], wait: bool) -> list[MutationOutcome]:
    from awsql_shell.gateway.mutations import MutationInterrupted

    progress = session.progress
    try:
        return session.gateway.mutate(calls, wait=wait, progress=progress, cancel=session.cancel)
    except MutationInterrupted as interrupted:
        _finish(progress)
        # The shell drops an interrupted statement's outcome, so this goes straight to the terminal.
        for line in interrupted.lines():
            print(line, file=sys.stderr, flush=True)
        raise KeyboardInterrupt from None
    finally:
        _finish(progress)


def _finish(progress: Any) -> None:
    if progress is not None:
        with contextlib.suppress(Exception):  # a broken progress display must not hide the outcome
            progress.finish()


def _raise_failures(plan: _Plan, outcomes: Sequence[MutationOutcome]) -> None:
    """Raise when any call failed. When there were several calls, the error carries a row per call (the
    RETURNING rows, or a status table), so the user learns which ones took effect."""
    failed = [o for o in outcomes if o.error is not None]
    if not failed:
        return
    first = failed[0].error
    assert first is not None
    if len(outcomes) == 1:
        raise first
    error = first
    if not isinstance(first, CredentialsError):
        from awsql_shell.gateway.mutations import MutationError

        done = len(outcomes) - len(failed)
        error = MutationError(
            f"{len(failed)} of {len(outcomes)} {plan.verb} calls failed ({done} succeeded); the first: {first.message}",
            code=getattr(first, "code", "") or type(first).__name__,
            request_token=getattr(first, "request_token", None),
        )
    error.result = _rows(plan.returning or FAILURE_FIELDS, outcomes, status=None, notices=plan.notices)
    raise error


def _result(plan: _Plan, outcomes: Sequence[MutationOutcome], wait: bool) -> Result:
    count = len(outcomes)
    status = f"{plan.verb} {count}" if wait else f"{plan.verb} {count} (not awaited)"
    fields = plan.returning or (() if wait else NOWAIT_FIELDS)
    if not fields:
        return Result([], [], status=status, notices=plan.notices)
    return _rows(fields, outcomes, status=status, notices=plan.notices)


def _rows(
    fields: Sequence[str], outcomes: Sequence[MutationOutcome], *, status: str | None, notices: list[str]
) -> Result:
    rows = [tuple(_field(outcome, name) for name in fields) for outcome in outcomes]
    types = {name: FIELD_TYPES[name] for name in fields if name in FIELD_TYPES}
    return Result(list(fields), rows, status=status, notices=notices, types=types)


def _field(outcome: MutationOutcome, name: str) -> Any:
    event = outcome.event or {}
    if name == REGION_FIELD:
        return outcome.call.region
    if name == "Identifier":
        return event.get("Identifier") or outcome.call.identifier
    value = event.get(name)
    if value is None:
        value = _refused_field(outcome, name)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _refused_field(outcome: MutationOutcome, name: str) -> Any:
    """What a call's row says where its ProgressEvent is silent: a call Cloud Control refused (or whose
    request could not be followed) has no event, or one without the error, so the error speaks instead."""
    error = outcome.error
    if name == "Operation":
        return _EVENT_OPERATION.get(outcome.call.operation)
    if name == "TypeName":
        return outcome.call.type_name
    if error is None:
        return None
    if name == "OperationStatus" and outcome.event is None:
        return "FAILED"  # refused outright: no request was made, and the call failed
    if name == "ErrorCode":
        return getattr(error, "code", None) or None
    if name == "StatusMessage":
        return error.message
    return None


# -- EXPLAIN ------------------------------------------------------------------------------------------------


def _explain_insert(
    session: Session, statement: Insert, target: MutationTarget, notices: list[str]
) -> list[tuple[str, str, str, str, str]]:
    layout = insert_layout(target, statement)
    default = session.default_region()
    if layout.region_index is None:
        notices.append(default_region_notice("INSERT", default))
    if statement.query is None:
        values, spans = literal_rows(statement)
        resources = desired_resources(target, layout, values, default, statement, spans)
        return [_call_row(call) for call in plan_creates(target, resources)]
    from awsql_shell.planner.explain import explain_select

    selected = explain_select(session.plan(statement.query))
    notices.extend(selected.notices)
    mapping = ", ".join(
        f"{json.dumps(column.property)}: <value {index}>"
        for index, column in enumerate(layout.columns, 1)
        if index - 1 != layout.region_index
    )
    region = (default.name or "") if layout.region_index is None else f"<value {layout.region_index + 1}>"
    detail = f"for each row of the query: DesiredState={{{mapping}}}"
    return [*_steps(selected), ("", "CreateResource", region, target.type_name, detail)]


def _explain_targeted(
    session: Session, statement: Update | Delete, target: MutationTarget, notices: list[str]
) -> list[tuple[str, str, str, str, str]]:
    verb = verb_of(statement)
    patch = patch_document(target, statement, session.settings.variables) if isinstance(statement, Update) else None
    default = session.default_region()
    query = _targets_query(target, statement)
    where = where_targets(target, statement, default, query)
    if where.only_identifiers:
        if where.region_defaulted:
            notices.append(default_region_notice(verb, default))
        pairs = where.pairs()
        calls = plan_updates(target, pairs, patch) if patch is not None else plan_deletes(target, pairs)
        return [_call_row(call) for call in calls]
    from awsql_shell.planner.explain import explain_select

    selected = explain_select(session.plan(query))
    notices.extend(selected.notices)
    if not where.named:
        notices.append(
            f"the WHERE does not name Identifier: {verb} first counts the resources it matches, then needs your "
            "confirmation (or --yes)"
        )
    operation = "UpdateResource" if patch is not None else "DeleteResource"
    detail = "for each matching resource"
    if patch is not None:
        detail += f": PatchDocument={json.dumps(list(patch), separators=(',', ':'))}"
    return [*_steps(selected), ("", operation, _regions(where), target.type_name, detail)]


def _regions(where: WhereTargets) -> str:
    return ", ".join(where.regions)


def _steps(selected: Result) -> list[tuple[str, str, str, str, str]]:
    return [("", *row[1:]) for row in selected.rows]  # type: ignore[misc]


def _call_row(call: MutationCall) -> tuple[str, str, str, str, str]:
    return ("", call.operation, call.region, call.type_name, call.describe())
