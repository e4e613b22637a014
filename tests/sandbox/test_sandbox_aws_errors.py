"""Errors as AWS answers them, in each type's handler's words. Each test sets the switch it exercises."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

LAMBDA = "AWS::Lambda::Function"
LOG_GROUP = "AWS::Logs::LogGroup"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def failure(call: Any) -> dict[str, Any]:
    """The error response of a call that must fail."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


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
