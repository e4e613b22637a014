"""Every output format shows the same result faithfully: awkward strings, NULL, booleans, numbers, JSON."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from awsql_shell.errors import UsageError
from awsql_shell.render import footer, message_lines, render
from awsql_shell.render.table import fit_widths
from awsql_shell.result import Result
from awsql_shell.settings import OUTPUT_FORMATS

ANSI_ESCAPE = "\x1b["
AWKWARD = 'say "hi", then\nleave\ta note \\ here'
CONFIG = '{"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}}'


def sample() -> Result:
    return Result.of(
        ["function_name", "maximum_retry_attempts", "enabled", "destination_config", "description"],
        [
            ("fn-a", 2, True, CONFIG, AWKWARD),
            ("fn,b", None, 0, None, None),
        ],
        types={"maximum_retry_attempts": "integer", "enabled": "boolean", "destination_config": "object"},
    )


def rendered(result: Result, fmt: str, **options) -> str:
    out = io.StringIO()
    render(result, out, fmt=fmt, **options)
    return out.getvalue()


def test_csv_quotes_per_rfc4180_and_reads_back() -> None:
    text = rendered(sample(), "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == sample().columns
    assert rows[1] == ["fn-a", "2", "true", CONFIG, AWKWARD]
    assert rows[2] == ["fn,b", "", "false", "", ""]
    assert "\r" not in text


def test_csv_without_headers() -> None:
    rows = list(csv.reader(io.StringIO(rendered(sample(), "csv", headers=False))))
    assert len(rows) == 2 and rows[0][0] == "fn-a"


def test_tsv_keeps_every_row_on_one_line_with_escapes() -> None:
    lines = rendered(sample(), "tsv").splitlines()
    assert len(lines) == 3
    assert lines[0].split("\t") == sample().columns
    assert lines[1].split("\t") == ["fn-a", "2", "true", CONFIG, 'say "hi", then\\nleave\\ta note \\\\ here']
    assert lines[2].split("\t") == ["fn,b", "", "false", "", ""]
    assert rendered(sample(), "tsv", headers=False).splitlines() == lines[1:]


def test_text_is_values_only_one_row_per_line() -> None:
    result = Result.of(["insert_statement"], [("INSERT INTO t (\n a\n)\nSELECT\n '{{ a }}';",)])
    assert rendered(result, "text") == "INSERT INTO t (\n a\n)\nSELECT\n '{{ a }}';\n"  # one value: to paste
    text = rendered(sample(), "text")
    assert text.startswith("fn-a\t2\ttrue\t")
    assert len(text.splitlines()) == 2 and "then\\nleave\\ta note" in text
    assert "function_name" not in rendered(sample(), "text", headers=True)


HOSTILE = "prod\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b1m"  # writes the clipboard, clears the screen, C1 CSI


@pytest.mark.parametrize("fmt", ["table", "text"])
@pytest.mark.parametrize("expanded", [False, True])
def test_terminal_formats_never_send_control_characters_raw(fmt: str, expanded: bool) -> None:
    result = Result.of(["tag", f"alias{HOSTILE}"], [(HOSTILE, f"a\nb{HOSTILE}")], types={})
    text = rendered(result, fmt, expanded=expanded, color=False, width=200)
    assert not any(char in text for char in "\x1b\x07\x9b")
    assert "\\x1b]52;c;ZXZpbA==\\x07" in text


def test_json_and_csv_keep_values_exact() -> None:
    result = Result.of(["tag"], [(HOSTILE,)])
    assert json.loads(rendered(result, "json")) == [{"tag": HOSTILE}]
    assert list(csv.reader(io.StringIO(rendered(result, "csv")))) == [["tag"], [HOSTILE]]


def test_json_is_one_array_with_nested_json_and_real_types() -> None:
    data = json.loads(rendered(sample(), "json"))
    assert data == [
        {
            "function_name": "fn-a",
            "maximum_retry_attempts": 2,
            "enabled": True,
            "destination_config": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}},
            "description": AWKWARD,
        },
        {
            "function_name": "fn,b",
            "maximum_retry_attempts": None,
            "enabled": False,
            "destination_config": None,
            "description": None,
        },
    ]


def test_json_of_no_rows_is_an_empty_array() -> None:
    assert json.loads(rendered(Result.of(["a"], []), "json")) == []


def test_jsonl_is_one_object_per_line() -> None:
    lines = rendered(sample(), "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == json.loads(rendered(sample(), "json"))


def test_json_keeps_repeated_column_names_apart() -> None:
    assert json.loads(rendered(Result.of(["a", "a"], [(1, 2)]), "json")) == [{"a": 1, "a:1": 2}]


def test_json_column_holding_invalid_json_stays_a_string() -> None:
    result = Result.of(["tags"], [("not json",)], types={"tags": "array"})
    assert json.loads(rendered(result, "json")) == [{"tags": "not json"}]


def test_table_shows_every_row_and_shortens_json() -> None:
    text = rendered(sample(), "table", color=False, width=80)
    assert ANSI_ESCAPE not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "function_name" in text and "fn-a" in text and "fn,b" in text
    assert "true" in text and "false" in text and "NULL" in text
    assert CONFIG not in text and "…" in text


def test_table_without_headers() -> None:
    assert "function_name" not in rendered(sample(), "table", color=False, headers=False, width=120)


def test_table_with_room_shows_json_whole() -> None:
    text = rendered(sample(), "table", color=False, width=400)
    assert CONFIG in text


def test_table_one_column_result_is_shown_whole() -> None:
    statement = "INSERT INTO awscc.lambda.event_invoke_configs (\n FunctionName,\n region\n)"
    text = rendered(Result.of(["insert_statement"], [(statement,)]), "table", color=False, width=80)
    for line in statement.splitlines():
        assert line in text


def test_table_colors_only_when_allowed() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    colored = Terminal()
    render(sample(), colored, fmt="table", color=True, width=100)
    assert ANSI_ESCAPE in colored.getvalue()
    plain = Terminal()
    render(sample(), plain, fmt="table", color=False, width=100)
    assert ANSI_ESCAPE not in plain.getvalue()


def test_expanded_shows_one_field_per_line_with_values_whole() -> None:
    text = rendered(sample(), "table", expanded=True, color=False, width=60)
    lines = text.splitlines()
    assert lines[0].startswith("-[ RECORD 1 ]")
    assert "function_name          | fn-a" in lines
    assert f"destination_config     | {CONFIG}" in lines
    assert 'description            | say "hi", then' in lines
    assert "                       | leave\ta note \\ here" in lines
    assert "enabled                | false" in lines
    assert any(line.startswith("-[ RECORD 2 ]") for line in lines)


def test_expanded_without_headers_separates_records_by_a_blank_line() -> None:
    lines = rendered(sample(), "table", expanded=True, headers=False, color=False).splitlines()
    assert not any(line.startswith("-[ RECORD") for line in lines)
    assert "" in lines


def test_a_status_only_result_writes_nothing() -> None:
    for fmt in OUTPUT_FORMATS:
        assert rendered(Result(columns=[], rows=[], status="INSERT 1"), fmt) == ""


def test_unknown_format_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match="did you mean 'json'"):
        render(sample(), io.StringIO(), fmt="jsn")


def test_formats_are_case_insensitive() -> None:
    assert rendered(sample(), "CSV") == rendered(sample(), "csv")


def test_importing_render_does_not_import_rich() -> None:
    code = "import sys, awsql_shell.render; print(any(m.split('.')[0] == 'rich' for m in sys.modules))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"


def test_footer_counts_rows_and_time() -> None:
    assert footer(3, 0.2134) == "3 rows in 0.21 s"
    assert footer(1, 1.0) == "1 row in 1.00 s"
    assert footer(0) == "0 rows"


def test_message_lines_are_notices_warnings_then_status() -> None:
    result = Result([], [], status="INSERT 1", notices=["using region us-east-1"], warnings=["eu-west-1 failed"])
    assert message_lines(result) == ["NOTICE: using region us-east-1", "WARNING: eu-west-1 failed", "INSERT 1"]


def test_fit_widths_shrinks_the_widest_columns_first() -> None:
    assert fit_widths([5, 10, 200], 300) == [5, 10, 200]
    widths = fit_widths([5, 30, 200], 60)
    assert sum(widths) == 60 and widths[0] == 5 and widths[1] == 27 and widths[2] == 28
    assert fit_widths([40, 40], 4) == [8, 8]  # never below the floor


def sns_resources() -> Result:
    """Rows like `SHOW RESOURCES IN awscc.sns`: names and ids of single words beside a long description."""
    long_text = "The AWS::SNS::Topic resource creates a topic to which notifications can be published. " * 3
    rows = [
        ("subscriptions", "awscc.sns.subscriptions", "AWS::SNS::Subscription", "Resource Type definition", True),
        ("topic_inline_policies", "awscc.sns.topic_inline_policies", "AWS::SNS::TopicInlinePolicy", long_text, True),
        ("topics", "awscc.sns.topics", "AWS::SNS::Topic", long_text, False),
    ]
    return Result.of(
        ["name", "id", "type_name", "description", "supported", "operations"],
        [(*row, "SELECT, INSERT, UPDATE, DELETE") for row in rows],
        types={"supported": "boolean"},
    )


def test_table_keeps_names_and_ids_whole_while_the_description_wraps() -> None:
    text = rendered(sns_resources(), "table", color=False, width=140)
    lines = text.splitlines()
    assert all(len(line) <= 140 for line in lines)
    for whole in ("topic_inline_policies", "awscc.sns.topic_inline_policies", "AWS::SNS::TopicInlinePolicy"):
        assert any(f" {whole} " in line for line in lines), whole
    assert " supported " in lines[0]
    assert "…" in text  # the description is what gave way
    descriptions = [line.split("│")[3] for line in lines if "│" in line]
    assert max(len(cell) for cell in descriptions) > 16  # yet it keeps more than a sliver


def test_a_narrow_table_breaks_names_after_punctuation_not_mid_word() -> None:
    lines = rendered(sns_resources(), "table", color=False, width=80).splitlines()
    assert all(len(line) <= 80 for line in lines)
    cells = [part.strip() for line in lines for part in line.split("│")]
    assert "awscc.sns." in cells and "AWS::SNS::" in cells
    assert "subscriptions" in cells  # the id's last part, not `subscripti` / `ons`
    assert not any(cell.startswith(("ubscription", "ons")) for cell in cells)


def test_fit_widths_lets_free_text_give_way_before_compact_columns() -> None:
    assert fit_widths([30, 200], 40, compact=[True, False]) == [30, 10]
    assert fit_widths([80, 200], 60, compact=[True, False]) == [40, 20]  # a long ARN keeps up to 40
    assert fit_widths([80, 20], 110, compact=[True, False]) == [80, 20]
    assert fit_widths([30, 30, 200], 40, compact=[True, True, False]) == [16, 16, 8]  # compact shrink last
    assert fit_widths([30, 30, 200], 20, compact=[True, True, False]) == [8, 8, 8]  # floors, as without hints
    assert fit_widths([5, 30, 200], 60, compact=[False, False, False]) == fit_widths([5, 30, 200], 60)
