"""Text to typed statements (``statements.py``): the awscc dialect, one or many statements at once.

Built on sqlparse's lexer (see ``_lexer``); the structure is read from the token stream directly,
which is fast and lets every error say where it is and what was expected. Positions in errors count
from the start of the whole script; spans in statements count from the start of ``Statement.text``.

Decisions worth knowing:
- ``Statement.text`` runs from the statement's first token to its last one before the ';'. Line
  comments (``-- ...``) before and after it are left out, so the text can be wrapped, extended or
  put on one line safely; block comments and ``/*+ hints */`` at its edges are kept.
- Nested statements (EXPLAIN's, INSERT ... SELECT's query) have their own text and spans relative to
  it; their ``offset`` is, like every statement's, where they start in the script. They carry the
  hints of the whole statement.
- A ``{{ variable }}`` not yet substituted parses: as a name where a name is expected, as a literal
  holding its own text where a value is expected. Substituting is the executor's decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsql_shell.catalog.naming import PROVIDER
from awsql_shell.errors import AwsqlError, UnknownNameError, UnsupportedError, did_you_mean
from awsql_shell.sql._common import (
    Context,
    analyze_where,
    comma_items,
    found,
    is_name,
    is_op,
    literal,
    string_value,
    unquote,
)
from awsql_shell.sql._lexer import (
    COMMA,
    DOT,
    ERROR,
    HINT,
    LINE_COMMENT,
    NAME_KINDS,
    SPACE,
    STAR,
    STRING,
    TEMPLATE,
    TRIVIA,
    WORD,
    Group,
    Node,
    SyntaxProblem,
    Tok,
    group,
    lex,
    lex_tolerant,
    lexical_error,
    split,
)
from awsql_shell.sql._select import analyze_select
from awsql_shell.sql.statements import (
    Assignment,
    ColumnRef,
    Delete,
    Describe,
    Explain,
    Insert,
    Literal,
    Select,
    ShowInsert,
    ShowMethods,
    ShowProviders,
    ShowResources,
    ShowServices,
    Statement,
    TableRef,
    Update,
)

STATEMENT_KEYWORDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "SHOW", "DESCRIBE", "EXPLAIN", "WITH", "VALUES", "DESC")
SHOW_TARGETS = ("PROVIDERS", "SERVICES", "RESOURCES", "METHODS", "INSERT")
SHOW_ACCEPTS = (
    "SHOW accepts [EXTENDED] PROVIDERS, SERVICES [IN awscc], RESOURCES [IN awscc[.<service>]], "
    "METHODS IN awscc.<service>.<resource> or INSERT INTO awscc.<service>.<resource>"
)
_EXPECTED_STATEMENT = "SELECT, INSERT, UPDATE, DELETE, SHOW, DESCRIBE or EXPLAIN"
_VALUE_KINDS = "a string, a number, TRUE, FALSE, NULL or string('...')"


# -- public API -------------------------------------------------------------------------------


def parse_script(text: str) -> list[Statement]:
    """Every statement of ``text``, split on ';'; empty statements (only comments) are skipped."""
    try:
        tokens = lex(text)
        return [s for chunk in split(tokens) if (s := _parse_chunk(text, chunk, 0)) is not None]
    except SyntaxProblem as problem:
        raise _error(problem, 0, text) from None


def _error(problem: SyntaxProblem, offset: int, script: str) -> AwsqlError:
    return problem.error_type(problem.message, position=problem.position + offset, statement=script)


def parse_statement(text: str, *, offset: int = 0, script: str | None = None) -> Statement:
    """Exactly one statement (a trailing ';' is fine).

    ``offset`` and ``script`` place ``text`` inside a larger script, so that error positions and
    ``Statement.offset`` count from the start of that script.
    """
    try:
        chunks = [chunk for chunk in split(lex(text)) if _bounds(chunk) is not None]
        if not chunks:
            raise SyntaxProblem(f"empty statement: expected {_EXPECTED_STATEMENT}", len(text) - len(text.lstrip()))
        if len(chunks) > 1:
            second = _bounds(chunks[1])
            assert second is not None
            raise SyntaxProblem("expected one statement, found a second one", second[0])
        statement = _parse_chunk(text, chunks[0], offset)
        assert statement is not None
        return statement
    except SyntaxProblem as problem:
        raise _error(problem, offset if script is not None else 0, script or text) from None


@dataclass(frozen=True)
class ScriptPart:
    """One ';'-separated statement of a script, unparsed: its text, where it starts, and the lexical error
    that breaks it, if any (the other statements stand on their own)."""

    text: str
    offset: int
    error: AwsqlError | None = None


def script_parts(text: str) -> list[ScriptPart]:
    """Every statement of a script, for running each on its own: a stray character breaks only the statement
    it stands in, and the script resumes after the next ';'. An unterminated string, quoted name or comment
    runs to the end of the input, so the statement it opens is the last one."""
    parts = []
    for chunk in split(lex_tolerant(text)):
        bounds = _bounds(chunk)
        if bounds is None:
            continue
        broken = next((token for token in chunk if token.kind == ERROR), None)
        error = None
        if broken is not None:
            error = _error(SyntaxProblem(lexical_error(text, broken), broken.start), 0, text)
        parts.append(ScriptPart(text[bounds[0] : bounds[1]], bounds[0], error))
    return parts


def split_script(text: str) -> list[tuple[str, int]]:
    """``(statement text, offset)`` of every statement, unparsed; the first lexical error raises."""
    parts = script_parts(text)
    for part in parts:
        if part.error is not None:
            raise part.error
    return [(part.text, part.offset) for part in parts]


# -- statements ------------------------------------------------------------------------------


def _bounds(chunk: list[Tok]) -> tuple[int, int] | None:
    """Where a statement's text starts and ends: line comments and spaces around it are left out."""
    if all(t.kind in TRIVIA for t in chunk):
        return None
    first = next(t for t in chunk if t.kind not in (SPACE, LINE_COMMENT))
    last = next(t for t in reversed(chunk) if t.kind not in (SPACE, LINE_COMMENT))
    return first.start, last.end


