"""Who a call is from: the account of its access key, read from the SigV4 ``Authorization`` header.

Decision: the sandbox issues temporary credentials (AssumeRole) whose access key names the account they are
for, ``ASIA`` + the 12-digit account id + 4 random letters (20 characters, as AWS's keys are); ``ASIA``
is AWS's prefix for temporary (STS) access keys and ``AROA`` for roles, ``AIDA`` for IAM users (IAM User
Guide, "IAM identifiers", unique ID prefixes; hackingthe.cloud, "IAM unique identifiers"). Every other access key
is the caller's own and belongs to the sample account (the management account of an Organization): any
such key works unchecked, as the sandbox always allowed.

A key the sandbox issued is checked as AWS checks it, so that a client mixing up credentials is caught:
- its session token (``X-Amz-Security-Token``) must be the one issued with it: a token says what it is for
  (account, role, session, expiry) and carries an HMAC over that under a key derived from the seed, so any
  sandbox with the same seed can read it and no one can forge or alter it. A missing or foreign token, or
  one for an account the sandbox no longer has, is ``UnrecognizedClientException`` "The security token
  included in the request is invalid." (the answer AWS gives JSON services for unknown credentials:
  brefphp/extra-php-extensions#384);
- past its expiry it is ``ExpiredTokenException`` "The security token included in the request is expired",
  HTTP 400: guregu/dynamo#68 — a JSON 1.0 service's answer, ``{"__type":"com.amazon.coral.service#
  ExpiredTokenException","message":"The security token included in the request is expired"}``, "HTTP/1.1
  400 Bad Request";
- its secret is derived from the key (HMAC again), and the request's signature must be the one that
  secret makes: else ``InvalidSignatureException`` "The request signature we calculated does not match the
  signature you provided. Check your AWS Secret Access Key and signing method. Consult the service
  documentation for details.", status 400 (teralytics/prometheus-ecs-discovery#7; aws/aws-sdk-js#168).

STS answers the same three in its own words (``sts_api``). The wording a suspended account's own
credentials would meet is not public; the sandbox cannot issue such credentials anyway (AssumeRole into a
suspended account is denied), and treats a token for one as invalid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from awsql_shell.sandbox.behaviour import SANDBOX_PRINCIPAL
from awsql_shell.sandbox.errors import ApiError

ISSUED_KEY = re.compile(r"ASIA(?P<account>\d{12})[A-Z2-7]{4}")
_KEY_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TOKEN_PREFIX = "SBX1"
_CREDENTIAL = re.compile(
    r"Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/,\s]+)/(?P<service>[^/,\s]+)/aws4_request"
)
_SIGNED_HEADERS = re.compile(r"SignedHeaders=(?P<headers>[^,\s]+)")
_SIGNATURE = re.compile(r"Signature=(?P<signature>[0-9a-f]+)")

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


def invalid_token() -> ApiError:
    return ApiError("UnrecognizedClientException", INVALID_TOKEN)


@dataclass(frozen=True)
class SignedRequest:
    """What a SigV4 ``Authorization`` header says."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


