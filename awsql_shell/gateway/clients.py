"""boto3 sessions and Cloud Control clients, created on first use and shared by every worker thread.

boto3 is imported here and only when the first client is needed, so statements that never call AWS
(metadata, EXPLAIN) never pay for the import.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from awsql_shell import __version__

CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
# Workers queued behind a session that just failed to find credentials get that failure instead of running
# the whole credential chain again (which may wait on the instance metadata service) one after another.
_REMEMBER_SESSION_FAILURE_SECONDS = 2.0


@dataclass(frozen=True)
class Target:
    """Where calls go: the part of the settings that identifies an account and endpoint."""

    profile: str | None
    endpoint_url: str | None


class ClientFactory:
    """One boto3 Session per profile and one ``cloudcontrol`` client per (profile, endpoint, region).

    botocore clients are thread-safe once built, but Sessions are not, so building happens under a lock.
    Retries are switched off in botocore: the gateway retries itself, so that a cancelled statement stops
    backing off at once and every retry is counted.
    """

    def __init__(self, *, pool_connections: int):
        self._pool_connections = pool_connections
        self._lock = threading.Lock()
        self._sessions: dict[str | None, Any] = {}
        self._clients: dict[tuple[Target, str], Any] = {}
        self._session_failures: dict[str | None, tuple[float, Exception]] = {}

    def client(self, target: Target, region: str) -> Any:
        key = (target, region)
        found = self._clients.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                found = self._build(target, region)
                self._clients[key] = found
            return found

    def _build(self, target: Target, region: str) -> Any:
        from botocore.config import Config

        session = self._sessions.get(target.profile) or self._new_session(target.profile)
        config = Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            # awsql builds every request itself; re-validating each one costs CPU on the hot path.
            parameter_validation=False,
            max_pool_connections=self._pool_connections,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            user_agent_extra=f"awsql/{__version__}",
        )
        return session.client("cloudcontrol", region_name=region, endpoint_url=target.endpoint_url, config=config)

    def _new_session(self, profile: str | None) -> Any:
        import boto3
        from botocore.exceptions import NoCredentialsError

        failed = self._session_failures.get(profile)
        if failed is not None and time.monotonic() - failed[0] < _REMEMBER_SESSION_FAILURE_SECONDS:
            raise failed[1]
        try:
            session = boto3.session.Session(profile_name=profile)
            if session.get_credentials() is None:
                raise NoCredentialsError()
        except Exception as error:
            self._session_failures[profile] = (time.monotonic(), error)
            raise
        self._sessions[profile] = session
        return session