def _parse_chunk(text: str, chunk: list[Tok], offset: int) -> Statement | None:
    bounds = _bounds(chunk)
    if bounds is None:
        return None
    hints = tuple(word.lower() for t in chunk if t.kind == HINT for word in _hint_words(t.text))
    nodes = group(chunk)
    context = Context(text, bounds[0], bounds[1], hints)
    return _statement(context, nodes, offset)


def _hint_words(comment: str) -> list[str]:
    return comment[3:-2].replace(",", " ").split()


def _statement(context: Context, nodes: list[Node], offset: int) -> Statement:
    first = nodes[0]
    base = {"text": context.statement_text, "offset": offset + context.start, "hints": context.hints}
    keyword = first.up if isinstance(first, Tok) and first.kind == WORD else None
    if keyword in ("SELECT", "WITH", "VALUES"):
        return Select(**base, scopes=analyze_select(nodes, context))
    if keyword == "INSERT":
        return _insert(context, nodes, offset, base)
    if keyword == "UPDATE":
        return _update(context, _Cursor(nodes, context), base)
    if keyword == "DELETE":
        return _delete(context, _Cursor(nodes, context), base)
    if keyword == "SHOW":
        return _show(_Cursor(nodes, context), base)
    if keyword in ("DESCRIBE", "DESC"):
        return _describe(_Cursor(nodes, context), base)
    if keyword == "EXPLAIN":
        return _explain(context, nodes, offset, base)
    word = first.text if isinstance(first, Tok) else "("
    hint = did_you_mean(word.upper(), STATEMENT_KEYWORDS) if isinstance(first, Tok) and first.kind == WORD else ""
    detail = hint or f" (expected {_EXPECTED_STATEMENT})"
    raise SyntaxProblem(f"unknown statement '{word}'{detail}", first.start)


