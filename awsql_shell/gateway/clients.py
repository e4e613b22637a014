"""boto3 sessions and clients, created on first use and shared by every worker thread.

A ``Target`` is one set of credentials: a profile's own (its whole credential chain: SSO, assume-role
profiles, the environment), or a role assumed with them in another account (``--org``). Assumed-role
credentials refresh themselves before they expire (botocore's ``RefreshableCredentials``, asking STS
AssumeRole again), so a shell open all day keeps working. Refreshing starts a third of the credentials'
lifetime before the end (at most botocore's own 15 minutes), so short-lived credentials refresh too.

boto3 is imported here and only when the first client is needed, so statements that never call AWS
(metadata, EXPLAIN) never pay for the import.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from awsql_shell import __version__

CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
# Workers queued behind a session that just failed to find credentials get that failure instead of running
# the whole credential chain again (which may wait on the instance metadata service) one after another.
_REMEMBER_SESSION_FAILURE_SECONDS = 2.0
ROLE_SESSION_NAME = "awsql"
# STS and Organizations are asked few times (accounts' discovery, identities, refreshes): botocore's own
# retries suit them (Organizations throttles at a few requests per second).
_DISCOVERY_ATTEMPTS = 8
# A call's credentials travel in its parameters to the handler that hands them to botocore's signer.
_CREDENTIALS_PARAMETER = "_awsql_credentials"
# botocore refreshes at most this long before expiry (its RefreshableCredentials defaults).
_ADVISORY_REFRESH_SECONDS = 15 * 60
_MANDATORY_REFRESH_SECONDS = 10 * 60


@dataclass(frozen=True)
class Target:
    """Where calls go and with which credentials: a profile (None: the default chain) at an endpoint, or a
    role assumed with that profile's credentials (``role_arn``, with ``external_id`` when its trust needs one)."""

    profile: str | None
    endpoint_url: str | None
    role_arn: str | None = None
    external_id: str | None = None

    @property
    def base(self) -> Target:
        """The credentials a role is assumed with (the target itself when it is not a role)."""
        return replace(self, role_arn=None, external_id=None) if self.role_arn else self


