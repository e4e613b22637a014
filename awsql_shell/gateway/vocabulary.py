"""What the planner hands the gateway: reads (Fetch) and changes (MutationCall), and what comes back.

These are the gateway's vocabulary, so they live here: the planner depends on the gateway, never the
other way round.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

CREATE, UPDATE, DELETE = "CreateResource", "UpdateResource", "DeleteResource"
# The OperationStatus values after which a request changes nothing any more.
FINAL_STATUSES = frozenset({"SUCCESS", "FAILED", "CANCEL_COMPLETE"})


class Reading(Enum):
    """What a Fetch reads: resources (ListResources / GetResource) or resource requests
    (ListResourceRequests / GetResourceRequestStatus)."""

    RESOURCES = "resources"
    REQUESTS = "requests"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class ListTerm:
    """One conjunct a listed resource must satisfy: its ``property`` is one of ``values`` (``=``, ``IN``), or,
    with ``pattern``, is LIKE it (SQLite's LIKE, ``escape`` its ESCAPE character)."""

    property: str  # the CloudFormation name, looked up in the listed properties
    column: str  # the column as the statement names it, for EXPLAIN
    values: tuple[str, ...] = ()
    pattern: str | None = None
    escape: str | None = None

    def describe(self) -> str:
        if self.pattern is not None:
            escape = f" ESCAPE {_sql_string(self.escape)}" if self.escape is not None else ""
            return f"{self.column} LIKE {_sql_string(self.pattern)}{escape}"
        if len(self.values) == 1:
            return f"{self.column} = {_sql_string(self.values[0])}"
        return f"{self.column} IN ({', '.join(_sql_string(value) for value in self.values)})"


@dataclass(frozen=True)
class ListFilter:
    """Conjuncts of a statement's WHERE on properties a listing carries, answered as SQLite would answer
    them: a listed resource that fails one is dropped before its GetResource and does not count toward the
    LIMIT. The statement keeps the predicates (SQLite still evaluates them): this only saves calls."""

    terms: tuple[ListTerm, ...]

    def describe(self) -> str:
        return " AND ".join(term.describe() for term in self.terms)


@dataclass(frozen=True)
class Fetch:
    """Read one resource type in one region.

    ``identifiers`` set: one GetResource each. Otherwise ListResources (every page, or until ``limit``
    resources that ``list_filter`` keeps, with ``resource_model`` when the list handler needs one), then,
    when ``with_details``, GetResource for each listed resource ``list_filter`` keeps, unless its listed
    properties already hold every one of ``needed``. ``Fetch.requests`` reads resource requests instead.
    """

    region: str
    type_name: str
    identifiers: tuple[str, ...] | None = None
    with_details: bool = False
    resource_model: dict[str, Any] | None = None
    limit: int | None = None
    list_filter: ListFilter | None = None
    # The type's primaryIdentifier paths, in order: a listed resource's identifier properties that its model
    # leaves out are read from its Identifier, for the list filter as for the rows.
    primary_identifier: tuple[str, ...] = ()
    # The properties the statement reads of this type, when it reads details: a listed resource whose listed
    # properties hold every one is its own row, without a GetResource (some list handlers return the whole
    # model). None: every property (SELECT *), which no listing can be known to hold.
    needed: frozenset[str] | None = None
    reads: Reading = Reading.RESOURCES
    # Only when reading requests (never cached): GetResourceRequestStatus per token, or else
    # ListResourceRequests with this ResourceRequestStatusFilter.
    request_tokens: tuple[str, ...] | None = None
    status_filter: dict[str, Any] | None = None
    # An account-wide list type (AWS::S3::Bucket lists every bucket of the account from any region): the
    # listing is made once, in ``region``, and each resource is read with GetResource in these regions in
    # turn until one answers: its home region. A resource that lives in none of them is no row.
    home_regions: tuple[str, ...] | None = None
    # The account called (its 12-digit id); None: the session's one account, whose id was not asked.
    account: str | None = None

    @classmethod
    def requests(
        cls,
        region: str,
        type_name: str,
        *,
        tokens: tuple[str, ...] | None = None,
        status_filter: dict[str, Any] | None = None,
        account: str | None = None,
    ) -> Fetch:
        return cls(
            region,
            type_name,
            reads=Reading.REQUESTS,
            request_tokens=tokens,
            status_filter=status_filter,
            account=account,
        )

    @property
    def reads_requests(self) -> bool:
        return self.reads is Reading.REQUESTS

    @property
    def singles(self) -> tuple[str, ...] | None:
        """What is read one call each (resource identifiers or request tokens); None: a listing."""
        return self.request_tokens if self.reads_requests else self.identifiers

    @property
    def operations(self) -> tuple[str, ...]:
        if self.reads_requests:
            return ("GetResourceRequestStatus",) if self.request_tokens is not None else ("ListResourceRequests",)
        if self.identifiers is not None:
            return ("GetResource",)
        return ("ListResources", "GetResource") if self.with_details else ("ListResources",)


@dataclass(frozen=True)
class FetchedResource:
    identifier: str
    properties: dict[str, Any]
    region: str | None = None  # where it lives, when that is not the fetch's region (account-wide lists)


@dataclass(frozen=True)
class LostResource:
    """A listed resource whose GetResource failed: its row is dropped, the rest of the fetch stands."""

    identifier: str
    region: str
    error: Exception


@dataclass
class FetchResult:
    fetch: Fetch
    resources: list[FetchedResource] = field(default_factory=list)
    error: Exception | None = None  # an AwsqlError describing why this region/type failed
    lost: list[LostResource] = field(default_factory=list)  # resources listed but not read
    account_id: str | None = None  # the account answered (the fetch's, or the session's one account's)

    @property
    def read_nothing(self) -> bool:
        """Nothing of this fetch could be read: it failed, or every resource it found was lost."""
        return self.error is not None or (bool(self.lost) and not self.resources)


def _new_token() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, eq=False)
class MutationCall:
    """One CreateResource, UpdateResource or DeleteResource, with the ClientToken all its retries reuse."""

    operation: str  # CREATE, UPDATE or DELETE (the API operation names)
    region: str
    type_name: str
    # UPDATE and DELETE: the target. CREATE: the Identifier its DesiredState names, when it gives every part of
    # the primary identifier (None when Cloud Control makes it up), so it can be looked up before a resend.
    identifier: str | None = None
    desired_state: Mapping[str, Any] | None = None  # CREATE
    patch_document: tuple[Mapping[str, Any], ...] | None = None  # UPDATE
    client_token: str = field(default_factory=_new_token)
    account: str | None = None  # as Fetch.account

    def resent(self) -> MutationCall:
        """The same call under a new ClientToken: for a request that ended FAILED, whose token is spent (sent
        again, it would only replay the failure)."""
        return replace(self, client_token=_new_token())

    @property
    def method(self) -> str:
        """The boto3 client method: ``create_resource``."""
        return re.sub(r"(?<!^)([A-Z])", r"_\1", self.operation).lower()

    @property
    def desired_state_json(self) -> str:
        return json.dumps(self.desired_state, separators=(",", ":"))

    @property
    def patch_document_json(self) -> str:
        return json.dumps(list(self.patch_document or ()), separators=(",", ":"))

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"TypeName": self.type_name, "ClientToken": self.client_token}
        if self.operation == CREATE:
            params["DesiredState"] = self.desired_state_json
        else:
            params["Identifier"] = self.identifier
        if self.operation == UPDATE:
            params["PatchDocument"] = self.patch_document_json
        return params

    def describe(self) -> str:
        """What EXPLAIN shows of the call (the token is left out: a fresh one is made for each run)."""
        if self.operation == CREATE:
            return f"DesiredState={self.desired_state_json}"
        if self.operation == UPDATE:
            return f"Identifier={self.identifier}, PatchDocument={self.patch_document_json}"
        return f"Identifier={self.identifier}"


@dataclass(frozen=True)
class ReadBack:
    """One GetResource of a resource a mutation just changed, for RETURNING ResourceModel. ``created``: it was
    just created, and a read may not see it yet (eventual consistency), so ResourceNotFound is asked again."""

    region: str
    type_name: str
    identifier: str
    created: bool = False
    account: str | None = None  # as Fetch.account
