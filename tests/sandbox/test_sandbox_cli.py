"""``python -m awsql_shell.sandbox`` as a process, and the AWS CLI talking to the sandbox."""

from __future__ import annotations

import contextlib
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


def start_module(tmp_path: Path, *flags: str) -> subprocess.Popen[str]:
    """``python -m awsql_shell.sandbox`` as its own process, on a free port, away from the user's AWS setup."""
    return subprocess.Popen(
        [sys.executable, "-m", "awsql_shell.sandbox", "--port", "0", *flags],
        cwd=REPO,
        env=isolated_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextlib.contextmanager
def sandbox_module(tmp_path: Path, *flags: str) -> Iterator[str]:
    """The module serving with ``flags``, and the URL it printed; stopped on the way out."""
    process = start_module(tmp_path, *flags)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip().removeprefix("listening on ")
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = start_module(tmp_path, "--request-delay-ms", "10", "--seed", "3")
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
        (["--accounts", "0"], "accounts must be between 1 and 1000"),
        (["--accounts", "3", "--suspended", "123456789012"], "is not a member account of the sandbox"),
        (["--accounts", "3", "--account-rate-limit", "200000000001"], "is not ACCOUNT=N"),
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
    with sandbox_module(tmp_path, *flags) as url:
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


def test_module_serves_an_organization_with_its_faults(tmp_path: Path, aws: Any, assume: Any) -> None:
    flags = [
        *("--accounts", "4", "--suspended", "200000000002", "--deny-assume", "200000000003"),
        *("--credential-ttl-seconds", "60", "--delegated-admin", "200000000001", "--org-role", "Auditor"),
    ]
    with sandbox_module(tmp_path, *flags) as url:
        accounts = aws("organizations", url).list_accounts()["Accounts"]
        assert [(a["Id"], a["Status"]) for a in accounts][1:] == [
            ("200000000001", "ACTIVE"),
            ("200000000002", "SUSPENDED"),
            ("200000000003", "ACTIVE"),
        ]
        for denied in ("200000000002", "200000000003"):
            with pytest.raises(ClientError, match="AccessDenied"):
                assume(url, denied, "Auditor")
        credentials = assume(url, "200000000001", "Auditor")
        assert len(aws("organizations", url, credentials).list_accounts()["Accounts"]) == 4  # a delegated admin
        assert aws("sts", url, credentials).get_caller_identity()["Account"] == "200000000001"


@pytest.mark.skipif(not AWS_CLI.exists(), reason="the AWS CLI is not installed in this environment")
def test_aws_cli_asks_sts_and_organizations(tmp_path: Path, start: Any) -> None:
    url = start(accounts=3).url

    def cli(*arguments: str) -> Any:
        done = subprocess.run(
            [str(AWS_CLI), *arguments, "--endpoint-url", url, "--region", "us-east-1", "--output", "json"],
            env=isolated_environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert cli("sts", "get-caller-identity")["Account"] == "123456789012"
    # The CLI pages through ListAccounts itself, 2 at a time here.
    listed = cli("organizations", "list-accounts", "--page-size", "2")["Accounts"]
    assert [a["Id"] for a in listed] == ["123456789012", "200000000001", "200000000002"]
    role = "arn:aws:iam::200000000001:role/OrganizationAccountAccessRole"
    assumed = cli("sts", "assume-role", "--role-arn", role, "--role-session-name", "cli")
    assert assumed["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::200000000001:assumed-role/")
