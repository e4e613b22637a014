"""The gateway's side of mutations on their own, against a scripted Cloud Control client: a request whose
handler was throttled (FAILED, ErrorCode Throttling) is sent again only when that cannot act twice, and a
resource just created is read back even while a read does not see it yet. The same behaviours end to end,
through real boto3 against the sandbox, are in test_mutations.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from botocore.exceptions import ClientError

from awsql_shell.gateway.calls import ApiCaller, Backoff, RetryPolicy
from awsql_shell.gateway.clients import Target
from awsql_shell.gateway.mutation_send import MutationError, MutationInterrupted, MutationOutcome, MutationRun
from awsql_shell.gateway.pool import PRIORITY_GET, WorkerPool
from awsql_shell.gateway.read_back import ReadBackRun
from awsql_shell.gateway.vocabulary import CREATE, DELETE, UPDATE, MutationCall, ReadBack

PARAMETER = "AWS::SSM::Parameter"
QUICK = RetryPolicy(
    throttled_request=Backoff(attempts=4, base=0.001, cap=0.001),
    not_yet_visible=Backoff(attempts=5, base=0.001, cap=0.001),
)


class ScriptedCloudControl:
    """A cloudcontrol client whose requests end as scripted: ``fates`` are the ErrorCodes of the requests in
    the order they are made (None: SUCCESS, and the resource then exists); ``existing`` is what GetResource
    finds; ``hidden_reads`` how many GetResource calls of a resource answer ResourceNotFound before it shows."""

    def __init__(self, fates: Sequence[str | None] = (), existing: Sequence[str] = (), hidden_reads: int = 0):
        self.fates = list(fates)
        self.existing = set(existing)
        self.hidden_reads = hidden_reads
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.gets: list[str] = []
        self._requests: dict[str, tuple[str, str, str | None]] = {}
        self._lock = threading.Lock()

    def _submit(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.sent.append((operation, params))
            token = f"request-{len(self.sent)}"
            identifier = params.get("Identifier") or json.loads(params["DesiredState"])["Name"]
            fate = self.fates.pop(0) if self.fates else None
            self._requests[token] = (operation, identifier, fate)
            if fate is None:
                if operation == "DELETE":
                    self.existing.discard(identifier)
                else:
                    self.existing.add(identifier)
        return {"ProgressEvent": {**self._common(token), "OperationStatus": "IN_PROGRESS", "RetryAfter": time.time()}}

    def _common(self, token: str) -> dict[str, Any]:
        operation, identifier, _ = self._requests[token]
        return {"RequestToken": token, "Operation": operation, "TypeName": PARAMETER, "Identifier": identifier}

    def create_resource(self, **params: Any) -> dict[str, Any]:
        return self._submit("CREATE", params)

    def update_resource(self, **params: Any) -> dict[str, Any]:
        return self._submit("UPDATE", params)

    def delete_resource(self, **params: Any) -> dict[str, Any]:
        return self._submit("DELETE", params)

    def get_resource_request_status(self, RequestToken: str) -> dict[str, Any]:
        fate = self._requests[RequestToken][2]
        event = {**self._common(RequestToken), "OperationStatus": "FAILED" if fate else "SUCCESS"}
        if fate:
            event.update(ErrorCode=fate, StatusMessage="Rate exceeded")
        return {"ProgressEvent": event}

    def get_resource(self, TypeName: str, Identifier: str) -> dict[str, Any]:
        with self._lock:
            self.gets.append(Identifier)
            hidden = self.gets.count(Identifier) <= self.hidden_reads
        if Identifier not in self.existing or hidden:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "not found"}}, "GetResource")
        properties = json.dumps({"Name": Identifier, "Value": "v"})
        return {"TypeName": TypeName, "ResourceDescription": {"Identifier": Identifier, "Properties": properties}}

    def creates(self) -> list[dict[str, Any]]:
        return [params for operation, params in self.sent if operation == "CREATE"]


class Attempts:
    """What the gateway's stats would count: calls and retries."""

    def __init__(self) -> None:
        self.calls = self.retries = 0

    def __call__(self, is_retry: bool) -> None:
        if is_retry:
            self.retries += 1
        else:
            self.calls += 1


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(2, name="test-mutation-send")
    yield workers
    workers.close()


