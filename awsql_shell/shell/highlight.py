"""Syntax highlighting for the prompt: pygments' SQL lexer, plus what is awsql's own."""

from __future__ import annotations

from pygments.lexer import inherit
from pygments.lexers.sql import SqlLexer
from pygments.token import Keyword, Name


class AwsqlLexer(SqlLexer):
    """SQL, with ``awscc.service.resource`` names, ``{{ variables }}`` and meta commands told apart."""

    name = "awsql"
    aliases: list[str] = []
    filenames: list[str] = []

    tokens = {
        "root": [
            (r"\bawscc(?:\.[A-Za-z_][\w]*){0,2}", Name.Namespace),
            (r"\{\{.*?\}\}", Name.Variable),
            (r"\\[A-Za-z?]+", Keyword.Pseudo),
            inherit,
        ],
    }
