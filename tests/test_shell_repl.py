"""The shell's loop, driven through prompt_toolkit's pipe input as a user would type at it."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shellenv import quiet_shell

from awsql_shell.settings import Settings
from awsql_shell.shell.editing import split_meta_command, statement_complete
from awsql_shell.shell.meta_commands import default_registry
from awsql_shell.shell.repl import Shell, run_shell
from awsql_shell.shell.toolbar import toolbar_text

REPO = Path(__file__).resolve().parent.parent
CTRL_C = "\x03"
CTRL_D = "\x04"
pytestmark = pytest.mark.timeout(60)

SANDBOX_SELECT = "SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1' LIMIT 2;"


@dataclass
class Transcript:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """History, AWS config and editor in a throwaway place; no real account is ever reached."""
    monkeypatch.setenv("AWSQL_HISTORY", str(tmp_path / "state" / "awsql" / "history"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "PAGER", "VISUAL", "EDITOR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def typed(keys: str, settings: Settings | None = None, *, stdout: io.TextIOBase | None = None) -> Transcript:
    """Type ``keys`` into the shell, then Ctrl-D; what it printed and its exit code."""
    out = stdout or io.StringIO()
    err = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys + CTRL_D)
        code = run_shell(settings or Settings(color=False), input=pipe, output=DummyOutput(), stdout=out, stderr=err)
    return Transcript(code, out.getvalue() if isinstance(out, io.StringIO) else "", err.getvalue())


# -- Enter ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "SELECT 1;",
        "SELECT 1;   ",
        "SELECT 1; -- done",
        "SELECT ';' AS x;",
        "\\x",
        "\\o json",
        "help",
        "help \\o",
        "exit",
        "quit;",
        "",
    ],
)
def test_enter_runs_a_finished_statement_or_meta_command(text: str) -> None:
    assert statement_complete(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT 1",
        "SELECT ';",
        "SELECT 1 /* ; */",
        "SELECT 1 -- ;",
        'SELECT "a;"',
        "SELECT '{{ x }}' AS y /* open",
        "helpme",
        "help_text AS x",
    ],
)
def test_enter_continues_an_unfinished_statement(text: str) -> None:
    assert not statement_complete(text)


def test_a_statement_without_semicolon_continues_on_the_next_line() -> None:
    run = typed("SELECT 1\nAS x;\n")
    assert run.code == 0
    assert " x " in run.out and " 1 " in run.out
    assert "1 row in " in run.out
    assert run.err == ""


def test_select_prints_a_table_and_a_footer() -> None:
    run = typed("SELECT 1 AS x;\n")
    lines = run.out.splitlines()
    assert [line.strip() for line in lines[1:4]] == ["x", "───", "1"]
    assert lines[4].startswith("1 row in ") and lines[4].endswith(" s")


def test_metadata_statements_need_no_account() -> None:
    run = typed("SHOW SERVICES LIKE 'lamb%';\n")
    assert "awscc.lambda" in run.out
    assert "1 row in" in run.out


# -- meta commands ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_output_format_changes_with_backslash_o() -> None:
    run = typed("\\o json\nSELECT 1 AS x, 'a' AS y;\n")
    assert "Output format is json." in run.out
    body = run.out.split("Output format is json.\n", 1)[1].rsplit("1 row in", 1)[0]
    assert json.loads(body) == [{"x": 1, "y": "a"}]


def test_meta_commands_forgive_a_trailing_semicolon() -> None:
    settings = Settings(color=False)
    run = typed("\\o csv;\n\\timing on;\n", settings)
    assert settings.output == "csv" and settings.timing
    assert run.err == ""
    assert split_meta_command("\\o\tjson ; ") == ("\\o", "json")


def test_unknown_output_format_is_an_error_with_a_suggestion() -> None:
    run = typed("\\T jsn\nSELECT 1 AS x;\n")
    assert "ERROR: unknown output format 'jsn' (did you mean 'json'" in run.err
    assert " x " in run.out  # still a table


def test_expanded_display_shows_one_field_per_line() -> None:
    run = typed("\\x\nSELECT 1 AS x, 'two' AS y;\n\\x\nSELECT 3 AS z;\n")
    assert "Expanded display is on." in run.out
    assert "-[ RECORD 1 ]" in run.out
    assert "x | 1" in run.out and "y | two" in run.out
    assert "Expanded display is off." in run.out
    assert "│" not in run.out.split("Expanded display is off.")[0]


def test_timing_adds_call_counts_after_each_result() -> None:
    run = typed("\\timing\nSELECT 1 AS x;\n\\timing off\nSELECT 2 AS y;\n")
    assert "Timing is on." in run.out and "Timing is off." in run.out
    assert run.err.count("API calls: 0, cache hits: 0, retries: 0") == 1


@pytest.mark.slow
def test_variables_set_with_backslash_set_fill_templates() -> None:
    run = typed("\\set greeting 'hello there'\n\\set\nSELECT '{{ greeting }}' AS g;\n\\unset greeting\n\\set\n")
    assert "greeting = 'hello there'" in run.out
    assert " hello there " in run.out
    assert "No variables set." in run.out


def test_unset_of_an_unknown_variable_suggests_a_known_one() -> None:
    run = typed("\\set region_name x\n\\unset region_nme\n")
    assert "ERROR: variable 'region_nme' is not set (did you mean 'region_name'?)" in run.err


def test_bad_region_is_refused_with_a_suggestion_and_the_old_one_kept() -> None:
    settings = Settings(color=False, region="eu-west-1")
    run = typed("\\region us-eats-1\n\\region\n\\region us-west-2\n", settings)
    assert "ERROR: unknown region 'us-eats-1' (did you mean 'us-east-1'" in run.err
    assert "Default region is eu-west-1 (--region)." in run.out
    assert settings.region == "us-west-2"


def test_profile_switch_checks_the_aws_config(private_home: Path) -> None:
    (private_home / "aws-config").write_text("[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-west-2\n")
    settings = Settings(color=False)
    run = typed("\\profile dve\n\\profile dev\n", settings)
    assert "ERROR: unknown AWS profile 'dve' (did you mean 'dev'?)" in run.err
    assert "Profile is dev." in run.out
    assert settings.profile == "dev"


def test_help_lists_every_meta_command_from_the_registry() -> None:
    run = typed("\\?\nhelp \\T\n")
    for command in default_registry().commands:
        assert command.help in run.out
        assert command.name in run.out
    assert "\\T [FORMAT]\n  Set the output format" in run.out


def test_completion_knows_the_meta_commands_of_the_registry() -> None:
    shell = quiet_shell()
    assert "\\timing" in [c.text for c in shell.completer.completions("\\tim")]
    assert [c.text for c in shell.completer.completions("\\o js")][:1] == ["json"]
    assert "on" in [c.text for c in shell.completer.completions("\\pager ")]


@pytest.mark.slow
def test_unknown_meta_command_suggests_the_closest() -> None:
    run = typed("\\timng\n")
    assert "ERROR: unknown meta command '\\timng' (did you mean '\\timing'?)" in run.err


def test_include_runs_the_statements_of_a_file(tmp_path: Path) -> None:
    script = tmp_path / "two.sql"
    script.write_text("SELECT 10 AS first;\nSELECT 20 AS second;\n")
    run = typed(f"\\i {script}\n\\i {tmp_path / 'missing.sql'}\n")
    assert " first " in run.out and " second " in run.out
    assert f"ERROR: cannot read {tmp_path / 'missing.sql'}: No such file or directory" in run.err


def test_edit_opens_the_last_statement_in_the_editor_and_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "sed -i s/41/42/")  # an "editor" that changes the file and saves it
    run = typed("SELECT 41 AS answer;\n\\e\n")
    assert " 41 " in run.out
    assert "SELECT 42 AS answer" in run.out
    assert " 42 " in run.out


def test_pager_and_cache_switches_answer() -> None:
    settings = Settings(color=False)
    run = typed("\\pager off\n\\cache clear\n\\cache\n", settings)
    assert "Pager is off." in run.out and settings.pager is False
    assert "Cache cleared." in run.out
    assert "Cache is on" in run.out


def test_toolbar_shows_account_region_format_cache_and_keys() -> None:
    settings = Settings(sandbox=True, region="us-east-1", output="json", expanded=True, cache_enabled=False)
    text = toolbar_text(settings, "us-east-1", vi_mode=True, environ={})
    assert [part.strip() for part in text.split("|")] == [
        "sandbox",
        "region us-east-1",
        "output json, expanded",
        "cache off",
        "[F4] vi",
        "\\? help",
    ]
    assert "profile prod" in toolbar_text(Settings(), None, vi_mode=False, environ={"AWS_PROFILE": "prod"})


# -- errors, Ctrl-C, Ctrl-D ------------------------------------------------------------------------------


def test_an_error_does_not_end_the_session() -> None:
    run = typed("SELECT nope FROM;\nSELECT 2 AS after;\n")
    assert "ERROR: " in run.err
    assert "SELECT nope FROM;" in run.err
    caret_line = run.err.splitlines()[2]
    assert caret_line.strip() == "^"
    assert " after " in run.out
    assert run.code == 0


@pytest.mark.slow
def test_ctrl_c_at_the_prompt_drops_the_line() -> None:
    run = typed("SELECT 1 AS dropped" + CTRL_C + "SELECT 2 AS kept;\n")
    assert "dropped" not in run.out
    assert " kept " in run.out


def test_ctrl_d_and_quit_exit_with_code_zero() -> None:
    assert typed("").code == 0
    run = typed("\\q\nSELECT 1 AS never;\n")
    assert run.code == 0
    assert "never" not in run.out


def test_history_file_is_private(private_home: Path) -> None:
    typed("SELECT 1 AS x;\n")
    history = private_home / "state" / "awsql" / "history"
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    assert stat.S_IMODE(history.parent.stat().st_mode) == 0o700
    assert "+SELECT 1 AS x;" in history.read_text()


def test_pager_takes_output_taller_than_the_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {paged}'")
    leader, follower = os.openpty()  # results must go to a terminal for the pager to be used
    with os.fdopen(follower, "w", encoding="utf-8") as terminal:
        typed("SHOW SERVICES;\n\\pager off\nSHOW SERVICES LIKE 'lambda';\n", stdout=terminal)
    os.close(leader)
    text = paged.read_text()
    assert "awscc.lambda" in text and "awscc.s3" in text
    assert text.count("\n") > 40  # DummyOutput's screen is 40 rows
    assert "awscc.lambda " not in text.split("awscc.s3")[-1]  # the small result was printed, not paged


class TerminalStream(io.StringIO):
    """Stdout as the shell sees a terminal (the screen is DummyOutput's: 80 columns, 40 rows)."""

    def isatty(self) -> bool:
        return True


# Two columns of 60 characters: 125 wide, wider than the 80-column screen, yet only 3 lines tall.
WIDE_SELECT = f"SELECT '{'a' * 60}' AS first, '{'b' * 60}' AS second;\n"


@pytest.mark.slow
def test_a_wide_table_is_paged_at_its_natural_width(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {paged}'")
    run = typed(WIDE_SELECT, stdout=TerminalStream())
    text = paged.read_text()
    row = next(line for line in text.splitlines() if "aaa" in line)
    assert "a" * 60 in row and "b" * 60 in row  # one line, nothing squeezed or wrapped
    assert len(text.splitlines()) == 3
    assert "aaa" not in run.out  # the table went to the pager, the footer to the screen
    assert "1 row in " in run.out


def test_a_wide_table_is_fitted_to_the_screen_when_the_pager_is_off() -> None:
    run = typed("\\pager off\n" + WIDE_SELECT, stdout=TerminalStream())
    table = [line for line in run.out.splitlines() if "│" in line or "─" in line]
    assert table and all(len(line) <= 80 for line in table)
    assert "a" * 30 in run.out


@pytest.mark.parametrize("pager", ["", "/nonexistent/pager"])
def test_a_wide_table_is_fitted_when_no_pager_can_be_had(pager: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGER", pager)
    run = typed(WIDE_SELECT, stdout=TerminalStream())
    table = [line for line in run.out.splitlines() if "│" in line or "─" in line]
    assert table and all(len(line) <= 80 for line in table)
    assert "1 row in " in run.out


def test_a_table_that_fits_is_printed_not_paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {paged}'")
    run = typed("SELECT 'narrow' AS n;\n", stdout=TerminalStream())
    assert not paged.exists()
    assert " narrow " in run.out


@pytest.mark.slow
def test_a_tall_and_wide_table_is_paged_unsqueezed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paged = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"sh -c 'cat > {paged}'")
    rows = " UNION ALL ".join(f"SELECT {n} AS n, '{'x' * 100}' AS long_text" for n in range(50))
    typed(rows + ";\n", stdout=TerminalStream())
    lines = paged.read_text().splitlines()
    assert len(lines) == 52  # header, rule, 50 rows: no row wrapped
    assert all("x" * 100 in line for line in lines[2:])


# -- against the sandbox ------------------------------------------------------------------------------


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@pytest.fixture
def sandbox_url(sandbox_env: None) -> Iterator[str]:
    from awsql_shell.sandbox import SandboxConfig, start_sandbox

    with start_sandbox(SandboxConfig(port=0)) as sandbox:
        yield sandbox.url


def sandbox_settings(url: str) -> Settings:
    return Settings(color=False, endpoint_url=url, sandbox=True, region="us-east-1")


@pytest.mark.slow
def test_a_query_on_the_sandbox(sandbox_url: str) -> None:
    from awsql_shell.sandbox import LAMBDA_FUNCTION_NAMES

    run = typed(SANDBOX_SELECT + "\n", sandbox_settings(sandbox_url))
    assert run.err == ""
    names = [line.strip() for line in run.out.splitlines()[3:5]]
    assert names == list(LAMBDA_FUNCTION_NAMES["us-east-1"][:2])
    assert "2 rows in " in run.out


@pytest.mark.slow
def test_identifiers_in_results_are_offered_by_completion(sandbox_url: str) -> None:
    from awsql_shell.sandbox import LAMBDA_FUNCTION_NAMES

    with create_pipe_input() as pipe:
        pipe.send_text(SANDBOX_SELECT + "\n" + CTRL_D)
        shell = Shell(
            sandbox_settings(sandbox_url),
            terminal_input=pipe,
            terminal_output=DummyOutput(),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            environ=os.environ,
        )
        assert shell.run() == 0
    partial = "SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND Identifier = '"
    offered = [completion.text for completion in shell.completer.completions(partial)]
    first_two = LAMBDA_FUNCTION_NAMES["us-east-1"][:2]
    assert {f"{name}'" for name in first_two} <= set(offered)


@pytest.mark.slow
def test_a_delete_without_identifier_asks_first_and_no_keeps_the_resource(sandbox_url: str) -> None:
    keys = (
        "DELETE FROM awscc.lambda.functions WHERE region = 'us-east-1' AND function_name = 'orders-api';\n"
        "n\n"
        "SELECT function_name FROM awscc.lambda.functions\n"
        "WHERE region = 'us-east-1' AND function_name = 'orders-api';\n"
    )
    run = typed(keys, sandbox_settings(sandbox_url))
    assert " orders-api " in run.out
    assert "1 row in" in run.out


def _interrupt_once_a_statement_runs() -> None:
    """Ctrl-C as the terminal sends it (SIGINT to the process), once a statement is under way."""
    for _ in range(400):
        if any(thread.name == "awsql-statement" for thread in threading.enumerate()):
            time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGINT)
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_ctrl_c_cancels_a_running_statement_and_the_shell_goes_on(sandbox_env: None) -> None:
    from awsql_shell.sandbox import SandboxConfig, start_sandbox

    # Every call takes 5 s: the statement is surely still running when Ctrl-C arrives.
    with start_sandbox(SandboxConfig(port=0, latency_ms=5000)) as sandbox:
        interrupter = threading.Thread(target=_interrupt_once_a_statement_runs, daemon=True)
        interrupter.start()
        run = typed(SANDBOX_SELECT + "\nSELECT 7 AS after;\n", sandbox_settings(sandbox.url))
        interrupter.join()
    assert "Cancelled." in run.err
    assert "function_name" not in run.out
    assert " after " in run.out
    assert run.code == 0


# -- start-up -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_prompt_comes_before_boto3_and_the_engine_are_loaded(tmp_path: Path) -> None:
    program = (
        "import sys\n"
        "from prompt_toolkit.input import create_pipe_input\n"
        "from prompt_toolkit.output import DummyOutput\n"
        "from awsql_shell.settings import Settings\n"
        "from awsql_shell.shell.repl import run_shell\n"
        "with create_pipe_input() as pipe:\n"
        "    pipe.send_text('\\x04')\n"
        "    run_shell(Settings(), input=pipe, output=DummyOutput())\n"
        "print(sorted(m for m in ('boto3', 'botocore', 'awsql_shell.session', 'rich') if m in sys.modules))\n"
    )
    environ = dict(os.environ, AWSQL_HISTORY=str(tmp_path / "history"))
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=REPO, env=environ, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_soft_wrapped_line_continues_under_blanks_not_the_continuation_prompt() -> None:
    shell = quiet_shell()
    continuation = shell.prompt.prompt_continuation
    assert callable(continuation)
    assert continuation(7, 1, 0) == "    -> "  # a new line of an unfinished statement
    assert continuation(7, 0, 1) == "       "  # the rest of a line too long for the screen
    assert continuation(7, 2, 3) == "       "


@pytest.mark.slow
def test_a_statement_that_fails_part_way_shows_what_it_did_then_the_error(sandbox_url: str) -> None:
    insert = (
        "INSERT INTO awscc.logs.log_groups (LogGroupName) VALUES ('shell-part-1'), ('/aws/lambda/orders-api'), "
        "('shell-part-2') RETURNING Identifier, OperationStatus, ErrorCode;\n"
    )
    screen = io.StringIO()  # stdout and stderr on one screen, to see what comes first
    with create_pipe_input() as pipe:
        pipe.send_text(insert + "SELECT 1 AS after;\n" + CTRL_D)
        code = run_shell(sandbox_settings(sandbox_url), input=pipe, output=DummyOutput(), stdout=screen, stderr=screen)
    assert code == 0
    text = screen.getvalue()
    rows = [[cell.strip() for cell in line.split("│")] for line in text.splitlines() if "│" in line]
    assert ["Identifier", "OperationStatus", "ErrorCode"] in rows
    assert ["shell-part-1", "SUCCESS", "NULL"] in rows
    assert ["/aws/lambda/orders-api", "FAILED", "AlreadyExists"] in rows
    assert ["shell-part-2", "SUCCESS", "NULL"] in rows
    footer_at = text.index("3 rows in ")
    error_at = text.index("ERROR: 1 of 3 INSERT calls failed (2 succeeded)")
    assert text.index("shell-part-2") < footer_at < error_at < text.index(" after ")
