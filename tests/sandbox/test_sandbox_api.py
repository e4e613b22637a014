"""Every Cloud Control operation and error, through a plain boto3 client over HTTP."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError, WaiterError

from awsql_shell.sandbox import LAMBDA_FUNCTION_NAMES, ROLE_NAMES
from awsql_shell.sandbox.behaviour import NOT_FOUND, NOT_FOUND_DEFAULT

LAMBDA = "AWS::Lambda::Function"
LOG_GROUP = "AWS::Logs::LogGroup"
INVOKE_CONFIG = "AWS::Lambda::EventInvokeConfig"
WAIT = {"Delay": 0.02, "MaxAttempts": 250}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def settle(client: Any, event: dict[str, Any]) -> dict[str, Any]:
    """Poll a request until it leaves IN_PROGRESS; return its final progress event."""
    token = event["RequestToken"]
    for _ in range(500):
        event = client.get_resource_request_status(RequestToken=token)["ProgressEvent"]
        if event["OperationStatus"] not in ("PENDING", "IN_PROGRESS", "CANCEL_IN_PROGRESS"):
            return event
        time.sleep(0.01)
    raise AssertionError(f"request {token} never finished")


def create(client: Any, type_name: str, desired: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return client.create_resource(TypeName=type_name, DesiredState=json.dumps(desired), **extra)["ProgressEvent"]


def properties(client: Any, type_name: str, identifier: str) -> dict[str, Any]:
    answer = client.get_resource(TypeName=type_name, Identifier=identifier)
    return json.loads(answer["ResourceDescription"]["Properties"])


def assert_missing(client: Any, type_name: str, identifier: str) -> None:
    """A read fails as a read of a missing resource of the type does (LogGroup's way, or ResourceNotFound)."""
    with pytest.raises(ClientError) as caught:
        client.get_resource(TypeName=type_name, Identifier=identifier)
    codes = {NOT_FOUND_DEFAULT.code, NOT_FOUND.get(type_name, NOT_FOUND_DEFAULT).code}
    assert caught.value.response["Error"]["Code"] in codes
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def list_all(client: Any, type_name: str, **extra: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_resources").paginate(TypeName=type_name, **extra)
    return [description for page in pages for description in page["ResourceDescriptions"]]


# -- ListResources ------------------------------------------------------------------------


def test_list_resources_pages_with_next_token(start: Any, connect: Any) -> None:
    client = connect(start(page_size=20).url)
    first = client.list_resources(TypeName=LAMBDA)
    assert len(first["ResourceDescriptions"]) == 20
    assert first["TypeName"] == LAMBDA
    second = client.list_resources(TypeName=LAMBDA, NextToken=first["NextToken"])
    assert "NextToken" not in second
    names = [d["Identifier"] for d in first["ResourceDescriptions"] + second["ResourceDescriptions"]]
    assert names == list(LAMBDA_FUNCTION_NAMES["us-east-1"])


def page_lengths(client: Any, type_name: str, page_size: int) -> list[int]:
    paginator = client.get_paginator("list_resources")
    pages = paginator.paginate(TypeName=type_name, PaginationConfig={"PageSize": page_size})
    return [len(page["ResourceDescriptions"]) for page in pages]


def test_max_results_is_not_obeyed_unless_asked(start: Any, connect: Any) -> None:
    # Evidence: aws/aws-sdk#764 — "MaxResults is not yet supported for this API".
    client = connect(start(page_size=None).url)
    assert page_lengths(client, LAMBDA, 7) == [25]  # one page of up to 100: the Lambda handler's size
    honouring = connect(start(page_size=None, honor_max_results=True).url)
    assert page_lengths(honouring, LAMBDA, 7) == [7, 7, 7, 4]
    assert len(list_all(honouring, LAMBDA)) == 25


def test_list_resources_carries_only_the_primary_identifier(client: Any) -> None:
    description = client.list_resources(TypeName=LAMBDA)["ResourceDescriptions"][0]
    assert json.loads(description["Properties"]) == {"FunctionName": description["Identifier"]}
    config = client.list_resources(TypeName=INVOKE_CONFIG, ResourceModel=json.dumps({"FunctionName": "orders-api"}))
    [only] = config["ResourceDescriptions"]
    assert only["Identifier"] == "orders-api|$LATEST"
    assert json.loads(only["Properties"]) == {"FunctionName": "orders-api", "Qualifier": "$LATEST"}


def test_list_handler_required_properties_come_from_resource_model(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match="ClusterName"):
        client.list_resources(TypeName="AWS::EKS::Nodegroup")
    listed = list_all(client, "AWS::EKS::Nodegroup", ResourceModel=json.dumps({"ClusterName": "prod-eks"}))
    assert sorted(d["Identifier"] for d in listed) == ["prod-eks|general", "prod-eks|spot"]
    # A parent that does not exist is an error, not an empty list (see test_sandbox_aws_lists.py).
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="'AWS::EKS::Cluster' with identifier 'nope'"):
        list_all(client, "AWS::EKS::Nodegroup", ResourceModel=json.dumps({"ClusterName": "nope"}))


def test_list_resources_rejects_a_foreign_next_token(start: Any, connect: Any) -> None:
    client = connect(start(page_size=1).url)
    token = client.list_resources(TypeName=LAMBDA)["NextToken"]
    with pytest.raises(client.exceptions.InvalidRequestException, match="NextToken"):
        client.list_resources(TypeName=LOG_GROUP, NextToken=token)


def test_regions_are_separate_and_iam_is_global(client_for: Any) -> None:
    west, europe = client_for("us-west-2"), client_for("eu-west-1")
    assert len(list_all(west, LAMBDA)) == 15
    assert len(list_all(europe, LAMBDA)) == 10
    for regional in (west, europe):
        assert [d["Identifier"] for d in list_all(regional, "AWS::IAM::Role")] == list(ROLE_NAMES)
    arn = properties(west, LAMBDA, "orders-api")["Arn"]
    assert arn == "arn:aws:lambda:us-west-2:123456789012:function:orders-api"


# -- GetResource ---------------------------------------------------------------------------


def test_get_resource_returns_all_but_write_only_properties(client: Any) -> None:
    model = properties(client, LAMBDA, "orders-api")
    assert model["Runtime"] == "python3.12"
    assert model["Role"] == "arn:aws:iam::123456789012:role/orders-lambda-role"
    assert model["Environment"]["Variables"]["TABLE_NAME"] == "orders"
    assert model["Arn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
    assert "Code" not in model  # S3Bucket and S3Key are write-only


def test_get_resource_with_compound_identifier_in_both_forms(client: Any) -> None:
    piped = properties(client, INVOKE_CONFIG, "orders-api|$LATEST")
    as_json = properties(client, INVOKE_CONFIG, json.dumps({"Qualifier": "$LATEST", "FunctionName": "orders-api"}))
    assert piped == as_json
    assert piped["DestinationConfig"]["OnFailure"]["Destination"].endswith(":lambda-failures")
    with pytest.raises(client.exceptions.InvalidRequestException, match="2 parts"):
        client.get_resource(TypeName=INVOKE_CONFIG, Identifier="orders-api")


def test_unknown_identifier_type_and_handler_errors(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="no-such-function"):
        client.get_resource(TypeName=LAMBDA, Identifier="no-such-function")
    with pytest.raises(client.exceptions.TypeNotFoundException, match="AWS::Lambda::Functoin"):
        client.list_resources(TypeName="AWS::Lambda::Functoin")
    # AWS::IAM::Policy has no read handler, AWS::ApiGateway::Account no list handler.
    with pytest.raises(client.exceptions.UnsupportedActionException, match="READ"):
        client.get_resource(TypeName="AWS::IAM::Policy", Identifier="x")
    with pytest.raises(client.exceptions.UnsupportedActionException, match="LIST"):
        client.list_resources(TypeName="AWS::ApiGateway::Account")


def test_types_without_handlers_support_nothing(client: Any, catalog: Any) -> None:
    bare = next(entry.type_name for entry in catalog if not entry.handlers)
    with pytest.raises(client.exceptions.UnsupportedActionException):
        client.list_resources(TypeName=bare)
    with pytest.raises(client.exceptions.UnsupportedActionException):
        create(client, bare, {})


# -- CreateResource ------------------------------------------------------------------------


def test_create_is_asynchronous_and_waitable(client: Any) -> None:
    name = unique("app")
    event = create(client, LOG_GROUP, {"LogGroupName": name, "RetentionInDays": 14})
    assert event["OperationStatus"] == "IN_PROGRESS"
    assert event["Operation"] == "CREATE"
    assert event["Identifier"] == name
    assert "RetryAfter" in event
    client.get_waiter("resource_request_success").wait(RequestToken=event["RequestToken"], WaiterConfig=WAIT)
    final = client.get_resource_request_status(RequestToken=event["RequestToken"])["ProgressEvent"]
    assert final["OperationStatus"] == "SUCCESS"
    assert json.loads(final["ResourceModel"])["Arn"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{name}:*"
    assert properties(client, LOG_GROUP, name)["RetentionInDays"] == 14
    assert name in [d["Identifier"] for d in list_all(client, LOG_GROUP)]


def test_create_generates_read_only_identifiers(client: Any) -> None:
    event = create(client, "AWS::EC2::VPC", {"CidrBlock": "10.99.0.0/16"})
    final = settle(client, event)
    vpc_id = final["Identifier"]
    assert vpc_id.startswith("vpc-") and len(vpc_id) == 21
    assert properties(client, "AWS::EC2::VPC", vpc_id)["VpcId"] == vpc_id
    queue = settle(client, create(client, "AWS::SQS::Queue", {"QueueName": unique("jobs")}))
    assert queue["Identifier"].startswith("https://sqs.us-east-1.amazonaws.com/123456789012/jobs-")


def test_create_of_an_existing_identifier_fails_already_exists(client: Any) -> None:
    final = settle(client, create(client, LOG_GROUP, {"LogGroupName": "/aws/lambda/orders-api"}))
    assert final["OperationStatus"] == "FAILED"
    assert final["ErrorCode"] == "AlreadyExists"
    assert "already exists" in final["StatusMessage"]
    with pytest.raises(WaiterError):
        client.get_waiter("resource_request_success").wait(RequestToken=final["RequestToken"], WaiterConfig=WAIT)


@pytest.mark.parametrize(
    ("desired", "message"),
    [
        ({"LogGroupName": "x", "Colour": "blue"}, r"extraneous key \[Colour\]"),
        ({"LogGroupName": "x", "Arn": "arn:aws:logs:x"}, r"read-only properties \[/properties/Arn\]"),
        ({"LogGroupName": "x", "RetentionInDays": "14"}, "expected type: Integer, found: String"),
        ({"LogGroupName": "x", "RetentionInDays": 15}, "not a valid enum value"),
        ({"LogGroupName": "x", "LogGroupClass": "COLD"}, "not a valid enum value"),
    ],
)
def test_create_validates_the_desired_state(client: Any, desired: dict[str, Any], message: str) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match=message):
        create(client, LOG_GROUP, desired)


def test_create_requires_required_properties(client: Any) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match=r"required key \[Role\] not found"):
        create(client, LAMBDA, {"FunctionName": unique("fn"), "Code": {"ZipFile": "print(1)"}})
    with pytest.raises(client.exceptions.InvalidRequestException, match="JSON object"):
        client.create_resource(TypeName=LOG_GROUP, DesiredState="[1, 2]")


def test_client_token_makes_a_retry_return_the_same_request(client: Any) -> None:
    name = unique("retry")
    first = create(client, LOG_GROUP, {"LogGroupName": name}, ClientToken="token-" + name)
    again = create(client, LOG_GROUP, {"LogGroupName": name}, ClientToken="token-" + name)
    assert again["RequestToken"] == first["RequestToken"]
    assert settle(client, first)["OperationStatus"] == "SUCCESS"
    after = create(client, LOG_GROUP, {"LogGroupName": name}, ClientToken="token-" + name)
    assert after["RequestToken"] == first["RequestToken"]
    assert after["OperationStatus"] == "SUCCESS"  # not a second create, so no AlreadyExists either
    matching = [d for d in list_all(client, LOG_GROUP) if d["Identifier"] == name]
    assert len(matching) == 1
    with pytest.raises(client.exceptions.ClientTokenConflictException):
        create(client, LOG_GROUP, {"LogGroupName": name + "-other"}, ClientToken="token-" + name)


# -- UpdateResource ------------------------------------------------------------------------


def new_function(client: Any) -> str:
    name = unique("fn")
    desired = {
        "FunctionName": name,
        "Role": "arn:aws:iam::123456789012:role/orders-lambda-role",
        "Runtime": "python3.12",
        "Handler": "app.handler",
        "Code": {"ZipFile": "def handler(event, context):\n    return 1\n"},
        "Environment": {"Variables": {"STAGE": "dev"}},
        "Tags": [{"Key": "team", "Value": "orders"}],
    }
    assert settle(client, create(client, LAMBDA, desired))["OperationStatus"] == "SUCCESS"
    return name


# Code is required and write-only: a read never returns it, so every Lambda patch must add it again.
# Evidence: hashicorp/terraform-provider-awscc#190 (AWS) — "It's currently required to include any property
# that is write-only and required".
ADD_CODE = {"op": "add", "path": "/Code", "value": {"ZipFile": "def handler(event, context):\n    return 2\n"}}


def update(client: Any, type_name: str, identifier: str, patch: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    answer = client.update_resource(TypeName=type_name, Identifier=identifier, PatchDocument=json.dumps(patch), **extra)
    return answer["ProgressEvent"]


def test_update_applies_an_rfc6902_patch_on_nested_paths(client: Any) -> None:
    name = new_function(client)
    patch = [
        ADD_CODE,
        {"op": "add", "path": "/MemorySize", "value": 512},
        {"op": "add", "path": "/Environment/Variables/LOG_LEVEL", "value": "DEBUG"},
        {"op": "replace", "path": "/Environment/Variables/STAGE", "value": "prod"},
        {"op": "add", "path": "/Tags/-", "value": {"Key": "env", "Value": "prod"}},
        {"op": "remove", "path": "/Tags/0"},
        {"op": "add", "path": "/TracingConfig", "value": {"Mode": "Active"}},
    ]
    event = update(client, LAMBDA, name, patch)
    assert event["Operation"] == "UPDATE"
    assert event["OperationStatus"] == "IN_PROGRESS"
    client.get_waiter("resource_request_success").wait(RequestToken=event["RequestToken"], WaiterConfig=WAIT)
    model = properties(client, LAMBDA, name)
    assert model["MemorySize"] == 512
    assert model["Environment"] == {"Variables": {"STAGE": "prod", "LOG_LEVEL": "DEBUG"}}
    assert model["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert model["TracingConfig"] == {"Mode": "Active"}
    remove = [
        ADD_CODE,
        {"op": "remove", "path": "/Environment/Variables/LOG_LEVEL"},
        {"op": "remove", "path": "/TracingConfig"},
    ]
    settle(client, update(client, LAMBDA, name, remove))
    model = properties(client, LAMBDA, name)
    assert model["Environment"] == {"Variables": {"STAGE": "prod"}}
    assert "TracingConfig" not in model


def test_update_supports_move_copy_and_test(client: Any) -> None:
    name = new_function(client)
    patch = [
        ADD_CODE,
        {"op": "test", "path": "/Environment/Variables/STAGE", "value": "dev"},
        {"op": "copy", "from": "/Environment/Variables/STAGE", "path": "/Environment/Variables/PREVIOUS_STAGE"},
        {"op": "move", "from": "/Environment/Variables/STAGE", "path": "/Environment/Variables/DEPLOY_STAGE"},
    ]
    settle(client, update(client, LAMBDA, name, patch))
    assert properties(client, LAMBDA, name)["Environment"]["Variables"] == {
        "PREVIOUS_STAGE": "dev",
        "DEPLOY_STAGE": "dev",
    }
    failing = [{"op": "test", "path": "/Runtime", "value": "nodejs20.x"}]
    with pytest.raises(client.exceptions.InvalidRequestException, match="test failed"):
        update(client, LAMBDA, name, failing)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ([{"op": "remove", "path": "/KmsKeyArn"}], "does not exist"),
        ([{"op": "jump", "path": "/MemorySize"}], "'op' must be one of"),
        ([{"op": "add", "path": "MemorySize", "value": 1}], "not a JSON pointer"),
        ({"op": "add"}, "JSON array"),
    ],
)
def test_update_rejects_bad_patches(client: Any, patch: Any, message: str) -> None:
    with pytest.raises(client.exceptions.InvalidRequestException, match=message):
        update(client, LAMBDA, "orders-worker", patch)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ([ADD_CODE, {"op": "replace", "path": "/MemorySize", "value": "big"}], "expected type: Integer"),
        ([ADD_CODE, {"op": "remove", "path": "/Role"}], r"required key \[Role\]"),
        ([{"op": "replace", "path": "/MemorySize", "value": 256}], r"required key \[Code\] not found"),
    ],
)
def test_update_validates_the_patched_model_as_a_validation_exception(client: Any, patch: Any, message: str) -> None:
    # Evidence: pulumi/pulumi-aws-native#277 — "api error ValidationException: Model validation failed (#:
    # required key [Code] not found)" for a Lambda patch that changes only the handler.
    with pytest.raises(ClientError, match=message) as caught:
        update(client, LAMBDA, "orders-worker", patch)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_update_of_create_only_or_read_only_properties_is_refused(client: Any) -> None:
    with pytest.raises(
        client.exceptions.NotUpdatableException, match=r"createOnlyProperties \[/properties/FunctionName\]"
    ):
        update(client, LAMBDA, "orders-worker", [{"op": "replace", "path": "/FunctionName", "value": "renamed"}])
    with pytest.raises(client.exceptions.InvalidRequestException, match=r"readOnlyProperties \[/properties/Arn\]"):
        update(client, LAMBDA, "orders-worker", [{"op": "replace", "path": "/Arn", "value": "arn:aws:lambda:x"}])
    assert properties(client, LAMBDA, "orders-worker")["FunctionName"] == "orders-worker"


