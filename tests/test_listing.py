"""The pure rules the gateway applies to listed resources: SQLite's LIKE, the list filter's verdict, and the
row a listed resource becomes."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from awsql_shell.gateway.listing import admits, like, needs_get, row_properties
from awsql_shell.gateway.vocabulary import Fetch, ListFilter, ListTerm

VALUES = ["", "a", "A", "ab", "aB", "abc", "a_c", "a%c", "a\\c", "ba", "é", "É", "\u212a", "k", "a\nb", "orders-api"]
PATTERNS = ["", "a", "A", "%", "_", "a%", "%a", "_b%", "a_c", "%b%", "a\\_c", "a\\%c", "a\\\\c", "\\", "é", "K", "a_b"]


@pytest.fixture(scope="module")
def sqlite() -> sqlite3.Connection:
    return sqlite3.connect(":memory:")


def test_like_is_sqlites_like(sqlite: sqlite3.Connection) -> None:
    wrong = []
    for value, pattern, escape in itertools.product(VALUES, PATTERNS, (None, "\\", "a", "x")):
        if escape is None:
            (expected,) = sqlite.execute("SELECT ? LIKE ?", (value, pattern)).fetchone()
        else:
            (expected,) = sqlite.execute("SELECT ? LIKE ? ESCAPE ?", (value, pattern, escape)).fetchone()
        if like(value, pattern, escape) != bool(expected):
            wrong.append((value, pattern, escape, expected))
    assert wrong == []


def test_like_folds_ascii_letters_only() -> None:
    assert like("Orders-API", "orders-%")
    assert not like("É", "é")
    assert not like("\u212a", "k")  # the Kelvin sign is no K to SQLite, whatever Unicode says
    assert like("a%c", "a\\%c", "\\") and not like("abc", "a\\%c", "\\")
    assert not like("a", "a\\", "\\")  # an ESCAPE that ends the pattern matches nothing


NAME = "FunctionName"


def by_name(*values: str, pattern: str | None = None) -> ListFilter:
    return ListFilter((ListTerm(NAME, "function_name", values=values, pattern=pattern),))


def test_a_filter_keeps_drops_or_leaves_the_row_to_sqlite() -> None:
    assert admits(by_name("a", "b"), {NAME: "b"}) is True
    assert admits(by_name("a", "b"), {NAME: "B"}) is False  # = is case sensitive in SQLite
    assert admits(by_name(pattern="o%"), {NAME: "Orders"}) is True
    assert admits(by_name(pattern="o%"), {NAME: "payments"}) is False
    assert admits(by_name("5"), {NAME: 5}) is None  # SQLite would compare after converting: not decided here
    assert admits(by_name("a"), {}) is None  # a listing may leave out what GetResource returns
    both = ListFilter((*by_name("a").terms, ListTerm("Qualifier", "qualifier", pattern="$%")))
    assert admits(both, {NAME: "a", "Qualifier": "$LATEST"}) is True
    assert admits(both, {NAME: "a", "Qualifier": "1"}) is False
    assert admits(both, {NAME: "b", "Qualifier": 1}) is False  # one failing term decides


def test_a_listed_row_has_its_resource_model_and_identifier_values() -> None:
    fetch = Fetch(
        "us-east-1",
        "AWS::Lambda::EventInvokeConfig",
        resource_model={"FunctionName": "f"},
        primary_identifier=("FunctionName", "Qualifier"),
    )
    assert row_properties(fetch, "f|$LATEST", {}) == {"FunctionName": "f", "Qualifier": "$LATEST"}
    assert row_properties(fetch, "f|$LATEST", {"Qualifier": "1"}) == {"FunctionName": "f", "Qualifier": "1"}


def test_a_listed_resource_is_read_only_when_its_listing_lacks_what_the_statement_reads() -> None:
    group = "AWS::Logs::LogGroup"
    reads = Fetch("us-east-1", group, with_details=True, needed=frozenset({"LogGroupName", "RetentionInDays"}))
    assert not needs_get(reads, {"LogGroupName": "a", "RetentionInDays": 7, "Arn": "x"})
    assert needs_get(reads, {"LogGroupName": "a"})  # unset, or not listed: only GetResource can say
    assert needs_get(reads, {"LogGroupName": "a", "RetentionInDays": None})
    assert needs_get(Fetch("us-east-1", group, with_details=True), {"LogGroupName": "a"})  # SELECT *: never known
    assert not needs_get(Fetch("us-east-1", group), {})  # no details wanted at all
    everywhere = Fetch("us-east-1", "AWS::S3::Bucket", with_details=True, needed=frozenset(), home_regions=("a", "b"))
    assert needs_get(everywhere, {"BucketName": "b"})  # an account-wide listing reads to learn where each lives
