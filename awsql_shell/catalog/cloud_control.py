"""The ``awscc.cloud_control`` views (dialect 3.5): Cloud Control's own API, not a CloudFormation type.

The planner, the mutation planner and completion all name these, so they are defined once, here.
"""

from __future__ import annotations

from awsql_shell.catalog.schema import ACCOUNT_DESCRIPTION, REGION_DESCRIPTION, Column

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


OPERATIONS = ("CREATE", "UPDATE", "DELETE")
OPERATION_STATUSES = ("PENDING", "IN_PROGRESS", "SUCCESS", "FAILED", "CANCEL_IN_PROGRESS", "CANCEL_COMPLETE")

RESOURCE_COLUMNS: tuple[Column, ...] = (
    Column("region", "region", "string", REGION_DESCRIPTION),
    Column("account_id", "account_id", "string", ACCOUNT_DESCRIPTION),
    Column("type_name", "TypeName", "string", "The resource type, such as AWS::S3::Bucket (WHERE TypeName = ...)."),
    Column("identifier", "Identifier", "string", "The primary identifier of the resource."),
    Column("properties", "Properties", "object", "The resource's properties, as Cloud Control returns them."),
)

REQUEST_COLUMNS: tuple[Column, ...] = (
    Column("region", "region", "string", REGION_DESCRIPTION),
    Column("account_id", "account_id", "string", ACCOUNT_DESCRIPTION),
    Column("request_token", "RequestToken", "string", "The token that identifies the request."),
    Column("operation", "Operation", "string", "CREATE, UPDATE or DELETE.", enum=OPERATIONS),
    Column("operation_status", "OperationStatus", "string", "Where the request stands.", enum=OPERATION_STATUSES),
    Column("type_name", "TypeName", "string", "The resource type, such as AWS::Logs::LogGroup."),
    Column("identifier", "Identifier", "string", "The primary identifier of the resource."),
    Column("event_time", "EventTime", "string", "When the status last changed (ISO 8601)."),
    Column("error_code", "ErrorCode", "string", "Why the request failed, when it did."),
    Column("status_message", "StatusMessage", "string", "What the handler said about the request."),
    Column("retry_after", "RetryAfter", "string", "When to ask again about a request in progress (ISO 8601)."),
    Column("resource_model", "ResourceModel", "object", "The resource's properties as the request left them."),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    RESOURCES: RESOURCE_COLUMNS,
    RESOURCE: RESOURCE_COLUMNS,
    RESOURCE_REQUESTS: REQUEST_COLUMNS,
    RESOURCE_REQUEST: REQUEST_COLUMNS,
}