class _Cursor:
    """A walk over a statement's top-level nodes, with errors that say what was expected."""

    def __init__(self, nodes: list[Node], context: Context):
        self.nodes = nodes
        self.context = context
        self.index = 0

    def peek(self, ahead: int = 0) -> Node | None:
        index = self.index + ahead
        return self.nodes[index] if index < len(self.nodes) else None

    def next(self) -> Node:
        node = self.nodes[self.index]
        self.index += 1
        return node

    @property
    def done(self) -> bool:
        return self.index >= len(self.nodes)

    def take(self, *words: str) -> Tok | None:
        node = self.peek()
        if node is not None and node.is_word(*words):
            self.index += 1
            return node  # type: ignore[return-value]
        return None

    def fail(self, message: str, node: Node | None = None) -> SyntaxProblem:
        node = node if node is not None else self.peek()
        return SyntaxProblem(message, node.start if node is not None else self.context.end)

    def expect(self, word: str, after: str) -> Tok:
        token = self.take(word)
        if token is None:
            raise self.fail(f"expected {word} after {after}, found {found(self.peek())}")
        return token

    def name(self, what: str, after: str) -> tuple[str, Tok, Tok]:
        """A dotted name (``awscc.lambda.functions``): its parts joined unquoted, first and last token."""
        node = self.peek()
        if not is_name(node):
            raise self.fail(f"expected {what} after {after}, found {found(node)}")
        parts = [self.next()]
        while (dot := self.peek()) is not None and dot.kind == DOT:
            part = self.peek(1)
            if not (isinstance(part, Tok) and part.kind in NAME_KINDS):
                raise self.fail(f"expected a name after '.', found {found(part)}", part)
            self.index += 2
            parts.append(part)
        name = ".".join(unquote(p) for p in parts)  # type: ignore[arg-type]
        return name, parts[0], parts[-1]  # type: ignore[return-value]

    def table(self, after: str, *, stops: tuple[str, ...] = ()) -> TableRef:
        name, first, last = self.name("a resource name", after)
        alias = None
        if self.take("AS"):
            node = self.peek()
            if not is_name(node):
                raise self.fail(f"expected an alias after AS, found {found(node)}")
            alias = unquote(self.next())  # type: ignore[arg-type]
        elif is_name(self.peek()) and not self.peek().is_word(*stops):  # type: ignore[union-attr]
            alias = unquote(self.next())  # type: ignore[arg-type]
        return TableRef(name, alias, self.context.span(first, last))

    def until(self, *words: str) -> list[Node]:
        """The nodes up to (not including) the first top-level word of ``words``, consumed."""
        start = self.index
        while not self.done and not self.peek().is_word(*words):  # type: ignore[union-attr]
            self.index += 1
        return self.nodes[start : self.index]

    def end(self, after: str, expected: str = "") -> None:
        if not self.done:
            node = self.peek()
            raise self.fail(f"unexpected {found(node)} after {after} (expected {expected}end of statement)")


# -- INSERT ------------------------------------------------------------------------------------


def _insert(context: Context, nodes: list[Node], offset: int, base: dict) -> Insert:
    cursor = _Cursor(nodes, context)
    cursor.next()
    cursor.expect("INTO", "INSERT")
    target = cursor.table("INSERT INTO")
    column_list = cursor.peek()
    if not isinstance(column_list, Group):
        raise cursor.fail(
            f"expected a column list after {target.name}, found {found(column_list)} "
            f"(INSERT INTO {target.name} (column, ...) VALUES (...) or SELECT ...)"
        )
    cursor.next()
    columns = _column_list(column_list, cursor)
    rows: tuple[tuple[Literal, ...], ...] = ()
    query: Select | None = None
    source_start = cursor.peek()
    if source_start is not None and source_start.is_word("VALUES"):
        source = cursor.until("RETURNING")
        rows, query = _values(source, columns, context, offset, cursor)
    elif source_start is not None and source_start.is_word("SELECT", "WITH"):
        source = cursor.until("RETURNING")
        rows, query = _insert_select(source, columns, context, offset, cursor)
    else:
        raise cursor.fail(f"expected VALUES or SELECT after the column list, found {found(source_start)}")
    returning = _returning(cursor)
    cursor.end("INSERT", "RETURNING or " if not returning else "")
    return Insert(**base, target=target, columns=columns, rows=rows, query=query, returning=returning)


