"""Lists as AWS answers them: account-wide S3, page sizes per type, whole models for LogGroup, parents that
must exist. Each test names the switch it exercises, set explicitly so that it holds whatever the defaults."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awsql_shell.sandbox import S3_BUCKET_NAMES
from awsql_shell.sandbox.behaviour import PAGE_SIZES

BUCKET = "AWS::S3::Bucket"
LOG_GROUP = "AWS::Logs::LogGroup"
LAMBDA = "AWS::Lambda::Function"
INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
EVERY_BUCKET = sorted(name for names in S3_BUCKET_NAMES.values() for name in names)


def identifiers(client: Any, type_name: str, **extra: Any) -> list[str]:
    pages = client.get_paginator("list_resources").paginate(TypeName=type_name, **extra)
    return [d["Identifier"] for page in pages for d in page["ResourceDescriptions"]]


def page_lengths(client: Any, type_name: str) -> list[int]:
    pages = client.get_paginator("list_resources").paginate(TypeName=type_name)
    return [len(page["ResourceDescriptions"]) for page in pages]


def settle(client: Any, event: dict[str, Any]) -> dict[str, Any]:
    while event["OperationStatus"] in ("PENDING", "IN_PROGRESS"):
        time.sleep(0.05)  # well under the rate limit
        event = client.get_resource_request_status(RequestToken=event["RequestToken"])["ProgressEvent"]
    return event


# -- account-wide lists (account_wide_lists) ------------------------------------------------------


def test_s3_lists_every_bucket_of_the_account_from_any_region(start: Any, connect: Any) -> None:
    url = start(account_wide_lists=True).url
    for region in ("us-east-1", "eu-west-1", "ap-northeast-1"):  # the last has no resources of its own
        assert sorted(identifiers(connect(url, region), BUCKET)) == EVERY_BUCKET
    # Other types stay regional.
    assert identifiers(connect(url, "ap-northeast-1"), LOG_GROUP) == []


def test_s3_get_answers_only_in_the_home_region(start: Any, connect: Any) -> None:
    url = start(account_wide_lists=True).url
    home = connect(url, "eu-west-1", NO_RETRIES)
    assert home.get_resource(TypeName=BUCKET, Identifier="acme-logs-eu-west-1")["ResourceDescription"]
    away = connect(url, "us-east-1", NO_RETRIES)
    with pytest.raises(ClientError) as caught:
        away.get_resource(TypeName=BUCKET, Identifier="acme-logs-eu-west-1")
    error = caught.value.response
    assert error["Error"]["Code"] == "GeneralServiceException"
    assert error["Error"]["Message"].startswith(
        "AWS::S3::Bucket Handler returned status FAILED: null (Service: S3, Status Code: 301, Request ID: null"
    )
    assert "(HandlerErrorCode: GeneralServiceException, RequestToken: " in error["Error"]["Message"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 500  # botocore retries it, as the AWS CLI did
    with pytest.raises(away.exceptions.GeneralServiceException):  # an update reads first, so it fails alike
        away.update_resource(TypeName=BUCKET, Identifier="acme-logs-eu-west-1", PatchDocument="[]")
    with pytest.raises(ClientError, match="was not found"):  # a bucket that exists nowhere is just missing
        away.get_resource(TypeName=BUCKET, Identifier="no-such-bucket")


def test_bucket_names_are_unique_across_regions(start: Any, connect: Any) -> None:
    url = start(account_wide_lists=True).url
    client = connect(url, "us-east-1")
    created = client.create_resource(TypeName=BUCKET, DesiredState=json.dumps({"BucketName": "acme-logs-eu-west-1"}))
    final = settle(client, created["ProgressEvent"])
    assert (final["OperationStatus"], final["ErrorCode"]) == ("FAILED", "AlreadyExists")
    deleted = settle(client, client.delete_resource(TypeName=BUCKET, Identifier="acme-logs-eu-west-1")["ProgressEvent"])
    assert (deleted["OperationStatus"], deleted["ErrorCode"]) == ("FAILED", "GeneralServiceException")
    assert "acme-logs-eu-west-1" in identifiers(client, BUCKET)


def test_regional_s3_lists_when_switched_off(start: Any, connect: Any) -> None:
    url = start(account_wide_lists=False).url
    assert sorted(identifiers(connect(url, "us-east-1"), BUCKET)) == sorted(S3_BUCKET_NAMES["us-east-1"])
    assert connect(url, "us-east-1").get_resource(TypeName=BUCKET, Identifier="acme-logs-us-east-1")


# -- page sizes (page_size=None: per type; honor_max_results) ---------------------------------------


@pytest.mark.parametrize("own", [None, 0])
def test_each_type_pages_by_its_own_size(start: Any, connect: Any, own: int | None) -> None:
    client = connect(start(page_size=own, fixture_scale=2).url)
    assert page_lengths(client, LOG_GROUP) == [PAGE_SIZES[LOG_GROUP], 2]  # 52 log groups, 50 a page
    assert page_lengths(client, LAMBDA) == [50]  # up to 100 a page for types without a figure of their own
    first = client.list_resources(TypeName=LOG_GROUP, MaxResults=5)  # accepted, and not obeyed
    assert len(first["ResourceDescriptions"]) == 50 and "NextToken" in first


def test_a_test_can_fix_the_page_size(start: Any, connect: Any) -> None:
    client = connect(start(page_size=7).url)
    assert page_lengths(client, LOG_GROUP) == [7, 7, 7, 5]


# -- whole models in lists (full_model_lists) ------------------------------------------------------


def test_log_group_lists_carry_the_whole_model(start: Any, connect: Any) -> None:
    client = connect(start(full_model_lists=LOG_GROUP).url)
    listed = client.list_resources(TypeName=LOG_GROUP)["ResourceDescriptions"][0]
    model = json.loads(listed["Properties"])
    got = client.get_resource(TypeName=LOG_GROUP, Identifier=listed["Identifier"])["ResourceDescription"]
    assert model == json.loads(got["Properties"])
    assert {"LogGroupName", "Arn", "RetentionInDays"} <= set(model)
    # Other types list their identifier only.
    function = client.list_resources(TypeName=LAMBDA)["ResourceDescriptions"][0]
    assert json.loads(function["Properties"]) == {"FunctionName": function["Identifier"]}


def test_identifier_only_log_group_lists_when_switched_off(start: Any, connect: Any) -> None:
    client = connect(start(full_model_lists="none").url)
    listed = client.list_resources(TypeName=LOG_GROUP)["ResourceDescriptions"][0]
    assert json.loads(listed["Properties"]) == {"LogGroupName": listed["Identifier"]}


# -- lists under a parent (missing_parent_not_found) -----------------------------------------------


def test_a_list_under_a_missing_parent_is_not_found(start: Any, connect: Any) -> None:
    client = connect(start(missing_parent_not_found=True).url, config=NO_RETRIES)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.list_resources(TypeName=INVOKE_CONFIG, ResourceModel=json.dumps({"FunctionName": "nope"}))
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("AWS::Lambda::EventInvokeConfig Handler returned status FAILED: ")
    assert "'AWS::Lambda::Function' with identifier 'nope' was not found" in message
    assert "(HandlerErrorCode: NotFound" in message
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # A parent that exists but has no children lists nothing (orders-worker has no invoke config).
    model = json.dumps({"FunctionName": "orders-worker"})
    assert client.list_resources(TypeName=INVOKE_CONFIG, ResourceModel=model)["ResourceDescriptions"] == []


def test_a_missing_parent_lists_nothing_when_switched_off(start: Any, connect: Any) -> None:
    client = connect(start(missing_parent_not_found=False).url)
    answer = client.list_resources(TypeName=INVOKE_CONFIG, ResourceModel=json.dumps({"FunctionName": "nope"}))
    assert answer["ResourceDescriptions"] == []
