"""Mutations through the ``awsql`` command against a sandbox this test process serves (so its state can be
inspected): exit codes, what goes to stdout and stderr, --yes, --read-only, --no-wait, variables, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from awsenv import isolated_environment

from awsql_shell.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.sandbox.errors import ApiError
from awsql_shell.sandbox.generate import partition_key

# Each test starts awsql as a process (or a terminal): the fast lane (-m "not slow") leaves them out.
pytestmark = pytest.mark.slow

AWSQL = [sys.executable, "-m", "awsql_shell"]
EIC = "awscc.lambda.event_invoke_configs"
LOG_GROUP = "AWS::Logs::LogGroup"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(request_delay_ms=20)) as running:
        yield running


@pytest.fixture
def awsql(sandbox: RunningSandbox, tmp_path: Path):
    def run(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [*AWSQL, "--endpoint-url", url or sandbox.url, "--region", "us-east-1", *args]
        return subprocess.run(
            command, input="", capture_output=True, text=True, env=isolated_environment(tmp_path), timeout=60
        )

    return run


def log_groups(sandbox: RunningSandbox, region: str = "us-east-1") -> dict[str, Any]:
    sandbox.service.settle()
    return dict(sandbox.service.state.peek(partition_key(LOG_GROUP, region), LOG_GROUP))


def snapshot(sandbox: RunningSandbox) -> str:
    sandbox.service.settle()
    with sandbox.service.lock:
        return json.dumps(sandbox.service.state.to_json(), sort_keys=True)


def test_insert_prints_a_status_line_on_stderr_and_nothing_on_stdout(awsql, sandbox: RunningSandbox) -> None:
    run = awsql("-e", "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays) VALUES ('cli-a', '30')")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert run.stderr == "NOTICE: no region column; using the default region us-east-1 (--region)\nINSERT 1\n"
    assert log_groups(sandbox)["cli-a"]["RetentionInDays"] == 30


def test_the_next_select_in_the_same_run_sees_the_change(awsql) -> None:
    run = awsql(
        "-e",
        "SELECT count(*) AS n FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name = 'cli-b';"
        "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('cli-b');"
        "SELECT count(*) AS n FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name = 'cli-b';"
        "DELETE FROM awscc.logs.log_groups WHERE Identifier = 'cli-b' RETURNING Operation, OperationStatus;"
        "SELECT count(*) AS n FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND log_group_name = 'cli-b'",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "n\n0\nn\n1\nOperation,OperationStatus\nDELETE,SUCCESS\nn\n0\n"
    assert "INSERT 1\n" in run.stderr and "DELETE 1\n" in run.stderr


def test_validation_errors_exit_1_and_change_nothing(awsql, sandbox: RunningSandbox) -> None:
    before = snapshot(sandbox)
    run = awsql("-e", f"INSERT INTO {EIC} (FunctionNam, Qualifier) VALUES ('f', 'q')")
    assert run.returncode == 1
    assert run.stderr.startswith("ERROR: unknown column 'FunctionNam' in awscc.lambda.event_invoke_configs")
    assert "did you mean 'function_name'?" in run.stderr and "Traceback" not in run.stderr
    run = awsql("-e", f"UPDATE {EIC} SET qualifier = 'v2' WHERE Identifier = 'orders-api|$LATEST'")
    assert run.returncode == 1 and "needs replacement" in run.stderr
    assert snapshot(sandbox) == before


def test_an_identifier_that_names_nothing_exits_1_before_any_call(awsql, sandbox: RunningSandbox) -> None:
    before = snapshot(sandbox)
    for where, says in (
        ("Identifier = 'orders-api'", "needs 2 parts joined by '|': FunctionName|Qualifier"),
        ("Identifier = 'orders-api|$LATEST|x'", "needs 2 parts joined by '|': FunctionName|Qualifier"),
        ("Identifier = ''", "an empty Identifier names no awscc.lambda.event_invoke_configs"),
    ):
        run = awsql("-e", f"DELETE FROM {EIC} WHERE region = 'us-east-1' AND {where}")
        assert run.returncode == 1, where
        (line,) = run.stderr.splitlines()
        assert line.startswith("ERROR: ") and says in line, line
    assert snapshot(sandbox) == before


def test_removing_a_write_only_property_exits_1_on_one_line_with_its_position(awsql, sandbox: RunningSandbox) -> None:
    before = snapshot(sandbox)
    sql = "UPDATE awscc.ssm.parameters SET value = 'v', tier = NULL WHERE Identifier = 'p'"
    run = awsql("-e", sql)
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line == (
        "ERROR: SET tier = NULL removes /Tier, which is write-only: Cloud Control accepts only 'add' for it, "
        f"since a read never returns its value; set a value instead (line 1, column {sql.index('tier') + 1})"
    )
    assert snapshot(sandbox) == before


def test_a_failed_request_exits_1_with_its_error_code_and_message(awsql) -> None:
    run = awsql("-e", f"INSERT INTO {EIC} (FunctionName, Qualifier) VALUES ('orders-api', '$LATEST')")
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith("ERROR: CreateResource AWS::Lambda::EventInvokeConfig 'orders-api|$LATEST' in us-east-1")
    assert "FAILED: AlreadyExists: Resource of type 'AWS::Lambda::EventInvokeConfig'" in line
    assert "RequestToken" in line


def test_a_partial_failure_prints_every_call_then_the_error(awsql, sandbox: RunningSandbox) -> None:
    assert awsql("-e", "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('cli-pf')").returncode == 0
    run = awsql(
        "-e",
        "DELETE FROM awscc.logs.log_groups WHERE Identifier IN ('cli-pf', 'cli-nothere') "
        "RETURNING Identifier, OperationStatus, ErrorCode",
    )
    assert run.returncode == 4  # one change took effect, one did not: a partial result
    assert run.stdout == "Identifier,OperationStatus,ErrorCode\ncli-pf,SUCCESS,\ncli-nothere,FAILED,NotFound\n"
    (line,) = run.stderr.splitlines()[-1:]
    assert line.startswith("ERROR: 1 of 2 DELETE calls failed (1 succeeded); the first: DeleteResource")
    assert "ERROR" not in "".join(run.stderr.splitlines()[:-1])
    assert "cli-pf" not in log_groups(sandbox)


def test_without_identifier_batch_needs_yes(awsql, sandbox: RunningSandbox) -> None:
    assert awsql("-e", "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('tmp-1'), ('tmp-2')").returncode == 0
    before = snapshot(sandbox)
    delete = "DELETE FROM awscc.logs.log_groups WHERE log_group_name LIKE 'tmp-%' AND region = 'us-east-1'"
    refused = awsql("-e", delete)
    assert refused.returncode == 1
    assert "would delete 2 awscc.logs.log_groups resources" in refused.stderr
    assert "(us-east-1: tmp-1, tmp-2)" in refused.stderr and "pass --yes" in refused.stderr
    assert snapshot(sandbox) == before
    confirmed = awsql("--yes", "-e", delete)
    assert confirmed.returncode == 0, confirmed.stderr
    assert confirmed.stderr == "NOTICE: confirmed: delete the 2 resources the WHERE matched\nDELETE 2\n"
    assert not {"tmp-1", "tmp-2"} & set(log_groups(sandbox))


def test_read_only_refuses_with_exit_1(awsql, sandbox: RunningSandbox) -> None:
    before = snapshot(sandbox)
    run = awsql("--read-only", "--yes", "-e", "DELETE FROM awscc.logs.log_groups WHERE Identifier = 'cli-a'")
    assert run.returncode == 1
    assert run.stderr == "ERROR: DELETE refused: awsql runs with --read-only, so nothing was changed\n"
    assert snapshot(sandbox) == before


def test_no_wait_prints_the_request_token(awsql, sandbox: RunningSandbox) -> None:
    run = awsql("--no-wait", "-o", "json", "-e", "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('cli-nw')")
    assert run.returncode == 0, run.stderr
    (row,) = json.loads(run.stdout)
    assert row["OperationStatus"] == "IN_PROGRESS" and row["Identifier"] == "cli-nw"
    assert sandbox.service.state.requests[row["RequestToken"]].identifier == "cli-nw"
    assert run.stderr.endswith("\nINSERT 1 (not awaited)\n")


def test_returning_resource_model_prints_the_resource_as_read_back(
    awsql, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('cli-rb') RETURNING Identifier, ResourceModel"
    run = awsql("-o", "json", "-e", sql)
    assert run.returncode == 0, run.stderr
    (row,) = json.loads(run.stdout)
    assert row["Identifier"] == "cli-rb" and row["ResourceModel"] == log_groups(sandbox)["cli-rb"]

    # A read that fails after the change took effect: the rows are printed, a warning says why, exit code 4.
    real = sandbox.service.dispatch

    def dispatch(operation: str, region: str, params: dict[str, Any], *account: str) -> dict[str, Any]:
        if operation == "GetResource" and params.get("Identifier") == "cli-rb":
            raise ApiError("ResourceNotFoundException", "Resource 'cli-rb' was not found.")
        return real(operation, region, params, *account)

    monkeypatch.setattr(sandbox.service, "dispatch", dispatch)
    update = "UPDATE awscc.logs.log_groups SET retention_in_days = 3 WHERE Identifier = 'cli-rb' RETURNING *"
    run = awsql("-o", "json", "-e", update)
    assert run.returncode == 4
    (row,) = json.loads(run.stdout)
    assert row["OperationStatus"] == "SUCCESS" and row["ResourceModel"]["RetentionInDays"] == 3  # the event's
    assert (
        "WARNING: UpdateResource in us-east-1 took effect, but the resource could not be read back "
        "(AWS::Logs::LogGroup 'cli-rb' in us-east-1: GetResource found no such resource); RETURNING shows the "
        "ResourceModel of its ProgressEvent\n"
    ) in run.stderr
    assert log_groups(sandbox)["cli-rb"]["RetentionInDays"] == 3


def test_variables_from_options_and_files(awsql, sandbox: RunningSandbox, tmp_path: Path) -> None:
    seed = tmp_path / "create.sql"
    seed.write_text(
        "/*+ create */\nINSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, Tags, region)\n"
        "SELECT '{{ name }}', '{{ retention }}', '{{ tags }}', '{{ region }}';\n"
    )
    variables = tmp_path / "vars.yaml"
    variables.write_text("retention: 14\ntags:\n  - Key: team\n    Value: data\nregion: us-east-1\n")
    run = awsql("--vars-file", str(variables), "--var", "name=cli-vars", "-f", str(seed))
    assert run.returncode == 0, run.stderr
    model = log_groups(sandbox)["cli-vars"]
    assert model["RetentionInDays"] == 14 and model["Tags"] == [{"Key": "team", "Value": "data"}]
    missing = awsql("--var", "retention=1", "-f", str(seed))
    assert missing.returncode == 1
    assert "undefined variables: name, region, tags" in missing.stderr


def test_explain_is_offline(tmp_path: Path) -> None:
    """No endpoint, no credentials: EXPLAIN still validates and shows the calls."""
    env = isolated_environment(tmp_path)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    run = subprocess.run(
        [
            *AWSQL,
            "--region",
            "eu-west-1",
            "-o",
            "csv",
            "-e",
            "EXPLAIN INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays) VALUES ('x', 7) RETURNING *",
        ],
        input="",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "step,operation,account_id,region,type_name,detail"
    desired = '"DesiredState={""LogGroupName"":""x"",""RetentionInDays"":7}"'
    assert lines[1] == f"1,CreateResource,,eu-west-1,AWS::Logs::LogGroup,{desired}"
    assert lines[2].startswith("2,GetResourceRequestStatus,,eu-west-1,")


def test_ctrl_c_while_awaiting_exits_130_and_names_the_request(tmp_path: Path) -> None:
    with start_sandbox(SandboxConfig(request_delay_ms=60_000)) as slow:
        process = subprocess.Popen(
            [
                *AWSQL,
                "--endpoint-url",
                slow.url,
                "--region",
                "us-east-1",
                "-e",
                "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('cli-slow')",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=isolated_environment(tmp_path),
        )
        try:
            deadline = time.monotonic() + 30
            while not slow.service.state.requests and time.monotonic() < deadline:
                time.sleep(0.02)
            (request,) = slow.service.state.requests.values()
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 130
        assert f"RequestToken {request.token}" in err and "goes on in AWS" in err
        assert "Traceback" not in err
        assert request.status == "IN_PROGRESS"


def test_the_refusal_names_the_sandbox_account(tmp_path: Path) -> None:
    delete = "DELETE FROM awscc.logs.log_groups WHERE log_group_name LIKE '/aws/lambda/orders-%'"
    run = subprocess.run(
        [*AWSQL, "--sandbox", "-e", delete],
        input="",
        capture_output=True,
        text=True,
        env=isolated_environment(tmp_path),
        timeout=60,
    )
    assert run.returncode == 1
    assert "would delete 2 awscc.logs.log_groups resources in the sandbox account 123456789012" in run.stderr
    assert "(us-east-1: /aws/lambda/orders-api, /aws/lambda/orders-worker)" in run.stderr