def _column_list(column_list: Group, cursor: _Cursor) -> tuple[ColumnRef, ...]:
    columns: list[ColumnRef] = []
    seen: set[str] = set()
    pieces = comma_items(column_list.items, "a column name", column_list.close, opener="'('", end=cursor.context.end)
    for piece in pieces:
        node = piece[0]
        if len(piece) != 1 or not is_name(node, keyword_columns=True):
            bad = piece[1] if is_name(node, keyword_columns=True) else node
            raise cursor.fail(f"expected a column name in the column list, found {found(bad)}", bad)
        assert isinstance(node, Tok)
        name = unquote(node)
        # Exactly the same name twice is a slip the parser can see; whether Region and region are the same
        # column (they are not: a property and where to call) is the catalog's question.
        if name in seen:
            raise cursor.fail(f"column {name} is listed twice", node)
        seen.add(name)
        columns.append(ColumnRef(None, name, cursor.context.span(node)))
    return tuple(columns)


def _values(
    source: list[Node], columns: tuple[ColumnRef, ...], context: Context, offset: int, cursor: _Cursor
) -> tuple[tuple[tuple[Literal, ...], ...], Select | None]:
    rows: list[tuple[Literal, ...]] = []
    constant = True
    index = 1
    number = 0
    while True:
        node = source[index] if index < len(source) else cursor.peek()
        if not isinstance(node, Group):
            after = "VALUES" if index == 1 else "','"
            raise cursor.fail(f"expected '(' and values after {after}, found {found(node)}", node)
        number += 1
        values = comma_items(node.items, "a value", node.close, opener="'('", end=cursor.context.end)
        if len(values) != len(columns):
            raise cursor.fail(_count_mismatch(number, len(values), len(columns)), node)
        row = [literal(value, context) for value in values]
        constant = constant and all(v is not None for v in row)
        rows.append(tuple(v for v in row if v is not None))
        index += 1
        if index < len(source) and source[index].kind == COMMA:
            index += 1
            continue
        if index < len(source):
            raise cursor.fail(f"unexpected {found(source[index])} after a row of VALUES", source[index])
        break
    if constant:
        return tuple(rows), None
    return (), _query(source, context, offset)


def _insert_select(
    source: list[Node], columns: tuple[ColumnRef, ...], context: Context, offset: int, cursor: _Cursor
) -> tuple[tuple[tuple[Literal, ...], ...], Select | None]:
    arms = _union_all_arms(source)
    rows: list[tuple[Literal, ...]] | None = [] if arms is not None else None
    for number, arm in enumerate(arms or [], 1):
        items = comma_items(arm[1:], "a value", cursor.peek(), opener="SELECT", end=cursor.context.end)
        if any(item[-1].kind == STAR for item in items):
            rows = None
            break
        if len(items) != len(columns):
            raise cursor.fail(_count_mismatch(number, len(items), len(columns)), arm[0])
        row = [literal(_without_alias(item), context) for item in items]
        if rows is not None and all(v is not None for v in row):
            rows.append(tuple(row))  # type: ignore[arg-type]
        else:
            rows = None
    if rows is not None:
        return tuple(rows), None
    query = _query(source, context, offset)
    width = _select_width(source)
    if width is not None and not query.scopes[0].star and width != len(columns):
        raise cursor.fail(f"the SELECT gives {_counted(width, 'value')} but {_listed(len(columns))}", source[0])
    return (), query


