"""What a WHERE pins a column to: the one rule every planner uses to read ``region``, ``Identifier``,
list parameters (``cluster_name``) and request filters from the conjuncts the parser could read.

A conjunct is ``col = literal``, ``col IN (...)`` or an OR of equalities on one column (the parser makes
that an IN); several conjuncts on the same column intersect, as SQL's AND does. Columns are matched
forgivingly (``fold``), so ``FunctionName`` and ``function_name`` are the same column.

Only those pin a column: the parser also reads ``col LIKE 'pattern'`` conjuncts, which narrow a column
without naming its values, so ``on_column`` and ``pinned`` leave them out. ``region LIKE 'us-%'`` thus pins no
region (and is refused as steering the calls in a way awsql cannot read) instead of being taken for one.

``list_filter`` reads both kinds for the filter applied to listed resources (``gateway.vocabulary.ListFilter``).
It takes a conjunct only when the filter answers it exactly as SQLite will: the column is a string column
(TEXT, compared under the BINARY collation, the parser having left ``COLLATE`` conjuncts to SQLite) and every
literal is a string, so ``=`` is string equality and LIKE is SQLite's LIKE on the same text; a number
(``name = 5``, which SQLite compares after converting it), a LIKE with an ESCAPE of ``%`` or ``_`` (read
differently by SQLite versions) or a column of another type stays SQLite's alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from awsql_shell.catalog import Column
from awsql_shell.catalog.naming import fold
from awsql_shell.gateway.vocabulary import ListFilter, ListTerm
from awsql_shell.sql.statements import ColumnRef, Comparison


def pins(predicates: Sequence[Comparison]) -> list[Comparison]:
    """The conjuncts that name the values of their column (``=``, ``IN``)."""
    return [comparison for comparison in predicates if comparison.pins]


def on_column(predicates: Sequence[Comparison], column: str) -> list[Comparison]:
    """The conjuncts that pin ``column``."""
    folded = fold(column)
    return [comparison for comparison in pins(predicates) if fold(comparison.column.name) == folded]


def pinned(predicates: Sequence[Comparison], column: str, convert: Callable[[Any], Any] = str) -> list[Any] | None:
    """The distinct values (in the order written) the conjuncts allow for ``column``; None when none
    constrains it. ``convert`` makes each literal's value comparable (``str`` unless said otherwise)."""
    found: list[Any] | None = None
    for comparison in on_column(predicates, column):
        values = [convert(literal.value) for literal in comparison.values]
        found = values if found is None else [value for value in found if value in values]
    return list(dict.fromkeys(found)) if found is not None else None


def list_filter(
    predicates: Sequence[Comparison], column_of: Callable[[ColumnRef], Column | None]
) -> tuple[ListFilter | None, tuple[Comparison, ...]]:
    """The conjuncts that a filter on listed properties answers exactly, as one filter (None when there is
    none), and those conjuncts. ``column_of`` names the listed column a conjunct tests, or None when the
    listing does not carry it."""
    terms: list[ListTerm] = []
    answered: list[Comparison] = []
    for comparison in predicates:
        column = column_of(comparison.column)
        if column is None or column.is_pseudo or column.type != "string":
            continue
        values = [literal.value for literal in comparison.values]
        if not values or not all(isinstance(value, str) for value in values):
            continue
        if comparison.pins:
            term = ListTerm(column.property, column.name, values=tuple(dict.fromkeys(values)))
        elif comparison.operator == "like" and comparison.escape not in ("%", "_"):
            term = ListTerm(column.property, column.name, pattern=values[0], escape=comparison.escape)
        else:
            continue
        terms.append(term)
        answered.append(comparison)
    return (ListFilter(tuple(terms)) if terms else None), tuple(answered)
