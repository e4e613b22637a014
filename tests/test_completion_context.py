"""What completion offers at the cursor: the pure context function over many partial statements.

`|` marks the cursor; text after it is what follows the cursor in the buffer. Suggestions compare by
meaning (their `prefix`, the text a candidate replaces, is checked separately).
"""

from __future__ import annotations

import pytest

from awsql_shell.catalog.cloud_control import PROGRESS_EVENT_FIELDS
from awsql_shell.shell.completion import (
    Column,
    Function,
    IdentifierValue,
    InsertProperty,
    Keyword,
    MetaArgument,
    MetaCommand,
    Parameter,
    Provider,
    RegionValue,
    Resource,
    Service,
    TableInScope,
    TypeNameValue,
    Variable,
    suggest,
)
from awsql_shell.shell.completion.vocabulary import SHOW_OBJECTS, STATEMENT_STARTS

FUNCTIONS = TableInScope("awscc.lambda.functions")
FUNCTIONS_F = TableInScope("awscc.lambda.functions", "f")
CONFIGS_C = TableInScope("awscc.lambda.event_invoke_configs", "c")
BUCKETS = TableInScope("awscc.s3.buckets")
WHERE = (Parameter(("Identifier",)), Function(), Keyword())
NAMES = (Provider(), Service(qualified=True), Resource(None))


def at_cursor(case: str) -> tuple:
    before, _, after = case.partition("|")
    return suggest(before, after)


