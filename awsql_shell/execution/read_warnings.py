"""What a partly failed read tells the user: one warning per region and type that failed, and one per
(region, type, error code) of single resources that could not be read, counting the rows lost
("3 of 240 AWS::Lambda::Function in us-east-1 could not be read: GeneralServiceException: ...").

An AccessDenied warning says which permission is missing: the ``cloudformation:<Operation>`` Cloud Control
itself refused, the action the message names, or else the permissions the catalog lists for the type's
handler (Cloud Control calls the service with the caller's credentials, so those are needed too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from awsql_shell.catalog import Catalog
from awsql_shell.errors import AwsqlError
from awsql_shell.gateway.errors import ACCESS_DENIED_CODES, FetchFailedError, permission_named
from awsql_shell.gateway.vocabulary import FetchResult
from awsql_shell.planner.select_plan import SelectPlan

_HANDLER_OF = {"GetResource": "read", "ListResources": "list"}
_LISTED_PERMISSIONS = 6
_ACCOUNTS_NAMED = 3
_ACCOUNT_NUMBER = re.compile(r"\b\d{12}\b")


def read_warnings(fetched: Sequence[FetchResult], catalog: Catalog) -> list[str]:
    """One warning per failed fetch and per (account, region, type, code) of lost rows; with several accounts
    in the statement each says which account."""
    several = len({result.account_id for result in fetched}) > 1
    said: dict[str, list[str | None]] = {}  # each message, and the accounts it is true of

    def of(account: str | None, message: str) -> None:
        said.setdefault(message, []).append(account)

    for r in fetched:
        if r.error is not None:
            of(r.account_id, _with_permission(str(r.error), r.error, catalog))
    groups: dict[tuple[str | None, str, str, str], list[FetchResult]] = {}
    lost_by_group: dict[tuple[str | None, str, str, str], list[Exception]] = {}
    for result in fetched:
        for lost in result.lost:
            code = getattr(lost.error, "code", "") or type(lost.error).__name__
            key = (result.account_id, lost.region, result.fetch.type_name, code)
            lost_by_group.setdefault(key, []).append(lost.error)
            groups.setdefault(key, [])
            if result not in groups[key]:
                groups[key].append(result)
    for (account, region, type_name, code), errors in lost_by_group.items():
        # Of how many found there: the rows read in that region plus every row lost there.
        found = sum(
            sum(1 for r in result.resources if (r.region or result.fetch.region) == region)
            + sum(1 for lost in result.lost if lost.region == region)
            for result in groups[(account, region, type_name, code)]
        )
        first = errors[0]
        cause = getattr(first, "cause", "") or str(first)
        message = f"{len(errors)} of {found} {type_name} in {region} could not be read: {code}: {cause}"
        of(account, _with_permission(message, first, catalog))
    return [_in_accounts(accounts, message) if several else message for message, accounts in said.items()]


def _in_accounts(accounts: Sequence[str | None], message: str) -> str:
    """A warning true of several accounts is said once (a region not enabled anywhere, in 100 accounts)."""
    named = [account for account in dict.fromkeys(accounts) if account]
    if not named:
        return message
    if len(named) == 1:
        return f"account {named[0]}: {message}"
    return f"{_several(named)}: {message}"


def _several(accounts: Sequence[str]) -> str:
    """``4 accounts (200000000001, 200000000002, 200000000003, ...)``: how a warning names the accounts it is
    true of."""
    shown = ", ".join(accounts[:_ACCOUNTS_NAMED]) + (", ..." if len(accounts) > _ACCOUNTS_NAMED else "")
    return f"{len(accounts)} accounts ({shown})"


def missing_accounts(plan: SelectPlan) -> list[str]:
    """A warning for the accounts of the session the statement could not read at all (a role not assumed):
    one per account, or one for all the accounts that failed alike (a wrong --org-role, in 57 accounts)."""
    alike: dict[str, list[tuple[str, str]]] = {}
    for who, why in plan.missing_accounts:
        alike.setdefault(_ACCOUNT_NUMBER.sub("<account>", why), []).append((who, why))
    warnings = []
    for group in alike.values():
        if len(group) == 1:
            who, why = group[0]
            warnings.append(f"{who} could not be read, its rows are missing: {why}")
            continue
        named = [who.removeprefix("account ") for who, _ in group]
        warnings.append(f"{_several(named)} could not be read, their rows are missing: {group[0][1]}")
    return warnings


def error_rows(fetched: Sequence[FetchResult]) -> list[tuple[object, ...]]:
    """The rows of ``awsql.errors``: one per (account, region, type, operation, error code), with the first
    message, how many calls failed and how many rows were lost (NULL where a whole listing failed)."""
    groups: dict[tuple[str | None, str, str, str, str], list[object]] = {}
    for result in fetched:
        failures = [(result.error, None)] if result.error is not None else []
        failures += [(lost.error, lost.region) for lost in result.lost]
        for error, region in failures:
            code = getattr(error, "code", "") or type(error).__name__
            operation = getattr(error, "operation", "") or result.fetch.operations[0]
            key = (result.account_id, region or result.fetch.region, result.fetch.type_name, operation, code)
            message, calls, lost_rows = groups.get(key, [getattr(error, "cause", "") or str(error), 0, 0])
            groups[key] = [message, calls + 1, None if region is None or lost_rows is None else lost_rows + 1]
    return [(*key, *values) for key, values in groups.items()]


def first_error(fetched: Sequence[FetchResult]) -> Exception | None:
    for result in fetched:
        if result.error is not None:
            return result.error
        if result.lost:
            return result.lost[0].error
    return None


def _with_permission(message: str, error: Exception | None, catalog: Catalog) -> str:
    if not isinstance(error, FetchFailedError) or error.code not in ACCESS_DENIED_CODES:
        return message
    named = permission_named(error.cause)
    if named is not None:
        return f"{message} (missing permission: {named})"
    handler = _HANDLER_OF.get(error.operation)
    needed: tuple[str, ...] = ()
    if handler is not None:
        try:
            needed = catalog.schema(error.type_name).permissions(handler)
        except AwsqlError:
            needed = ()
    if not needed:
        return f"{message} (check cloudformation:{error.operation or 'GetResource'} and the service's own permissions)"
    listed = ", ".join(needed[:_LISTED_PERMISSIONS]) + (", ..." if len(needed) > _LISTED_PERMISSIONS else "")
    return f"{message} (the {handler} handler of {error.type_name} needs: {listed})"
