"""What a sandbox run is asked to do: address, state file, fixtures, AWS behaviours and injected faults.

Decision: every field defaults to what AWS does (its evidence is named where the behaviour is
implemented), so a client is tested against the hard case unless a test opts out. The one exception is
``AWS_DEFAULTS_AWAITING_CLIENT`` below: AWS behaviours that awsql's own tests do not survive yet, held off
in one place with the value used meanwhile, so that each can be switched on by deleting its line.

Faults (latency, random throttling, failing regions) are off by default and seeded, so that a run can
be repeated.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from awsql_shell.catalog.regions import is_region
from awsql_shell.errors import UsageError
from awsql_shell.sandbox.behaviour import FULL_MODEL_LIST_TYPES, MAX_PAGE_SIZE

FIXTURE_SETS = ("default", "none")
DEFAULT_REQUEST_DELAY_MS = 200
MAX_RESULTS_CEILING = 100  # the MaxResults ceiling in Cloud Control's API model
NONE = "none"  # the value that empties a list setting (an empty environment variable is ignored)

# AWS behaviours held off until awsql's client copes with them: field -> the value used meanwhile.
# Delete a line to give that field its AWS default. Each line says which of awsql's tests fail with it on.
AWS_DEFAULTS_AWAITING_CLIENT: Mapping[str, Any] = {
    # S3 buckets listed from every region: awsql shows each bucket once per region it reads, so counts of
    # buckets per region are wrong. Fails tests/test_gateway.py::test_unknown_type_and_missing_handler_are_
    # unsupported, tests/test_select.py::test_no_region_uses_the_default_with_a_notice and
    # ::test_raw_cloud_control_views, tests/test_select_cli.py::test_failing_region_prints_the_rest_warns_and_
    # exits_4 and ::test_the_default_region_notice_names_where_the_region_came_from (13 buckets, not 6 or 3).
    "account_wide_lists": False,
    # LogGroup's missing-resource read is InvalidRequestException: awsql reports an UPDATE of a missing log
    # group by that code, not ResourceNotFoundException. Fails tests/test_mutations.py::test_a_partial_
    # failure_carries_a_row_for_every_call.
    "not_found_by_type": False,
    # Each type's own page size (100 for Lambda functions): the 25 sample functions come in one page, not
    # two, so awsql's call counts differ. Fails tests/test_select.py::test_list_only_columns_need_no_get_
    # resource, ::test_columns_outside_the_list_fetch_details and ::test_limit_is_not_pushed_when_rows_are_
    # filtered_or_ordered.
    "page_size": 20,
}


def _aws(name: str, value: Any) -> Any:
    """The default of a field: AWS's, unless it is held off above."""
    return AWS_DEFAULTS_AWAITING_CLIENT.get(name, value)


# Environment variable -> config field. `awsql --sandbox` honours all of them.
ENVIRONMENT = {
    "AWSQL_SANDBOX_STATE": "state_path",
    "AWSQL_SANDBOX_LATENCY_MS": "latency_ms",
    "AWSQL_SANDBOX_THROTTLE_RATE": "throttle_rate",
    "AWSQL_SANDBOX_FAIL_REGION": "fail_region",
    "AWSQL_SANDBOX_FIXTURE_SCALE": "fixture_scale",
    "AWSQL_SANDBOX_SEED": "seed",
    "AWSQL_SANDBOX_FIXTURES": "fixtures",
    "AWSQL_SANDBOX_REQUEST_DELAY_MS": "request_delay_ms",
    "AWSQL_SANDBOX_PAGE_SIZE": "page_size",
    "AWSQL_SANDBOX_HONOR_MAX_RESULTS": "honor_max_results",
    "AWSQL_SANDBOX_ACCOUNT_WIDE_LISTS": "account_wide_lists",
    "AWSQL_SANDBOX_FULL_MODEL_LISTS": "full_model_lists",
    "AWSQL_SANDBOX_NOT_FOUND_BY_TYPE": "not_found_by_type",
    "AWSQL_SANDBOX_MISSING_PARENT_NOT_FOUND": "missing_parent_not_found",
}
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

    # -- faults (off by default) ------------------------------------------------------------------
    latency_ms: int = 0  # every call waits this long before its answer
    throttle_rate: float = 0.0  # probability of a ThrottlingException before any call is served
    fail_region: str | None = None  # regions that answer 503 to every call (comma-separated)

    def __post_init__(self) -> None:
        if not _is_loopback(self.host):
            raise UsageError(f"sandbox host '{self.host}' is not a loopback address: the sandbox serves 127.0.0.1 only")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"sandbox port {self.port} is out of range 0-65535")
        if self.fixtures not in FIXTURE_SETS:
            raise UsageError(f"unknown sandbox fixtures '{self.fixtures}': expected one of {', '.join(FIXTURE_SETS)}")
        if self.fixture_scale < 1:
            raise UsageError(f"sandbox fixture scale must be at least 1, not {self.fixture_scale}")
        for name in ("latency_ms", "request_delay_ms"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise UsageError(f"sandbox {name.replace('_', ' ')} cannot be negative, not {value}")
        if not 0.0 <= self.throttle_rate <= 1.0:
            raise UsageError(f"sandbox throttle rate must be between 0 and 1, not {self.throttle_rate}")
        if self.page_size is not None and not 0 <= self.page_size <= MAX_PAGE_SIZE:
            raise UsageError(
                f"sandbox page size must be between 1 and {MAX_PAGE_SIZE} (0: each type's own), not {self.page_size}"
            )
        for region in self.fail_regions:
            if not is_region(region):
                raise UsageError(f"sandbox fail region '{region}' is not an AWS region")
        for type_name in self.full_model_list_types:
            _check_type("full-model list type", type_name)

    @cached_property
    def fail_regions(self) -> frozenset[str]:
        return frozenset(_items(self.fail_region))

    @cached_property
    def full_model_list_types(self) -> frozenset[str]:
        return frozenset(_items(self.full_model_lists))

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
