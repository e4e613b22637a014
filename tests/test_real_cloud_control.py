"""awsql under Cloud Control as it really behaves (issue 10): the sandbox answers as AWS does (its default)
or with the fault switched on, real boto3 carries every call, and each test asserts what the user sees: the
rows, the warnings, the exit code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from awsenv import isolated_environment

from awsql_shell.errors import AwsqlError, CredentialsError
from awsql_shell.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.sandbox.fixtures import FUNCTION_COUNTS, LAMBDA_FUNCTION_NAMES, S3_BUCKET_NAMES
from awsql_shell.session import Session
from awsql_shell.settings import Settings

AWSQL = [sys.executable, "-m", "awsql_shell"]
pytestmark = pytest.mark.usefixtures("dummy_credentials")
THREE = "('us-east-1', 'us-west-2', 'eu-west-1')"


@pytest.fixture(scope="module")
def aws_like() -> Iterator[RunningSandbox]:
    """The sandbox with its defaults: as hard as AWS (account-wide S3, 25 calls/s, opt-in regions off...)."""
    with start_sandbox(SandboxConfig(request_delay_ms=20)) as running:
        yield running


def session_on(url: str, **settings: object) -> Session:
    return Session(Settings(endpoint_url=url, region="us-east-1", **settings))  # type: ignore[arg-type]


def run_cli(url: str, sql: str, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [*AWSQL, "--endpoint-url", url, *flags, "-e", sql]
    return subprocess.run(command, capture_output=True, text=True, env=isolated_environment(tmp_path), timeout=120)


# -- 1. account-wide list types ------------------------------------------------------------------------


def test_every_bucket_once_in_its_own_region(aws_like: RunningSandbox) -> None:
    session = session_on(aws_like.url)
    (counted,) = session.run(
        f"SELECT region, count(*) AS n, count(DISTINCT bucket_name) AS names FROM awscc.s3.buckets "
        f"WHERE region IN {THREE} GROUP BY region ORDER BY region"
    )
    assert counted.rows == [(r, len(S3_BUCKET_NAMES[r]), len(S3_BUCKET_NAMES[r])) for r in sorted(S3_BUCKET_NAMES)]
    (one_region,) = session.run("SELECT bucket_name, region FROM awscc.s3.buckets WHERE region = 'eu-west-1'")
    assert sorted(one_region.rows) == [(name, "eu-west-1") for name in sorted(S3_BUCKET_NAMES["eu-west-1"])]
    assert not one_region.warnings


def test_a_bucket_by_identifier_is_read_in_its_home_region(aws_like: RunningSandbox) -> None:
    session = session_on(aws_like.url)
    bucket = S3_BUCKET_NAMES["eu-west-1"][0]
    (found,) = session.run(
        f"SELECT bucket_name, region FROM awscc.s3.buckets WHERE region IN ('us-east-1', 'eu-west-1') "
        f"AND Identifier = '{bucket}'"
    )
    assert found.rows == [(bucket, "eu-west-1")]
    (elsewhere,) = session.run(f"SELECT * FROM awscc.s3.buckets WHERE region = 'us-west-2' AND Identifier = '{bucket}'")
    assert elsewhere.rows == [] and not elsewhere.warnings  # it does not live there: no row, no error


def test_the_raw_view_places_buckets_too(aws_like: RunningSandbox) -> None:
    (raw,) = session_on(aws_like.url).run(
        "SELECT region, identifier FROM awscc.cloud_control.resources "
        "WHERE TypeName = 'AWS::S3::Bucket' AND region = 'us-west-2'"
    )
    assert sorted(raw.rows) == [("us-west-2", name) for name in sorted(S3_BUCKET_NAMES["us-west-2"])]


# -- 2. a single read that fails costs its row ---------------------------------------------------------


def test_an_unreadable_resource_drops_its_row_with_a_counting_warning(tmp_path: Path) -> None:
    broken = ",".join(LAMBDA_FUNCTION_NAMES["us-east-1"][:3])
    with start_sandbox(SandboxConfig(read_failure_ids=broken)) as sandbox:
        run = run_cli(
            sandbox.url,
            "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1'",
            tmp_path,
        )
    assert run.returncode == 4
    rows = run.stdout.splitlines()[1:]
    assert len(rows) == FUNCTION_COUNTS["us-east-1"] - 3
    (warning,) = [line for line in run.stderr.splitlines() if line.startswith("WARNING:")]
    total = FUNCTION_COUNTS["us-east-1"]
    assert f"3 of {total} AWS::Lambda::Function in us-east-1 could not be read: GeneralServiceException" in warning


def test_an_aggregate_over_a_partial_read_still_computes(aws_like: RunningSandbox) -> None:
    with start_sandbox(SandboxConfig(read_failure_rate=0.2, seed=3)) as sandbox:
        (result,) = session_on(sandbox.url).run(
            "SELECT count(*) FROM awscc.lambda.functions WHERE region = 'us-east-1' AND runtime IS NOT NULL"
        )
    ((count,),) = result.rows
    assert 0 < count < FUNCTION_COUNTS["us-east-1"]
    assert len(result.warnings) == 1 and "could not be read" in result.warnings[0]


# -- 3. a region that rejects the credentials -------------------------------------------------------


def test_a_region_not_enabled_is_one_failing_region_with_a_hint(tmp_path: Path) -> None:
    with start_sandbox(SandboxConfig(disabled_region="eu-west-1")) as sandbox:
        both = run_cli(
            sandbox.url,
            "SELECT region, count(*) AS n FROM awscc.logs.log_groups WHERE region IN ('us-east-1', 'eu-west-1') "
            "GROUP BY region",
            tmp_path,
        )
        alone = run_cli(sandbox.url, "SELECT * FROM awscc.logs.log_groups WHERE region = 'eu-west-1'", tmp_path)
    assert both.returncode == 4
    assert both.stdout.splitlines()[1].startswith("us-east-1,")
    (warning,) = [line for line in both.stderr.splitlines() if line.startswith("WARNING:")]
    assert "UnrecognizedClientException" in warning and "is eu-west-1 enabled for this account?" in warning
    # Asked alone, the credentials may be the trouble as much as the region: exit 3 with both ways out.
    assert alone.returncode == 3
    assert "is eu-west-1 enabled for this account?" in alone.stderr and "aws sts get-caller-identity" in alone.stderr


def test_a_region_rejecting_credentials_that_worked_elsewhere_is_not_a_credentials_error() -> None:
    with start_sandbox(SandboxConfig(disabled_region="eu-west-1")) as sandbox:
        session = session_on(sandbox.url)
        session.run("SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1'")
        with pytest.raises(Exception) as raised:
            session.run("SELECT * FROM awscc.logs.log_groups WHERE region = 'eu-west-1'")
    assert not isinstance(raised.value, CredentialsError)
    assert "is eu-west-1 enabled for this account?" in str(raised.value)


# -- 4. throttling in every shape, and staying under the quota ------------------------------------------


@pytest.mark.slow
def test_under_the_default_quota_no_call_is_throttled(aws_like: RunningSandbox) -> None:
    session = session_on(aws_like.url, cache_enabled=False)
    (result,) = session.run(f"SELECT function_name, runtime FROM awscc.lambda.functions WHERE region IN {THREE}")
    assert len(result.rows) == sum(FUNCTION_COUNTS.values()) and not result.warnings
    assert session.gateway.stats.retries == 0  # the client's 20/s kept under the sandbox's 25/s


@pytest.mark.slow
def test_without_the_client_limit_throttling_is_retried_and_every_row_arrives(aws_like: RunningSandbox) -> None:
    session = session_on(aws_like.url, rate_limit=0, cache_enabled=False)
    (result,) = session.run(f"SELECT function_name, runtime FROM awscc.lambda.functions WHERE region IN {THREE}")
    (total,) = session.run(
        f"SELECT count(DISTINCT region || '/' || function_name) FROM awscc.lambda.functions WHERE region IN {THREE}"
    )
    assert len(result.rows) == total.rows[0][0] == sum(FUNCTION_COUNTS.values()) and not result.warnings


def test_throttling_wrapped_in_a_handler_failure_is_retried() -> None:
    with start_sandbox(SandboxConfig(read_throttle_rate=0.3, seed=5)) as sandbox:
        session = session_on(sandbox.url)
        (result,) = session.run("SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1'")
    assert len(result.rows) == FUNCTION_COUNTS["us-east-1"] and not result.warnings
    assert session.gateway.stats.retries > 0


# -- 5. not found, as each type words it --------------------------------------------------------------


def test_not_found_in_every_wording_is_no_row(aws_like: RunningSandbox) -> None:
    session = session_on(aws_like.url)
    for sql in (
        "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1' AND Identifier = 'no-such-group'",
        "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND Identifier = 'no-such-function'",
        "SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' AND function_name = 'nope'",
    ):
        (result,) = session.run(sql)
        assert result.rows == [] and not result.warnings, sql


# -- 6. access denied names the permission -----------------------------------------------------------


def test_access_denied_says_which_permission_is_missing() -> None:
    functions = (
        "SELECT function_name AS name FROM awscc.lambda.functions WHERE region = 'us-east-1' "
        "AND Identifier IN ('orders-api', 'payments-api')"
    )
    groups = "SELECT log_group_name FROM awscc.logs.log_groups WHERE region = 'us-east-1'"
    with start_sandbox(SandboxConfig(deny="AWS::Lambda::Function:read")) as sandbox:
        session = session_on(sandbox.url)
        (mixed,) = session.run(f"{functions} UNION ALL {groups}")
        with pytest.raises(AwsqlError) as denied:
            session.run(functions)  # nothing could be read: an error, not an empty table
    assert mixed.rows  # the log groups
    (warning,) = mixed.warnings
    assert "2 of 2 AWS::Lambda::Function in us-east-1 could not be read: AccessDeniedException" in warning
    assert "(missing permission: lambda:GetFunction)" in warning
    assert "(missing permission: lambda:GetFunction)" in denied.value.message


# -- awsql.errors: the failures of the last statement, as rows ----------------------------------------


def test_the_last_statements_failures_can_be_queried() -> None:
    broken = ",".join(LAMBDA_FUNCTION_NAMES["us-east-1"][:2])
    with start_sandbox(SandboxConfig(read_failure_ids=broken, disabled_region="eu-west-1")) as sandbox:
        session = session_on(sandbox.url, account="123456789012")
        (partial,) = session.run(
            "SELECT count(*) FROM awscc.lambda.functions WHERE region IN ('us-east-1', 'eu-west-1') "
            "AND runtime IS NOT NULL"
        )
        (errors,) = session.run(
            "SELECT region, type_name, operation, error_code, calls, rows_lost FROM awsql.errors ORDER BY region"
        )
        (again,) = session.run("SELECT count(*) FROM awsql.errors")  # reading it is no new statement's failure
        session.run("SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1'")
        (cleared,) = session.run("SELECT count(*) FROM awsql.errors")
    assert partial.rows == [(FUNCTION_COUNTS["us-east-1"] - 2,)] and len(partial.warnings) == 2
    assert errors.rows == [
        ("eu-west-1", "AWS::Lambda::Function", "ListResources", "UnrecognizedClientException", 1, None),
        ("us-east-1", "AWS::Lambda::Function", "GetResource", "GeneralServiceException", 2, 2),
    ]
    assert again.rows == [(2,)] and cleared.rows == [(0,)]


# -- a call budget --------------------------------------------------------------------------------


def test_a_statement_past_its_call_budget_stops_with_no_rows(tmp_path: Path, aws_like: RunningSandbox) -> None:
    sql = "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1'"
    stopped = run_cli(aws_like.url, sql, tmp_path, "--max-calls", "5")
    assert stopped.returncode == 1 and stopped.stdout == ""
    assert "needs more than 5 Cloud Control calls (--max-calls 5)" in stopped.stderr
    enough = run_cli(aws_like.url, sql, tmp_path, "--max-calls", "30")
    assert enough.returncode == 0 and len(enough.stdout.splitlines()) == FUNCTION_COUNTS["us-east-1"] + 1


def test_the_budget_can_be_set_like_a_variable(aws_like: RunningSandbox) -> None:
    session = session_on(aws_like.url, variables={"max_calls": "2"}, cache_enabled=False)
    with pytest.raises(AwsqlError, match="needs more than 2 Cloud Control calls"):
        session.run("SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1'")
    session.settings.variables["max_calls"] = "lots"
    with pytest.raises(AwsqlError, match="max_calls must be a whole number"):
        session.run("SELECT count(*) FROM awscc.logs.log_groups WHERE region = 'us-east-1'")


def test_a_bucket_asked_outside_its_home_region_is_not_asked_again(aws_like: RunningSandbox) -> None:
    """S3's redirect to the home region is final: it moves to the next region instead of retrying."""
    session = session_on(aws_like.url, cache_enabled=False)
    session.run(f"SELECT bucket_name, region FROM awscc.s3.buckets WHERE region IN {THREE}")
    assert session.gateway.stats.retries == 0


