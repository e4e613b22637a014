"""Faults of an Organization through real boto3 clients: a role that cannot be assumed in given accounts,
suspended accounts, and rate limits per account and region."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awsql_shell.errors import UsageError
from awsql_shell.sandbox import ACCOUNT_ID, SandboxConfig

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
ORG_ROLE = "OrganizationAccountAccessRole"
MEMBER, CLOSED, DENIED = "200000000001", "200000000002", "200000000003"
LAMBDA = "AWS::Lambda::Function"


def error_of(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_a_role_that_cannot_be_assumed_in_given_accounts(start: Any, assume: Any, aws: Any) -> None:
    sandbox = start(accounts=4, deny_assume=DENIED)
    code, status, message = error_of(lambda: assume(sandbox.url, DENIED))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT_ID}:user/sandbox is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{DENIED}:role/{ORG_ROLE}"
    )
    # The others answer; the denied account is still an active member of the Organization.
    assert aws("sts", sandbox.url, assume(sandbox.url, MEMBER)).get_caller_identity()["Account"] == MEMBER
    listed = aws("organizations", sandbox.url).describe_account(AccountId=DENIED)["Account"]
    assert listed["Status"] == "ACTIVE"


def test_a_suspended_account_is_listed_suspended_and_cannot_be_entered(start: Any, assume: Any, aws: Any) -> None:
    sandbox = start(accounts=4, suspended=CLOSED)
    organizations = aws("organizations", sandbox.url)
    statuses = {a["Id"]: (a["Status"], a["State"]) for a in organizations.list_accounts()["Accounts"]}
    assert statuses[CLOSED] == ("SUSPENDED", "SUSPENDED")
    assert {s for a, s in statuses.items() if a != CLOSED} == {("ACTIVE", "ACTIVE")}
    code, status, message = error_of(lambda: assume(sandbox.url, CLOSED))
    assert (code, status) == ("AccessDenied", 403) and f"arn:aws:iam::{CLOSED}:role/{ORG_ROLE}" in message


def test_credentials_of_an_account_suspended_since_are_no_longer_valid(start: Any, assume: Any, aws: Any) -> None:
    """A session token is readable by any sandbox of the same seed; one whose account is closed refuses it."""
    before = start(accounts=4)
    credentials = assume(before.url, CLOSED)
    after = start(accounts=4, suspended=CLOSED)
    code, _, message = error_of(
        lambda: aws("cloudcontrol", after.url, credentials, config=NO_RETRIES).list_resources(TypeName=LAMBDA)
    )
    assert (code, message) == ("UnrecognizedClientException", "The security token included in the request is invalid.")
    still = start(accounts=4)  # the same seed, no suspension: the token is good there
    assert aws("sts", still.url, credentials).get_caller_identity()["Account"] == CLOSED


def test_rate_limits_are_per_account_and_region(start: Any, assume: Any, aws: Any) -> None:
    sandbox = start(accounts=2, rate_limit=0.2, rate_burst=2)  # slow refill: a loaded machine stays under it
    management = aws("cloudcontrol", sandbox.url, config=NO_RETRIES)
    member = aws("cloudcontrol", sandbox.url, assume(sandbox.url, MEMBER), config=NO_RETRIES)
    elsewhere = aws("cloudcontrol", sandbox.url, region="eu-west-1", config=NO_RETRIES)
    for _ in range(2):
        management.list_resources(TypeName=LAMBDA)
    assert error_of(lambda: management.list_resources(TypeName=LAMBDA))[:2] == ("ThrottlingException", 400)
    # The member's bucket in the same region, and the management account's in another, are full.
    assert member.list_resources(TypeName=LAMBDA)["ResourceDescriptions"]
    assert elsewhere.list_resources(TypeName=LAMBDA)["ResourceDescriptions"]


def test_an_account_can_have_its_own_rate_limit(start: Any, assume: Any, aws: Any) -> None:
    sandbox = start(accounts=2, rate_limit=0, rate_burst=2, account_rate_limit=f"{MEMBER}=0.2")
    management = aws("cloudcontrol", sandbox.url, config=NO_RETRIES)
    member = aws("cloudcontrol", sandbox.url, assume(sandbox.url, MEMBER), config=NO_RETRIES)
    for _ in range(2):
        member.list_resources(TypeName=LAMBDA)
    assert error_of(lambda: member.list_resources(TypeName=LAMBDA))[0] == "ThrottlingException"
    for _ in range(5):  # no limit for the rest
        management.list_resources(TypeName=LAMBDA)


def test_fault_settings_from_the_environment() -> None:
    config = SandboxConfig.from_env(
        {
            "AWSQL_SANDBOX_ACCOUNTS": "4",
            "AWSQL_SANDBOX_DENY_ASSUME": f"{MEMBER},{DENIED}",
            "AWSQL_SANDBOX_SUSPENDED": CLOSED,
            "AWSQL_SANDBOX_ACCOUNT_RATE_LIMIT": f"{MEMBER}=5, {ACCOUNT_ID}=0.5",
            "AWSQL_SANDBOX_DELEGATED_ADMIN": MEMBER,
        }
    )
    assert config.assume_denied_accounts == {MEMBER, DENIED}
    assert config.suspended_accounts == {CLOSED}
    assert config.account_rate_limits == {MEMBER: 5.0, ACCOUNT_ID: 0.5}
    assert config.delegated_admins == {MEMBER}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"accounts": 3, "suspended": ACCOUNT_ID}, "suspended '123456789012' is not a member account"),
        ({"accounts": 3, "deny_assume": "999999999999"}, "deny-assume '999999999999' is not an account"),
        ({"accounts": 3, "account_rate_limit": f"{MEMBER}:5"}, "is not ACCOUNT=N"),
        ({"account_rate_limit": f"{MEMBER}=5"}, r"members none \(--accounts 1\)"),
    ],
)
def test_bad_fault_settings_are_usage_errors(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        SandboxConfig(**settings)
