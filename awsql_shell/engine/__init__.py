"""SQLite in memory: fetched resources become tables and the user's SQL runs on them unchanged."""

from awsql_shell.engine.sqlite import Engine, MaterializedTable, Replacement, rewrite

__all__ = ["Engine", "MaterializedTable", "Replacement", "rewrite"]
