"""The sandbox's accounts: the sample account alone by default, an Organization of N accounts on request,
each account with its own resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from awsql_shell.errors import UsageError
from awsql_shell.sandbox import (
    ACCOUNT_ID,
    FIXTURE_COUNTS,
    FIXTURE_REGIONS,
    Organization,
    SandboxConfig,
    account_ids,
    member_account_id,
)
from awsql_shell.sandbox.fixtures import AccessRole, fixture_counts, member_profile
from awsql_shell.sandbox.server import open_service
from awsql_shell.sandbox.state import load_state

LAMBDA = "AWS::Lambda::Function"
ROLE = "AWS::IAM::Role"
ORG_ROLE = "OrganizationAccountAccessRole"


def counts(service: Any, account: str, type_name: str = LAMBDA) -> dict[str, int]:
    return {region: len(service.state.peek(region, type_name, account)) for region in FIXTURE_REGIONS}


def test_by_default_the_sample_account_stands_alone() -> None:
    config = SandboxConfig()
    assert config.account_ids == (ACCOUNT_ID,)
    assert config.organization is None
    service = open_service(config)
    assert list(service.state.accounts) == [ACCOUNT_ID]
    assert counts(service, ACCOUNT_ID) == FIXTURE_COUNTS[LAMBDA]


def test_an_organization_of_n_accounts_the_sample_account_its_management() -> None:
    assert account_ids(4) == (ACCOUNT_ID, "200000000001", "200000000002", "200000000003")
    organization = Organization.build(7)
    assert organization.management == ACCOUNT_ID
    assert [a.id for a in organization.accounts] == list(account_ids(7))
    units = {unit.name: unit for unit in organization.units}
    assert units["prod"].parent_id == units["dev"].parent_id == organization.root_id
    assert units["prod-eu"].parent_id == units["prod"].id  # nested
    assert units["prod"].id.startswith(f"ou-{organization.root_id[2:]}-")
    placed = {a.name: a.parent_id for a in organization.accounts}
    assert placed["management"] == organization.root_id
    assert [name for name in placed if name != "management"] == [
        "prod-1",
        "dev-1",
        "prod-eu-1",
        "prod-2",
        "dev-2",
        "prod-eu-2",
    ]
    assert placed["prod-eu-1"] == units["prod-eu"].id
    assert organization.account_arn("200000000001") == (
        f"arn:aws:organizations::{ACCOUNT_ID}:account/{organization.id}/200000000001"
    )


def test_member_accounts_hold_their_own_resources_in_counts_drawn_from_the_seed() -> None:
    service = open_service(SandboxConfig(accounts=5))
    assert sorted(service.state.accounts) == sorted(account_ids(5))
    assert counts(service, ACCOUNT_ID) == FIXTURE_COUNTS[LAMBDA]  # the management account is the sample one
    members = [member_account_id(i) for i in range(1, 5)]
    per_member = {account: counts(service, account) for account in members}
    assert len({tuple(c.values()) for c in per_member.values()}) > 1  # counts differ by account
    for account, seen in per_member.items():
        role = AccessRole(ORG_ROLE, ACCOUNT_ID)
        expected = fixture_counts(member_profile(account, 0, role))
        assert seen == expected[LAMBDA]
        assert counts(service, account, "AWS::Logs::LogGroup") == expected["AWS::Logs::LogGroup"]
        assert all(1 <= n <= FIXTURE_COUNTS[LAMBDA][region] for region, n in seen.items())
    again = open_service(SandboxConfig(accounts=5))
    assert {account: counts(again, account) for account in members} == per_member
    other_seed = open_service(SandboxConfig(accounts=5, seed=9))
    assert {account: counts(other_seed, account) for account in members} != per_member


def test_a_member_account_has_the_organization_role_and_names_itself_in_its_arns() -> None:
    service = open_service(SandboxConfig(accounts=2, external_id="shared-secret"))
    member = member_account_id(1)
    role = service.state.peek("global", ROLE, member)[ORG_ROLE]
    assert role["Arn"] == f"arn:aws:iam::{member}:role/{ORG_ROLE}"
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "shared-secret"}}
    assert ORG_ROLE not in service.state.peek("global", ROLE, ACCOUNT_ID)  # not made in the management account
    function = service.state.peek("us-east-1", LAMBDA, member)["orders-api"]
    assert function["Arn"] == f"arn:aws:lambda:us-east-1:{member}:function:orders-api"
    assert function["Role"].startswith(f"arn:aws:iam::{member}:role/")
    buckets = service.state.peek("us-east-1", "AWS::S3::Bucket", member)
    assert all(name.endswith(f"-{member}") for name in buckets)  # S3 names are global
    # Ids generated for a member differ from the management account's.
    vpc_ids = {
        service.state.peek("us-east-1", "AWS::EC2::VPC", account).popitem()[0] for account in (ACCOUNT_ID, member)
    }
    assert len(vpc_ids) == 2


def test_the_org_role_can_be_named() -> None:
    service = open_service(SandboxConfig(accounts=2, org_role="Auditor"))
    assert "Auditor" in service.state.peek("global", ROLE, member_account_id(1))


def test_a_state_saved_with_fewer_accounts_gains_the_new_members_and_keeps_the_rest(tmp_path: Path) -> None:
    state = tmp_path / "org.json"
    first = open_service(SandboxConfig(state_path=state))
    first.state.peek("us-east-1", LAMBDA).pop("orders-api")  # a change of the sample account's
    first.store.save(first.state)  # type: ignore[union-attr]
    grown = open_service(SandboxConfig(state_path=state, accounts=3))
    assert "orders-api" not in grown.state.peek("us-east-1", LAMBDA)
    assert "orders-api" in grown.state.peek("us-east-1", LAMBDA, member_account_id(2))
    saved = load_state(state)
    assert saved is not None and sorted(saved.accounts) == sorted(account_ids(3))


def test_a_state_saved_with_no_fixtures_stays_empty_in_every_account(tmp_path: Path) -> None:
    state = tmp_path / "empty.json"
    open_service(SandboxConfig(state_path=state, accounts=3, fixtures="none"))
    reopened = open_service(SandboxConfig(state_path=state, accounts=3))
    assert all(not resources for resources in reopened.state.accounts.values())


def test_accounts_from_the_environment() -> None:
    config = SandboxConfig.from_env(
        {
            "AWSQL_SANDBOX_ACCOUNTS": "3",
            "AWSQL_SANDBOX_ORG_ROLE": "Auditor",
            "AWSQL_SANDBOX_EXTERNAL_ID": "x-1",
            "AWSQL_SANDBOX_CREDENTIAL_TTL_SECONDS": "5",
        }
    )
    assert (config.accounts, config.org_role, config.external_id) == (3, "Auditor", "x-1")
    assert config.credential_ttl_seconds == 5
    assert SandboxConfig().credential_ttl_seconds == 3600


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"accounts": 0}, "accounts must be between 1 and 1000"),
        ({"accounts": 1001}, "accounts must be between 1 and 1000"),
        ({"org_role": "no spaces"}, "is not an IAM role name"),
        ({"external_id": "x"}, "is not one STS accepts"),
        ({"credential_ttl_seconds": 0}, "credential ttl seconds must be at least 1"),
    ],
)
def test_bad_account_settings_are_usage_errors(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        SandboxConfig(**settings)
