"""AWS Organizations on the sandbox through a real boto3 ``organizations`` client: the Organization's
accounts and OUs with paginators, who may ask, and errors as botocore's model names them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from awsql_shell.errors import UsageError
from awsql_shell.sandbox import ACCOUNT_ID, RunningSandbox, SandboxConfig, account_ids, start_sandbox

ACCOUNTS = 25  # more than one page of 20
MEMBER, ADMIN = "200000000001", "200000000002"


@pytest.fixture(scope="module")
def org() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(accounts=ACCOUNTS, delegated_admin=ADMIN, request_delay_ms=30)) as running:
        yield running


@pytest.fixture
def organizations(org: RunningSandbox, aws: Any) -> Any:
    return aws("organizations", org.url)


def error_of(call: Any) -> tuple[str, str, dict[str, Any]]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error["Message"], caught.value.response


def paged(client: Any, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    return [item for page in client.get_paginator(operation).paginate(**params) for item in page[key]]


def test_the_sample_account_alone_is_not_in_an_organization(start: Any, aws: Any) -> None:
    client = aws("organizations", start().url)
    for call in (client.describe_organization, client.list_accounts, client.list_roots):
        with pytest.raises(client.exceptions.AWSOrganizationsNotInUseException) as caught:
            call()
        assert caught.value.response["Error"]["Message"] == "Your account is not a member of an organization."
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_describe_organization_names_the_management_account(organizations: Any) -> None:
    described = organizations.describe_organization()["Organization"]
    assert described["MasterAccountId"] == ACCOUNT_ID
    assert described["Id"].startswith("o-") and described["FeatureSet"] == "ALL"
    assert described["Arn"] == f"arn:aws:organizations::{ACCOUNT_ID}:organization/{described['Id']}"
    assert (
        described["MasterAccountArn"] == f"arn:aws:organizations::{ACCOUNT_ID}:account/{described['Id']}/{ACCOUNT_ID}"
    )


def test_list_accounts_pages_by_twenty_and_the_paginator_gets_them_all(organizations: Any) -> None:
    first = organizations.list_accounts()
    assert len(first["Accounts"]) == 20 and "NextToken" in first
    accounts = paged(organizations, "list_accounts", "Accounts")
    assert [a["Id"] for a in accounts] == list(account_ids(ACCOUNTS))
    small = organizations.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 7})
    assert [len(page["Accounts"]) for page in small] == [7, 7, 7, 4]
    management, member = accounts[0], accounts[1]
    assert (management["Name"], management["JoinedMethod"], management["Status"]) == ("management", "INVITED", "ACTIVE")
    assert (member["Id"], member["Name"], member["JoinedMethod"], member["State"]) == (
        MEMBER,
        "prod-1",
        "CREATED",
        "ACTIVE",
    )
    assert member["Email"] == "aws+prod-1@example.com"
    assert member["JoinedTimestamp"].year == 2024  # a timestamp botocore parses


def test_the_tree_walked_through_roots_ous_and_accounts_for_parent_finds_every_account(organizations: Any) -> None:
    (root,) = paged(organizations, "list_roots", "Roots")
    assert root["Id"].startswith("r-") and root["Name"] == "Root"

    def walk(parent: str, path: str) -> dict[str, str]:
        found = {a["Id"]: path for a in paged(organizations, "list_accounts_for_parent", "Accounts", ParentId=parent)}
        for unit in paged(
            organizations, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
        ):
            assert unit["Id"].startswith(f"ou-{root['Id'][2:]}-")
            found.update(walk(unit["Id"], f"{path}/{unit['Name']}"))
        return found

    placed = walk(root["Id"], "")
    assert sorted(placed) == sorted(account_ids(ACCOUNTS))
    assert placed[ACCOUNT_ID] == ""
    assert placed[MEMBER] == "/prod" and placed["200000000003"] == "/prod/prod-eu"  # nested
    assert placed[ADMIN] == "/dev"


def test_list_children_and_parents(organizations: Any) -> None:
    root = organizations.list_roots()["Roots"][0]["Id"]
    units = paged(organizations, "list_children", "Children", ParentId=root, ChildType="ORGANIZATIONAL_UNIT")
    assert {u["Type"] for u in units} == {"ORGANIZATIONAL_UNIT"} and len(units) == 2
    accounts = paged(organizations, "list_children", "Children", ParentId=root, ChildType="ACCOUNT")
    assert accounts == [{"Id": ACCOUNT_ID, "Type": "ACCOUNT"}]
    (parent,) = organizations.list_parents(ChildId=ACCOUNT_ID)["Parents"]
    assert parent == {"Id": root, "Type": "ROOT"}
    (parent,) = organizations.list_parents(ChildId="200000000003")["Parents"]
    assert parent["Type"] == "ORGANIZATIONAL_UNIT"
    code, _, _ = error_of(lambda: organizations.list_parents(ChildId="999999999999"))
    assert code == "ChildNotFoundException"


def test_describe_account(organizations: Any) -> None:
    account = organizations.describe_account(AccountId=MEMBER)["Account"]
    assert (account["Id"], account["Name"], account["Status"]) == (MEMBER, "prod-1", "ACTIVE")
    with pytest.raises(organizations.exceptions.AccountNotFoundException):
        organizations.describe_account(AccountId="999999999999")


@pytest.mark.parametrize(
    ("call", "code", "reason"),
    [
        (lambda c: c.list_accounts_for_parent(ParentId="not-a-parent"), "InvalidInputException", "INVALID_PATTERN"),
        (lambda c: c.list_accounts_for_parent(ParentId="ou-zzzz-zzzzzzzz"), "ParentNotFoundException", None),
        (lambda c: c.list_accounts(MaxResults=21), "InvalidInputException", "MAX_VALUE_EXCEEDED"),
        (lambda c: c.list_accounts(NextToken="forged"), "InvalidInputException", "INVALID_NEXT_TOKEN"),
        (lambda c: c.describe_account(AccountId="12"), "InvalidInputException", "INVALID_PATTERN"),
    ],
)
def test_bad_input_is_the_error_the_model_names(organizations: Any, call: Any, code: str, reason: str | None) -> None:
    seen, _, response = error_of(lambda: call(organizations))
    assert seen == code
    assert response.get("Reason") == reason  # botocore puts the error shape's members beside "Error"


def test_a_token_of_one_list_is_not_taken_by_another(organizations: Any) -> None:
    token = organizations.list_accounts(MaxResults=2)["NextToken"]
    root = organizations.list_roots()["Roots"][0]["Id"]
    code, _, _ = error_of(lambda: organizations.list_accounts_for_parent(ParentId=root, NextToken=token))
    assert code == "InvalidInputException"


def test_a_member_account_may_describe_its_organization_but_not_list_it(
    org: RunningSandbox, aws: Any, assume: Any
) -> None:
    member = aws("organizations", org.url, assume(org.url, MEMBER))
    assert member.describe_organization()["Organization"]["MasterAccountId"] == ACCOUNT_ID
    for call in (member.list_accounts, member.list_roots, lambda: member.describe_account(AccountId=MEMBER)):
        with pytest.raises(member.exceptions.AccessDeniedException) as caught:
            call()
        assert caught.value.response["Error"]["Message"] == "You don't have permissions to access this resource."


def test_a_delegated_administrator_may_list_the_organization(org: RunningSandbox, aws: Any, assume: Any) -> None:
    admin = aws("organizations", org.url, assume(org.url, ADMIN))
    assert len(paged(admin, "list_accounts", "Accounts")) == ACCOUNTS


def test_delegated_admin_must_be_a_member() -> None:
    with pytest.raises(UsageError, match="is not a member account of the sandbox"):
        SandboxConfig(accounts=3, delegated_admin=ACCOUNT_ID)
    with pytest.raises(UsageError, match=r"members none \(--accounts 1\)"):
        SandboxConfig(delegated_admin="200000000001")
