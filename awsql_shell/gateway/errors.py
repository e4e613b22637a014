"""What a failed Cloud Control call means for the user: retry it, drop a row, fail one fetch, or stop everything.

Exceptions are recognised by class name and error code rather than by ``isinstance`` so that this module
never imports botocore itself (the gateway imports it lazily, on the first call).
"""

from __future__ import annotations

import os
import re
from enum import Enum

from awsql_shell.errors import AwsqlError, CredentialsError, UnsupportedError

# Error codes that mean the caller's identity is missing, wrong or stale: no other fetch can succeed either.
CREDENTIAL_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "IncompleteSignature",
        "IncompleteSignatureException",
        "RequestExpired",
    }
)

# botocore exceptions raised while finding or refreshing credentials, before anything is sent.
CREDENTIAL_EXCEPTION_NAMES = frozenset(
    {
        "NoCredentialsError",
        "PartialCredentialsError",
        "ProfileNotFound",
        "ConfigNotFound",
        "CredentialRetrievalError",
        "RefreshWithMFAUnsupportedError",
        "SSOError",
        "SSOTokenLoadError",
        "UnauthorizedSSOTokenError",
        "TokenRetrievalError",
        "InvalidConfigError",
        "MissingDependencyException",
    }
)

THROTTLING_ERROR_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)

TRANSIENT_ERROR_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "ServiceInternalErrorException",
        "NetworkFailureException",
        "HandlerInternalFailureException",
    }
)

# Connection-level failures (no HTTP response at all) worth another attempt.
TRANSIENT_EXCEPTION_NAMES = frozenset(
    {
        "EndpointConnectionError",
        "ConnectionClosedError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ProxyConnectionError",
        "HTTPClientError",
        "ResponseStreamingError",
        "IncompleteReadError",
    }
)

UNSUPPORTED_ERROR_CODES = frozenset({"TypeNotFoundException", "UnsupportedActionException", "PrivateTypeException"})
NOT_FOUND_ERROR_CODES = frozenset({"ResourceNotFoundException"})

# Cloud Control words "not found" several ways. Most types answer ResourceNotFoundException; some handlers
# answer InvalidRequestException with the service's own wording, e.g. AWS::Logs::LogGroup's "... log group
# does not exist" (recorded in hashicorp/terraform-provider-awscc and pulumi/pulumi-aws-native issues).
_NOT_FOUND_WORDING = re.compile(r"\b(does not exist|not found|NotFound|cannot be found|could not be found)\b", re.I)
# Throttling comes in three shapes: Cloud Control's own ThrottlingException; a handler's throttling wrapped
# in a GeneralServiceException ("... Handler returned status FAILED: Rate exceeded (Service: Lambda, Status
# Code: 400 ...)", recorded in hashicorp/terraform-provider-awscc issues); and, for mutations, a FAILED
# ProgressEvent with ErrorCode Throttling (gateway.mutation_send).
_WRAPPED_THROTTLING = re.compile(r"Rate exceeded|Throttling|TooManyRequests|Too Many Requests|SlowDown", re.I)
# An account-wide list type's GetResource sent to a region that is not the resource's home region: S3's
# handler fails with a redirect (aws/aws-toolkit-vscode#2193: "Buckets out of the current node's region are
# not accessible since the subsequent GET operation is region scoped"; aws/aws-cli#6464: code 301).
_WRONG_REGION = re.compile(
    r"PermanentRedirect|Status Code: 301|\b301\b|must be addressed using the specified endpoint|"
    r"bucket is in this region|is not in this region|AuthorizationHeaderMalformed",
    re.I,
)
# What AWS answers in a region that is not enabled for the account (an opt-in region): the token is not
# recognised there, though it is good elsewhere.
REGION_REJECTS_CREDENTIALS_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})
_PERMISSION = re.compile(r"not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)")


class RetryKind(Enum):
    THROTTLED = "throttled"
    TRANSIENT = "transient"


class FetchFailedError(AwsqlError):
    """One region and type (or one resource of it) could not be read; the statement still returns the rest.
    ``operation`` is the Cloud Control API operation that failed, ``cause`` the error's own message."""

    def __init__(
        self,
        message: str,
        *,
        region: str,
        type_name: str,
        code: str,
        operation: str = "",
        cause: str = "",
        throttled: bool = False,
    ):
        super().__init__(message)
        self.region = region
        self.type_name = type_name
        self.code = code
        self.operation = operation
        self.cause = cause
        self.throttled = throttled  # still throttled after every retry: the region is overloaded, not a row


