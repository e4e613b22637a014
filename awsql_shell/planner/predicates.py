"""What a WHERE pins a column to: the one rule every planner uses to read ``region``, ``Identifier``,
list parameters (``cluster_name``) and request filters from the conjuncts the parser could read.

A conjunct is ``col = literal``, ``col IN (...)`` or an OR of equalities on one column (the parser makes
that an IN); several conjuncts on the same column intersect, as SQL's AND does. Columns are matched
forgivingly (``fold``), so ``FunctionName`` and ``function_name`` are the same column.

Only those pin a column: the parser also reads ``col LIKE 'pattern'`` conjuncts, which narrow a column
without naming its values, so ``on_column`` and ``pinned`` leave them out. ``region LIKE 'us-%'`` thus pins no
region (and is refused as steering the calls in a way awsql cannot read) instead of being taken for one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from awsql_shell.catalog.naming import fold
from awsql_shell.sql.statements import Comparison


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
