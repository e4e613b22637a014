"""What a sandbox run is asked to do: address, state file, fixtures, accounts, AWS behaviours and injected faults.

Decision: every field defaults to what AWS does (its evidence is named where the behaviour is
implemented), so a client is tested against the hard case unless a test opts out. The one exception is
``AWS_DEFAULTS_AWAITING_CLIENT`` below: AWS behaviours that awsql's own tests do not survive yet, held off
in one place with the value used meanwhile, so that each can be switched on by deleting its line.

Faults that AWS shows only sometimes (throttling shapes, failing reads, failing mutations, eventual
consistency) are off by default and seeded, so that a run can be repeated.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from awsql_shell.catalog.regions import REGIONS, is_region
from awsql_shell.errors import UsageError
from awsql_shell.sandbox.behaviour import FULL_MODEL_LIST_TYPES, MAX_PAGE_SIZE
from awsql_shell.sandbox.organization import MAX_ACCOUNTS, Organization, account_ids

FIXTURE_SETS = ("default", "none")
DEFAULT_REQUEST_DELAY_MS = 200
MAX_RESULTS_CEILING = 100  # the MaxResults ceiling in Cloud Control's API model
HANDLER_OPERATIONS = ("create", "read", "update", "delete", "list")
READ_FAILURE_CODES = ("GeneralServiceException", "HandlerInternalFailureException")
NONE = "none"  # the value that empties a list setting (an empty environment variable is ignored)
DEFAULT_ORG_ROLE = "OrganizationAccountAccessRole"  # the role Organizations makes in a member it creates
# Patterns of botocore's iam model (roleNameType) and sts model (externalIdType).
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")

# Regions a new account cannot call: the opt-in regions (launched after 2019-03-20) and the regions of
# the other partitions (China, GovCloud), which a commercial account's credentials do not reach.
# Evidence: docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html — "Regions launched
# after March 20, 2019 are disabled by default ... you must first enable them in your AWS account"; "An
# AWS GovCloud (US-West) account provides access to the AWS GovCloud (US-West) Region and the AWS
# GovCloud (US-East) Region"; "An Amazon AWS (China) account provides access to the Beijing and Ningxia
# Regions only".
OPT_IN_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
)
OTHER_PARTITION_REGIONS = tuple(r for r in REGIONS if r.startswith(("cn-", "us-gov-")))
DISABLED_BY_DEFAULT = ",".join((*OPT_IN_REGIONS, *OTHER_PARTITION_REGIONS))

# AWS behaviours held off until awsql's client copes with them: field -> the value used meanwhile.
# Delete a line to give that field its AWS default. Each line says which of awsql's tests fail with it on.
AWS_DEFAULTS_AWAITING_CLIENT: Mapping[str, Any] = {
    # Empty: awsql is correct under every AWS behaviour the sandbox knows (account-wide S3 lists, not-found
    # as each type words it, each type's own page size), so the sandbox is as hard as AWS by default.
}


def _aws(name: str, value: Any) -> Any:
    """The default of a field: AWS's, unless it is held off above."""
    return AWS_DEFAULTS_AWAITING_CLIENT.get(name, value)