def test_update_of_an_unknown_resource_is_not_found(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        update(client, LAMBDA, "no-such-function", [{"op": "replace", "path": "/MemorySize", "value": 256}])


def test_a_second_mutation_while_one_is_in_progress_is_refused(start: Any, connect: Any) -> None:
    slow = connect(start(request_delay_ms=60_000).url)
    update(slow, LAMBDA, "orders-api", [ADD_CODE, {"op": "replace", "path": "/MemorySize", "value": 256}])
    with pytest.raises(slow.exceptions.ConcurrentOperationException):
        slow.delete_resource(TypeName=LAMBDA, Identifier="orders-api")


# -- DeleteResource ------------------------------------------------------------------------


def test_delete_removes_the_resource(client: Any) -> None:
    name = unique("gone")
    settle(client, create(client, LOG_GROUP, {"LogGroupName": name}))
    event = client.delete_resource(TypeName=LOG_GROUP, Identifier=name)["ProgressEvent"]
    assert event["Operation"] == "DELETE"
    assert event["OperationStatus"] == "IN_PROGRESS"
    assert settle(client, event)["OperationStatus"] == "SUCCESS"
    assert_missing(client, LOG_GROUP, name)


def test_delete_of_an_unknown_identifier_fails_not_found(client: Any) -> None:
    event = client.delete_resource(TypeName=LOG_GROUP, Identifier="never-existed")["ProgressEvent"]
    final = settle(client, event)
    assert final["OperationStatus"] == "FAILED"
    assert final["ErrorCode"] == "NotFound"


def test_delete_with_compound_identifier(client: Any) -> None:
    event = client.delete_resource(TypeName=INVOKE_CONFIG, Identifier="inventory-sync|$LATEST")["ProgressEvent"]
    assert settle(client, event)["OperationStatus"] == "SUCCESS"
    remaining = list_all(client, INVOKE_CONFIG, ResourceModel=json.dumps({"FunctionName": "inventory-sync"}))
    assert remaining == []


# -- requests ------------------------------------------------------------------------------


def test_request_status_of_an_unknown_token(client: Any, client_for: Any) -> None:
    with pytest.raises(client.exceptions.RequestTokenNotFoundException):
        client.get_resource_request_status(RequestToken="no-such-token")
    event = create(client, LOG_GROUP, {"LogGroupName": unique("regional")})
    with pytest.raises(client.exceptions.RequestTokenNotFoundException):
        client_for("eu-west-1").get_resource_request_status(RequestToken=event["RequestToken"])


def test_cancel_an_in_progress_request(start: Any, connect: Any) -> None:
    slow = connect(start(request_delay_ms=60_000).url)
    event = create(slow, LOG_GROUP, {"LogGroupName": "cancelled"})
    cancelled = slow.cancel_resource_request(RequestToken=event["RequestToken"])["ProgressEvent"]
    assert cancelled["OperationStatus"] == "CANCEL_IN_PROGRESS"
    assert settle(slow, event)["OperationStatus"] == "CANCEL_COMPLETE"
    assert_missing(slow, LOG_GROUP, "cancelled")
    with pytest.raises(slow.exceptions.ConcurrentModificationException):
        slow.cancel_resource_request(RequestToken=event["RequestToken"])
    with pytest.raises(WaiterError):
        slow.get_waiter("resource_request_success").wait(RequestToken=event["RequestToken"], WaiterConfig=WAIT)


def test_list_resource_requests_with_filters_and_paging(start: Any, connect: Any) -> None:
    own = connect(start(fixtures="none", request_delay_ms=0).url)
    tokens = [create(own, LOG_GROUP, {"LogGroupName": f"group-{i}"})["RequestToken"] for i in range(5)]
    settle(own, {"RequestToken": tokens[-1]})
    failed = settle(own, create(own, LOG_GROUP, {"LogGroupName": "group-0"}))
    deleted = settle(own, own.delete_resource(TypeName=LOG_GROUP, Identifier="group-1")["ProgressEvent"])
    summaries = own.list_resource_requests()["ResourceRequestStatusSummaries"]
    assert [s["RequestToken"] for s in summaries] == [
        deleted["RequestToken"],
        failed["RequestToken"],
        *reversed(tokens),
    ]
    only_failed = own.list_resource_requests(ResourceRequestStatusFilter={"OperationStatuses": ["FAILED"]})
    assert [s["RequestToken"] for s in only_failed["ResourceRequestStatusSummaries"]] == [failed["RequestToken"]]
    deletes = own.list_resource_requests(ResourceRequestStatusFilter={"Operations": ["DELETE"]})
    assert [s["Operation"] for s in deletes["ResourceRequestStatusSummaries"]] == ["DELETE"]
    pages = own.get_paginator("list_resource_requests").paginate(PaginationConfig={"PageSize": 3})
    assert [len(p["ResourceRequestStatusSummaries"]) for p in pages] == [3, 3, 1]
    assert connect(own.meta.endpoint_url, "us-west-2").list_resource_requests()["ResourceRequestStatusSummaries"] == []
