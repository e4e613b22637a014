"""Issue 13, item 8: notices said once, and error messages that point at the cause (shell and command)."""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from awsql_shell import cli
from awsql_shell.session import Session
from awsql_shell.settings import Settings
from awsql_shell.shell.repl import run_shell
from awsql_shell.sql.endings import missing_semicolon


def shell(keys: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys + "\x04")
        run_shell(Settings(color=False), input=pipe, output=DummyOutput(), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def batch(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("text", "line_end"),
    [
        ("SELECT 1\nSELECT 2;", 8),
        ("SELECT x FROM t -- note\n  SHOW SERVICES;", 15),
        ("SELECT f(1)\nDESCRIBE awscc.s3.buckets", 11),
    ],
)
def test_a_statement_running_into_the_next_line_is_found(text: str, line_end: int) -> None:
    assert missing_semicolon(text) == line_end


@pytest.mark.parametrize(
    "text",
    [
        "SELECT 1 AS x\nUNION ALL\nSELECT 2",
        "WITH a AS (SELECT 1)\nSELECT * FROM a",
        "INSERT INTO t (a)\nSELECT 1",
        "SELECT * FROM\nSELECT",
        "SELECT (\nSELECT 1)",
        "SELECT 1 ORDER BY 1 DESC",
    ],
)
def test_statements_that_continue_on_the_next_line_are_left_alone(text: str) -> None:
    assert missing_semicolon(text) is None


def test_the_shell_points_at_the_line_missing_its_semicolon() -> None:
    _, err = shell("SELECT 1 AS a\nSELECT 2 AS b;\n")
    assert (
        "ERROR: missing ';' at the end of this line: the next line starts another statement (line 1, column 14)" in err
    )
    assert "SELECT 1 AS a\n             ^" in err


def test_the_command_points_at_the_line_missing_its_semicolon(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = batch(capsys, "-e", "SELECT 1\n\nSELECT 2")
    assert code == 1
    assert "missing ';' at the end of this line" in err and "(line 1, column 9)" in err


def test_describe_of_a_service_says_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = batch(capsys, "-e", "DESCRIBE awscc.lambda")
    assert code == 1
    assert "'awscc.lambda' is a service, not a resource: SHOW RESOURCES IN awscc.lambda lists its resources" in err
    _, err = shell("DESCRIBE lambda;\n")
    assert "'lambda' is a service, not a resource" in err


def test_explain_query_plan_is_sqlites(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = batch(capsys, "-e", "EXPLAIN QUERY PLAN SELECT 1")
    assert code == 1
    assert "EXPLAIN QUERY PLAN is SQLite's and not supported" in err


def test_a_fraction_for_an_integer_names_the_value() -> None:
    statement = (
        "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, region) VALUES ('x', 7.5, 'us-east-1')"
    )
    session = Session(Settings())
    with pytest.raises(Exception, match=r"expects an integer, not 7\.5"):
        session.run("EXPLAIN " + statement)


JOINED = "SELECT function_name FROM awscc.lambda.event_invoke_configs WHERE region = 'us-east-1'"


def test_the_listed_per_resource_notice_is_said_once_per_session_and_always_in_explain() -> None:
    session = Session(Settings())
    plan = session.plan(session.prepare(JOINED))
    assert plan.once_per_session and plan.once_per_session[0] in plan.notices
    explained = [session.explain(session.prepare(JOINED)).notices for _ in range(2)]
    assert all(any("listed per resource of another type" in n for n in notices) for notices in explained)


@pytest.mark.slow
def test_the_shell_says_the_listed_per_resource_notice_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from awsql_shell.sandbox import SandboxConfig, start_sandbox

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with start_sandbox(SandboxConfig(port=0)) as sandbox:
        settings = Settings(color=False, endpoint_url=sandbox.url, sandbox=True, region="us-east-1")
        out, err = io.StringIO(), io.StringIO()
        with create_pipe_input() as pipe:
            pipe.send_text(f"{JOINED} LIMIT 1;\n{JOINED} LIMIT 2;\nEXPLAIN {JOINED};\n\x04")
            run_shell(settings, input=pipe, output=DummyOutput(), stdout=out, stderr=err)
    assert err.getvalue().count("is listed per resource of another type") == 2  # the first query, and EXPLAIN
    assert "2 rows in" in out.getvalue()