CASES = [
    # statement starts and meta commands
    ("|", (Keyword(STATEMENT_STARTS), MetaCommand())),
    ("sel|", (Keyword(STATEMENT_STARTS), MetaCommand())),
    ("SELECT 1; SEL|", (Keyword(STATEMENT_STARTS),)),
    ("EXPLAIN |", (Keyword(STATEMENT_STARTS),)),
    ("\\|", (MetaCommand(),)),
    ("\\ti|", (MetaCommand(),)),
    ("\\o |", (MetaArgument("\\o", 0),)),
    ("\\region eu-|", (MetaArgument("\\region", 0),)),
    ("\\set name |", (MetaArgument("\\set", 1),)),
    ("  \\i ./queries/|", (MetaArgument("\\i", 0),)),
    # resource names, segment by segment
    ("SELECT * FROM |", NAMES),
    ("SELECT * FROM lam|", NAMES),
    ("SELECT * FROM awscc.|", (Service(),)),
    ("SELECT * FROM awscc.lam|", (Service(),)),
    ("SELECT * FROM AWSCC.Lambda.|", (Resource("Lambda"),)),
    ("SELECT * FROM awscc.lambda.|", (Resource("lambda"),)),
    ("SELECT * FROM awscc.lambda.evic|", (Resource("lambda"),)),
    ("SELECT * FROM lambda.fun|", (Resource("lambda"),)),
    ("SELECT * FROM awscc.s3.buckets, |", NAMES),
    ("SELECT * FROM awscc.lambda.functions f JOIN |", NAMES),
    ("SELECT * FROM awscc.lambda.functions f LEFT JOIN awscc.|", (Service(),)),
    ("DELETE FROM |", NAMES),
    ("UPDATE awscc.lambda.|", (Resource("lambda"),)),
    ("INSERT INTO awscc.logs.|", (Resource("logs"),)),
    ("DESCRIBE |", (*NAMES, Keyword(("EXTENDED",)))),
    ("DESCRIBE EXTENDED awscc.|", (Service(),)),
    ("EXPLAIN SELECT * FROM |", NAMES),
    ("SHOW |", (Keyword(SHOW_OBJECTS),)),
    ("SHOW SERVICES |", (Keyword(("IN", "LIKE")),)),
    ("SHOW SERVICES IN |", (Provider(),)),
    ("SHOW RESOURCES IN |", (Provider(), Service(qualified=True))),
    ("SHOW RESOURCES IN awscc.|", (Service(),)),
    ("SHOW RESOURCES IN awscc.lambda.|", ()),
    ("SHOW METHODS IN awscc.lambda.|", (Resource("lambda"),)),
    ("SHOW INSERT INTO awscc.lambda.|", (Resource("lambda"),)),
    ("SELECT * FROM (|", (Keyword(("SELECT", "WITH")),)),
    # columns of the tables in scope
    ("SELECT |", (Column(()), Function(), Keyword())),
    ("SELECT | FROM awscc.lambda.functions", (Column((FUNCTIONS,)), Function(), Keyword())),
    ("SELECT fun| FROM awscc.lambda.functions", (Column((FUNCTIONS,)), Function(), Keyword())),
    ("SELECT function_name, | FROM awscc.lambda.functions", (Column((FUNCTIONS,)), Function(), Keyword())),
    ("SELECT f.| FROM awscc.lambda.functions f", (Column((FUNCTIONS_F,), "f"),)),
    ("SELECT f.fun| FROM awscc.lambda.functions AS f", (Column((FUNCTIONS_F,), "f"),)),
    (
        "SELECT f.function_name, c.| FROM awscc.lambda.functions f JOIN awscc.lambda.event_invoke_configs c",
        (Column((FUNCTIONS_F, CONFIGS_C), "c"),),
    ),
    (
        "SELECT * FROM awscc.lambda.functions f JOIN awscc.lambda.event_invoke_configs c ON c.|",
        (Column((FUNCTIONS_F, CONFIGS_C), "c"),),
    ),
    (
        "SELECT * FROM awscc.lambda.functions f JOIN awscc.lambda.event_invoke_configs c ON |",
        (Column((FUNCTIONS_F, CONFIGS_C)), Function(), Keyword()),
    ),
    ("SELECT * FROM awscc.lambda.functions WHERE |", (Column((FUNCTIONS,)), *WHERE)),
    ("SELECT * FROM awscc.lambda.functions WHERE region = 'us-east-1' AND |", (Column((FUNCTIONS,)), *WHERE)),
    ("SELECT * FROM awscc.lambda.functions WHERE runtime = 'x' OR mem|", (Column((FUNCTIONS,)), *WHERE)),
    ("SELECT * FROM awscc.lambda.functions WHERE json_extract(|", (Column((FUNCTIONS,)), *WHERE)),
    ("SELECT region, count(*) FROM awscc.s3.buckets GROUP BY |", (Column((BUCKETS,)), Function(), Keyword())),
    ("SELECT * FROM awscc.s3.buckets ORDER BY |", (Column((BUCKETS,)), Function(), Keyword())),
    ("SELECT region FROM awscc.s3.buckets GROUP BY region HAVING |", (Column((BUCKETS,)), Function(), Keyword())),
    ("SELECT * FROM awscc.s3.buckets; SELECT |", (Column(()), Function(), Keyword())),
    ("SELECT * FROM awscc.lambda.functions f; SELECT f.|", (Column((), "f"),)),
    (
        "SELECT | FROM awscc.s3.buckets; SELECT 1 FROM awscc.lambda.functions",
        (Column((BUCKETS,)), Function(), Keyword()),
    ),
    (
        "SELECT * FROM awscc.cloud_control.resources WHERE |",
        (
            Column((TableInScope("awscc.cloud_control.resources"),)),
            Parameter(("Identifier", "TypeName", "RequestToken")),
            Function(),
            Keyword(),
        ),
    ),
    # keywords after a finished term
    ("SELECT * |", (Keyword(),)),
    ("SELECT * FROM awscc.s3.buckets |", (Keyword(),)),
    ("SELECT * FROM awscc.s3.buckets WH|", (Keyword(),)),
    ("SELECT * FROM awscc.s3.buckets WHERE region = 'us-east-1' |", (Keyword(),)),
    ("SELECT * FROM awscc.s3.buckets LEFT |", (Keyword(("JOIN", "OUTER JOIN")),)),
    ("SELECT * FROM awscc.s3.buckets GROUP |", (Keyword(("BY",)),)),
    ("SELECT * FROM awscc.s3.buckets WHERE tags IS |", (Keyword(("NULL", "NOT NULL", "NOT", "DISTINCT FROM")),)),
    ("INSERT |", (Keyword(("INTO",)),)),
    ("DELETE |", (Keyword(("FROM",)),)),
    # nothing fits
    ("SELECT * FROM awscc.s3.buckets LIMIT |", ()),
    ("SELECT * FROM awscc.s3.buckets WHERE bucket_name LIKE |", ()),
    ("SELECT 'abc|", ()),
    ("SELECT * FROM awscc.s3.buckets -- the buckets|", ()),
    ("SELECT /* a comment|", ()),
    ('SELECT "quoted na|', ()),
    ("SELECT 'x'|", ()),
    ("SELECT count(*)|", ()),
    # region, Identifier and TypeName values
    ("SELECT * FROM awscc.s3.buckets WHERE region = |", (RegionValue(),)),
    ("select * from awscc.s3.buckets where REGION = |", (RegionValue(),)),
    ("SELECT * FROM awscc.s3.buckets WHERE region = '|", (RegionValue(quoted=True),)),
    ("SELECT * FROM awscc.s3.buckets WHERE region = 'us-e|", (RegionValue(quoted=True),)),
    ("SELECT * FROM awscc.s3.buckets WHERE region IN (|", (RegionValue(),)),
    ("SELECT * FROM awscc.s3.buckets WHERE region IN ('us-east-1', '|", (RegionValue(quoted=True),)),
    ("SELECT * FROM awscc.s3.buckets WHERE region NOT IN ('eu-|", (RegionValue(quoted=True),)),
    ("SELECT * FROM awscc.s3.buckets b WHERE b.region = '|", (RegionValue(quoted=True),)),
    ("SELECT * FROM awscc.lambda.functions WHERE Identifier = |", (IdentifierValue((FUNCTIONS,)),)),
    ("SELECT * FROM awscc.lambda.functions WHERE Identifier = 'fn|", (IdentifierValue((FUNCTIONS,), quoted=True),)),
    (
        "SELECT * FROM awscc.lambda.functions WHERE identifier IN ('a', '|",
        (IdentifierValue((FUNCTIONS,), quoted=True),),
    ),
    (
        "SELECT * FROM awscc.lambda.functions f JOIN awscc.lambda.event_invoke_configs c ON 1 WHERE c.Identifier = '|",
        (IdentifierValue((CONFIGS_C,), quoted=True),),
    ),
    ("SELECT * FROM awscc.cloud_control.resources WHERE TypeName = '|", (TypeNameValue(quoted=True),)),
    ("SELECT * FROM awscc.s3.buckets WHERE bucket_name = '|", ()),
    # INSERT column lists
    ("INSERT INTO awscc.lambda.functions (|", (InsertProperty("awscc.lambda.functions"),)),
    ("INSERT INTO awscc.lambda.functions (Fun|", (InsertProperty("awscc.lambda.functions"),)),
    (
        "INSERT INTO awscc.lambda.functions (FunctionName, |",
        (InsertProperty("awscc.lambda.functions", ("FunctionName",)),),
    ),
    (
        "INSERT INTO awscc.logs.log_groups (LogGroupName, region) |",
        (Keyword(("VALUES", "SELECT")),),
    ),
    ("INSERT INTO awscc.logs.log_groups (LogGroupName, region) VALUES (|", ()),
    ("INSERT INTO awscc.logs.log_groups (LogGroupName) SELECT 'app' RETURNING |", (Parameter(PROGRESS_EVENT_FIELDS),)),
    # UPDATE ... SET
    (
        "UPDATE awscc.lambda.event_invoke_configs SET |",
        (Column((TableInScope("awscc.lambda.event_invoke_configs"),), updatable=True), Parameter(("PatchDocument",))),
    ),
    (
        "UPDATE awscc.lambda.event_invoke_configs SET maximum_retry_attempts = 2, |",
        (Column((TableInScope("awscc.lambda.event_invoke_configs"),), updatable=True), Parameter(("PatchDocument",))),
    ),
    # variables
    ("SELECT * FROM awscc.s3.buckets WHERE region = {{ re|", (Variable(),)),
]


