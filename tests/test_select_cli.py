"""SELECT through the ``awsql`` command: partial results exit 4, credentials exit 3, Ctrl-C exits 130."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from awsenv import isolated_environment

from awsql_shell.sandbox import SandboxConfig, start_sandbox
from awsql_shell.sandbox.fixtures import FUNCTION_COUNTS

# Each test starts awsql as a process (or a terminal): the fast lane (-m "not slow") leaves them out.
pytestmark = pytest.mark.slow

AWSQL = [sys.executable, "-m", "awsql_shell"]


def test_failing_region_prints_the_rest_warns_and_exits_4(tmp_path: Path) -> None:
    with start_sandbox(SandboxConfig(fail_region="eu-west-1")) as sandbox:
        run = subprocess.run(
            [
                *AWSQL,
                "--endpoint-url",
                sandbox.url,
                "-e",
                "SELECT region, count(*) AS n FROM awscc.lambda.functions WHERE region IN ('us-east-1', 'eu-west-1') "
                "GROUP BY region",
            ],
            capture_output=True,
            text=True,
            env=isolated_environment(tmp_path),
            timeout=60,
        )
    assert run.returncode == 4
    assert run.stdout == f"region,n\nus-east-1,{FUNCTION_COUNTS['us-east-1']}\n"
    warnings = [line for line in run.stderr.splitlines() if line.startswith("WARNING:")]
    assert len(warnings) == 1 and "eu-west-1" in warnings[0] and "AWS::Lambda::Function" in warnings[0]


def test_missing_credentials_exit_3_with_advice(tmp_path: Path) -> None:
    env = isolated_environment(tmp_path)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    with start_sandbox(SandboxConfig()) as sandbox:
        run = subprocess.run(
            [*AWSQL, "--endpoint-url", sandbox.url, "-e", "SELECT * FROM awscc.s3.buckets WHERE region = 'us-east-1'"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert run.returncode == 3
    assert run.stdout == ""
    assert "--sandbox" in run.stderr and "Traceback" not in run.stderr


def test_no_region_anywhere_is_exit_1_not_an_empty_result(tmp_path: Path) -> None:
    run = subprocess.run(
        [*AWSQL, "--endpoint-url", "http://127.0.0.1:9", "-e", "SELECT * FROM awscc.s3.buckets"],
        capture_output=True,
        text=True,
        env=isolated_environment(tmp_path),
        timeout=60,
    )
    assert run.returncode == 1
    assert "no region" in run.stderr and run.stdout == ""


def test_ctrl_c_during_a_long_fan_out_exits_130_promptly(tmp_path: Path) -> None:
    with start_sandbox(SandboxConfig(latency_ms=100, fixture_scale=8)) as sandbox:
        process = subprocess.Popen(
            [
                *AWSQL,
                "--endpoint-url",
                sandbox.url,
                "--max-concurrency",
                "2",
                "-e",
                "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1'",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=isolated_environment(tmp_path),
        )
        time.sleep(2.0)  # well into 200 GetResource calls at 2 x 100 ms
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = process.communicate(timeout=30)
        waited = time.monotonic() - sent
    assert process.returncode == 130
    assert out == "" and "interrupted" in err and "Traceback" not in err
    assert waited < 5  # promptly: the remaining ~10 s of calls were abandoned


def test_the_default_region_notice_names_where_the_region_came_from(tmp_path: Path) -> None:
    base = [*AWSQL, "--sandbox", "-e", "SELECT count(*) AS n FROM awscc.s3.buckets"]
    env = isolated_environment(tmp_path)
    sandbox_default = subprocess.run(base, capture_output=True, text=True, env=env, timeout=60)
    assert sandbox_default.stdout == "n\n6\n"
    assert "default region us-east-1 (the sandbox's default)" in sandbox_default.stderr
    from_env = subprocess.run(base, capture_output=True, text=True, env={**env, "AWS_REGION": "eu-west-1"}, timeout=60)
    assert from_env.stdout == "n\n3\n"
    assert "default region eu-west-1 (AWS_REGION)" in from_env.stderr
    flagged = subprocess.run([*base, "--region", "us-west-2"], capture_output=True, text=True, env=env, timeout=60)
    assert "default region us-west-2 (--region)" in flagged.stderr


def test_when_every_call_fails_there_is_no_made_up_result(tmp_path: Path) -> None:
    with start_sandbox(SandboxConfig(fail_region="us-west-2")) as sandbox:
        run = subprocess.run(
            [
                *AWSQL,
                "--endpoint-url",
                sandbox.url,
                "-e",
                "SELECT count(*) FROM awscc.lambda.functions WHERE region = 'us-west-2'",
            ],
            capture_output=True,
            text=True,
            env=isolated_environment(tmp_path),
            timeout=60,
        )
    assert run.returncode == 1
    assert run.stdout == ""
    assert "us-west-2 AWS::Lambda::Function" in run.stderr
