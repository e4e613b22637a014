"""INSERT, UPDATE and DELETE: validated against the schema, idempotent, awaited (issue 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from awsql_shell.errors import UnsupportedError
from awsql_shell.result import Result

if TYPE_CHECKING:
    from awsql_shell.executor import Session
    from awsql_shell.sql.statements import Delete, Insert, Update


def run_mutation(session: Session, statement: Insert | Update | Delete) -> Result:
    raise UnsupportedError(f"{type(statement).__name__.upper()} is not available yet in this version of awsql")


def explain_mutation(session: Session, statement: Insert | Update | Delete) -> Result:
    raise UnsupportedError(f"EXPLAIN {type(statement).__name__.upper()} is not available yet")
