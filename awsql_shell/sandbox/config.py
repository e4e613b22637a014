"""What a sandbox run is asked to do: address, state file, fixtures and injected faults."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from awsql_shell.catalog.regions import is_region
from awsql_shell.errors import UsageError

FIXTURE_SETS = ("default", "none")
DEFAULT_REQUEST_DELAY_MS = 200
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100  # the MaxResults ceiling in Cloud Control's API model

# Environment variable -> config field. The first six are the documented ones `awsql --sandbox` honours;
# the last three are extras for scripts that want to shape the sandbox further.
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
}


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    state_path: Path | None = None
    fixtures: str = "default"
    fixture_scale: int = 1
    latency_ms: int = 0
    throttle_rate: float = 0.0
    fail_region: str | None = None  # one region, or several separated by commas
    seed: int = 0
    request_delay_ms: int = DEFAULT_REQUEST_DELAY_MS  # how long a mutation stays IN_PROGRESS
    page_size: int = DEFAULT_PAGE_SIZE
    log_requests: bool = False

    def __post_init__(self) -> None:
        if not _is_loopback(self.host):
            raise UsageError(f"sandbox host '{self.host}' is not a loopback address: the sandbox serves 127.0.0.1 only")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"sandbox port {self.port} is out of range 0-65535")
        if self.fixtures not in FIXTURE_SETS:
            raise UsageError(f"unknown sandbox fixtures '{self.fixtures}': expected one of {', '.join(FIXTURE_SETS)}")
        if self.fixture_scale < 1:
            raise UsageError(f"sandbox fixture scale must be at least 1, not {self.fixture_scale}")
        if self.latency_ms < 0 or self.request_delay_ms < 0:
            raise UsageError("sandbox latency and request delay cannot be negative")
        if not 0.0 <= self.throttle_rate <= 1.0:
            raise UsageError(f"sandbox throttle rate must be between 0 and 1, not {self.throttle_rate}")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise UsageError(f"sandbox page size must be between 1 and {MAX_PAGE_SIZE}, not {self.page_size}")
        for region in self.fail_regions:
            if not is_region(region):
                raise UsageError(f"sandbox fail region '{region}' is not an AWS region")

    @property
    def fail_regions(self) -> frozenset[str]:
        if not self.fail_region:
            return frozenset()
        return frozenset(part.strip() for part in self.fail_region.split(",") if part.strip())

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


def _parse(variable: str, text: str, kind: Any) -> Any:
    kind = str(kind)
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