def _union_all_arms(source: list[Node]) -> list[list[Node]] | None:
    """The arms of ``SELECT ... UNION ALL SELECT ...`` when every arm is a bare select list, else None."""
    arms: list[list[Node]] = [[]]
    index = 0
    while index < len(source):
        node = source[index]
        if node.is_word("UNION") and index + 1 < len(source) and source[index + 1].is_word("ALL"):
            arms.append([])
            index += 2
            continue
        if node.is_word(
            "FROM",
            "WHERE",
            "GROUP",
            "HAVING",
            "ORDER",
            "LIMIT",
            "WINDOW",
            "UNION",
            "INTERSECT",
            "EXCEPT",
            "WITH",
            "DISTINCT",
            "VALUES",
        ):
            return None
        arms[-1].append(node)
        index += 1
    if any(not arm or not arm[0].is_word("SELECT") for arm in arms):
        return None
    return arms


def _without_alias(item: list[Node]) -> list[Node]:
    if len(item) >= 3 and item[-2].is_word("AS"):
        return item[:-2]
    if len(item) == 2 and is_name(item[-1]) and item[0].kind != WORD:
        return item[:-1]
    return item


def _select_width(source: list[Node]) -> int | None:
    """How many values the first SELECT of an INSERT's query gives, when its select list says so."""
    if not source or not source[0].is_word("SELECT"):
        return None
    items = 1
    for node in source[1:]:
        if node.is_word("FROM", "WHERE", "GROUP", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "WINDOW"):
            return items
        if node.kind == COMMA:
            items += 1
    return items


def _count_mismatch(row: int, values: int, columns: int) -> str:
    return f"row {row} has {_counted(values, 'value')} but {_listed(columns)}"


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _listed(columns: int) -> str:
    return f"{_counted(columns, 'column')} {'is' if columns == 1 else 'are'} listed"


def _query(source: list[Node], context: Context, offset: int) -> Select:
    inner = context.until(source[0], source[-1])
    return Select(
        text=inner.statement_text,
        offset=offset + inner.start,
        hints=context.hints,
        scopes=analyze_select(source, inner),
    )


def _returning(cursor: _Cursor) -> tuple[str, ...]:
    keyword = cursor.take("RETURNING")
    if keyword is None:
        return ()
    names: list[str] = []
    rest = cursor.nodes[cursor.index :]
    if not rest:
        raise cursor.fail("expected a column name or * after RETURNING, found end of statement")
    cursor.index = len(cursor.nodes)
    for item in comma_items(rest, "a column name or *", None, opener="RETURNING", end=cursor.context.end):
        node = item[0]
        if len(item) == 1 and node.kind == STAR:
            names.append("*")
        elif len(item) == 1 and is_name(node):
            names.append(unquote(node))  # type: ignore[arg-type]
        else:
            bad = item[1] if len(item) > 1 and (is_name(node) or node.kind == STAR) else node
            raise cursor.fail(f"expected a column name or * after RETURNING, found {found(bad)}", bad)
    return tuple(names)


# -- UPDATE, DELETE --------------------------------------------------------------------------------


def _update(context: Context, cursor: _Cursor, base: dict) -> Update:
    cursor.next()
    target = cursor.table("UPDATE", stops=("SET",))
    cursor.expect("SET", f"UPDATE {target.name}")
    assignments: list[Assignment] = []
    after = "SET"
    while True:
        node = cursor.peek()
        if not is_name(node, keyword_columns=True):
            raise cursor.fail(f"expected a column name after {after}, found {found(node)}")
        cursor.next()
        assert isinstance(node, Tok)
        column = ColumnRef(None, unquote(node), context.span(node))
        equals = cursor.peek()
        if not is_op(equals, "=", "=="):
            raise cursor.fail(f"expected '=' after {column.name}, found {found(equals)}")
        cursor.next()
        value_nodes = []
        while not cursor.done and cursor.peek().kind != COMMA and not cursor.peek().is_word("WHERE", "RETURNING"):  # type: ignore[union-attr]
            value_nodes.append(cursor.next())
        assignments.append(Assignment(column, _assigned_value(value_nodes, column, context, cursor)))
        if cursor.peek() is not None and cursor.peek().kind == COMMA:  # type: ignore[union-attr]
            cursor.next()
            after = "','"
            continue
        break
    where = _where(cursor, context)
    returning = _returning(cursor)
    cursor.end(f"UPDATE {target.name}", "WHERE, RETURNING or ")
    return Update(**base, target=target, assignments=tuple(assignments), returning=returning, **where)


