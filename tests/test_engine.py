"""SQLite evaluates the user's SQL on materialized rows, typed by the schema."""

from __future__ import annotations

import pytest

from awsql_shell.engine import Engine, MaterializedTable, SqliteError, to_sql_value
from awsql_shell.errors import AwsqlError

FUNCTIONS = MaterializedTable(
    "__awsql_0",
    (
        ("function_name", "string"),
        ("memory_size", "integer"),
        ("environment", "object"),
        ("region", "string"),
        ("snap_start_enabled", "boolean"),
    ),
    [
        ("api", 512, to_sql_value({"Variables": {"STAGE": "prod"}}, "object"), "us-east-1", 1),
        ("worker", 128, None, "us-east-1", 0),
        ("edge", 256, to_sql_value({"Variables": {"STAGE": "dev"}}, "object"), "eu-west-1", None),
    ],
)


def test_local_statement_needs_no_table() -> None:
    result = Engine().query("SELECT 1 AS x, 'a' AS marker")
    assert (result.columns, result.rows) == (["x", "marker"], [(1, "a")])


def test_json_columns_answer_json_extract_and_arrow_operators() -> None:
    result = Engine().query(
        "SELECT function_name, json_extract(environment, '$.Variables.STAGE') AS stage, environment ->> '$.Variables' "
        "FROM __awsql_0 WHERE environment IS NOT NULL ORDER BY function_name",
        [FUNCTIONS],
    )
    assert result.rows == [("api", "prod", '{"STAGE":"prod"}'), ("edge", "dev", '{"STAGE":"dev"}')]


def test_aggregates_and_types_survive() -> None:
    result = Engine().query(
        "SELECT region, sum(memory_size) AS total FROM __awsql_0 GROUP BY region ORDER BY region", [FUNCTIONS]
    )
    assert result.rows == [("eu-west-1", 256), ("us-east-1", 640)]


def test_booleans_come_back_as_booleans_and_json_types_are_reported() -> None:
    result = Engine().query("SELECT function_name, snap_start_enabled, environment FROM __awsql_0", [FUNCTIONS])
    assert [row[1] for row in result.rows] == [True, False, None]
    assert result.types["environment"] == "object"


def test_tables_are_dropped_even_when_the_statement_fails() -> None:
    engine = Engine()
    with pytest.raises(SqliteError, match=r"no such column: functon_name") as raised:
        engine.query("SELECT functon_name FROM __awsql_0", [FUNCTIONS])
    assert raised.value.missing_column == "functon_name"  # the execution layer adds the did-you-mean
    # The same table name can be materialized again: nothing was left behind.
    assert engine.query("SELECT count(*) FROM __awsql_0", [FUNCTIONS]).rows == [(3,)]


def test_sql_errors_are_one_line_awsql_errors() -> None:
    with pytest.raises(AwsqlError, match="SQL error: "):
        Engine().query("SELECT FROM WHERE")


@pytest.mark.parametrize(
    ("value", "kind", "stored"),
    [
        ("42", "integer", 42),
        ("1.5", "number", 1.5),
        ("true", "boolean", 1),
        (False, "boolean", 0),
        (["a", 1], "array", '["a",1]'),
        (None, "object", None),
        ("x", "string", "x"),
    ],
)
def test_values_are_stored_by_schema_type(value, kind, stored) -> None:
    assert to_sql_value(value, kind) == stored
