"""Mutations as AWS answers them: write-only properties in patches, progress events with only what AWS
sends, eventual consistency after a create, and latency per operation. Each test sets its switch."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

LAMBDA = "AWS::Lambda::Function"
LOG_GROUP = "AWS::Logs::LogGroup"
VPC = "AWS::EC2::VPC"
QUEUE = "AWS::SQS::Queue"
NEW_CODE = {"ZipFile": "def handler(event, context):\n    return 3\n"}


def settle(client: Any, event: dict[str, Any]) -> dict[str, Any]:
    while event["OperationStatus"] in ("PENDING", "IN_PROGRESS"):
        time.sleep(0.05)  # well under the rate limit
        event = client.get_resource_request_status(RequestToken=event["RequestToken"])["ProgressEvent"]
    return event


def patch(client: Any, identifier: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    answer = client.update_resource(TypeName=LAMBDA, Identifier=identifier, PatchDocument=json.dumps(operations))
    return answer["ProgressEvent"]


def properties(client: Any, type_name: str, identifier: str) -> dict[str, Any]:
    return json.loads(
        client.get_resource(TypeName=type_name, Identifier=identifier)["ResourceDescription"]["Properties"]
    )


# -- write-only properties in patches (write_only_patches) -------------------------------------------


@pytest.mark.parametrize(
    ("operation", "named"),
    [
        ({"op": "replace", "path": "/Code/ZipFile", "value": "print(1)"}, "/Code/ZipFile"),
        ({"op": "remove", "path": "/Code/S3Key"}, "/Code/S3Key"),
        ({"op": "move", "from": "/Code/S3Bucket", "path": "/Description"}, "/Code/S3Bucket"),
    ],
)
def test_write_only_properties_can_only_be_added(start: Any, connect: Any, operation: Any, named: str) -> None:
    client = connect(start(write_only_patches=True).url)
    with pytest.raises(ClientError) as caught:
        patch(client, "orders-api", [operation])
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        f"Invalid patch update: writeOnlyProperties [{named}] can only be updated using 'add' operation"
    )


def test_a_patch_applies_to_what_a_read_returns(start: Any, connect: Any) -> None:
    client = connect(start(write_only_patches=True).url)
    # The stored function has Code.S3Bucket, but a read does not return it, so a patch cannot see it.
    add_code = {"op": "add", "path": "/Code", "value": NEW_CODE}
    with pytest.raises(client.exceptions.InvalidRequestException, match="does not exist"):
        patch(client, "orders-api", [{"op": "copy", "from": "/Code/S3Bucket", "path": "/Description"}, add_code])
    final = settle(client, patch(client, "orders-api", [add_code]))
    assert final["OperationStatus"] == "SUCCESS"
    assert "Code" not in properties(client, LAMBDA, "orders-api")  # written, and still never read back


def test_patches_apply_to_the_stored_model_when_switched_off(start: Any, connect: Any) -> None:
    client = connect(start(write_only_patches=False).url)
    final = settle(client, patch(client, "orders-api", [{"op": "replace", "path": "/Code/S3Key", "value": "v2.zip"}]))
    assert final["OperationStatus"] == "SUCCESS"


# -- progress events (sparse_events) ------------------------------------------------------------------


def test_events_carry_the_identifier_once_it_is_known_and_the_model_on_success(start: Any, connect: Any) -> None:
    client = connect(start(sparse_events=True).url)
    first = client.create_resource(TypeName=VPC, DesiredState=json.dumps({"CidrBlock": "10.7.0.0/16"}))["ProgressEvent"]
    assert first["OperationStatus"] == "IN_PROGRESS"
    assert "Identifier" not in first  # the VPC id is generated: nobody knows it yet
    assert "ResourceModel" not in first
    final = settle(client, first)
    assert final["OperationStatus"] == "SUCCESS"
    assert final["Identifier"].startswith("vpc-")
    assert json.loads(final["ResourceModel"])["VpcId"] == final["Identifier"]

    named = client.create_resource(TypeName=LOG_GROUP, DesiredState=json.dumps({"LogGroupName": "named"}))
    assert named["ProgressEvent"]["Identifier"] == "named"  # named in the desired state, so known at once
    assert "ResourceModel" not in named["ProgressEvent"]


def test_full_events_when_switched_off(start: Any, connect: Any) -> None:
    client = connect(start(sparse_events=False).url)
    first = client.create_resource(TypeName=VPC, DesiredState=json.dumps({"CidrBlock": "10.8.0.0/16"}))["ProgressEvent"]
    assert first["Identifier"].startswith("vpc-")
    assert json.loads(first["ResourceModel"])["CidrBlock"] == "10.8.0.0/16"


# -- eventual consistency (consistency_delay_ms) ---------------------------------------------------------


def test_a_created_resource_is_not_found_for_a_while(start: Any, connect: Any) -> None:
    client = connect(start(consistency_delay_ms=400, request_delay_ms=0).url)
    created = client.create_resource(TypeName=QUEUE, DesiredState=json.dumps({"QueueName": "late"}))
    final = settle(client, created["ProgressEvent"])
    assert final["OperationStatus"] == "SUCCESS"
    queue = final["Identifier"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_resource(TypeName=QUEUE, Identifier=queue)
    assert queue not in [d["Identifier"] for d in client.list_resources(TypeName=QUEUE)["ResourceDescriptions"]]
    time.sleep(0.45)
    assert properties(client, QUEUE, queue)["QueueName"] == "late"


# -- latency per operation (latency_ms, list_latency_ms) -------------------------------------------------


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_a_list_page_waits_longer_than_a_read(start: Any, connect: Any) -> None:
    # Figures large enough that a loaded machine's own delays do not blur them.
    client = connect(start(latency_ms=150).url)
    read = timed(lambda: client.get_resource(TypeName=LAMBDA, Identifier="orders-api"))
    listed = timed(lambda: client.list_resources(TypeName=LAMBDA))
    assert read >= 0.15
    assert listed >= 0.45  # three times the read figure
    assert listed - read >= 0.2
    explicit = connect(start(latency_ms=150, list_latency_ms=0).url)
    assert timed(lambda: explicit.list_resources(TypeName=LAMBDA)) < 0.15