class RegionRejectsCredentialsError(FetchFailedError):
    """A region answered that the credentials are not recognised: most often a region not enabled for the
    account. Only when no region accepts them is it the credentials' fault (exit 3)."""


class CallBudgetExceeded(AwsqlError):
    """A statement would make more Cloud Control calls than ``--max-calls`` allows: stopped, nothing shown."""

    def __init__(self, budget: int, *, needed: int | None = None):
        advice = (
            "narrow it (WHERE region, account_id, Identifier or a listed column), EXPLAIN it to see its calls, or "
            "raise --max-calls (\\set max_calls N in the shell)"
        )
        if needed is not None:  # known from the plan before any call
            message = (
                f"the statement needs at least {needed} Cloud Control calls, more than --max-calls {budget}; "
                f"nothing was called: {advice}"
            )
        else:
            message = (
                f"the statement needs more than {budget} Cloud Control calls (--max-calls {budget}); it was stopped "
                f"and the rows read so far were discarded: {advice}"
            )
        super().__init__(message)
        self.budget = budget
        self.needed = needed


class UnsupportedTypeError(UnsupportedError):
    """Cloud Control has no handler for this type (or this operation on it) in this region."""

    def __init__(self, message: str, *, region: str, type_name: str, code: str):
        super().__init__(message)
        self.region = region
        self.type_name = type_name
        self.code = code


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a service error (``ThrottlingException``), or None for anything else."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return str(code) if code else None


def http_status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status else None


def error_message(error: BaseException) -> str:
    """The cause on one line (botocore's parameter errors span several)."""
    response = getattr(error, "response", None)
    message = None
    if isinstance(response, dict):
        message = response.get("Error", {}).get("Message")
    return " ".join(str(message or error).split())


def _class_names(error: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(error).__mro__}


# STS and SSO operations botocore calls to get a profile's credentials (an assume-role or SSO profile): their
# failure, AccessDenied included, is the credentials' and no service's.
CREDENTIAL_OPERATIONS = frozenset(
    {"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetRoleCredentials", "GetSessionToken"}
)


def is_credentials_problem(error: BaseException) -> bool:
    if isinstance(error, CredentialsError):
        return True
    if getattr(error, "operation_name", None) in CREDENTIAL_OPERATIONS:
        return True
    return error_code(error) in CREDENTIAL_ERROR_CODES or bool(_class_names(error) & CREDENTIAL_EXCEPTION_NAMES)


def is_not_found(error: BaseException) -> bool:
    code = error_code(error)
    if code in NOT_FOUND_ERROR_CODES:
        return True
    return code == "InvalidRequestException" and bool(_NOT_FOUND_WORDING.search(error_message(error)))


def is_wrong_region(error: BaseException) -> bool:
    """GetResource of an account-wide list type asked in a region the resource does not live in."""
    return error_code(error) == "GeneralServiceException" and bool(_WRONG_REGION.search(error_message(error)))


def is_region_rejecting_credentials(error: BaseException) -> bool:
    return error_code(error) in REGION_REJECTS_CREDENTIALS_CODES


def permission_named(message: str) -> str | None:
    """The IAM action an AccessDenied message names (``cloudformation:ListResources``), if it names one."""
    found = _PERMISSION.search(message)
    return found.group(1) if found else None


def retry_kind(error: BaseException) -> RetryKind | None:
    """Whether another attempt of the same call may succeed, and how long to back off if so."""
    code = error_code(error)
    if code is not None:
        if code in THROTTLING_ERROR_CODES or http_status(error) == 429:
            return RetryKind.THROTTLED
        if code == "GeneralServiceException" and _WRAPPED_THROTTLING.search(error_message(error)):
            return RetryKind.THROTTLED
        if is_wrong_region(error):
            return None  # S3's redirect to the bucket's home region: final here, however the status reads
        if code in TRANSIENT_ERROR_CODES or (http_status(error) or 0) in (500, 502, 503, 504):
            return RetryKind.TRANSIENT
        return None
    if _class_names(error) & TRANSIENT_EXCEPTION_NAMES:
        return RetryKind.TRANSIENT
    return None