def _assigned_value(nodes: list[Node], column: ColumnRef, context: Context, cursor: _Cursor) -> Literal:
    if not nodes:
        raise cursor.fail(f"expected a value for {column.name} after '=', found {found(cursor.peek())}")
    for size in (2, 1):
        value = literal(nodes[:size], context)
        if value is not None:
            if len(nodes) > size:
                raise cursor.fail(
                    f"unexpected {found(nodes[size])} after the value of {column.name} "
                    "(expected ',', WHERE, RETURNING or end of statement)",
                    nodes[size],
                )
            return value
    raise cursor.fail(
        f"expected a constant value for {column.name} ({_VALUE_KINDS}), found {found(nodes[0])}", nodes[0]
    )


def _delete(context: Context, cursor: _Cursor, base: dict) -> Delete:
    cursor.next()
    cursor.expect("FROM", "DELETE")
    target = cursor.table("DELETE FROM", stops=("WHERE", "RETURNING"))
    where = _where(cursor, context)
    returning = _returning(cursor)
    cursor.end(f"DELETE FROM {target.name}", "WHERE, RETURNING or " if where["where_text"] is None else "RETURNING or ")
    return Delete(**base, target=target, returning=returning, **where)


def _where(cursor: _Cursor, context: Context) -> dict:
    keyword = cursor.take("WHERE")
    if keyword is None:
        return {"where": (), "where_text": None, "where_is_simple": True}
    condition = cursor.until("RETURNING")
    if not condition:
        raise cursor.fail(f"expected a condition after WHERE, found {found(cursor.peek())}")
    analyzed = analyze_where(condition, context)
    return {
        # The mutation planner names targets from pins and counts what it was given against the conjuncts:
        # a LIKE names no target, so it is left to the targets query (a SELECT, which reads it).
        "where": tuple(c for c in analyzed.comparisons if c.pins),
        "where_text": context.slice_text(condition[0], condition[-1]),
        "where_is_simple": analyzed.simple,
    }


# -- metadata ----------------------------------------------------------------------------------


def _show(cursor: _Cursor, base: dict) -> Statement:
    cursor.next()
    extended = cursor.take("EXTENDED") is not None
    target = cursor.peek()
    if target is None:
        raise cursor.fail(f"expected what to show after SHOW, found end of statement: {SHOW_ACCEPTS}")
    if not target.is_word(*SHOW_TARGETS):
        hint = did_you_mean(target.up, SHOW_TARGETS) if isinstance(target, Tok) and target.kind == WORD else ""
        raise cursor.fail(f"unknown SHOW target {found(target)}{hint}: {SHOW_ACCEPTS}")
    word = cursor.next().up  # type: ignore[union-attr]
    if word == "PROVIDERS":
        like, where = _filter(cursor, "SHOW PROVIDERS")
        return ShowProviders(**base, like=like, where=where)
    if word == "SERVICES":
        if cursor.take("IN", "FROM"):
            _provider(cursor, "SHOW SERVICES IN")
        like, where = _filter(cursor, "SHOW SERVICES", "IN awscc, ")
        return ShowServices(**base, like=like, where=where, extended=extended)
    if word == "RESOURCES":
        service = ""
        if cursor.take("IN", "FROM"):
            service, _, _ = cursor.name("a service name (awscc.<service>)", "SHOW RESOURCES IN")
            if service.lower() == PROVIDER:
                service = ""  # IN awscc: every service's resources, as with no IN at all
        like, where = _filter(cursor, f"SHOW RESOURCES IN {service}" if service else "SHOW RESOURCES", "IN, ")
        return ShowResources(**base, service=service, like=like, where=where, extended=extended)
    if word == "METHODS":
        if not cursor.take("IN", "FROM"):
            raise cursor.fail(
                f"expected IN awscc.<service>.<resource> after SHOW METHODS, found {found(cursor.peek())}"
            )
        resource, _, _ = cursor.name("a resource name", "SHOW METHODS IN")
        like, where = _filter(cursor, f"SHOW METHODS IN {resource}")
        return ShowMethods(**base, resource=resource, like=like, where=where)
    cursor.expect("INTO", "SHOW INSERT")
    resource, _, _ = cursor.name("a resource name", "SHOW INSERT INTO")
    cursor.end(f"SHOW INSERT INTO {resource}")
    return ShowInsert(**base, resource=resource, required_only="required" in base["hints"])


