"""Errors as AWS answers them: not-found per type, disabled regions, access denial, failing reads, the
three shapes of throttling and the rate limit. Each test sets the switch it exercises explicitly."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from awsql_shell.sandbox import LAMBDA_FUNCTION_NAMES
from awsql_shell.sandbox.faults import RateLimiter

LAMBDA = "AWS::Lambda::Function"
LOG_GROUP = "AWS::Logs::LogGroup"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
FUNCTIONS = LAMBDA_FUNCTION_NAMES["us-east-1"]


def failure(call: Any) -> dict[str, Any]:
    """The error response of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def settle(client: Any, event: dict[str, Any]) -> dict[str, Any]:
    while event["OperationStatus"] in ("PENDING", "IN_PROGRESS"):
        time.sleep(0.05)  # well under the rate limit
        event = client.get_resource_request_status(RequestToken=event["RequestToken"])["ProgressEvent"]
    return event


def create_log_group(client: Any, name: str) -> dict[str, Any]:
    return client.create_resource(TypeName=LOG_GROUP, DesiredState=json.dumps({"LogGroupName": name}))["ProgressEvent"]


# -- not found (not_found_by_type) ----------------------------------------------------------------


def test_a_missing_log_group_is_an_invalid_request_in_the_handlers_words(start: Any, connect: Any) -> None:
    client = connect(start(not_found_by_type=True).url, config=NO_RETRIES)
    for call in (
        lambda: client.get_resource(TypeName=LOG_GROUP, Identifier="/no/such/group"),
        lambda: client.update_resource(TypeName=LOG_GROUP, Identifier="/no/such/group", PatchDocument="[]"),
    ):
        error = failure(call)
        assert error["Error"]["Code"] == "InvalidRequestException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        message = error["Error"]["Message"]
        assert message.startswith(
            "AWS::Logs::LogGroup Handler returned status FAILED: The specified log group does not exist. "
            "(Service: CloudWatchLogs, Status Code: 400, Request ID: "
        )
        assert "(HandlerErrorCode: InvalidRequest, RequestToken: " in message


def test_other_types_answer_resource_not_found(start: Any, connect: Any) -> None:
    client = connect(start(not_found_by_type=True).url, config=NO_RETRIES)
    error = failure(lambda: client.get_resource(TypeName=LAMBDA, Identifier="no-such-function"))
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"].startswith(
        "AWS::Lambda::Function Handler returned status FAILED: Resource of type 'AWS::Lambda::Function' with "
        "identifier 'no-such-function' was not found. (HandlerErrorCode: NotFound, RequestToken: "
    )


def test_every_type_answers_resource_not_found_when_switched_off(start: Any, connect: Any) -> None:
    client = connect(start(not_found_by_type=False).url, config=NO_RETRIES)
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="'/no/such/group' was not found"):
        client.get_resource(TypeName=LOG_GROUP, Identifier="/no/such/group")


# -- regions the account has not enabled (disabled_region) -----------------------------------------


@pytest.mark.parametrize("region", ["me-south-1", "ap-southeast-4", "cn-north-1", "us-gov-west-1"])
def test_opt_in_and_other_partition_regions_are_disabled_by_default(start: Any, connect: Any, region: str) -> None:
    url = start(disabled_region=None).url
    for call in (
        lambda client: client.list_resources(TypeName=LAMBDA),
        lambda client: client.get_resource(TypeName=LAMBDA, Identifier="orders-api"),
        lambda client: client.list_resource_requests(),
    ):
        error = failure(lambda call=call: call(connect(url, region, NO_RETRIES)))
        assert error["Error"]["Code"] == "UnrecognizedClientException"
        assert error["Error"]["Message"] == "The security token included in the request is invalid."
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert connect(url, "us-east-1").list_resources(TypeName=LAMBDA)["ResourceDescriptions"]


