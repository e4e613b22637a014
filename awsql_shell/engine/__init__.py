"""SQLite in memory: fetched resources become tables and the user's SQL runs on them unchanged."""

from awsql_shell.engine.sqlite import Engine, MaterializedTable, SqliteError, to_sql_value

__all__ = ["Engine", "MaterializedTable", "SqliteError", "to_sql_value"]
