"""INSERT, UPDATE and DELETE end to end on the sandbox through real boto3: the whole lifecycle, every failure
path, idempotence over a dropped connection, refusals that change nothing, bulk INSERT ... SELECT,
NOWAIT, Ctrl-C while awaiting, and variables."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from awsql_shell.errors import AwsqlError, Interrupted, UnsupportedError, ValidationError
from awsql_shell.gateway import Gateway, RetryPolicy
from awsql_shell.gateway.calls import Backoff
from awsql_shell.gateway.mutation_send import MutationError
from awsql_shell.result import Result
from awsql_shell.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.fixtures import FUNCTION_COUNTS, LAMBDA_FUNCTION_NAMES
from awsql_shell.sandbox.generate import partition_key
from awsql_shell.session import Session
from awsql_shell.settings import Settings

EIC = "awscc.lambda.event_invoke_configs"
EIC_TYPE = "AWS::Lambda::EventInvokeConfig"
LOG_GROUP = "AWS::Logs::LogGroup"
FUNCTIONS = LAMBDA_FUNCTION_NAMES["us-east-1"]
DLQ = "arn:aws:sqs:us-east-1:123456789012:dlq"

SessionFactory = Callable[..., Session]


pytestmark = pytest.mark.usefixtures("dummy_credentials")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """One sandbox for the module; each test works on names of its own."""
    with start_sandbox(SandboxConfig(request_delay_ms=20)) as running:
        yield running


@pytest.fixture
def connect(sandbox: RunningSandbox) -> Iterator[SessionFactory]:
    sessions: list[Session] = []

    def make(url: str | None = None, **settings: Any) -> Session:
        settings.setdefault("region", "us-east-1")
        session = Session(Settings(endpoint_url=url or sandbox.url, **settings))
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        if session.gateway_if_started is not None:
            session.gateway_if_started.close()


def one(session: Session, sql: str) -> Result:
    (result,) = session.run(sql)
    return result


def stored(sandbox: RunningSandbox, type_name: str, region: str = "us-east-1") -> dict[str, dict[str, Any]]:
    sandbox.service.settle()
    return dict(sandbox.service.state.peek(partition_key(type_name, region), type_name))


def snapshot(sandbox: RunningSandbox) -> str:
    """The whole account, requests included: equal snapshots mean nothing at all was asked of it."""
    sandbox.service.settle()
    with sandbox.service.lock:
        return json.dumps(sandbox.service.state.to_json(), sort_keys=True)


def requests_for(sandbox: RunningSandbox, identifier: str) -> list[tuple[str, str, str | None]]:
    """What the account was asked about a resource: (operation, status, ErrorCode) per request, in order."""
    sandbox.service.settle()
    return [
        (r.operation, r.status, r.error_code)
        for r in sandbox.service.state.requests.values()
        if r.identifier == identifier
    ]


def client_tokens(sandbox: RunningSandbox, identifier: str) -> list[str | None]:
    return [r.client_token for r in sandbox.service.state.requests.values() if r.identifier == identifier]


def config_row(session: Session, identifier: str) -> tuple[Any, ...] | None:
    result = one(
        session,
        "SELECT maximum_retry_attempts, maximum_event_age_in_seconds, destination_config FROM "
        f"{EIC} WHERE region = 'us-east-1' AND Identifier = '{identifier}'",
    )
    return result.rows[0] if result.rows else None


# -- the lifecycle ---------------------------------------------------------------------------------------


def test_create_select_update_both_ways_select_delete_select(connect: SessionFactory) -> None:
    session = connect()
    function = FUNCTIONS[1]  # odd position: no event invoke config yet
    identifier = f"{function}|$LATEST"
    assert config_row(session, identifier) is None  # and the cache now remembers that it is absent

    created = one(
        session,
        f"INSERT INTO {EIC} (FunctionName, Qualifier, MaximumRetryAttempts, DestinationConfig, region) "
        f"SELECT '{function}', '$LATEST', 1, '{{\"OnFailure\": {{\"Destination\": \"{DLQ}\"}}}}', 'us-east-1'",
    )
    assert created.status == "INSERT 1" and created.rows == [] and created.columns == []
    row = config_row(session, identifier)
    assert row is not None and row[0] == 1 and json.loads(row[2]) == {"OnFailure": {"Destination": DLQ}}

    updated = one(
        session,
        f"UPDATE {EIC} SET maximum_retry_attempts = 2, MaximumEventAgeInSeconds = '600', destination_config = NULL "
        f"WHERE region = 'us-east-1' AND Identifier = '{identifier}'",
    )
    assert updated.status == "UPDATE 1"
    assert config_row(session, identifier) == (2, 600, None)

    patched = one(
        session,
        f'UPDATE {EIC} SET PatchDocument = string(\'[{{"op": "replace", "path": "/MaximumRetryAttempts", '
        f"\"value\": 0}}]') WHERE region = 'us-east-1' AND Identifier = '{identifier}' RETURNING OperationStatus",
    )
    assert patched.columns == ["OperationStatus"] and patched.rows == [("SUCCESS",)]
    assert config_row(session, identifier) == (0, 600, None)

    deleted = one(session, f"DELETE FROM {EIC} WHERE Identifier = '{identifier}' AND region = 'us-east-1'")
    assert deleted.status == "DELETE 1"
    assert config_row(session, identifier) is None


@pytest.mark.slow
def test_returning_gives_the_final_progress_event(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    session = connect()
    result = one(
        session,
        "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, region) "
        "VALUES ('returning-a', '7', 'us-east-1'), ('returning-b', 14, 'us-east-1') RETURNING *, region",
    )
    assert result.columns == [
        "ErrorCode",
        "EventTime",
        "Identifier",
        "Operation",
        "OperationStatus",
        "RequestToken",
        "ResourceModel",
        "RetryAfter",
        "StatusMessage",
        "TypeName",
        "region",
    ]
    events = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    assert [e["Identifier"] for e in events] == ["returning-a", "returning-b"]
    assert {(e["Operation"], e["OperationStatus"], e["TypeName"], e["region"]) for e in events} == {
        ("CREATE", "SUCCESS", LOG_GROUP, "us-east-1")
    }
    assert json.loads(events[0]["ResourceModel"])["RetentionInDays"] == 7
    assert all(e["ErrorCode"] is None and e["RetryAfter"] is None for e in events)
    for event in events:
        assert sandbox.service.state.requests[event["RequestToken"]].status == "SUCCESS"
    assert stored(sandbox, LOG_GROUP)["returning-b"]["RetentionInDays"] == 14


# -- RETURNING ResourceModel: the resource as read back after SUCCESS ------------------------------------


class Answers:
    """Reshapes the sandbox's answers the way real Cloud Control may give them, and counts the calls:
    progress events without a ResourceModel (AWS leaves it out), and GetResource not finding a resource the
    first ``hidden`` times it is asked about (eventual consistency), or never (``hidden`` None)."""

    def __init__(self, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, hidden: dict[str, int | None]):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.hidden = dict(hidden)
        real = sandbox.service.dispatch

        def dispatch(operation: str, region: str, params: dict[str, Any], *account: str) -> dict[str, Any]:
            self.calls.append((operation, params))
            identifier = params.get("Identifier", "")
            if operation == "GetResource" and identifier in self.hidden:
                left = self.hidden[identifier]
                if left is None or left > 0:
                    self.hidden[identifier] = None if left is None else left - 1
                    raise ApiError("ResourceNotFoundException", f"Resource '{identifier}' was not found.")
            answer = real(operation, region, params, *account)
            if isinstance(answer.get("ProgressEvent"), dict):
                answer["ProgressEvent"].pop("ResourceModel", None)
            return answer

        monkeypatch.setattr(sandbox.service, "dispatch", dispatch)

    def count(self, operation: str, *identifiers: str) -> int:
        """Calls of ``operation`` (about one of ``identifiers``, when given: other tests' leftovers don't count)."""
        return sum(
            1 for name, params in self.calls if name == operation and (not identifiers or _named(params) in identifiers)
        )


def _named(params: dict[str, Any]) -> str | None:
    if "DesiredState" in params:
        return json.loads(params["DesiredState"]).get("LogGroupName")
    return params.get("Identifier")


def model_of(result: Result, row: int = 0) -> Any:
    value = result.rows[row][result.columns.index("ResourceModel")]
    return None if value is None else json.loads(value)


@pytest.mark.slow
def test_returning_resource_model_reads_the_resource_back_after_success(
    connect: SessionFactory, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers(sandbox, monkeypatch, hidden={})
    session = connect()
    created = one(
        session,
        "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays) VALUES ('read-back', 7) "
        "RETURNING Identifier, OperationStatus, ResourceModel",
    )
    model = model_of(created)
    assert created.rows[0][:2] == ("read-back", "SUCCESS")
    assert model == stored(sandbox, LOG_GROUP)["read-back"]  # as read: with the Arn Cloud Control made up
    assert model["RetentionInDays"] == 7 and model["Arn"].startswith("arn:aws:logs:us-east-1:")
    assert answers.count("GetResource", "read-back") == 1 and created.warnings == []

    updated = one(
        session,
        "UPDATE awscc.logs.log_groups SET retention_in_days = 14 WHERE Identifier = 'read-back' RETURNING *",
    )
    assert model_of(updated)["RetentionInDays"] == 14 and answers.count("GetResource", "read-back") == 2
    requests = [r for r in sandbox.service.state.requests.values() if r.identifier == "read-back"]
    assert [r.operation for r in requests] == ["CREATE", "UPDATE"]  # reading back changed nothing


@pytest.mark.slow
def test_without_resource_model_in_returning_nothing_is_read_back(
    connect: SessionFactory, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers(sandbox, monkeypatch, hidden={})
    session = connect()
    one(session, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('no-read-1') RETURNING OperationStatus")
    one(session, "/*+ NOWAIT */ INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('no-read-2') RETURNING *")
    deleted = one(session, "DELETE FROM awscc.logs.log_groups WHERE Identifier = 'no-read-1' RETURNING *")
    assert model_of(deleted) is None
    assert answers.count("GetResource", "no-read-1", "no-read-2") == 0


@pytest.mark.slow
def test_a_resource_just_created_is_read_again_until_it_is_visible(connect: SessionFactory) -> None:
    """The sandbox's consistency_delay_ms: a new resource stays invisible to reads for a while after SUCCESS."""
    with start_sandbox(SandboxConfig(request_delay_ms=20, consistency_delay_ms=300)) as eventual:
        session = connect(eventual.url)
        created = one(
            session, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('late-1') RETURNING ResourceModel"
        )
        assert model_of(created) == stored(eventual, LOG_GROUP)["late-1"] and created.warnings == []
        assert session.gateway.stats.retries >= 1  # ResourceNotFound at first, asked again
        assert requests_for(eventual, "late-1") == [("CREATE", "SUCCESS", None)]


