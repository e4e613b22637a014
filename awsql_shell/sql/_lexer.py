"""Tokens for the parser: sqlparse's lexer engine driven by a table of SQLite's lexical rules.

sqlparse's default table is built for many dialects at once and disagrees with SQLite on a few
points that matter here (a backslash does not escape a quote in SQLite, ``#`` starts no comment,
``a-1`` is not ``a`` followed by ``-1``), so a private :class:`sqlparse.lexer.Lexer` instance gets
its own table; sqlparse's shared default instance is left untouched. Multi-line comments and
``/*+ hints */`` are recognised by the engine itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlparse import tokens as T
from sqlparse.lexer import Lexer

from awsql_shell.errors import AwsqlError, SqlSyntaxError

# Token kinds.
WORD = "word"  # a bare identifier or keyword
QUOTED = "quoted"  # "name", `name` or [name]
STRING = "string"
NUMBER = "number"
PARAM = "param"  # ?, ?1, :name, @name, $name
TEMPLATE = "template"  # {{ variable }} not yet substituted
OP = "op"
STAR = "star"
DOT = "dot"
COMMA = "comma"
LPAREN = "lparen"
RPAREN = "rparen"
SEMI = "semi"
HINT = "hint"  # /*+ ... */
BLOCK_COMMENT = "block_comment"
LINE_COMMENT = "line_comment"
SPACE = "space"
ERROR = "error"
GROUP = "group"  # a parenthesized run of nodes, see Group

# Deeper nesting would exhaust Python's recursion while the parser walks the groups.
MAX_DEPTH = 100

TRIVIA = frozenset({SPACE, LINE_COMMENT, BLOCK_COMMENT, HINT})
NAME_KINDS = frozenset({WORD, QUOTED, TEMPLATE})

_SQLITE_RULES = [
    (r"\s+", T.Whitespace),
    (r"[^\W\d][\w$]*", T.Name),
    (r"'[^']*(?:''[^']*)*'", T.String.Single),
    (r"--[^\n]*", T.Comment.Single),
    (r'"[^"]*(?:""[^"]*)*"', T.String.Symbol),
    (r"`[^`]*(?:``[^`]*)*`", T.String.Symbol),
    (r"\[[^\]]*\]", T.String.Symbol),
    (r"0x[0-9a-f]+", T.Number.Hexadecimal),
    (r"(?:\d+\.\d*|\.\d+)(?:e[+-]?\d+)?|\d+e[+-]?\d+", T.Number.Float),
    (r"\d+", T.Number.Integer),
    (r"[(),;.]", T.Punctuation),
    (r"\*", T.Wildcard),
    (r"\?\d*|[:@$][^\W\d][\w$]*", T.Name.Placeholder),
    (r"\{\{[\s\S]*?\}\}", T.Other),
    # Reached only when no "*/" closes it: the engine consumes complete comments first.
    (r"/\*", T.Error),
    (r"->>?|\|\||<<|>>|<=|>=|==|!=|<>|[-+/%&|~<>=]", T.Operator),
]

_PUNCTUATION = {"(": LPAREN, ")": RPAREN, ",": COMMA, ";": SEMI, ".": DOT}
_KINDS = {
    T.Whitespace: SPACE,
    T.Name: WORD,
    T.String.Single: STRING,
    T.Comment.Single: LINE_COMMENT,
    T.Comment.Multiline: BLOCK_COMMENT,
    T.Comment.Multiline.Hint: HINT,
    T.String.Symbol: QUOTED,
    T.Number.Hexadecimal: NUMBER,
    T.Number.Float: NUMBER,
    T.Number.Integer: NUMBER,
    T.Wildcard: STAR,
    T.Name.Placeholder: PARAM,
    T.Other: TEMPLATE,
    T.Operator: OP,
    T.Error: ERROR,
}


class SyntaxProblem(Exception):
    """An error at an offset of the lexed text; the parser turns it into ``error_type`` (an AwsqlError)
    once it knows where that text sits in the script."""

    def __init__(self, message: str, position: int, error_type: type[AwsqlError] = SqlSyntaxError):
        super().__init__(message)
        self.message = message
        self.position = position
        self.error_type = error_type


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str
    text: str
    start: int
    end: int

    @property
    def up(self) -> str:
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        return self.kind == WORD and self.text.upper() in words


@dataclass(frozen=True, slots=True)
class Group:
    """``( ... )``: the nodes between the parentheses, themselves grouped."""

    open: Tok
    items: list[Node]
    close: Tok
    kind: str = GROUP

    @property
    def start(self) -> int:
        return self.open.start

    @property
    def end(self) -> int:
        return self.close.end

    def is_word(self, *words: str) -> bool:
        return False


Node = Tok | Group


@lru_cache(maxsize=1)
def _lexer() -> Lexer:
    lexer = Lexer()
    lexer.clear()
    lexer.set_SQL_REGEX(_SQLITE_RULES)
    return lexer


# What opens something that must be closed: unterminated, it swallows the rest of the input.
_OPENERS = ("'", '"', "`", "[", "/*")


def lex(text: str) -> list[Tok]:
    """Every token of ``text``, trivia included, with offsets; lexical errors raise SyntaxProblem."""
    out = lex_tolerant(text)
    for token in out:
        if token.kind == ERROR:
            raise SyntaxProblem(lexical_error(text, token), token.start)
    return out


def lex_tolerant(text: str) -> list[Tok]:
    """Every token, as ``lex``, with what cannot be lexed kept as ERROR tokens instead of raising: a stray
    character is one ERROR token and lexing goes on after it (a script can resume at the next ';'); an
    unterminated string, quoted name, comment or ``{{`` takes the rest of the input as one ERROR token."""
    out: list[Tok] = []
    position = 0
    for ttype, value in _lexer().get_tokens(text):
        kind = _KINDS.get(ttype, ERROR)
        if ttype is T.Punctuation:
            kind = _PUNCTUATION.get(value, ERROR)
        if kind == ERROR and (value in _OPENERS or text.startswith("{{", position)):
            out.append(Tok(ERROR, text[position:], position, len(text)))
            return out
        end = position + len(value)
        out.append(Tok(kind, value, position, end))
        position = end
    return out


def lexical_error(text: str, token: Tok) -> str:
    """What is wrong with an ERROR token of ``lex_tolerant``."""
    position, value = token.start, token.text
    if value.startswith(_OPENERS) or text.startswith("{{", position):
        value = "/*" if value.startswith("/*") else value[:1]
    if value == "'":
        return "unterminated string: no closing ' before the end of the input"
    if value in ('"', "`"):
        return f"unterminated quoted name: no closing {value} before the end of the input"
    if value == "[":
        return "unterminated [name]: no closing ] before the end of the input"
    if value == "/*":
        return "unterminated comment: no closing */ before the end of the input"
    if text.startswith("{{", position):
        return "unterminated {{ variable }}: no closing }} before the end of the input"
    shown = value if value.isprintable() else value.encode("unicode_escape").decode("ascii")
    return f"unexpected character '{shown}'"


def split(tokens: list[Tok]) -> list[list[Tok]]:
    """The tokens of each ';'-separated statement (strings and comments were lexed whole already)."""
    chunks: list[list[Tok]] = [[]]
    for token in tokens:
        if token.kind == SEMI:
            chunks.append([])
        else:
            chunks[-1].append(token)
    return chunks


def group(tokens: list[Tok]) -> list[Node]:
    """Significant tokens with parentheses nested into Groups; unbalanced ones raise SyntaxProblem."""
    stack: list[tuple[Tok, list[Node]]] = []
    current: list[Node] = []
    for token in tokens:
        if token.kind in TRIVIA:
            continue
        if token.kind == LPAREN:
            if len(stack) == MAX_DEPTH:
                raise SyntaxProblem(f"parentheses nested more than {MAX_DEPTH} deep", token.start)
            stack.append((token, current))
            current = []
        elif token.kind == RPAREN:
            if not stack:
                raise SyntaxProblem("unexpected ')': no '(' to close", token.start)
            opener, outer = stack.pop()
            outer.append(Group(opener, current, token))
            current = outer
        else:
            current.append(token)
    if stack:
        opener = stack[-1][0]
        raise SyntaxProblem("unclosed '(': expected ')' before the end of the statement", opener.start)
    return current
