"""Work out what may come at the cursor, as typed suggestions (the pgcli split: this module decides
*what kind* of thing fits, the completer lists the candidates of that kind).

`suggest` is pure and tolerant: it reads incomplete, even broken SQL, and never raises on any text.
Only the statement holding the cursor counts (text after the last `;` that is not inside a string
or comment); `text_after_cursor` only helps find the tables of that statement, so that columns can be
offered in a SELECT list before FROM has been reached.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum, auto

from awsql_shell.catalog.cloud_control import PROGRESS_EVENT_FIELDS
from awsql_shell.catalog.naming import PROVIDER
from awsql_shell.shell.completion.suggestions import (
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
    Suggestion,
    TableInScope,
    TypeNameValue,
    Variable,
)
from awsql_shell.shell.completion.tokens import (
    COMMENT,
    INSIGNIFICANT,
    NAME,
    NUMBER,
    OPEN_COMMENT,
    OPEN_QUOTED_NAME,
    OPEN_STRING,
    OPEN_VARIABLE,
    OPERATOR,
    PARAMETER,
    QUOTED_NAME,
    STRING,
    VARIABLE,
    Token,
    name_text,
    string_content,
    tokenize,
)
from awsql_shell.shell.completion.vocabulary import (
    CLOUD_CONTROL_PARAMETERS,
    CLOUD_CONTROL_SERVICE,
    IDENTIFIER_PARAMETER,
    SHOW_OBJECTS,
    STATEMENT_STARTS,
    UPDATE_PARAMETERS,
)

# Words after which an expression (column, function, value) may start.
_EXPRESSION_OPENERS = frozenset(
    {"SELECT", "DISTINCT", "ALL", "WHERE", "AND", "OR", "NOT", "ON", "HAVING", "BY", "WHEN", "THEN", "ELSE", "CASE"}
    | {"BETWEEN"}
)
# Words that begin a clause: walking back from the cursor, the first one met says where we are.
_CLAUSE_WORDS = frozenset(
    {"SELECT", "FROM", "JOIN", "ON", "WHERE", "BY", "HAVING", "LIMIT", "OFFSET", "SET", "VALUES", "RETURNING"}
    | {"USING", "INTO", "WITH", "UPDATE"}
)
# Words that end a table reference rather than naming its alias.
_NOT_ALIASES = _CLAUSE_WORDS | {
    "AS",
    "LEFT",
    "RIGHT",
    "FULL",
    "INNER",
    "OUTER",
    "CROSS",
    "NATURAL",
    "GROUP",
    "ORDER",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "WINDOW",
    "DELETE",
    "INSERT",
}
_NOTHING_AFTER = frozenset({"LIMIT", "OFFSET", "AS", "LIKE", "GLOB", "WITH", "VALUES", "ESCAPE", "IN", "USING"})
_EQUALITY = frozenset({"=", "==", "!=", "<>"})
_STAR_BEFORE = frozenset({"SELECT", "DISTINCT", "ALL"})
_TERMS = frozenset({STRING, NUMBER, QUOTED_NAME, VARIABLE, PARAMETER})


_ScopeFunction = Callable[[], tuple[TableInScope, ...]]


class _Position(Enum):
    NOTHING = auto()
    NAMES = auto()
    EXPRESSION = auto()
    KEYWORDS = auto()
    VALUE = auto()
    INSERT_PROPERTY = auto()
    SET_TARGET = auto()
    RETURNING = auto()


@dataclass(frozen=True)
class _Spot:
    """What kind of spot the cursor is at, with the detail that kind needs."""

    position: _Position
    clause: str | None = None  # EXPRESSION: the clause it sits in (WHERE allows `Identifier`)
    choices: tuple[str, ...] = ()  # KEYWORDS: only these, or any keyword when empty
    target: str | None = None  # VALUE: region, identifier or typename
    table: str | None = None  # INSERT_PROPERTY: the table named after INTO
    listed: tuple[str, ...] = ()  # INSERT_PROPERTY: properties already in the list


def suggest(text_before_cursor: str, text_after_cursor: str = "") -> tuple[Suggestion, ...]:
    """What may be typed at the cursor, best kinds first (the completer keeps this order on ties)."""
    tokens = tokenize(text_before_cursor)
    statement_start = _statement_start(tokens)
    statement = tokens[statement_start:]
    first_statement = statement_start == 0
    significant = [t for t in statement if t.kind not in INSIGNIFICANT]

    if significant and significant[0].is_punctuation("\\"):
        return _meta(text_before_cursor[significant[0].start :])

    # Tokens cover the whole text, so the last one always touches the cursor.
    last = statement[-1] if statement else None
    if last is not None:
        if _inside_comment_or_quoted_name(last):
            return ()
        if last.kind == OPEN_VARIABLE:
            return (Variable(prefix=last.text[2:].lstrip()),)
        if last.kind == OPEN_STRING:
            return _string_value(significant[:-1], string_content(last), text_before_cursor, text_after_cursor)

    segments, partial, chain_start = _word_at_cursor(statement)
    if chain_start == len(statement) and last is not None and _finishes_a_term(last):
        return ()  # nothing typed yet, right after a finished term: nothing can start without a space
    before = [t for t in statement[:chain_start] if t.kind not in INSIGNIFICANT]

    def scope() -> tuple[TableInScope, ...]:
        return tables_in_scope(text_before_cursor, text_after_cursor)

    return _sql(before, segments, partial, first_statement, scope)


# -- statement and word at the cursor ------------------------------------------------------------


def _inside_comment_or_quoted_name(last: Token) -> bool:
    if last.kind in (OPEN_COMMENT, OPEN_QUOTED_NAME):
        return True
    return last.kind == COMMENT and last.text.startswith("--") and not last.text.endswith("\n")


def _finishes_a_term(token: Token) -> bool:
    return token.kind in _TERMS or token.is_punctuation(")") or (token.kind == OPERATOR and token.text == "*")


def _statement_start(tokens: Sequence[Token]) -> int:
    for index in range(len(tokens) - 1, -1, -1):
        if tokens[index].is_punctuation(";"):
            return index + 1
    return 0


def _word_at_cursor(statement: Sequence[Token]) -> tuple[tuple[str, ...], str, int]:
    """The dotted word being typed: its complete segments, the partial last one, and where it starts."""
    index = len(statement)
    partial = ""
    if index and statement[-1].kind == NAME:
        partial = statement[-1].text
        index -= 1
    segments: list[str] = []
    while index >= 2 and statement[index - 1].is_punctuation(".") and statement[index - 2].kind in (NAME, QUOTED_NAME):
        segments.insert(0, name_text(statement[index - 2]))
        index -= 2
    return tuple(segments), partial, index


# -- the decision --------------------------------------------------------------------------------


def _sql(
    before: list[Token],
    segments: tuple[str, ...],
    partial: str,
    first_statement: bool,
    scope: _ScopeFunction,
) -> tuple[Suggestion, ...]:
    if not before:
        if segments:
            return ()
        found: list[Suggestion] = [Keyword(STATEMENT_STARTS, prefix=partial)]
        if first_statement:
            found.append(MetaCommand(prefix=partial))
        return tuple(found)

    depth = _name_depth(before)
    if depth is not None:
        return _names(segments, partial, depth, before[-1])

    spot = _position(before)
    if spot.position is _Position.NAMES:
        return _names(segments, partial, 3, before[-1])
    qualifier = ".".join(segments) if segments else None

    if spot.position is _Position.EXPRESSION:
        tables = scope()
        if qualifier:
            return (Column(tables, qualifier, prefix=partial),)
        found = [Column(tables, prefix=partial)]
        if spot.clause == "WHERE":
            found.append(Parameter(_where_parameters(tables), prefix=partial))
        found += [Function(prefix=partial), Keyword(prefix=partial)]
        return tuple(found)
    if spot.position is _Position.SET_TARGET:
        tables = scope()
        if qualifier:
            return (Column(tables, qualifier, prefix=partial, updatable=True),)
        return (Column(tables, prefix=partial, updatable=True), Parameter(UPDATE_PARAMETERS, prefix=partial))
    if segments:
        return ()
    if spot.position is _Position.KEYWORDS:
        return (Keyword(spot.choices, prefix=partial),)
    if spot.position is _Position.VALUE and spot.target:
        return _value_suggestion(spot.target, before, scope, quoted=False, prefix=partial)
    if spot.position is _Position.INSERT_PROPERTY and spot.table:
        return (InsertProperty(spot.table, spot.listed, prefix=partial),)
    if spot.position is _Position.RETURNING:
        return (Parameter(PROGRESS_EVENT_FIELDS, prefix=partial),)
    return ()


def _position(before: list[Token]) -> _Spot:
    """Classify the spot after `before` (significant tokens, non-empty)."""
    prev = before[-1]
    word = prev.upper if prev.kind == NAME else ""

    if prev.kind == NAME:
        if word in _EXPRESSION_OPENERS:
            return _Spot(_Position.EXPRESSION, clause=_clause_word(before))
        if word == "SET":
            return _Spot(_Position.SET_TARGET)
        if word == "RETURNING":
            return _Spot(_Position.RETURNING)
        if word == "IS":
            return _Spot(_Position.KEYWORDS, choices=("NULL", "NOT NULL", "NOT", "DISTINCT FROM"))
        if word in ("GROUP", "ORDER", "PARTITION"):
            return _Spot(_Position.KEYWORDS, choices=("BY",))
        if word in ("LEFT", "RIGHT", "FULL", "INNER", "CROSS", "NATURAL"):
            return _Spot(_Position.KEYWORDS, choices=("JOIN", "OUTER JOIN"))
        if word == "EXPLAIN":
            return _Spot(_Position.KEYWORDS, choices=STATEMENT_STARTS)
        follows_show = len(before) >= 2 and before[-2].is_word("SHOW")
        if word == "SHOW":
            return _Spot(_Position.KEYWORDS, choices=SHOW_OBJECTS)
        if follows_show and word == "SERVICES":
            return _Spot(_Position.KEYWORDS, choices=("IN", "LIKE"))
        if follows_show and word in ("RESOURCES", "METHODS"):
            return _Spot(_Position.KEYWORDS, choices=("IN",))
        if word == "INSERT":
            return _Spot(_Position.KEYWORDS, choices=("INTO",))
        if word == "DELETE":
            return _Spot(_Position.KEYWORDS, choices=("FROM",))
        if word in _NOTHING_AFTER:
            return _Spot(_Position.NOTHING)
        return _Spot(_Position.KEYWORDS, choices=())

    if prev.kind == OPERATOR:
        if prev.text in _EQUALITY:
            target = _special_operand(before[:-1])
            if target:
                return _Spot(_Position.VALUE, target=target)
        if prev.text == "*" and _is_star(before):
            return _Spot(_Position.KEYWORDS, choices=())
        return _Spot(_Position.EXPRESSION, clause=_clause_word(before))

    if prev.is_punctuation(","):
        return _after_comma(before)
    if prev.is_punctuation("("):
        return _after_open_paren(before, len(before) - 1)
    if prev.is_punctuation(")"):
        opening = _matching_open(before, len(before) - 1)
        if opening is not None and _insert_target(before, opening):
            return _Spot(_Position.KEYWORDS, choices=("VALUES", "SELECT"))
        return _Spot(_Position.KEYWORDS, choices=())
    if prev.kind in _TERMS:
        return _Spot(_Position.KEYWORDS, choices=())
    return _Spot(_Position.NOTHING)


def _after_comma(before: list[Token]) -> _Spot:
    opening, clause = _enclosing(before[:-1])
    if opening is not None:
        return _inside_paren(before, opening)
    if clause == "FROM":
        return _Spot(_Position.NAMES)
    if clause == "SET":
        return _Spot(_Position.SET_TARGET)
    if clause == "RETURNING":
        return _Spot(_Position.RETURNING)
    if clause in ("VALUES", "LIMIT", "OFFSET", "WITH", "USING"):
        return _Spot(_Position.NOTHING)
    return _Spot(_Position.EXPRESSION, clause=clause)


def _after_open_paren(before: list[Token], opening: int) -> _Spot:
    ahead = before[opening - 1] if opening >= 1 else None
    if ahead is not None and ahead.kind == NAME and ahead.upper in ("FROM", "JOIN", "AS", "EXISTS"):
        return _Spot(_Position.KEYWORDS, choices=("SELECT", "WITH"))
    return _inside_paren(before, opening)


def _inside_paren(before: list[Token], opening: int) -> _Spot:
    """The spot is inside the group opened at `opening` (right after it or after a comma in it)."""
    target = _insert_target(before, opening)
    if target:
        listed = tuple(name_text(t) for t in before[opening + 1 :] if t.kind in (NAME, QUOTED_NAME))
        return _Spot(_Position.INSERT_PROPERTY, table=target, listed=listed)
    ahead = before[opening - 1] if opening >= 1 else None
    if ahead is not None and ahead.is_word("IN"):
        operand = _in_operand(before, opening - 1)
        if operand:
            return _Spot(_Position.VALUE, target=operand)
    outer_opening, clause = _enclosing(before[:opening])
    if clause == "VALUES" or (ahead is not None and ahead.is_word("VALUES")):
        return _Spot(_Position.NOTHING)
    while outer_opening is not None:
        outer_opening, clause = _enclosing(before[:outer_opening])
    return _Spot(_Position.EXPRESSION, clause=clause)


def _is_star(before: list[Token]) -> bool:
    if len(before) < 2:
        return True
    ahead = before[-2]
    return ahead.is_punctuation(",", "(", ".") or (ahead.kind == NAME and ahead.upper in _STAR_BEFORE)


# -- names ---------------------------------------------------------------------------------------


def _name_depth(before: list[Token]) -> int | None:
    """How many segments a name may have at this spot (3: a resource, 2: a service, 1: the provider),
    or None when the spot is not right after a word that names one (a comma in FROM is left to _position)."""
    prev = before[-1]
    if prev.kind != NAME:
        return None
    word = prev.upper
    if word in ("FROM", "JOIN", "UPDATE", "INTO"):
        return 3
    if word in ("DESCRIBE", "DESC") and _starts_statement(before, len(before) - 1):
        return 3
    if word == "EXTENDED" and len(before) >= 2 and before[-2].is_word("DESCRIBE", "DESC"):
        return 3
    if word == "IN" and len(before) >= 3 and before[-3].is_word("SHOW"):
        return {"SERVICES": 1, "RESOURCES": 2, "METHODS": 3}.get(before[-2].upper)
    return None


def _starts_statement(before: list[Token], index: int) -> bool:
    return index == 0 or (index == 1 and before[0].is_word("EXPLAIN"))


def _names(segments: tuple[str, ...], partial: str, depth: int, prev: Token) -> tuple[Suggestion, ...]:
    if not segments:
        found: list[Suggestion] = [Provider(prefix=partial)]
        if depth == 2:
            found.append(Service(qualified=True, prefix=partial))
        if depth >= 3:
            # FROM l<Tab>: the services starting with l (to go on with `.`) and the resources, ranked together.
            found += [Service(qualified=True, prefix=partial), Resource(None, prefix=partial)]
        if prev.is_word("DESCRIBE", "DESC"):
            found.append(Keyword(("EXTENDED",), prefix=partial))
        return tuple(found)
    is_provider = segments[0].lower() == PROVIDER
    if len(segments) == 1 and is_provider and depth >= 2:
        return (Service(prefix=partial),)
    if depth >= 3 and len(segments) == 1 and not is_provider:
        return (Resource(segments[0], prefix=partial),)
    if depth >= 3 and len(segments) == 2 and is_provider:
        return (Resource(segments[1], prefix=partial),)
    return ()


# -- tables in scope -----------------------------------------------------------------------------


def tables_in_scope(text_before_cursor: str, text_after_cursor: str = "") -> tuple[TableInScope, ...]:
    """The resources named in FROM, JOIN and UPDATE of the statement holding the cursor."""
    cursor = len(text_before_cursor)
    tokens = tokenize(text_before_cursor + text_after_cursor)
    start, end = 0, len(tokens)
    for index, token in enumerate(tokens):
        if token.is_punctuation(";"):
            if token.end <= cursor:
                start = index + 1
            elif token.start >= cursor:
                end = index
                break
    significant = [t for t in tokens[start:end] if t.kind not in INSIGNIFICANT]
    tables: list[TableInScope] = []
    index = 0
    while index < len(significant):
        token = significant[index]
        index += 1
        if token.is_word("FROM", "JOIN", "UPDATE"):
            index = _read_table_list(significant, index, tables, several=token.upper == "FROM")
    return tuple(dict.fromkeys(tables))


def _read_table_list(tokens: list[Token], index: int, tables: list[TableInScope], several: bool) -> int:
    while True:
        name, index = _read_dotted_name(tokens, index)
        if not name or (index < len(tokens) and tokens[index].is_punctuation("(")):
            return index  # a subquery or a table-valued function such as json_each(...)
        alias = None
        if index < len(tokens) and tokens[index].is_word("AS"):
            index += 1
        if index < len(tokens) and _is_alias(tokens[index]):
            alias = name_text(tokens[index])
            index += 1
        tables.append(TableInScope(name, alias))
        if not (several and index < len(tokens) and tokens[index].is_punctuation(",")):
            return index
        index += 1


def _read_dotted_name(tokens: list[Token], index: int) -> tuple[str, int]:
    parts: list[str] = []
    while index < len(tokens) and tokens[index].kind in (NAME, QUOTED_NAME):
        if tokens[index].kind == NAME and tokens[index].upper in _CLAUSE_WORDS and not parts:
            break
        parts.append(name_text(tokens[index]))
        index += 1
        followed_by_segment = index + 1 < len(tokens) and tokens[index + 1].kind in (NAME, QUOTED_NAME)
        if followed_by_segment and tokens[index].is_punctuation("."):
            index += 1
            continue
        break
    return ".".join(parts), index


def _is_alias(token: Token) -> bool:
    return token.kind == QUOTED_NAME or (token.kind == NAME and token.upper not in _NOT_ALIASES)


def _where_parameters(tables: tuple[TableInScope, ...]) -> tuple[str, ...]:
    raw = any(f".{CLOUD_CONTROL_SERVICE}." in f".{t.name.lower()}" for t in tables)
    return (IDENTIFIER_PARAMETER, *CLOUD_CONTROL_PARAMETERS) if raw else (IDENTIFIER_PARAMETER,)


# -- parentheses and clauses ---------------------------------------------------------------------


def _enclosing(tokens: Sequence[Token]) -> tuple[int | None, str | None]:
    """Walking back from the end: the index of the innermost unclosed `(`, or else the nearest clause word."""
    depth = 0
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token.is_punctuation(")"):
            depth += 1
        elif token.is_punctuation("("):
            if depth == 0:
                return index, None
            depth -= 1
        elif depth == 0 and token.kind == NAME and token.upper in _CLAUSE_WORDS:
            return None, token.upper
    return None, None


def _clause_word(tokens: Sequence[Token]) -> str | None:
    """The clause the end of `tokens` sits in, looking through open parentheses (function arguments)."""
    opening, clause = _enclosing(tokens)
    while opening is not None:
        opening, clause = _enclosing(tokens[:opening])
    return clause


def _matching_open(tokens: Sequence[Token], closing: int) -> int | None:
    depth = 0
    for index in range(closing, -1, -1):
        if tokens[index].is_punctuation(")"):
            depth += 1
        elif tokens[index].is_punctuation("("):
            depth -= 1
            if depth == 0:
                return index
    return None


def _insert_target(tokens: Sequence[Token], opening: int) -> str | None:
    """The table of `INTO table (` when the `(` at `opening` opens an INSERT column list."""
    index = opening - 1
    parts: list[str] = []
    while index >= 0 and tokens[index].kind in (NAME, QUOTED_NAME):
        parts.insert(0, name_text(tokens[index]))
        if index >= 1 and tokens[index - 1].is_punctuation("."):
            index -= 2
            continue
        index -= 1
        break
    if parts and index >= 0 and tokens[index].is_word("INTO"):
        return ".".join(parts)
    return None


# -- values --------------------------------------------------------------------------------------

_SPECIAL_OPERANDS = {"region": "region", "identifier": "identifier", "typename": "typename"}


def _special_operand(tokens: Sequence[Token]) -> str | None:
    """`region`, `identifier` or `typename` when the operand at the end of `tokens` is one of those names."""
    if not tokens or tokens[-1].kind not in (NAME, QUOTED_NAME):
        return None
    return _SPECIAL_OPERANDS.get(name_text(tokens[-1]).lower())


def _in_operand(tokens: Sequence[Token], in_index: int) -> str | None:
    operand_end = in_index
    if operand_end >= 1 and tokens[operand_end - 1].is_word("NOT"):
        operand_end -= 1
    return _special_operand(tokens[:operand_end])


def _value_target(before: Sequence[Token]) -> str | None:
    """What a value typed after `before` is compared with, if it is a region, identifier or type name."""
    if not before:
        return None
    prev = before[-1]
    if prev.kind == OPERATOR and prev.text in _EQUALITY:
        return _special_operand(before[:-1])
    if prev.is_punctuation("(", ","):
        opening = len(before) - 1 if prev.is_punctuation("(") else _enclosing(before[:-1])[0]
        if opening is not None and opening >= 1 and before[opening - 1].is_word("IN"):
            return _in_operand(before, opening - 1)
    return None


def _string_value(before: list[Token], content: str, text_before: str, text_after: str) -> tuple[Suggestion, ...]:
    target = _value_target(before)
    if target is None:
        return ()

    def scope() -> tuple[TableInScope, ...]:
        return tables_in_scope(text_before, text_after)

    return _value_suggestion(target, before, scope, quoted=True, prefix=content)


def _value_suggestion(
    target: str, before: Sequence[Token], scope: _ScopeFunction, quoted: bool, prefix: str
) -> tuple[Suggestion, ...]:
    if target == "region":
        return (RegionValue(quoted, prefix=prefix),)
    if target == "typename":
        return (TypeNameValue(quoted, prefix=prefix),)
    tables = scope()
    qualifier = _operand_qualifier(before)
    if qualifier:
        tables = tuple(t for t in tables if t.answers_to(qualifier)) or tables
    return (IdentifierValue(tables, quoted, prefix=prefix),)


def _operand_qualifier(before: Sequence[Token]) -> str | None:
    """`c` in `c.Identifier = ` or `c.Identifier IN (` ."""
    for index in range(len(before) - 1, 0, -1):
        token = before[index]
        if token.kind in (NAME, QUOTED_NAME) and name_text(token).lower() == "identifier":
            if index >= 2 and before[index - 1].is_punctuation(".") and before[index - 2].kind in (NAME, QUOTED_NAME):
                return name_text(before[index - 2])
            return None
    return None


# -- meta commands -------------------------------------------------------------------------------


def _meta(text: str) -> tuple[Suggestion, ...]:
    """`text` runs from the backslash to the cursor."""
    parts = text.split()
    ends_in_space = text[-1:].isspace()
    if len(parts) <= 1 and not ends_in_space:
        return (MetaCommand(prefix=text.strip()),)
    command = parts[0]
    if ends_in_space:
        return (MetaArgument(command, len(parts) - 1, prefix=""),)
    return (MetaArgument(command, len(parts) - 2, prefix=parts[-1]),)