@pytest.mark.slow
def test_a_resource_that_cannot_be_read_back_keeps_the_change_and_warns(
    connect: SessionFactory, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = Answers(sandbox, monkeypatch, hidden={"never-1": None, "never-2": None})
    session = connect()
    created = one(
        session,
        "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('never-1'), ('shown-1') "
        "RETURNING Identifier, OperationStatus, ResourceModel",
    )
    assert created.status == "INSERT 2"
    assert [row[:2] for row in created.rows] == [("never-1", "SUCCESS"), ("shown-1", "SUCCESS")]
    assert model_of(created, 0) is None and model_of(created, 1)["LogGroupName"] == "shown-1"
    (warning,) = created.warnings  # exit code 4: the rest is shown
    assert warning == (
        "CreateResource in us-east-1 took effect, but the resource could not be read back (AWS::Logs::LogGroup "
        "'never-1' in us-east-1: GetResource found no such resource after 5 tries over a few seconds); "
        "RETURNING shows the ResourceModel of its ProgressEvent"
    )
    assert {"never-1", "shown-1"} <= set(stored(sandbox, LOG_GROUP))
    # Created once each: a read that fails never sends the change again.
    assert answers.count("CreateResource", "never-1", "shown-1") == 2

    one(session, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('never-2')")
    updated = one(
        session, "UPDATE awscc.logs.log_groups SET retention_in_days = 1 WHERE Identifier = 'never-2' RETURNING *"
    )
    # 5 tries for never-1, 1 for shown-1; an update's read is not asked again.
    assert answers.count("GetResource", "never-1", "shown-1", "never-2") == 5 + 1 + 1
    assert "'never-2' in us-east-1: GetResource found no such resource)" in updated.warnings[0]


@pytest.mark.slow
def test_interrupting_the_read_back_says_the_change_was_made(connect: SessionFactory) -> None:
    with start_sandbox(SandboxConfig(request_delay_ms=20, consistency_delay_ms=60_000)) as eventual:
        session = connect(eventual.url)
        caught: list[BaseException] = []

        def run() -> None:
            try:
                session.run(
                    "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('unseen') RETURNING ResourceModel"
                )
            except BaseException as exc:  # the test inspects it
                caught.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        deadline = time.monotonic() + 10
        while not session.gateway.stats.retries and time.monotonic() < deadline:
            time.sleep(0.01)  # until the read back has been answered ResourceNotFound once
        session.cancel.set()  # what Ctrl-C does in the shell
        worker.join(timeout=10)
        (interrupted,) = caught
        assert isinstance(interrupted, Interrupted)
        assert interrupted.report() == [
            "interrupted: the call of the INSERT took effect; only reading the resources back for RETURNING "
            "ResourceModel was interrupted"
        ]
        assert requests_for(eventual, "unseen") == [("CREATE", "SUCCESS", None)]


@pytest.mark.slow
def test_awaiting_honours_retry_after(connect: SessionFactory) -> None:
    """The sandbox keeps each request IN_PROGRESS for a while and says so in RetryAfter: polling waits for it
    instead of hammering GetResourceRequestStatus."""
    with start_sandbox(SandboxConfig(request_delay_ms=400)) as slow:
        session = connect(slow.url)
        one(session, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('patient')")
        assert session.gateway.stats.api_calls <= 3  # one CreateResource, then one or two status polls


class ProgressRecorder:
    """What a progress line hears about a statement."""

    def __init__(self) -> None:
        self.planned = self.done = self.finished = 0

    def on_calls_planned(self, account: str | None, region: str, count: int) -> None:
        self.planned += count

    def on_call_done(self, account: str | None, region: str) -> None:
        self.done += 1

    def finish(self) -> None:
        self.finished += 1


def test_progress_counts_every_call_including_each_poll(connect: SessionFactory) -> None:
    session = connect()
    session.progress = recorder = ProgressRecorder()
    one(session, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('progress-a'), ('progress-b')")
    calls = session.gateway.stats.api_calls
    assert calls >= 4  # two creates, and at least one status poll each
    assert recorder.planned == recorder.done == calls
    assert recorder.finished >= 1  # the line is erased before the status line is printed


# -- failures ----------------------------------------------------------------------------------------------


def test_create_of_an_existing_resource_fails_with_its_error_code(connect: SessionFactory) -> None:
    session = connect()
    with pytest.raises(MutationError) as caught:
        session.run(f"INSERT INTO {EIC} (FunctionName, Qualifier) VALUES ('{FUNCTIONS[0]}', '$LATEST')")
    error = caught.value
    assert error.code == "AlreadyExists" and error.exit_code == 1
    assert "FAILED: AlreadyExists: Resource of type 'AWS::Lambda::EventInvokeConfig'" in error.message
    assert error.request_token and error.request_token in error.message


@pytest.mark.slow
def test_missing_resources(connect: SessionFactory) -> None:
    session = connect()
    with pytest.raises(MutationError, match="ResourceNotFoundException") as update:
        session.run(f"UPDATE {EIC} SET maximum_retry_attempts = 1 WHERE Identifier = 'no-such-fn|$LATEST'")
    assert "UpdateResource AWS::Lambda::EventInvokeConfig 'no-such-fn|$LATEST' in us-east-1" in update.value.message
    with pytest.raises(MutationError) as delete:
        session.run(f"DELETE FROM {EIC} WHERE Identifier = 'no-such-fn|$LATEST'")
    assert delete.value.code == "NotFound"
    assert "FAILED: NotFound: Resource of type 'AWS::Lambda::EventInvokeConfig' with identifier" in delete.value.message


def test_changing_a_nested_create_only_property_is_not_updatable(connect: SessionFactory) -> None:
    """Whether a nested create-only property changes depends on the resource as it is: Cloud Control decides."""
    session = connect()
    created = one(
        session,
        "INSERT INTO awscc.ses.templates (Template) "
        'VALUES (\'{"TemplateName": "welcome", "SubjectPart": "Hi"}\') RETURNING Identifier',
    )
    ((identifier,),) = created.rows
    renamed = '{"TemplateName": "farewell", "SubjectPart": "Bye"}'
    with pytest.raises(MutationError) as caught:
        session.run(f"UPDATE awscc.ses.templates SET template = '{renamed}' WHERE Identifier = '{identifier}'")
    assert caught.value.code == "NotUpdatableException"
    assert "/properties/Template/TemplateName" in caught.value.message
    assert "DELETE the resource, then INSERT it" in caught.value.message
    same_name = '{"TemplateName": "welcome", "SubjectPart": "Hello again"}'
    one(session, f"UPDATE awscc.ses.templates SET template = '{same_name}' WHERE Identifier = '{identifier}'")


PARAMETER = "AWS::SSM::Parameter"  # Description and Tier are write-only


def test_a_write_only_property_set_to_null_is_refused_before_any_call(
    connect: SessionFactory, sandbox: RunningSandbox
) -> None:
    before = snapshot(sandbox)
    session = connect()
    sql = "UPDATE awscc.ssm.parameters SET description = NULL WHERE region = 'us-east-1' AND Identifier = 'p'"
    with pytest.raises(ValidationError, match=r"^SET description = NULL removes /Description, which is write-only"):
        session.run(sql)
    removing = json.dumps([{"op": "remove", "path": "/Description"}])
    with pytest.raises(ValidationError, match="operation 1 removes /Description, which is write-only"):
        session.run(f"UPDATE awscc.ssm.parameters SET PatchDocument = '{removing}' WHERE Identifier = 'p'")
    assert session.gateway_if_started is None
    assert snapshot(sandbox) == before


def test_a_replace_of_a_write_only_property_is_sent_as_add(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    session = connect()
    one(
        session,
        "INSERT INTO awscc.ssm.parameters (Name, Type, Value, Description) "
        "VALUES ('wo-param', 'String', 'v1', 'first')",
    )
    document = json.dumps([{"op": "replace", "path": "/Description", "value": "second"}])
    updated = one(
        session,
        f"UPDATE awscc.ssm.parameters SET PatchDocument = '{document}' WHERE Identifier = 'wo-param' "
        "RETURNING OperationStatus",
    )
    assert updated.rows == [("SUCCESS",)]
    assert "PatchDocument operation 1: 'replace' of write-only /Description is sent as 'add'" in updated.notices[-1]
    assert stored(sandbox, PARAMETER)["wo-param"]["Description"] == "second"
    updates = [r for r in sandbox.service.state.requests.values() if r.identifier == "wo-param"]
    assert [(r.operation, r.status) for r in updates] == [("CREATE", "SUCCESS"), ("UPDATE", "SUCCESS")]


def test_server_side_validation_failures_are_reported(connect: SessionFactory) -> None:
    session = connect()
    duplicated = '[{"Key": "a", "Value": "b"}, {"Key": "a", "Value": "b"}]'  # uniqueItems: left to the service
    with pytest.raises(MutationError, match=r"InvalidRequestException: Model validation failed.*Tags"):
        session.run(f"INSERT INTO awscc.logs.log_groups (LogGroupName, Tags) VALUES ('dup-tags', '{duplicated}')")


def test_bounds_refuse_a_bulk_insert_whole_before_any_call(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    """MaximumEventAgeInSeconds is at least 60: a bulk INSERT with one row at 7 used to half apply."""
    session = connect()
    with pytest.raises(ValidationError, match=r"row 2: maximum_event_age_in_seconds .* must be at least 60, not 7"):
        session.run(
            f"INSERT INTO {EIC} (FunctionName, Qualifier, MaximumEventAgeInSeconds) "
            "VALUES ('orders-api', 'bounds-a', 120), ('orders-api', 'bounds-b', 7)"
        )
    assert not [key for key in stored(sandbox, "AWS::Lambda::EventInvokeConfig") if "bounds-" in key]


@pytest.mark.slow
def test_a_bulk_statement_with_failures_reports_them_and_keeps_the_rest(
    connect: SessionFactory, sandbox: RunningSandbox
) -> None:
    session = connect()
    with pytest.raises(MutationError, match=r"1 of 3 INSERT calls failed \(2 succeeded\); the first: .*AlreadyExists"):
        session.run(
            "INSERT INTO awscc.logs.log_groups (LogGroupName) "
            "VALUES ('bulk-ok-1'), ('/aws/lambda/orders-api'), ('bulk-ok-2')"
        )
    assert {"bulk-ok-1", "bulk-ok-2"} <= set(stored(sandbox, LOG_GROUP))


def test_a_partial_failure_carries_a_row_for_every_call(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    session = connect()
    with pytest.raises(MutationError, match=r"1 of 3 INSERT calls failed \(2 succeeded\)") as inserted:
        session.run(
            "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('part-1'), ('/aws/lambda/orders-api'), "
            "('part-2') RETURNING Identifier, OperationStatus, ErrorCode"
        )
    returned = inserted.value.result
    assert returned is not None and returned.columns == ["Identifier", "OperationStatus", "ErrorCode"]
    assert returned.rows == [
        ("part-1", "SUCCESS", None),
        ("/aws/lambda/orders-api", "FAILED", "AlreadyExists"),
        ("part-2", "SUCCESS", None),
    ]

    with pytest.raises(MutationError, match=r"1 of 2 DELETE calls failed \(1 succeeded\)") as deleted:
        session.run("DELETE FROM awscc.logs.log_groups WHERE Identifier IN ('part-1', 'nothere')")
    table = deleted.value.result
    assert table is not None
    assert table.columns == [
        "region",
        "Identifier",
        "Operation",
        "OperationStatus",
        "ErrorCode",
        "StatusMessage",
        "RequestToken",
    ]
    gone, missing = table.rows
    assert gone[:6] == ("us-east-1", "part-1", "DELETE", "SUCCESS", None, None)
    assert missing[:5] == ("us-east-1", "nothere", "DELETE", "FAILED", "NotFound")
    assert "'nothere' was not found" in missing[5]
    assert sandbox.service.state.requests[gone[6]].status == "SUCCESS"
    assert sandbox.service.state.requests[missing[6]].status == "FAILED"
    assert "part-1" not in stored(sandbox, LOG_GROUP)

    # A call Cloud Control refuses outright made no request: its row says why, and has no RequestToken.
    with pytest.raises(MutationError, match=r"1 of 2 UPDATE calls failed") as updated:
        session.run(
            "UPDATE awscc.logs.log_groups SET retention_in_days = 14 WHERE Identifier IN ('part-2', 'never-made')"
        )
    assert updated.value.result is not None
    changed, refused = updated.value.result.rows
    assert changed[1:5] == ("part-2", "UPDATE", "SUCCESS", None)
    # A log group that does not exist is InvalidRequestException "... log group does not exist" on AWS.
    assert refused[1:5] == ("never-made", "UPDATE", "FAILED", "InvalidRequestException")
    assert "UpdateResource AWS::Logs::LogGroup 'never-made'" in refused[5] and refused[6] is None
    assert stored(sandbox, LOG_GROUP)["part-2"]["RetentionInDays"] == 14

    with pytest.raises(MutationError) as single:
        session.run("DELETE FROM awscc.logs.log_groups WHERE Identifier = 'nothere' RETURNING *")
    assert single.value.result is None  # one call: the error is the whole story


@pytest.mark.parametrize(
    "sql",
    [
        f"INSERT INTO {EIC} (FunctionName) VALUES ('f')",
        f"INSERT INTO {EIC} (FunctionName, Qualifier, DestinationConfig) VALUES ('f', 'q', '{{not json')",
        "INSERT INTO awscc.logs.log_groups (LogGroupName, Arn) VALUES ('g', 'x')",
        f"UPDATE {EIC} SET function_name = 'g' WHERE Identifier = 'orders-api|$LATEST'",
        f'UPDATE {EIC} SET PatchDocument = string(\'[{{"op": "add", "path": "/Nope", "value": 1}}]\') '
        "WHERE Identifier = 'orders-api|$LATEST'",
        "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('valid'), ('{{ name | upper }}')",
        f"DELETE FROM {EIC} WHERE region = 'us-east-1' AND Identifier = 'orders-api'",
        f"DELETE FROM {EIC} WHERE region = 'us-east-1' AND Identifier = 'orders-api|$LATEST|x'",
        "DELETE FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = ''",
        "UPDATE awscc.logs.log_groups SET retention_in_days = 7 WHERE Identifier IN ('/aws/lambda/orders-api', '')",
    ],
)
def test_a_statement_failing_validation_makes_no_call(
    connect: SessionFactory, sandbox: RunningSandbox, sql: str
) -> None:
    before = snapshot(sandbox)
    session = connect()
    with pytest.raises(AwsqlError):
        session.run(sql)
    assert session.gateway_if_started is None  # not even a client was built
    assert snapshot(sandbox) == before


# -- idempotence -------------------------------------------------------------------------------------------


class DroppingProxy:
    """A TCP relay to the sandbox that forwards an ``operation`` request and then hangs up on the client instead
    of relaying the answer (once, or ``always``): the request took effect, but awsql never heard back."""

    def __init__(self, upstream_port: int, operation: bytes = b"CloudApiService.CreateResource", always: bool = False):
        self.upstream_port = upstream_port
        self.operation = operation
        self.always = always
        self.creates_seen = 0
        self.dropped = False
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            drop = threading.Event()
            threading.Thread(target=self._requests, args=(client, upstream, drop), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client, drop), daemon=True).start()

    def _requests(self, client: socket.socket, upstream: socket.socket, drop: threading.Event) -> None:
        with client, upstream:
            while data := _receive(client):
                if self.operation in data:
                    with self._lock:
                        self.creates_seen += 1
                        if not self.dropped or self.always:
                            self.dropped = True
                            drop.set()
                upstream.sendall(data)

    @staticmethod
    def _answers(upstream: socket.socket, client: socket.socket, drop: threading.Event) -> None:
        while data := _receive(upstream):
            if drop.is_set():
                client.shutdown(socket.SHUT_RDWR)
                client.close()
                upstream.close()
                return
            client.sendall(data)


def _receive(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def test_a_create_whose_answer_was_lost_is_retried_and_acts_once(
    connect: SessionFactory, sandbox: RunningSandbox
) -> None:
    proxy = DroppingProxy(sandbox.port)
    try:
        session = connect(proxy.url)
        result = one(session, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('dropped-once') RETURNING *")
    finally:
        proxy.close()
    assert proxy.dropped and proxy.creates_seen == 2  # the call was sent again...
    assert result.rows[0][result.columns.index("OperationStatus")] == "SUCCESS"
    requests = [r for r in sandbox.service.state.requests.values() if r.identifier == "dropped-once"]
    assert len(requests) == 1 and requests[0].status == "SUCCESS"  # ...with the same ClientToken: one request
    assert "dropped-once" in stored(sandbox, LOG_GROUP)
    assert session.gateway.stats.retries == 1


@pytest.mark.slow
def test_a_change_whose_every_answer_was_lost_says_it_may_have_taken_effect(
    connect: SessionFactory, sandbox: RunningSandbox
) -> None:
    one(connect(), "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('lost-answer')")
    proxy = DroppingProxy(sandbox.port, operation=b"CloudApiService.DeleteResource", always=True)
    try:
        with pytest.raises(MutationError) as raised:
            connect(proxy.url).run("DELETE FROM awscc.logs.log_groups WHERE Identifier = 'lost-answer'")
    finally:
        proxy.close()
    message = raised.value.message
    assert "may have reached AWS and taken effect" in message and "awscc.cloud_control.resource_requests" in message
    assert "lost-answer" not in stored(sandbox, LOG_GROUP)  # and it had: the user was right to be told


@pytest.mark.slow
def test_throttled_calls_are_retried_and_a_failing_region_is_reported(connect: SessionFactory) -> None:
    with start_sandbox(SandboxConfig(request_delay_ms=20, throttle_rate=0.3, fail_region="eu-west-1")) as flaky:
        session = connect(flaky.url)
        names = [f"throttled-{n}" for n in range(6)]
        values = ", ".join(f"('{name}')" for name in names)
        assert one(session, f"INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES {values}").status == "INSERT 6"
        assert session.gateway.stats.retries > 0
        creates = [r for r in flaky.service.state.requests.values() if r.identifier.startswith("throttled-")]
        assert sorted(r.identifier for r in creates) == names  # one request each, however often retried
        with pytest.raises(MutationError, match="ServiceUnavailable: Service Unavailable"):
            session.run("INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES ('nowhere', 'eu-west-1')")
        assert "nowhere" not in stored(flaky, LOG_GROUP, "eu-west-1")


# Handlers throttled by the service behind them: the sandbox's mutation_throttle_rate ends a request FAILED with
# ErrorCode Throttling and changes nothing. Its draws are seeded: with seed 1 and rate 0.5 the first and third
# mutations are throttled, the second and fourth are not.
THROTTLED_FIRST_AND_THIRD = SandboxConfig(request_delay_ms=20, mutation_throttle_rate=0.5, seed=1)
ALWAYS_THROTTLED = SandboxConfig(request_delay_ms=20, mutation_throttle_rate=1.0)
QUICK_RESENDS = RetryPolicy(throttled_request=Backoff(attempts=4, base=0.01, cap=0.01))


def with_quick_resends(session: Session) -> Session:
    """The session's gateway pausing 10 ms, not a second or more, before it sends a throttled call again."""
    session._gateway = Gateway(session.settings, retry_policy=QUICK_RESENDS)
    return session


@pytest.mark.slow
def test_a_throttled_create_and_update_are_sent_again_under_new_client_tokens(connect: SessionFactory) -> None:
    with start_sandbox(THROTTLED_FIRST_AND_THIRD) as throttling:
        session = connect(throttling.url)
        created = one(
            session,
            "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays) VALUES ('resent-1', 7) "
            "RETURNING Identifier, OperationStatus",
        )
        assert created.rows == [("resent-1", "SUCCESS")] and created.status == "INSERT 1"
        assert session.gateway.stats.retries == 1
        updated = one(
            session,
            "UPDATE awscc.logs.log_groups SET retention_in_days = 30 WHERE Identifier = 'resent-1' RETURNING *",
        )
        assert json.loads(updated.rows[0][updated.columns.index("ResourceModel")])["RetentionInDays"] == 30
        assert session.gateway.stats.retries == 1
        assert requests_for(throttling, "resent-1") == [
            ("CREATE", "FAILED", "Throttling"),
            ("CREATE", "SUCCESS", None),
            ("UPDATE", "FAILED", "Throttling"),
            ("UPDATE", "SUCCESS", None),
        ]
        tokens = client_tokens(throttling, "resent-1")
        assert len(set(tokens)) == 4  # a spent token would only have replayed the failure
        assert stored(throttling, LOG_GROUP)["resent-1"]["RetentionInDays"] == 30


@pytest.mark.slow
def test_a_throttled_create_is_not_sent_again_when_it_might_act_twice(connect: SessionFactory) -> None:
    with start_sandbox(ALWAYS_THROTTLED) as throttling:
        session = connect(throttling.url)
        with pytest.raises(MutationError) as exists:  # created in the sample account long ago
            session.run("INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('/aws/lambda/orders-api')")
        assert exists.value.code == "Throttling"
        assert "FAILED: Throttling: Rate exceeded" in exists.value.message
        assert "; not sent again: '/aws/lambda/orders-api' exists now (the throttled request may have created it" in (
            exists.value.message
        )
        assert len(requests_for(throttling, "/aws/lambda/orders-api")) == 1
        (token,) = exists.value.request_tokens
        assert exists.value.message.endswith(f"[RequestToken {token}]")

        before = len(throttling.service.state.requests)
        with pytest.raises(MutationError) as unnamed:  # no LogGroupName: Cloud Control makes one up
            session.run("INSERT INTO awscc.logs.log_groups (RetentionInDays) VALUES (5)")
        assert "not sent again: it cannot be retried safely: its DesiredState does not name the primary identifier" in (
            unnamed.value.message
        )
        assert len(throttling.service.state.requests) == before + 1  # sent once


@pytest.mark.slow
def test_resending_is_bounded_and_the_error_names_every_request(connect: SessionFactory) -> None:
    with start_sandbox(ALWAYS_THROTTLED) as throttling:
        session = with_quick_resends(connect(throttling.url))
        with pytest.raises(MutationError) as caught:
            session.run("INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('never-made')")
        error = caught.value
        assert "FAILED: Throttling: Rate exceeded" in error.message
        assert "; sent 4 times, throttled each time [RequestTokens " in error.message
        assert requests_for(throttling, "never-made") == [("CREATE", "FAILED", "Throttling")] * 4
        assert error.message.endswith(f"[RequestTokens {', '.join(error.request_tokens)}]")
        assert len(set(error.request_tokens)) == 4
        assert "never-made" not in stored(throttling, LOG_GROUP)
        assert session.gateway.stats.retries == 3

        with pytest.raises(MutationError) as gone:  # a delete is sent again only while the resource exists
            session.run("DELETE FROM awscc.logs.log_groups WHERE Identifier = 'never-was'")
        assert "not sent again: 'never-was' no longer exists" in gone.value.message
        assert len(requests_for(throttling, "never-was")) == 1


# -- safety ------------------------------------------------------------------------------------------------


def test_read_only_refuses_every_mutation_before_any_call(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    before = snapshot(sandbox)
    session = connect(read_only=True)
    for sql in (
        "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('ro')",
        f"UPDATE {EIC} SET maximum_retry_attempts = 1 WHERE Identifier = 'orders-api|$LATEST'",
        f"DELETE FROM {EIC} WHERE function_name = 'orders-api'",
    ):
        with pytest.raises(ValidationError, match="--read-only, so nothing was changed"):
            session.run(sql)
    assert session.gateway_if_started is None
    assert snapshot(sandbox) == before


def test_without_identifier_batch_refuses_and_says_how_many(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    before = snapshot(sandbox)
    session = connect()
    with pytest.raises(ValidationError) as caught:
        session.run(f"DELETE FROM {EIC} WHERE region = 'us-east-1' AND function_name IN ('orders-api', 'payments-api')")
    message = caught.value.message
    assert "would delete 2 awscc.lambda.event_invoke_configs resources" in message
    assert "orders-api|$LATEST, payments-api|$LATEST" in message
    assert "nothing was changed: pass --yes" in message
    with pytest.raises(ValidationError, match=r"would update 1 awscc\.lambda\.event_invoke_configs resource "):
        session.run(f"UPDATE {EIC} SET maximum_retry_attempts = 0 WHERE function_name = 'orders-api'")
    assert snapshot(sandbox) == before


def test_declined_confirmation_changes_nothing(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    before = snapshot(sandbox)
    asked: list[str] = []
    session = connect()
    session.confirm = lambda message: asked.append(message) or False
    result = one(session, f"DELETE FROM {EIC} WHERE function_name = 'payments-api' AND region = 'us-east-1'")
    assert result.status == "DELETE 0" and "not confirmed: nothing was changed" in result.notices
    (question,) = asked
    # The account, the region and the identifiers.
    assert f"the account behind {sandbox.url}" in question
    assert "us-east-1: payments-api|$LATEST" in question and question.endswith("?")
    assert snapshot(sandbox) == before


@pytest.mark.slow
def test_confirmed_or_yes_goes_ahead_with_exactly_the_matching_resources(
    connect: SessionFactory, sandbox: RunningSandbox
) -> None:
    session = connect()
    one(session, "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('sweep-1'), ('sweep-2'), ('keep-1')")
    asked: list[str] = []
    session.confirm = lambda message: asked.append(message) or True
    result = one(session, "DELETE FROM awscc.logs.log_groups WHERE log_group_name LIKE 'sweep-%'")
    assert result.status == "DELETE 2" and len(asked) == 1 and "sweep-1, sweep-2" in asked[0]
    remaining = set(stored(sandbox, LOG_GROUP))
    assert "keep-1" in remaining and not {"sweep-1", "sweep-2"} & remaining

    yes = connect(assume_yes=True)
    assert one(yes, "DELETE FROM awscc.logs.log_groups WHERE log_group_name = 'keep-1'").status == "DELETE 1"
    assert "keep-1" not in stored(sandbox, LOG_GROUP)


def test_identifier_with_extra_predicates_only_narrows(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    session = connect()
    one(session, "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays) VALUES ('narrow-a', 7)")
    result = one(session, "DELETE FROM awscc.logs.log_groups WHERE Identifier = 'narrow-a' AND retention_in_days = 30")
    assert result.status == "DELETE 0"  # no confirmation asked: the target was named, and it did not match
    assert "narrow-a" in stored(sandbox, LOG_GROUP)


# -- bulk, NOWAIT, Ctrl-C ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_bulk_insert_select_creates_one_resource_per_row(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    session = connect(max_concurrency=4)
    result = one(
        session,
        f"INSERT INTO {EIC} (FunctionName, Qualifier, MaximumRetryAttempts, region) "
        "SELECT function_name, 'live', 1, region FROM awscc.lambda.functions WHERE region = 'us-west-2' "
        "RETURNING Identifier, OperationStatus",
    )
    count = FUNCTION_COUNTS["us-west-2"]
    assert result.status == f"INSERT {count}"
    assert len(result.rows) == count and {row[1] for row in result.rows} == {"SUCCESS"}
    made = {i for i in stored(sandbox, EIC_TYPE, "us-west-2") if i.endswith("|live")}
    assert made == {f"{name}|live" for name in LAMBDA_FUNCTION_NAMES["us-west-2"][:count]}
    names = ", ".join(f"'{name}|live'" for name in LAMBDA_FUNCTION_NAMES["us-west-2"][:count])
    listed = one(session, f"SELECT count(*) FROM {EIC} WHERE region = 'us-west-2' AND Identifier IN ({names})")
    assert listed.rows == [(count,)]


@pytest.mark.slow
def test_nowait_returns_the_request_token_at_once(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    session = connect()
    result = one(session, "/*+ NOWAIT */ INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('later')")
    assert result.columns == ["RequestToken", "Operation", "OperationStatus", "TypeName", "Identifier", "region"]
    ((token, operation, status, type_name, identifier, region),) = result.rows
    assert (operation, status, type_name) == ("CREATE", "IN_PROGRESS", LOG_GROUP)
    assert (identifier, region) == ("later", "us-east-1")
    assert result.status == "INSERT 1 (not awaited)"
    assert sandbox.service.state.requests[token].operation == "CREATE"
    assert session.gateway.stats.api_calls == 1

    no_wait = connect(no_wait=True)
    deleted = one(no_wait, "DELETE FROM awscc.logs.log_groups WHERE Identifier = 'never-there' RETURNING RequestToken")
    assert deleted.columns == ["RequestToken"] and deleted.status == "DELETE 1 (not awaited)"
    awaited = one(no_wait, "/*+ AWAIT */ INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('awaited')")
    assert awaited.status == "INSERT 1"


def test_interrupting_the_wait_leaves_the_request_going_and_names_it(
    connect: SessionFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    with start_sandbox(SandboxConfig(request_delay_ms=60_000)) as slow:
        session = connect(slow.url, max_concurrency=1)
        outcome: dict[str, BaseException] = {}

        def run() -> None:
            try:
                session.run("INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('slow-1'), ('slow-2')")
            except BaseException as exc:  # the test inspects it
                outcome["error"] = exc

        worker = threading.Thread(target=run)
        worker.start()
        while not slow.service.state.requests:
            time.sleep(0.01)
        session.cancel.set()  # what Ctrl-C does in the shell
        worker.join(timeout=10)
        assert not worker.is_alive()
        interrupted = outcome.get("error")
        assert isinstance(interrupted, Interrupted)
        (request,) = slow.service.state.requests.values()  # the second create was never sent
        assert request.status == "IN_PROGRESS"
    report = "\n".join(interrupted.report())  # the faces show it: the library itself never prints
    assert f"goes on in AWS (us-east-1); RequestToken {request.token}" in report
    assert "1 call was not sent" in report
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_a_select_after_a_request_not_awaited_sees_it_once_finished(
    connect: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SELECT in between must not keep the old state in the cache (cache_ttl: 300 s)."""
    with start_sandbox(SandboxConfig(request_delay_ms=3_600_000)) as slow:
        session = connect(slow.url)
        one(session, "/*+ NOWAIT */ INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('stale')")
        monkeypatch.setattr(slow.service, "clock", lambda: time.time() + 7_200)  # the create is done
        by_identifier = (
            "SELECT retention_in_days FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'stale'"
        )
        listed = (
            "SELECT count(*) FROM awscc.logs.log_groups "
            "WHERE region = 'us-east-1' AND log_group_name LIKE 'stal%' AND retention_in_days = 3"
        )
        assert one(session, by_identifier).rows == [(None,)]
        assert one(session, listed).rows == [(0,)]
        sent = one(
            session,
            "/*+ NOWAIT */ UPDATE awscc.logs.log_groups SET retention_in_days = 3 "
            "WHERE region = 'us-east-1' AND Identifier = 'stale'",
        )
        assert sent.rows[0][2] == "IN_PROGRESS"
        assert one(session, by_identifier).rows == [(None,)]  # still in progress
        assert one(session, listed).rows == [(0,)]
        monkeypatch.setattr(slow.service, "clock", lambda: time.time() + 14_400)  # the update is done
        assert one(session, by_identifier).rows == [(3,)]
        assert one(session, listed).rows == [(1,)]
        # Once the request is known to be finished, the cache serves again.
        session.gateway.reset_stats()
        assert one(session, by_identifier).rows == [(3,)]
        assert session.gateway.stats.api_calls == 0


# -- variables ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_documented_statements_run_with_variables(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    variables = {
        "function_name": FUNCTIONS[3],
        "qualifier": "$LATEST",
        "region": "us-east-1",
        "destination_config": json.dumps({"OnFailure": {"Destination": DLQ}}),
        "maximum_event_age_in_seconds": "300",
        "maximum_retry_attempts": "1",
    }
    session = connect(variables=variables)
    identifier = f"{variables['function_name']}|$LATEST"
    one(
        session,
        """/*+ create */
        INSERT INTO awscc.lambda.event_invoke_configs (DestinationConfig, FunctionName, MaximumEventAgeInSeconds,
         MaximumRetryAttempts, Qualifier, region)
        SELECT '{{ destination_config }}', '{{ function_name }}', '{{ maximum_event_age_in_seconds }}',
         '{{ maximum_retry_attempts }}', '{{ qualifier }}', '{{ region }}'""",
    )
    assert config_row(session, identifier) == (1, 300, json.dumps({"OnFailure": {"Destination": DLQ}}).replace(" ", ""))
    session.settings.variables.update(maximum_retry_attempts="2", maximum_event_age_in_seconds="900")
    one(
        session,
        """/*+ update */
        UPDATE awscc.lambda.event_invoke_configs
        SET PatchDocument = string('{{ {
            "DestinationConfig": destination_config,
            "MaximumEventAgeInSeconds": maximum_event_age_in_seconds,
            "MaximumRetryAttempts": maximum_retry_attempts
        } | generate_patch_document }}')
        WHERE region = '{{ region }}'
        AND Identifier = '{{ function_name }}|{{ qualifier }}'""",
    )
    assert config_row(session, identifier)[:2] == (2, 900)  # type: ignore[index]
    one(
        session,
        """/*+ delete */
        DELETE FROM awscc.lambda.event_invoke_configs
        WHERE Identifier = '{{ function_name }}|{{ qualifier }}'
        AND region = 'us-east-1'""",
    )
    assert identifier not in stored(sandbox, EIC_TYPE)
    with pytest.raises(ValidationError, match="undefined variables: other, qualifer"):
        session.run("DELETE FROM awscc.logs.log_groups WHERE Identifier = '{{ qualifer }}{{ other }}'")


def test_mutations_are_refused_on_read_only_views(connect: SessionFactory) -> None:
    with pytest.raises(UnsupportedError):
        connect().run("DELETE FROM awscc.cloud_control.resources WHERE Identifier = 'x'")


# -- the request views -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_request_can_be_followed_through_the_request_views(connect: SessionFactory) -> None:
    # A request that stays IN_PROGRESS long enough to be seen so on a loaded machine (20 ms was not).
    with start_sandbox(SandboxConfig(request_delay_ms=1500)) as running:
        session = connect(running.url)
        submitted = one(session, "/*+ NOWAIT */ INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('followed')")
        token = submitted.rows[0][0]
        query = (
            "SELECT operation, operation_status, type_name, identifier, json_extract(resource_model, '$.LogGroupName') "
            f"FROM awscc.cloud_control.resource_request WHERE region = 'us-east-1' AND RequestToken = '{token}'"
        )
        statuses = []
        for _ in range(500):  # each SELECT asks again: a request's status is never cached
            (row,) = one(session, query).rows
            statuses.append(row[1])
            if row[1] == "SUCCESS":
                break
            time.sleep(0.01)
        assert statuses[0] == "IN_PROGRESS" and statuses[-1] == "SUCCESS"
        assert row == ("CREATE", "SUCCESS", LOG_GROUP, "followed", "followed")
        unknown = (
            "SELECT * FROM awscc.cloud_control.resource_request WHERE region = 'us-east-1' AND RequestToken = 'nope'"
        )
        assert one(session, unknown).rows == []
        with pytest.raises(ValidationError, match="needs RequestToken"):
            session.run("SELECT * FROM awscc.cloud_control.resource_request WHERE region = 'us-east-1'")


def test_failed_requests_are_listed_with_their_error(connect: SessionFactory) -> None:
    session = connect()
    with pytest.raises(MutationError):
        session.run("DELETE FROM awscc.logs.log_groups WHERE Identifier = 'listed-missing'")
    query = (
        "SELECT operation, error_code, status_message FROM awscc.cloud_control.resource_requests "
        "WHERE region = 'us-east-1' AND OperationStatus = 'FAILED' AND identifier = 'listed-missing'"
    )
    ((operation, code, message),) = one(session, query).rows
    assert (operation, code) == ("DELETE", "NotFound") and "was not found" in message
    (explained,) = [row for row in one(session, f"EXPLAIN {query}").rows if row[1] == "ListResourceRequests"]
    assert 'ResourceRequestStatusFilter={"OperationStatuses": ["FAILED"]}' in explained[5]
    everything = one(session, "SELECT count(*) FROM awscc.cloud_control.resource_requests WHERE region = 'us-east-1'")
    assert everything.rows[0][0] > 1


SNS = "AWS::SNS::Subscription"


def test_a_region_property_never_takes_the_place_of_region(connect: SessionFactory, sandbox: RunningSandbox) -> None:
    """SNS subscriptions have a Region property (the topic's region); awsql names it region_property, so the
    region column still says where the subscription is created, and a query may name both."""
    session = connect()
    (created,) = session.run(
        "INSERT INTO awscc.sns.subscriptions (Protocol, TopicArn, Region, Endpoint, region) VALUES ('sqs', "
        "'arn:aws:sns:us-east-1:123456789012:t', 'us-east-1', 'arn:aws:sqs:eu-west-1:123456789012:q', 'eu-west-1') "
        "RETURNING region, Identifier"
    )
    ((region, identifier),) = created.rows
    assert region == "eu-west-1" and ":eu-west-1:" in identifier
    holding = [part for part, types in sandbox.service.state.resources.items() if identifier in types.get(SNS, {})]
    assert holding == ["eu-west-1"]
    (listed,) = session.run(
        "SELECT region, protocol, region FROM awscc.sns.subscriptions WHERE region = 'eu-west-1' "
        f"AND Identifier = '{identifier}'"
    )
    assert listed.rows == [("eu-west-1", "sqs", "eu-west-1")]


def test_an_identifier_property_is_a_filter_not_the_cloud_control_identifier(connect: SessionFactory) -> None:
    (plan,) = connect().run(
        "EXPLAIN SELECT * FROM awscc.rbin.rules WHERE region = 'us-east-1' AND resource_type = 'EBS_SNAPSHOT' "
        "AND identifier_property = 'r-1'"
    )
    operations = [row[1] for row in plan.rows]
    assert operations[0] == "ListResources" and "identifier_property = 'r-1'" in plan.rows[-1][5]
