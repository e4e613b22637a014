"""The HTTP side: AWS JSON 1.0 over ``POST /``, as botocore's ``cloudcontrol`` client speaks it.

Signatures are not checked (any credentials work), but the credential scope must name a known region
and the ``cloudcontrolapi`` service, since that is where a real request would be routed.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from awsql_shell.catalog import default_catalog
from awsql_shell.catalog.regions import is_region
from awsql_shell.errors import UsageError
from awsql_shell.sandbox.config import SandboxConfig
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.faults import Faults
from awsql_shell.sandbox.fixtures import SAMPLE_PROFILE, AccessRole, FixtureProfile, load_fixtures, member_profile
from awsql_shell.sandbox.generate import ACCOUNT_ID
from awsql_shell.sandbox.service import CloudControl
from awsql_shell.sandbox.state import SandboxState, StateFile

TARGET_PREFIX = "CloudApiService."
SIGNING_NAME = "cloudcontrolapi"
CONTENT_TYPE = "application/x-amz-json-1.0"
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


def region_of(authorization: str | None) -> str:
    """The region a SigV4-signed request is meant for; errors as AWS reports them."""
    if not authorization:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _SCOPE.search(authorization)
    if match is None:
        raise ApiError(
            "IncompleteSignatureException", "Authorization header requires a Credential parameter of the SigV4 form"
        )
    region, service = match.groups()
    if service != SIGNING_NAME:
        message = f"Credential should be scoped to correct service: '{SIGNING_NAME}'."
        raise ApiError("InvalidSignatureException", message)
    if not is_region(region):
        raise ApiError("InvalidSignatureException", f"Credential should be scoped to a valid region, not '{region}'.")
    return region


@dataclass
class SandboxApp:
    """From request bytes to (status, JSON answer), with faults applied before the service is asked."""

    service: CloudControl
    faults: Faults
    log: bool = False

    def handle(self, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        operation, region = "?", "?"
        try:
            target = headers.get("X-Amz-Target") or ""
            if not target.startswith(TARGET_PREFIX):
                raise ApiError("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}")
            operation = target[len(TARGET_PREFIX) :]
            region = region_of(headers.get("Authorization"))
            params = self._params(body)
            self.faults.delay(operation)
            self.faults.check(region)
            status, answer = 200, self.service.dispatch(operation, region, params)
        except ApiError as error:
            status, answer = error.status, error.body()
        except Exception as error:  # a sandbox bug must not look like a hung connection
            traceback.print_exc(file=sys.stderr)
            status, answer = 500, {"__type": "InternalFailure", "Message": f"sandbox internal error: {error}"}
        if self.log:
            elapsed = (time.perf_counter() - started) * 1000
            code = answer.get("__type", "OK")
            print(f"sandbox: {region} {operation} {status} {code} {elapsed:.1f}ms", file=sys.stderr, flush=True)
        return status, answer

    @staticmethod
    def _params(body: bytes) -> dict[str, Any]:
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise ApiError("SerializationException", "the request body is not valid JSON") from None
        if not isinstance(params, dict):
            raise ApiError("SerializationException", "the request body must be a JSON object")
        return params


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its connections
    server_version = "awsql-sandbox"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    timeout = 120  # idle keep-alive connections do not hold a thread forever
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, answer = self.server.app.handle(self.headers, body)
        self._send(status, json.dumps(answer).encode())

    def do_GET(self) -> None:
        body = {"__type": "UnknownOperationException", "Message": "the Cloud Control API is served on POST /"}
        self._send(404, json.dumps(body).encode())

    def _send(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: SandboxApp logs requests itself when asked to."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # awsql opens 16 connections at once; the default backlog of 5 stalls them
    app: SandboxApp

    def __init__(self, address: tuple[str, int], app: SandboxApp):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.app = app
        super().__init__(address, _Handler)


@dataclass
class RunningSandbox:
    """A sandbox serving in a daemon thread; ``stop()`` (or leaving the ``with`` block) ends it."""

    config: SandboxConfig
    service: CloudControl
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.service.settle()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def open_service(config: SandboxConfig) -> CloudControl:
    """The service over the saved state, or over fresh fixtures (saved at once when a state file is set).

    Every account of the sandbox that the state does not know yet gets its fixtures: all of them in a new
    state, none in a state that knows them all (one saved with ``--fixtures none`` knows its accounts, empty),
    and the members a state saved with fewer accounts (or before there were members) lacks.

    With a state file, the look and the first save happen under its lock: of several processes starting
    on one new file, one seeds the fixtures and the others find them.
    """
    catalog = default_catalog()
    faults = Faults(config)
    if config.state_path is None:
        service = CloudControl(config, catalog, SandboxState(), faults=faults)
        _seed(service, config)
        return service
    store = StateFile(config.state_path)
    with store.locked():
        state = store.load()
        service = CloudControl(config, catalog, state or SandboxState(), faults=faults, store=store)
        if _seed(service, config) or state is None:
            store.save(service.state)
    return service


def _seed(service: CloudControl, config: SandboxConfig) -> bool:
    """Fixtures for the accounts the state does not know yet; whether there were any."""
    missing = [account for account in config.account_ids if account not in service.state.accounts]
    for account in missing:
        service.state.resources_of(account)  # known from now on, even when it gets no fixtures
        if config.fixtures == "default":
            profile = _profile(config, account)
            load_fixtures(partial(service.add_fixture, account=account), config.fixture_scale, profile)
    return bool(missing)


def _profile(config: SandboxConfig, account: str) -> FixtureProfile:
    if account == ACCOUNT_ID:
        return SAMPLE_PROFILE
    return member_profile(account, config.seed, AccessRole(config.org_role, ACCOUNT_ID, config.external_id))


def start_sandbox(config: SandboxConfig | None = None) -> RunningSandbox:
    config = config or SandboxConfig()
    service = open_service(config)
    app = SandboxApp(service, service.faults, log=config.log_requests)
    try:
        server = _Server((config.host, config.port), app)
    except OSError as error:
        raise UsageError(f"sandbox cannot listen on {config.host}:{config.port}: {error.strerror}") from None
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="awsql-sandbox", daemon=True
    )
    thread.start()
    return RunningSandbox(config, service, server, thread)
