"""Where a statement that failed probably lacks its ``;``: a line that starts a new statement.

``SELECT 1`` then ``SELECT 2;`` on the next line reads as one statement, and SQLite's "near SELECT:
syntax error" points at neither the cause nor its line. After a syntax error, the faces ask this module
whether a line inside the statement begins with a statement keyword right after a complete term (a
name, number, string or closing parenthesis is not followed by SELECT in any valid statement, unless a
set operator or CTE joins them); if so, the error is "missing ';' at the end of line N". Asked only
after a failure, so a valid statement is never second-guessed.
"""

from __future__ import annotations

from awsql_shell.sql._lexer import LPAREN, NAME_KINDS, NUMBER, RPAREN, STRING, TRIVIA, WORD, Tok, lex_tolerant

# Words that begin a statement of their own at the start of a line.
STATEMENT_STARTS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN"})
# Keywords no statement ends with: after them, a statement keyword is an error of its own, not a lost ';'
# (and after a set operator, SELECT continues the statement).
_JOINERS = frozenset(
    {
        "UNION",
        "ALL",
        "EXCEPT",
        "INTERSECT",
        "AS",
        "DISTINCT",
        "EXISTS",
        "THEN",
        "ELSE",
        "WHEN",
        "CASE",
        "IN",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "BY",
        "ON",
        "JOIN",
        "LEFT",
        "RIGHT",
        "FULL",
        "INNER",
        "OUTER",
        "CROSS",
        "NATURAL",
        "USING",
        "SET",
        "VALUES",
        "INTO",
        "SELECT",
        "HAVING",
        "LIMIT",
        "OFFSET",
        "WITH",
        "LIKE",
        "GLOB",
        "IS",
        "BETWEEN",
        "RETURNING",
        "TABLE",
        "UPDATE",
        "DELETE",
        "INSERT",
        "EXPLAIN",
        "DESCRIBE",
        "SHOW",
    }
)
_TERMS = frozenset({NUMBER, STRING}) | NAME_KINDS


def missing_semicolon(text: str) -> int | None:
    """The offset (end of its line) where ``text``'s first statement should have ended, when a later line at
    the top level starts another statement; None when nothing says so."""
    depth = 0
    previous: Tok | None = None
    tokens = [token for token in lex_tolerant(text) if token.kind not in TRIVIA]
    first = tokens[0] if tokens else None
    for token in tokens:
        if token.kind == LPAREN:
            depth += 1
        elif token.kind == RPAREN:
            depth = max(depth - 1, 0)
        elif (
            depth == 0
            and previous is not None
            and token.kind == WORD
            and token.up in STATEMENT_STARTS
            and _starts_line(text, token.start)
            and _ends_a_statement(previous, first)
        ):
            return previous.end  # the last token before that line: where the ';' belongs
        previous = token
    return None


def _starts_line(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    return line_start > 0 and not text[line_start:offset].strip()


def _ends_a_statement(previous: Tok, first: Tok | None) -> bool:
    if previous.kind == RPAREN:
        # WITH x AS (...) SELECT and INSERT INTO t (...) SELECT continue after a parenthesis.
        return first is not None and not first.is_word("WITH", "INSERT")
    if previous.kind == WORD and previous.up in _JOINERS:
        return False
    return previous.kind in _TERMS