def test_disabled_regions_can_be_named_or_none(start: Any, connect: Any) -> None:
    url = start(disabled_region="eu-west-1,us-west-2").url
    for region in ("eu-west-1", "us-west-2"):
        with pytest.raises(ClientError, match="UnrecognizedClientException"):
            connect(url, region, NO_RETRIES).list_resources(TypeName=LAMBDA)
    assert connect(url, "me-south-1").list_resources(TypeName=LAMBDA)["ResourceDescriptions"] == []
    everywhere = start(disabled_region="none").url
    assert connect(everywhere, "cn-north-1").list_resources(TypeName=LAMBDA)["ResourceDescriptions"] == []


# -- access denied (deny) ------------------------------------------------------------------------


def test_a_denied_read_is_a_synchronous_access_denied(start: Any, connect: Any) -> None:
    client = connect(start(deny=LAMBDA).url, config=NO_RETRIES)
    for call, permission in (
        (lambda: client.get_resource(TypeName=LAMBDA, Identifier="orders-api"), "lambda:GetFunction"),
        (lambda: client.list_resources(TypeName=LAMBDA), "lambda:ListFunctions"),
        (lambda: client.update_resource(TypeName=LAMBDA, Identifier="orders-api", PatchDocument="[]"), None),
    ):
        error = failure(call)
        assert error["Error"]["Code"] == "AccessDeniedException"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        message = error["Error"]["Message"]
        assert message.startswith(
            "AWS::Lambda::Function Handler returned status FAILED: User: arn:aws:iam::123456789012:user/sandbox "
            "is not authorized to perform: "
        )
        if permission:
            assert f"perform: {permission} on resource: " in message
            assert f"because no identity-based policy allows the {permission} action" in message
        assert "(HandlerErrorCode: AccessDenied, RequestToken: " in message
    assert client.list_resources(TypeName=LOG_GROUP)["ResourceDescriptions"]  # other types are allowed


def test_a_denied_mutation_is_accepted_and_ends_failed_access_denied(start: Any, connect: Any) -> None:
    client = connect(start(deny=f"{LOG_GROUP}:create,{LAMBDA}:delete").url)
    event = create_log_group(client, "denied")
    assert event["OperationStatus"] == "IN_PROGRESS"
    final = settle(client, event)
    assert (final["OperationStatus"], final["ErrorCode"]) == ("FAILED", "AccessDenied")
    assert "is not authorized to perform: logs:CreateLogGroup" in final["StatusMessage"]
    assert "denied" not in [d["Identifier"] for d in client.list_resources(TypeName=LOG_GROUP)["ResourceDescriptions"]]
    deleted = settle(client, client.delete_resource(TypeName=LAMBDA, Identifier="orders-api")["ProgressEvent"])
    assert deleted["ErrorCode"] == "AccessDenied"
    assert client.get_resource(TypeName=LAMBDA, Identifier="orders-api")  # reads were not denied, and it is there


# -- failing reads (read_failure_ids, read_failure_rate, read_failure_code) --------------------------


def read_outcomes(client: Any) -> dict[str, str]:
    outcomes = {}
    for name in FUNCTIONS:
        try:
            client.get_resource(TypeName=LAMBDA, Identifier=name)
            outcomes[name] = "ok"
        except ClientError as error:
            outcomes[name] = error.response["Error"]["Code"]
    return outcomes


def test_named_resources_fail_every_read(start: Any, connect: Any) -> None:
    client = connect(start(read_failure_ids="orders-api,payments-api").url, config=NO_RETRIES)
    for _ in range(2):
        error = failure(lambda: client.get_resource(TypeName=LAMBDA, Identifier="orders-api"))
        assert error["Error"]["Code"] == "GeneralServiceException"
        assert error["Error"]["Message"].startswith("AWS::Lambda::Function Handler returned status FAILED: null ")
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert client.get_resource(TypeName=LAMBDA, Identifier="orders-worker")
    assert len(client.list_resources(TypeName=LAMBDA)["ResourceDescriptions"]) > 0  # lists are unaffected

    internal = connect(
        start(read_failure_ids="orders-api", read_failure_code="HandlerInternalFailureException").url,
        config=NO_RETRIES,
    )
    error = failure(lambda: internal.get_resource(TypeName=LAMBDA, Identifier="orders-api"))
    assert error["Error"]["Code"] == "HandlerInternalFailureException"
    assert (
        "Handler returned status FAILED: null (HandlerErrorCode: InternalFailure, RequestToken: "
        in (error["Error"]["Message"])
    )


