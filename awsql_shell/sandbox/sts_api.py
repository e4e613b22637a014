"""STS as the sandbox answers it: GetCallerIdentity and AssumeRole.

GetCallerIdentity names the caller as its credentials do (``credentials.Principal``): the sample account's
IAM user ``sandbox`` for the caller's own keys, ``arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`` with
UserId ``ROLEID:SESSION`` for credentials AssumeRole issued (botocore's sts examples-1.json,
GetCallerIdentity "made with temporary credentials created by AssumeRole").

AssumeRole succeeds when the role exists in the account its ARN names — an ``AWS::IAM::Role`` resource of
that account, so a role created or deleted through Cloud Control counts — and the role's trust policy lets
the caller assume it: an Allow statement for ``sts:AssumeRole`` whose AWS principal is the caller's account
(its id, or ``arn:aws:iam::ID:root``), the caller's ARN or its role's ARN, or ``*``, and whose conditions
hold (only ``StringEquals`` on ``sts:ExternalId`` is understood; a statement with any other condition grants
nothing). Evidence: IAM User Guide, "AWS JSON policy elements: Principal" — an account ARN ``...:root`` or
the account id as principal stands for the account. Each member account's ``OrganizationAccountAccessRole``
trusts the management account (fixtures.py), so from the caller's own keys it is assumable and from one
member into another it is not.

Otherwise — no such role, a trust that does not name the caller, a wrong ExternalId, an account the sandbox
does not have, a suspended account, or the ``--deny-assume`` fault — AssumeRole answers AccessDenied, HTTP
403, "User: <caller ARN> is not authorized to perform: sts:AssumeRole on resource: <RoleArn as given>": AWS
does not say which. Evidence: Netflix/security_monkey#77 — a 403 ``<ErrorResponse>`` with ``<Type>Sender``,
``<Code>AccessDenied``, "User: arn:aws:sts::...:assumed-role/... is not authorized to perform:
sts:AssumeRole on resource: arn:aws:iam::<other account>:role/SecurityMonkey"; amzn/selling-partner-api-
models#2523 — a user's ARN as RoleArn, the same AccessDenied naming it; CrowdStrike/cloud-resource-
estimator#25 — the same AccessDenied for a suspended account's role, and aws-samples/experimental-
programmatic-access-ccft#21 — "It is not possible to assume a role in an account in state suspended or
pending closure".

Durations (botocore's sts model, AssumeRoleRequest.DurationSeconds: 900 to 43200, "By default, the value is
set to 3600 seconds", at most the role's maximum session duration, and one hour when role chaining):
ValidationError "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
(kreuzwerker/awsu#27, status 400) and "The requested DurationSeconds exceeds the 1 hour session limit for
roles assumed by role chaining." (aws/eks-anywhere#9485). The credentials then last that long, but never
longer than ``--credential-ttl-seconds`` (default 3600): a test of a client that refreshes sets it low.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awsql_shell.catalog.aws_behaviour import IAM_ROLE_NAME, IAM_ROLE_PATH
from awsql_shell.sandbox.config import SandboxConfig
from awsql_shell.sandbox.credentials import Issuer, Principal
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.generate import GLOBAL_PARTITION_KEY
from awsql_shell.sandbox.service import CloudControl

API_VERSION = "2011-06-15"
DEFAULT_DURATION = 3600
MIN_DURATION, MAX_DURATION = 900, 43200
CHAINED_MAX_DURATION = 3600
ROLE_TYPE = "AWS::IAM::Role"
_ROLE_ARN = re.compile(rf"arn:aws:iam::(?P<account>\d{{12}}):role/{IAM_ROLE_PATH}(?P<name>{IAM_ROLE_NAME})")
_SESSION_NAME = re.compile(r"[\w+=,.@-]*")  # botocore's sts model, roleSessionNameType (2 to 64)

Params = dict[str, str]


@dataclass(frozen=True)
class Role:
    """What AssumeRole needs of a role resource."""

    arn: str
    role_id: str
    max_session_duration: int
    trust: Any


def validation(message: str) -> ApiError:
    return ApiError("ValidationError", message)


def _constraint(value: Any, name: str, constraint: str) -> ApiError:
    return validation(
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: {constraint}"
    )


class SecurityTokenService:
    def __init__(
        self,
        config: SandboxConfig,
        service: CloudControl,
        issuer: Issuer,
        refused: Callable[[str], bool],
        clock: Callable[[], float] = time.time,
    ):
        self.config = config
        self.service = service
        self.issuer = issuer
        self.refused = refused  # whether roles of an account cannot be assumed at all (a fault, a suspension)
        self.clock = clock

    def dispatch(self, action: str, principal: Principal, params: Params) -> dict[str, Any]:
        handler = self.ACTIONS.get(action)
        if handler is None:
            # The query protocol's common error for an unknown Action (AWS STS API reference, Common Errors).
            raise ApiError(
                "InvalidAction",
                "The action or operation requested is invalid. Verify that the action is typed correctly.",
            )
        return handler(self, principal, params)

    def get_caller_identity(self, principal: Principal, params: Params) -> dict[str, Any]:
        return {"UserId": principal.user_id, "Account": principal.account, "Arn": principal.arn}

    def assume_role(self, principal: Principal, params: Params) -> dict[str, Any]:
        role_arn = params.get("RoleArn") or ""
        session_name = params.get("RoleSessionName") or ""
        if not 2 <= len(session_name) <= 64:
            raise _constraint(session_name, "roleSessionName", "Member must have length between 2 and 64")
        if not _SESSION_NAME.fullmatch(session_name):
            raise _constraint(
                session_name, "roleSessionName", "Member must satisfy regular expression pattern: [\\w+=,.@-]*"
            )
        duration = self._duration(params.get("DurationSeconds"))
        role = self._assumable(principal, role_arn, params.get("ExternalId"))
        if duration is not None and duration > role.max_session_duration:
            raise validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        if duration is not None and principal.assumed and duration > CHAINED_MAX_DURATION:
            raise validation(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
            )
        match = _ROLE_ARN.fullmatch(role_arn)
        assert match is not None  # _assumable found the role by it
        lifetime = min(duration or DEFAULT_DURATION, self.config.credential_ttl_seconds)
        issued = self.issuer.issue(match["account"], match["name"], role.role_id, session_name, lifetime, self.clock())
        assumed = issued.session.principal
        return {
            "Credentials": {
                "AccessKeyId": issued.access_key,
                "SecretAccessKey": issued.secret,
                "SessionToken": issued.token,
                "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued.session.expires)),
            },
            "AssumedRoleUser": {"AssumedRoleId": assumed.user_id, "Arn": assumed.arn},
        }

    ACTIONS: dict[str, Callable[[SecurityTokenService, Principal, Params], dict[str, Any]]] = {
        "GetCallerIdentity": get_caller_identity,
        "AssumeRole": assume_role,
    }

    @staticmethod
    def _duration(text: str | None) -> int | None:
        if text is None:
            return None
        try:
            duration = int(text)
        except ValueError:
            raise _constraint(text, "durationSeconds", "Member must be an integer") from None
        if duration < MIN_DURATION:
            raise _constraint(
                duration, "durationSeconds", f"Member must have value greater than or equal to {MIN_DURATION}"
            )
        if duration > MAX_DURATION:
            raise _constraint(
                duration, "durationSeconds", f"Member must have value less than or equal to {MAX_DURATION}"
            )
        return duration

    def _assumable(self, principal: Principal, role_arn: str, external_id: str | None) -> Role:
        """The role, if the caller may assume it; else AccessDenied, which never says why (module docstring)."""
        denied = ApiError(
            "AccessDenied",
            f"User: {principal.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            status=403,
        )
        match = _ROLE_ARN.fullmatch(role_arn)
        if match is None or match["account"] not in self.config.account_ids or self.refused(match["account"]):
            raise denied
        role = self.service.read(
            lambda state: _role(state.peek(GLOBAL_PARTITION_KEY, ROLE_TYPE, match["account"]), match["name"])
        )
        if role is None or role.arn != role_arn or not trusts(role.trust, principal, external_id):
            raise denied
        return role


def _role(roles: dict[str, dict[str, Any]], name: str) -> Role | None:
    model = roles.get(name)
    if model is None:
        return None
    maximum = model.get("MaxSessionDuration")
    return Role(
        str(model.get("Arn", "")),
        str(model.get("RoleId", "")),
        maximum if isinstance(maximum, int) else DEFAULT_DURATION,
        model.get("AssumeRolePolicyDocument"),
    )


def _listed(value: Any) -> list[Any]:
    """A policy element that may be one value or a list of them (absent: none)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trusts(policy: Any, caller: Principal, external_id: str | None) -> bool:
    """Whether a trust policy lets ``caller`` assume the role: some Allow applies and no Deny does."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    if not isinstance(policy, dict):
        return False
    allowed = False
    for statement in _listed(policy.get("Statement")):
        if not isinstance(statement, dict) or not _applies(statement, caller, external_id):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _applies(statement: dict[str, Any], caller: Principal, external_id: str | None) -> bool:
    if not {"sts:AssumeRole", "sts:*", "*"} & set(_listed(statement.get("Action"))):
        return False
    principal = statement.get("Principal")
    if principal != "*":
        named = set(_listed(principal.get("AWS"))) if isinstance(principal, dict) else set()
        caller_names = {caller.account, f"arn:aws:iam::{caller.account}:root", caller.arn}
        if caller.role_arn is not None:
            caller_names.add(caller.role_arn)
        if "*" not in named and not named & caller_names:
            return False
    for operator, tests in (statement.get("Condition") or {}).items():
        if operator != "StringEquals" or not isinstance(tests, dict) or set(tests) != {"sts:ExternalId"}:
            return False
        if external_id not in _listed(tests["sts:ExternalId"]):
            return False
    return True
