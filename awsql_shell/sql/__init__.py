"""SQL text to typed statements (``statements.py``), and ``{{ variables }}``.

``from awsql_shell.sql import parse_script`` imports the parser (and sqlparse) on first use only, so
code that just reads the statement classes does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awsql_shell.sql.parser import parse_script, parse_statement, split_script
    from awsql_shell.sql.variables import find_variables, load_vars_file, substitute

__all__ = ["find_variables", "load_vars_file", "parse_script", "parse_statement", "split_script", "substitute"]

_HOMES = {
    "parse_script": "parser",
    "parse_statement": "parser",
    "split_script": "parser",
    "find_variables": "variables",
    "load_vars_file": "variables",
    "substitute": "variables",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'awsql_shell.sql' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"awsql_shell.sql.{home}"), name)
