"""awsql's own tables (dialect 3.8), answered from the session, never from AWS:

- ``awsql.errors``: what the last statement that read AWS could not read, one row per (account, region,
  type, operation, error code): the message, how many calls failed, how many rows were lost. The warnings
  on stderr say the same in words; this lets a user query them (and aggregate over a partial result).
- ``awsql.accounts``: the accounts the session reaches (id, name, how it is reached, status).
"""

from __future__ import annotations

from awsql_shell.catalog.schema import Column

PROVIDER = "awsql"
ERRORS = "awsql.errors"
ACCOUNTS = "awsql.accounts"

COLUMNS: dict[str, tuple[Column, ...]] = {
    ERRORS: (
        Column("account_id", "account_id", "string", "The 12-digit account the calls went to."),
        Column("region", "region", "string", "The region the calls went to."),
        Column("type_name", "type_name", "string", "The CloudFormation type read."),
        Column("operation", "operation", "string", "The Cloud Control operation that failed."),
        Column("error_code", "error_code", "string", "The error code AWS answered."),
        Column("message", "message", "string", "The first error's message."),
        Column("calls", "calls", "integer", "How many calls failed this way."),
        Column("rows_lost", "rows_lost", "integer", "Rows missing from the result (NULL: unknown, a list failed)."),
    ),
    ACCOUNTS: (
        Column("account_id", "account_id", "string", "The 12-digit account id."),
        Column("name", "name", "string", "The account's name, where known."),
        Column("reached", "reached", "string", "How the session reaches it: a profile, or an assumed role."),
        Column("status", "status", "string", "ACTIVE, SUSPENDED (never called) or UNREACHABLE."),
        Column("problem", "problem", "string", "Why it cannot be called, when it cannot."),
    ),
}


def is_awsql_table(name: str) -> bool:
    return name.lower() in COLUMNS
