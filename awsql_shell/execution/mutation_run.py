"""Run a mutation plan: read what it depends on, confirm when the targets were found rather than named,
send the calls once, and report truthfully (issue 5, dialect sections 3.2-3.4).

The order never changes: the plan is validated offline before anything (the planner); then the read
(the rows of INSERT ... SELECT, the resources an UPDATE or DELETE without Identifier would touch), which
must be complete, since a partial read would make the change act on a guess; then confirmation; only then
Cloud Control. Everything the runner needs comes in as arguments; it never prints (an interrupted run
raises an ``Interrupted`` whose report the face shows).

RETURNING ResourceModel of an awaited INSERT or UPDATE shows each resource as GetResource reads it after
SUCCESS (``MutationPlan.reads_back``; why in ``gateway.read_back``), through the ``read_back`` function the
runner is handed. A resource that cannot be read back keeps its ProgressEvent's ResourceModel and costs a
warning (exit code 4): the change itself took effect, so it is never reported as failed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from awsql_shell.errors import EXIT_PARTIAL, AwsqlError, CredentialsError, Interrupted, ValidationError
from awsql_shell.planner.mutation_plan import (
    ACCOUNT_FIELD,
    FIELD_TYPES,
    NOWAIT_FIELDS,
    REGION_FIELD,
    MutationPlan,
    ReadFirst,
    accounts_changed,
)
from awsql_shell.planner.select_plan import SelectPlan
from awsql_shell.result import Result

if TYPE_CHECKING:
    from awsql_shell.gateway.mutation_send import MutationOutcome
    from awsql_shell.gateway.read_back import ReadBackResult
    from awsql_shell.gateway.vocabulary import MutationCall, ReadBack

MAX_LISTED_IDENTIFIERS = 10
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

ReadRows = Callable[[SelectPlan], Result]
Send = Callable[[Sequence["MutationCall"], bool], list["MutationOutcome"]]
ReadBackResources = Callable[[Sequence["ReadBack"]], list["ReadBackResult"]]
Confirm = Callable[[str], bool]
# A resource read back after the change, by the position of its outcome.
Models = dict[int, dict[str, Any]]


class ReadBackInterrupted(Interrupted):
    """Ctrl-C while reading back what was changed: the changes themselves were all made."""

    def __init__(self, verb: str, count: int):
        super().__init__("interrupted")
        self.verb = verb
        self.count = count

    def report(self) -> list[str]:
        calls = "the call" if self.count == 1 else f"all {self.count} calls"
        return [
            f"interrupted: {calls} of the {self.verb} took effect; only reading the resources back for "
            "RETURNING ResourceModel was interrupted"
        ]


class ConfirmationRequired(ValidationError):
    """An UPDATE or DELETE without Identifier in batch mode without --yes: refused, nothing changed."""


@dataclass(frozen=True, kw_only=True)
class Consent:
    """How a change that does not name its targets gets the user's word: --yes, a question (the shell),
    or neither (batch: refused with the way to go ahead). ``account`` names where the change lands."""

    assume_yes: bool
    ask: Confirm | None
    account: str


def run_mutation(
    plan: MutationPlan, *, read: ReadRows, send: Send, consent: Consent, read_back: ReadBackResources
) -> Result:
    verb = plan.verb
    notices = list(plan.notices)
    calls = plan.calls
    if plan.read is not None:
        selected = _read(plan.read, read, verb)
        notices[:0] = selected.notices
        calls = plan.calls_for(selected.rows)
    several = len(accounts_changed(calls)) > 1
    if (plan.needs_confirmation or several) and calls:
        if not _confirmed(plan, calls, consent):
            return Result([], [], status=f"{verb} 0", notices=[*notices, "not confirmed: nothing was changed"])
        count = len(calls)
        matched = "the resource the WHERE matched" if count == 1 else f"the {count} resources the WHERE matched"
        if several:
            matched = f"{count} resources in {len(accounts_changed(calls))} accounts"
        notices.append(f"confirmed: {_INFINITIVE[verb]} {matched}")
    if not calls:
        return Result([], [], status=f"{verb} 0", notices=notices)
    outcomes = send(calls, plan.awaited)
    models, warnings = _read_back(plan, outcomes, read_back) if plan.reads_back else ({}, [])
    _raise_failures(plan, outcomes, notices, models, warnings)
    return _result(plan, outcomes, notices, models, warnings)


def _read_back(
    plan: MutationPlan, outcomes: Sequence[MutationOutcome], read_back: ReadBackResources
) -> tuple[Models, list[str]]:
    """Each resource that reached SUCCESS, as GetResource reads it now; a warning for each that cannot be."""
    from awsql_shell.gateway.vocabulary import ReadBack

    wanted: list[tuple[int, ReadBack]] = []
    warnings: list[str] = []
    for index, outcome in enumerate(outcomes):
        if outcome.status != "SUCCESS":
            continue
        call = outcome.call
        identifier = (outcome.event or {}).get("Identifier") or call.identifier
        if not identifier:
            warnings.append(f"{_not_read_back(call)}: its ProgressEvent names no Identifier{_KEPT}")
            continue
        created = plan.verb == "INSERT"
        wanted.append((index, ReadBack(call.region, call.type_name, identifier, created=created, account=call.account)))
    if not wanted:
        return {}, warnings
    try:
        results = read_back([request for _, request in wanted])
    except KeyboardInterrupt:
        raise ReadBackInterrupted(plan.verb, len(outcomes)) from None
    models: Models = {}
    for (index, _), result in zip(wanted, results, strict=True):
        if result.properties is not None:
            models[index] = result.properties
        else:
            cause = result.error.message if result.error is not None else "no answer"
            warnings.append(f"{_not_read_back(outcomes[index].call)} ({cause}){_KEPT}")
    return models, warnings


_KEPT = "; RETURNING shows the ResourceModel of its ProgressEvent"


def _not_read_back(call: MutationCall) -> str:
    return f"{call.operation} in {call.region} took effect, but the resource could not be read back"


def _read(step: ReadFirst, read: ReadRows, verb: str) -> Result:
    """Rows of the query the mutation depends on; a partial answer would make it act on a guess, so it stops."""
    try:
        result = read(step.plan)
    except AwsqlError as exc:
        raise step.relocate(exc) from None
    if result.warnings:
        raise AwsqlError(
            f"{verb} stopped before any change: the resources it depends on could not all be read "
            f"({result.warnings[0]})"
        )
    return result


# -- confirmation -----------------------------------------------------------------------------------------


_ACCOUNTS_LISTED = 5  # a change across more accounts lists these, then how many more (EXPLAIN lists them all)


def _confirmed(plan: MutationPlan, calls: Sequence[MutationCall], consent: Consent) -> bool:
    """A change that does not name its targets by Identifier, or that spans several accounts, is made only
    with the user's word: every account is listed, with how many resources of it change."""
    if consent.assume_yes:
        return True
    count = len(calls)
    noun = "resource" if count == 1 else "resources"
    accounts = accounts_changed(calls)
    if len(accounts) > 1:
        per_account = {account: [call for call in calls if call.account == account] for account in accounts}
        each = "; ".join(
            f"account {account}: {len(mine)} ({_listing(mine)})"
            for account, mine in list(per_account.items())[:_ACCOUNTS_LISTED]
        )
        rest = list(per_account.values())[_ACCOUNTS_LISTED:]
        if rest:
            more = sum(len(mine) for mine in rest)
            each += f"; and {len(rest)} more accounts, {more} {'resource' if more == 1 else 'resources'} in all"
        touched = f"{_INFINITIVE[plan.verb]} {count} {plan.target.id} {noun} in {len(accounts)} accounts ({each})"
        why = "spans several accounts"
        named = (
            "or give every row the same account_id"
            if plan.verb == "INSERT"
            else "or name one account with WHERE account_id = '...'"
        )
    else:
        where = f"account {accounts[0]}" if accounts else consent.account
        touched = f"{_INFINITIVE[plan.verb]} {count} {plan.target.id} {noun} in {where} ({_listing(calls)})"
        why = "does not name its targets by Identifier"
        named = "or name them with WHERE Identifier = '...' (or Identifier IN (...))"
    if consent.ask is None:
        raise ConfirmationRequired(
            f"{plan.verb} {why} and would {touched}; nothing was changed: pass --yes to go ahead, {named}"
        )
    lead = f"{plan.verb} across accounts" if len(accounts) > 1 else f"{plan.verb} without Identifier"
    return bool(consent.ask(f"{lead}: {touched[0].upper()}{touched[1:]}?"))


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


