"""The HTTP side: one endpoint, ``POST /``, for each API the sandbox answers, in the protocol botocore speaks:

- Cloud Control: AWS JSON 1.0, ``X-Amz-Target: CloudApiService.<Operation>``, signed for ``cloudcontrolapi``;
- Organizations: AWS JSON 1.1, ``X-Amz-Target: AWSOrganizationsV20161128.<Operation>``, signed for
  ``organizations`` (botocore's organizations model: "protocol": "json", "jsonVersion": "1.1",
  "targetPrefix": "AWSOrganizationsV20161128");
- STS: the AWS query protocol, a form-encoded body with ``Action`` and ``Version``, answered in XML, signed
  for ``sts`` (botocore's sts model: "protocol": "query", "xmlNamespace":
  "https://sts.amazonaws.com/doc/2011-06-15/", each result in ``<ActionResult>`` inside
  ``<ActionResponse>``). Its errors are ``<ErrorResponse><Error><Type>Sender</Type><Code>..</Code>
  <Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>`` with Content-Type text/xml:
  aws-azure-login/aws-azure-login#251 and Netflix/security_monkey#77 show such bodies.

So plain ``boto3.client("sts" | "organizations" | "cloudcontrol", endpoint_url=url)`` all work on one URL.
The credential scope must name a known region and the API's signing name, since that is where a real
request would be routed. Every call is attributed to the account of its access key (``credentials``):
the caller's own keys are the sample (management) account, keys AssumeRole issued are checked and name
their account.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from awsql_shell.catalog import default_catalog
from awsql_shell.catalog.regions import is_region
from awsql_shell.errors import UsageError
from awsql_shell.sandbox.config import SandboxConfig
from awsql_shell.sandbox.credentials import (
    EXPIRED_TOKEN,
    HttpRequest,
    Issuer,
    Principal,
    SignedRequest,
    identify,
    invalid_token,
    parse_authorization,
)
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.faults import Faults
from awsql_shell.sandbox.fixtures import SAMPLE_PROFILE, AccessRole, FixtureProfile, load_fixtures, member_profile
from awsql_shell.sandbox.generate import ACCOUNT_ID
from awsql_shell.sandbox.organizations_api import OrganizationsService
from awsql_shell.sandbox.service import CloudControl
from awsql_shell.sandbox.state import SandboxState, StateFile
from awsql_shell.sandbox.sts_api import API_VERSION, SecurityTokenService

Json = dict[str, Any]


@dataclass(frozen=True)
class JsonApi:
    """An API of the AWS JSON protocol: its X-Amz-Target prefix, signing name and content type."""

    target_prefix: str
    signing_name: str
    content_type: str


CLOUD_CONTROL = JsonApi("CloudApiService.", "cloudcontrolapi", "application/x-amz-json-1.0")
ORGANIZATIONS = JsonApi("AWSOrganizationsV20161128.", "organizations", "application/x-amz-json-1.1")
JSON_APIS = (CLOUD_CONTROL, ORGANIZATIONS)
STS_SIGNING_NAME = "sts"
STS_NAMESPACE = f"https://sts.amazonaws.com/doc/{API_VERSION}/"
XML = "text/xml"

# STS's words for the credential errors that JSON services answer as credentials.py says.
QUERY_ERRORS: dict[str, tuple[str, int, str]] = {
    # aws-azure-login/aws-azure-login#251 — 403, <Code>InvalidClientTokenId</Code>, "The security token
    # included in the request is invalid" (no full stop).
    "UnrecognizedClientException": (
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid",
    ),
    # aws/aws-sdk-java-v2#1649 — STS's expired-token error is "ExpiredToken", Status Code 403;
    # miquella/vaulted#107 — "(ExpiredToken) when calling the GetCallerIdentity operation".
    "ExpiredTokenException": ("ExpiredToken", 403, EXPIRED_TOKEN),
    # aws/aws-cli#135 — a query API's signature error: "Code": "SignatureDoesNotMatch".
    "InvalidSignatureException": ("SignatureDoesNotMatch", 403, ""),
}


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    request_id: str
    code: str = "OK"  # the error code, for the request log


def check_scope(signed: SignedRequest, signing_name: str) -> str:
    """The region the request is signed for, if it is signed for this API in a known region."""
    if signed.service != signing_name:
        message = f"Credential should be scoped to correct service: '{signing_name}'."
        raise ApiError("InvalidSignatureException", message)
    if not is_region(signed.region):
        message = f"Credential should be scoped to a valid region, not '{signed.region}'."
        raise ApiError("InvalidSignatureException", message)
    return signed.region


@dataclass
class SandboxApp:
    """From a request to its reply: the API it is for, who it is from, then the faults and the service."""

    config: SandboxConfig
    service: CloudControl
    faults: Faults
    sts: SecurityTokenService
    organizations: OrganizationsService
    issuer: Issuer
    log: bool = False
    clock: Callable[[], float] = time.time
    # Every call answered, by (account, region, operation): what a test asks to see which accounts were called.
    received: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _received_lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: HttpRequest) -> Reply:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        target = request.headers.get("X-Amz-Target") or ""
        if not target:
            form = self._form(request)
            if "Action" in form:
                reply, account, region = self._sts(request, form, request_id)
                self._log(account, region, form["Action"], reply, started)
                return reply
        api = next((api for api in JSON_APIS if target.startswith(api.target_prefix)), CLOUD_CONTROL)
        operation = target[len(api.target_prefix) :] if target.startswith(api.target_prefix) else "?"
        account, region = "?", "?"
        try:
            if operation == "?":
                raise ApiError("UnknownOperationException", f"Unknown operation {target or '(no X-Amz-Target)'}")
            signed = parse_authorization(request.headers.get("Authorization"))
            region = check_scope(signed, api.signing_name)
            principal = self._principal(signed, request)
            account = principal.account
            params = self._params(request.body)
            if api is ORGANIZATIONS:
                status, answer = 200, self.organizations.dispatch(operation, principal, params)
            else:
                self.faults.delay(operation)
                self.faults.check(account, region)
                status, answer = 200, self.service.dispatch(operation, region, params, account)
        except ApiError as error:
            status, answer = error.status, error.body()
        except Exception as error:  # a sandbox bug must not look like a hung connection
            traceback.print_exc(file=sys.stderr)
            status, answer = 500, {"__type": "InternalFailure", "Message": f"sandbox internal error: {error}"}
        reply = Reply(status, api.content_type, json.dumps(answer).encode(), request_id, answer.get("__type", "OK"))
        self._log(account, region, operation, reply, started)
        return reply

    def _principal(self, signed: SignedRequest, request: HttpRequest) -> Principal:
        principal = identify(self.issuer, signed, request, self.clock(), ACCOUNT_ID)
        # Credentials of an account the sandbox does not have, or of a closed one, no longer authenticate.
        if principal.account not in self.config.account_ids or principal.account in self.config.suspended_accounts:
            raise invalid_token()
        return principal

    def _sts(self, request: HttpRequest, form: dict[str, str], request_id: str) -> tuple[Reply, str, str]:
        action, account, region = form["Action"], "?", "?"
        try:
            signed = parse_authorization(request.headers.get("Authorization"))
            region = check_scope(signed, STS_SIGNING_NAME)
            principal = self._principal(signed, request)
            account = principal.account
            result = self.sts.dispatch(action, principal, form)
            body = (
                f'<{action}Response xmlns="{STS_NAMESPACE}"><{action}Result>{_xml(result)}</{action}Result>'
                f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
            )
            return Reply(200, XML, body.encode(), request_id), account, region
        except ApiError as error:
            code, status, message = QUERY_ERRORS.get(error.code, (error.code, error.status, ""))
            message = message or error.message
        except Exception as error:  # a sandbox bug must not look like a hung connection
            traceback.print_exc(file=sys.stderr)
            code, status, message = "InternalFailure", 500, f"sandbox internal error: {error}"
        kind = "Receiver" if status >= 500 else "Sender"
        body = (
            f'<ErrorResponse xmlns="{STS_NAMESPACE}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return Reply(status, XML, body.encode(), request_id, code), account, region

    def _log(self, account: str, region: str, operation: str, reply: Reply, started: float) -> None:
        with self._received_lock:
            self.received[(account, region, operation)] += 1
        if not self.log:
            return
        elapsed = (time.perf_counter() - started) * 1000
        outcome = f"{reply.status} {reply.code}"
        print(f"sandbox: {account} {region} {operation} {outcome} {elapsed:.1f}ms", file=sys.stderr, flush=True)

    @staticmethod
    def _form(request: HttpRequest) -> dict[str, str]:
        """A query-protocol request's parameters (the first of each); empty for any other body."""
        if not (request.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
            return {}
        try:
            parsed = parse_qs(request.body.decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            return {}
        return {name: values[0] for name, values in parsed.items()}

    @staticmethod
    def _params(body: bytes) -> Json:
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise ApiError("SerializationException", "the request body is not valid JSON") from None
        if not isinstance(params, dict):
            raise ApiError("SerializationException", "the request body must be a JSON object")
        return params


def _xml(value: Any) -> str:
    """A result as the query protocol nests it: each key an element; lists are not needed by STS here."""
    if isinstance(value, dict):
        return "".join(f"<{name}>{_xml(item)}</{name}>" for name, item in value.items())
    return escape(str(value))


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
        self._send(self.server.app.handle(HttpRequest("POST", self.path, self.headers, body)))

    def do_GET(self) -> None:
        body = {"__type": "UnknownOperationException", "Message": "the sandbox's APIs are served on POST /"}
        self._send(Reply(404, CLOUD_CONTROL.content_type, json.dumps(body).encode(), str(uuid.uuid4())))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("x-amzn-RequestId", reply.request_id)
        self.end_headers()
        self.wfile.write(reply.body)

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

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-answer (a statement stopped, a process done) is no sandbox error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


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

    @property
    def received(self) -> Counter[tuple[str, str, str]]:
        """The calls answered so far, by (account, region, operation) ("?" where the call named none)."""
        return self._server.app.received

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
    issuer = Issuer(config.seed)
    sts = SecurityTokenService(config, service, issuer, refused=service.faults.assume_refused)
    organizations = OrganizationsService(config)
    app = SandboxApp(config, service, service.faults, sts, organizations, issuer, log=config.log_requests)
    try:
        server = _Server((config.host, config.port), app)
    except OSError as error:
        raise UsageError(f"sandbox cannot listen on {config.host}:{config.port}: {error.strerror}") from None
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="awsql-sandbox", daemon=True
    )
    thread.start()
    return RunningSandbox(config, service, server, thread)
