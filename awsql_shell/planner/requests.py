"""The request views: ``awscc.cloud_control.resource_requests`` (ListResourceRequests) and
``awscc.cloud_control.resource_request`` (GetResourceRequestStatus), one row per ProgressEvent.

Their columns are the ProgressEvent fields under snake_case names (``request_token``, ``operation_status``,
...), so forgiving resolution accepts the AWS spelling too (``WHERE RequestToken = '...'``). Every predicate
stays in the SQL and is evaluated on the rows; ``operation`` and ``operation_status`` are also sent as the
ListResourceRequests status filter, so Cloud Control returns fewer requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from awsql_shell.catalog import Column
from awsql_shell.catalog.cloud_control import (
    OPERATION_STATUSES,
    OPERATIONS,
    REQUEST_COLUMNS,
    RESOURCE_REQUEST,
    RESOURCE_REQUESTS,
)
from awsql_shell.errors import ValidationError
from awsql_shell.gateway.vocabulary import Fetch
from awsql_shell.planner.predicates import pinned
from awsql_shell.sql.statements import Comparison, TableRef

REQUEST_VIEWS = (RESOURCE_REQUESTS, RESOURCE_REQUEST)
REQUESTS_TYPE_NAME = "Cloud Control resource requests"  # what errors and EXPLAIN name these fetches by


def plan_request_view(
    ref: TableRef, predicates: Sequence[Comparison], regions: Sequence[str], accounts: Sequence[str | None] = (None,)
) -> tuple[list[Fetch], tuple[Column, ...]]:
    """The fetches of a request view (the TablePlan is the select planner's to build) and its columns."""
    view = ref.name.lower()
    if view == RESOURCE_REQUEST:
        tokens = pinned(predicates, "RequestToken")
        if tokens is None:
            raise ValidationError(
                f"{view} needs RequestToken = '...' in WHERE (use {RESOURCE_REQUESTS} to list requests)"
            )
        fetches = [
            Fetch.requests(region, REQUESTS_TYPE_NAME, tokens=tuple(tokens), account=account)
            for account in accounts
            for region in regions
        ]
    else:
        status_filter = _status_filter(predicates)
        fetches = [
            Fetch.requests(region, REQUESTS_TYPE_NAME, status_filter=status_filter, account=account)
            for account in accounts
            for region in regions
        ]
    return fetches, REQUEST_COLUMNS


def _status_filter(predicates: Sequence[Comparison]) -> dict[str, Any] | None:
    """ListResourceRequests' ResourceRequestStatusFilter from ``operation`` and ``operation_status``.
    A value Cloud Control does not know is not sent (the local filter then matches nothing, as it should)."""
    wanted: dict[str, Any] = {}
    for column, key, allowed in (
        ("operation", "Operations", OPERATIONS),
        ("operationstatus", "OperationStatuses", OPERATION_STATUSES),
    ):
        values = pinned(predicates, column)
        if values and all(value in allowed for value in values):
            wanted[key] = values
    return wanted or None
