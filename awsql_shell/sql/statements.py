"""Typed statements: what the parser produces and the planner, executor and completer read.

The parser keeps the text of every statement: SQLite evaluates the user's SQL itself, so a
SELECT is not rebuilt from a tree but rewritten in place (table references replaced by the
materialized tables), which keeps every SQLite feature working. Offsets are into
``Statement.text`` unless said otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class TableRef:
    """A dotted name in FROM / JOIN / INTO / UPDATE, e.g. ``awscc.lambda.functions f``."""

    name: str  # as typed: "awscc.lambda.functions"
    alias: str | None
    span: Span  # of the name only, so the engine can replace it

    @property
    def is_awscc(self) -> bool:
        return self.name.lower().startswith("awscc.")

    @property
    def reference(self) -> str:
        """How columns refer to this table: its alias, or the last part of its name."""
        return self.alias or self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class ColumnRef:
    qualifier: str | None  # alias or table name before the dot, if any
    name: str
    span: Span


@dataclass(frozen=True)
class Literal:
    """A constant as SQL wrote it: str, int, float, bool or None (NULL)."""

    value: Any
    span: Span


# The operators that name the values a column may take: only these steer calls (region, Identifier, list
# parameters, request filters). A LIKE narrows a column without naming its values.
PINNING_OPERATORS = ("=", "in")


@dataclass(frozen=True)
class Comparison:
    """A top-level AND-ed conjunct of a WHERE clause of the form ``[q.]col = lit``, ``[q.]col IN (lit, ...)``
    or (in a SELECT only) ``[q.]col LIKE 'pattern' [ESCAPE 'c']``.

    ``span`` covers the whole conjunct, so the engine can neutralize predicates that were pushed
    down and have no column to test (``Identifier``, ``TypeName``, ``RequestToken``).
    """

    column: ColumnRef
    operator: str  # "=", "in" or "like"
    values: tuple[Literal, ...]  # for "like", the pattern alone
    span: Span
    escape: str | None = None  # LIKE's ESCAPE character, when given

    @property
    def pins(self) -> bool:
        """Whether it names the values the column may take (``=``, ``IN``), rather than narrowing it (LIKE)."""
        return self.operator in PINNING_OPERATORS


@dataclass(frozen=True)
class SelectScope:
    """One SELECT level: the outermost query, a subquery, a CTE body or a UNION arm."""

    tables: tuple[TableRef, ...]
    where: tuple[Comparison, ...]  # only the simple conjuncts (=, IN, LIKE); anything else stays SQL
    columns: tuple[ColumnRef, ...]  # every column reference at this level (select list, where, on, group, order)
    star: tuple[str | None, ...]  # "*" (None) or "q.*" (q) in the select list
    limit: int | None = None
    offset: int | None = None
    ordered: bool = False  # ORDER BY present
    grouped: bool = False  # GROUP BY, DISTINCT, aggregates or window functions present
    where_is_simple: bool = True  # the whole WHERE is an AND of conjuncts (no top-level OR)
    where_conjuncts: int = 0  # how many top-level AND-ed conjuncts the WHERE has (0: no WHERE)
    # Column-to-column equalities from ON and top-level WHERE conjuncts (c.function_name = f.function_name):
    # they let a list that needs a parameter take it from another table's rows.
    equalities: tuple[tuple[ColumnRef, ColumnRef], ...] = ()
    filters: tuple[Span, ...] = ()  # the WHERE expression and every ON condition, where they stand
    where_span: Span | None = None  # the WHERE expression alone
    # A CTE body or derived table: the name its rows are read by in other scopes (WITH f AS ..., (...) AS f).
    source_name: str | None = None
    derived: tuple[str, ...] = ()  # lower-cased aliases of the derived tables this scope reads
    # Each select-list item but a star: where it stands, and its alias (AS x, or x after it) if it has one.
    outputs: tuple[tuple[Span, str | None], ...] = ()

    def in_filter(self, column: ColumnRef) -> bool:
        return any(f.start <= column.span.start and column.span.end <= f.end for f in self.filters)

    def in_where(self, column: ColumnRef) -> bool:
        where = self.where_span
        return where is not None and where.start <= column.span.start and column.span.end <= where.end


@dataclass(frozen=True)
class Statement:
    text: str  # the statement alone, without the trailing ';'
    offset: int = 0  # where it starts in the script it came from
    hints: tuple[str, ...] = ()  # "/*+ NOWAIT */" -> ("nowait",), lower-cased words

    def has_hint(self, word: str) -> bool:
        return word.lower() in self.hints


@dataclass(frozen=True)
class Select(Statement):
    scopes: tuple[SelectScope, ...] = ()  # scopes[0] is the outermost
    # A SELECT with no awscc table (SELECT 1 AS x) is answered by SQLite alone.

    @property
    def tables(self) -> tuple[TableRef, ...]:
        return tuple(t for scope in self.scopes for t in scope.tables)


@dataclass(frozen=True, kw_only=True)
class Insert(Statement):
    target: TableRef
    columns: tuple[ColumnRef, ...] = ()
    rows: tuple[tuple[Literal, ...], ...] = ()  # VALUES (...), (...) or SELECT of constants
    query: Select | None = None  # INSERT ... SELECT over resources: evaluated, one create per row
    returning: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    column: ColumnRef
    value: Literal  # string('...') is unwrapped to its string literal


@dataclass(frozen=True, kw_only=True)
class Update(Statement):
    target: TableRef
    assignments: tuple[Assignment, ...] = ()
    # Only the pinning conjuncts (= and IN): they name the targets; a LIKE is left to the targets query.
    where: tuple[Comparison, ...] = ()
    where_text: str | None = None  # the whole WHERE expression, for the refuse-or-confirm path
    where_is_simple: bool = True
    returning: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Delete(Statement):
    target: TableRef
    where: tuple[Comparison, ...] = ()  # as Update.where
    where_text: str | None = None
    where_is_simple: bool = True
    returning: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CatalogQuery(Statement):
    """SHOW and DESCRIBE, filtered as StackQL filters them: ``LIKE 'pattern'`` on the name, or ``WHERE`` any
    condition on the result's columns (``where`` is its text, evaluated by SQLite on the rows)."""

    like: str | None = None
    where: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShowProviders(CatalogQuery):
    pass


@dataclass(frozen=True, kw_only=True)
class ShowServices(CatalogQuery):
    extended: bool = False


@dataclass(frozen=True, kw_only=True)
class ShowResources(CatalogQuery):
    service: str = ""  # as typed: "awscc.lambda"; empty: every service's resources
    extended: bool = False


@dataclass(frozen=True, kw_only=True)
class ShowMethods(CatalogQuery):
    resource: str


@dataclass(frozen=True, kw_only=True)
class Describe(CatalogQuery):
    resource: str
    extended: bool = False


@dataclass(frozen=True, kw_only=True)
class ShowInsert(Statement):
    resource: str
    required_only: bool = False  # /*+ REQUIRED */


@dataclass(frozen=True, kw_only=True)
class Explain(Statement):
    statement: Statement