class ClientFactory:
    """One boto3 Session per set of credentials and one client per (target, region, service).

    botocore clients are thread-safe once built, but Sessions are not, so building happens under a lock.
    Cloud Control clients have botocore's retries switched off: the gateway retries itself, so that a
    cancelled statement stops backing off at once and every retry is counted.
    """

    def __init__(self, *, pool_connections: int, home_region: str | None = None):
        self._pool_connections = pool_connections
        self._home_region = home_region or "us-east-1"  # where STS is asked to assume roles
        self._lock = threading.RLock()
        self._sessions: dict[Target, Any] = {}
        self._clients: dict[tuple[Target, str, str], Any] = {}
        self._session_failures: dict[Target, tuple[float, Exception]] = {}
        self._first_credentials: dict[Target, Mapping[str, Any]] = {}
        self._loader: Any = None  # botocore's data loader, shared by every session (see _core)
        self._credentials: dict[Target, Any] = {}
        self._shared: dict[tuple[str | None, str], Any] = {}  # Cloud Control client per (endpoint, region)

    def resized(self, pool_connections: int) -> ClientFactory:
        """A factory whose clients hold more connections, keeping the sessions (and credentials) of this one."""
        bigger = ClientFactory(pool_connections=pool_connections, home_region=self._home_region)
        with self._lock:
            bigger._sessions = dict(self._sessions)
            bigger._first_credentials = dict(self._first_credentials)
            bigger._loader = self._loader
            bigger._credentials = dict(self._credentials)
        return bigger

    def operation(self, target: Target, region: str, name: str) -> Callable[..., dict[str, Any]]:
        """Cloud Control's operation ``name`` in ``region``, called with ``target``'s credentials.

        One client per (endpoint, region) serves every account: each call hands its account's credentials
        to botocore's signer (the signing context's ``request_credentials``, boto/botocore#3146), so an
        Organization of 100 accounts x 17 regions needs 17 clients, not 1,700 (a client is ~175 KB and 4 ms
        to build). A botocore without that hook gets a client per (account, region), as before."""
        if not _signer_takes_request_credentials():
            return getattr(self.client(target, region), name)  # type: ignore[no-any-return]
        credentials = self.credentials(target)
        method = getattr(self._shared_client(target, region), name)
        return lambda **params: method(**params, **{_CREDENTIALS_PARAMETER: credentials})

    def credentials(self, target: Target) -> Any:
        """``target``'s botocore credentials (refreshable ones refresh themselves), resolved once."""

        def resolve() -> Any:
            return (self._sessions.get(target) or self._new_session(target)).get_credentials()

        return self._once(self._credentials, target, resolve)

    def _shared_client(self, target: Target, region: str) -> Any:
        def build() -> Any:
            client = self.client(target, region)
            client.meta.events.register("before-parameter-build.cloudcontrol", _take_credentials)
            return client

        return self._once(self._shared, (target.endpoint_url, region), build)

    def client(self, target: Target, region: str, service: str = "cloudcontrol") -> Any:
        return self._once(self._clients, (target, region, service), lambda: self._build(target, region, service))

    def _once(self, made: dict[Any, Any], key: Any, make: Callable[[], Any]) -> Any:
        """``made[key]``, made under the lock the first time (botocore sessions are not thread-safe); read
        without it once there, as every call of every worker does."""
        found = made.get(key)
        if found is not None:
            return found
        with self._lock:
            found = made.get(key)
            if found is None:
                found = made[key] = make()
            return found

    def adopt(self, target: Target, credentials: Mapping[str, Any]) -> None:
        """Credentials an AssumeRole for ``target`` already returned (the accounts' discovery assumes each
        role once to learn whether it can): the role's session starts with them instead of asking again."""
        with self._lock:
            self._first_credentials[target] = credentials

    def assume(self, target: Target) -> Mapping[str, Any]:
        """AssumeRole ``target.role_arn`` with the base credentials; the Credentials of the answer."""
        sts = self.client(target.base, self._home_region, "sts")
        params: dict[str, Any] = {"RoleArn": target.role_arn, "RoleSessionName": ROLE_SESSION_NAME}
        if target.external_id:
            params["ExternalId"] = target.external_id
        return sts.assume_role(**params)["Credentials"]

    def _build(self, target: Target, region: str, service: str) -> Any:
        from botocore.config import Config

        session = self._sessions.get(target) or self._new_session(target)
        if service == "cloudcontrol":
            retries: dict[str, Any] = {"mode": "standard", "total_max_attempts": 1}
        else:
            retries = {"mode": "standard", "total_max_attempts": _DISCOVERY_ATTEMPTS}
        config = Config(
            retries=retries,
            # awsql builds every request itself; re-validating each one costs CPU on the hot path.
            parameter_validation=service != "cloudcontrol",
            max_pool_connections=self._pool_connections,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            user_agent_extra=f"awsql/{__version__}",
        )
        return session.client(service, region_name=region, endpoint_url=target.endpoint_url, config=config)

    def _new_session(self, target: Target) -> Any:
        import boto3
        from botocore.exceptions import NoCredentialsError

        failed = self._session_failures.get(target)
        if failed is not None and time.monotonic() - failed[0] < _REMEMBER_SESSION_FAILURE_SECONDS:
            raise failed[1]
        try:
            if target.role_arn:
                session = self._role_session(target)
            else:
                session = boto3.session.Session(botocore_session=self._core(), profile_name=target.profile)
                if session.region_name is None:
                    # A profile that assumes a role asks STS in its region; one that names none asks in awsql's.
                    session = boto3.session.Session(
                        botocore_session=self._core(), profile_name=target.profile, region_name=self._home_region
                    )
                if session.get_credentials() is None:
                    raise NoCredentialsError()
        except Exception as error:
            self._session_failures[target] = (time.monotonic(), error)
            raise
        self._sessions[target] = session
        return session

    def _role_session(self, target: Target) -> Any:
        """A boto3 Session whose credentials are the role's, refreshed by AssumeRole before they expire."""
        import boto3
        from botocore.credentials import CredentialProvider, RefreshableCredentials

        def fetch() -> dict[str, Any]:
            answer = self.assume(target)
            return _metadata(answer)

        first = self._first_credentials.pop(target, None)
        metadata = _metadata(first) if first is not None else fetch()
        lifetime = max(1.0, _seconds_left(metadata["expiry_time"]))
        credentials = RefreshableCredentials.create_from_metadata(metadata, refresh_using=fetch, method="assume-role")
        # Its windows are fixed at 15 and 10 minutes, so credentials living less than that would be refreshed
        # before every call (boto/botocore#2189); set on the instance, as aws-deadline/deadline-cloud#431
        # does, since the constructor's own arguments for them are newer than the botocore awsql supports.
        credentials._advisory_refresh_timeout = min(_ADVISORY_REFRESH_SECONDS, lifetime / 3)
        credentials._mandatory_refresh_timeout = min(_MANDATORY_REFRESH_SECONDS, lifetime / 6)

        class _Role(CredentialProvider):  # botocore's public way to put credentials into a session's chain
            METHOD = "assume-role"

            def load(self) -> RefreshableCredentials:
                return credentials

        core = self._core()
        core.get_component("credential_provider").insert_before("env", _Role())
        return boto3.session.Session(botocore_session=core)

    def _core(self) -> Any:
        """A botocore session that reads service models through the factory's one loader: each new session
        would otherwise load and parse them again (about 100 ms a session, 18 ms shared), which an
        Organization of many accounts, a session each, would pay again and again."""
        import botocore.session

        core = botocore.session.Session()
        if self._loader is None:
            self._loader = core.get_component("data_loader")
        else:
            core.register_component("data_loader", self._loader)
        return core


def _take_credentials(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """botocore's before-parameter-build event: the call's credentials go to the signer, not to the API."""
    credentials = params.pop(_CREDENTIALS_PARAMETER, None)
    if credentials is not None:
        context.setdefault("signing", {})["request_credentials"] = credentials


@functools.cache
def _signer_takes_request_credentials() -> bool:
    from botocore.signers import RequestSigner

    return "request_credentials" in inspect.signature(RequestSigner.get_auth_instance).parameters


def _metadata(credentials: Mapping[str, Any]) -> dict[str, Any]:
    expiry = credentials["Expiration"]
    if isinstance(expiry, datetime.datetime):
        expiry = expiry.isoformat()
    return {
        "access_key": credentials["AccessKeyId"],
        "secret_key": credentials["SecretAccessKey"],
        "token": credentials["SessionToken"],
        "expiry_time": expiry,
    }


def _seconds_left(expiry: str) -> float:
    moment = datetime.datetime.fromisoformat(expiry.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return (moment - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
