"""STS on the sandbox through real boto3 clients, and Cloud Control calls attributed to the account of their
access key: GetCallerIdentity per credentials, AssumeRole into member accounts and what it refuses, each
account seeing its own resources only, expiry and a client that refreshes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import ClientError

from awsql_shell.sandbox import ACCOUNT_ID, RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.sandbox.fixtures import AccessRole, fixture_counts, member_profile

FAST = {"request_delay_ms": 30}
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})

ORG_ROLE = "OrganizationAccountAccessRole"
MEMBER, OTHER = "200000000001", "200000000002"
LAMBDA = "AWS::Lambda::Function"
LOG_GROUP = "AWS::Logs::LogGroup"
BUCKET = "AWS::S3::Bucket"


@pytest.fixture(scope="module")
def org() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(accounts=4, **FAST)) as running:
        yield running


def error_of(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def identifiers(client: Any, type_name: str) -> list[str]:
    pages = client.get_paginator("list_resources").paginate(TypeName=type_name)
    return [d["Identifier"] for page in pages for d in page["ResourceDescriptions"]]


def wait_for(client: Any, event: dict[str, Any]) -> None:
    waiter = client.get_waiter("resource_request_success")
    waiter.wait(RequestToken=event["RequestToken"], WaiterConfig={"Delay": 0.02, "MaxAttempts": 250})


def test_the_callers_own_keys_are_the_management_accounts_user(org: RunningSandbox, aws: Any) -> None:
    identity = aws("sts", org.url).get_caller_identity()
    assert identity["Account"] == ACCOUNT_ID
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT_ID}:user/sandbox"
    assert identity["UserId"].startswith("AIDA") and len(identity["UserId"]) == 21


def test_assume_role_gives_credentials_that_name_the_member_account(org: RunningSandbox, aws: Any, assume: Any) -> None:
    before = time.time()
    answer = aws("sts", org.url).assume_role(
        RoleArn=f"arn:aws:iam::{MEMBER}:role/{ORG_ROLE}", RoleSessionName="awsql-test"
    )
    issued = answer["Credentials"]
    assert issued["AccessKeyId"].startswith(f"ASIA{MEMBER}") and len(issued["AccessKeyId"]) == 20
    assert issued["SecretAccessKey"] and issued["SessionToken"]
    lifetime = issued["Expiration"].timestamp() - before
    assert 3599 <= lifetime <= 3602  # AWS's default DurationSeconds
    user = answer["AssumedRoleUser"]
    assert user["Arn"] == f"arn:aws:sts::{MEMBER}:assumed-role/{ORG_ROLE}/awsql-test"
    role = aws("cloudcontrol", org.url, assume(org.url, MEMBER)).get_resource(
        TypeName="AWS::IAM::Role", Identifier=ORG_ROLE
    )
    role_id = json.loads(role["ResourceDescription"]["Properties"])["RoleId"]
    assert user["AssumedRoleId"] == f"{role_id}:awsql-test" and role_id.startswith("AROA")
    identity = aws("sts", org.url, assume(org.url, MEMBER, session="who")).get_caller_identity()
    assert identity["Account"] == MEMBER
    assert identity["Arn"] == f"arn:aws:sts::{MEMBER}:assumed-role/{ORG_ROLE}/who"
    assert identity["UserId"] == f"{role_id}:who"


def test_cloud_control_with_assumed_credentials_sees_that_accounts_resources_only(
    org: RunningSandbox, aws: Any, assume: Any
) -> None:
    member = aws("cloudcontrol", org.url, assume(org.url, MEMBER))
    other = aws("cloudcontrol", org.url, assume(org.url, OTHER))
    management = aws("cloudcontrol", org.url)
    expected = fixture_counts(member_profile(MEMBER, 0, AccessRole(ORG_ROLE, ACCOUNT_ID)))
    assert len(identifiers(member, LAMBDA)) == expected[LAMBDA]["us-east-1"]
    assert len(identifiers(management, LAMBDA)) == 25
    bucket = f"acme-logs-us-east-1-{MEMBER}"
    assert bucket in identifiers(member, BUCKET)
    assert bucket not in identifiers(other, BUCKET) + identifiers(management, BUCKET)
    for outsider in (other, management):
        code, _, _ = error_of(lambda c=outsider: c.get_resource(TypeName=BUCKET, Identifier=bucket))
        assert code == "ResourceNotFoundException"
    # A change in one account stays there, and so does its request.
    created = member.create_resource(TypeName=LOG_GROUP, DesiredState=json.dumps({"LogGroupName": "member-only"}))
    wait_for(member, created["ProgressEvent"])
    assert "member-only" in identifiers(member, LOG_GROUP)
    assert "member-only" not in identifiers(other, LOG_GROUP) + identifiers(management, LOG_GROUP)
    token = created["ProgressEvent"]["RequestToken"]
    code, _, _ = error_of(lambda: management.get_resource_request_status(RequestToken=token))
    assert code == "RequestTokenNotFoundException"
    assert token not in [
        r["RequestToken"] for r in management.list_resource_requests()["ResourceRequestStatusSummaries"]
    ]
    arn = json.loads(
        member.get_resource(TypeName=LOG_GROUP, Identifier="member-only")["ResourceDescription"]["Properties"]
    )
    assert f":{MEMBER}:log-group:member-only" in arn["Arn"]


@pytest.mark.parametrize(
    ("role_arn", "why"),
    [
        (f"arn:aws:iam::{ACCOUNT_ID}:role/{ORG_ROLE}", "the management account has no such role"),
        (f"arn:aws:iam::{MEMBER}:role/orders-lambda-role", "a role that trusts only Lambda"),
        (f"arn:aws:iam::{MEMBER}:role/NoSuchRole", "no such role"),
        (f"arn:aws:iam::999999999999:role/{ORG_ROLE}", "an account the sandbox does not have"),
        (f"arn:aws:iam::{MEMBER}:user/{ORG_ROLE}", "not a role"),
    ],
)
def test_assume_role_that_is_not_allowed_is_access_denied_naming_caller_and_role(
    org: RunningSandbox, role_arn: str, why: str, aws: Any
) -> None:
    sts = aws("sts", org.url, config=NO_RETRIES)
    code, status, message = error_of(lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="tests"))
    assert (code, status) == ("AccessDenied", 403), why
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT_ID}:user/sandbox is not authorized to perform: sts:AssumeRole on resource: "
        f"{role_arn}"
    )


def test_a_member_cannot_assume_the_organization_role_of_another_member(
    org: RunningSandbox, aws: Any, assume: Any
) -> None:
    sts = aws("sts", org.url, assume(org.url, MEMBER, session="hop"))
    role_arn = f"arn:aws:iam::{OTHER}:role/{ORG_ROLE}"
    code, status, message = error_of(lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="tests"))
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:sts::{MEMBER}:assumed-role/{ORG_ROLE}/hop is not authorized")


def test_a_role_created_through_cloud_control_can_be_assumed_and_durations_are_checked(
    org: RunningSandbox, aws: Any, assume: Any
) -> None:
    management = aws("cloudcontrol", org.url)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ID}, "Action": "sts:AssumeRole"}],
    }
    desired = {"RoleName": "long-sessions", "AssumeRolePolicyDocument": trust, "MaxSessionDuration": 7200}
    wait_for(
        management,
        management.create_resource(TypeName="AWS::IAM::Role", DesiredState=json.dumps(desired))["ProgressEvent"],
    )
    sts = aws("sts", org.url, config=NO_RETRIES)
    role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/long-sessions"
    issued = sts.assume_role(RoleArn=role_arn, RoleSessionName="tests", DurationSeconds=900)["Credentials"]
    # The sandbox's --credential-ttl-seconds (3600 by default) caps, DurationSeconds shortens.
    assert issued["Expiration"].timestamp() - time.time() <= 901
    code, status, message = error_of(
        lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="tests", DurationSeconds=7201)
    )
    assert (code, status, message) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    chained = aws("sts", org.url, assume(org.url, ACCOUNT_ID, "long-sessions"), config=NO_RETRIES)
    code, _, message = error_of(
        lambda: chained.assume_role(RoleArn=role_arn, RoleSessionName="tests", DurationSeconds=7200)
    )
    assert (code, message) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    )


def test_a_deleted_organization_role_can_no_longer_be_assumed(start: Any, aws: Any, assume: Any) -> None:
    sandbox = start(accounts=2)
    member = aws("cloudcontrol", sandbox.url, assume(sandbox.url, MEMBER))
    wait_for(member, member.delete_resource(TypeName="AWS::IAM::Role", Identifier=ORG_ROLE)["ProgressEvent"])
    code, _, _ = error_of(lambda: assume(sandbox.url, MEMBER))
    assert code == "AccessDenied"


def test_the_organization_role_can_require_an_external_id_and_be_named(start: Any, aws: Any, assume: Any) -> None:
    sandbox = start(accounts=2, external_id="shared-secret", org_role="Auditor")
    code, _, _ = error_of(lambda: assume(sandbox.url, MEMBER, "Auditor"))
    assert code == "AccessDenied"
    code, _, _ = error_of(lambda: assume(sandbox.url, MEMBER, "Auditor", ExternalId="guess"))
    assert code == "AccessDenied"
    credentials = assume(sandbox.url, MEMBER, "Auditor", ExternalId="shared-secret")
    assert aws("sts", sandbox.url, credentials).get_caller_identity()["Account"] == MEMBER


def test_the_sample_account_alone_has_no_organization_role(start: Any, assume: Any) -> None:
    sandbox = start()
    code, _, _ = error_of(lambda: assume(sandbox.url, ACCOUNT_ID))
    assert code == "AccessDenied"


# -- credentials the sandbox checks -----------------------------------------------------------------


def test_a_tampered_or_missing_session_token_is_an_invalid_token(org: RunningSandbox, aws: Any, assume: Any) -> None:
    credentials = assume(org.url, MEMBER)
    forged = {**credentials, "aws_session_token": credentials["aws_session_token"][:-4] + "AAAA"}
    missing = {k: v for k, v in credentials.items() if k != "aws_session_token"}
    for bad in (forged, missing):
        cloudcontrol = aws("cloudcontrol", org.url, bad, config=NO_RETRIES)
        code, status, message = error_of(lambda c=cloudcontrol: c.list_resources(TypeName=LAMBDA))
        assert (code, status, message) == (
            "UnrecognizedClientException",
            400,
            "The security token included in the request is invalid.",
        )
        sts = aws("sts", org.url, bad, config=NO_RETRIES)
        code, status, message = error_of(lambda s=sts: s.get_caller_identity())
        assert (code, status, message) == (
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid",
        )


def test_a_wrong_secret_is_a_signature_mismatch(org: RunningSandbox, aws: Any, assume: Any) -> None:
    credentials = {**assume(org.url, MEMBER), "aws_secret_access_key": "not-the-secret"}
    cloudcontrol = aws("cloudcontrol", org.url, credentials, config=NO_RETRIES)
    code, status, message = error_of(lambda: cloudcontrol.list_resources(TypeName=LAMBDA))
    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    code, status, _ = error_of(lambda: aws("sts", org.url, credentials, config=NO_RETRIES).get_caller_identity())
    assert (code, status) == ("SignatureDoesNotMatch", 403)


@pytest.mark.slow
def test_assumed_credentials_expire_after_the_configured_ttl(start: Any, aws: Any, assume: Any) -> None:
    sandbox = start(accounts=2, credential_ttl_seconds=1)
    credentials = assume(sandbox.url, MEMBER)
    cloudcontrol = aws("cloudcontrol", sandbox.url, credentials, config=NO_RETRIES)
    sts = aws("sts", sandbox.url, credentials, config=NO_RETRIES)
    assert cloudcontrol.list_resources(TypeName=LAMBDA)["ResourceDescriptions"]
    time.sleep(2.1)
    assert error_of(lambda: cloudcontrol.list_resources(TypeName=LAMBDA))[:2] == ("ExpiredTokenException", 400)
    code, status, message = error_of(sts.get_caller_identity)
    assert (code, status, message) == ("ExpiredToken", 403, "The security token included in the request is expired")


@pytest.mark.slow
def test_a_client_that_refreshes_its_credentials_keeps_working_past_their_expiry(start: Any, aws: Any) -> None:
    sandbox = start(accounts=2, credential_ttl_seconds=1)
    refreshes = []

    def refresh() -> dict[str, str]:
        issued = aws("sts", sandbox.url).assume_role(
            RoleArn=f"arn:aws:iam::{MEMBER}:role/{ORG_ROLE}", RoleSessionName="refreshing"
        )["Credentials"]
        refreshes.append(issued["AccessKeyId"])
        return {
            "access_key": issued["AccessKeyId"],
            "secret_key": issued["SecretAccessKey"],
            "token": issued["SessionToken"],
            "expiry_time": issued["Expiration"].isoformat(),
        }

    session = botocore.session.get_session()
    session._credentials = RefreshableCredentials.create_from_metadata(refresh(), refresh, "assume-role")
    client = session.create_client("sts", endpoint_url=sandbox.url, region_name="us-east-1")
    for _ in range(3):
        assert client.get_caller_identity()["Account"] == MEMBER
        time.sleep(1.1)
    assert len(set(refreshes)) >= 3  # new credentials each time the old ones ran out


def test_expiration_is_whole_seconds_in_utc(org: RunningSandbox, aws: Any) -> None:
    issued = aws("sts", org.url).assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/{ORG_ROLE}", RoleSessionName="utc")[
        "Credentials"
    ]
    expiration: datetime = issued["Expiration"]
    assert expiration.tzinfo is not None and expiration.utcoffset() == timezone.utc.utcoffset(None)
    assert expiration.microsecond == 0


def test_a_bad_session_name_or_duration_is_a_validation_error(org: RunningSandbox, aws: Any) -> None:
    sts = aws("sts", org.url, config=NO_RETRIES)
    role_arn = f"arn:aws:iam::{MEMBER}:role/{ORG_ROLE}"
    code, status, message = error_of(lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="no spaces"))
    assert (code, status) == ("ValidationError", 400)
    assert "at 'roleSessionName' failed to satisfy constraint" in message
    code, _, message = error_of(
        lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="tests", DurationSeconds=43201)
    )
    assert code == "ValidationError" and "less than or equal to 43200" in message


def test_an_assume_role_profile_reaches_a_member_account_through_botocores_own_chain(
    org: RunningSandbox, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile with role_arn and source_profile: botocore assumes the role itself, on the STS endpoint
    AWS_ENDPOINT_URL_STS names."""
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text(
        f"[profile member]\nrole_arn = arn:aws:iam::{MEMBER}:role/{ORG_ROLE}\nsource_profile = mine\n"
        "region = us-east-1\n"
    )
    credentials.write_text("[mine]\naws_access_key_id = mine\naws_secret_access_key = mine\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", org.url)
    session = boto3.Session(profile_name="member")
    assert session.client("sts").get_caller_identity()["Account"] == MEMBER
    functions = session.client("cloudcontrol", endpoint_url=org.url).list_resources(TypeName=LAMBDA)
    expected = fixture_counts(member_profile(MEMBER, 0, AccessRole(ORG_ROLE, ACCOUNT_ID)))[LAMBDA]["us-east-1"]
    assert len(functions["ResourceDescriptions"]) == expected


def test_the_request_log_names_the_account_of_each_call(
    start: Any, aws: Any, assume: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = start(accounts=2, log_requests=True)
    aws("cloudcontrol", sandbox.url, assume(sandbox.url, MEMBER)).list_resources(TypeName=LAMBDA)
    aws("organizations", sandbox.url).list_roots()
    logged = capsys.readouterr().err
    assert f"sandbox: {ACCOUNT_ID} us-east-1 AssumeRole 200 OK" in logged
    assert f"sandbox: {MEMBER} us-east-1 ListResources 200 OK" in logged
    assert f"sandbox: {ACCOUNT_ID} us-east-1 ListRoots 200 OK" in logged