def parse_authorization(authorization: str | None) -> SignedRequest:
    """The parts of a SigV4 header; errors as AWS reports a missing or malformed one."""
    if not authorization:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    credential = _CREDENTIAL.search(authorization)
    if credential is None:
        raise ApiError(
            "IncompleteSignatureException", "Authorization header requires a Credential parameter of the SigV4 form"
        )
    headers = _SIGNED_HEADERS.search(authorization)
    signature = _SIGNATURE.search(authorization)
    return SignedRequest(
        credential["key"],
        credential["date"],
        credential["region"],
        credential["service"],
        tuple(headers["headers"].split(";")) if headers else (),
        signature["signature"] if signature else "",
    )


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # with its query string, as sent
    headers: Mapping[str, str]
    body: bytes


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature_of(secret: str, signed: SignedRequest, request: HttpRequest) -> str:
    """The SigV4 signature ``secret`` makes for the request, over the headers it says it signed."""
    path, _, query = request.path.partition("?")
    canonical_query = "&".join(sorted(part for part in query.split("&") if part))
    canonical_headers = "".join(
        f"{name}:{' '.join((request.headers.get(name) or '').split())}\n" for name in signed.signed_headers
    )
    canonical = "\n".join(
        (
            request.method,
            path or "/",
            canonical_query,
            canonical_headers,
            ";".join(signed.signed_headers),
            hashlib.sha256(request.body).hexdigest(),
        )
    )
    to_sign = "\n".join(
        (
            "AWS4-HMAC-SHA256",
            request.headers.get("X-Amz-Date") or "",
            signed.scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        )
    )
    key = ("AWS4" + secret).encode()
    for part in (signed.date, signed.region, signed.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Whom a call is from: an account, and the identity in it GetCallerIdentity names."""

    account: str
    arn: str
    user_id: str
    role_arn: str | None = None  # the role an assumed-role session is of (arn:aws:iam::A:role/NAME)

    @property
    def assumed(self) -> bool:
        return self.role_arn is not None


def caller(account: str, access_key: str) -> Principal:
    """The owner of the caller's own keys: the IAM user ``sandbox`` of the sample account."""
    user_id = "AIDA" + hashlib.sha256(f"user|{access_key}".encode()).hexdigest()[:17].upper()
    return Principal(account, f"arn:aws:iam::{account}:{SANDBOX_PRINCIPAL}", user_id)


@dataclass(frozen=True)
class Session:
    """What a session token says: the assumed role's session and when it ends."""

    access_key: str
    account: str
    role_name: str
    role_id: str
    session_name: str
    expires: float  # seconds since the epoch, whole

    @property
    def principal(self) -> Principal:
        return Principal(
            self.account,
            f"arn:aws:sts::{self.account}:assumed-role/{self.role_name}/{self.session_name}",
            f"{self.role_id}:{self.session_name}",
            f"arn:aws:iam::{self.account}:role/{self.role_name}",
        )


@dataclass(frozen=True)
class IssuedCredentials:
    access_key: str
    secret: str
    token: str
    session: Session


class Issuer:
    """Mints and reads the sandbox's temporary credentials; the seed is the key of every HMAC."""

    def __init__(self, seed: int):
        self._key = hashlib.sha256(f"awsql-sandbox-credentials|{seed}".encode()).digest()

    def issue(
        self, account: str, role_name: str, role_id: str, session_name: str, lifetime: float, now: float
    ) -> IssuedCredentials:
        # Whole seconds, rounded up: the Expiration AWS answers has whole seconds, and the credentials must
        # not end before the time they say.
        expires = float(math.ceil(now) + int(lifetime))
        access_key = "ASIA" + account + "".join(secrets.choice(_KEY_LETTERS) for _ in range(4))
        session = Session(access_key, account, role_name, role_id, session_name, expires)
        body = base64.urlsafe_b64encode(
            json.dumps([access_key, account, role_name, role_id, session_name, expires]).encode()
        ).decode()
        token = f"{_TOKEN_PREFIX}{body}.{self._mac(body)}"
        return IssuedCredentials(access_key, self.secret_for(access_key), token, session)

    def secret_for(self, access_key: str) -> str:
        return base64.b64encode(_hmac(self._key, f"secret|{access_key}")).decode()[:40]

    def session(self, access_key: str, token: str | None) -> Session:
        """The session a token is for, if it is the token issued with this key; else the invalid-token error."""
        if not token or not token.startswith(_TOKEN_PREFIX) or "." not in token:
            raise invalid_token()
        body, _, mac = token[len(_TOKEN_PREFIX) :].rpartition(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            raise invalid_token()
        try:
            fields = json.loads(base64.urlsafe_b64decode(body))
            session = Session(*fields)
        except (ValueError, TypeError):
            raise invalid_token() from None
        if session.access_key != access_key:
            raise invalid_token()
        return session

    def _mac(self, body: str) -> str:
        return base64.urlsafe_b64encode(_hmac(self._key, f"token|{body}")[:24]).decode()


def identify(issuer: Issuer, signed: SignedRequest, request: HttpRequest, now: float, caller_account: str) -> Principal:
    """The principal of a request; for a key the sandbox issued, after checking it as AWS would."""
    if ISSUED_KEY.fullmatch(signed.access_key) is None:
        return caller(caller_account, signed.access_key)
    session = issuer.session(signed.access_key, request.headers.get("X-Amz-Security-Token"))
    if now >= session.expires:
        raise ApiError("ExpiredTokenException", EXPIRED_TOKEN)
    expected = signature_of(issuer.secret_for(signed.access_key), signed, request)
    if not hmac.compare_digest(expected, signed.signature):
        raise ApiError("InvalidSignatureException", SIGNATURE_MISMATCH)
    return session.principal