def credentials_error(error: BaseException, *, profile: str | None) -> CredentialsError:
    """The whole statement stops here: say what is wrong and how to fix it."""
    if isinstance(error, CredentialsError):
        return error
    code = error_code(error) or type(error).__name__
    cause = f"{code}: {error_message(error)}"
    names = _class_names(error)
    if "ProfileNotFound" in names:
        problem = f"AWS profile '{profile}' was not found" if profile else "the AWS profile was not found"
        hint = "check the name with `aws configure list-profiles`, or choose another with --profile or AWS_PROFILE"
    elif names & {"SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError", "SSOError"}:
        # botocore: "The SSO session associated with this profile has expired or is otherwise invalid. To
        # refresh this SSO session run aws sso login with the corresponding profile." Name the profile.
        named = profile or os.environ.get("AWS_PROFILE")
        problem = f"the SSO session of profile '{named or 'default'}' has expired or is not signed in"
        login = f"aws sso login --profile {named}" if named else "aws sso login"
        return CredentialsError(f"{problem} ({cause}); run `{login}`, then run the statement again")
    elif getattr(error, "operation_name", None) in CREDENTIAL_OPERATIONS:
        named = f"profile '{profile}'" if profile else "these credentials"
        problem = f"the role of {named} could not be assumed"
        return CredentialsError(
            f"{problem} ({getattr(error, 'operation_name', '')}: {cause}); check the role_arn and source profile in "
            "the AWS config, and that the role trusts its source"
        )
    elif code in ("ExpiredToken", "ExpiredTokenException", "RequestExpired"):
        problem = "AWS credentials have expired"
        hint = "refresh them (`aws sso login` for SSO profiles) or choose others with --profile or AWS_PROFILE"
    elif names & {"NoCredentialsError", "PartialCredentialsError"}:
        problem = "no AWS credentials were found"
        hint = (
            "configure them with `aws configure` (or `aws sso login`), "
            "or choose a profile with --profile or AWS_PROFILE"
        )
    else:
        problem = "the AWS credentials could not be used"
        hint = (
            "check them with `aws sts get-caller-identity`, "
            "or choose others with --profile, AWS_PROFILE or `aws sso login`"
        )
    return CredentialsError(f"{problem} ({cause}); {hint}, or try --sandbox for the local sample account")


def fetch_error(error: BaseException, *, region: str, type_name: str, operation: str) -> AwsqlError:
    """The per-fetch error a user sees in a warning: region, type and cause."""
    code = error_code(error)
    message = error_message(error)
    if code in UNSUPPORTED_ERROR_CODES:
        return UnsupportedTypeError(
            f"{type_name} is not supported by Cloud Control in {region} ({operation}: {code}: {message})",
            region=region,
            type_name=type_name,
            code=code or "",
        )
    if code is None:
        code = type(error).__name__
    if code in REGION_REJECTS_CREDENTIALS_CODES:
        return RegionRejectsCredentialsError(
            f"{region} {type_name}: {code}: {message} (is {region} enabled for this account? opt-in regions must "
            "be enabled in the account settings before they accept its credentials)",
            region=region,
            type_name=type_name,
            code=code,
            operation=operation,
            cause=message,
        )
    return FetchFailedError(
        f"{region} {type_name}: {code}: {message}",
        region=region,
        type_name=type_name,
        code=code,
        operation=operation,
        cause=message,
        throttled=retry_kind(error) is RetryKind.THROTTLED,
    )


def rejected_everywhere(errors: list[RegionRejectsCredentialsError]) -> CredentialsError:
    """Every region the statement asked refused the credentials, and they never worked in this session: they
    may be bad, or the regions not enabled. Exit 3 either way, with both ways out."""
    regions = ", ".join(dict.fromkeys(e.region for e in errors))
    first = errors[0]
    return CredentialsError(
        f"the AWS credentials could not be used in {regions} ({first.code}: {first.cause}); check them with "
        f"`aws sts get-caller-identity`, or choose others with --profile or AWS_PROFILE; if they work elsewhere, "
        f"is {regions} enabled for this account?"
    )
