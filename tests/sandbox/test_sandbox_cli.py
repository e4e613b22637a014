"""``python -m awsql_shell.sandbox`` as a process, and the AWS CLI talking to the sandbox."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from awsenv import isolated_environment
from botocore.config import Config
from botocore.exceptions import ClientError

# Each test starts awsql as a process (or a terminal): the fast lane (-m "not slow") leaves them out.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
AWS_CLI = Path(sys.executable).parent / "aws"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


@pytest.fixture
def served(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "awsql_shell.sandbox", "--port", "0", "--request-delay-ms", "10", "--seed", "3"],
        cwd=REPO,
        env=isolated_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_module_prints_where_it_listens_serves_and_stops_on_sigint(served: subprocess.Popen[str], connect: Any) -> None:
    assert served.stdout is not None
    first = served.stdout.readline().strip()
    assert first.startswith("listening on http://127.0.0.1:")
    url = first.removeprefix("listening on ")
    assert len(connect(url).list_resources(TypeName="AWS::Lambda::Function")["ResourceDescriptions"]) > 0
    served.send_signal(signal.SIGINT)
    assert served.wait(timeout=15) == 0


def test_module_stops_on_sigterm(served: subprocess.Popen[str]) -> None:
    assert served.stdout is not None
    assert served.stdout.readline().startswith("listening on ")
    served.terminate()
    assert served.wait(timeout=15) == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fail-region", "mars-1"], "'mars-1' is not an AWS region"),
        (["--host", "0.0.0.0"], "not a loopback address"),
        (["--disabled-region", "us-east-1", "--disabled-region", "mars-1"], "'mars-1' is not an AWS region"),
        (["--deny", "AWS::Logs::LogGroup:explode"], "the operation must be one of create, read"),
        (["--rate-limit", "-1"], "rate limit cannot be negative"),
        (["--read-throttle-rate", "2"], "read throttle rate must be between 0 and 1"),
    ],
)
def test_module_reports_bad_settings_in_one_line(tmp_path: Path, arguments: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "awsql_shell.sandbox", *arguments],
        cwd=REPO,
        env=isolated_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_module_takes_aws_switches_and_repeated_list_flags(tmp_path: Path, connect: Any) -> None:
    flags = [
        *("--deny", "AWS::Lambda::Function:list", "--deny", "AWS::SQS::Queue"),
        *("--disabled-region", "none", "--rate-limit", "0", "--page-size", "5", "--no-account-wide-lists"),
        *("--read-failure-id", "orders-api", "--read-failure-id", "orders-worker"),
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "awsql_shell.sandbox", "--port", "0", *flags],
        cwd=REPO,
        env=isolated_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix("listening on ")
        client = connect(url)
        for call in (
            lambda: client.list_resources(TypeName="AWS::Lambda::Function"),
            lambda: client.list_resources(TypeName="AWS::SQS::Queue"),
        ):
            with pytest.raises(ClientError, match="AccessDeniedException"):
                call()
        assert len(client.list_resources(TypeName="AWS::Logs::LogGroup")["ResourceDescriptions"]) == 5
        assert len(client.list_resources(TypeName="AWS::S3::Bucket")["ResourceDescriptions"]) == 5
        with pytest.raises(ClientError, match="GeneralServiceException"):
            connect(url, config=NO_RETRIES).get_resource(TypeName="AWS::Lambda::Function", Identifier="orders-worker")
        assert connect(url, "me-south-1").list_resources(TypeName="AWS::Logs::LogGroup")["ResourceDescriptions"] == []
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_module_refuses_a_corrupt_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{truncated")
    done = subprocess.run(
        [sys.executable, "-m", "awsql_shell.sandbox", "--state", str(state)],
        cwd=REPO,
        env=isolated_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert str(state) in done.stderr
    assert state.read_text() == "{truncated"


@pytest.mark.skipif(not AWS_CLI.exists(), reason="the AWS CLI is not installed in this environment")
def test_aws_cli_lists_resources(tmp_path: Path, sandbox_url: str) -> None:
    done = subprocess.run(
        [
            str(AWS_CLI),
            "cloudcontrol",
            "list-resources",
            "--type-name",
            "AWS::Lambda::Function",
            "--endpoint-url",
            sandbox_url,
            "--region",
            "us-east-1",
            "--output",
            "json",
        ],
        env=isolated_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    # The CLI follows NextToken itself, so every function of the region comes back.
    assert len(answer["ResourceDescriptions"]) == 25
    assert answer["ResourceDescriptions"][0] == {
        "Identifier": "orders-api",
        "Properties": '{"FunctionName":"orders-api"}',
    }
