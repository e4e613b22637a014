"""``{{ name }}`` variables: plain text replacement from --var, --vars-file (JSON or YAML) and \\set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from awsql_shell.errors import UsageError, ValidationError, describe
from awsql_shell.sql import find_variables, load_vars_file, parse_statement, substitute
from awsql_shell.sql.statements import Insert
from awsql_shell.sql.variables import parse_var_option

SEED_UPDATE = """/*+ update */
UPDATE awscc.lambda.event_invoke_configs
SET PatchDocument = string('{{ {
    "DestinationConfig": destination_config
} | generate_patch_document }}')
WHERE region = '{{ region }}'
AND Identifier = '{{ function_name }}|{{ qualifier }}';"""


def test_find_variables_in_order_each_once() -> None:
    text = "WHERE a = '{{ region }}' AND b = '{{function_name}}|{{ qualifier }}' AND c = '{{region}}' {{ vars.REGION }}"
    assert find_variables(text) == ["region", "function_name", "qualifier", "vars.REGION"]
    assert find_variables("SELECT 1") == []


def test_braces_that_are_not_a_variable_are_an_error_not_literal_text() -> None:
    assert find_variables(SEED_UPDATE) == ["region", "function_name", "qualifier"]
    assert find_variables("{ x }") == []
    for text in ("{{ 1x }}", "{{ a b }}", "{{}}"):
        assert find_variables(text) == [text]
        with pytest.raises(ValidationError, match=r"is not a variable: write \{\{ name \}\}"):
            substitute(f"SELECT '{text}'", {"a": "1"})


def test_the_documented_filters_work() -> None:
    values = {"env": "Prod", "name": "o'x"}
    assert substitute("{{ env | upper }} {{env|lower}}", values) == "PROD prod"
    assert substitute("{{ missing | default('dev') }} {{ missing | default(\"q\") | upper }}", values) == "dev Q"
    assert substitute("{{ env | default('dev') }}", values) == "Prod"
    assert substitute("{{ name | tojson }}", values) == '"o\'x"'


def test_an_unknown_filter_is_an_error_naming_the_filters() -> None:
    expected = r"unknown filter 'title' in '\{\{ env \| title \}\}': the filters are upper"
    with pytest.raises(ValidationError, match=expected):
        substitute("SELECT '{{ env | title }}'", {"env": "x"})


def test_substitute_replaces_every_occurrence_with_or_without_spaces() -> None:
    values = {"region": "us-east-1", "function_name": "fn", "qualifier": "$LATEST"}
    text = "WHERE region = '{{ region }}' AND Identifier = '{{function_name}}|{{  qualifier  }}' -- {{region}}"
    assert substitute(text, values) == "WHERE region = 'us-east-1' AND Identifier = 'fn|$LATEST' -- us-east-1"


def test_substitute_leaves_text_without_variables_unchanged() -> None:
    assert substitute("SELECT '{ not }' AS x", {}) == "SELECT '{ not }' AS x"


def test_values_are_plain_text_never_scanned_again() -> None:
    assert substitute("'{{ a }}'", {"a": "{{ b }}", "b": "x"}) == "'{{ b }}'"
    assert substitute("{{ a }}", {"a": "$1 \\1 \\g<0>"}) == "$1 \\1 \\g<0>"


def test_undefined_variables_are_named_sorted_and_once_each() -> None:
    text = "SELECT '{{ region }}', '{{ qualifier }}', '{{ region }}', '{{ defined }}'"
    with pytest.raises(ValidationError) as caught:
        substitute(text, {"defined": "x"})
    assert caught.value.message == "undefined variables: qualifier, region"
    assert describe(caught.value) == "undefined variables: qualifier, region (line 1, column 9)"
    with pytest.raises(ValidationError, match=r"^undefined variable: region$"):
        substitute("'{{ region }}'", {})


def test_parsing_and_substitution_are_independent() -> None:
    template = (
        "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, region) "
        "SELECT '{{ name }}', {{ days }}, '{{ region }}'"
    )
    before = parse_statement(template)
    assert isinstance(before, Insert) and [v.value for v in before.rows[0]] == [
        "{{ name }}",
        "{{ days }}",
        "{{ region }}",
    ]
    after = parse_statement(substitute(template, {"name": "app", "days": "7", "region": "us-east-1"}))
    assert isinstance(after, Insert) and [v.value for v in after.rows[0]] == ["app", 7, "us-east-1"]


# -- vars files -------------------------------------------------------------------------------


def test_json_vars_file(tmp_path: Path) -> None:
    path = tmp_path / "vars.json"
    path.write_text(json.dumps({"region": "us-east-1", "retries": 2, "enabled": True, "ratio": 0.5}))
    assert load_vars_file(path) == {"region": "us-east-1", "retries": "2", "enabled": "true", "ratio": "0.5"}


@pytest.mark.slow
def test_yaml_vars_file_with_nested_values(tmp_path: Path) -> None:
    path = tmp_path / "vars.yaml"
    path.write_text(
        "function_name: fn\n"
        "qualifier: $LATEST\n"
        "destination_config:\n"
        "  OnFailure:\n"
        "    Destination: arn:aws:sqs:us-east-1:123456789012:dlq\n"
        "layers: [a, b]\n"
    )
    variables = load_vars_file(str(path))
    assert variables["function_name"] == "fn" and variables["qualifier"] == "$LATEST"
    assert json.loads(variables["destination_config"]) == {
        "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"}
    }
    assert variables["destination_config.OnFailure.Destination"] == "arn:aws:sqs:us-east-1:123456789012:dlq"
    assert json.loads(variables["layers"]) == ["a", "b"]
    text = "SELECT '{{ destination_config }}', '{{ destination_config.OnFailure.Destination }}'"
    assert substitute(text, variables).startswith("""SELECT '{"OnFailure": {"Destination": "arn:aws:sqs:""")


