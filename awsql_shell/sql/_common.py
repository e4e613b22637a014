"""Pieces shared by the statement parsers: the statement's coordinates, names, literals, conjuncts."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from awsql_shell.catalog.naming import fold
from awsql_shell.sql._lexer import (
    COMMA,
    DOT,
    GROUP,
    NAME_KINDS,
    NUMBER,
    OP,
    QUOTED,
    STRING,
    TEMPLATE,
    WORD,
    Group,
    Node,
    SyntaxProblem,
    Tok,
)
from awsql_shell.sql.statements import ColumnRef, Comparison, Literal, Span


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that end or structure an expression and are never a column, a table or an alias.
CLAUSE_WORDS = words(
    "SELECT FROM WHERE GROUP HAVING ORDER LIMIT OFFSET JOIN ON USING UNION INTERSECT EXCEPT WITH VALUES "
    "INNER LEFT RIGHT FULL CROSS NATURAL OUTER SET RETURNING INTO AS BY"
)
# Words of SQLite's expression syntax (a column can only have these names when quoted).
EXPRESSION_WORDS = words(
    "AND OR NOT NULL IS IN BETWEEN LIKE GLOB REGEXP MATCH ESCAPE CASE WHEN THEN ELSE END CAST COLLATE "
    "EXISTS DISTINCT ALL TRUE FALSE ASC DESC ISNULL NOTNULL CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP"
)
RESERVED = CLAUSE_WORDS | EXPRESSION_WORDS
# Keywords CloudFormation also uses as property names (Values, Match, Group: the columns _values, _match,
# group). StackQL's pages write them bare (SELECT values FROM ...), so where a column is expected they read
# as one: in column lists, SET, and expressions (see _select._keyword_column for where in an expression).
KEYWORD_COLUMNS = words("VALUES MATCH GROUP ORDER")


@dataclass(frozen=True)
class Context:
    """One statement inside the lexed text: ``text[start:end]`` is ``Statement.text``."""

    text: str
    start: int
    end: int
    hints: tuple[str, ...] = ()

    @property
    def statement_text(self) -> str:
        return self.text[self.start : self.end]

    def span(self, first: Node, last: Node | None = None) -> Span:
        return Span(first.start - self.start, (last or first).end - self.start)

    def slice_text(self, first: Node, last: Node) -> str:
        return self.text[first.start : last.end]

    def inner(self, first: Node) -> Context:
        """The statement that starts at ``first`` and runs to the end of this one (EXPLAIN's, INSERT's SELECT)."""
        return Context(self.text, first.start, self.end, self.hints)

    def until(self, first: Node, last: Node) -> Context:
        return Context(self.text, first.start, last.end, self.hints)


def found(node: Node | None) -> str:
    """How an error names what it found instead of what it expected."""
    if node is None:
        return "end of statement"
    if isinstance(node, Group):
        return "'('"
    if node.kind == STRING:
        text = node.text if len(node.text) <= 30 else node.text[:27] + "...'"
        return f"the string {text}"
    return f"'{node.text}'"


def unquote(token: Tok) -> str:
    text = token.text
    if token.kind != QUOTED:
        return text
    if text[0] == "[":
        return text[1:-1]
    quote = text[0]
    return text[1:-1].replace(quote * 2, quote)


def is_name(node: Node | None, *, keyword_columns: bool = False) -> bool:
    """A token that can name a column, a table or an alias; ``keyword_columns``: where a column is expected,
    the keywords of ``KEYWORD_COLUMNS`` name one too."""
    if not isinstance(node, Tok) or node.kind not in NAME_KINDS:
        return False
    reserved = node.kind == WORD and node.up in RESERVED
    return not reserved or (keyword_columns and node.up in KEYWORD_COLUMNS)


def is_op(node: Node | None, *ops: str) -> bool:
    return isinstance(node, Tok) and node.kind == OP and node.text in ops


def comma_items(nodes: list[Node], what: str, following: Node | None, *, opener: str, end: int) -> list[list[Node]]:
    """The comma-separated items of a list (a select list, VALUES row, column list, RETURNING...); an empty
    item is an error where the item should be: ``expected a value, found ','`` or ``expected a value after
    ','`` (``opener`` names what stands before the first item, ``following`` what comes after the last)."""
    items: list[list[Node]] = [[]]
    for node in nodes:
        if node.kind == COMMA:
            if not items[-1]:
                raise SyntaxProblem(f"expected {what}, found ','", node.start)
            items.append([])
        else:
            items[-1].append(node)
    if not items[-1]:
        after = opener if len(items) == 1 else "','"
        position = following.start if following is not None else end
        raise SyntaxProblem(f"expected {what} after {after}, found {found(following)}", position)
    return items


def is_subquery(group: Node) -> bool:
    return (
        isinstance(group, Group)
        and bool(group.items)
        and isinstance(group.items[0], Tok)
        and group.items[0].is_word("SELECT", "WITH", "VALUES")
    )


def string_value(token: Tok) -> str:
    return token.text[1:-1].replace("''", "'")


def literal(nodes: list[Node], context: Context) -> Literal | None:
    """The constant that ``nodes`` spell, or None: 'text', 12, -1.5, TRUE, FALSE, NULL, string('text').

    A ``{{ variable }}`` not substituted yet reads as its own text, so a template still parses.
    """
    if len(nodes) == 1:
        token = nodes[0]
        if not isinstance(token, Tok):
            return None
        span = context.span(token)
        if token.kind == STRING:
            return Literal(string_value(token), span)
        if token.kind == NUMBER:
            return Literal(number_value(token), span)
        if token.kind == TEMPLATE:
            return Literal(token.text, span)
        if token.is_word("TRUE", "FALSE", "NULL"):
            return Literal({"TRUE": True, "FALSE": False, "NULL": None}[token.up], span)
        return None
    if len(nodes) == 2:
        first, second = nodes
        if is_op(first, "-", "+") and isinstance(second, Tok) and second.kind == NUMBER:
            value = number_value(second)
            return Literal(-value if first.text == "-" else value, context.span(first, second))
        if (
            isinstance(first, Tok)
            and first.is_word("STRING")
            and isinstance(second, Group)
            and len(second.items) == 1
            and second.items[0].kind in (STRING, TEMPLATE)
        ):
            inner = second.items[0]
            assert isinstance(inner, Tok)
            value = string_value(inner) if inner.kind == STRING else inner.text
            return Literal(value, context.span(first, second))
    return None


def number_value(token: Tok) -> int | float:
    """A NUMBER token's value. Python refuses to read decimal integers of more digits than its limit (a
    guard against slow conversions), so such a literal is a syntax error here rather than a crash later."""
    lowered = token.text.lower()
    if lowered.startswith("0x"):
        return int(lowered, 16)
    if "." in lowered or "e" in lowered:
        return float(lowered)
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or len(lowered)
    if len(lowered) > limit:
        shown = f"{lowered[:12]}...{lowered[-4:]}"
        raise SyntaxProblem(f"the number {shown} has {len(lowered):,} digits: awsql reads up to {limit:,}", token.start)
    return int(lowered)


def column_at(
    nodes: list[Node], index: int, context: Context, *, keyword_columns: bool = False
) -> tuple[ColumnRef, int] | None:
    """``[q.]col`` (or ``a.b.col``) starting at ``nodes[index]``, and the index after it."""
    if not is_name(nodes[index] if index < len(nodes) else None, keyword_columns=keyword_columns):
        return None
    parts = [nodes[index]]
    cursor = index + 1
    while cursor + 1 < len(nodes) and nodes[cursor].kind == DOT and nodes[cursor + 1].kind in NAME_KINDS:
        parts.append(nodes[cursor + 1])
        cursor += 2
    names = [unquote(part) for part in parts]  # type: ignore[arg-type]
    qualifier = ".".join(names[:-1]) or None
    return ColumnRef(qualifier, names[-1], context.span(parts[0], parts[-1])), cursor


def _split_top_level(nodes: list[Node], separator: str) -> list[list[Node]]:
    """Split an expression at a top-level AND or OR; the AND of ``BETWEEN a AND b`` and words inside
    ``CASE ... END`` do not split."""
    parts: list[list[Node]] = [[]]
    case_depth = 0
    pending_between = 0
    for node in nodes:
        if node.kind == WORD:
            word = node.up  # type: ignore[union-attr]
            if word == "CASE":
                case_depth += 1
            elif word == "END" and case_depth:
                case_depth -= 1
            elif case_depth == 0:
                if word == "BETWEEN":
                    pending_between += 1
                elif word == separator:
                    if separator == "AND" and pending_between:
                        pending_between -= 1
                    else:
                        parts.append([])
                        continue
        parts[-1].append(node)
    return parts


def conjuncts(nodes: list[Node]) -> tuple[list[list[Node]], bool]:
    """The top-level AND-ed parts of an expression, and whether it has a top-level OR."""
    parts = _split_top_level(nodes, "AND")
    return [part for part in parts if part], len(disjuncts(nodes)) > 1


def flat_conjuncts(nodes: list[Node]) -> tuple[list[list[Node]], bool]:
    """Like conjuncts, also splitting a parenthesized AND: ``(a = 1 AND b = 2)`` is two conjuncts."""
    parts, has_or = conjuncts(nodes)
    if has_or:
        return parts, True
    flat: list[list[Node]] = []
    for part in parts:
        if len(part) == 1 and isinstance(part[0], Group) and not is_subquery(part[0]):
            inner, inner_or = flat_conjuncts(part[0].items)
            if inner and not inner_or:
                flat.extend(inner)
                continue
        flat.append(part)
    return flat, False


def disjuncts(nodes: list[Node]) -> list[list[Node]]:
    """The top-level OR-ed parts of an expression (one part when it has no top-level OR)."""
    return _split_top_level(nodes, "OR")


def any_of(nodes: list[Node], context: Context) -> Comparison | None:
    """``col = 'a' OR col = 'b'`` (or with IN lists) on one column is ``col IN ('a', 'b')``."""
    parts = disjuncts(nodes)
    if len(parts) < 2 or any(not part for part in parts):
        return None
    found = [comparison(part, context) for part in parts]
    if any(c is None for c in found):
        return None
    first = found[0]
    assert first is not None

    def key(c: Comparison) -> tuple[str, str]:
        return ((c.column.qualifier or "").lower(), fold(c.column.name))

    if any(key(c) != key(first) for c in found if c is not None):
        return None
    values = tuple(value for c in found if c is not None for value in c.values)
    return Comparison(first.column, "in", values, context.span(nodes[0], nodes[-1]))


def comparison(part: list[Node], context: Context) -> Comparison | None:
    """The simple comparison one conjunct is: ``[q.]col = lit``, ``lit = [q.]col``, ``[q.]col IN (lit, ...)``,
    or, parenthesized, an OR of those on one column."""
    if len(part) == 1 and isinstance(part[0], Group) and not is_subquery(part[0]):
        inner = any_of(part[0].items, context)
        if inner is not None:
            return Comparison(inner.column, inner.operator, inner.values, context.span(part[0]))
    span = context.span(part[0], part[-1])
    column = column_at(part, 0, context)
    if column is not None:
        ref, after = column
        rest = part[after:]
        if len(rest) >= 2 and is_op(rest[0], "=", "=="):
            value = literal(rest[1:], context)
            if value is not None and value.value is not None:
                return Comparison(ref, "=", (value,), span)
        if len(rest) == 2 and rest[0].is_word("IN") and rest[1].kind == GROUP and not is_subquery(rest[1]):
            group = rest[1]
            try:
                items = comma_items(group.items, "a value", None, opener="'('", end=context.end)  # type: ignore[union-attr]
            except SyntaxProblem:
                return None  # not a list of literals (SQLite judges it): nothing this column is pinned to
            values = [literal(item, context) for item in items]
            if values and all(v is not None and v.value is not None for v in values):
                return Comparison(ref, "in", tuple(values), span)  # type: ignore[arg-type]
        return None
    for size in (1, 2):
        if len(part) > size + 1 and is_op(part[size], "=", "=="):
            value = literal(part[:size], context)
            column = column_at(part, size + 1, context)
            if value is not None and value.value is not None and column is not None and column[1] == len(part):
                return Comparison(column[0], "=", (value,), span)
    return None


def column_equality(part: list[Node], context: Context) -> tuple[ColumnRef, ColumnRef] | None:
    """``a.x = b.y``: a conjunct joining two columns, which can drive a list that needs a parameter."""
    left = column_at(part, 0, context)
    if left is None or left[1] + 1 >= len(part) or not is_op(part[left[1]], "=", "=="):
        return None
    right = column_at(part, left[1] + 1, context)
    if right is None or right[1] != len(part):
        return None
    return left[0], right[0]


def equalities(nodes: list[Node], context: Context) -> tuple[tuple[ColumnRef, ColumnRef], ...]:
    parts, has_or = flat_conjuncts(nodes)
    if has_or:
        return ()
    return tuple(pair for part in parts if (pair := column_equality(part, context)) is not None)


@dataclass(frozen=True)
class Where:
    """The simple conjuncts of a WHERE; ``conjunct_count`` counts all of them, so fewer comparisons means
    some conjunct stays a local filter."""

    comparisons: tuple[Comparison, ...]
    simple: bool
    conjunct_count: int
    equalities: tuple[tuple[ColumnRef, ColumnRef], ...] = ()


def analyze_where(nodes: list[Node], context: Context) -> Where:
    parts, has_or = flat_conjuncts(nodes)
    if has_or:
        alternatives = any_of(nodes, context)
        return Where((alternatives,), True, 1) if alternatives is not None else Where((), False, 1)
    found_comparisons = [c for part in parts if (c := comparison(part, context)) is not None]
    return Where(tuple(found_comparisons), True, len(parts), equalities(nodes, context))


def require(condition: bool, message: str, node: Node | None, end: int) -> None:
    if not condition:
        raise SyntaxProblem(message, node.start if node is not None else end)
