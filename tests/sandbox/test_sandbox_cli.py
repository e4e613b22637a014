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

REPO = Path(__file__).resolve().parents[2]
AWS_CLI = Path(sys.executable).parent / "aws"


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