def test_yml_and_unknown_extensions_read_as_yaml(tmp_path: Path) -> None:
    (tmp_path / "v.yml").write_text("a: 1\n")
    (tmp_path / "v.vars").write_text('{"b": "x"}')
    assert load_vars_file(tmp_path / "v.yml") == {"a": "1"}
    assert load_vars_file(tmp_path / "v.vars") == {"b": "x"}
    (tmp_path / "empty.yaml").write_text("")
    assert load_vars_file(tmp_path / "empty.yaml") == {}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad.json",
            '{"a": 1,}',
            r"bad\.json: invalid JSON: Expecting property name enclosed in double quotes \(line 1, column 9\)",
        ),
        ("bad.yaml", "a: [1, 2\nb: 3\n", r"bad\.yaml: invalid YAML: .* \(line \d+, column \d+\)"),
        ("list.json", "[1, 2]", r"must hold a mapping of names to values, not a list"),
        ("text.yaml", "just text", r"must hold a mapping of names to values, not a string"),
        ("null.yaml", "region:\n", r"variable 'region' has no value"),
        ("name.json", '{"1x": "a"}', r"'1x' is not a variable name"),
    ],
)
def test_bad_vars_files_are_usage_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_vars_file(path)


def test_missing_or_unreadable_vars_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^vars file not found: .*nope\.json$"):
        load_vars_file(tmp_path / "nope.json")
    with pytest.raises(UsageError, match=r"^vars file is a directory"):
        load_vars_file(tmp_path)


def test_var_option() -> None:
    assert parse_var_option("region=us-east-1") == ("region", "us-east-1")
    assert parse_var_option(" id = a=b") == ("id", " a=b")
    assert parse_var_option("empty=") == ("empty", "")
    for bad in ("region", "=x", "1a=b", "a b=c"):
        with pytest.raises(UsageError, match="expected NAME=VALUE"):
            parse_var_option(bad)


def test_positions_in_substituted_text_map_back_to_what_was_written() -> None:
    from awsql_shell.sql.variables import original_position

    text = "SELECT '{{ v }}' AS b, nope"
    values = {"v": "a much longer value"}
    substituted = substitute(text, values)
    assert original_position(text, values, substituted.index("nope")) == text.index("nope")
    assert original_position(text, values, substituted.index("much")) == text.index("{{")
    assert original_position(text, values, 3) == 3
