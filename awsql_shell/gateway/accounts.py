"""Where a session's accounts come from: one profile, several profiles, or an AWS Organization.

- One profile (the default): the account of its credentials. Its id costs one STS GetCallerIdentity, asked
  once per session and only when needed (``Gateway.account_of``); nothing is asked here.
- Several profiles (``--profile`` repeated, ``--profiles 'prod-*'``, a glob over the configured profiles):
  one account per profile, each with its own credential chain; GetCallerIdentity of each, concurrently. Two
  profiles of the same account are one account (the first profile reaches it). A profile whose credentials
  fail is an unreachable account, named with why; the others answer.
- ``--org``: from the current credentials (the management account, or a delegated administrator), the
  Organization's accounts: ListAccounts, or with ``--org-ou`` ListAccountsForParent of that OU and of every
  OU under it (ListOrganizationalUnitsForParent, recursively). Suspended accounts are kept (shown by
  ``awsql.accounts``) but never called: AssumeRole into one is denied (sandbox.sts_api cites it). Every other
  account but the caller's own is reached by AssumeRole of ``--org-role`` (``--external-id`` when its trust
  needs one), assumed once here, concurrently, to learn which can be: an account whose role cannot be
  assumed is unreachable, with AWS's words for why. The caller's own account is called with its own
  credentials, as the issue asks (the management account usually has no OrganizationAccountAccessRole).

Discovery calls are few and not Cloud Control's: they are not counted by ``--max-calls``, and botocore's own
retries handle their throttling (``clients.ClientFactory``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from awsql_shell.errors import AwsqlError, CredentialsError, UsageError, did_you_mean
from awsql_shell.gateway.clients import ClientFactory, Target
from awsql_shell.gateway.errors import credentials_error, error_code, error_message, is_credentials_problem
from awsql_shell.settings import DEFAULT_ORG_ROLE

ACTIVE, SUSPENDED, UNREACHABLE = "ACTIVE", "SUSPENDED", "UNREACHABLE"
ORGANIZATIONS_REGION = "us-east-1"  # Organizations has one endpoint, in us-east-1


@dataclass(frozen=True)
class Account:
    """One account of the session: how it is reached, and whether it can be."""

    id: str | None  # None: the session's one account, its id not asked yet
    name: str | None
    reached: str  # "profile prod-a", "role OrganizationAccountAccessRole", "credentials of 123456789012"...
    target: Target
    status: str = ACTIVE  # ACTIVE, SUSPENDED (never called) or UNREACHABLE (``problem`` says why)
    problem: str | None = None
    # What failed, for awsql.errors: the operation and AWS's error code.
    operation: str | None = None
    error_code: str | None = None

    @property
    def callable(self) -> bool:
        return self.status == ACTIVE

    @property
    def label(self) -> str:
        """How messages name it: by id, or by how it is reached when even that is unknown."""
        return f"account {self.id}" if self.id is not None else self.reached


@dataclass(frozen=True)
class OrgOptions:
    """``--org`` and what refines it."""

    role: str = DEFAULT_ORG_ROLE
    external_id: str | None = None
    unit: str | None = None  # --org-ou: only accounts under this OU (recursively)


# botocore's organizations model: OrganizationalUnitId and RootId patterns.
_ORG_UNIT = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")
_ORG_ROOT = re.compile(r"r-[0-9a-z]{4,32}")


def check_org_unit(text: str) -> str:
    """An OU id (or a root id) as Organizations takes it, else the usage error that shows one."""
    if _ORG_UNIT.fullmatch(text) or _ORG_ROOT.fullmatch(text):
        return text
    raise UsageError(f"an OU is named by its id, such as ou-ab12-cdef3456 (or a root, r-ab12), not '{text}'")


def profile_account(target: Target, *, account_id: str | None, reached: str) -> Account:
    """The session's one account: no call (its id, when known without STS, is given)."""
    return Account(account_id, None, reached, target)


def matching_profiles(pattern: str, available: Sequence[str]) -> list[str]:
    """The configured profiles a glob names (``prod-*``), in the order configured; none is an error."""
    found = [name for name in available if fnmatch.fnmatchcase(name, pattern)]
    if not found:
        listed = ", ".join(available[:10]) + (", ..." if len(available) > 10 else "") if available else "none"
        raise UsageError(f"the profile pattern '{pattern}' matches no configured profile (configured: {listed})")
    return found


def check_profiles(profiles: Sequence[str], configured: Sequence[str]) -> None:
    """As the AWS CLI does, a profile that does not exist stops everything at once, with a did-you-mean."""
    for profile in profiles:
        if profile not in configured:
            where = "" if configured else " (no profiles in the AWS config or credentials file)"
            raise UsageError(f"unknown AWS profile '{profile}'{did_you_mean(profile, configured)}{where}")


def configured_profiles() -> list[str]:
    import botocore.session

    return list(botocore.session.Session().available_profiles)


