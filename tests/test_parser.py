"""The parser turns awscc-dialect text into the typed statements the planner and executor read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from awsql_shell.errors import SqlSyntaxError, UnknownNameError, describe
from awsql_shell.sql import parse_script, parse_statement, split_script
from awsql_shell.sql.statements import (
    Delete,
    Describe,
    Explain,
    Insert,
    Select,
    SelectScope,
    ShowInsert,
    ShowMethods,
    ShowProviders,
    ShowResources,
    ShowServices,
    Span,
    Statement,
    Update,
)

EIC = "awscc.lambda.event_invoke_configs"


def select(sql: str) -> Select:
    statement = parse_statement(sql)
    assert isinstance(statement, Select)
    return statement


def scope_of(sql: str) -> SelectScope:
    return select(sql).scopes[0]


def text_at(statement: Statement, span: Span) -> str:
    return statement.text[span.start : span.end]


def columns(scope: SelectScope) -> list[str]:
    return [f"{c.qualifier}.{c.name}" if c.qualifier else c.name for c in scope.columns]


def where_of(scope: SelectScope) -> list[tuple[str | None, str, str, list]]:
    return [(c.column.qualifier, c.column.name, c.operator, [v.value for v in c.values]) for c in scope.where]


def error(sql: str) -> str:
    with pytest.raises(SqlSyntaxError) as caught:
        parse_script(sql)
    return describe(caught.value)


def sql_blocks(markdown: str) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", markdown, re.S)


# -- scripts: splitting, offsets, hints ------------------------------------------------------


def test_script_splits_on_semicolons_with_offsets_of_each_statement() -> None:
    script = "SELECT 1;\n  SHOW SERVICES ;\n\nDESCRIBE awscc.lambda.functions"
    statements = parse_script(script)
    assert [type(s) for s in statements] == [Select, ShowServices, Describe]
    assert [s.text for s in statements] == ["SELECT 1", "SHOW SERVICES", "DESCRIBE awscc.lambda.functions"]
    for statement in statements:
        assert script[statement.offset : statement.offset + len(statement.text)] == statement.text


def test_semicolons_inside_strings_quoted_names_and_comments_do_not_split() -> None:
    script = """SELECT 'a;b' AS "x;y" FROM t /* ; */ WHERE c = ';' -- ;
    ; SELECT 2"""
    first, second = parse_script(script)
    assert first.text.startswith("SELECT 'a;b'") and first.text.endswith("WHERE c = ';'")
    assert second.text == "SELECT 2"


def test_empty_statements_and_comment_only_statements_are_skipped() -> None:
    assert parse_script(";;  ; -- nothing\n ; /* still nothing */ ;") == []
    assert [s.text for s in parse_script("; SELECT 1 ;; SELECT 2 ;")] == ["SELECT 1", "SELECT 2"]


def test_line_comments_around_a_statement_are_not_part_of_its_text() -> None:
    statement = parse_script("-- list them\nSELECT 1 -- trailing\n;")[0]
    assert statement.text == "SELECT 1"
    assert statement.offset == len("-- list them\n")


def test_hints_are_collected_lower_cased_and_other_comments_ignored() -> None:
    statement = parse_statement("/*+ NOWAIT */ DELETE FROM awscc.s3.buckets /* plain */ WHERE Identifier = 'b'")
    assert statement.hints == ("nowait",)
    assert statement.has_hint("NOWAIT") and not statement.has_hint("plain")
    assert parse_statement("/*+ REQUIRED, NoWait */ SELECT 1").hints == ("required", "nowait")
    assert parse_statement("SELECT 1 /* + not a hint */").hints == ()


def test_split_script_gives_each_statement_unparsed() -> None:
    script = "SELECT 1; SELEC 2; SHOW SERVICES"
    assert split_script(script) == [("SELECT 1", 0), ("SELEC 2", 10), ("SHOW SERVICES", 19)]


def test_parse_statement_placed_in_a_script_reports_script_positions() -> None:
    script = "SELECT 1;\nSELEC 2"
    text, offset = split_script(script)[1]
    with pytest.raises(SqlSyntaxError) as caught:
        parse_statement(text, offset=offset, script=script)
    assert describe(caught.value) == "unknown statement 'SELEC' (did you mean 'SELECT'?) (line 2, column 1)"
    assert parse_statement("SELECT 2", offset=offset, script=script).offset == offset


def test_parse_statement_wants_exactly_one_statement() -> None:
    assert parse_statement("SELECT 1;").text == "SELECT 1"
    with pytest.raises(SqlSyntaxError) as caught:
        parse_statement("SELECT 1; SELECT 2")
    assert describe(caught.value) == "expected one statement, found a second one (line 1, column 11)"
    with pytest.raises(SqlSyntaxError, match="empty statement"):
        parse_statement("  -- nothing")


# -- the reference pages ---------------------------------------------------------------------------


def test_every_statement_of_the_seed_page_parses_with_its_hints(shared_dir: Path) -> None:
    page = (shared_dir / "spec" / "seed-event_invoke_configs.md").read_text()
    statements = [s for block in sql_blocks(page) for s in parse_script(block)]
    kinds = [type(s).__name__ for s in statements]
    assert kinds == ["Select", "Select", "Insert", "Insert", "Update", "Delete"]
    assert [s.hints for s in statements[2:]] == [("create",), ("create",), ("update",), ("delete",)]
    required = statements[2]
    assert isinstance(required, Insert) and required.target is not None and required.target.name == EIC
    assert [c.name for c in required.columns] == ["FunctionName", "Qualifier", "region"]
    assert [v.value for v in required.rows[0]] == ["{{ function_name }}", "{{ qualifier }}", "{{ region }}"]
    update = statements[4]
    assert isinstance(update, Update)
    patch = update.assignments[0]
    assert patch.column.name == "PatchDocument"
    assert patch.value.value.startswith("{{ {") and patch.value.value.endswith("| generate_patch_document }}")
    assert where_of(update)[1] == (None, "Identifier", "=", ["{{ function_name }}|{{ qualifier }}"])


def test_every_statement_of_the_dialect_parses(shared_dir: Path) -> None:
    page = (shared_dir / "spec" / "dialect.md").read_text()
    statements = [s for block in sql_blocks(page) for s in parse_script(block)]
    assert len(statements) >= 14
    assert {type(s).__name__ for s in statements} == {"Select", "Insert", "Update", "Delete"}


# -- SELECT ----------------------------------------------------------------------------------------


def test_select_reads_tables_columns_and_simple_where() -> None:
    statement = select("SELECT function_name, runtime FROM awscc.lambda.functions WHERE region = 'us-east-1'")
    (scope,) = statement.scopes
    (table,) = scope.tables
    assert (table.name, table.alias, table.is_awscc, table.reference) == (
        "awscc.lambda.functions",
        None,
        True,
        "functions",
    )
    assert text_at(statement, table.span) == "awscc.lambda.functions"
    assert columns(scope) == ["function_name", "runtime", "region"]
    assert where_of(scope) == [(None, "region", "=", ["us-east-1"])]
    assert text_at(statement, scope.where[0].span) == "region = 'us-east-1'"
    assert (scope.where_is_simple, scope.where_conjuncts, scope.star) == (True, 1, ())


def test_join_with_aliases_and_qualified_comparisons() -> None:
    statement = select(
        "SELECT f.function_name, c.maximum_retry_attempts FROM awscc.lambda.functions f\n"
        "  JOIN awscc.lambda.event_invoke_configs AS c ON c.function_name = f.function_name\n"
        "  WHERE f.region = 'us-east-1' AND c.region = 'us-east-1'"
    )
    (scope,) = statement.scopes
    assert [(t.name, t.alias, t.reference) for t in scope.tables] == [
        ("awscc.lambda.functions", "f", "f"),
        (EIC, "c", "c"),
    ]
    assert [text_at(statement, t.span) for t in scope.tables] == ["awscc.lambda.functions", EIC]
    assert columns(scope) == [
        "f.function_name",
        "c.maximum_retry_attempts",
        "c.function_name",
        "f.function_name",
        "f.region",
        "c.region",
    ]
    assert where_of(scope) == [("f", "region", "=", ["us-east-1"]), ("c", "region", "=", ["us-east-1"])]
    assert [text_at(statement, c.column.span) for c in scope.where] == ["f.region", "c.region"]


def test_comma_joins_outer_joins_using_and_parenthesized_joins() -> None:
    statement = select(
        "SELECT * FROM a, b AS bb LEFT OUTER JOIN c ON c.k = bb.k NATURAL JOIN d CROSS JOIN e "
        "INNER JOIN (f JOIN g ON f.x = g.x) USING (id)"
    )
    (scope,) = statement.scopes
    assert [t.name for t in scope.tables] == ["a", "b", "c", "d", "e", "f", "g"]
    assert all(text_at(statement, t.span) == t.name for t in scope.tables)
    assert {t.is_awscc for t in scope.tables} == {False}
    assert columns(scope) == ["c.k", "bb.k", "f.x", "g.x", "id"]


def test_star_and_qualified_star() -> None:
    assert scope_of("SELECT * FROM t").star == (None,)
    assert scope_of("SELECT f.*, c.qualifier FROM awscc.lambda.functions f, t c").star == ("f",)
    scope = scope_of("SELECT count(*) FROM t")
    assert scope.star == () and scope.grouped


def test_columns_leave_out_functions_keywords_strings_and_order_by_aliases() -> None:
    scope = scope_of(
        "SELECT upper(name) AS big, json_extract(destination_config, '$.OnFailure.Destination') dest, "
        "CASE WHEN memory_size > 128 AND NOT timeout IS NULL THEN 'large' ELSE 'small' END AS size, "
        "CAST(timeout AS INTEGER), runtime COLLATE nocase, arn ->> '$.x' "
        "FROM t WHERE handler LIKE 'index%' AND version BETWEEN 1 AND 3 AND layers IS NOT DISTINCT FROM x "
        "ORDER BY big, dest DESC, size NULLS LAST, role"
    )
    assert columns(scope) == [
        "name",
        "destination_config",
        "memory_size",
        "timeout",
        "timeout",
        "runtime",
        "arn",
        "handler",
        "version",
        "layers",
        "x",
        "role",
    ]


def test_names_that_are_keywords_elsewhere_are_columns() -> None:
    scope = scope_of('SELECT type, name, range, filter, partition, "order", key, value FROM t WHERE source = 1')
    assert columns(scope) == ["type", "name", "range", "filter", "partition", "order", "key", "value", "source"]


def test_quoted_column_names_are_unquoted() -> None:
    statement = select('SELECT "Function Name", [b], `c`, t."D""q" FROM t')
    assert columns(statement.scopes[0]) == ["Function Name", "b", "c", 't.D"q']
    assert text_at(statement, statement.scopes[0].columns[3].span) == 't."D""q"'


def test_order_by_an_expression_over_an_alias_keeps_the_name() -> None:
    scope = scope_of("SELECT a AS b FROM t ORDER BY b + 1")
    assert columns(scope) == ["a", "b"]
    assert scope.ordered


def test_limit_and_offset_when_literal() -> None:
    assert (scope_of("SELECT * FROM t LIMIT 10").limit, scope_of("SELECT * FROM t LIMIT 10").offset) == (10, None)
    scope = scope_of("SELECT * FROM t LIMIT 10 OFFSET 5")
    assert (scope.limit, scope.offset) == (10, 5)
    scope = scope_of("SELECT * FROM t LIMIT 5, 10")  # SQLite: LIMIT offset, count
    assert (scope.limit, scope.offset) == (10, 5)
    scope = scope_of("SELECT * FROM t LIMIT 2 * 5")
    assert (scope.limit, scope.offset) == (None, None)
    assert not scope.ordered and not scope.grouped


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT region FROM t GROUP BY region",
        "SELECT DISTINCT region FROM t",
        "SELECT count(region) FROM t",
        "SELECT sum(a), avg(b) FROM t",
        "SELECT max(memory_size) FROM t",
        "SELECT total(x) FROM t",
        "SELECT group_concat(name, ',') FROM t",
        "SELECT json_group_array(name) FROM t",
        "SELECT json_group_object(name, arn) FROM t",
        "SELECT row_number() OVER (ORDER BY name) FROM t",
        "SELECT a FROM t HAVING count(*) > 1",
    ],
)
def test_grouped_when_rows_are_merged(sql: str) -> None:
    assert scope_of(sql).grouped


def test_not_grouped_for_scalar_functions_and_subquery_aggregates() -> None:
    assert not scope_of("SELECT min(a, b), max(c, d), upper(e) FROM t").grouped
    statement = select("SELECT a, (SELECT count(*) FROM u) FROM t")
    assert not statement.scopes[0].grouped and statement.scopes[1].grouped


def test_window_definitions_contribute_columns_not_keywords() -> None:
    scope = scope_of(
        "SELECT rank() OVER (PARTITION BY region ORDER BY created ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), "
        "count(*) FILTER (WHERE state = 'x') OVER w FROM t WINDOW w AS (PARTITION BY kind)"
    )
    assert columns(scope) == ["region", "created", "state", "kind"]
    assert scope.grouped


def test_select_without_table_is_local() -> None:
    statement = select("SELECT 1 AS x")
    assert statement.tables == () and len(statement.scopes) == 1
    assert select("SELECT 'a' AS marker").scopes[0].columns == ()


def test_cte_bodies_are_scopes_and_cte_names_are_plain_tables() -> None:
    statement = select(
        "WITH fns AS (SELECT function_name FROM awscc.lambda.functions WHERE region = 'us-east-1'), "
        "n(x) AS (SELECT 1) SELECT fns.function_name FROM fns JOIN n ON 1 = 1"
    )
    main, body, numbers = statement.scopes
    assert [(t.name, t.is_awscc) for t in main.tables] == [("fns", False), ("n", False)]
    assert [t.name for t in body.tables] == ["awscc.lambda.functions"]
    assert where_of(body) == [(None, "region", "=", ["us-east-1"])]
    assert numbers.tables == ()
    assert [t.name for t in statement.tables] == ["fns", "n", "awscc.lambda.functions"]
    assert text_at(statement, body.tables[0].span) == "awscc.lambda.functions"


def test_union_arms_are_scopes_and_share_the_order_but_not_the_limit() -> None:
    statement = select(
        "SELECT bucket_name AS name FROM awscc.s3.buckets WHERE region = 'a' "
        "UNION ALL SELECT function_name FROM awscc.lambda.functions "
        "EXCEPT SELECT x FROM t ORDER BY name LIMIT 3"
    )
    assert [[t.name for t in s.tables] for s in statement.scopes] == [
        ["awscc.s3.buckets"],
        ["awscc.lambda.functions"],
        ["t"],
    ]
    assert all(s.ordered and s.limit is None for s in statement.scopes)
    assert where_of(statement.scopes[0]) == [(None, "region", "=", ["a"])]


def test_subqueries_in_from_where_and_select_list_are_scopes_of_their_own() -> None:
    statement = select(
        "SELECT s.name, (SELECT count(*) FROM awscc.ec2.vpcs v WHERE v.region = s.region) AS vpcs "
        "FROM (SELECT bucket_name AS name, region FROM awscc.s3.buckets) AS s "
        "WHERE s.name IN (SELECT function_name FROM awscc.lambda.functions) AND EXISTS (SELECT 1 FROM t)"
    )
    outer, in_select, in_from, in_where, in_exists = statement.scopes
    assert outer.tables == ()
    assert columns(outer) == ["s.name", "s.name"]
    assert [t.name for t in in_select.tables] == ["awscc.ec2.vpcs"]
    assert columns(in_select) == ["v.region", "s.region"]  # the correlated s.region stays where it is written
    assert [t.name for t in in_from.tables] == ["awscc.s3.buckets"]
    assert [t.name for t in in_where.tables] == ["awscc.lambda.functions"]
    assert [t.name for t in in_exists.tables] == ["t"]
    assert outer.where == () and outer.where_conjuncts == 2


def test_table_valued_functions_are_not_tables_but_their_arguments_are_columns() -> None:
    statement = select("SELECT j.value FROM awscc.ec2.vpcs v, json_each(v.tags) AS j WHERE j.key = 'Name'")
    (scope,) = statement.scopes
    assert [t.name for t in scope.tables] == ["awscc.ec2.vpcs"]
    assert columns(scope) == ["j.value", "v.tags", "j.key"]


# -- WHERE conjuncts ---------------------------------------------------------------------------------


def test_comparisons_in_every_simple_form() -> None:
    statement = select(
        "SELECT * FROM t WHERE region IN ('us-east-1', 'eu-west-1') AND 'fn|$LATEST' = Identifier "
        "AND t.memory_size = -128 AND enabled == TRUE AND ratio = 1.5 AND x.y.z = 0"
    )
    scope = statement.scopes[0]
    assert where_of(scope) == [
        (None, "region", "in", ["us-east-1", "eu-west-1"]),
        (None, "Identifier", "=", ["fn|$LATEST"]),
        ("t", "memory_size", "=", [-128]),
        (None, "enabled", "=", [True]),
        (None, "ratio", "=", [1.5]),
        ("x.y", "z", "=", [0]),
    ]
    assert [text_at(statement, c.span) for c in scope.where] == [
        "region IN ('us-east-1', 'eu-west-1')",
        "'fn|$LATEST' = Identifier",
        "t.memory_size = -128",
        "enabled == TRUE",
        "ratio = 1.5",
        "x.y.z = 0",
    ]
    assert [text_at(statement, v.span) for v in scope.where[0].values] == ["'us-east-1'", "'eu-west-1'"]
    assert scope.where_conjuncts == 6


def test_other_conjuncts_stay_sql_but_are_counted() -> None:
    scope = scope_of(
        "SELECT * FROM t WHERE region = 'a' AND x > 1 AND y NOT IN ('b') AND z = NULL AND w IN (SELECT 1) "
        "AND v = 'a' || 'b' AND u BETWEEN 1 AND 2 AND CASE WHEN p AND q THEN 1 END AND Identifier = 'i'"
    )
    assert where_of(scope) == [(None, "region", "=", ["a"]), (None, "Identifier", "=", ["i"])]
    assert scope.where_is_simple and scope.where_conjuncts == 9


def test_top_level_or_makes_where_not_simple() -> None:
    scope = scope_of("SELECT * FROM t WHERE region = 'a' AND Identifier = 'x' OR Identifier = 'y'")
    assert (scope.where, scope.where_is_simple, scope.where_conjuncts) == ((), False, 1)
    scope = scope_of("SELECT * FROM t WHERE region = 'a' AND (Identifier = 'x' OR name = 'y')")
    assert where_of(scope) == [(None, "region", "=", ["a"])]
    assert scope.where_is_simple and scope.where_conjuncts == 2
    # An OR of equalities on one column is an IN, and stays a simple conjunct.
    scope = scope_of("SELECT * FROM t WHERE region = 'a' AND (Identifier = 'x' OR Identifier = 'y')")
    assert where_of(scope) == [(None, "region", "=", ["a"]), (None, "Identifier", "in", ["x", "y"])]


def test_like_conjuncts_with_a_string_pattern_and_escape_are_read() -> None:
    statement = select(
        "SELECT * FROM t WHERE t.name LIKE 'orders%' AND (path LIKE 'a\\_%' ESCAPE '\\') AND x LIKE y "
        "AND z LIKE 'a' || '%' AND w NOT LIKE 'b%' AND v LIKE 'c' ESCAPE 'ab' AND u LIKE 5"
    )
    scope = statement.scopes[0]
    assert where_of(scope) == [("t", "name", "like", ["orders%"]), (None, "path", "like", ["a\\_%"])]
    assert [c.escape for c in scope.where] == [None, "\\"]
    assert not any(c.pins for c in scope.where)
    assert text_at(statement, scope.where[1].span) == "path LIKE 'a\\_%' ESCAPE '\\'"
    assert scope.where_conjuncts == 7


def test_an_or_with_a_like_is_no_in() -> None:
    scope = scope_of("SELECT * FROM t WHERE region = 'a' AND (name LIKE 'x%' OR name = 'y')")
    assert where_of(scope) == [(None, "region", "=", ["a"])]
    scope = scope_of("SELECT * FROM t WHERE name = 'y' OR name LIKE 'x%'")
    assert (scope.where, scope.where_is_simple) == ((), False)


def test_update_and_delete_where_keep_only_pins() -> None:
    # The mutation planner counts the conjuncts it is given: a LIKE names no target and must not look named.
    update = parse_statement("UPDATE t SET a = 1 WHERE Identifier = 'x' AND Identifier LIKE 'y%'")
    assert isinstance(update, Update)
    assert where_of(update) == [(None, "Identifier", "=", ["x"])]
    delete = parse_statement("DELETE FROM t WHERE region LIKE 'us-%' AND Identifier = 'x'")
    assert isinstance(delete, Delete)
    assert where_of(delete) == [(None, "Identifier", "=", ["x"])]


def test_parenthesized_and_is_looked_into() -> None:
    statement = select("SELECT * FROM t WHERE (region = 'a' AND (Identifier = 'b')) AND x > 1")
    scope = statement.scopes[0]
    assert where_of(scope) == [(None, "region", "=", ["a"]), (None, "Identifier", "=", ["b"])]
    assert scope.where_conjuncts == 3
    assert text_at(statement, scope.where[1].span) == "Identifier = 'b'"


def test_no_where() -> None:
    scope = scope_of("SELECT * FROM t")
    assert (scope.where, scope.where_is_simple, scope.where_conjuncts) == ((), True, 0)


# -- INSERT ---------------------------------------------------------------------------------------------


def test_insert_values_rows_of_typed_literals() -> None:
    statement = parse_statement(
        "INSERT INTO awscc.logs.log_groups (LogGroupName, RetentionInDays, Enabled, KmsKeyId, region) VALUES "
        "('app''s', 7, TRUE, NULL, 'us-east-1'), ('web', -1.5, false, '{{ key }}', 'eu-west-1')"
    )
    assert isinstance(statement, Insert) and statement.target is not None
    assert statement.target.name == "awscc.logs.log_groups"
    assert text_at(statement, statement.target.span) == "awscc.logs.log_groups"
    assert [c.name for c in statement.columns] == ["LogGroupName", "RetentionInDays", "Enabled", "KmsKeyId", "region"]
    assert [text_at(statement, c.span) for c in statement.columns] == [c.name for c in statement.columns]
    assert [[v.value for v in row] for row in statement.rows] == [
        ["app's", 7, True, None, "us-east-1"],
        ["web", -1.5, False, "{{ key }}", "eu-west-1"],
    ]
    assert text_at(statement, statement.rows[1][1].span) == "-1.5"
    assert statement.query is None and statement.returning == ()


def test_insert_select_of_constants_gives_rows() -> None:
    statement = parse_statement(
        "INSERT INTO awscc.lambda.event_invoke_configs (FunctionName, Qualifier, MaximumRetryAttempts, region)\n"
        "SELECT 'fn', '$LATEST', 1, 'us-east-1' UNION ALL SELECT 'fn2' AS f, '$LATEST', 2, 'us-east-1'"
    )
    assert isinstance(statement, Insert)
    assert [[v.value for v in row] for row in statement.rows] == [
        ["fn", "$LATEST", 1, "us-east-1"],
        ["fn2", "$LATEST", 2, "us-east-1"],
    ]
    assert statement.query is None


def test_insert_select_over_resources_gives_a_query() -> None:
    script = "SELECT 1;\nINSERT INTO awscc.logs.log_groups (LogGroupName, region)\nSELECT name, region FROM awscc.x.y"
    statement = parse_script(script)[1]
    assert isinstance(statement, Insert) and statement.rows == ()
    query = statement.query
    assert isinstance(query, Select)
    assert query.text == "SELECT name, region FROM awscc.x.y"
    assert script[query.offset : query.offset + len(query.text)] == query.text
    assert [text_at(query, t.span) for t in query.tables] == ["awscc.x.y"]


def test_insert_with_expressions_is_a_query_for_sqlite() -> None:
    statement = parse_statement("INSERT INTO t (a, b) VALUES (upper('x'), 2)")
    assert isinstance(statement, Insert) and statement.rows == ()
    assert statement.query is not None and statement.query.text == "VALUES (upper('x'), 2)"
    statement = parse_statement("INSERT INTO t (a) SELECT 'a' || 'b'")
    assert isinstance(statement, Insert) and statement.query is not None and statement.query.tables == ()


def test_insert_returning() -> None:
    statement = parse_statement("INSERT INTO t (a) VALUES ('x') RETURNING Identifier, \"OperationStatus\"")
    assert isinstance(statement, Insert) and statement.returning == ("Identifier", "OperationStatus")
    statement = parse_statement("INSERT INTO t (a) SELECT 'x' RETURNING *")
    assert isinstance(statement, Insert) and statement.returning == ("*",) and len(statement.rows) == 1


# -- UPDATE, DELETE ---------------------------------------------------------------------------------------


def test_update_with_patch_document_and_generated_assignments() -> None:
    statement = parse_statement(
        f'UPDATE {EIC}\nSET PatchDocument = string(\'[{{"op": "replace", "path": "/MaximumRetryAttempts", '
        "\"value\": 2}]')\nWHERE region = 'us-east-1' AND Identifier = 'fn|$LATEST'"
    )
    assert isinstance(statement, Update) and statement.target is not None
    assert statement.target.name == EIC
    (patch,) = statement.assignments
    assert patch.column.name == "PatchDocument"
    assert patch.value.value == '[{"op": "replace", "path": "/MaximumRetryAttempts", "value": 2}]'
    assert text_at(statement, patch.value.span).startswith("string('[")
    assert statement.where_text == "region = 'us-east-1' AND Identifier = 'fn|$LATEST'"
    assert where_of(statement) == [(None, "region", "=", ["us-east-1"]), (None, "Identifier", "=", ["fn|$LATEST"])]
    statement = parse_statement(
        "update t set maximum_retry_attempts = 2, destination_config = NULL, enabled = false, delta = -3, "
        "\"Name\" = 'x' where Identifier in ('a', 'b') OR region = 'r' returning Identifier"
    )
    assert isinstance(statement, Update)
    assert [(a.column.name, a.value.value) for a in statement.assignments] == [
        ("maximum_retry_attempts", 2),
        ("destination_config", None),
        ("enabled", False),
        ("delta", -3),
        ("Name", "x"),
    ]
    assert statement.where == () and not statement.where_is_simple
    assert statement.returning == ("Identifier",)


def test_delete() -> None:
    statement = parse_statement(f"DELETE FROM {EIC} WHERE Identifier = 'fn|$LATEST' AND region = 'us-east-1'")
    assert isinstance(statement, Delete) and statement.target is not None
    assert text_at(statement, statement.target.span) == EIC
    assert where_of(statement) == [(None, "Identifier", "=", ["fn|$LATEST"]), (None, "region", "=", ["us-east-1"])]
    assert statement.where_text == "Identifier = 'fn|$LATEST' AND region = 'us-east-1'"
    everything = parse_statement("delete from awscc.s3.buckets returning *")
    assert isinstance(everything, Delete)
    assert (everything.where, everything.where_text, everything.returning) == ((), None, ("*",))


# -- metadata and EXPLAIN -----------------------------------------------------------------------------------


def test_show_statements() -> None:
    assert parse_statement("SHOW PROVIDERS") == ShowProviders(text="SHOW PROVIDERS")
    assert parse_statement("show providers like 'aws%'") == ShowProviders(
        text="show providers like 'aws%'", like="aws%"
    )
    services = parse_statement("SHOW SERVICES IN awscc LIKE '%lambda%'")
    assert isinstance(services, ShowServices) and services.like == "%lambda%"
    assert isinstance(parse_statement("Show Services"), ShowServices)
    resources = parse_statement("SHOW RESOURCES IN awscc.lambda LIKE 'event%'")
    assert isinstance(resources, ShowResources)
    assert (resources.service, resources.like) == ("awscc.lambda", "event%")
    methods = parse_statement(f"SHOW METHODS IN {EIC}")
    assert isinstance(methods, ShowMethods) and methods.resource == EIC


def test_show_insert_with_required_hint_before_show_or_after_insert() -> None:
    plain = parse_statement(f"SHOW INSERT INTO {EIC}")
    assert isinstance(plain, ShowInsert) and plain.resource == EIC and not plain.required_only
    for sql in (f"/*+ REQUIRED */ SHOW INSERT INTO {EIC}", f"SHOW INSERT /*+ required */ INTO {EIC}"):
        statement = parse_statement(sql)
        assert isinstance(statement, ShowInsert) and statement.required_only


def test_describe() -> None:
    assert parse_statement(f"DESCRIBE {EIC}") == Describe(text=f"DESCRIBE {EIC}", resource=EIC)
    statement = parse_statement(f"desc extended {EIC}")
    assert isinstance(statement, Describe) and statement.extended and statement.resource == EIC


def test_explain_wraps_any_statement_with_script_offsets() -> None:
    script = "SHOW SERVICES;\nEXPLAIN /*+ NOWAIT */ DELETE FROM awscc.s3.buckets WHERE Identifier = 'b'"
    explain = parse_script(script)[1]
    assert isinstance(explain, Explain) and explain.hints == ("nowait",)
    inner = explain.statement
    assert isinstance(inner, Delete) and inner.has_hint("nowait")
    assert inner.text == "DELETE FROM awscc.s3.buckets WHERE Identifier = 'b'"
    assert script[inner.offset : inner.offset + len(inner.text)] == inner.text
    assert inner.target is not None and text_at(inner, inner.target.span) == "awscc.s3.buckets"
    for sql in ("EXPLAIN SELECT * FROM awscc.s3.buckets", f"EXPLAIN DESCRIBE {EIC}", f"explain show insert into {EIC}"):
        assert isinstance(parse_statement(sql), Explain)


# -- variables in statements -------------------------------------------------------------------------------


def test_a_show_insert_template_parses_before_substitution() -> None:
    template = (
        f"INSERT INTO {EIC} (\n DestinationConfig,\n FunctionName,\n region\n)\nSELECT\n"
        " '{{ destination_config }}',\n '{{ function_name }}',\n '{{ region }}';"
    )
    statement = parse_statement(template)
    assert isinstance(statement, Insert)
    assert [v.value for v in statement.rows[0]] == ["{{ destination_config }}", "{{ function_name }}", "{{ region }}"]


def test_unquoted_variables_parse_as_names_and_values() -> None:
    statement = select("SELECT * FROM awscc.{{ service }}.functions WHERE region = {{ region }} LIMIT {{ n }}")
    (scope,) = statement.scopes
    assert scope.tables[0].name == "awscc.{{ service }}.functions"
    assert where_of(scope) == [(None, "region", "=", ["{{ region }}"])]
    assert scope.limit is None


# -- SQLite's lexical rules -----------------------------------------------------------------------------------


def test_sqlite_lexical_rules() -> None:
    backslash = parse_statement(r"INSERT INTO t (a, b) VALUES ('C:\', 'x')")
    assert isinstance(backslash, Insert) and [v.value for v in backslash.rows[0]] == ["C:\\", "x"]
    assert columns(scope_of("SELECT a-1, b FROM t")) == ["a", "b"]
    assert error("SELECT x FROM t WHERE a = 1 # 2") == "unexpected character '#' (line 1, column 29)"  # no comment
    assert where_of(scope_of("SELECT * FROM t WHERE n = 0x1F")) == [(None, "n", "=", [31])]


# -- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELEC 1", "unknown statement 'SELEC' (did you mean 'SELECT'?) (line 1, column 1)"),
        ("SELECT 1;\n  updat t SET a = 1", "unknown statement 'updat' (did you mean 'UPDATE'?) (line 2, column 3)"),
        (
            "CREATE TABLE t (a)",
            "unknown statement 'CREATE' (expected SELECT, INSERT, UPDATE, DELETE, SHOW, DESCRIBE or EXPLAIN) "
            "(line 1, column 1)",
        ),
        (
            "SELECT 1;\nSELECT 'abc FROM t",
            "unterminated string: no closing ' before the end of the input (line 2, column 8)",
        ),
        ('SELECT "abc FROM t', 'unterminated quoted name: no closing " before the end of the input (line 1, column 8)'),
        ("SELECT 1 /* no end", "unterminated comment: no closing */ before the end of the input (line 1, column 10)"),
        ("SELECT count(* FROM t", "unclosed '(': expected ')' before the end of the statement (line 1, column 13)"),
        ("SELECT a) FROM t", "unexpected ')': no '(' to close (line 1, column 9)"),
        ("SELECT (1; SELECT 2)", "unclosed '(': expected ')' before the end of the statement (line 1, column 8)"),
        ("SELECT * FROM", "expected a resource name after FROM, found end of statement (line 1, column 14)"),
        ("SELECT *\nFROM\nWHERE a = 1", "expected a resource name after FROM, found 'WHERE' (line 3, column 1)"),
        ("SELECT * FROM a JOIN", "expected a resource name after JOIN, found end of statement (line 1, column 21)"),
        ("SELECT * FROM a, ", "expected a resource name after ',', found end of statement (line 1, column 17)"),
        ("SELECT * FROM awscc.lambda.", "expected a name after '.', found end of statement (line 1, column 28)"),
        ("SELECT FROM t", "expected a column or expression after SELECT, found 'FROM' (line 1, column 8)"),
        ("SELECT a, FROM t", "expected a column or expression after ',', found 'FROM' (line 1, column 11)"),
        ("SELECT * FROM t WHERE", "expected a condition after WHERE, found end of statement (line 1, column 22)"),
        ("SELECT * FROM t ORDER a", "expected BY after ORDER, found 'a' (line 1, column 23)"),
        ("SELECT * FROM t LIMIT 5 rows", "unexpected 'rows' after LIMIT 5 (line 1, column 25)"),
        ("SELECT * FROM t GROUP BY a WHERE b", "unexpected 'WHERE' after GROUP BY (line 1, column 28)"),
        (
            "SELECT * FROM a b c",
            "unexpected 'c' after the resource name (expected JOIN, ',', ON, WHERE, GROUP BY, ORDER BY, LIMIT or "
            "end of statement) (line 1, column 19)",
        ),
        ("SELECT 1 UNION", "expected SELECT after UNION, found end of statement (line 1, column 15)"),
        ("WITH c AS SELECT 1", "expected '(' and a SELECT after c AS, found 'SELECT' (line 1, column 11)"),
        ("INSERT awscc.logs.log_groups", "expected INTO after INSERT, found 'awscc' (line 1, column 8)"),
        ("INSERT INTO", "expected a resource name after INSERT INTO, found end of statement (line 1, column 12)"),
        (
            "INSERT INTO awscc.logs.log_groups VALUES ('a')",
            "expected a column list after awscc.logs.log_groups, found 'VALUES' (INSERT INTO awscc.logs.log_groups "
            "(column, ...) VALUES (...) or SELECT ...) (line 1, column 35)",
        ),
        (
            "INSERT INTO t (a, b)",
            "expected VALUES or SELECT after the column list, found end of statement (line 1, column 21)",
        ),
        ("INSERT INTO t (a, a) VALUES (1, 2)", "column a is listed twice (line 1, column 19)"),
        (
            "INSERT INTO t (a, b)\nVALUES ('x', 1),\n       ('y')",
            "row 2 has 1 value but 2 columns are listed (line 3, column 8)",
        ),
        (
            "INSERT INTO t (a, b) SELECT 'x', 1 UNION ALL SELECT 'y', 2, 3",
            "row 2 has 3 values but 2 columns are listed (line 1, column 46)",
        ),
        (
            "INSERT INTO t (a) SELECT x, y FROM u",
            "the SELECT gives 2 values but 1 column is listed (line 1, column 19)",
        ),
        (
            "INSERT INTO t (a) VALUES ('x') RETURNING",
            "expected a column name or * after RETURNING, found end of statement (line 1, column 41)",
        ),
        ("UPDATE", "expected a resource name after UPDATE, found end of statement (line 1, column 7)"),
        ("UPDATE awscc.x.y WHERE a = 1", "expected SET after UPDATE awscc.x.y, found 'WHERE' (line 1, column 18)"),
        ("UPDATE t SET a", "expected '=' after a, found end of statement (line 1, column 15)"),
        (
            "UPDATE t SET a = b",
            "expected a constant value for a (a string, a number, TRUE, FALSE, NULL or string('...')), found 'b' "
            "(line 1, column 18)",
        ),
        (
            "UPDATE t SET a = 1 b = 2",
            "unexpected 'b' after the value of a (expected ',', WHERE, RETURNING or end of statement) "
            "(line 1, column 20)",
        ),
        ("DELETE awscc.x.y", "expected FROM after DELETE, found 'awscc' (line 1, column 8)"),
        ("DELETE FROM", "expected a resource name after DELETE FROM, found end of statement (line 1, column 12)"),
        ("DELETE FROM t WHERE", "expected a condition after WHERE, found end of statement (line 1, column 20)"),
        (
            "SHOW RESOURCES awscc.lambda",
            "unexpected 'awscc' after SHOW RESOURCES (expected IN, LIKE, WHERE or end of statement) "
            "(line 1, column 16)",
        ),
        (
            "SHOW RESOURCES IN",
            "expected a service name (awscc.<service>) after SHOW RESOURCES IN, found end of statement "
            "(line 1, column 18)",
        ),
        (
            "SHOW METHODS awscc.a.b",
            "expected IN awscc.<service>.<resource> after SHOW METHODS, found 'awscc' (line 1, column 14)",
        ),
        ("SHOW INSERT awscc.a.b", "expected INTO after SHOW INSERT, found 'awscc' (line 1, column 13)"),
        ("SHOW PROVIDERS LIKE aws", "expected a quoted pattern after LIKE, found 'aws' (line 1, column 21)"),
        (
            "SHOW PROVIDERS extra",
            "unexpected 'extra' after SHOW PROVIDERS (expected LIKE, WHERE or end of statement) (line 1, column 16)",
        ),
        (
            "DESCRIBE awscc.a.b c",
            "unexpected 'c' after DESCRIBE awscc.a.b (expected LIKE, WHERE or end of statement) (line 1, column 20)",
        ),
        ("DESCRIBE", "expected a resource name after DESCRIBE, found end of statement (line 1, column 9)"),
        ("EXPLAIN", "expected a statement after EXPLAIN, found end of statement (line 1, column 8)"),
        ("EXPLAIN EXPLAIN SELECT 1", "EXPLAIN explains one statement, not another EXPLAIN (line 1, column 9)"),
        ("SELECT { FROM t", "unexpected character '{' (line 1, column 8)"),
    ],
)
def test_errors_say_what_was_expected_and_where(sql: str, expected: str) -> None:
    assert error(sql) == expected


def test_show_errors_list_what_show_accepts() -> None:
    accepts = (
        "SHOW accepts [EXTENDED] PROVIDERS, SERVICES [IN awscc], RESOURCES [IN awscc[.<service>]], "
        "METHODS IN awscc.<service>.<resource> or INSERT INTO awscc.<service>.<resource>"
    )
    assert error("SHOW EXTENDED SERVICE") == (
        f"unknown SHOW target 'SERVICE' (did you mean 'SERVICES'?): {accepts} (line 1, column 15)"
    )
    assert error("SHOW SERVICE") == (
        f"unknown SHOW target 'SERVICE' (did you mean 'SERVICES'?): {accepts} (line 1, column 6)"
    )
    assert error("SHOW") == f"expected what to show after SHOW, found end of statement: {accepts} (line 1, column 5)"


def test_unknown_provider_is_an_unknown_name_with_a_suggestion() -> None:
    with pytest.raises(UnknownNameError) as caught:
        parse_script("SELECT 1;\nSHOW SERVICES IN aws")
    assert describe(caught.value) == "unknown provider 'aws' (did you mean 'awscc'?) (line 2, column 18)"


def test_absurd_nesting_is_an_error_not_a_crash() -> None:
    assert isinstance(parse_statement("SELECT " + "(SELECT " * 99 + "1" + ")" * 99), Select)
    deep = "SELECT " + "(" * 101 + "1" + ")" * 101
    assert error(deep) == "parentheses nested more than 100 deep (line 1, column 108)"


def test_an_or_of_equalities_on_one_column_is_one_in_comparison() -> None:
    text = "SELECT * FROM awscc.s3.buckets WHERE (region = 'a' OR region IN ('b', 'c')) AND bucket_name LIKE 'x%'"
    (scope,) = parse_statement(text).scopes
    comparison, like = scope.where
    assert (like.column.name, like.operator) == ("bucket_name", "like")
    assert (comparison.column.name, comparison.operator) == ("region", "in")
    assert [v.value for v in comparison.values] == ["a", "b", "c"]
    assert text[comparison.span.start : comparison.span.end] == "(region = 'a' OR region IN ('b', 'c'))"
    assert scope.where_conjuncts == 2
    mixed = parse_statement("SELECT * FROM t WHERE region = 'a' OR name = 'b'").scopes[0]
    assert mixed.where == () and not mixed.where_is_simple
