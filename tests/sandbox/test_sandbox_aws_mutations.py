"""Mutations and reads over time as AWS answers them: eventual consistency after a create, and latency
per operation. Each test sets its switch."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

LAMBDA = "AWS::Lambda::Function"
QUEUE = "AWS::SQS::Queue"


def settle(client: Any, event: dict[str, Any]) -> dict[str, Any]:
    while event["OperationStatus"] in ("PENDING", "IN_PROGRESS"):
        time.sleep(0.05)  # well under the rate limit
        event = client.get_resource_request_status(RequestToken=event["RequestToken"])["ProgressEvent"]
    return event


def properties(client: Any, type_name: str, identifier: str) -> dict[str, Any]:
    return json.loads(
        client.get_resource(TypeName=type_name, Identifier=identifier)["ResourceDescription"]["Properties"]
    )


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
    client = connect(start(latency_ms=60).url)
    read = timed(lambda: client.get_resource(TypeName=LAMBDA, Identifier="orders-api"))
    listed = timed(lambda: client.list_resources(TypeName=LAMBDA))
    assert read >= 0.06
    assert listed >= 0.18  # three times the read figure
    assert listed - read >= 0.09
    explicit = connect(start(latency_ms=60, list_latency_ms=0).url)
    assert timed(lambda: explicit.list_resources(TypeName=LAMBDA)) < 0.06