def test_a_fraction_of_resources_fails_reads_the_same_way_every_run(start: Any, connect: Any) -> None:
    def run(seed: int) -> dict[str, str]:
        return read_outcomes(connect(start(read_failure_rate=0.3, seed=seed, rate_limit=0).url, config=NO_RETRIES))

    first, again, other = run(5), run(5), run(6)
    assert first == again
    assert first != other
    assert set(first.values()) == {"ok", "GeneralServiceException"}


# -- throttling: the rate limit, and its two handler shapes ------------------------------------------


def test_the_token_bucket_refills_at_its_rate_per_account_and_region() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=10, burst=3, clock=lambda: now[0])
    assert [limiter.allow("1", "us-east-1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("1", "eu-west-1")  # another region has its own bucket
    now[0] += 0.1  # one token back
    assert [limiter.allow("1", "us-east-1") for _ in range(2)] == [True, False]
    now[0] += 10  # refills to the burst, no further
    assert [limiter.allow("1", "us-east-1") for _ in range(4)] == [True, True, True, False]
    assert all(RateLimiter(rate=0, burst=1).allow("1", "us-east-1") for _ in range(100))


def test_an_exhausted_rate_limit_is_a_throttling_exception(start: Any, connect: Any) -> None:
    url = start(rate_limit=2, rate_burst=3).url
    client = connect(url, config=NO_RETRIES)
    outcomes = []
    for _ in range(5):
        try:
            client.get_resource(TypeName=LAMBDA, Identifier="orders-api")
            outcomes.append("ok")
        except ClientError as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
            assert error.response["Error"]["Message"] == "Rate exceeded"
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes[:3] == ["ok"] * 3
    assert "ThrottlingException" in outcomes[3:]
    assert connect(url, "us-west-2", NO_RETRIES).get_resource(TypeName=LAMBDA, Identifier="orders-api")
    time.sleep(0.6)  # a token back at 2 a second
    assert client.get_resource(TypeName=LAMBDA, Identifier="orders-api")


def test_a_throttled_read_handler_is_a_general_service_exception(start: Any, connect: Any) -> None:
    client = connect(start(read_throttle_rate=1.0).url, config=NO_RETRIES)
    for call in (
        lambda: client.get_resource(TypeName=LAMBDA, Identifier="orders-api"),
        lambda: client.list_resources(TypeName=LOG_GROUP),
    ):
        error = failure(call)
        assert error["Error"]["Code"] == "GeneralServiceException"
        assert " Handler returned status FAILED: Rate exceeded (Service: " in error["Error"]["Message"]
        assert "(HandlerErrorCode: GeneralServiceException, " in error["Error"]["Message"]
    assert client.list_resource_requests()  # calls that run no handler are not affected


def test_a_throttled_mutation_ends_failed_with_error_code_throttling(start: Any, connect: Any) -> None:
    client = connect(start(mutation_throttle_rate=1.0).url)
    final = settle(client, create_log_group(client, "throttled"))
    assert (final["OperationStatus"], final["ErrorCode"]) == ("FAILED", "Throttling")
    assert final["StatusMessage"].startswith("Rate exceeded (Service: CloudWatchLogs, Status Code: 400, Request ID: ")


def test_a_failing_mutation_may_end_without_a_status_message(start: Any, connect: Any) -> None:
    client = connect(start(mutation_failure_rate=1.0, sparse_events=True).url)
    final = settle(client, create_log_group(client, "broken"))
    assert (final["OperationStatus"], final["ErrorCode"]) == ("FAILED", "InternalFailure")
    assert "StatusMessage" not in final
