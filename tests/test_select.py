"""SELECT end to end on the sandbox through real boto3: pushdowns, joins, JSON, regions, cache, faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from awsql_shell.errors import AwsqlError, CredentialsError, ValidationError
from awsql_shell.sandbox import LAMBDA_FUNCTION_NAMES, RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.sandbox.fixtures import FUNCTION_COUNTS
from awsql_shell.session import Session
from awsql_shell.settings import Settings

SessionFactory = Callable[..., Session]


pytestmark = pytest.mark.usefixtures("dummy_credentials")


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with start_sandbox(SandboxConfig(request_delay_ms=20)) as running:
        yield running.url


@pytest.fixture
def session(sandbox_url: str) -> Iterator[Session]:
    session = Session(Settings(endpoint_url=sandbox_url))
    yield session
    if session.gateway_if_started is not None:
        session.gateway_if_started.close()


@pytest.fixture
def shaped() -> Iterator[RunningSandbox]:
    """A sandbox of the test's own, whose answers it may reshape: ``shaped.service.plan(type_name)`` holds what
    a list (``listed``) and a read (``public``) return of a model."""
    with start_sandbox(SandboxConfig(request_delay_ms=20)) as running:
        yield running


def one(session: Session, sql: str):
    (result,) = session.run(sql)
    return result


def leave_out(names: tuple[str, ...], answer: Callable[[dict], dict]) -> Callable[[dict], dict]:
    return lambda model: {k: v for k, v in answer(model).items() if k not in names}


def test_list_only_columns_need_no_get_resource(session: Session) -> None:
    result = one(session, "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1'")
    assert len(result.rows) == FUNCTION_COUNTS["us-east-1"]
    stats = session.gateway.stats
    assert stats.api_calls == 1  # one ListResources page (Lambda lists 100 a page on AWS), not a single GetResource


def test_columns_outside_the_list_fetch_details(session: Session) -> None:
    result = one(
        session,
        "SELECT function_name, runtime, memory_size FROM awscc.lambda.functions "
        "WHERE region = 'us-east-1' ORDER BY function_name",
    )
    assert len(result.rows) == 25
    assert all(row[1] and isinstance(row[2], int) for row in result.rows)
    assert session.gateway.stats.api_calls == 1 + 25


@pytest.mark.slow
def test_identifier_pushdown_is_one_get_resource(session: Session) -> None:
    result = one(
        session,
        "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1' "
        "AND Identifier IN ('orders-api', 'payments-api', 'missing-fn')",
    )
    assert sorted(row[0] for row in result.rows) == ["orders-api", "payments-api"]
    assert session.gateway.stats.api_calls == 3


def test_compound_identifier_and_list_only_view(session: Session) -> None:
    result = one(
        session,
        "SELECT function_name, qualifier, destination_config FROM awscc.lambda.event_invoke_configs "
        "WHERE region = 'us-east-1' AND Identifier = 'orders-api|$LATEST'",
    )
    assert result.rows[0][:2] == ("orders-api", "$LATEST")
    assert "OnFailure" in result.rows[0][2]


def test_resource_model_pushdown_for_list_handlers_that_need_it(session: Session) -> None:
    result = one(
        session,
        "SELECT nodegroup_name FROM awscc.eks.nodegroups WHERE region = 'us-east-1' AND cluster_name = 'prod-eks'",
    )
    assert sorted(row[0] for row in result.rows) == ["general", "spot"]
    explained = one(
        session,
        "EXPLAIN SELECT nodegroup_name FROM awscc.eks.nodegroups "
        "WHERE region = 'us-east-1' AND cluster_name = 'prod-eks'",
    )
    assert any('ResourceModel={"ClusterName": "prod-eks"}' in row[5] for row in explained.rows)


def test_missing_list_parameter_is_a_clear_error(session: Session) -> None:
    # Amplify branches are listed per app by AppId, which no other type has as its identifier.
    with pytest.raises(ValidationError, match="app_id"):
        one(session, "SELECT * FROM awscc.amplify.branches WHERE region = 'us-east-1'")


def test_a_list_that_needs_its_parent_lists_the_parent_first(session: Session) -> None:
    # dialect.md's own example: event invoke configs are listed per function.
    result = one(
        session,
        "SELECT region, function_name, qualifier FROM awscc.lambda.event_invoke_configs_list_only "
        "WHERE region = 'us-east-1'",
    )
    assert len(result.rows) == 13 and all(row[2] == "$LATEST" for row in result.rows)
    assert any("listed per resource of another type" in notice for notice in result.notices)
    nodegroups = one(
        session, "SELECT cluster_name, nodegroup_name FROM awscc.eks.nodegroups WHERE region = 'us-east-1'"
    )
    assert sorted(nodegroups.rows) == [("prod-eks", "general"), ("prod-eks", "spot")]


@pytest.mark.slow
def test_join_across_two_types(session: Session) -> None:
    result = one(
        session,
        "SELECT f.function_name, r.role_name FROM awscc.lambda.functions f "
        "JOIN awscc.iam.roles r ON r.arn = f.role "
        "WHERE f.region = 'us-east-1' AND r.region = 'us-east-1' AND f.function_name LIKE 'orders-%' "
        "ORDER BY 1",
    )
    assert result.rows == [("orders-api", "orders-lambda-role"), ("orders-worker", "orders-lambda-role")]


def test_json_extract_on_nested_properties(session: Session) -> None:
    result = one(
        session,
        "SELECT function_name, json_extract(tracing_config, '$.Mode') AS tracing, "
        "environment ->> '$.Variables' AS variables "
        "FROM awscc.lambda.functions WHERE region = 'us-east-1' AND Identifier = 'orders-api'",
    )
    (name, tracing, variables) = result.rows[0]
    assert name == "orders-api" and tracing in ("Active", "PassThrough") and variables.startswith("{")


def test_multi_region_aggregate(session: Session) -> None:
    result = one(
        session,
        "SELECT region, count(*) AS n FROM awscc.lambda.functions "
        "WHERE region IN ('us-east-1', 'us-west-2', 'eu-west-1') GROUP BY region ORDER BY region",
    )
    assert result.rows == [(region, FUNCTION_COUNTS[region]) for region in sorted(FUNCTION_COUNTS)]


@pytest.mark.slow
def test_limit_stops_fetching_early_and_explain_says_so(session: Session) -> None:
    sql = "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1' LIMIT 3"
    result = one(session, sql)
    assert len(result.rows) == 3
    assert session.gateway.stats.api_calls == 1 + 3
    explained = one(session, f"EXPLAIN {sql}")
    assert "stop after 3 resources" in explained.rows[0][5]


@pytest.mark.slow
def test_limit_is_not_pushed_when_rows_are_filtered_or_ordered(session: Session) -> None:
    result = one(
        session,
        "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1' "
        "AND function_name LIKE 'zzz%' LIMIT 3",
    )
    assert result.rows == []
    assert session.gateway.stats.api_calls == 1  # every page was read before concluding there is none


@pytest.mark.slow
def test_second_run_is_served_from_the_cache_until_it_expires(sandbox_url: str) -> None:
    now = [0.0]
    session = Session(Settings(endpoint_url=sandbox_url, cache_ttl=60))
    from awsql_shell.gateway import Gateway

    session._gateway = Gateway(session.settings, clock=lambda: now[0])
    sql = "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'eu-west-1'"
    first = one(session, sql)
    assert session.gateway.stats.api_calls == 1 + 10
    second = one(session, sql)
    assert second.rows == first.rows
    assert session.gateway.stats.api_calls == 0 and session.gateway.stats.cache_hits > 0
    now[0] = 61.0
    one(session, sql)
    assert session.gateway.stats.api_calls == 11


@pytest.mark.slow
def test_no_region_uses_the_default_with_a_notice(sandbox_url: str) -> None:
    session = Session(Settings(endpoint_url=sandbox_url, region="eu-west-1"))
    result = one(session, "SELECT count(*) FROM awscc.s3.buckets")
    assert result.rows == [(3,)]
    assert any("default region eu-west-1" in notice for notice in result.notices)


def test_no_region_at_all_is_an_error_not_an_empty_result(session: Session) -> None:
    with pytest.raises(ValidationError, match="no region"):
        one(session, "SELECT * FROM awscc.s3.buckets")


def test_unknown_region_is_an_error_before_any_call(session: Session) -> None:
    with pytest.raises(ValidationError, match=r"unknown region 'us-east-9' \(did you mean .*'us-east-1'"):
        one(session, "SELECT * FROM awscc.s3.buckets WHERE region = 'us-east-9'")
    assert session.gateway_if_started is None


def test_forgiving_column_names_in_select(session: Session) -> None:
    result = one(
        session,
        "SELECT FunctionName, memorysize FROM awscc.lambda.functions WHERE region = 'eu-west-1' "
        "AND Identifier = 'orders-api'",
    )
    assert result.columns == ["FunctionName", "memorysize"]  # headed as typed (issue 13)
    assert result.rows and isinstance(result.rows[0][1], int)


def test_unknown_column_gets_a_suggestion(session: Session) -> None:
    with pytest.raises(AwsqlError, match="did you mean 'function_name'"):
        one(session, "SELECT functon_name FROM awscc.lambda.functions WHERE region = 'eu-west-1'")


def test_raw_cloud_control_views(session: Session) -> None:
    listed = one(
        session,
        "SELECT identifier, properties FROM awscc.cloud_control.resources "
        "WHERE region = 'eu-west-1' AND TypeName = 'AWS::S3::Bucket'",
    )
    assert len(listed.rows) == 3
    bucket = listed.rows[0][0]
    got = one(
        session,
        "SELECT type_name, json_extract(properties, '$.BucketName') FROM awscc.cloud_control.resource "
        f"WHERE region = 'eu-west-1' AND TypeName = 'AWS::S3::Bucket' AND Identifier = '{bucket}'",
    )
    assert got.rows == [("AWS::S3::Bucket", bucket)]


@pytest.mark.slow
def test_throttling_returns_every_row_exactly_once() -> None:
    sql = "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1'"
    with start_sandbox(SandboxConfig(throttle_rate=0.1, seed=7)) as throttled:
        session = Session(Settings(endpoint_url=throttled.url, cache_enabled=False))
        rows = one(session, sql).rows
        assert session.gateway.stats.retries > 0
    assert sorted(r[0] for r in rows) == sorted(set(r[0] for r in rows))
    assert len(rows) == FUNCTION_COUNTS["us-east-1"]


@pytest.mark.slow
def test_failing_region_gives_rows_from_the_others_and_a_warning() -> None:
    with start_sandbox(SandboxConfig(fail_region="us-west-2")) as failing:
        session = Session(Settings(endpoint_url=failing.url))
        result = one(
            session,
            "SELECT region, function_name FROM awscc.lambda.functions WHERE region IN ('us-east-1', 'us-west-2')",
        )
    assert {row[0] for row in result.rows} == {"us-east-1"}
    assert result.partial and len(result.warnings) == 1
    assert "us-west-2" in result.warnings[0] and "AWS::Lambda::Function" in result.warnings[0]


def test_missing_credentials_are_exit_code_3(sandbox_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    session = Session(Settings(endpoint_url=sandbox_url))
    with pytest.raises(CredentialsError) as caught:
        one(session, "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1'")
    assert caught.value.exit_code == 3
    assert "--sandbox" in str(caught.value)


@pytest.mark.slow
def test_ctrl_c_cancels_a_long_fan_out_promptly() -> None:
    with start_sandbox(SandboxConfig(latency_ms=50, fixture_scale=8)) as slow:
        session = Session(Settings(endpoint_url=slow.url, max_concurrency=4))
        timer = threading.Timer(0.5, session.cancel.set)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            # execute() clears the event when it starts, so cancel from the timer once calls are under way.
            (statement,) = [
                session.prepare("SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1'")
            ]
            timer.start()
            session.execute(statement)
        assert time.monotonic() - started < 5  # 200 gets at 4 concurrent x 50 ms would take 2.5 s+
        assert session.gateway.stats.api_calls < 200


@pytest.mark.slow
def test_join_supplies_the_parameter_a_list_handler_needs(session: Session) -> None:
    # Event invoke configs can only be listed per function: the join condition drives those lists.
    sql = (
        "SELECT f.function_name, c.maximum_retry_attempts FROM awscc.lambda.functions f "
        "JOIN awscc.lambda.event_invoke_configs c ON c.function_name = f.function_name "
        "WHERE f.region = 'us-east-1' AND c.region = 'us-east-1'"
    )
    result = one(session, sql)
    assert len(result.rows) == 13  # the sandbox's us-east-1 configs, one per even-positioned function
    assert all(isinstance(row[1], int) for row in result.rows)
    explained = one(session, f"EXPLAIN {sql}")
    assert any("once per ResourceModel FunctionName = each function_name" in row[5] for row in explained.rows)


def test_sql_mistakes_are_found_before_any_call(session: Session) -> None:
    with pytest.raises(AwsqlError, match="did you mean 'function_name'") as caught:
        one(session, "SELECT fucntion_name FROM awscc.lambda.functions WHERE region = 'eu-west-1'")
    assert caught.value.position == len("SELECT ")
    with pytest.raises(AwsqlError, match="no such column: bogus"):
        one(session, "EXPLAIN SELECT bogus FROM awscc.lambda.functions WHERE region = 'eu-west-1'")
    assert session.gateway_if_started is None  # not one API call was made


def test_syntax_error_positions_skip_strings_and_comments(session: Session) -> None:
    sql = (
        "SELECT function_name FROM awscc.lambda.functions -- foo\n"
        "WHERE region = 'us-east-1' AND function_name = 'foo' ORDER BY function_name foo"
    )
    with pytest.raises(AwsqlError, match='near "foo"') as caught:
        one(session, sql)
    assert caught.value.position == sql.rindex("foo")
    with pytest.raises(AwsqlError, match="incomplete input") as caught:
        one(session, "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1' AND ")
    assert caught.value.position == len(
        "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1' AND"
    )


def test_unknown_tables_suggest_awscc_names(session: Session) -> None:
    with pytest.raises(
        AwsqlError, match=r"unknown table 'lambda\.functions' \(did you mean 'awscc\.lambda\.functions'"
    ):
        one(session, "SELECT * FROM lambda.functions")
    with pytest.raises(AwsqlError, match=r"unknown table 'functions' \(did you mean .*'awscc\.lambda\.functions'"):
        one(session, "SELECT * FROM functions")


def test_identifier_columns_a_model_leaves_out_are_read_from_the_identifier(
    shaped: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    functions = shaped.service.plan("AWS::Lambda::Function")
    monkeypatch.setattr(functions, "listed", lambda model: {})
    monkeypatch.setattr(functions, "public", leave_out(("FunctionName",), functions.public))
    configs = shaped.service.plan("AWS::Lambda::EventInvokeConfig")
    monkeypatch.setattr(configs, "listed", lambda model: {})
    session = Session(Settings(endpoint_url=shaped.url))
    listed = one(session, "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1'")
    assert sorted(row[0] for row in listed.rows) == sorted(LAMBDA_FUNCTION_NAMES["us-east-1"])
    got = one(
        session,
        "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1' "
        "AND Identifier = 'orders-api'",
    )
    assert got.rows[0][0] == "orders-api" and got.rows[0][1]
    # A compound identifier: its parts in primaryIdentifier order (FunctionName|Qualifier).
    configs_listed = one(
        session,
        "SELECT function_name, qualifier FROM awscc.lambda.event_invoke_configs_list_only WHERE region = 'us-east-1'",
    )
    assert len(configs_listed.rows) == 13 and all(row[0] and row[1] == "$LATEST" for row in configs_listed.rows)


# -- fewer calls: predicates on listed columns ---------------------------------------------------------------


def calls(session: Session, sql: str) -> tuple[list[tuple], int]:
    """The rows of ``sql`` (sorted) and the Cloud Control calls they cost, uncached."""
    session.gateway.clear_cache()
    session.gateway.reset_stats()
    rows = sorted(one(session, sql).rows, key=repr)
    return rows, session.gateway.stats.api_calls


def listing_pages(session: Session) -> int:
    """How many ListResources pages the us-east-1 functions take (what a list-only query costs)."""
    return calls(session, "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1'")[1]


def test_a_like_on_a_listed_column_gets_only_the_resources_it_matches(session: Session) -> None:
    columns = "SELECT function_name, runtime, memory_size FROM awscc.lambda.functions WHERE region = 'us-east-1'"
    rows, pushed = calls(session, f"{columns} AND function_name LIKE 'ORDERS-%'")
    # The same predicate written so that it cannot be pushed down: every function is read.
    same, unpushed = calls(session, f"{columns} AND function_name || '' LIKE 'ORDERS-%'")
    assert rows == same and [row[0] for row in rows] == ["orders-api", "orders-worker"]
    pages = listing_pages(session)
    assert (pushed, unpushed) == (pages + 2, pages + 25)  # the pages, then a GetResource per match, not per function
    explained = one(session, f"EXPLAIN {columns} AND function_name LIKE 'ORDERS-%'")
    assert explained.rows[1][1:] == (
        "GetResource",
        "",
        "us-east-1",
        "AWS::Lambda::Function",
        "only for listed resources where function_name LIKE 'ORDERS-%', concurrently; no GetResource for rows "
        "whose listed properties hold every column needed (function_name, memory_size, runtime)",
    )


def test_a_limit_after_a_list_filter_counts_matches_only(session: Session) -> None:
    sql = "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1' AND {} LIMIT 2"
    rows, pushed = calls(session, sql.format("function_name LIKE '%-api'"))
    same, unpushed = calls(session, sql.format("function_name || '' LIKE '%-api'"))
    assert rows == same and len(rows) == 2
    assert (pushed, unpushed) == (1 + 2, listing_pages(session) + 25)  # one page, two matches: stop


@pytest.mark.slow
def test_a_list_filter_under_an_outer_join_gives_the_same_rows(session: Session) -> None:
    sql = (
        "SELECT f.function_name, c.qualifier, c.maximum_retry_attempts FROM awscc.lambda.functions f "
        "LEFT JOIN awscc.lambda.event_invoke_configs c ON c.function_name = f.function_name AND c.region = f.region "
        "WHERE f.region = 'us-east-1' AND {}"
    )
    rows, pushed = calls(session, sql.format("f.function_name LIKE 'p%' AND f.memory_size > 0"))
    same, unpushed = calls(session, sql.format("f.function_name || '' LIKE 'p%' AND f.memory_size > 0"))
    assert rows == same and {row[0] for row in rows} == {"payments-api", "payments-webhook"}
    assert pushed < unpushed
    nulls, _ = calls(session, sql.format("c.qualifier LIKE '$%'"))
    nulls_same, _ = calls(session, sql.format("c.qualifier || '' LIKE '$%'"))
    assert nulls == nulls_same and len(nulls) == 13


# -- fewer calls: pinned identifier columns -----------------------------------------------------------------


def test_an_equality_on_the_identifier_column_is_one_get_resource(session: Session) -> None:
    star = "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND {}"
    rows, pushed = calls(session, star.format("function_name = 'orders-api'"))
    same, unpushed = calls(session, star.format("function_name || '' = 'orders-api'"))
    assert rows == same and len(rows) == 1
    assert (pushed, unpushed) == (1, listing_pages(session) + 25)
    several, pushed = calls(session, star.format("(function_name = 'orders-api' OR function_name = 'no-such-fn')"))
    assert several == rows and pushed == 2  # the missing one is simply no row
    explained = one(session, "EXPLAIN " + star.format("function_name = 'orders-api'"))
    assert [row[1] for row in explained.rows] == ["GetResource", "SQLite"]
    assert explained.rows[0][5] == "awscc.lambda.functions: Identifier IN (orders-api) (from function_name in WHERE)"


def test_a_compound_identifier_is_read_directly_only_when_every_part_is_pinned(session: Session) -> None:
    star = "SELECT * FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1' AND {}"
    rows, pushed = calls(session, star.format("function_name = 'orders-api' AND qualifier = '$LATEST'"))
    same, unpushed = calls(session, star.format("function_name = 'orders-api' AND qualifier || '' = '$LATEST'"))
    assert rows == same and len(rows) == 1 and "OnFailure" in str(rows[0])
    assert (pushed, unpushed) == (1, 2)  # one GetResource, rather than the function's list and a GetResource


def test_booleans_compare_as_they_print(session: Session) -> None:
    """Booleans print as true/false, so ``= 'true'`` must find what ``= TRUE`` and a bare column find."""
    base = "SELECT queue_name, fifo_queue FROM awscc.sqs.queues WHERE region = 'us-east-1'"
    fifo = one(session, f"{base} AND fifo_queue")
    assert fifo.rows and all(row[1] is True for row in fifo.rows)
    for where in ("fifo_queue = 'true'", "fifo_queue = TRUE", "fifo_queue IN ('TRUE', 'yes')", "fifo_queue = 1"):
        assert one(session, f"{base} AND {where}").rows == fifo.rows, where
    assert one(session, f"{base} AND fifo_queue = 'false'").rows == one(session, f"{base} AND NOT fifo_queue").rows
    # A string column keeps its strings: 'true' is no boolean there.
    assert one(session, f"{base} AND queue_name = 'true'").rows == []


def test_an_account_wide_listing_reads_only_the_buckets_the_filter_keeps() -> None:
    sql = "SELECT bucket_name, region FROM awscc.s3.buckets WHERE region IN ('us-east-1', 'eu-west-1') AND {}"
    with start_sandbox(SandboxConfig(request_delay_ms=20, account_wide_lists=True)) as aws:
        session = Session(Settings(endpoint_url=aws.url))
        rows, pushed = calls(session, sql.format("bucket_name LIKE 'acme-logs-%'"))
        same, unpushed = calls(session, sql.format("bucket_name || '' LIKE 'acme-logs-%'"))
        one_bucket, by_name = calls(session, sql.format("bucket_name = 'acme-logs-eu-west-1'"))
    assert rows == same == [("acme-logs-eu-west-1", "eu-west-1"), ("acme-logs-us-east-1", "us-east-1")]
    assert pushed < unpushed  # the listing, and GetResource only for the matches
    assert one_bucket == [("acme-logs-eu-west-1", "eu-west-1")]
    assert by_name == 2  # no listing: GetResource in us-east-1 (not its home), then in eu-west-1


# -- fewer calls: listed models that hold every column read -------------------------------------------------


def test_a_listing_of_whole_models_is_read_without_get_resource(session: Session) -> None:
    # The sandbox lists log groups whole, as AWS's LogGroup list handler does; a sandbox that lists
    # identifiers only answers the same query with a GetResource per group.
    with start_sandbox(SandboxConfig(request_delay_ms=20, full_model_lists="none")) as thin_sandbox:
        thin = Session(Settings(endpoint_url=thin_sandbox.url))
        sql = "SELECT log_group_name, retention_in_days FROM awscc.logs.log_groups WHERE region = 'us-east-1'"
        _, pages = calls(session, "SELECT log_group_name FROM awscc.logs.log_groups WHERE region = 'us-east-1'")
        rows, listed = calls(session, sql)
        same, read = calls(thin, sql)
    assert rows == same and len(rows) == 26 and all(row[1] for row in rows)
    assert (listed, read) == (pages, pages + 26)  # the pages, and not one GetResource
    star, all_read = calls(session, "SELECT * FROM awscc.logs.log_groups WHERE region = 'us-east-1'")
    assert len(star) == 26 and all_read == pages + 26  # SELECT *: a listing cannot be known to hold every column
    explained = one(session, f"EXPLAIN {sql}")
    assert "no GetResource for rows whose listed properties hold every column needed" in explained.rows[1][5]


def test_headers_are_what_the_user_typed_and_built_json_nests(sandbox_url: str, tmp_path) -> None:
    import json
    import subprocess
    import sys

    from awsenv import isolated_environment

    sql = (
        "SELECT FunctionName, max(memory_size), json_object('name', function_name) AS o, "
        "environment -> '$.Variables' FROM awscc.lambda.functions WHERE region = 'us-east-1' "
        "AND Identifier = 'orders-api' GROUP BY FunctionName"
    )
    run = subprocess.run(
        [sys.executable, "-m", "awsql_shell", "--endpoint-url", sandbox_url, "-o", "json", "-e", sql],
        capture_output=True,
        text=True,
        env=isolated_environment(tmp_path),
        timeout=60,
        check=True,
    )
    (row,) = json.loads(run.stdout)
    assert list(row) == ["FunctionName", "max(memory_size)", "o", "environment -> '$.Variables'"]
    assert row["o"] == {"name": "orders-api"} and isinstance(row["environment -> '$.Variables'"], dict)


def test_a_fully_qualified_column_reads_like_its_short_form(session: Session) -> None:
    qualified = one(
        session,
        "SELECT awscc.lambda.functions.function_name, awscc.lambda.functions.runtime FROM awscc.lambda.functions "
        "WHERE awscc.lambda.functions.region = 'eu-west-1' ORDER BY 1",
    )
    short = one(
        session, "SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'eu-west-1' ORDER BY 1"
    )
    assert qualified.rows == short.rows and not qualified.notices  # the region steered: no default used


def test_awsql_accounts_filtered_in_a_join_keeps_a_one_account_session_whole(sandbox_url: str) -> None:
    session = Session(Settings(endpoint_url=sandbox_url, region="us-east-1"))
    (joined,) = session.run(
        "SELECT count(*) FROM awscc.logs.log_groups g JOIN awsql.accounts a ON a.account_id = g.account_id "
        "WHERE g.region = 'us-east-1' AND a.account_id = '123456789012'"
    )
    assert joined.rows[0][0] > 0