# Environment variable -> config field. `awsql --sandbox` honours all of them.
ENVIRONMENT = {
    "AWSQL_SANDBOX_STATE": "state_path",
    "AWSQL_SANDBOX_LATENCY_MS": "latency_ms",
    "AWSQL_SANDBOX_LIST_LATENCY_MS": "list_latency_ms",
    "AWSQL_SANDBOX_THROTTLE_RATE": "throttle_rate",
    "AWSQL_SANDBOX_FAIL_REGION": "fail_region",
    "AWSQL_SANDBOX_FIXTURE_SCALE": "fixture_scale",
    "AWSQL_SANDBOX_SEED": "seed",
    "AWSQL_SANDBOX_FIXTURES": "fixtures",
    "AWSQL_SANDBOX_REQUEST_DELAY_MS": "request_delay_ms",
    "AWSQL_SANDBOX_PAGE_SIZE": "page_size",
    "AWSQL_SANDBOX_HONOR_MAX_RESULTS": "honor_max_results",
    "AWSQL_SANDBOX_RATE_LIMIT": "rate_limit",
    "AWSQL_SANDBOX_RATE_BURST": "rate_burst",
    "AWSQL_SANDBOX_READ_THROTTLE_RATE": "read_throttle_rate",
    "AWSQL_SANDBOX_MUTATION_THROTTLE_RATE": "mutation_throttle_rate",
    "AWSQL_SANDBOX_MUTATION_FAILURE_RATE": "mutation_failure_rate",
    "AWSQL_SANDBOX_READ_FAILURE_RATE": "read_failure_rate",
    "AWSQL_SANDBOX_READ_FAILURE_IDS": "read_failure_ids",
    "AWSQL_SANDBOX_READ_FAILURE_CODE": "read_failure_code",
    "AWSQL_SANDBOX_DISABLED_REGION": "disabled_region",
    "AWSQL_SANDBOX_DENY": "deny",
    "AWSQL_SANDBOX_ACCOUNT_WIDE_LISTS": "account_wide_lists",
    "AWSQL_SANDBOX_FULL_MODEL_LISTS": "full_model_lists",
    "AWSQL_SANDBOX_NOT_FOUND_BY_TYPE": "not_found_by_type",
    "AWSQL_SANDBOX_MISSING_PARENT_NOT_FOUND": "missing_parent_not_found",
    "AWSQL_SANDBOX_WRITE_ONLY_PATCHES": "write_only_patches",
    "AWSQL_SANDBOX_SPARSE_EVENTS": "sparse_events",
    "AWSQL_SANDBOX_CONSISTENCY_DELAY_MS": "consistency_delay_ms",
    "AWSQL_SANDBOX_ACCOUNTS": "accounts",
    "AWSQL_SANDBOX_ORG_ROLE": "org_role",
    "AWSQL_SANDBOX_EXTERNAL_ID": "external_id",
    "AWSQL_SANDBOX_CREDENTIAL_TTL_SECONDS": "credential_ttl_seconds",
    "AWSQL_SANDBOX_DELEGATED_ADMIN": "delegated_admin",
    "AWSQL_SANDBOX_DENY_ASSUME": "deny_assume",
    "AWSQL_SANDBOX_SUSPENDED": "suspended",
    "AWSQL_SANDBOX_ACCOUNT_RATE_LIMIT": "account_rate_limit",
}
_DENY_ENTRY = re.compile(r"(?P<type>[^:\s]+::[^:\s]+::[^:\s]+)(?::(?P<operation>\w+))?")
_ACCOUNT_RATE = re.compile(r"(?P<account>\d{12})=(?P<rate>\d+(?:\.\d*)?)")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    state_path: Path | None = None
    fixtures: str = "default"
    fixture_scale: int = 1
    seed: int = 0  # seeds every random draw below
    request_delay_ms: int = DEFAULT_REQUEST_DELAY_MS  # how long a mutation stays IN_PROGRESS
    log_requests: bool = False
    # 1: the sample account alone; N >= 2: an Organization, the sample account its management account and
    # N - 1 members (see organization.py).
    accounts: int = 1
    org_role: str = DEFAULT_ORG_ROLE  # the role each member account has, trusting the management account
    external_id: str | None = None  # when set, that role's trust requires this sts:ExternalId
    # The longest that credentials AssumeRole issues last (AWS's default DurationSeconds; lower it to test
    # a client that refreshes them).
    credential_ttl_seconds: int = 3600
    # Member accounts that may read the Organization as its management account does (comma-separated).
    delegated_admin: str | None = None

    # -- how AWS behaves (on by default) ----------------------------------------------------------
    # ListResources of an account-wide type (S3) lists every region; its reads answer only at home.
    account_wide_lists: bool = _aws("account_wide_lists", True)
    # None or 0: each type's own page size; a number: every list page holds that many (a test override).
    page_size: int | None = _aws("page_size", None)
    honor_max_results: bool = _aws("honor_max_results", False)  # AWS ignores MaxResults
    # Types whose list carries the whole model (comma-separated, or "none").
    full_model_lists: str = _aws("full_model_lists", ",".join(sorted(FULL_MODEL_LIST_TYPES)))
    # A read of a missing resource answers as its type's handler does (LogGroup: InvalidRequestException);
    # off, every type answers ResourceNotFoundException.
    not_found_by_type: bool = _aws("not_found_by_type", True)
    # A list whose ResourceModel names a parent that does not exist is ResourceNotFoundException.
    missing_parent_not_found: bool = _aws("missing_parent_not_found", True)
    # A patch may only 'add' write-only properties, and applies to the model a read returns.
    write_only_patches: bool = _aws("write_only_patches", True)
    # Progress events carry only what AWS sends: no Identifier before it is known, no ResourceModel
    # before SUCCESS, no StatusMessage when the handler gave none.
    sparse_events: bool = _aws("sparse_events", True)
    # Requests per second per (account, region), with a burst of rate_burst; 0 turns it off.
    rate_limit: float = _aws("rate_limit", 25.0)
    rate_burst: int = _aws("rate_burst", 10)
    # Regions the account has not enabled (comma-separated, or "none"); None: the AWS default set.
    disabled_region: str | None = _aws("disabled_region", None)

    # -- faults (off by default) ------------------------------------------------------------------
    latency_ms: int = 0  # what a read, a mutation or a status call waits before its answer
    list_latency_ms: int | None = None  # what a list page waits; None: LIST_LATENCY_FACTOR x latency_ms
    throttle_rate: float = 0.0  # probability of a ThrottlingException before any call is served
    read_throttle_rate: float = 0.0  # probability of a read's GeneralServiceException "Rate exceeded"
    mutation_throttle_rate: float = 0.0  # probability that a mutation ends FAILED with ErrorCode Throttling
    mutation_failure_rate: float = 0.0  # probability that a mutation ends FAILED, InternalFailure, no message
    read_failure_rate: float = 0.0  # fraction of resources whose GetResource always fails
    read_failure_ids: str | None = None  # identifiers whose GetResource always fails (comma-separated)
    read_failure_code: str = READ_FAILURE_CODES[0]
    fail_region: str | None = None  # regions that answer 503 to every call (comma-separated)
    deny: str | None = None  # TYPE or TYPE:operation, comma-separated: AccessDenied for those calls
    consistency_delay_ms: int = 0  # how long a created resource stays invisible to reads and lists
    # Accounts whose roles AssumeRole refuses, as if no trust policy let the caller in (comma-separated).
    deny_assume: str | None = None
    # Member accounts that are closed: SUSPENDED in the Organization, and cannot be entered (comma-separated).
    suspended: str | None = None
    # ACCOUNT=N, comma-separated: that account's requests per second per region instead of rate_limit.
    account_rate_limit: str | None = None

    def __post_init__(self) -> None:
        if not _is_loopback(self.host):
            raise UsageError(f"sandbox host '{self.host}' is not a loopback address: the sandbox serves 127.0.0.1 only")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"sandbox port {self.port} is out of range 0-65535")
        if self.fixtures not in FIXTURE_SETS:
            raise UsageError(f"unknown sandbox fixtures '{self.fixtures}': expected one of {', '.join(FIXTURE_SETS)}")
        if self.fixture_scale < 1:
            raise UsageError(f"sandbox fixture scale must be at least 1, not {self.fixture_scale}")
        if self.credential_ttl_seconds < 1:
            raise UsageError(f"sandbox credential ttl seconds must be at least 1, not {self.credential_ttl_seconds}")
        if not 1 <= self.accounts <= MAX_ACCOUNTS:
            raise UsageError(f"sandbox accounts must be between 1 and {MAX_ACCOUNTS}, not {self.accounts}")
        if not _ROLE_NAME.fullmatch(self.org_role):
            raise UsageError(
                f"sandbox org role '{self.org_role}' is not an IAM role name (1-64 of A-Z a-z 0-9 _+=,.@-)"
            )
        if self.external_id is not None and not _EXTERNAL_ID.fullmatch(self.external_id):
            raise UsageError(
                f"sandbox external id '{self.external_id}' is not one STS accepts (2-1224 of A-Z a-z 0-9 _+=,.@:/-)"
            )
        # Settings that name accounts: members only (the management account cannot be closed or delegated
        # to), or any account of the sandbox.
        for setting, accounts, members_only in (
            ("delegated admin", self.delegated_admins, True),
            ("suspended", self.suspended_accounts, True),
            ("deny-assume", self.assume_denied_accounts, False),
            ("account rate limit", self.account_rate_limits, False),
        ):
            for account in accounts:
                if account not in self.account_ids[1 if members_only else 0 :]:
                    kind = "a member account" if members_only else "an account"
                    raise UsageError(f"sandbox {setting} '{account}' is not {kind} of the sandbox ({self._known()})")
        for name in ("latency_ms", "list_latency_ms", "request_delay_ms", "consistency_delay_ms"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UsageError(f"sandbox {name.replace('_', ' ')} cannot be negative, not {value}")
        for name in (
            "throttle_rate",
            "read_throttle_rate",
            "mutation_throttle_rate",
            "mutation_failure_rate",
            "read_failure_rate",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise UsageError(f"sandbox {name.replace('_', ' ')} must be between 0 and 1, not {getattr(self, name)}")
        if self.page_size is not None and not 0 <= self.page_size <= MAX_PAGE_SIZE:
            raise UsageError(
                f"sandbox page size must be between 1 and {MAX_PAGE_SIZE} (0: each type's own), not {self.page_size}"
            )
        if self.rate_limit < 0:
            raise UsageError(f"sandbox rate limit cannot be negative, not {self.rate_limit} (0 turns it off)")
        if self.rate_burst < 1:
            raise UsageError(f"sandbox rate burst must be at least 1, not {self.rate_burst}")
        if self.read_failure_code not in READ_FAILURE_CODES:
            raise UsageError(
                f"sandbox read failure code '{self.read_failure_code}' is not one of {', '.join(READ_FAILURE_CODES)}"
            )
        for setting, value in (("fail region", self.fail_region), ("disabled region", self.disabled_region)):
            for region in _items(value):
                if not is_region(region):
                    raise UsageError(f"sandbox {setting} '{region}' is not an AWS region")
        for type_name in self.full_model_list_types:
            _check_type("full-model list type", type_name)
        for type_name, operation in self.denied:
            _check_type("deny", type_name)
            if operation is not None and operation not in HANDLER_OPERATIONS:
                choices = ", ".join(HANDLER_OPERATIONS)
                raise UsageError(f"sandbox deny '{type_name}:{operation}': the operation must be one of {choices}")

    @cached_property
    def account_ids(self) -> tuple[str, ...]:
        """Every account of the sandbox, the sample (management) account first."""
        return account_ids(self.accounts)

    @cached_property
    def organization(self) -> Organization | None:
        """The Organization, or None for the sample account alone."""
        return Organization.build(self.accounts, self.suspended_accounts) if self.accounts > 1 else None

    @cached_property
    def suspended_accounts(self) -> frozenset[str]:
        return frozenset(_items(self.suspended))

    @cached_property
    def assume_denied_accounts(self) -> frozenset[str]:
        return frozenset(_items(self.deny_assume))

    @cached_property
    def account_rate_limits(self) -> Mapping[str, float]:
        limits = {}
        for item in _items(self.account_rate_limit):
            match = _ACCOUNT_RATE.fullmatch(item)
            if match is None:
                raise UsageError(f"sandbox account rate limit '{item}' is not ACCOUNT=N (200000000001=5)")
            limits[match["account"]] = float(match["rate"])
        return limits

    @cached_property
    def delegated_admins(self) -> frozenset[str]:
        return frozenset(_items(self.delegated_admin))

    def _known(self) -> str:
        members = f"{self.account_ids[1]}..{self.account_ids[-1]}" if self.accounts > 1 else "none (--accounts 1)"
        return f"management {self.account_ids[0]}, members {members}"

    @cached_property
    def fail_regions(self) -> frozenset[str]:
        return frozenset(_items(self.fail_region))

    @cached_property
    def disabled_regions(self) -> frozenset[str]:
        return frozenset(_items(DISABLED_BY_DEFAULT if self.disabled_region is None else self.disabled_region))

    @cached_property
    def full_model_list_types(self) -> frozenset[str]:
        return frozenset(_items(self.full_model_lists))

    @cached_property
    def read_failure_identifiers(self) -> frozenset[str]:
        return frozenset(_items(self.read_failure_ids))

    @cached_property
    def denied(self) -> frozenset[tuple[str, str | None]]:
        """(type, handler operation or None for every operation) for each ``deny`` entry."""
        entries = set()
        for item in _items(self.deny):
            match = _DENY_ENTRY.fullmatch(item)
            if match is None:
                raise UsageError(f"sandbox deny '{item}' is not TYPE or TYPE:operation (AWS::Logs::LogGroup:read)")
            operation = match["operation"]
            entries.add((match["type"], operation.lower() if operation else None))
        return frozenset(entries)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> SandboxConfig:
        """Settings from ``AWSQL_SANDBOX_*`` variables (empty ones are ignored); ``overrides`` win."""
        environ = os.environ if environ is None else environ
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for variable, name in ENVIRONMENT.items():
            text = environ.get(variable, "").strip()
            if text:
                values[name] = _parse(variable, text, types[name])
        return replace(cls(), **{**values, **overrides})


def _items(value: str | None) -> list[str]:
    """The entries of a comma-separated setting; ``none`` is the empty list."""
    if not value or value.strip().lower() == NONE:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_type(setting: str, type_name: str) -> None:
    # Imported here: the catalog is only needed when a setting names a type.
    from awsql_shell.catalog import default_catalog
    from awsql_shell.errors import UnknownNameError

    try:
        default_catalog().entry(type_name)
    except UnknownNameError as error:
        raise UsageError(f"sandbox {setting}: {error}") from None


def _parse(variable: str, text: str, kind: Any) -> Any:
    kind = str(kind)
    if kind.startswith("bool"):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise UsageError(f"{variable}={text!r} is not a boolean (use 1 or 0)")
    try:
        if kind.startswith("int"):
            return int(text)
        if kind.startswith("float"):
            return float(text)
    except ValueError:
        expected = "an integer" if kind.startswith("int") else "a number"
        raise UsageError(f"{variable}={text!r} is not {expected}") from None
    if kind.startswith("Path"):
        return Path(text)
    return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