def _provider(cursor: _Cursor, after: str) -> None:
    provider, first, _ = cursor.name("a provider", after)
    if provider.lower() != PROVIDER:
        hint = did_you_mean(provider, [PROVIDER]) or f" (the provider is {PROVIDER})"
        raise SyntaxProblem(f"unknown provider '{provider}'{hint}", first.start, UnknownNameError)


def _filter(cursor: _Cursor, after: str, options: str = "") -> tuple[str | None, str | None]:
    """StackQL's filters of SHOW and DESCRIBE: ``LIKE 'pattern'``, or ``WHERE`` and a condition (kept as text for
    SQLite to evaluate on the result's rows); then the end of the statement."""
    like = _like(cursor)
    where = None
    if like is None and cursor.take("WHERE"):
        rest = cursor.nodes[cursor.index :]
        if not rest:
            raise cursor.fail("expected a condition after WHERE, found end of statement")
        where = cursor.context.text[rest[0].start : rest[-1].end]
        cursor.index = len(cursor.nodes)
    cursor.end(after, "" if like is not None or where is not None else f"{options}LIKE, WHERE or ")
    return like, where


def _like(cursor: _Cursor) -> str | None:
    if not cursor.take("LIKE"):
        return None
    node = cursor.peek()
    if not (isinstance(node, Tok) and node.kind in (STRING, TEMPLATE)):
        raise cursor.fail(f"expected a quoted pattern after LIKE, found {found(node)}")
    cursor.next()
    return string_value(node) if node.kind == STRING else node.text


def _describe(cursor: _Cursor, base: dict) -> Describe:
    keyword = cursor.next().text.upper()  # type: ignore[union-attr]
    extended = cursor.take("EXTENDED") is not None
    after = f"{keyword} EXTENDED" if extended else keyword
    resource, _, _ = cursor.name("a resource name", after)
    like, where = _filter(cursor, f"{after} {resource}")
    return Describe(**base, resource=resource, extended=extended, like=like, where=where)


def _explain(context: Context, nodes: list[Node], offset: int, base: dict) -> Explain:
    if len(nodes) < 2:
        raise SyntaxProblem("expected a statement after EXPLAIN, found end of statement", context.end)
    if nodes[1].is_word("EXPLAIN"):
        raise SyntaxProblem("EXPLAIN explains one statement, not another EXPLAIN", nodes[1].start)
    if nodes[1].is_word("QUERY") and len(nodes) > 2 and nodes[2].is_word("PLAN"):
        raise SyntaxProblem(
            "EXPLAIN QUERY PLAN is SQLite's and not supported: awsql's EXPLAIN shows the Cloud Control calls a "
            "statement would make (write EXPLAIN SELECT ...)",
            nodes[1].start,
            UnsupportedError,
        )
    inner = _statement(context.inner(nodes[1]), nodes[1:], offset)
    return Explain(**base, statement=inner)
