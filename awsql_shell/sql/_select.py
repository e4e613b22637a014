"""SELECT analysis: one SelectScope per SELECT level, read from the grouped tokens without rebuilding SQL.

The text itself goes to SQLite, so this only needs what the planner needs: the tables each level
reads (with the exact span of their names), its simple WHERE conjuncts, every column it touches,
its stars, LIMIT/OFFSET and whether rows are reordered or merged. Anything not understood stays SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from awsql_shell.sql._common import (
    KEYWORD_COLUMNS,
    RESERVED,
    Context,
    analyze_where,
    column_at,
    comma_items,
    equalities,
    found,
    is_name,
    is_subquery,
    require,
    unquote,
    words,
)
from awsql_shell.sql._lexer import (
    COMMA,
    DOT,
    GROUP,
    NAME_KINDS,
    NUMBER,
    OP,
    PARAM,
    QUOTED,
    STAR,
    STRING,
    TEMPLATE,
    WORD,
    Group,
    Node,
    SyntaxProblem,
    Tok,
)
from awsql_shell.sql.statements import ColumnRef, SelectScope, Span, TableRef

AGGREGATES = words("count sum avg min max total group_concat json_group_array json_group_object string_agg")
# Aggregates only with one argument: min(a, b) and max(a, b) are scalar functions in SQLite.
_SCALAR_WHEN_SEVERAL = frozenset({"min", "max"})
# Words of a window definition: OVER (PARTITION BY x ORDER BY y ROWS BETWEEN ...).
_WINDOW_WORDS = words(
    "PARTITION ORDER BY ROWS RANGE GROUPS UNBOUNDED PRECEDING FOLLOWING CURRENT ROW EXCLUDE NO OTHERS TIES "
    "FIRST LAST NULLS"
)
_JOIN_WORDS = frozenset({"JOIN", "NATURAL", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "OUTER"})
_CLAUSES = ("FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT")
_CLAUSE_NAMES = {"GROUP": "GROUP BY", "ORDER": "ORDER BY"}
_COMPOUND = frozenset({"UNION", "INTERSECT", "EXCEPT"})
_ORDER_SUFFIX = frozenset({"ASC", "DESC", "NULLS", "FIRST", "LAST"})


_Tail = tuple[list[Node], "Node | None"]  # a clause's nodes and what follows it (for error messages)


@dataclass
class _Scope:
    tables: list[TableRef] = field(default_factory=list)
    where: tuple = ()
    columns: list[ColumnRef] = field(default_factory=list)
    star: list[str | None] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    ordered: bool = False
    grouped: bool = False
    where_is_simple: bool = True
    where_conjuncts: int = 0
    equalities: list[tuple[ColumnRef, ColumnRef]] = field(default_factory=list)
    filters: list[Span] = field(default_factory=list)
    where_span: Span | None = None
    aliases: set[str] = field(default_factory=set)  # select-list aliases, lower-cased
    source_name: str | None = None  # the CTE name or derived-table alias its rows are known by
    derived: list[str] = field(default_factory=list)  # aliases of the derived tables in its FROM
    outputs: list[tuple[Span, str | None]] = field(default_factory=list)  # select-list items, and their aliases

    def build(self) -> SelectScope:
        # StackQL's fully qualified column (awscc.lambda.functions.function_name) is qualified by the table's
        # reference (functions) from here on, so every reader of qualifiers sees one spelling.
        full = {t.name.lower(): t.reference for t in self.tables if t.alias is None and "." in t.name}

        def plain(column: ColumnRef) -> ColumnRef:
            qualifier = column.qualifier
            if qualifier is None or qualifier.lower() not in full:
                return column
            return replace(column, qualifier=full[qualifier.lower()])

        where = tuple(replace(c, column=plain(c.column)) for c in self.where)
        equalities = tuple((plain(a), plain(b)) for a, b in self.equalities)
        return SelectScope(
            tables=tuple(self.tables),
            where=where,
            columns=tuple(sorted((plain(c) for c in self.columns), key=lambda c: c.span.start)),
            star=tuple(self.star),
            limit=self.limit,
            offset=self.offset,
            ordered=self.ordered,
            grouped=self.grouped,
            where_is_simple=self.where_is_simple,
            where_conjuncts=self.where_conjuncts,
            equalities=equalities,
            filters=tuple(self.filters),
            where_span=self.where_span,
            source_name=self.source_name,
            derived=tuple(self.derived),
            outputs=tuple(self.outputs),
        )


def analyze_select(nodes: list[Node], context: Context) -> tuple[SelectScope, ...]:
    """The scopes of a SELECT statement: scopes[0] is the main query (the first arm of a compound),
    then every other level in pre-order: its subqueries, later arms, and CTE bodies last."""
    analyzer = _Analyzer(context)
    out: list[_Scope] = []
    analyzer.select_statement(nodes, out, None)
    return tuple(scope.build() for scope in out)


class _Analyzer:
    def __init__(self, context: Context):
        self.context = context

    # -- positions ------------------------------------------------------------------------

    def _fail(self, message: str, node: Node | None) -> SyntaxProblem:
        return SyntaxProblem(message, node.start if node is not None else self.context.end)

    # -- statement, compound, core ---------------------------------------------------------

    def select_statement(self, nodes: list[Node], out: list[_Scope], close: Tok | None) -> list[_Scope]:
        """Analyze ``[WITH ...] core (UNION|INTERSECT|EXCEPT core)* [ORDER BY] [LIMIT]`` into ``out``; the
        scopes of its arms come back (a CTE or derived table names them)."""
        ctes: list[_Scope] = []
        index = self._with(nodes, ctes, close) if nodes and nodes[0].is_word("WITH") else 0
        arms = self._arms(nodes, index, close)
        scopes: list[_Scope] = []
        tails = []
        for position, arm in enumerate(arms):
            scope = _Scope()
            out.append(scope)
            scopes.append(scope)
            tails.append(self._core(arm, scope, out, close, is_last=position == len(arms) - 1))
        order, limit = tails[-1]
        if order is not None:
            for scope in scopes:
                scope.ordered = True
            self._order_by(*order, scopes[0])
        if limit is not None:
            counts = self._limit(*limit)
            if len(arms) == 1:  # a compound's LIMIT applies to the merged rows: no arm may stop early
                scopes[0].limit, scopes[0].offset = counts
            else:
                for scope in scopes:
                    scope.grouped = True  # rows merged across arms: nothing pushed from outside is sound
        out.extend(ctes)
        return scopes

    def _with(self, nodes: list[Node], ctes: list[_Scope], close: Tok | None) -> int:
        index = 1
        if index < len(nodes) and nodes[index].is_word("RECURSIVE"):
            index += 1
        after = "WITH"
        while True:
            node = nodes[index] if index < len(nodes) else close
            if not is_name(node):
                raise self._fail(f"expected a name after {after}, found {found(node)}", node)
            name = node.text
            assert isinstance(node, Tok)
            cte_name = unquote(node)
            index += 1
            if index < len(nodes) and nodes[index].kind == GROUP:
                index += 1  # the CTE's column names
            node = nodes[index] if index < len(nodes) else close
            if not (node is not None and node.is_word("AS")):
                raise self._fail(f"expected AS after {name} in WITH, found {found(node)}", node)
            index += 1
            if index < len(nodes) and nodes[index].is_word("NOT"):
                index += 1
            if index < len(nodes) and nodes[index].is_word("MATERIALIZED"):
                index += 1
            node = nodes[index] if index < len(nodes) else close
            if not is_subquery(node):
                raise self._fail(f"expected '(' and a SELECT after {name} AS, found {found(node)}", node)
            assert isinstance(node, Group)
            for arm in self.select_statement(node.items, ctes, node.close):
                arm.source_name = cte_name
            index += 1
            if index < len(nodes) and nodes[index].kind == COMMA:
                index += 1
                after = "','"
                continue
            return index

    def _arms(self, nodes: list[Node], index: int, close: Tok | None) -> list[list[Node]]:
        arms: list[list[Node]] = []
        after = "WITH ..." if index else None
        start = index
        cursor = index
        while True:
            at_end = cursor >= len(nodes)
            if at_end or (nodes[cursor].kind == WORD and nodes[cursor].up in _COMPOUND):  # type: ignore[union-attr]
                arm = nodes[start:cursor]
                first = arm[0] if arm else (nodes[cursor] if not at_end else close)
                if not (first is not None and first.is_word("SELECT", "VALUES")):
                    where = f" after {after}" if after else ""
                    raise self._fail(f"expected SELECT{where}, found {found(first)}", first)
                arms.append(arm)
                if at_end:
                    return arms
                operator = nodes[cursor].up  # type: ignore[union-attr]
                cursor += 1
                if operator == "UNION" and cursor < len(nodes) and nodes[cursor].is_word("ALL"):
                    operator = "UNION ALL"
                    cursor += 1
                after = operator
                start = cursor
                continue
            cursor += 1

    def _core(
        self, arm: list[Node], scope: _Scope, out: list[_Scope], close: Tok | None, *, is_last: bool
    ) -> tuple[_Tail | None, _Tail | None]:
        """One SELECT (or VALUES); returns its ORDER BY terms and LIMIT expression, applied by the caller."""
        clauses = self._clauses(arm)
        bounds = [index for _, index in clauses] + [len(arm)]
        if not is_last and any(name in ("ORDER", "LIMIT") for name, _ in clauses):
            keyword = next(arm[i] for name, i in clauses if name in ("ORDER", "LIMIT"))
            raise self._fail(
                f"unexpected {found(keyword)}: ORDER BY and LIMIT go after the last SELECT of a compound", keyword
            )
        head = arm[1 : bounds[0]]
        following = arm[bounds[0]] if bounds[0] < len(arm) else close
        if arm[0].is_word("VALUES"):
            require(bool(head), f"expected '(' after VALUES, found {found(following)}", following, self.context.end)
            for node in head:
                if node.kind == GROUP:
                    self._scan(node.items, scope, out)  # type: ignore[union-attr]
        else:
            if head and head[0].is_word("DISTINCT"):
                scope.grouped = True
                head = head[1:]
            elif head and head[0].is_word("ALL"):
                head = head[1:]
            if not head:
                raise self._fail(f"expected a column or expression after SELECT, found {found(following)}", following)
            self._select_list(head, scope, out, following)
        order: _Tail | None = None
        limit: _Tail | None = None
        for position, (name, index) in enumerate(clauses):
            body_start = index + (2 if name in _CLAUSE_NAMES else 1)
            body = arm[body_start : bounds[position + 1]]
            following = arm[bounds[position + 1]] if bounds[position + 1] < len(arm) else close
            label = _CLAUSE_NAMES.get(name, name)
            if name == "FROM":
                self._from(body, scope, out, following)
                continue
            if not body:
                what = {"LIMIT": "a number", "WHERE": "a condition", "HAVING": "a condition"}.get(name, "an expression")
                raise self._fail(f"expected {what} after {label}, found {found(following)}", following)
            if name == "WHERE":
                self._scan(body, scope, out)
                where = analyze_where(body, self.context)
                scope.where, scope.where_is_simple = where.comparisons, where.simple
                scope.where_conjuncts = where.conjunct_count
                scope.equalities.extend(where.equalities)
                scope.filters.append(self.context.span(body[0], body[-1]))
                scope.where_span = scope.filters[-1]
            elif name in ("GROUP", "HAVING"):
                scope.grouped = True
                self._scan(body, scope, out)
            elif name == "WINDOW":
                for node in body:
                    if node.kind == GROUP:
                        self._scan(node.items, scope, out, window=True)  # type: ignore[union-attr]
            elif name == "ORDER":
                order = (body, following)
            else:
                limit = (body, following)
        return order, limit

    def _clauses(self, arm: list[Node]) -> list[tuple[str, int]]:
        clauses: list[tuple[str, int]] = []
        rank = -1
        for index in range(1, len(arm)):
            node = arm[index]
            if node.kind != WORD:
                continue
            word = node.up  # type: ignore[union-attr]
            if word not in _CLAUSES:
                continue
            if word == "FROM" and _is_distinct_from(arm, index):
                continue
            if word == "WINDOW" and not (index + 2 < len(arm) and arm[index + 2].is_word("AS")):
                continue  # a column called "window"
            if word in _CLAUSE_NAMES:
                following = arm[index + 1] if index + 1 < len(arm) else None
                if not (following is not None and following.is_word("BY")):
                    if _keyword_column(arm, index):
                        continue  # a column called "group" (resourcegroups' Group property)
                    raise self._fail(f"expected BY after {node.text}, found {found(following)}", following)
            if _CLAUSES.index(word) <= rank:
                previous = _CLAUSE_NAMES.get(clauses[-1][0], clauses[-1][0])
                raise self._fail(f"unexpected {found(node)} after {previous}", node)
            rank = _CLAUSES.index(word)
            clauses.append((word, index))
        return clauses

    # -- select list -------------------------------------------------------------------------

    def _select_list(self, nodes: list[Node], scope: _Scope, out: list[_Scope], following: Node | None) -> None:
        for item in comma_items(nodes, "a column or expression", following, opener="SELECT", end=self.context.end):
            named = (
                len(item) >= 2
                and (is_name(item[-1]) or item[-1].kind == STRING)
                and (item[-2].is_word("AS") or _ends_operand(item[-2]))
            )
            if item[-1].kind != STAR:
                last = item[-1]
                alias = (last.text[1:-1] if last.kind == STRING else unquote(last)) if named else None  # type: ignore[union-attr, arg-type]
                scope.outputs.append((self.context.span(item[0], item[-1]), alias))
            if item[-1].kind == STAR:
                qualifier = _star_qualifier(item)
                if qualifier is not False:
                    scope.star.append(qualifier)  # type: ignore[arg-type]
                    continue
            expression = item
            if len(item) >= 2 and (is_name(item[-1]) or (item[-1].kind == STRING and item[-2].is_word("AS"))):
                if item[-2].is_word("AS"):
                    expression = item[:-2]
                elif _ends_operand(item[-2]):
                    expression = item[:-1]
                if expression is not item:
                    alias = item[-1]
                    assert isinstance(alias, Tok)
                    name = alias.text[1:-1] if alias.kind == STRING else unquote(alias)
                    scope.aliases.add(name.lower())
            self._scan(expression, scope, out)

    # -- FROM --------------------------------------------------------------------------------

    def _from(self, nodes: list[Node], scope: _Scope, out: list[_Scope], following: Node | None) -> None:
        after = "FROM"
        index = 0
        while True:
            if index >= len(nodes):
                raise self._fail(f"expected a resource name after {after}, found {found(following)}", following)
            index = self._source(nodes, index, scope, out, after)
            if index < len(nodes) and nodes[index].is_word("ON"):
                end = index + 1
                while end < len(nodes) and not _is_join_start(nodes, end):
                    end += 1
                if end == index + 1:
                    node = nodes[end] if end < len(nodes) else following
                    raise self._fail(f"expected a condition after ON, found {found(node)}", node)
                self._scan(nodes[index + 1 : end], scope, out)
                scope.equalities.extend(equalities(nodes[index + 1 : end], self.context))
                scope.filters.append(self.context.span(nodes[index + 1], nodes[end - 1]))
                index = end
            elif index < len(nodes) and nodes[index].is_word("USING"):
                node = nodes[index + 1] if index + 1 < len(nodes) else following
                if not isinstance(node, Group):
                    raise self._fail(f"expected '(' and column names after USING, found {found(node)}", node)
                self._scan(node.items, scope, out)
                scope.equalities.extend(self._using(node, scope))
                index += 2
            if index >= len(nodes):
                return
            node = nodes[index]
            if node.kind == COMMA:
                after = "','"
                index += 1
                continue
            if _is_join_start(nodes, index):
                while index < len(nodes) and nodes[index].kind == WORD and not nodes[index].is_word("JOIN"):
                    if nodes[index].up not in _JOIN_WORDS:  # type: ignore[union-attr]
                        break
                    index += 1
                node = nodes[index] if index < len(nodes) else following
                if not (node is not None and node.is_word("JOIN")):
                    raise self._fail(f"expected JOIN, found {found(node)}", node)
                after = "JOIN"
                index += 1
                continue
            raise self._fail(
                f"unexpected {found(node)} after the resource name (expected JOIN, ',', ON, WHERE, GROUP BY, "
                "ORDER BY, LIMIT or end of statement)",
                node,
            )

    def _source(self, nodes: list[Node], index: int, scope: _Scope, out: list[_Scope], after: str) -> int:
        node = nodes[index]
        if isinstance(node, Group):
            arms: list[_Scope] = []
            if is_subquery(node):
                arms = self.select_statement(node.items, out, node.close)  # a derived table cannot correlate
            elif node.items:
                self._from(node.items, scope, out, node.close)
            else:
                raise self._fail(f"expected a resource name after {after}, found '()'", node)
            index, alias = self._alias(nodes, index + 1)
            if alias is not None and arms:
                scope.derived.append(alias.lower())
                for arm in arms:
                    arm.source_name = alias
            return index
        if not is_name(node):
            raise self._fail(f"expected a resource name after {after}, found {found(node)}", node)
        parts = [node]
        index += 1
        while index < len(nodes) and nodes[index].kind == DOT:
            part = nodes[index + 1] if index + 1 < len(nodes) else None
            if not (isinstance(part, Tok) and part.kind in NAME_KINDS):
                raise self._fail(f"expected a name after '.', found {found(part)}", part)
            parts.append(part)
            index += 2
        name = ".".join(unquote(part) for part in parts)  # type: ignore[arg-type]
        if index < len(nodes) and isinstance(nodes[index], Group):
            self._scan(nodes[index].items, scope, out)  # type: ignore[union-attr]  # json_each(t.tags)
            index, _ = self._alias(nodes, index + 1)
            return index
        index, alias = self._alias(nodes, index)
        ref = TableRef(name, alias, self.context.span(parts[0], parts[-1]))
        scope.tables.append(ref)
        if index < len(nodes) and nodes[index].is_word("INDEXED"):
            index += 3  # INDEXED BY index_name
        elif index + 1 < len(nodes) and nodes[index].is_word("NOT") and nodes[index + 1].is_word("INDEXED"):
            index += 2
        return index

    def _using(self, group: Group, scope: _Scope) -> list[tuple[ColumnRef, ColumnRef]]:
        """``a JOIN b USING (region)`` is ``a.region = b.region``: the same equality ON would give."""
        if len(scope.tables) < 2:
            return []
        left, right = scope.tables[-2].reference, scope.tables[-1].reference
        pairs = []
        for item in group.items:
            if is_name(item):
                name = unquote(item)  # type: ignore[arg-type]
                span = self.context.span(item)
                pairs.append((ColumnRef(left, name, span), ColumnRef(right, name, span)))
        return pairs

    def _alias(self, nodes: list[Node], index: int) -> tuple[int, str | None]:
        node = nodes[index] if index < len(nodes) else None
        if node is not None and node.is_word("AS"):
            alias = nodes[index + 1] if index + 1 < len(nodes) else None
            if not (is_name(alias) or (isinstance(alias, Tok) and alias.kind == STRING)):
                raise self._fail(f"expected an alias after AS, found {found(alias)}", alias)
            assert isinstance(alias, Tok)
            return index + 2, alias.text[1:-1] if alias.kind == STRING else unquote(alias)
        if is_name(node) and not node.is_word("INDEXED"):  # type: ignore[union-attr]
            return index + 1, unquote(node)  # type: ignore[arg-type]
        return index, None

    # -- ORDER BY, LIMIT ----------------------------------------------------------------------

    def _order_by(self, nodes: list[Node], following: Node | None, scope: _Scope) -> None:
        for term in comma_items(nodes, "an ORDER BY term", following, opener="ORDER BY", end=self.context.end):
            head = term[0]
            if (
                isinstance(head, Tok)
                and head.kind in (WORD, QUOTED)
                and unquote(head).lower() in scope.aliases
                and all(t.kind == WORD and t.up in _ORDER_SUFFIX for t in term[1:])  # type: ignore[union-attr]
            ):
                continue  # a select-list alias, not a column
            self._scan(term, scope, [])

    def _limit(self, nodes: list[Node], following: Node | None) -> tuple[int | None, int | None]:
        split_at = next((i for i, n in enumerate(nodes) if n.kind == COMMA or n.is_word("OFFSET")), None)
        if split_at is None:
            return self._count(nodes, "LIMIT", following), None
        first, second = nodes[:split_at], nodes[split_at + 1 :]
        label = "OFFSET" if nodes[split_at].kind == WORD else "','"
        if not second:
            raise self._fail(f"expected a number after {label}, found {found(following)}", following)
        if nodes[split_at].kind == COMMA:  # LIMIT offset, count
            return self._count(second, label, following), self._count(first, "LIMIT", nodes[split_at])
        return self._count(first, "LIMIT", nodes[split_at]), self._count(second, label, following)

    def _count(self, nodes: list[Node], label: str, following: Node | None) -> int | None:
        if not nodes:
            raise self._fail(f"expected a number after {label}, found {found(following)}", following)
        if len(nodes) > 1 and nodes[0].kind in (NUMBER, PARAM, TEMPLATE) and nodes[1].kind not in (OP, STAR):
            raise self._fail(f"unexpected {found(nodes[1])} after {label} {nodes[0].text}", nodes[1])  # type: ignore[union-attr]
        head = nodes[0]
        if len(nodes) == 1 and isinstance(head, Tok) and head.kind == NUMBER and head.text.isdigit():
            return int(head.text)
        return None

    # -- expressions -------------------------------------------------------------------------

    def _scan(self, nodes: list[Node], scope: _Scope, out: list[_Scope], *, window: bool = False) -> None:
        """Record the columns, aggregates, window functions and subqueries of an expression."""
        index = 0
        count = len(nodes)
        while index < count:
            node = nodes[index]
            if isinstance(node, Group):
                if is_subquery(node):
                    # A correlated column (t.x inside the subquery, t outside) stays in the subquery's scope.
                    self.select_statement(node.items, out, node.close)
                else:
                    self._scan(node.items, scope, out, window=window)
                index += 1
                continue
            if node.kind not in (WORD, QUOTED):
                index += 1
                continue
            following = nodes[index + 1] if index + 1 < count else None
            if node.kind == WORD:
                word = node.up
                if word in ("AS", "COLLATE"):  # a type name or a collation follows
                    index += 2 if following is not None and following.kind in (WORD, QUOTED) else 1
                    continue
                if word == "NULLS" and following is not None and following.is_word("FIRST", "LAST"):
                    index += 2
                    continue
                if (word in RESERVED or (window and word in _WINDOW_WORDS)) and not _keyword_column(nodes, index):
                    index += 1
                    continue
            if isinstance(following, Group):
                index = self._call(nodes, index, scope, out)
                continue
            column = column_at(nodes, index, self.context, keyword_columns=True)
            if column is None:
                index += 1
                continue
            ref, after = column
            if after < count and isinstance(nodes[after], Group):  # schema.function(...)
                self._scan(nodes[after].items, scope, out)  # type: ignore[union-attr]
                index = after + 1
                continue
            if after + 1 < count and nodes[after].kind == DOT and nodes[after + 1].kind == STAR:
                index = after + 2  # t.* inside an expression
                continue
            scope.columns.append(ref)
            index = after

    def _call(self, nodes: list[Node], index: int, scope: _Scope, out: list[_Scope]) -> int:
        """A function call at ``nodes[index]``, with its FILTER and OVER; returns the index after it."""
        name = nodes[index].text.lower()
        arguments = nodes[index + 1]
        assert isinstance(arguments, Group)
        if name in AGGREGATES and not (
            name in _SCALAR_WHEN_SEVERAL and any(item.kind == COMMA for item in arguments.items)
        ):
            scope.grouped = True
        self._scan([arguments], scope, out)
        index += 2
        count = len(nodes)
        if index + 1 < count and nodes[index].is_word("FILTER") and isinstance(nodes[index + 1], Group):
            self._scan(nodes[index + 1].items, scope, out)  # type: ignore[union-attr]
            index += 2
        if index < count and nodes[index].is_word("OVER"):
            scope.grouped = True
            window = nodes[index + 1] if index + 1 < count else None
            if isinstance(window, Group):
                self._scan(window.items, scope, out, window=True)
            index += 2
        return index


def _is_distinct_from(nodes: list[Node], index: int) -> bool:
    """``a IS [NOT] DISTINCT FROM b``: that FROM starts no clause."""
    return index >= 2 and nodes[index - 1].is_word("DISTINCT") and nodes[index - 2].is_word("IS", "NOT")


def _is_join_start(nodes: list[Node], index: int) -> bool:
    node = nodes[index]
    if node.kind == COMMA:
        return True
    if node.kind != WORD or node.up not in _JOIN_WORDS:  # type: ignore[union-attr]
        return False
    # "left" and "right" are also column names: a.left, left.x
    before = nodes[index - 1] if index else None
    after = nodes[index + 1] if index + 1 < len(nodes) else None
    return not (before is not None and before.kind == DOT) and not (after is not None and after.kind == DOT)


def _ends_operand(node: Node) -> bool:
    """Whether an expression can end with ``node``, so that a name after it is an alias."""
    if isinstance(node, Group):
        return True
    if node.kind in (QUOTED, STRING, NUMBER, PARAM, TEMPLATE):
        return True
    if node.kind == WORD:
        return node.up not in RESERVED or node.up in ("END", "NULL", "TRUE", "FALSE")
    return False


def _star_qualifier(item: list[Node]) -> str | bool | None:
    """None for ``*``, "q" for ``q.*`` (or "a.b" for ``a.b.*``), False if the item is no star."""
    if len(item) == 1:
        return None
    names = item[:-1]
    if len(names) % 2 != 0 or names[-1].kind != DOT:
        return False
    parts = names[0::2]
    dots = names[1::2]
    if not all(isinstance(p, Tok) and p.kind in NAME_KINDS for p in parts) or any(d.kind != DOT for d in dots):
        return False
    return ".".join(unquote(p) for p in parts)  # type: ignore[arg-type]


def _keyword_column(nodes: list[Node], index: int) -> bool:
    """Whether a keyword of ``KEYWORD_COLUMNS`` here names a column: VALUES always does inside an expression;
    MATCH does unless it follows an operand (``body MATCH 'x'``); GROUP and ORDER do where an operand is due
    and no BY follows."""
    word = nodes[index]
    if not word.is_word(*KEYWORD_COLUMNS):
        return False
    before = nodes[index - 1] if index > 0 else None
    after_operand = before is not None and (
        before.kind in (QUOTED, STRING, NUMBER, GROUP) or (before.kind == WORD and before.up not in RESERVED)  # type: ignore[union-attr]
    )
    if word.is_word("GROUP", "ORDER"):  # GROUP BY and ORDER BY, or a column where an operand is due
        following = nodes[index + 1] if index + 1 < len(nodes) else None
        return not (following is not None and following.is_word("BY")) and not after_operand
    if word.is_word("MATCH"):
        return not after_operand
    return True