# -- outcomes ---------------------------------------------------------------------------------------------


def _raise_failures(
    plan: MutationPlan, outcomes: Sequence[MutationOutcome], notices: list[str], models: Models, warnings: list[str]
) -> None:
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
        from awsql_shell.gateway.mutation_send import MutationError

        done = len(outcomes) - len(failed)
        error = MutationError(
            f"{len(failed)} of {len(outcomes)} {plan.verb} calls failed ({done} succeeded); the first: {first.message}",
            code=getattr(first, "code", "") or type(first).__name__,
            request_token=getattr(first, "request_token", None),
        )
        if done:
            error.exit_code = EXIT_PARTIAL  # some changes took effect: a partial result, as the README says
    error.result = _rows(plan.returning or FAILURE_FIELDS, outcomes, models, status=None, notices=notices)
    error.result.warnings = warnings
    raise error


def _result(
    plan: MutationPlan, outcomes: Sequence[MutationOutcome], notices: list[str], models: Models, warnings: list[str]
) -> Result:
    count = len(outcomes)
    status = f"{plan.verb} {count}" if plan.awaited else f"{plan.verb} {count} (not awaited)"
    fields = plan.returning or (() if plan.awaited else NOWAIT_FIELDS)
    if not fields:
        return Result([], [], status=status, notices=notices, warnings=warnings)
    result = _rows(fields, outcomes, models, status=status, notices=notices)
    result.warnings = warnings
    return result


def _rows(
    fields: Sequence[str],
    outcomes: Sequence[MutationOutcome],
    models: Models,
    *,
    status: str | None,
    notices: list[str],
) -> Result:
    if ACCOUNT_FIELD not in fields and accounts_changed([outcome.call for outcome in outcomes]):
        fields = (*fields, ACCOUNT_FIELD)  # several accounts: which one each row is, always
    rows = [
        tuple(_field(outcome, name, models.get(index)) for name in fields) for index, outcome in enumerate(outcomes)
    ]
    types = {name: FIELD_TYPES[name] for name in fields if name in FIELD_TYPES}
    return Result(list(fields), rows, status=status, notices=notices, types=types)


def _field(outcome: MutationOutcome, name: str, model: dict[str, Any] | None = None) -> Any:
    event = outcome.event or {}
    if name == REGION_FIELD:
        return outcome.call.region
    if name == ACCOUNT_FIELD:
        return outcome.call.account
    if name == "Identifier":
        return event.get("Identifier") or outcome.call.identifier
    if name == "ResourceModel" and model is not None:
        return json.dumps(model)  # as read back after SUCCESS, not as the event had it
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
