"""Issue 13: the habits a pgcli user brings, through the shell (pipe input) and the awsql command (in process)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shellenv import quiet_shell

from awsql_shell import cli
from awsql_shell.config import DEFAULT_TEXT, read_config, save_named_query
from awsql_shell.settings import Settings
from awsql_shell.shell.meta_commands import default_registry
from awsql_shell.shell.repl import run_shell
from awsql_shell.shell.script import split_script

WIDE = ", ".join(f"'{letter * 30}' AS {letter}" for letter in "abcd")  # four columns of 30: no fit at 80


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWSQL_HISTORY", str(tmp_path / "history"))
    monkeypatch.chdir(tmp_path)
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "PAGER", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


def shell(keys: str, settings: Settings | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys + "\x04")
        run_shell(settings or Settings(color=False), input=pipe, output=DummyOutput(), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def batch(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- 1. output ------------------------------------------------------------------------------------------


def test_backslash_o_file_sends_results_to_a_file_in_the_format_kept(tmp_path: Path) -> None:
    out, _ = shell("\\T json\n\\o out.json\nSELECT 1 AS a;\nSELECT 2 AS b;\n\\o\nSELECT 3 AS c;\n")
    text = (tmp_path / "out.json").read_text()
    assert json.loads(text.split("]\n", 1)[0] + "]") == [{"a": 1}]
    assert '"b": 2' in text and '"c"' not in text
    assert "1 row in" in out and ", written to out.json" in out
    assert '"c": 3' in out  # back on the screen
    assert "Results go to the screen again (out.json is closed)." in out


def test_backslash_o_format_still_sets_the_format_and_a_near_miss_says_so(tmp_path: Path) -> None:
    settings = Settings(color=False)
    out, _ = shell("\\o csv\n\\o jsn\n\\o\n", settings)
    assert settings.output == "csv" and "Output format is csv." in out
    assert "Results go to jsn (did you mean \\T 'json'" in out
    assert (tmp_path / "jsn").exists()


def test_expanded_auto_is_the_shells_default_and_expands_what_does_not_fit() -> None:
    out, _ = shell(f"SELECT 1 AS n, 2 AS m;\nSELECT {WIDE};\n\\x off\nSELECT {WIDE};\n\\x auto\n")
    narrow, wide, fitted = out.split("1 row in")[:3]
    assert "│" in narrow and "RECORD" not in narrow
    assert "-[ RECORD 1 ]" in wide and "a | " + "a" * 30 in wide
    assert "RECORD" not in fitted and "│" in fitted
    assert "Expanded display is auto (when a table does not fit the screen)." in out


def test_gx_and_g_file_run_the_statement_once_expanded_or_into_a_file(tmp_path: Path) -> None:
    out, _ = shell("SELECT 1 AS one \\gx\nSELECT 2 AS two \\g two.txt\nSELECT 3 AS three\\G\n\\g\n")
    assert "-[ RECORD 1 ]\none | 1" in out
    assert (tmp_path / "two.txt").read_text() == " two \n─────\n 2   \n"  # the shell's format: table
    assert "1 row in" in out and ", written to two.txt" in out
    assert "-[ RECORD 1 ]\nthree | 3" in out
    assert " three \n───────\n 3     \n1 row in" in out.rsplit("RECORD", 1)[1]  # \g alone: the last again


def test_table_to_a_pipe_fits_columns_or_120(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    code, out, _ = batch(capsys, "-o", "table", "-e", "SHOW RESOURCES IN awscc.lambda")
    assert code == 0 and max(len(line) for line in out.splitlines()) == 120
    monkeypatch.setenv("COLUMNS", "90")
    _, out, _ = batch(capsys, "-o", "table", "-e", "SHOW RESOURCES IN awscc.lambda")
    assert max(len(line) for line in out.splitlines()) == 90
    _, out, _ = batch(capsys, "-o", "table", "--expanded", "auto", "-e", "SHOW RESOURCES IN awscc.lambda")
    assert out.startswith("-[ RECORD 1 ]")


def test_describe_extended_at_160_columns_gives_the_description_room(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    _, out, _ = batch(capsys, "-o", "table", "-e", "DESCRIBE EXTENDED awscc.lambda.event_invoke_configs")
    header = out.splitlines()[0]
    widths = [len(cell) for cell in header.split("│")]
    assert widths[2] >= 160 // 5  # the description column
    assert "A destination for events after" in out


# -- 2. meta commands psql users type -------------------------------------------------------------------


def test_d_dt_l_describe_and_list() -> None:
    out, err = shell("\\d awscc.lambda.functions\n\\dt\n\\dt lambda.event*\n\\d+ lambda.functions\n\\l lamb\n\\dn s3\n")
    assert err == ""
    assert "function_name" in out and "No service in use yet" in out
    assert "event_invoke_configs" in out and "event_source_mappings" in out
    assert "read_only" in out  # \d+ is DESCRIBE EXTENDED
    assert "│ awscc.lambda " in out and "│ awscc.s3 " in out


def test_dt_without_a_pattern_lists_the_service_in_use() -> None:
    out, _ = shell("DESCRIBE awscc.sqs.queues;\n\\dt\n")
    assert "id          | awscc.sqs.queues\n" in out.split("rows in", 1)[1]  # expanded: auto at 80 columns


def test_named_queries_are_kept_in_the_config_file(private_config: Path) -> None:
    out, err = shell("\\ns two SELECT 2 AS two;\n\\n\n\\n two\n\\nd two\n\\n two\n")
    assert "Saved query 'two'" in out and "two: SELECT 2 AS two" in out and " two " in out
    assert "Deleted query 'two'." in out
    assert "ERROR: no named query 'two'" in err
    assert read_config(private_config).named_queries == {}
    assert "# awsql's configuration" in private_config.read_text()  # written with its comments


def test_named_queries_keep_the_users_comments(private_config: Path) -> None:
    private_config.write_text("# mine\n[main]\ntiming = on  \n\n[named queries]\n# keep me\nold = SELECT 1\n")
    save_named_query(private_config, "multi", "SELECT 1\n  AS x\n\n;")
    save_named_query(private_config, "old", "SELECT 2")
    text = private_config.read_text()
    assert text.startswith("# mine\n") and "# keep me\n" in text
    assert read_config(private_config).named_queries == {"old": "SELECT 2", "multi": "SELECT 1\nAS x\n;"}


def test_conninfo_and_close_did_you_mean() -> None:
    out, err = shell(
        "\\conninfo\n\\timng\n\\foo\n", Settings(color=False, sandbox=True, account="123", region="eu-west-1")
    )
    assert "Account: 123" in out and "Default region: eu-west-1" in out
    assert "Endpoint: https://cloudcontrolapi.eu-west-1.amazonaws.com" in out
    assert "(did you mean '\\timing'?)" in err
    assert "unknown meta command '\\foo'; type" in err  # \o is not "close" to \foo


def test_copy_writes_a_file_in_the_format_its_name_says(tmp_path: Path) -> None:
    shell("\\copy (SELECT 1 AS a, 'x' AS b) TO 'out.json'\n\\copy (SELECT 2 AS c) TO 'c.txt' WITH (FORMAT csv)\n")
    assert json.loads((tmp_path / "out.json").read_text()) == [{"a": 1, "b": "x"}]
    assert (tmp_path / "c.txt").read_text() == "c\n2\n"


# -- 3. scripts -----------------------------------------------------------------------------------------


def test_a_script_sets_its_own_variables_and_output(tmp_path: Path, capsys) -> None:
    script = tmp_path / "s.sql"
    script.write_text(
        "\\set fn orders\n\\o result.csv\nSELECT '{{ fn | upper }}' AS name;\n\\o\n\\x on\n"
        "SELECT '{{ missing | default(\"dev\") }}' AS env;\n\\i inner.sql\n"
    )
    (tmp_path / "inner.sql").write_text("\\T json\nSELECT 1 AS inner_one;\n")
    code, out, err = batch(capsys, "-f", str(script), "-o", "table")
    assert code == 0, err
    assert "ORDERS" in (tmp_path / "result.csv").read_text()
    assert "-[ RECORD 1 ]\nenv | dev" in out
    assert json.loads(out.split("env | dev\n", 1)[1]) == [{"inner_one": 1}]
    assert "Expanded display is on." in err  # answers go to stderr: stdout is results only


def test_a_script_refuses_what_needs_a_terminal(capsys) -> None:
    code, out, err = batch(capsys, "-e", "SELECT 1 AS x;\n\\watch 1\nSELECT 2 AS y;")
    assert code == 2 and out == "x\n1\n"
    assert "\\watch needs the interactive shell" in err


def test_stdin_scripts_take_meta_commands_and_g_terminators(capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\\T json\nSELECT 1 AS x \\g\n")))
    code, out, _ = batch(capsys)
    assert code == 0 and json.loads(out) == [{"x": 1}]


def test_unknown_filters_are_errors_never_literal_text(capsys) -> None:
    code, out, err = batch(capsys, "--var", "x=a", "-e", "SELECT '{{ x | title }}' AS y")
    assert code == 1 and out == "" and "unknown filter 'title'" in err


def test_split_script_keeps_backslashes_in_strings_and_comments() -> None:
    items = split_script("SELECT '\\g' AS a; -- \\x\n\\x on\nSELECT 1 \\gx\nSELECT 2")
    assert [(i.meta, i.text, i.terminator) for i in items] == [
        (False, "SELECT '\\g' AS a;", None),
        (True, "\\x on", None),
        (False, "SELECT 1", "\\gx"),
        (False, "SELECT 2", None),
    ]


def test_every_registered_command_is_in_the_help_with_its_script_marker() -> None:
    text = default_registry().help_text()
    assert " *\\set" in text and "  \\watch" in text and "  \\e " in text


# -- 6. the config file -------------------------------------------------------------------------------


def test_the_config_file_sets_defaults_under_flags_and_environment(private_config: Path, capsys, monkeypatch) -> None:
    private_config.write_text(
        DEFAULT_TEXT.replace("output =", "output = json").replace("region =", "region = eu-west-2")
    )
    _, out, _ = batch(capsys, "-e", "SELECT 1 AS x")
    assert json.loads(out) == [{"x": 1}]
    _, out, _ = batch(capsys, "-o", "csv", "-e", "SELECT 1 AS x")  # a flag wins
    assert out == "x\n1\n"
    args = cli.build_parser().parse_args([])
    config = read_config(private_config)
    assert cli.settings_from(args, {}, config).region == "eu-west-2"
    assert cli.settings_from(args, {"AWS_REGION": "us-west-1"}, config).region is None  # the environment wins
    assert (
        cli.settings_from(cli.build_parser().parse_args(["--region", "ap-south-1"]), {}, config).region == "ap-south-1"
    )
    settings = cli.settings_from(args, {}, config)
    assert (settings.rate_limit, settings.max_concurrency, settings.cache_ttl) == (20.0, 16, 300.0)


def test_config_flag_and_a_broken_file_is_one_line_naming_it(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "broken.ini"
    broken.write_text("[main]\ntiming = on\nrate_limit = fast\n")
    code, _, err = batch(capsys, "--config", str(broken), "-e", "SELECT 1")
    assert code == 2
    assert err == f"awsql: config file {broken}, line 3: rate_limit expects a number, not 'fast'\n"
    broken.write_text("[main]\nregoin = us-east-1\n")
    assert "line 2: unknown setting 'regoin' (did you mean 'region'?)" in batch(capsys, "--config", str(broken))[2]
    broken.write_text("timing = on\n")
    assert "line 1: a setting before any [section]" in batch(capsys, "--config", str(broken))[2]
    broken.write_text("[main]\nno equals sign\n")
    assert "line 2: not a setting" in batch(capsys, "--config", str(broken))[2]


# -- 7. completion through the shell ------------------------------------------------------------------


def test_the_shells_completion_offers_only_what_is_valid() -> None:

    shell_ = quiet_shell()
    offered = [c.text for c in shell_.completer.completions("UPDATE awscc.lambda.functions SET ")]
    assert "memory_size" in offered and not {"arn", "function_name", "region"} & set(offered)
    assert [c.text for c in shell_.completer.completions("\\x ")] == ["on", "off", "auto"]
    assert "awscc.lambda" in [c.text for c in shell_.completer.completions("SELECT * FROM l")][:10]
