"""The sandbox's AWS Organization: a management account, a small tree of OUs, and member accounts.

Decision: ``--accounts 1`` (the default) is the sample account standing alone, as the sandbox always was:
an account that has neither created nor joined an Organization, so Organizations answers it
``AWSOrganizationsNotInUseException`` (see ``organizations_api``). ``--accounts N`` with N >= 2 makes the
sample account (``ACCOUNT_ID``) the management account of an Organization with N - 1 member accounts, so
that everything a single-account run shows stays where it was.

The tree is fixed, small and nested, so that a client walking it must recurse::

    Root
    ├── management account (123456789012)
    ├── prod
    │   └── prod-eu
    └── dev

Member ``i`` (1-based) is account ``2000000000ii`` (``member_account_id``) and sits in ``prod``, ``dev``,
``prod-eu``, ``prod``, ... in turn, named after its OU (``prod-1``, ``dev-1``, ``prod-eu-1``, ``prod-2``...).
Ids are fixed by position, not drawn from the seed, so a test or a user can name an account without asking
for it first; what the seed changes is what each member account holds (``fixtures.member_profile``).

Shapes as botocore's organizations model (2016-11-28) gives them: an organization id ``o-`` and 10 to 32
lowercase letters or digits, a root id ``r-`` and 4 to 32, an OU id ``ou-<the root's>-<8 to 32>``
(OrganizationalUnitId: "ou- followed by from 4 to 32 lowercase letters or digits (the ID of the root that
contains the OU)"), ARNs ``arn:aws:organizations::<management>:account/o-.../<id>`` and so on. The
management account joined by INVITED and members by CREATED: botocore's organizations examples-1.json
(ListAccounts: the "Master Account" with JoinedMethod INVITED); hashicorp/terraform-provider-aws#23079 — a
ListAccounts answer with "JoinedMethod":"CREATED","JoinedTimestamp":1.631121728678E9 for a member.

A closed member account (``--suspended``) is listed with Status and State SUSPENDED: botocore's
organizations model, CloseAccount — "When the close account request completes, the status will change to
SUSPENDED", and the management account cannot be closed ("You can't close the management account with this
API"). What that means for calls into it is in ``sts_api`` and ``credentials``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from awsql_shell.sandbox.generate import ACCOUNT_ID

MANAGEMENT_ACCOUNT_ID = ACCOUNT_ID
MAX_ACCOUNTS = 1000
MEMBER_ID_BASE = 200_000_000_000  # member i is MEMBER_ID_BASE + i: 200000000001, 200000000002, ...
ROOT_NAME = "Root"  # botocore's examples: ListRoots answers Name "Root"
# (OU name, parent OU name or None for the root); members are dealt to them in this order.
UNITS: tuple[tuple[str, str | None], ...] = (("prod", None), ("dev", None), ("prod-eu", "prod"))
MEMBER_UNITS = ("prod", "dev", "prod-eu")
ACTIVE, SUSPENDED = "ACTIVE", "SUSPENDED"
CREATED_AT = 1_717_243_200.0  # 2024-06-01T12:00:00Z, the fixtures' fixed time; member i joined i hours later


@dataclass(frozen=True)
class Unit:
    """An organizational unit."""

    id: str
    name: str
    parent_id: str  # the root's id or another OU's


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    email: str
    parent_id: str
    joined_method: str
    joined_timestamp: float
    status: str = ACTIVE


def member_account_id(index: int) -> str:
    """The id of member ``index`` (1-based)."""
    return f"{MEMBER_ID_BASE + index:012d}"


def account_ids(count: int) -> tuple[str, ...]:
    """The ids of a sandbox with ``count`` accounts: the management account first, then the members."""
    return (MANAGEMENT_ACCOUNT_ID, *(member_account_id(i) for i in range(1, count)))


def _token(purpose: str, length: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha256(f"awsql-sandbox-organization|{purpose}".encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


@dataclass(frozen=True)
class Organization:
    id: str
    root_id: str
    management: str
    accounts: tuple[Account, ...]
    units: tuple[Unit, ...]

    @classmethod
    def build(cls, count: int, suspended: Iterable[str] = ()) -> Organization:
        """The Organization of ``count`` accounts (at least 2), those in ``suspended`` SUSPENDED."""
        root = f"r-{_token('root', 4)}"
        units: dict[str, Unit] = {}
        for name, parent in UNITS:
            parent_id = root if parent is None else units[parent].id
            units[name] = Unit(f"ou-{root[2:]}-{_token('ou|' + name, 8)}", name, parent_id)
        closed = frozenset(suspended)
        accounts = [
            Account(MANAGEMENT_ACCOUNT_ID, "management", "aws+management@example.com", root, "INVITED", CREATED_AT)
        ]
        dealt: dict[str, int] = {}
        for index in range(1, count):
            unit = MEMBER_UNITS[(index - 1) % len(MEMBER_UNITS)]
            dealt[unit] = dealt.get(unit, 0) + 1
            name = f"{unit}-{dealt[unit]}"
            account_id = member_account_id(index)
            accounts.append(
                Account(
                    account_id,
                    name,
                    f"aws+{name}@example.com",
                    units[unit].id,
                    "CREATED",
                    CREATED_AT + 3600.0 * index,
                    SUSPENDED if account_id in closed else ACTIVE,
                )
            )
        return cls(
            f"o-{_token('organization', 10)}", root, MANAGEMENT_ACCOUNT_ID, tuple(accounts), tuple(units.values())
        )

    @cached_property
    def _accounts(self) -> dict[str, Account]:
        return {account.id: account for account in self.accounts}

    def account(self, account_id: str) -> Account | None:
        return self._accounts.get(account_id)

    def unit(self, unit_id: str) -> Unit | None:
        return next((unit for unit in self.units if unit.id == unit_id), None)

    def is_parent(self, parent_id: str) -> bool:
        return parent_id == self.root_id or self.unit(parent_id) is not None

    def children(self, parent_id: str) -> tuple[list[Unit], list[Account]]:
        """The OUs and the accounts directly under a root or OU."""
        units = [unit for unit in self.units if unit.parent_id == parent_id]
        return units, [account for account in self.accounts if account.parent_id == parent_id]

    # -- ARNs, as botocore's organizations model patterns them -----------------------------------

    @property
    def arn(self) -> str:
        return f"arn:aws:organizations::{self.management}:organization/{self.id}"

    def account_arn(self, account_id: str) -> str:
        return f"arn:aws:organizations::{self.management}:account/{self.id}/{account_id}"

    @property
    def root_arn(self) -> str:
        return f"arn:aws:organizations::{self.management}:root/{self.id}/{self.root_id}"

    def unit_arn(self, unit_id: str) -> str:
        return f"arn:aws:organizations::{self.management}:ou/{self.id}/{unit_id}"
