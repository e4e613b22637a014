"""Property-based tests: no input of any kind breaks awsql. Statements come from a small grammar over real
catalog names, from mutations of the README's examples, and from hostile text (huge literals, control
characters, broken quoting). Every outcome must be a result or an ``AwsqlError`` (never another exception),
EXPLAIN must make no call, and a statement that fails must leave the sandbox as it was.

``AWSQL_FUZZ_EXAMPLES`` sets how many examples each property tries (the suite's default keeps the whole
file near a minute; ``AWSQL_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py`` for a long run).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsql_shell.catalog import default_catalog
from awsql_shell.errors import AwsqlError
from awsql_shell.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from awsql_shell.session import Session
from awsql_shell.settings import Settings

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("AWSQL_FUZZ_EXAMPLES", "150"))
README = Path(__file__).resolve().parent.parent / "README.md"
SMALL_TYPES = ("awscc.logs.log_groups", "awscc.sqs.queues", "awscc.lambda.event_invoke_configs", "awscc.s3.buckets")
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "us-east-9", "")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    # The suite is repeatable; a long run (AWSQL_FUZZ_EXAMPLES set) draws new examples every time.
    derandomize="AWSQL_FUZZ_EXAMPLES" not in os.environ,
)


def readme_examples() -> list[str]:
    block = README.read_text(encoding="utf-8").split("```sql", 1)[1].split("```", 1)[0]
    return [s.strip() for s in re.split(r";\s*\n", block) if s.strip() and not s.strip().startswith("--")]


CATALOG = default_catalog()


def _columns(resource: str) -> list[str]:
    schema = CATALOG.schema(CATALOG.resolve_resource(resource).entry.type_name)
    return [column.name for column in schema.columns][:12]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


literal = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).map(
        lambda t: "'" + t.replace("'", "''") + "'"
    ),
    st.sampled_from(["NULL", "TRUE", "FALSE", "'true'", "9" * 5000, "1e999", "0x" + "f" * 40, "'{\"a\": [1,'"]),
)
resource = st.sampled_from(SMALL_TYPES)


@st.composite
def grammar_statement(draw: st.DrawFn) -> str:
    table = draw(resource)
    columns = _columns(table)
    column = draw(st.sampled_from([*columns, "region", "Identifier", "nope", "*"]))
    region = draw(st.sampled_from(REGIONS))
    conditions = [f"region = '{region}'"] if region else []
    conditions += draw(
        st.lists(
            st.builds(
                lambda c, v, op: f"{c} {op} {v}",
                st.sampled_from([*columns, "Identifier"]),
                literal,
                st.sampled_from(["=", "!=", "LIKE", ">", "IN"]),
            ),
            max_size=2,
        )
    )
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    kind = draw(st.sampled_from(["select", "insert", "update", "delete", "show", "describe"]))
    if kind == "select":
        return f"SELECT {column} FROM {table}{where} LIMIT {draw(st.integers(0, 3))}"
    if kind == "insert":
        names = draw(st.lists(st.sampled_from([*columns, "region"]), min_size=1, max_size=3))
        values = draw(st.lists(literal, min_size=len(names), max_size=len(names)))
        return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)})"
    if kind == "update":
        return f"UPDATE {table} SET {draw(st.sampled_from(columns))} = {draw(literal)}{where}"
    if kind == "delete":
        return f"DELETE FROM {table}{where}"
    if kind == "show":
        return draw(
            st.sampled_from(
                [
                    f"SHOW RESOURCES IN {table.rsplit('.', 1)[0]}",
                    f"SHOW INSERT INTO {table}",
                    f"SHOW METHODS IN {table}",
                    "SHOW SERVICES LIKE 'l%'",
                ]
            )
        )
    return f"DESCRIBE {draw(st.sampled_from(['', 'EXTENDED ']))}{table}"


@st.composite
def mutated(draw: st.DrawFn, source: st.SearchStrategy[str]) -> str:
    """A statement with a few characters inserted, deleted or replaced, hostile ones among them."""
    text = draw(source)
    hostile = st.sampled_from(
        [
            "'",
            '"',
            "`",
            "[",
            "(",
            ")",
            ";",
            "\\",
            "#",
            "\x00",
            "\x1b",
            "\x7f",
            "{{",
            "}}",
            "/*",
            "--",
            "\u202e",
            "\ufeff",
            "\n",
            "9" * 4400,
            "é",
            "💥",
        ]
    )
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.one_of(hostile, st.text(max_size=3)))
        if action == "insert":
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 8)) :]
        else:
            text = text[:position] + piece + text[position + len(piece) :]
    return text


statements = st.one_of(grammar_statement(), mutated(st.sampled_from(readme_examples())), mutated(grammar_statement()))


def outcomes_of(session: Session, script: str) -> list[object]:
    """Every statement's outcome; anything but a result or an AwsqlError fails the test right here."""
    found = []
    for outcome in session.execute_script(script):
        assert (outcome.result is None) != (outcome.error is None)
        if outcome.error is not None:
            assert isinstance(outcome.error, AwsqlError)
            assert "internal error" not in outcome.error.message
        found.append(outcome)
    return found


@FUZZ
@given(script=statements)
def test_explain_of_anything_is_a_plan_or_an_error_and_makes_no_call(script: str) -> None:
    session = Session(Settings(region="us-east-1", rate_limit=0), catalog=CATALOG)
    outcomes_of(session, f"EXPLAIN {script}")
    assert session.gateway_if_started is None, "EXPLAIN must not make a call"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(SandboxConfig(request_delay_ms=0)) as running:
        yield running


@FUZZ
@given(script=statements)
def test_anything_run_is_a_result_or_an_error_and_a_failure_changes_nothing(
    sandbox: RunningSandbox, script: str
) -> None:
    session = Session(
        Settings(endpoint_url=sandbox.url, region="us-east-1", assume_yes=False, rate_limit=0), catalog=CATALOG
    )
    state = sandbox.service.state
    for outcome in outcomes_of(session, script):
        del outcome
    # Each statement again on its own, so a failed one can be compared with the state just before it.
    for part in [s for s in script.split(";") if s.strip()][:3]:
        before = copy.deepcopy(state.resources)
        (outcome,) = outcomes_of(session, part) or [None]
        if outcome is not None and outcome.error is not None and outcome.error.result is None:
            assert state.resources == before, f"a failed statement changed the sandbox: {part!r}"


def test_the_examples_come_from_the_readme() -> None:
    examples = readme_examples()
    assert any(e.startswith("SELECT function_name") for e in examples) and len(examples) > 10