@pytest.mark.slow
def test_an_error_after_a_partial_result_is_the_exit_code(aws_like: RunningSandbox, tmp_path: Path) -> None:
    partial = "SELECT count(*) FROM awscc.logs.log_groups WHERE region IN ('us-east-1', 'ap-east-2')"
    for order in ([partial, "SELEC 1"], ["SELEC 1", partial]):
        command = [*AWSQL, "--endpoint-url", aws_like.url, "--continue-on-error"]
        for sql in order:
            command += ["-e", sql]
        run = subprocess.run(command, capture_output=True, text=True, env=isolated_environment(tmp_path), timeout=120)
        # A later error must not hide behind the partial result's 4 (which reads as usable).
        assert run.returncode == 1, (order, run.stderr)
    alone = run_cli(aws_like.url, partial, tmp_path)
    assert alone.returncode == 4


def test_a_global_type_is_read_once_whatever_the_regions(aws_like: RunningSandbox) -> None:
    session = session_on(aws_like.url)
    (roles,) = session.run(
        f"SELECT count(*), count(DISTINCT arn), min(region) FROM awscc.iam.roles WHERE region IN {THREE}"
    )
    total, distinct, region = roles.rows[0]
    assert total == distinct > 0 and region == "us-east-1"  # each role once, not once per region
    assert any("AWS::IAM::Role is global" in notice for notice in roles.notices)
