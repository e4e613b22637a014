"""Which of the session's accounts a statement reads or changes: the one rule for ``account_id``.

``account_id`` steers the calls as ``region`` does: ``account_id = '...'``, ``IN (...)`` and ORs of ``=``
(which the parser reads as an IN), joined by AND to the rest of WHERE, prune the accounts called; a table
that names none reads every account of the session. What cannot steer is refused, never guessed: a value
that is not a 12-digit account id, an account the session does not have (with the ones it has), and any
other use of ``account_id`` in WHERE (``!=``, ``LIKE``, under OR or NOT) — the same refusal as for region,
in ``select_plan._refuse_unread_parameters``.

Decision: the planner sees the session's accounts as a value (``AccountScope``), discovered before planning
by the Session (a profile's id by one STS GetCallerIdentity, an Organization by listing it), so planning
stays pure. A session of one account whose id was never asked has ``ids == ()``: its fetches go to "the
session's account" (``Fetch.account`` None) and cost no STS call, until a statement pins ``account_id``;
then the planner raises ``AccountIdsNeeded`` and the Session asks STS once and plans again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsql_shell.catalog.naming import ACCOUNT_ID
from awsql_shell.errors import AwsqlError, CredentialsError, ValidationError, did_you_mean
from awsql_shell.planner.predicates import on_column, pinned
from awsql_shell.sql.statements import Comparison

ACCOUNT_ID_FORM = re.compile(r"\d{12}")


class AccountIdsNeeded(Exception):
    """Planning needs the session's account ids, which nobody has asked STS for yet (see the module doc)."""


@dataclass(frozen=True)
class AccountScope:
    """The accounts of the session, as planning needs them.

    ``ids``: the accounts statements read, in the session's order; empty for a session of one account whose
    id is not known yet. ``unreachable``: accounts the session has but cannot call (a role that could not be
    assumed, a suspended account), with why: naming one in WHERE is an error that says so.
    """

    ids: tuple[str, ...] = ()
    unreachable: Mapping[str, str] = field(default_factory=dict)
    # (who, why) of each account a statement reading every account cannot read, its rows missing: "account
    # 200000000002", or "profile dev" when even its id is unknown. Suspended accounts are not missed.
    missing: tuple[tuple[str, str], ...] = ()
    # Each account's row of awsql.accounts (by column), so that a join to it filtered by name or status
    # narrows the accounts a statement calls, as the rows SQLite would keep.
    rows: tuple[Mapping[str, Any], ...] = ()

    @property
    def several(self) -> bool:
        return len(self.ids) > 1

    @property
    def targets(self) -> tuple[str | None, ...]:
        """What ``Fetch.account`` takes for every account. A session of one account calls it None (its
        default credentials) whether its id is known or not, so that nothing it shows changes."""
        return self.ids if self.several else (None,)

    def target_of(self, account: str) -> str | None:
        """``Fetch.account`` for an account of the session named in a statement."""
        return account if self.several else None

    def describe(self) -> str:
        """The accounts for an error message: all of them when few, else how many."""
        if not self.ids:
            return "the account of its credentials"
        if len(self.ids) <= 5:
            return ", ".join(self.ids)
        return f"{len(self.ids)} accounts (SELECT * FROM awsql.accounts lists them)"


def account_id_problem(value: Any) -> str | None:
    """Why ``value`` cannot be an account_id (None: it can): it must be a 12-digit account id, quoted, since
    one with a leading zero read as a number would name another account. For WHERE and INSERT alike."""
    if isinstance(value, str) and ACCOUNT_ID_FORM.fullmatch(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        hint = f": write it quoted, account_id = '{value:012d}'" if 0 <= value < 10**12 else ""
        return f"account_id is a 12-digit string, not the number {value}{hint}"
    return f"account_id must be a 12-digit AWS account id such as '123456789012', not {value!r}"


def check_account_literals(predicates: Sequence[Comparison], *, offset: int = 0, text: str | None = None) -> None:
    """Every value ``account_id`` is pinned to must be an account id (``account_id_problem``)."""
    for comparison in on_column(predicates, ACCOUNT_ID):
        for literal in comparison.values:
            problem = account_id_problem(literal.value)
            if problem is not None:
                raise ValidationError(problem).at(offset + literal.span.start, text)


@dataclass(frozen=True)
class NamedAccounts:
    """The accounts a table reads: those WHERE names that can be called (``Fetch.account`` values), and
    those it names that cannot (who, why), whose rows are missing."""

    accounts: tuple[str | None, ...]
    missing: tuple[tuple[str, str], ...] = ()


def accounts_for(
    predicates: Sequence[Comparison],
    scope: AccountScope,
    *,
    offset: int = 0,
    text: str | None = None,
    partial: bool = True,
) -> NamedAccounts:
    """The accounts a table's conjuncts name (every account of the session when they name none). An
    account named that cannot be reached is missing from the rows, as it would be from a read of every
    account (a warning, exit 4), unless ``partial`` is False (a change: exact or nothing) or no account named
    can be reached. Errors are placed at ``offset`` + the literal's position (in ``text`` when given)."""
    check_account_literals(predicates, offset=offset, text=text)
    named = pinned(predicates, ACCOUNT_ID)
    if named is None:
        return NamedAccounts(scope.targets)
    if not scope.ids:
        raise AccountIdsNeeded
    positions = {
        str(literal.value): offset + literal.span.start
        for comparison in on_column(predicates, ACCOUNT_ID)
        for literal in comparison.values
    }
    for account, position in positions.items():
        if account not in scope.ids and account not in scope.unreachable:
            refuse_unknown_account(account, scope, position, text)
    reachable = [account for account in named if account in scope.ids]
    cut_off = [account for account in named if account not in scope.ids]
    if cut_off and (not partial or not reachable):
        refuse_unknown_account(cut_off[0], scope, positions.get(cut_off[0]), text)
    missing = tuple((f"account {account}", scope.unreachable[account]) for account in cut_off)
    return NamedAccounts(tuple(dict.fromkeys(scope.target_of(account) for account in reachable)), missing)


def refuse_unknown_account(account: str, scope: AccountScope, position: int | None, text: str | None = None) -> None:
    """An account the session cannot call is an error that says which it has: never another account. One it
    has but cannot reach is a credentials error (exit 3), with why."""
    if account in scope.ids:
        return
    why = scope.unreachable.get(account)
    if why is not None:
        raise CredentialsError(f"account {account} cannot be reached: {why}").at(position, text)
    error: AwsqlError = ValidationError(
        f"account {account} is not one of this session's accounts ({scope.describe()})"
        f"{did_you_mean(account, scope.ids) if len(scope.ids) > 1 else ''}"
    )
    raise error.at(position, text)
