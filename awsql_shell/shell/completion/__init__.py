"""Completion for the shell: `context.suggest` works out what fits at the cursor, `AwsqlCompleter` lists it."""

from awsql_shell.shell.completion.completer import AwsqlCompleter
from awsql_shell.shell.completion.context import suggest, tables_in_scope
from awsql_shell.shell.completion.meta_command_info import DEFAULT_META_COMMANDS, ArgumentKind, MetaCommandInfo
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
from awsql_shell.shell.completion.values import CompletionValues, SessionValues

__all__ = [
    "DEFAULT_META_COMMANDS",
    "ArgumentKind",
    "AwsqlCompleter",
    "Column",
    "CompletionValues",
    "Function",
    "IdentifierValue",
    "InsertProperty",
    "Keyword",
    "MetaArgument",
    "MetaCommand",
    "MetaCommandInfo",
    "Parameter",
    "Provider",
    "RegionValue",
    "Resource",
    "Service",
    "SessionValues",
    "Suggestion",
    "TableInScope",
    "TypeNameValue",
    "Variable",
    "suggest",
    "tables_in_scope",
]
