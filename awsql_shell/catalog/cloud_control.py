"""The ``awscc.cloud_control`` views (dialect 3.5): Cloud Control's own API, not a CloudFormation type.

The planner, the mutation planner and completion all name these, so they are defined once, here.
"""

from __future__ import annotations

SERVICE = "cloud_control"
RESOURCES = "awscc.cloud_control.resources"
RESOURCE = "awscc.cloud_control.resource"
RESOURCE_REQUESTS = "awscc.cloud_control.resource_requests"
RESOURCE_REQUEST = "awscc.cloud_control.resource_request"

# (view, the API operation behind it), for SHOW-like listings and completion.
VIEWS: tuple[tuple[str, str], ...] = (
    (RESOURCES, "ListResources of any TypeName"),
    (RESOURCE, "GetResource of any TypeName"),
    (RESOURCE_REQUESTS, "ListResourceRequests"),
    (RESOURCE_REQUEST, "GetResourceRequestStatus"),
)

# The fields of a Cloud Control ProgressEvent, in the order RETURNING * gives them.
PROGRESS_EVENT_FIELDS: tuple[str, ...] = (
    "ErrorCode",
    "EventTime",
    "Identifier",
    "Operation",
    "OperationStatus",
    "RequestToken",
    "ResourceModel",
    "RetryAfter",
    "StatusMessage",
    "TypeName",
)


def is_cloud_control(name: str) -> bool:
    """Whether a typed resource name refers to one of these views (case-insensitively)."""
    return name.lower().startswith(f"awscc.{SERVICE}.")
