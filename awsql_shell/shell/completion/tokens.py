"""A tolerant SQL tokenizer for completion: it never fails, and it tells an open string or
comment at the end of the text from a closed one (which is what completion needs to know).

sqlparse would also do, but it is slower per keystroke and has no notion of "unterminated".
"""

from __future__ import annotations

import re
from typing import NamedTuple

WHITESPACE = "ws"
COMMENT = "comment"
OPEN_COMMENT = "open_comment"
STRING = "string"
OPEN_STRING = "open_string"
QUOTED_NAME = "quoted_name"
OPEN_QUOTED_NAME = "open_quoted_name"
VARIABLE = "variable"
OPEN_VARIABLE = "open_variable"
NUMBER = "number"
NAME = "name"
PARAMETER = "parameter"
OPERATOR = "operator"
PUNCTUATION = "punctuation"
OTHER = "other"

# The "open" alternatives come before their closed twins: they only match when the construct
# runs to the end of the text, and trying them first keeps `'it''` read as the open string "it'".
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>--[^\n]*(?:\n|\Z)|/\*.*?\*/)
  | (?P<open_comment>/\*.*\Z)
  | (?P<open_string>'(?:[^']|'')*\Z)
  | (?P<string>'(?:[^']|'')*')
  | (?P<open_quoted_name>"(?:[^"]|"")*\Z|`[^`]*\Z|\[[^\]]*\Z)
  | (?P<quoted_name>"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\])
  | (?P<variable>\{\{.*?\}\})
  | (?P<open_variable>\{\{.*\Z)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)
  | (?P<name>[^\W\d][\w$]*)
  | (?P<parameter>[?:@$]\w*)
  | (?P<operator>->>|->|<=|>=|<>|!=|==|\|\||<<|>>|[-+*/%<>=~&|!])
  | (?P<punctuation>[.,;()\\])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

OPEN_KINDS = frozenset({OPEN_COMMENT, OPEN_STRING, OPEN_QUOTED_NAME, OPEN_VARIABLE})
INSIGNIFICANT = frozenset({WHITESPACE, COMMENT, OPEN_COMMENT})


class Token(NamedTuple):
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def upper(self) -> str:
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        return self.kind == NAME and self.text.upper() in words

    def is_punctuation(self, *marks: str) -> bool:
        return self.kind == PUNCTUATION and self.text in marks


def tokenize(text: str) -> list[Token]:
    # A line comment swallows its newline; that is harmless for completion and keeps the regex simple.
    return [Token(match.lastgroup or OTHER, match.group(), match.start()) for match in _TOKEN.finditer(text)]


def name_text(token: Token) -> str:
    """The name a NAME or quoted-name token stands for (`"Identifier"` -> `Identifier`)."""
    if token.kind == QUOTED_NAME and len(token.text) >= 2:
        return token.text[1:-1]
    return token.text


def string_content(token: Token) -> str:
    """What an (open or closed) string literal holds so far, quotes undone."""
    body = token.text[1:]
    if token.kind == STRING:
        body = body[:-1]
    return body.replace("''", "'")
