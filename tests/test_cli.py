"""The awsql command end to end, as a subprocess: streams, formats, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Each test starts awsql as a process (or a terminal): the fast lane (-m "not slow") leaves them out.
pytestmark = pytest.mark.slow

AWSQL = [sys.executable, "-m", "awsql_shell"]


def awsql(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS")}
    environment.update(env or {})
    return subprocess.run(
        [*AWSQL, *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def test_results_go_to_stdout_and_csv_is_the_default_when_piped() -> None:
    run = awsql("-e", "SELECT 1 AS x, 'a,b' AS marker")
    assert run.returncode == 0, run.stderr
    assert run.stdout == 'x,marker\n1,"a,b"\n'
    assert run.stderr == ""


def test_several_statements_run_in_order() -> None:
    run = awsql("-e", "SELECT 1 AS first; SELECT 2 AS second;")
    assert run.returncode == 0
    assert run.stdout == "first\n1\nsecond\n2\n"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("csv", "n,name\n1,lambda\n"),
        ("tsv", "n\tname\n1\tlambda\n"),
        ("json", [{"n": 1, "name": "lambda"}]),
        ("jsonl", '{"n": 1, "name": "lambda"}\n'),
        ("text", "1\tlambda\n"),
    ],
)
def test_each_output_format(fmt: str, expected) -> None:
    run = awsql("-o", fmt, "-e", "SELECT 1 AS n, 'lambda' AS name")
    assert run.returncode == 0, run.stderr
    if fmt == "json":
        assert json.loads(run.stdout) == expected
    elif fmt == "jsonl":
        assert [json.loads(line) for line in run.stdout.splitlines()] == [json.loads(expected)]
    else:
        assert run.stdout == expected


def test_table_format_without_color_has_no_escape_codes() -> None:
    run = awsql("-o", "table", "-e", "SHOW SERVICES LIKE 'lambda'", env={"NO_COLOR": "1"})
    assert run.returncode == 0
    assert "lambda" in run.stdout and "awscc.lambda" in run.stdout
    assert "\x1b[" not in run.stdout


def test_no_headers_flag() -> None:
    run = awsql("-H", "-e", "SHOW SERVICES LIKE 'lambda'")
    assert run.stdout.splitlines()[0].startswith("lambda,awscc.lambda,")


def test_sql_on_stdin_and_from_a_file(tmp_path: Path) -> None:
    assert awsql(stdin="SELECT 41 + 1 AS answer;\n").stdout == "answer\n42\n"
    script = tmp_path / "q.sql"
    script.write_text("-- inventory\nSELECT 'from file' AS source;\n")
    assert awsql("-f", str(script)).stdout == "source\nfrom file\n"


def test_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    run = awsql("-f", str(tmp_path / "missing.sql"))
    assert run.returncode == 2
    assert "cannot read" in run.stderr and run.stdout == ""


def test_bad_option_is_a_usage_error() -> None:
    run = awsql("-o", "xml", "-e", "SELECT 1")
    assert run.returncode == 2
    assert "unknown output format 'xml'" in run.stderr and "choose one of table, json" in run.stderr


def test_statement_error_is_one_line_on_stderr_with_position_and_exit_1() -> None:
    run = awsql("-e", "SELECT 1 AS ok;\nSELECT * FROM awscc.lambda.functoins WHERE region = 'us-east-1'")
    assert run.returncode == 1
    assert run.stdout == "ok\n1\n"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown resource 'awscc.lambda.functoins'" in lines[0]
    assert "did you mean 'awscc.lambda.functions'" in lines[0]
    assert "(line 2, column 15)" in lines[0]
    assert "Traceback" not in run.stderr


def test_first_error_stops_the_batch() -> None:
    run = awsql("-e", "SELEC 1; SELECT 2 AS never")
    assert run.returncode == 1
    assert "unknown statement 'SELEC' (did you mean 'SELECT'?)" in run.stderr
    assert run.stdout == ""


def test_continue_on_error_runs_everything_and_keeps_the_first_failure_code() -> None:
    run = awsql(
        "--continue-on-error",
        "-e",
        "SELECT 1 AS a; DESCRIBE awscc.nope.things; SELECT 2 AS b; SELECT 'unterminated",
    )
    assert run.returncode == 1
    assert run.stdout == "a\n1\nb\n2\n"
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 2
    assert "unknown service 'nope'" in errors[0]
    assert "unterminated string" in errors[1]


def test_unterminated_string_reports_where_it_starts() -> None:
    run = awsql("-e", "SELECT 'abc")
    assert run.returncode == 1
    assert "unterminated string" in run.stderr and "(line 1, column 8)" in run.stderr


def test_metadata_needs_no_boto3_and_no_network() -> None:
    code = (
        "import sys; from awsql_shell.cli import main; "
        "rc = main(['-e', 'SHOW SERVICES; DESCRIBE awscc.lambda.functions', '-o', 'csv']); "
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'boto3 imported'; "
        "sys.exit(rc)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_show_insert_template_runs_once_variables_are_given() -> None:
    template = awsql("-o", "text", "-e", "SHOW INSERT INTO awscc.lambda.event_invoke_configs /*+ REQUIRED */").stdout
    assert template.startswith("INSERT INTO awscc.lambda.event_invoke_configs")
    explained = awsql(
        "--var",
        "function_name=fn",
        "--var",
        "qualifier=$LATEST",
        "--var",
        "region=us-east-1",
        "-e",
        f"EXPLAIN {template}",
    )
    # The template parses and its variables resolve; whether EXPLAIN INSERT is available is the mutation
    # issue's business, so accept either a plan or a clear one-line error, never a parse error.
    assert "unknown statement" not in explained.stderr and "Traceback" not in explained.stderr


def test_undefined_variables_are_named() -> None:
    run = awsql("-e", "SELECT '{{ a }}' AS x, '{{ b }}' AS y")
    assert run.returncode == 1
    assert "a, b" in run.stderr


def test_variables_from_flags_and_file(tmp_path: Path) -> None:
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"who": "file"}))
    run = awsql("--vars-file", str(vars_file), "--var", "n=3", "-e", "SELECT '{{ who }}' AS who, {{ n }} AS n")
    assert list(csv.reader(io.StringIO(run.stdout))) == [["who", "n"], ["file", "3"]]


def test_version() -> None:
    run = awsql("--version")
    assert run.returncode == 0 and run.stdout.startswith("awsql ")


def test_sqlite_errors_point_into_the_statement() -> None:
    run = awsql("-e", "SELECT 1 AS a;\nSELECT 1 +  FROM (SELECT 2)")
    assert run.returncode == 1
    assert 'near "FROM": syntax error (line 2, column 13)' in run.stderr


def test_a_malformed_var_is_a_usage_error() -> None:
    run = awsql("--var", "bad name=1", "-e", "SELECT 1")
    assert run.returncode == 2
    assert "expected NAME=VALUE" in run.stderr and run.stdout == ""


def test_table_in_a_file_or_pipe_fits_120_columns_or_columns() -> None:
    long_value = "x" * 150
    run = awsql("-o", "table", "-e", f"SELECT 1 AS n, '{long_value}' AS detail", env={"NO_COLOR": "1", "COLUMNS": ""})
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) == 120  # not one line as long as the longest value
    assert "".join(line.split("│")[1].strip() for line in lines[2:]) == long_value  # wrapped, not cut
    narrow = awsql("-o", "table", "-e", f"SELECT 1 AS n, '{long_value}' AS detail", env={"COLUMNS": "60"})
    assert long_value not in narrow.stdout and max(len(line) for line in narrow.stdout.splitlines()) <= 60


def test_files_with_a_byte_order_mark_or_not_utf8(tmp_path: Path) -> None:
    with_bom = tmp_path / "windows.sql"
    with_bom.write_bytes("\ufeffSELECT 1 AS bom;".encode())
    assert awsql("-f", str(with_bom)).stdout == "bom\n1\n"
    binary = tmp_path / "binary.sql"
    binary.write_bytes(b"\xff\xfe\x00")
    run = awsql("-f", str(binary))
    assert run.returncode == 2
    assert "not UTF-8" in run.stderr and "internal error" not in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "us-esat-1"], "unknown region 'us-esat-1' (did you mean"),
        (["--max-concurrency", "abc"], "expected a whole number of at least 1, got 'abc'"),
        (["--rate-limit", "fast"], "expected a number of calls per second (0 for no limit), got 'fast'"),
        (["--rate-limit", "-3"], "got '-3'"),
        (["--rate-limit", "nan"], "got 'nan'"),
        (["--endpoint-url", "localhost:4566"], "'localhost:4566' is not a URL: expected http(s)://host[:port]"),
        (["--endpoint-url", "http://[::1"], "is not a URL"),
        (["--endpoint-url", "http://127.0.0.1:99999"], "is not a URL"),
        (["--sandbox", "--endpoint-url", "http://127.0.0.1:4566"], "give --sandbox or --endpoint-url, not both"),
    ],
)
def test_bad_option_values_are_usage_errors_that_say_why(args: list[str], message: str) -> None:
    run = awsql(*args, "-e", "SELECT 1")
    assert run.returncode == 2
    assert message in run.stderr


def test_statements_and_files_run_in_the_order_given(tmp_path: Path) -> None:
    script = tmp_path / "middle.sql"
    script.write_text("SELECT 2 AS second;")
    run = awsql("-e", "SELECT 1 AS first", "-f", str(script), "-e", "SELECT 3 AS third")
    assert run.stdout == "first\n1\nsecond\n2\nthird\n3\n"


def test_an_undefined_variable_is_located_in_the_script() -> None:
    run = awsql("-e", "SELECT 1 AS a;\nSELECT '{{ x }}' AS b")
    assert run.returncode == 1
    assert "undefined variable: x (line 2, column 9)" in run.stderr


def test_errors_after_substitution_point_at_the_script_line(tmp_path: Path) -> None:
    script = tmp_path / "vars.sql"
    script.write_text("SELECT 1 AS a;\nSELECT '{{ v }}' AS b,\n  nope FROM (SELECT 1 AS x);\n")
    run = awsql("--var", "v=a longer value", "-f", str(script))
    assert run.returncode == 1
    assert "no such column: nope (line 3, column 3)" in run.stderr


def test_a_terminal_that_reports_no_size_still_gets_readable_tables() -> None:
    import pty

    controller, terminal = pty.openpty()  # a fresh pty reports 0 columns until someone sizes it
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS", "COLUMNS"))}
    environment["NO_COLOR"] = "1"
    with open(terminal, "w") as stdout:
        run = subprocess.run(
            [*AWSQL, "-o", "table", "-e", "SELECT 'orders-api' AS function_name, 128 AS memory_size"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=environment,
            timeout=60,
        )
    output = os.read(controller, 65536).decode()
    os.close(controller)
    assert run.returncode == 0
    assert "orders-api" in output and "128" in output and "…" not in output


@pytest.mark.parametrize(
    ("script", "ran", "error"),
    [
        ("SELECT 1 AS a; 'abc", ["a", "1"], "unterminated string"),
        ("SELECT 1 AS a; SELECT # AS b; SELECT 3 AS c", ["a", "1", "c", "3"], "unexpected character '#'"),
        ("SELECT 1 AS a;\nSELECT \x1b AS b; SELECT 3 AS c", ["a", "1", "c", "3"], "unexpected character '\\x1b'"),
        ("SELECT \\ ; SELECT 4 AS d", ["d", "4"], "unexpected character '\\'"),
    ],
)
def test_a_broken_statement_fails_alone_and_the_script_goes_on(script: str, ran: list[str], error: str) -> None:
    """A complete statement always runs; a stray character breaks only its own statement (the script resumes
    after the next ';'); an unterminated string runs to the end, so nothing after it is a statement."""
    run = awsql("--continue-on-error", "-e", script)
    assert run.returncode == 1
    assert run.stdout.splitlines() == ran
    (line,) = [line for line in run.stderr.splitlines() if line.startswith("ERROR:")]
    assert error in line and "\x1b" not in run.stderr
    # Without --continue-on-error the statements before the broken one still ran, and none after it.
    first = awsql("-e", script)
    before = [] if script.startswith("SELECT \\") else ["a", "1"]
    assert first.stdout.splitlines() == before and first.returncode == 1


def run_bytes(*args: str, stdin: bytes = b"", stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([*AWSQL, *args], input=stdin, stdout=stdout, stderr=subprocess.PIPE, timeout=60, check=False)


def test_stdin_that_is_not_utf8_or_has_a_bom() -> None:
    bom = run_bytes(stdin="\ufeffSELECT 1 AS bom;".encode())
    assert (bom.returncode, bom.stdout) == (0, b"bom\n1\n")
    binary = run_bytes(stdin=b"SELECT 1 AS \xff;")
    assert binary.returncode == 2
    assert b"cannot read standard input: not UTF-8 text (byte 12)" in binary.stderr
    assert b"Traceback" not in binary.stderr and b"internal error" not in binary.stderr


def test_execute_text_that_is_not_utf8_is_a_usage_error() -> None:
    run = subprocess.run(
        [*(os.fsencode(part) for part in AWSQL), b"-e", b"SELECT \xff AS x"], capture_output=True, timeout=60
    )
    assert run.returncode == 2
    assert b"-e: the SQL is not UTF-8 text" in run.stderr and b"internal error" not in run.stderr


def test_a_full_disk_or_a_closed_stdout_is_one_clear_line() -> None:
    with open("/dev/full", "wb") as full:
        run = run_bytes("-e", "SELECT 1 AS a", stdout=full.fileno())
    assert run.returncode == 1
    assert run.stderr.decode().strip() == "awsql: cannot write the results: No space left on device"
    closed = subprocess.run(
        [*AWSQL, "-e", "SELECT 1 AS a"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    assert closed.returncode == 1
    assert b"cannot write the results: standard output is closed" in closed.stderr


def test_huge_numbers_and_long_names_make_short_one_line_errors() -> None:
    digits = "9" * 5000
    run = awsql("--sandbox", "-e", f"SELECT * FROM awscc.logs.log_groups WHERE region = {digits}")
    assert run.returncode == 1
    assert "has 5,000 digits: awsql reads up to" in run.stderr and len(run.stderr) < 300
    long_region = awsql("--sandbox", "-e", f"SELECT * FROM awscc.logs.log_groups WHERE region = '{'a' * 500}'")
    (line,) = long_region.stderr.splitlines()
    assert line.startswith("ERROR: unknown region 'aaaa") and "..." in line and len(line) < 300


@pytest.mark.parametrize("delay", [0.05, 0.08, 0.12, 0.2])
def test_an_early_ctrl_c_exits_130_without_a_traceback(delay: float) -> None:
    """Ctrl-C while awsql is still importing itself is an interruption like any other: exit 130, one line.
    (A Ctrl-C inside Python's own start-up, before any awsql code runs, is Python's to report.)"""
    process = subprocess.Popen(
        [*AWSQL, "-e", "SELECT 1 AS a"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    if "init_import_site" in err or ("Traceback" in err and "awsql_shell" not in err):
        pytest.skip("the signal landed in Python's own start-up, before any awsql code ran")
    assert process.returncode in (0, 130, -signal.SIGINT), err
    assert "Traceback" not in err
