"""How Cloud Control answers differently per resource type: one table per difference, with its evidence.

Cloud Control looks uniform, but every type is served by its own resource handler, and the handlers
differ: how many resources a list page holds, whether a list carries the whole model, which types list
the whole account from any region, and what a read of a missing resource answers. The sandbox keeps each
such difference in exactly one table below, so that a rule lives in one place and names its evidence.
Whether the sandbox applies a table at all is a switch in ``SandboxConfig``; the tables say only what AWS
does.

The message shapes of handler failures are built here too (``handler_error``), since their wording
depends on the type: ``<Type> Handler returned status FAILED: <message> (Service: <service>, Status
Code: <n>, Request ID: <id>) (HandlerErrorCode: <code>, RequestToken: <token>)``.
Evidence: aws/aws-cli#6464 — "AWS::S3::Bucket Handler returned status FAILED: null (Service: S3, Status
Code: 301, Request ID: null, ...) (HandlerErrorCode: GeneralServiceException, RequestToken: ...)";
aws/aws-sdk#324 — "AWS::EC2::PrefixList Handler returned status FAILED: null (HandlerErrorCode:
InternalFailure, RequestToken: ...)".
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from awsql_shell.catalog import aws_behaviour
from awsql_shell.sandbox.errors import ApiError

# -- lists ---------------------------------------------------------------------------------------

# Types whose list handler answers with every resource of the account, whatever region is asked, while a
# read answers only in the resource's home region: a fact about AWS that the planner needs too, so it lives
# in the catalog (catalog/aws_behaviour.py, with its evidence).
ACCOUNT_WIDE_LIST_TYPES = aws_behaviour.ACCOUNT_WIDE_LIST_TYPES


def wrong_region(type_name: str) -> ApiError:
    """A read of an account-wide type's resource outside its home region: the downstream redirect.

    Evidence: aws/aws-cli#6464 — "An error occurred (GeneralServiceException) when calling the GetResource
    operation (reached max retries: 2): AWS::S3::Bucket Handler returned status FAILED: null (Service: S3,
    Status Code: 301, Request ID: null, Extended Request ID: ...) (HandlerErrorCode:
    GeneralServiceException, RequestToken: ...)".
    """
    redirect = f"Status Code: 301, Request ID: null, Extended Request ID: {uuid.uuid4().hex}"
    detail = f"(Service: {service_name(type_name)}, {redirect})"
    return handler_error("GeneralServiceException", type_name, f"null {detail}", "GeneralServiceException")


# How many resources one ListResources page holds, per type; MaxResults does not change it.
# Evidence: aws-cloudformation/aws-cloudformation-resource-providers-logs, aws-logs-loggroup Translator
# .translateToListRequest — DescribeLogGroups with ".limit(50)" per list page; aws/aws-cli#9314 — "aws
# cloudcontrol list-resources --type-name AWS::S3::Bucket --max-results 1 ... setting MaxResults to 100
# results in 1000 items"; boto/boto3#4166 — AWS::ApiGateway::ApiKey "only 25 resources are returned even
# though ... the MaxResults argument is 100"; aws/aws-sdk#764 — the service team: "MaxResults is not yet
# supported for this API".
PAGE_SIZES: Mapping[str, int] = {
    "AWS::Logs::LogGroup": 50,
    "AWS::S3::Bucket": 1000,
    "AWS::ApiGateway::ApiKey": 25,
}
DEFAULT_PAGE_SIZE = 100  # the most a handler page holds where no type-specific figure is known
MAX_PAGE_SIZE = max(DEFAULT_PAGE_SIZE, *PAGE_SIZES.values())


def page_size(type_name: str) -> int:
    return PAGE_SIZES.get(type_name, DEFAULT_PAGE_SIZE)


# Types whose list handler returns the whole model of each resource, not only its identifier.
# Evidence: aws-cloudformation/aws-cloudformation-resource-providers-logs, aws-logs-loggroup ListHandler
# and Translator.translateForList — each listed model carries Arn, LogGroupName, RetentionInDays, KmsKeyId
# and Tags; cloud-custodian/cloud-custodian#7060 — "list sometimes returns full attributes, in other cases
# it needs a get for each resource".
FULL_MODEL_LIST_TYPES: frozenset[str] = frozenset({"AWS::Logs::LogGroup"})

# A list page costs a list call downstream plus, for many handlers, a call per listed resource, so it is
# slower than a read. Evidence: the aws-logs-loggroup ListHandler calls ListTagsLogGroup for every log
# group of the page. The factor is the sandbox's estimate, not a measured figure.
LIST_LATENCY_FACTOR = 3

# -- handler errors ------------------------------------------------------------------------------

# The name the AWS SDK for Java puts in "(Service: <name>, ...)" of a handler's downstream error, by the
# service segment of the type name; other services fall back to that segment.
# Evidence: "(Service: CloudWatchLogs, ..." radius-project/radius test/validation/aws_test.go; "(Service:
# S3, ..." aws/aws-cli#6464; "(Service: CloudFormation, ..."
# aws-cloudformation/aws-cloudformation-resource-providers-cloudformation#113; "(Service: Lambda, ..."
# aws-samples/amazon-cloudfront-secure-static-site#39.
SERVICE_NAMES: Mapping[str, str] = {
    "Logs": "CloudWatchLogs",
    "S3": "S3",
    "CloudFormation": "CloudFormation",
    "Lambda": "Lambda",
}


def service_name(type_name: str) -> str:
    segment = type_name.split("::")[1]
    return SERVICE_NAMES.get(segment, segment)


def service_detail(type_name: str, status: int) -> str:
    """The ``(Service: ..., Status Code: ..., Request ID: ...)`` an SDK exception appends to its message."""
    return f"(Service: {service_name(type_name)}, Status Code: {status}, Request ID: {uuid.uuid4()})"


# HTTP status Cloud Control answers a handler failure with, by error shape; 400 for the rest.
# GeneralServiceException and HandlerInternalFailureException are retried by botocore, which retries
# only throttling codes and 5xx statuses, so they come with a 5xx status. Evidence: aws/aws-cli#6464 and
# aws/aws-sdk#324 — both "(reached max retries: 2)", a count botocore gives only to retryable answers.
HANDLER_ERROR_STATUS: Mapping[str, int] = {
    "GeneralServiceException": 500,
    "HandlerInternalFailureException": 500,
}


def handler_error(code: str, type_name: str, message: str, handler_code: str) -> ApiError:
    """A synchronous handler failure as Cloud Control reports it (see the module docstring)."""
    text = (
        f"{type_name} Handler returned status FAILED: {message} "
        f"(HandlerErrorCode: {handler_code}, RequestToken: {uuid.uuid4()})"
    )
    return ApiError(code, text, HANDLER_ERROR_STATUS.get(code, 400))


def rate_exceeded(type_name: str) -> ApiError:
    """A read whose handler was throttled downstream: not a ThrottlingException, a GeneralServiceException.

    Evidence: pulumi/pulumi-aws-native#1780 — throttling from the CloudControl API surfaced as
    "HandlerErrorCode: GeneralServiceException" rather than "ThrottlingException", and the maintainer: it
    "is returned by AWS CloudControl if the service returns an error that cannot be mapped to any known
    error"; aws-solutions-library-samples/guidance-for-low-code-intelligent-document-processing-on-aws#2 —
    "Rate exceeded (Service: CloudWatchLogs, Status Code: 400, Request ID: ...)".
    """
    return handler_error("GeneralServiceException", type_name, throttled_message(type_name), "GeneralServiceException")


def throttled_message(type_name: str) -> str:
    return f"Rate exceeded {service_detail(type_name, 400)}"


SANDBOX_PRINCIPAL = "user/sandbox"


def access_denied_message(type_name: str, permission: str, region: str, account: str) -> str:
    """What a handler reports when the caller may not make one of its downstream calls.

    Evidence: aws/aws-sdk#140 — "User: arn:aws:iam::1xxxxxxxxxx2:user/secAuditUser is not authorized to
    perform: cloudformation:ListResources on resource: arn:aws:cloudformation:ap-south-1:...:resource/*
    because no identity-based policy allows the cloudformation:ListResources action";
    aws-cloudformation/aws-cloudformation-resource-providers-cloudformation#113 — "AccessDeniedException ...
    AWS::CloudFormation::HookVersion Handler returned status FAILED: ... (Service: CloudFormation, Status
    Code: 403, ...) (HandlerErrorCode: AccessDenied, RequestToken: ...)".
    """
    service = permission.split(":", 1)[0]
    return (
        f"User: arn:aws:iam::{account}:{SANDBOX_PRINCIPAL} is not authorized to perform: {permission} on resource: "
        f"arn:aws:{service}:{region}:{account}:* because no identity-based policy allows the {permission} action "
        f"{service_detail(type_name, 403)}"
    )


# -- not found -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotFound:
    """What a read of a missing resource answers: the error shape, the handler's code and its message."""

    code: str
    handler_code: str
    message: str  # str.format template over {type_name} and {identifier}
    service_status: int | None = None  # the downstream status, when the message is the downstream service's

    def error(self, type_name: str, identifier: str) -> ApiError:
        message = self.message.format(type_name=type_name, identifier=identifier)
        if self.service_status is not None:
            message = f"{message} {service_detail(type_name, self.service_status)}"
        return handler_error(self.code, type_name, message, self.handler_code)


# The CloudFormation handler framework's own wording for a missing resource.
# Evidence: aws-cloudformation/aws-cloudformation-resource-providers-logs Translator
# .buildResourceDoesNotExistErrorMessage — "Resource of type '%s' with identifier '%s' was not found.";
# pulumi/pulumi-aws-native#1714 — "StatusCode: 400, ... ResourceNotFoundException: AWS::EC2::
# SubnetRouteTableAssociation Handler returned status FAILED: ... (HandlerErrorCode: NotFound, ...)".
NOT_FOUND_DEFAULT = NotFound(
    "ResourceNotFoundException",
    "NotFound",
    "Resource of type '{type_name}' with identifier '{identifier}' was not found.",
)

# Types whose read of a missing resource answers otherwise.
# Evidence: radius-project/radius test/validation/aws_test.go — types.InvalidRequestException "AWS::Logs::
# LogGroup Handler returned status FAILED: The specified log group does not exist. (Service:
# CloudWatchLogs, Status Code: 400, Request ID: ...) (SDK Attempt Count: 1) (HandlerErrorCode:
# InvalidRequest)".
NOT_FOUND: Mapping[str, NotFound] = {
    "AWS::Logs::LogGroup": NotFound(
        "InvalidRequestException", "InvalidRequest", "The specified log group does not exist.", service_status=400
    ),
}


def not_found(type_name: str, identifier: str) -> ApiError:
    return NOT_FOUND.get(type_name, NOT_FOUND_DEFAULT).error(type_name, identifier)
