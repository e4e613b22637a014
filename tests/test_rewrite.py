"""The user's SQL is edited in place for SQLite: replaced spans, everything else as typed."""

from __future__ import annotations

from awsql_shell.sql.rewrite import Replacement, quote_identifier, rewrite


def test_rewrite_replaces_spans_and_skips_nested_ones() -> None:
    text = "SELECT * FROM awscc.lambda.functions WHERE Identifier = 'x'"
    start = text.index("awscc")
    where = text.index("Identifier")
    rewritten = rewrite(
        text,
        [
            Replacement(where, len(text), "1 = 1"),
            Replacement(start, start + len("awscc.lambda.functions"), '"__awsql_0"'),
            Replacement(where, where + 10, "nested"),
        ],
    )
    assert rewritten == 'SELECT * FROM "__awsql_0" WHERE 1 = 1'


def test_identifiers_are_quoted_with_doubled_quotes() -> None:
    assert quote_identifier('we"ird') == '"we""ird"'