def from_profiles(
    clients: ClientFactory, profiles: Sequence[str], endpoint_url: str | None, region: str, concurrency: int
) -> tuple[list[Account], list[str]]:
    """One account per profile (GetCallerIdentity of each), and notices (two profiles, one account)."""

    def identify(profile: str) -> Account:
        target = Target(profile, endpoint_url)
        try:
            identity = clients.client(target, region, "sts").get_caller_identity()
        except Exception as error:  # every failure is this profile's alone
            account = Account(_account_of_role(profile), profile, f"profile {profile}", target)
            return _unreachable(account, error, "GetCallerIdentity")
        return Account(identity["Account"], profile, f"profile {profile}", target)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(profiles)))) as pool:
        found = list(pool.map(identify, profiles))
    accounts: list[Account] = []
    notices: list[str] = []
    seen: dict[str, Account] = {}
    for account in found:
        if account.id is not None and account.callable and account.id in seen:
            first = seen[account.id]
            notices.append(f"{account.reached} reaches account {account.id} as {first.reached} does: read once")
            continue
        if account.id is not None and account.callable:
            seen[account.id] = account
        accounts.append(account)
    return accounts, notices


def _account_of_role(profile: str) -> str | None:
    """The account an assume-role profile's role_arn names, for a profile whose credentials failed."""
    import botocore.session

    try:
        role_arn = botocore.session.Session(profile=profile).get_scoped_config().get("role_arn") or ""
    except Exception:  # an unreadable profile names no account
        return None
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() and len(parts[4]) == 12 else None


def from_organization(
    clients: ClientFactory, base: Target, options: OrgOptions, region: str, concurrency: int
) -> list[Account]:
    """The Organization's accounts seen from ``base``'s credentials, each reachable or not (see the module)."""
    try:
        caller = clients.client(base, region, "sts").get_caller_identity()["Account"]
        organizations = clients.client(base, ORGANIZATIONS_REGION, "organizations")
        listed = _listed_accounts(organizations, options.unit)
    except Exception as error:
        raise _org_error(error, base, options.unit) from None
    accounts: list[Account] = []
    to_assume: list[Account] = []
    for entry in listed:
        account_id, name = entry["Id"], entry.get("Name")
        state = entry.get("State") or entry.get("Status") or ACTIVE
        if account_id == caller:
            accounts.append(Account(account_id, name, "its own credentials (the caller)", base))
            continue
        role_arn = f"arn:aws:iam::{account_id}:role/{options.role}"
        target = replace(base, role_arn=role_arn, external_id=options.external_id)
        account = Account(account_id, name, f"role {options.role}", target)
        if state != ACTIVE:
            why = "suspended (closed): AWS lets no one in" if state == SUSPENDED else f"its state is {state}"
            accounts.append(replace(account, status=SUSPENDED if state == SUSPENDED else state, problem=why))
            continue
        accounts.append(account)
        to_assume.append(account)

    def assume(account: Account) -> Account:
        try:
            clients.adopt(account.target, clients.assume(account.target))
        except Exception as error:
            return _unreachable(account, error, "AssumeRole")
        return account

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(to_assume) or 1))) as pool:
        assumed = {account.id: account for account in pool.map(assume, to_assume)}
    return [assumed.get(account.id, account) for account in accounts]


def _listed_accounts(organizations: Any, unit: str | None) -> list[dict[str, Any]]:
    if unit is None:
        return _pages(organizations.list_accounts, "Accounts")
    accounts: list[dict[str, Any]] = []
    parents = [unit]
    while parents:  # breadth first: the OU, then every OU under it
        parent = parents.pop(0)
        accounts += _pages(organizations.list_accounts_for_parent, "Accounts", ParentId=parent)
        units = _pages(organizations.list_organizational_units_for_parent, "OrganizationalUnits", ParentId=parent)
        parents += [child["Id"] for child in units]
    return accounts


def _pages(operation: Callable[..., dict[str, Any]], key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        answer = operation(**params, **({"NextToken": token} if token else {}))
        items += answer.get(key) or []
        token = answer.get("NextToken")
        if not token:
            return items


def _unreachable(account: Account, error: BaseException, operation: str) -> Account:
    code = error_code(error) or type(error).__name__
    if is_credentials_problem(error) and operation == "GetCallerIdentity":
        why = credentials_error(error, profile=account.target.profile).message
    else:
        why = f"{operation} failed: {code}: {error_message(error)}"
    return replace(account, status=UNREACHABLE, problem=why, operation=operation, error_code=code)


def _org_error(error: BaseException, base: Target, unit: str | None) -> AwsqlError:
    if isinstance(error, AwsqlError):
        return error
    if is_credentials_problem(error):
        return credentials_error(error, profile=base.profile)
    code = error_code(error) or type(error).__name__
    if code == "ParentNotFoundException" and unit:
        return UsageError(f"the Organization has no OU or root '{unit}' ({code}: {error_message(error)})")
    if code == "AWSOrganizationsNotInUseException":
        return UsageError(
            f"the account of these credentials is in no AWS Organization ({code}: {error_message(error)}); "
            "reach the accounts by profile instead (one profile each)"
        )
    if code in ("AccessDeniedException", "AccessDenied"):
        return CredentialsError(
            f"listing the Organization needs its management account or a delegated administrator: {code}: "
            f"{error_message(error)} (organizations:ListAccounts)"
        )
    return CredentialsError(f"the Organization could not be listed: {code}: {error_message(error)}")
