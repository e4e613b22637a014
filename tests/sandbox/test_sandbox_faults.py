"""Injected faults and request routing errors, as a boto3 client sees them."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlparse

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from awsql_shell.errors import UsageError
from awsql_shell.sandbox import SandboxConfig

LAMBDA = "AWS::Lambda::Function"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def outcomes(client: Any, calls: int) -> list[str]:
    """'ok' or the error code of each of a run of calls, in order."""
    seen = []
    for _ in range(calls):
        try:
            client.get_resource(TypeName=LAMBDA, Identifier="orders-api")
            seen.append("ok")
        except ClientError as error:
            seen.append(error.response["Error"]["Code"])
    return seen


def test_throttling_is_a_throttling_exception(start: Any, connect: Any) -> None:
    client = connect(start(throttle_rate=1.0).url, config=NO_RETRIES)
    with pytest.raises(client.exceptions.ThrottlingException, match="Rate exceeded"):
        client.list_resources(TypeName=LAMBDA)


@pytest.mark.slow
def test_throttling_is_seeded_and_repeatable(start: Any, connect: Any) -> None:
    # No rate limit: its throttling depends on timing, and these draws must not.
    first = outcomes(connect(start(throttle_rate=0.3, seed=7, rate_limit=0).url, config=NO_RETRIES), 40)
    again = outcomes(connect(start(throttle_rate=0.3, seed=7, rate_limit=0).url, config=NO_RETRIES), 40)
    other = outcomes(connect(start(throttle_rate=0.3, seed=8, rate_limit=0).url, config=NO_RETRIES), 40)
    assert first == again
    assert first != other
    assert set(first) == {"ok", "ThrottlingException"}


@pytest.mark.slow
def test_botocore_retries_through_throttling(start: Any, connect: Any) -> None:
    client = connect(
        start(throttle_rate=0.3, seed=1).url, config=Config(retries={"mode": "standard", "max_attempts": 10})
    )
    pages = client.get_paginator("list_resources").paginate(TypeName=LAMBDA)
    assert sum(len(page["ResourceDescriptions"]) for page in pages) == 25


def test_a_failing_region_fails_every_call_and_others_work(start: Any, connect: Any) -> None:
    url = start(fail_region="us-west-2").url
    failing = connect(url, "us-west-2", config=NO_RETRIES)
    for call in (
        lambda: failing.list_resources(TypeName=LAMBDA),
        lambda: failing.get_resource(TypeName=LAMBDA, Identifier="orders-api"),
        lambda: failing.list_resource_requests(),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "ServiceUnavailable"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    healthy = connect(url, "us-east-1", config=NO_RETRIES)
    assert len(healthy.list_resources(TypeName=LAMBDA)["ResourceDescriptions"]) > 0


def test_several_failing_regions(start: Any, connect: Any) -> None:
    url = start(fail_region="us-west-2,eu-west-1").url
    for region in ("us-west-2", "eu-west-1"):
        with pytest.raises(ClientError, match="ServiceUnavailable"):
            connect(url, region, config=NO_RETRIES).list_resources(TypeName=LAMBDA)


@pytest.mark.slow
def test_latency_delays_every_answer(start: Any, connect: Any) -> None:
    url = start(latency_ms=3000).url
    impatient = Config(read_timeout=0.3, connect_timeout=1, retries={"mode": "standard", "total_max_attempts": 1})
    with pytest.raises(ReadTimeoutError):
        connect(url, config=impatient).list_resources(TypeName=LAMBDA)


def test_latency_still_answers_parallel_calls(start: Any, connect: Any) -> None:
    client = connect(start(latency_ms=50, fixture_scale=16, rate_limit=0).url)
    names = ["orders-api"] + [f"orders-api-{n}" for n in range(2, 17)]
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda name: client.get_resource(TypeName=LAMBDA, Identifier=name), names))
    assert [a["ResourceDescription"]["Identifier"] for a in answers] == names


def test_an_unknown_region_in_the_signature_is_refused(sandbox_url: str, connect: Any) -> None:
    client = connect(sandbox_url, "xx-nowhere-1", config=NO_RETRIES)
    with pytest.raises(ClientError) as caught:
        client.list_resources(TypeName=LAMBDA)
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert "xx-nowhere-1" in str(caught.value)


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    parts = urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


SIGNED = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/cloudcontrolapi/aws4_request, Signature=0"


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        ({"X-Amz-Target": "CloudApiService.ListResources"}, b"{}", "MissingAuthenticationTokenException"),
        ({"X-Amz-Target": "CloudApiService.Explode", "Authorization": SIGNED}, b"{}", "UnknownOperationException"),
        (
            {"X-Amz-Target": "CloudApiService.ListResources", "Authorization": SIGNED},
            b"{nope",
            "SerializationException",
        ),
        ({"X-Amz-Target": "CloudApiService.ListResources", "Authorization": SIGNED}, b"{}", "ValidationException"),
        (
            {
                "X-Amz-Target": "CloudApiService.ListResources",
                "Authorization": SIGNED.replace("cloudcontrolapi", "lambda"),
            },
            b'{"TypeName": "AWS::Lambda::Function"}',
            "InvalidSignatureException",
        ),
    ],
)
def test_malformed_requests_get_aws_errors(sandbox_url: str, headers: dict[str, str], body: bytes, code: str) -> None:
    status, answer = raw_post(sandbox_url, body, {"Content-Type": "application/x-amz-json-1.0", **headers})
    assert status == 400
    assert answer["__type"] == code
    assert answer["Message"]


def test_the_sandbox_binds_loopback_only() -> None:
    with pytest.raises(UsageError, match="loopback"):
        SandboxConfig(host="0.0.0.0")