def caller_for(client: ScriptedCloudControl, attempts: Attempts, policy: RetryPolicy = QUICK) -> ApiCaller:
    class Clients:
        def operation(self, target: Target, region: str, name: str) -> Any:
            return getattr(client, name)

    return ApiCaller(Clients(), policy=policy, on_attempt=attempts)  # type: ignore[arg-type]


def send(
    pool: WorkerPool,
    client: ScriptedCloudControl,
    calls: Sequence[MutationCall],
    attempts: Attempts | None = None,
    policy: RetryPolicy = QUICK,
    cancel: threading.Event | None = None,
) -> list[MutationOutcome]:
    run = MutationRun(
        caller_for(client, attempts or Attempts(), policy),
        lambda job: pool.submit(PRIORITY_GET, job),
        lambda account: Target(None, None),
        calls,
    )
    return run.run(cancel)


def create(name: str | None) -> MutationCall:
    """A create of a parameter; ``name`` None: as if the DesiredState named no primary identifier."""
    return MutationCall(CREATE, "us-east-1", PARAMETER, identifier=name, desired_state={"Name": name or "made-up"})


# -- a request whose handler was throttled ---------------------------------------------------------------


def test_a_throttled_create_is_checked_then_sent_again_with_a_new_client_token(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(fates=["Throttling", None])
    attempts = Attempts()
    call = create("p1")
    (outcome,) = send(pool, client, [call], attempts)
    assert outcome.error is None and outcome.status == "SUCCESS"
    first, second = client.creates()
    assert first["ClientToken"] == call.client_token
    assert second["ClientToken"] != call.client_token  # the spent token would only replay the failure
    assert second["DesiredState"] == first["DesiredState"]
    assert client.gets == ["p1"]  # looked up before the resend: it did not exist
    assert outcome.request_tokens == ["request-1", "request-2"] and outcome.throttled == ["request-1"]
    assert attempts.retries == 1  # the resend, counted as a retry


def test_a_throttled_create_whose_resource_exists_now_is_not_sent_again(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(fates=["Throttling"], existing=["p2"])
    (outcome,) = send(pool, client, [create("p2")])
    assert len(client.creates()) == 1
    assert isinstance(outcome.error, MutationError) and outcome.error.code == "Throttling"
    assert outcome.error.message == (
        "CreateResource AWS::SSM::Parameter 'p2' in us-east-1 FAILED: Throttling: Rate exceeded; not sent again: "
        "'p2' exists now (the throttled request may have created it, or it was there before) "
        "[RequestToken request-1]"
    )


def test_a_throttled_create_that_names_no_identifier_cannot_be_retried_safely(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(fates=["Throttling"])
    (outcome,) = send(pool, client, [create(None)])
    assert len(client.creates()) == 1 and client.gets == []
    assert outcome.error is not None
    assert (
        "FAILED: Throttling: Rate exceeded; not sent again: it cannot be retried safely: its DesiredState does "
        "not name the primary identifier" in outcome.error.message
    )


def test_resends_are_bounded_and_the_error_names_every_request(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(fates=["Throttling"] * 10)
    attempts = Attempts()
    (outcome,) = send(pool, client, [create("p3")], attempts)
    assert len(client.creates()) == 4 and attempts.retries == 3
    assert len({params["ClientToken"] for params in client.creates()}) == 4
    error = outcome.error
    assert isinstance(error, MutationError)
    assert "FAILED: Throttling: Rate exceeded; sent 4 times, throttled each time" in error.message
    assert error.message.endswith("[RequestTokens request-1, request-2, request-3, request-4]")
    assert error.request_tokens == ("request-1", "request-2", "request-3", "request-4")


def test_a_later_failure_of_a_resent_call_names_the_throttled_requests_too(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(fates=["Throttling", "AlreadyExists"])
    (outcome,) = send(pool, client, [create("p4")])
    assert outcome.error is not None and "FAILED: AlreadyExists" in outcome.error.message
    assert outcome.error.message.endswith("[RequestTokens request-1, request-2]")


def test_updates_and_deletes_are_sent_again_only_while_the_resource_exists(pool: WorkerPool) -> None:
    patch = ({"op": "add", "path": "/Value", "value": "v2"},)
    update = MutationCall(UPDATE, "us-east-1", PARAMETER, identifier="there", patch_document=patch)
    gone = MutationCall(UPDATE, "us-east-1", PARAMETER, identifier="gone", patch_document=patch)
    delete = MutationCall(DELETE, "us-east-1", PARAMETER, identifier="doomed")
    client = ScriptedCloudControl(fates=["Throttling", "Throttling", "Throttling"], existing=["there", "doomed"])
    outcomes = send(pool, client, [update, gone, delete])
    changed, missing, deleted = outcomes
    assert changed.error is None and changed.status == "SUCCESS" and len(changed.request_tokens) == 2
    assert deleted.error is None and deleted.status == "SUCCESS" and len(deleted.request_tokens) == 2
    assert missing.error is not None and "not sent again: 'gone' no longer exists" in missing.error.message
    assert sorted(client.gets) == ["doomed", "gone", "there"]
    resent = [params for _, params in client.sent[3:]]
    assert {p["Identifier"] for p in resent} == {"there", "doomed"}
    assert all(p["ClientToken"] not in (update.client_token, delete.client_token) for p in resent)


def test_interrupting_the_pause_before_a_resend_says_it_was_not_sent_again(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(fates=["Throttling"])
    slow = RetryPolicy(throttled_request=Backoff(attempts=4, base=30.0, cap=30.0))
    cancel = threading.Event()
    caught: list[BaseException] = []

    def run() -> None:
        try:
            send(pool, client, [create("p5")], policy=slow, cancel=cancel)
        except MutationInterrupted as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 5
    while not client.gets and time.monotonic() < deadline:
        time.sleep(0.01)
    cancel.set()
    worker.join(timeout=5)
    assert not worker.is_alive() and caught
    (interrupted,) = caught
    assert isinstance(interrupted, MutationInterrupted)
    assert interrupted.report() == [
        "interrupted: the CreateResource request for AWS::SSM::Parameter in us-east-1 was throttled "
        "(FAILED: Throttling) and not sent again; RequestTokens request-1"
    ]
    assert len(client.creates()) == 1


# -- reading back what was changed ---------------------------------------------------------------------


def read_back(
    pool: WorkerPool, client: ScriptedCloudControl, reads: Sequence[ReadBack], attempts: Attempts | None = None
):
    submit = lambda job: pool.submit(PRIORITY_GET, job)  # noqa: E731
    run = ReadBackRun(caller_for(client, attempts or Attempts()), submit, lambda account: Target(None, None), reads)
    return run.run()


def test_a_resource_just_created_is_read_again_until_it_shows(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(existing=["fresh"], hidden_reads=2)
    attempts = Attempts()
    (result,) = read_back(pool, client, [ReadBack("us-east-1", PARAMETER, "fresh", created=True)], attempts)
    assert result.error is None and result.properties == {"Name": "fresh", "Value": "v"}
    assert client.gets == ["fresh"] * 3 and (attempts.calls, attempts.retries) == (1, 2)


def test_reading_back_is_bounded_and_only_a_create_is_asked_again(pool: WorkerPool) -> None:
    client = ScriptedCloudControl(existing=["late", "updated"], hidden_reads=100)
    created, updated = read_back(
        pool,
        client,
        [ReadBack("us-east-1", PARAMETER, "late", created=True), ReadBack("us-east-1", PARAMETER, "updated")],
    )
    assert created.properties is None and created.error is not None
    assert created.error.message == (
        "AWS::SSM::Parameter 'late' in us-east-1: GetResource found no such resource after 5 tries over a few seconds"
    )
    assert updated.error is not None and updated.error.message.endswith("GetResource found no such resource")
    assert client.gets.count("late") == 5 and client.gets.count("updated") == 1