@pytest.mark.parametrize(("case", "expected"), CASES, ids=[case for case, _ in CASES])
def test_suggestions_at_the_cursor(case: str, expected: tuple) -> None:
    assert at_cursor(case) == expected


@pytest.mark.parametrize(
    ("case", "prefix"),
    [
        ("sel|", "sel"),
        ("SELECT * FROM awscc.lam|", "lam"),
        ("SELECT * FROM awscc.lambda.evic|", "evic"),
        ("SELECT f.fun| FROM awscc.lambda.functions f", "fun"),
        ("SELECT * FROM awscc.s3.buckets WHERE region = 'us-e|", "us-e"),
        ("SELECT * FROM awscc.lambda.functions WHERE Identifier = 'it''s|", "it's"),
        ("INSERT INTO awscc.lambda.functions (FunctionName, Ro|", "Ro"),
        ("\\ti|", "\\ti"),
        ("\\region eu-|", "eu-"),
        ("SELECT * FROM awscc.s3.buckets WHERE region = {{ re|", "re"),
    ],
)
def test_each_suggestion_knows_the_text_it_replaces(case: str, prefix: str) -> None:
    found = at_cursor(case)
    assert found
    assert {suggestion.prefix for suggestion in found} == {prefix}


def test_a_semicolon_inside_a_string_does_not_end_the_statement() -> None:
    assert suggest("SELECT 'a;b' FROM ") == NAMES
    assert suggest("SELECT * FROM awscc.s3.buckets WHERE region = ';' AND ") == (
        Column((BUCKETS,)),
        *WHERE,
    )


def test_only_the_statement_under_the_cursor_counts() -> None:
    before = "SELECT * FROM awscc.s3.buckets b; SELECT b.| FROM awscc.lambda.functions f; SELECT 1 FROM awscc.ec2.vpcs"
    found = at_cursor(before)
    assert found == (Column((FUNCTIONS_F,), "b"),)


def test_meta_commands_are_offered_only_at_the_start_of_the_input() -> None:
    assert MetaCommand() in suggest("")
    assert MetaCommand() not in suggest("SELECT 1; ")


def test_garbage_never_raises() -> None:
    texts = ["'", '"', "((((", "))))", "SELECT ,,, FROM ..", "\\", "{{", "/*", "--", ";;;", "\x00\x01", "é.ü.", "1e5."]
    for text in texts:
        for cut in range(len(text) + 1):
            assert isinstance(suggest(text[:cut], text[cut:]), tuple)
